using GemmaBench.Model.Module;
using static TorchSharp.torch;

namespace GemmaBench.Model.Compiled;

/// <summary>Projections reading the same input (q, k, v; gate, up; or just one), run into one output
/// [..., sum of their widths] with their results side by side: as one fused module when they can be fused,
/// else one after the other.</summary>
sealed class ProjectionGroup : IDisposable
{
    readonly Action<Tensor, Tensor>[] parts;
    readonly long[] widths;
    readonly nn.Module<Tensor, Tensor>? fused;

    ProjectionGroup(Action<Tensor, Tensor>[] parts, long[] widths, nn.Module<Tensor, Tensor>? fused) =>
        (this.parts, this.widths, this.fused) = (parts, widths, fused);

    /// <summary>The sum of the projections' output widths.</summary>
    public long Width => widths.Sum();

    /// <summary>Whether the projections run as one module (always true for a single projection).</summary>
    public bool IsFused => parts.Length == 1;

    public static ProjectionGroup Create(IReadOnlyList<nn.Module<Tensor, Tensor>> projections, long[] widths,
        CompileOptions options)
    {
        nn.Module<Tensor, Tensor>? fused = null;
        if (projections.Count > 1)
        {
            fused = options.Fuse?.Invoke(projections);
            if (fused is null && projections.All(p => p is Projection))
                fused = Projection.Fuse(projections.Cast<Projection>().ToList());
        }
        var modules = fused is null ? projections.ToArray() : [fused];
        var parts = modules.Select(m => options.ForwardInto?.Invoke(m) ?? CopyInto(m)).ToArray();
        return new ProjectionGroup(parts, fused is null ? widths : [widths.Sum()], fused);
    }

    /// <summary>x [1, tokens, in] (contiguous) into output [1, tokens, Width] (contiguous).</summary>
    public void Into(Tensor x, Tensor output)
    {
        if (parts.Length == 1)
        {
            parts[0](x, output);
            return;
        }
        using var scope = NewDisposeScope();
        long offset = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            var slice = output.narrow(-1, offset, widths[i]);
            if (slice.is_contiguous())
                parts[i](x, slice);
            else
                slice.copy_(Result(parts[i], x, widths[i]));
            offset += widths[i];
        }
    }

    public void Dispose() => fused?.Dispose();

    static Action<Tensor, Tensor> CopyInto(nn.Module<Tensor, Tensor> module) => (x, output) =>
    {
        using var scope = NewDisposeScope();
        output.copy_(module.forward(x));
    };

    static Tensor Result(Action<Tensor, Tensor> part, Tensor x, long width)
    {
        var result = empty([.. x.shape[..^1], width], x.dtype);
        part(x, result);
        return result;
    }
}
