using GemmaBench.Quant.Kernels.Managed;
using static TorchSharp.torch;

namespace GemmaBench.Quant.Kernels;

/// <summary>
/// The x86 default: the managed kernel, for decode and prefill alike. Measured on Gemma-3-1B shapes with a
/// 55-token prefill (eng/bench --only prefill), the managed 4-token tiles beat dequantizing to bfloat16 per call
/// followed by libtorch's linear on every shape, and matched libtorch's int4pack.
/// Limitation: a bfloat16 linear over weights dequantized once would prefill 1.3–3× faster, but holding them
/// would cost four times the INT4 memory, so prefill stays on the managed kernel.
/// </summary>
internal sealed class AutoKernel(Int4Weight weight, int threads) : ILinearKernel
{
    private readonly ManagedKernel _managed = new(weight, threads);

    public string Name => "auto: " + _managed.Name;

    internal ManagedKernel Managed => _managed;

    public Tensor Forward(Tensor x) => _managed.Forward(x);

    public void ForwardInto(Tensor x, Tensor output) => _managed.ForwardInto(x, output);

    public void Dispose() => _managed.Dispose();
}
