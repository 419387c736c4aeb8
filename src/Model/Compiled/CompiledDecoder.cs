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
    readonly LayerTables tables;
    readonly SegmentedStep? segments;

    CompiledDecoder(GemmaModel model, DecoderScript script, CompileArrangement arrangement, string mode,
        CompileOptions options)
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
        tables = new LayerTables(model);
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
            segments = new SegmentedStep(model, script, norms, options);
        }
    }

    /// <summary>Compiles the decoder script for <paramref name="model"/> as it now is: call after quantizing
    /// (replacing the projections), not before. <paramref name="kernel"/> names the projections' kernel in
    /// <see cref="Mode"/> when they are C# modules, e.g. "managed".</summary>
    public static CompiledDecoder Compile(GemmaModel model, CompileArrangement arrangement = CompileArrangement.Auto,
        string kernel = "modules") =>
        Compile(model, new CompileOptions { Arrangement = arrangement, Kernel = kernel });

    /// <summary>Compiles the decoder script for <paramref name="model"/> as it now is (after quantizing). In the
    /// segments arrangement, q/k/v and gate/up are fused when <see cref="CompileOptions.Fuse"/> can fuse them
    /// (or they are float projections): see <see cref="FusedProjections"/>.</summary>
    public static CompiledDecoder Compile(GemmaModel model, CompileOptions options)
    {
        var arrangement = options.Arrangement;
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
            : scriptable ? "float+int4pack" : options.Kernel;
        string mode = (arrangement == CompileArrangement.WholeStep ? "whole-step+" : "segments+") + projections;
        return new CompiledDecoder(model, DecoderScript.Compile(), arrangement, mode, options);
    }

    public GemmaModel Model => model;

    public GemmaConfig Config => model.Config;

    public CompileArrangement Arrangement { get; }

    /// <summary>The arrangement and the projections' kernel, e.g. "segments+managed", "whole-step+int4pack".
    /// </summary>
    public string Mode { get; }

    /// <summary>Whether each layer's q/k/v and gate/up projections run as one call each (segments
    /// arrangement).</summary>
    public bool FusedProjections => segments?.IsFused == true;

    /// <summary>Seconds torch.jit.compile took (not part of any timed phase).</summary>
    public double CompileSeconds => script.CompileTime.TotalSeconds;

    public KvCache CreateCache(int capacity) => model.CreateCache(capacity);

    public Tensor Prefill(IReadOnlyList<int> tokenIds, KvCache cache)
    {
        cache.CheckPrefill(tokenIds.Count);
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

    /// <summary>See <see cref="IDecoderStep.Decode"/>. The logits may live in a buffer the next Decode overwrites
    /// (segments arrangement, float32): read them, or copy them, before the next step.</summary>
    public Tensor Decode(int tokenId, KvCache cache)
    {
        cache.CheckDecode();
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
        tables.Bind(cache);
        return segments?.Run(ids, start, masks, tables) ?? RunWholeStep(ids, start, masks);
    }

    Tensor RunWholeStep(Tensor ids, long start, Tensor[] masks)
    {
        var config = model.Config;
        return script.Forward([ids, start, model.Embedding.Weight, model.Embedding.Normalizer, norms, weights,
            scales, tables.Cos, tables.SignedSin, tables.Keys, tables.Values, masks, eps, heads, kvHeads, headDim, (long)config.HiddenSize,
            (long)config.IntermediateSize, (long)config.VocabSize]);
    }

    public void Dispose()
    {
        segments?.Dispose();
        script.Dispose();
        noScales.Dispose();
        decodeIds.Dispose();
    }
}
