using GemmaBench.Model.Checkpoint;
using GemmaBench.Model.Module;
using static TorchSharp.torch;

namespace GemmaBench.Model;

/// <summary>Gemma-3 text model (Gemma3ForCausalLM) in TorchSharp: embedding, decoder layers, final norm and the
/// tied LM head. Prefill and single-token decode are separate entry points sharing a <see cref="KvCache"/>;
/// <see cref="LogitsWithoutCache"/> recomputes everything, for checking the cache.</summary>
public sealed partial class GemmaModel : nn.Module, IDecoderStep
{
    readonly CheckpointReader reader;
    readonly WeightLoader loader;
    readonly List<DecoderLayer> layers;

    GemmaModel(GemmaConfig config, ScalarType computeDtype, CheckpointReader reader, WeightLoader loader)
        : base("model")
    {
        Config = config;
        ComputeDtype = computeDtype;
        this.reader = reader;
        this.loader = loader;
        Embedding = loader.Embedding();
        layers = Enumerable.Range(0, config.NumLayers).Select(loader.Layer).ToList();
        FinalNorm = loader.FinalNorm();
        LmHead = loader.LmHead();
        LocalRope = new RotaryEmbedding(config.HeadDim, config.RopeLocalBaseFreq, 1, computeDtype);
        GlobalRope = new RotaryEmbedding(config.HeadDim, config.RopeTheta, config.RopeScalingFactor, computeDtype);
    }

    public GemmaConfig Config { get; internal set; }

    public ScalarType ComputeDtype { get; }

    public ScaledEmbedding Embedding { get; }

    public IReadOnlyList<DecoderLayer> Layers => layers;

    public RmsNorm FinalNorm { get; }

    public nn.Module<Tensor, Tensor> LmHead { get; private set; }

    /// <summary>RoPE tables of sliding layers (local base frequency, unscaled).</summary>
    public RotaryEmbedding LocalRope { get; }

    /// <summary>RoPE tables of global layers (rope_theta, linear scaling applied).</summary>
    public RotaryEmbedding GlobalRope { get; }

    /// <summary>Loads config and weights from a Hugging Face checkpoint directory. Weights stored in the
    /// compute dtype are views of the memory-mapped files (no copy); others are converted here, or, with
    /// <paramref name="deferConversion"/>, when first used (for callers that replace the projections right
    /// away and must not hold every converted weight at once).</summary>
    public static GemmaModel Load(string modelDir, ScalarType computeDtype, bool deferConversion = false)
    {
        RefuseComputeDtype(computeDtype);
        var config = GemmaConfig.Load(modelDir);
        var reader = CheckpointReader.Open(modelDir);
        try
        {
            var loader = new WeightLoader(reader, config, computeDtype, modelDir);
            var model = new GemmaModel(config, computeDtype, reader, loader);
            if (!deferConversion)
                model.ConvertWeights();
            return model;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    void ConvertWeights()
    {
        var projections = layers.SelectMany(l => new[] { l.Attention.Query, l.Attention.Key, l.Attention.Value,
            l.Attention.Output, l.Mlp.Gate, l.Mlp.Up, l.Mlp.Down }).Append(LmHead).OfType<Projection>();
        foreach (var projection in projections)
            _ = projection.Weight;
    }

    static void RefuseComputeDtype(ScalarType dtype)
    {
        if (dtype == ScalarType.Float16)
            throw new ModelException("compute dtype float16 is not supported: Gemma-3 activations reach about 1e5 " +
                "and overflow float16; use bfloat16 or float32.");
        if (dtype != ScalarType.Float32 && dtype != ScalarType.BFloat16)
            throw new ModelException($"compute dtype {dtype} is not supported; use bfloat16 or float32.");
    }

    /// <summary>A KV cache for up to <paramref name="capacity"/> positions, with RoPE tables to match.</summary>
    public KvCache CreateCache(int capacity)
    {
        CheckLength(capacity);
        using var inference = inference_mode();
        EnsureRope(capacity);
        return new KvCache(Config, capacity, ComputeDtype);
    }

    /// <summary>Runs the prompt through the model, filling an empty cache; returns the logits of the last
    /// position, [vocab], in the compute dtype.</summary>
    public Tensor Prefill(IReadOnlyList<int> tokenIds, KvCache cache)
    {
        // Limitation: prefill starts from an empty cache; continuing a cached prefix is not implemented.
        cache.CheckPrefill(tokenIds.Count);
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var logits = Run(TokenTensor(tokenIds), 0, cache, withMasks: true);
        cache.Length = tokenIds.Count;
        return scope.MoveToOuter(logits);
    }

    /// <summary>Runs one token at position cache.Length, storing its keys and values; returns its logits.</summary>
    public Tensor Decode(int tokenId, KvCache cache)
    {
        cache.CheckDecode();
        CheckToken(tokenId);
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        var logits = Run(tensor(new long[] { tokenId }, [1, 1]), cache.Length, cache, withMasks: false);
        cache.Length++;
        return scope.MoveToOuter(logits);
    }

    /// <summary>The logits of the last position, recomputing the whole sequence without any cache.</summary>
    public Tensor LogitsWithoutCache(IReadOnlyList<int> tokenIds)
    {
        CheckLength(tokenIds.Count);
        using var inference = inference_mode();
        EnsureRope(tokenIds.Count);
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(Run(TokenTensor(tokenIds), 0, null, withMasks: true));
    }

    Tensor Run(Tensor ids, int start, KvCache? cache, bool withMasks)
    {
        int tokens = (int)ids.shape[1];
        long group = Config.NumHeads / Config.NumKvHeads;
        Tensor? localMask = withMasks ? AttentionMask.Build(tokens, Config.SlidingWindow, group) : null;
        Tensor? globalMask = withMasks ? AttentionMask.Build(tokens, null, group) : null;

        var localAngles = LocalRope.For(start, tokens);
        var globalAngles = GlobalRope.For(start, tokens);

        var x = Embedding.forward(ids);
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            x = layer.IsGlobal
                ? layer.Forward(x, globalAngles, start, globalMask, cache?.Layers[i])
                : layer.Forward(x, localAngles, start, localMask, cache?.Layers[i]);
        }
        var last = x.narrow(1, tokens - 1, 1);
        return LmHead.forward(FinalNorm.forward(last)).view(-1);
    }

    Tensor TokenTensor(IReadOnlyList<int> tokenIds)
    {
        foreach (int id in tokenIds)
            CheckToken(id);
        return tensor(tokenIds.Select(id => (long)id).ToArray(), [1, tokenIds.Count]);
    }

    void CheckToken(int id)
    {
        if (id < 0 || id >= Config.VocabSize)
            throw new ModelException($"token id {id} is outside the vocabulary (0 to {Config.VocabSize - 1}).");
    }

    void CheckLength(int positions)
    {
        if (positions <= 0 || positions > Config.MaxPositionEmbeddings)
            throw new ModelException($"{positions} positions requested; the model supports 1 to " +
                $"{Config.MaxPositionEmbeddings} (max_position_embeddings in config.json).");
    }

    void EnsureRope(int positions)
    {
        LocalRope.EnsureLength(positions);
        GlobalRope.EnsureLength(positions);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Embedding.Dispose();
            layers.ForEach(l => l.Dispose());
            FinalNorm.Dispose();
            LmHead.Dispose();
            LocalRope.Dispose();
            GlobalRope.Dispose();
            reader.Dispose();
        }
        base.Dispose(disposing);
    }
}
