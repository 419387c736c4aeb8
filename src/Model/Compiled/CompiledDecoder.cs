using GemmaBench.Model.Module;
using static TorchSharp.torch;

namespace GemmaBench.Model.Compiled;

/// <summary>The Gemma-3 decoder run as TorchScript compiled once (see Decoder.torchscript), sharing the model's
/// weights, its (possibly quantized) projection modules and the same <see cref="KvCache"/> as eager. Tokens and
/// float32 logits equal eager's; only the number of interop crossings per step changes.</summary>
public sealed class CompiledDecoder : IDecoderStep, IDisposable
{
    readonly GemmaModel model;
    readonly DecoderScript script;
    readonly Tensor[] norms;
    readonly Tensor[] weights;
    readonly Tensor[] scales;
    readonly Tensor noScales;
    readonly Tensor decodeIds;
    readonly double eps;
    readonly long heads, kvHeads, headDim;
    Tensor? ropeVersion;
    Tensor[] cos = [], signedSin = [];
    KvCache? lastCache;
    Tensor[] keys = [], values = [];

    CompiledDecoder(GemmaModel model, DecoderScript script, CompileArrangement arrangement, string mode)
    {
        this.model = model;
        this.script = script;
        Arrangement = arrangement;
        Mode = mode;
        var config = model.Config;
        (eps, heads, kvHeads, headDim) = (config.RmsNormEps, config.NumHeads, config.NumKvHeads, config.HeadDim);
        norms = model.Layers.SelectMany(l => new[] { l.InputNorm, l.PostAttentionNorm, l.PreFeedforwardNorm,
            l.PostFeedforwardNorm, l.Attention.QueryNorm, l.Attention.KeyNorm }).Append(model.FinalNorm)
            .Select(n => n.Scale).ToArray();
        noScales = empty(0).DetachFromDisposeScope();
        decodeIds = zeros([1], ScalarType.Int64).DetachFromDisposeScope();
        if (arrangement == CompileArrangement.WholeStep)
        {
            var projections = ScriptedProjection.InScriptOrder(model).Select(ScriptedProjection.Of).ToArray();
            weights = projections.Select(p => p.Weight!).ToArray();
            scales = projections.Select(p => p.Scales ?? noScales).ToArray();
        }
        else
        {
            (weights, scales) = ([], []);
        }
    }

    /// <summary>Compiles the decoder script for <paramref name="model"/> as it now is: call after quantizing
    /// (replacing the projections), not before. <paramref name="kernel"/> names the projections' kernel in
    /// <see cref="Mode"/> when they are C# modules, e.g. "managed".</summary>
    public static CompiledDecoder Compile(GemmaModel model, CompileArrangement arrangement = CompileArrangement.Auto,
        string kernel = "modules")
    {
        var kinds = ScriptedProjection.InScriptOrder(model).Select(p => ScriptedProjection.Of(p).Kind)
            .Distinct().ToList();
        bool scriptable = !kinds.Contains(ScriptedProjection.Kinds.Module);
        if (arrangement == CompileArrangement.WholeStep && !scriptable)
            throw new ModelException("the whole-step compiled decoder needs float or int4pack projections; " +
                "these are C# modules (use the segments arrangement, or --int4-kernel int4pack).");
        if (arrangement == CompileArrangement.Auto)
            arrangement = scriptable ? CompileArrangement.WholeStep : CompileArrangement.Segments;
        string projections = kinds.Count == 1 && scriptable
            ? kinds[0] == ScriptedProjection.Kinds.Float ? "float" : "int4pack"
            : scriptable ? "float+int4pack" : kernel;
        string mode = (arrangement == CompileArrangement.WholeStep ? "whole-step+" : "segments+") + projections;
        return new CompiledDecoder(model, DecoderScript.Compile(), arrangement, mode);
    }

    public GemmaModel Model => model;

    public GemmaConfig Config => model.Config;

    public CompileArrangement Arrangement { get; }

    /// <summary>The arrangement and the projections' kernel, e.g. "segments+managed", "whole-step+int4pack".
    /// </summary>
    public string Mode { get; }

    /// <summary>Seconds torch.jit.compile took (not part of any timed phase).</summary>
    public double CompileSeconds => script.CompileTime.TotalSeconds;

    public KvCache CreateCache(int capacity) => model.CreateCache(capacity);

