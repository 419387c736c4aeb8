using GemmaBench.Model.Checkpoint;
using GemmaBench.Model.Module;
using static TorchSharp.torch;

namespace GemmaBench.Model;

public sealed partial class GemmaModel
{
    /// <summary>Swaps every projection for the module <paramref name="make"/> returns, given the projection's
    /// name ("layers.3.self_attn.q_proj", ..., "lm_head") and its weight [out, in] (for lm_head, the tied
    /// embedding matrix; the embedding itself stays for lookups). The weight is in the compute dtype, except
    /// that a model loaded with deferred conversion hands over weights not yet converted as stored (e.g.
    /// bfloat16 under float32 compute), so that a quantizer never holds a converted copy of them. After each swap the model
    /// holds no reference to the float weight, and the file pages it was mapped from are given back to the
    /// kernel, so resident memory falls as the swap proceeds. lm_head goes first: it is the largest weight
    /// (vocab × hidden) and the peak is lowest while nothing else has been made yet.</summary>
    public void ReplaceLinears(Func<string, Tensor, nn.Module<Tensor, Tensor>> make)
    {
        LmHead = Replace("lm_head", LmHead, make, storedName: "embed_tokens");
        for (int i = 0; i < layers.Count; i++)
        {
            string p = $"layers.{i}.";
            var attention = layers[i].Attention;
            attention.Query = Replace(p + "self_attn.q_proj", attention.Query, make);
            attention.Key = Replace(p + "self_attn.k_proj", attention.Key, make);
            attention.Value = Replace(p + "self_attn.v_proj", attention.Value, make);
            attention.Output = Replace(p + "self_attn.o_proj", attention.Output, make);
            var mlp = layers[i].Mlp;
            mlp.Gate = Replace(p + "mlp.gate_proj", mlp.Gate, make);
            mlp.Up = Replace(p + "mlp.up_proj", mlp.Up, make);
            mlp.Down = Replace(p + "mlp.down_proj", mlp.Down, make);
        }
        NativeMemory.TrimHeap();
    }

    nn.Module<Tensor, Tensor> Replace(string name, nn.Module<Tensor, Tensor> current,
        Func<string, Tensor, nn.Module<Tensor, Tensor>> make, string? storedName = null)
    {
        // Already replaced projections are handed over again only if they still are plain projections.
        if (current is not Projection projection)
            return current;
        nn.Module<Tensor, Tensor> replacement;
        using (var weight = projection.CurrentWeight.detach())
            replacement = make(name, weight);
        projection.Dispose();
        reader.Release(loader.StoredName(storedName ?? name));
        return replacement;
    }
}
