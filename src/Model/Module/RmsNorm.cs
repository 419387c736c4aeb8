using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Model.Module;

/// <summary>Gemma RMSNorm: computed in float32 and scaled by (1 + weight), then cast back to the input dtype.
/// An extra constant factor can be folded into the scale (attention uses it for its score scaling).</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly Tensor scale;

    /// <summary>Held for the module's life, as every Scalar here is (<see cref="HeldScalars"/>).</summary>
    readonly Scalar eps;

    public RmsNorm(string name, Tensor weight, double eps, double extraFactor = 1) : base(name)
    {
        using var scope = NewDisposeScope();
        using var factor = extraFactor.ToScalar();
        scale = weight.to(ScalarType.Float32).add(HeldScalars.One, HeldScalars.One).mul_(factor).contiguous()
            .DetachFromDisposeScope();
        this.eps = eps.ToScalar();
    }

    /// <summary>(1 + weight) × the extra factor, float32 [size].</summary>
    internal Tensor Scale => scale;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        bool isFloat32 = x.dtype == ScalarType.Float32;
        var x32 = isFloat32 ? x : x.to(ScalarType.Float32);
        var inverseRms = x32.pow(HeldScalars.Two).mean([-1L], keepdim: true).add_(eps, HeldScalars.One).rsqrt_();
        var normed = (x32 * inverseRms).mul_(scale);
        return scope.MoveToOuter(isFloat32 ? normed : normed.to(x.dtype));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            scale.Dispose();
            eps.Dispose();
        }
        base.Dispose(disposing);
    }
}
