using static TorchSharp.torch;

namespace GemmaBench.Model.Module;

/// <summary>Gemma RMSNorm: computed in float32 and scaled by (1 + weight), then cast back to the input dtype.
/// An extra constant factor can be folded into the scale (attention uses it for its score scaling).</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly Tensor scale;
    readonly double eps;

    public RmsNorm(string name, Tensor weight, double eps, double extraFactor = 1) : base(name)
    {
        using var scope = NewDisposeScope();
        scale = ((weight.to(ScalarType.Float32) + 1) * extraFactor).contiguous().DetachFromDisposeScope();
        this.eps = eps;
    }

    /// <summary>(1 + weight) × the extra factor, float32 [size].</summary>
    internal Tensor Scale => scale;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        bool isFloat32 = x.dtype == ScalarType.Float32;
        var x32 = isFloat32 ? x : x.to(ScalarType.Float32);
        var inverseRms = x32.square().mean([-1L], keepdim: true).add_(eps).rsqrt_();
        var normed = (x32 * inverseRms).mul_(scale);
        return scope.MoveToOuter(isFloat32 ? normed : normed.to(x.dtype));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            scale.Dispose();
        base.Dispose(disposing);
    }
}
