using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Model.Module;

/// <summary>Boolean attention masks (true = may attend) for a sequence attending to itself: causal, and for
/// sliding layers limited to 0 &lt;= q - k &lt; window (the window counts the token itself). Rows are repeated
/// once per query head of a KV group, matching the grouped layout of <see cref="Attention"/>.</summary>
public static class AttentionMask
{
    public static Tensor Build(int tokens, int? window, long group)
    {
        using var scope = NewDisposeScope();
        // Scalars held through the calls that read them (see HeldScalars).
        using Scalar end = tokens.ToScalar(), limit = (window ?? 0).ToScalar();
        var positions = arange(HeldScalars.Zero, end, dtype: ScalarType.Int64);
        var distance = positions.unsqueeze(1) - positions.unsqueeze(0);
        var allowed = distance.ge(HeldScalars.Zero);
        if (window is not null)
            allowed = allowed.logical_and_(distance.lt(limit));
        return scope.MoveToOuter(allowed.repeat(group, 1));
    }
}
