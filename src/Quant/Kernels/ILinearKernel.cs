using static TorchSharp.torch;

namespace GemmaBench.Quant.Kernels;

/// <summary>A quantized weight packed in one kernel's own layout, multiplying activation rows by it.</summary>
internal interface ILinearKernel : IDisposable
{
    /// <summary>The name stated to users (stderr, JSON), e.g. "managed (avx512, 2 threads)".</summary>
    string Name { get; }

    /// <summary>x [rows, in] float32 or bfloat16, contiguous → [rows, out] in the same dtype.</summary>
    Tensor Forward(Tensor x);

    /// <summary>Like <see cref="Forward"/> for x [..., in] (contiguous), writing into output [..., out]
    /// (contiguous, x's dtype); kernels that can skip the allocation override this.</summary>
    void ForwardInto(Tensor x, Tensor output)
    {
        using var scope = NewDisposeScope();
        output.copy_(Forward(x.view(-1, x.size(-1))));
    }
}
