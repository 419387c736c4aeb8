using static TorchSharp.torch;

namespace GemmaBench.Model.Compiled;

/// <summary>How to compile the decoder. The projections are modules the model does not know (they come from
/// <see cref="GemmaModel.ReplaceLinears"/>), so whoever made them may say how to fuse them and how to run them
/// into a given output; without that, the compiled decoder calls them one by one as eager does.</summary>
public sealed record CompileOptions
{
    public CompileArrangement Arrangement { get; init; } = CompileArrangement.Auto;

    /// <summary>Names the projections' kernel in <see cref="CompiledDecoder.Mode"/> when they are C# modules,
    /// e.g. "managed".</summary>
    public string Kernel { get; init; } = "modules";

    /// <summary>One module computing what the given projections (reading the same input) compute, outputs side
    /// by side, or null when they cannot be fused. Used for q/k/v and gate/up in the segments arrangement;
    /// plain float projections are fused without it.</summary>
    public Func<IReadOnlyList<nn.Module<Tensor, Tensor>>, nn.Module<Tensor, Tensor>?>? Fuse { get; init; }

    /// <summary>How to run a projection module into a given contiguous output without allocating, or null when
    /// the module cannot (it is then called and its result copied).</summary>
    public Func<nn.Module<Tensor, Tensor>, Action<Tensor, Tensor>?>? ForwardInto { get; init; }

    /// <summary>Run single-token float32 steps of the segments arrangement through the scripted segments instead
    /// of the C# <see cref="DecodeOperators"/> (slower; for measuring the difference).</summary>
    public bool ScriptedDecode { get; init; }
}
