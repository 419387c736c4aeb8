using static TorchSharp.torch;

namespace GemmaBench.Model.Module;

/// <summary>A bias-free linear projection y = x Wᵀ with W [out, in] in the compute dtype; the module that
/// <see cref="GemmaModel.ReplaceLinears"/> swaps out. A weight stored in another dtype can be converted on first
/// use: then a model that is quantized right after loading never holds more than one converted weight.</summary>
public sealed class Projection : nn.Module<Tensor, Tensor>
{
    Tensor? weight;
    Tensor? stored;
    readonly ScalarType computeDtype;
    readonly Action? releaseStored;

    public Projection(string name, Tensor weight) : base(name)
    {
        this.weight = weight;
        computeDtype = weight.dtype;
    }

    /// <summary>A projection whose weight is converted from <paramref name="stored"/> when first needed;
    /// <paramref name="releaseStored"/> then gives the stored tensor's memory back.</summary>
    internal Projection(string name, Tensor stored, ScalarType computeDtype, Action releaseStored) : base(name)
    {
        this.stored = stored;
        this.computeDtype = computeDtype;
        this.releaseStored = releaseStored;
    }

    /// <summary>The weight [out, in] in the compute dtype (converted now if it was not yet).</summary>
    public Tensor Weight
    {
        get
        {
            if (weight is null)
            {
                weight = stored!.to(computeDtype).DetachFromDisposeScope();
                stored.Dispose();
                stored = null;
                releaseStored!();
            }
            return weight;
        }
    }

    public bool IsConverted => weight is not null;

    /// <summary>The weight as it is now, without converting it: in the compute dtype once converted,
    /// else as stored. Replacements that re-encode the weight (quantizers) read this, so a weight they
    /// consume is never converted to the compute dtype first.</summary>
    internal Tensor CurrentWeight => weight ?? stored!;

    public override Tensor forward(Tensor x) => nn.functional.linear(x, Weight);

    /// <summary>One projection over the parts' weights stacked by rows, giving their outputs side by side. The
    /// parts then read row views of the stacked weight, so fusing adds no memory and eager results stay.</summary>
    internal static Projection Fuse(IReadOnlyList<Projection> parts)
    {
        using var scope = NewDisposeScope();
        var stacked = cat(parts.Select(p => p.Weight).ToArray(), 0);
        long row = 0;
        foreach (var part in parts)
        {
            long rows = part.Weight.shape[0];
            // Not disposed: a whole-step decoder compiled earlier may still hold the previous tensor.
            part.weight = stacked.narrow(0, row, rows).DetachFromDisposeScope();
            row += rows;
        }
        return new Projection("fused", stacked.DetachFromDisposeScope());
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            weight?.Dispose();
            stored?.Dispose();
        }
        base.Dispose(disposing);
    }
}
