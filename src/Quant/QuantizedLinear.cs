using GemmaBench.Quant.Kernels;
using GemmaBench.Quant.Kernels.Managed;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant;

/// <summary>A linear layer without bias whose weight lives only in a kernel's packed INT4 layout.
/// With the int4pack kernel its tensors are also the module's buffers <see cref="Int4PackWeightBuffer"/> and
/// <see cref="Int4PackScalesBuffer"/>, so a TorchScript caller can run
/// <c>torch._weight_int4pack_mm_for_cpu</c> on them directly (bfloat16 activations, group size = in / groups,
/// outputs padded to a multiple of 16).</summary>
public sealed class QuantizedLinear : nn.Module<Tensor, Tensor>
{
    public const string Int4PackWeightBuffer = "int4pack_weight";
    public const string Int4PackScalesBuffer = "int4pack_scales_and_zeros";

    private readonly ILinearKernel _kernel;

    internal QuantizedLinear(ILinearKernel kernel, int inFeatures, int outFeatures) : base(nameof(QuantizedLinear))
    {
        (_kernel, InFeatures, OutFeatures) = (kernel, inFeatures, outFeatures);
        if (kernel is Int4PackKernel int4Pack)
        {
            register_buffer(Int4PackWeightBuffer, int4Pack.Packed);
            register_buffer(Int4PackScalesBuffer, int4Pack.ScalesAndZeros);
        }
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    /// <summary>The kernel as stated to users, e.g. "managed (avx512, 2 threads)".</summary>
    public string KernelName => _kernel.Name;

    /// <summary>x [..., in] float32 or bfloat16 → [..., out] in the same dtype.</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.shape[^1] != InFeatures)
            throw new QuantException(
                $"QuantizedLinear expects inputs of width {InFeatures}, got shape [{string.Join(", ", x.shape)}].");
        using var scope = NewDisposeScope();
        long[] outShape = [.. x.shape[..^1], OutFeatures];
        var rows = x.reshape(-1, InFeatures).contiguous();
        return _kernel.Forward(rows).reshape(outShape).MoveToOuterDisposeScope();
    }

    /// <summary>Like <see cref="forward"/> without the allocations: x [..., in] into output [..., out] of the
    /// same dtype, output contiguous. With the managed kernel and float32 nothing is allocated: the activations
    /// go through the kernel's reused quantization buffer and the products straight into output.</summary>
    public void ForwardInto(Tensor x, Tensor output)
    {
        if (x.size(-1) != InFeatures || output.numel() != x.numel() / InFeatures * OutFeatures)
            throw new QuantException($"QuantizedLinear of {InFeatures} → {OutFeatures} cannot write inputs of " +
                $"shape [{string.Join(", ", x.shape)}] into [{string.Join(", ", output.shape)}].");
        if (x.is_contiguous())
        {
            _kernel.ForwardInto(x, output);
            return;
        }
        using var scope = NewDisposeScope();
        _kernel.ForwardInto(x.contiguous(), output);
    }

    /// <summary>One module computing what <paramref name="parts"/> compute from the same input, their outputs
    /// side by side ([..., sum of outs], in order), with one kernel call; e.g. the q, k and v projections. It
    /// shares the parts' packed weights (no copy), so the parts must outlive it, and gives each output value
    /// exactly as its part does. Null when the kernels cannot be fused: only managed kernels with the same
    /// input width and thread count can.</summary>
    public static QuantizedLinear? Fuse(IReadOnlyList<QuantizedLinear> parts)
    {
        var managed = parts.Select(p => p._kernel switch
        {
            ManagedKernel kernel => kernel,
            AutoKernel auto => auto.Managed,
            _ => null,
        }).ToList();
        if (managed.Contains(null))
            return null;
        bool auto = parts.All(p => p._kernel is AutoKernel);
        var fused = FusedManagedKernel.TryCreate(managed!, auto ? [.. parts.Select(p => p._kernel)] : null);
        return fused is null ? null : new QuantizedLinear(fused, parts[0].InFeatures, fused.OutFeatures);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _kernel.Dispose();
        base.Dispose(disposing);
    }
}
