using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant.Kernels;

/// <summary>The ground truth: the dequantized float32 weight times the float32 activations.</summary>
internal sealed class ReferenceKernel(Int4Weight weight) : ILinearKernel
{
    private readonly Tensor _weight = weight.Dequantize();

    public string Name => "reference";

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return nn.functional.linear(x.to(ScalarType.Float32), _weight).to(x.dtype).MoveToOuterDisposeScope();
    }

    public void Dispose() => _weight.Dispose();
}
