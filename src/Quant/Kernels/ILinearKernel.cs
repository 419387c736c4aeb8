using static TorchSharp.torch;

namespace GemmaBench.Quant.Kernels;

/// <summary>A quantized weight packed in one kernel's own layout, multiplying activation rows by it.</summary>
internal interface ILinearKernel : IDisposable
{
    /// <summary>The name stated to users (stderr, JSON), e.g. "managed (avx512, 2 threads)".</summary>
    string Name { get; }

    /// <summary>x [rows, in] float32 or bfloat16, contiguous → [rows, out] in the same dtype.</summary>
    Tensor Forward(Tensor x);
}
