using GemmaBench.Model.Checkpoint;
using GemmaBench.Model.Module;
using static TorchSharp.torch;

namespace GemmaBench.Model;

/// <summary>Builds the model's modules from the tensors of a checkpoint. Hugging Face names are mapped here
/// and nowhere else: "{prefix}layers.3.self_attn.q_proj.weight" feeds the projection the model calls
/// "layers.3.self_attn.q_proj", where the prefix is "model." (Gemma3ForCausalLM) or "language_model.model."
/// (Gemma3ForConditionalGeneration; its vision tensors are never read).</summary>
sealed class WeightLoader(CheckpointReader reader, GemmaConfig config, ScalarType computeDtype, string modelDir)
{
    static readonly string[] Prefixes = ["model.", "language_model.model.", "model.language_model."];

    public string Prefix { get; } = Prefixes.FirstOrDefault(p => reader.Contains(p + "embed_tokens.weight"))
        ?? throw new CheckpointException(
            $"{modelDir}: tensor 'model.embed_tokens.weight' is missing (also looked for the " +
            "language_model.model. prefix of multimodal checkpoints).");

    /// <summary>The stored name of a tensor the model calls <paramref name="name"/>.</summary>
    public string StoredName(string name) => Prefix + name + ".weight";

    public ScaledEmbedding Embedding()
    {
        var weight = Stored("embed_tokens", config.VocabSize, config.HiddenSize);
        return new ScaledEmbedding("embed_tokens", weight, computeDtype);
    }

    public DecoderLayer Layer(int i)
    {
        string p = $"layers.{i}.";
        int q = config.NumHeads * config.HeadDim, kv = config.NumKvHeads * config.HeadDim;
        var projections = new Attention.Projections(
            Linear(p + "self_attn.q_proj", q, config.HiddenSize),
            Linear(p + "self_attn.k_proj", kv, config.HiddenSize),
            Linear(p + "self_attn.v_proj", kv, config.HiddenSize),
            Linear(p + "self_attn.o_proj", config.HiddenSize, q));
        double queryFactor = Math.Sqrt(config.HeadDim / config.QueryPreAttnScalar);
        var attention = new Attention("self_attn", config, projections,
            Norm(p + "self_attn.q_norm", config.HeadDim, queryFactor), Norm(p + "self_attn.k_norm", config.HeadDim));
        var mlp = new Mlp("mlp",
            Linear(p + "mlp.gate_proj", config.IntermediateSize, config.HiddenSize),
            Linear(p + "mlp.up_proj", config.IntermediateSize, config.HiddenSize),
            Linear(p + "mlp.down_proj", config.HiddenSize, config.IntermediateSize));
        var norms = new DecoderLayer.Norms(
            Norm(p + "input_layernorm", config.HiddenSize),
            Norm(p + "post_attention_layernorm", config.HiddenSize),
            Norm(p + "pre_feedforward_layernorm", config.HiddenSize),
            Norm(p + "post_feedforward_layernorm", config.HiddenSize));
        return new DecoderLayer($"layers.{i}", config.IsGlobalLayer(i), attention, mlp, norms);
    }

    public RmsNorm FinalNorm() => Norm("norm", config.HiddenSize);

    /// <summary>The tied LM head: the embedding matrix in the compute dtype.</summary>
    public Projection LmHead() => Linear("embed_tokens", config.VocabSize, config.HiddenSize, "lm_head");

    /// <summary>A projection with its weight [out, in]: a view of the mapped file when stored in the compute
    /// dtype; otherwise converted when first used, giving the file pages back right after.</summary>
    Projection Linear(string name, long rows, long columns, string? moduleName = null)
    {
        var stored = Stored(name, rows, columns);
        if (stored.dtype == computeDtype)
            return new Projection(moduleName ?? name, stored);
        string storedName = StoredName(name);
        return new Projection(moduleName ?? name, stored, computeDtype, () => reader.Release(storedName));
    }

    RmsNorm Norm(string name, long size, double extraFactor = 1)
    {
        using var weight = Stored(name, size);
        return new RmsNorm(name, weight, config.RmsNormEps, extraFactor);
    }

    Tensor Stored(string name, params long[] shape)
    {
        string stored = StoredName(name);
        if (!reader.Contains(stored))
            throw new CheckpointException($"{modelDir}: tensor '{stored}' is missing from the checkpoint.");
        var entry = reader.Entry(stored);
        if (!entry.Shape.SequenceEqual(shape))
            throw new CheckpointException(
                $"{modelDir}: tensor '{stored}' has shape [{string.Join(", ", entry.Shape)}] but config.json " +
                $"implies [{string.Join(", ", shape)}].");
        return reader.Get(stored).DetachFromDisposeScope();
    }
}
