using GemmaBench.Quant.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant;

/// <summary>A linear layer without bias whose weight lives only in a kernel's packed INT4 layout.</summary>
public sealed class QuantizedLinear : nn.Module<Tensor, Tensor>
{
    private readonly ILinearKernel _kernel;

    internal QuantizedLinear(ILinearKernel kernel, int inFeatures, int outFeatures) : base(nameof(QuantizedLinear))
    {
        (_kernel, InFeatures, OutFeatures) = (kernel, inFeatures, outFeatures);
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

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _kernel.Dispose();
        base.Dispose(disposing);
    }
}
