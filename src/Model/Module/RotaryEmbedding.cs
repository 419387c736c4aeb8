using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Model.Module;

/// <summary>Rotary position embedding (rotate-half convention) with precomputed tables for the positions
/// [0, Length). Gemma-3 keeps two: sliding layers use the local base frequency unscaled, global layers the
/// global base with positions divided by the linear scaling factor. The sin table has its first half negated,
/// so rotate_half(x) * sin becomes roll(x, headDim / 2) * SignedSin: one op instead of four.</summary>
public sealed class RotaryEmbedding : IDisposable
{
    readonly int headDim;
    readonly double baseFrequency;
    readonly double scalingFactor;
    readonly ScalarType dtype;

    public RotaryEmbedding(int headDim, double baseFrequency, double scalingFactor, ScalarType dtype)
    {
        this.headDim = headDim;
        this.baseFrequency = baseFrequency;
        this.scalingFactor = scalingFactor;
        this.dtype = dtype;
        Cos = empty(0, headDim, dtype: dtype).DetachFromDisposeScope();
        SignedSin = empty(0, headDim, dtype: dtype).DetachFromDisposeScope();
    }

    /// <summary>The cos and signed sin of a range of positions, as views [tokens, 1, headDim] that broadcast over
    /// [batch, tokens, heads, headDim]. Sliced once per forward and shared by every layer of the kind.</summary>
    public readonly record struct Angles(Tensor Cos, Tensor SignedSin);

    /// <summary>cos of the rotation angles, [Length, headDim], in the compute dtype.</summary>
    public Tensor Cos { get; private set; }

    /// <summary>sin of the rotation angles with the first half negated, [Length, headDim], in the compute
    /// dtype.</summary>
    public Tensor SignedSin { get; private set; }

    public long Length => Cos.shape[0];

    /// <summary>Makes the tables cover at least <paramref name="positions"/> positions (computed in float64,
    /// once, outside the decode loop).</summary>
    public void EnsureLength(int positions)
    {
        if (positions <= Length)
            return;
        using var scope = NewDisposeScope();
        // Scalars held through the calls that read them (see HeldScalars).
        using Scalar width = headDim.ToScalar(), end = positions.ToScalar();
        using Scalar logBase = (-Math.Log(baseFrequency)).ToScalar(), scaling = scalingFactor.ToScalar();
        var exponents = arange(HeldScalars.Zero, width, HeldScalars.Two, dtype: ScalarType.Float64).div_(width);
        var inverseFrequency = exponents.mul_(logBase).exp_().div_(scaling);
        var angles = outer(arange(HeldScalars.Zero, end, dtype: ScalarType.Float64), inverseFrequency);
        var sin = angles.sin();
        Cos.Dispose();
        SignedSin.Dispose();
        Cos = cat([angles, angles], dim: -1).cos_().to(dtype).DetachFromDisposeScope();
        SignedSin = cat([sin.neg(), sin], dim: -1).to(dtype).DetachFromDisposeScope();
    }

    /// <summary>The angles of positions [start, start + tokens).</summary>
    public Angles For(long start, long tokens) =>
        new(Cos.narrow(0, start, tokens).unsqueeze(1), SignedSin.narrow(0, start, tokens).unsqueeze(1));

    /// <summary>Rotates x [batch, tokens, heads, headDim] by the angles of its positions.</summary>
    public static Tensor Apply(Tensor x, Angles angles)
    {
        using var scope = NewDisposeScope();
        var rotated = x.roll(x.shape[^1] / 2, -1).mul_(angles.SignedSin);
        return scope.MoveToOuter(rotated.add_(x * angles.Cos, HeldScalars.One));
    }

    public void Dispose()
    {
        Cos.Dispose();
        SignedSin.Dispose();
    }
}
