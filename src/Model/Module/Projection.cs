using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Model.Module;

/// <summary>A bias-free linear projection y = x Wᵀ with W [out, in] in the compute dtype; the module that
/// <see cref="GemmaModel.ReplaceLinears"/> swaps out.</summary>
public sealed class Projection : nn.Module<Tensor, Tensor>
{
    public Projection(string name, Tensor weight) : base(name)
    {
        Weight = weight;
    }

    public Tensor Weight { get; }

    public long InFeatures => Weight.shape[1];

    public long OutFeatures => Weight.shape[0];

    public override Tensor forward(Tensor x) => nn.functional.linear(x, Weight);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Weight.Dispose();
        base.Dispose(disposing);
    }
}
