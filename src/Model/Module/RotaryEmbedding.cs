using static TorchSharp.torch;

namespace GemmaBench.Model.Module;

/// <summary>Rotary position embedding (rotate-half convention) with precomputed cos/sin tables for the
/// positions [0, Length). Gemma-3 keeps two: sliding layers use the local base frequency unscaled, global
/// layers the global base with positions divided by the linear scaling factor.</summary>
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
        Sin = empty(0, headDim, dtype: dtype).DetachFromDisposeScope();
    }

    /// <summary>cos of the rotation angles, [Length, headDim], in the compute dtype.</summary>
    public Tensor Cos { get; private set; }

    /// <summary>sin of the rotation angles, [Length, headDim], in the compute dtype.</summary>
    public Tensor Sin { get; private set; }

    public long Length => Cos.shape[0];

    /// <summary>Makes the tables cover at least <paramref name="positions"/> positions (computed in float64,
    /// once, outside the decode loop).</summary>
    public void EnsureLength(int positions)
    {
        if (positions <= Length)
            return;
        using var scope = NewDisposeScope();
        var exponents = arange(0, headDim, 2, dtype: ScalarType.Float64) / headDim;
        var inverseFrequency = exponents.mul_(-Math.Log(baseFrequency)).exp_().div_(scalingFactor);
        var angles = outer(arange(positions, dtype: ScalarType.Float64), inverseFrequency);
        var both = cat([angles, angles], dim: -1);
        Cos.Dispose();
        Sin.Dispose();
        Cos = both.cos().to(dtype).DetachFromDisposeScope();
        Sin = both.sin().to(dtype).DetachFromDisposeScope();
    }

    /// <summary>Rotates x [batch, tokens, heads, headDim] for the positions [start, start + tokens).</summary>
    public Tensor Apply(Tensor x, long start)
    {
        using var scope = NewDisposeScope();
        long tokens = x.shape[1];
        var cos = Cos.narrow(0, start, tokens).unsqueeze(1);
        var sin = Sin.narrow(0, start, tokens).unsqueeze(1);
        long half = headDim / 2;
        var rotated = cat([x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)], dim: -1);
        return scope.MoveToOuter((x * cos).add_(rotated.mul_(sin)));
    }

    public void Dispose()
    {
        Cos.Dispose();
        Sin.Dispose();
    }
}
