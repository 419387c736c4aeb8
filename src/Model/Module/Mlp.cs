using static TorchSharp.torch;

namespace GemmaBench.Model.Module;

/// <summary>Gemma's gated MLP: down(gelu_tanh(gate(x)) * up(x)).</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    public Mlp(string name, nn.Module<Tensor, Tensor> gate, nn.Module<Tensor, Tensor> up,
        nn.Module<Tensor, Tensor> down) : base(name)
    {
        Gate = gate;
        Up = up;
        Down = down;
    }

    public nn.Module<Tensor, Tensor> Gate { get; internal set; }
    public nn.Module<Tensor, Tensor> Up { get; internal set; }
    public nn.Module<Tensor, Tensor> Down { get; internal set; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.gelu(Gate.forward(x), TorchSharp.Modules.GELU.Approximate.tanh, inplace: true);
        var hidden = gated.mul_(Up.forward(x));
        return scope.MoveToOuter(Down.forward(hidden));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Gate.Dispose();
            Up.Dispose();
            Down.Dispose();
        }
        base.Dispose(disposing);
    }
}