    public Tensor Prefill(IReadOnlyList<int> tokenIds, KvCache cache)
    {
        if (cache.Length != 0)
            throw new ModelException("prefill needs an empty KV cache; call Reset() on it first.");
        if (tokenIds.Count == 0 || tokenIds.Count > cache.Capacity)
            throw new ModelException($"prompt of {tokenIds.Count} tokens does not fit a cache of {cache.Capacity}.");
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        int tokens = tokenIds.Count;
        long group = heads / kvHeads;
        var localMask = AttentionMask.Build(tokens, Config.SlidingWindow, group);
        var globalMask = AttentionMask.Build(tokens, null, group);
        var masks = model.Layers.Select(l => l.IsGlobal ? globalMask : localMask).ToArray();
        var ids = tensor(tokenIds.Select(id => (long)id).ToArray(), [1, tokens]);
        var logits = Run(ids, 0, cache, masks);
        cache.Length = tokens;
        return scope.MoveToOuter(logits);
    }

    public Tensor Decode(int tokenId, KvCache cache)
    {
        if (cache.Length >= cache.Capacity)
            throw new ModelException($"KV cache is full ({cache.Capacity} positions).");
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        using (var id = decodeIds.data<long>())
            id[0] = tokenId;
        var logits = Run(decodeIds, cache.Length, cache, []);
        cache.Length++;
        return scope.MoveToOuter(logits);
    }

    Tensor Run(Tensor ids, int start, KvCache cache, Tensor[] masks)
    {
        Bind(cache);
        return Arrangement == CompileArrangement.WholeStep
            ? RunWholeStep(ids, start, masks)
            : RunSegments(ids, start, masks);
    }

    Tensor RunWholeStep(Tensor ids, long start, Tensor[] masks)
    {
        var config = model.Config;
        return script.Forward([ids, start, model.Embedding.Weight, model.Embedding.Normalizer, norms, weights,
            scales, cos, signedSin, keys, values, masks, eps, heads, kvHeads, headDim, (long)config.HiddenSize,
            (long)config.IntermediateSize, (long)config.VocabSize]);
    }

    Tensor RunSegments(Tensor ids, long start, Tensor[] masks)
    {
        var (x, h) = script.Begin(ids, model.Embedding.Weight, model.Embedding.Normalizer, cos[0], norms[0], eps);
        Tensor[] layerMask = [];
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
            var attention = layer.Attention;
            int n = 6 * i;
            var inputs = new DecoderScript.AttentionInputs(norms[n + 4], norms[n + 5], eps, cos[i], signedSin[i],
                keys[i], values[i], heads, kvHeads, headDim);
            if (masks.Length > 0)
                layerMask = [masks[i]];
            var merged = script.Attention(attention.Query.forward(h), attention.Key.forward(h),
                attention.Value.forward(h), inputs, start, layerMask);
            (x, h) = script.AfterAttention(x, attention.Output.forward(merged), norms[n + 1], norms[n + 2], eps);
            var mlp = layer.Mlp;
            var fed = mlp.Down.forward(script.Gated(mlp.Gate.forward(h), mlp.Up.forward(h)));
            (x, h) = script.AfterMlp(x, fed, norms[n + 3], norms[n + 6], eps);
        }
        return model.LmHead.forward(script.LastToken(h)).view(-1);
    }

    /// <summary>Points the per-layer lists at this cache and at the current RoPE tables (which a larger cache
    /// replaces).</summary>
    void Bind(KvCache cache)
    {
        if (!ReferenceEquals(ropeVersion, model.LocalRope.Cos) || cos.Length == 0)
        {
            ropeVersion = model.LocalRope.Cos;
            var ropes = model.Layers.Select(l => l.IsGlobal ? model.GlobalRope : model.LocalRope).ToArray();
            cos = ropes.Select(r => r.Cos).ToArray();
            signedSin = ropes.Select(r => r.SignedSin).ToArray();
        }
        if (!ReferenceEquals(lastCache, cache))
        {
            lastCache = cache;
            keys = cache.Layers.Select(l => l.Keys).ToArray();
            values = cache.Layers.Select(l => l.Values).ToArray();
        }
    }

    public void Dispose()
    {
        script.Dispose();
        noScales.Dispose();
        decodeIds.Dispose();
    }
}
