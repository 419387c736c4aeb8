using GemmaBench.Quant.Kernels.Managed;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant.Kernels;

/// <summary>
/// The x86 default. Decode and short prefills run the managed kernel. From <see cref="PrefillRows"/> rows on,
/// the weight is dequantized to bfloat16 into a reused scratch buffer and multiplied by libtorch's linear:
/// measured with eng/bench --only prefill (docs/int4-kernels.md), that is 1.3–1.6× faster for the 55-token
/// prompt on every Gemma-3 layer shape. With lookup dequantization, at 24 rows it is 1.3–1.6× faster with
/// one thread and about even with two; at 16 rows the managed kernel wins with two threads. Weights whose
/// bfloat16 copy would exceed <see cref="MaxScratchBytes"/> (the LM heads) always stay on the managed kernel.
/// </summary>
internal sealed class AutoKernel(ManagedKernel managed) : ILinearKernel
{
    public AutoKernel(Int4Weight weight, int threads) : this(new ManagedKernel(weight, threads))
    {
    }

    public const int PrefillRows = 24;
    public const long MaxScratchBytes = 64L << 20;

    [ThreadStatic]
    private static Tensor? _scratch;

    private readonly ManagedKernel _managed = managed;

    public string Name => "auto: " + _managed.Name;

    internal ManagedKernel Managed => _managed;

    public Tensor Forward(Tensor x)
    {
        long bytes = 2L * _managed.InFeatures * _managed.OutFeatures;
        if (x.shape[0] < PrefillRows || bytes > MaxScratchBytes)
            return _managed.Forward(x);

        using var scope = NewDisposeScope();
        var dequantized = Scratch(bytes / 2).narrow(0, 0, bytes / 2)
            .view(_managed.OutFeatures, _managed.InFeatures);
        _managed.DequantizeBFloat16(dequantized);
        var output = nn.functional.linear(x.to(ScalarType.BFloat16), dequantized);
        return output.to(x.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>Single tokens and short prompts through the managed kernel without allocating; long prompts as
    /// <see cref="Forward"/> does.</summary>
    public void ForwardInto(Tensor x, Tensor output)
    {
        if (x.numel() / _managed.InFeatures < PrefillRows)
        {
            _managed.ForwardInto(x, output);
            return;
        }
        using var scope = NewDisposeScope();
        output.copy_(Forward(x.view(-1, x.size(-1))));
    }

    public void Dispose() => _managed.Dispose();

    /// <summary>A per-thread bfloat16 buffer of at least the given length, kept for the next product.</summary>
    private static Tensor Scratch(long elements)
    {
        if (_scratch is null || _scratch.numel() < elements)
        {
            _scratch?.Dispose();
            _scratch = empty(elements, ScalarType.BFloat16).DetachFromDisposeScope();
        }
        return _scratch;
    }
}
