using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Model.Module;

/// <summary>Token embedding multiplied by sqrt(hidden size). The factor is rounded to the compute dtype first,
/// as the reference implementations do (it matters in bfloat16). The table stays in its stored dtype so a
/// lookup only converts the rows it reads.</summary>
public sealed class ScaledEmbedding : nn.Module<Tensor, Tensor>
{
    readonly ScalarType computeDtype;
    readonly double normalizer;
    readonly Scalar normalizerScalar; // held (see HeldScalars)

    public ScaledEmbedding(string name, Tensor weight, ScalarType computeDtype) : base(name)
    {
        Weight = weight;
        this.computeDtype = computeDtype;
        using var factor = tensor(Math.Sqrt(weight.shape[1]), dtype: ScalarType.Float64);
        using var rounded = factor.to(computeDtype);
        using var back = rounded.to(ScalarType.Float64);
        normalizer = back.item<double>();
        normalizerScalar = normalizer.ToScalar();
    }

    /// <summary>The table [vocab, hidden] in its stored dtype.</summary>
    public Tensor Weight { get; }

    /// <summary>sqrt(hidden size) rounded to the compute dtype.</summary>
    internal double Normalizer => normalizer;

    /// <summary>Embeds token ids [batch, tokens] into [batch, tokens, hidden] in the compute dtype.</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var rows = Weight.index_select(0, ids.flatten()).to(computeDtype);
        var shape = ids.shape.Append(Weight.shape[1]).ToArray();
        return scope.MoveToOuter(rows.mul_(normalizerScalar).view(shape));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Weight.Dispose();
            normalizerScalar.Dispose();
        }
        base.Dispose(disposing);
    }
}
