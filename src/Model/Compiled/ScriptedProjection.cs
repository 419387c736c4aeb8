using GemmaBench.Model.Module;
using static TorchSharp.torch;

namespace GemmaBench.Model.Compiled;

/// <summary>How a projection can run inside a script: as libtorch's linear over a float weight, as libtorch's
/// int4pack kernel, or not at all (a C# module, such as the managed INT4 kernel, that the script must call out
/// to).</summary>
readonly record struct ScriptedProjection(ScriptedProjection.Kinds Kind, Tensor? Weight, Tensor? Scales)
{
    public enum Kinds { Float, Int4Pack, Module }

    // The buffer names GemmaBench.Quant.QuantizedLinear gives its int4pack tensors (the model does not reference
    // the quantization library).
    const string Int4PackWeight = "int4pack_weight";
    const string Int4PackScales = "int4pack_scales_and_zeros";

    public static ScriptedProjection Of(nn.Module<Tensor, Tensor> projection)
    {
        if (projection is Projection plain)
            return new(Kinds.Float, plain.Weight, null);
        var buffers = projection.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        if (buffers.TryGetValue(Int4PackWeight, out var packed) && buffers.TryGetValue(Int4PackScales, out var scales))
            return new(Kinds.Int4Pack, packed, scales);
        return new(Kinds.Module, null, null);
    }

    /// <summary>Every projection of the model in the script's order: per layer query, key, value, output, gate,
    /// up, down; then the LM head.</summary>
    public static IEnumerable<nn.Module<Tensor, Tensor>> InScriptOrder(GemmaModel model) =>
        model.Layers.SelectMany(l => new[] { l.Attention.Query, l.Attention.Key, l.Attention.Value,
            l.Attention.Output, l.Mlp.Gate, l.Mlp.Up, l.Mlp.Down }).Append(model.LmHead);
}
