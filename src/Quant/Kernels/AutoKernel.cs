using GemmaBench.Quant.Kernels.Managed;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant.Kernels;

/// <summary>
/// The x86 default: the managed kernel for decode and short prompts; for long prefills of layers small
/// enough to dequantize on the fly, bfloat16 weights through libtorch's matrix product.
/// </summary>
internal sealed class AutoKernel(Int4Weight weight, int threads) : ILinearKernel
{
    /// <summary>Rows (tokens) from which dequantize + bfloat16 linear beat the managed kernel (eng/bench).</summary>
    public const int PrefillRows = int.MaxValue;

    /// <summary>Largest weight dequantized per call; above it (the LM head) the managed kernel is used.</summary>
    public const long MaxDequantizedElements = 16L << 20;

    private readonly ManagedKernel _managed = new(weight, threads);

    public string Name => "auto: " + _managed.Name;

    public Tensor Forward(Tensor x)
    {
        if (x.shape[0] < PrefillRows || (long)_managed.InFeatures * _managed.OutFeatures > MaxDequantizedElements)
            return _managed.Forward(x);
        using var scope = NewDisposeScope();
        var result = nn.functional.linear(x.to(ScalarType.BFloat16), _managed.DequantizeBFloat16());
        return result.to(x.dtype).MoveToOuterDisposeScope();
    }

    public void Dispose() => _managed.Dispose();
}
