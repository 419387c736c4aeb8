using static TorchSharp.torch;

namespace GemmaBench.Model.Compiled;

/// <summary>The segments arrangement: per layer four kernel calls (q/k/v fused, output, gate/up fused, down)
/// between four scripted segments (attention; residual and norms; GELU gate; residual and the next norm), all
/// writing into a static memory plan. A single-token float32 step runs <see cref="DecodeOperators"/> in place of
/// the segments (one C# call each instead of a script call and its operators) and allocates only the logits.
/// </summary>
sealed class SegmentedStep : IDisposable
{
    readonly GemmaModel model;
    readonly DecoderScript script;
    readonly Tensor[] norms;
    readonly Tensor[] queryKeyNorms;
    readonly LayerProjections[] layers;
    readonly ProjectionGroup lmHead;
    readonly long queryKeyValueWidth, gateUpWidth;
    readonly double eps;
    readonly long heads, kvHeads, headDim;
    readonly DecodeOperators? operators;
    StepBuffers? decodeBuffers;
    Tensor? decodeLogits;

    public SegmentedStep(GemmaModel model, DecoderScript script, Tensor[] norms, CompileOptions options)
    {
        (this.model, this.script, this.norms) = (model, script, norms);
        var config = model.Config;
        (eps, heads, kvHeads, headDim) = (config.RmsNormEps, config.NumHeads, config.NumKvHeads, config.HeadDim);
        long query = config.NumHeads * config.HeadDim, keyValue = config.NumKvHeads * config.HeadDim;
        long hidden = config.HiddenSize, intermediate = config.IntermediateSize;
        layers = model.Layers.Select(l => new LayerProjections(
            ProjectionGroup.Create([l.Attention.Query, l.Attention.Key, l.Attention.Value],
                [query, keyValue, keyValue], options),
            ProjectionGroup.Create([l.Attention.Output], [hidden], options),
            ProjectionGroup.Create([l.Mlp.Gate, l.Mlp.Up], [intermediate, intermediate], options),
            ProjectionGroup.Create([l.Mlp.Down], [hidden], options))).ToArray();
        queryKeyNorms = model.Layers.Select(l => StackedNorm(l.Attention.QueryNorm.Scale, heads,
            l.Attention.KeyNorm.Scale, kvHeads)).ToArray();
        lmHead = ProjectionGroup.Create([model.LmHead], [config.VocabSize], options);
        (queryKeyValueWidth, gateUpWidth) = (query + 2 * keyValue, 2 * intermediate);
        if (model.ComputeDtype == ScalarType.Float32 && DecodeOperators.Supports(config.HeadDim)
            && !options.ScriptedDecode)
            operators = new DecodeOperators(config.NumHeads, config.NumKvHeads, config.HeadDim, eps);
    }

    /// <summary>Whether q/k/v and gate/up run as one kernel call each.</summary>
    public bool IsFused => layers.All(l => l.QueryKeyValue.IsFused && l.GateUp.IsFused);

    public Tensor Run(Tensor ids, long start, Tensor[] masks, LayerTables tables)
    {
        long tokens = ids.numel();
        var buffers = tokens == 1 ? decodeBuffers ??= Buffers(1) : Buffers(tokens);
        try
        {
            return Forward(ids, start, masks, tables, buffers);
        }
        finally
        {
            if (buffers != decodeBuffers)
                buffers.Dispose();
        }
    }

    Tensor Forward(Tensor ids, long start, Tensor[] masks, LayerTables tables, StepBuffers b)
    {
        var (x, h) = (b.Residual, b.Normed);
        script.BeginInto(ids, model.Embedding.Weight, model.Embedding.Normalizer, norms[0], eps, x, h);
        Tensor[] layerMask = [];
        bool decoding = masks.Length == 0 && b.Tokens == 1;
        if (decoding && operators is not null)
            return DecodeFused(start, tables, b);
        var (cosRows, sinRows) = decoding ? RopeRows(tables, start) : ([], []);
        for (int i = 0; i < layers.Length; i++)
        {
            var layer = layers[i];
            int n = 6 * i;
            if (masks.Length > 0)
                layerMask = [masks[i]];
            layer.QueryKeyValue.Into(h, b.QueryKeyValue);
            var inputs = new DecoderScript.AttentionInputs(queryKeyNorms[i], eps, tables.Cos[i],
                tables.SignedSin[i], tables.Keys[i], tables.Values[i], heads, kvHeads, headDim);
            using (var merged = decoding
                ? script.AttentionDecode(b.QueryKeyValue, inputs, cosRows[i], sinRows[i], start)
                : script.Attention(b.QueryKeyValue, inputs, start, layerMask))
                layer.Output.Into(merged, b.Attended);
            script.AfterAttentionInto(x, b.Attended, norms[n + 1], norms[n + 2], eps, h);
            layer.GateUp.Into(h, b.GateUp);
            script.GatedInto(b.GateUp, b.Gated);
            layer.Down.Into(b.Gated, b.Fed);
            script.AfterMlpInto(x, b.Fed, norms[n + 3], norms[n + 6], eps, h);
        }
        return Logits(h, b);
    }

    /// <summary>A single-token float32 step with the operators between the projections run by
    /// <see cref="DecodeOperators"/> instead of scripted segments. Its logits are written into one buffer kept
    /// for every step (a fresh megabyte per step cost a page fault per 4 KiB when the LM head wrote it), so
    /// they are valid until the next decode step.</summary>
    unsafe Tensor DecodeFused(long start, LayerTables tables, StepBuffers b)
    {
        var ops = operators!;
        float* x = Floats(b.Residual), h = Floats(b.Normed), qkv = Floats(b.QueryKeyValue);
        float* merged = Floats(b.Merged), attended = Floats(b.Attended), gateUp = Floats(b.GateUp);
        float* gated = Floats(b.Gated), fed = Floats(b.Fed);
        int hidden = model.Config.HiddenSize, intermediate = model.Config.IntermediateSize;
        int dim = (int)headDim;
        for (int i = 0; i < layers.Length; i++)
        {
            var layer = layers[i];
            int n = 6 * i;
            layer.QueryKeyValue.Into(b.Normed, b.QueryKeyValue);
            var (keys, values) = (tables.Keys[i], tables.Values[i]);
            ops.Attend(qkv, Floats(queryKeyNorms[i]), Floats(tables.Cos[i]) + start * dim,
                Floats(tables.SignedSin[i]) + start * dim, Floats(keys), Floats(values), (int)keys.size(2),
                start, merged);
            layer.Output.Into(b.Merged, b.Attended);
            ops.AddNormed(x, attended, Floats(norms[n + 1]), Floats(norms[n + 2]), h, hidden);
            layer.GateUp.Into(b.Normed, b.GateUp);
            DecodeOperators.GeluGate(gateUp, gated, intermediate);
            layer.Down.Into(b.Gated, b.Fed);
            ops.AddNormed(x, fed, Floats(norms[n + 3]), Floats(norms[n + 6]), h, hidden);
        }
        decodeLogits ??= empty([model.Config.VocabSize], ScalarType.Float32).DetachFromDisposeScope();
        lmHead.Into(b.Normed, decodeLogits.view(1, 1, -1));
        // A new handle on the same memory: the caller disposes it, the buffer stays.
        return decodeLogits.view(-1);
    }

    Tensor Logits(Tensor h, StepBuffers b)
    {
        var logits = empty([model.Config.VocabSize], h.dtype);
        using var last = h.narrow(1, b.Tokens - 1, 1);
        lmHead.Into(last, logits.view(1, 1, -1));
        return logits;
    }

    static unsafe float* Floats(Tensor t) => (float*)Checkpoint.NativeMemory.DataAddress(t);

    /// <summary>Each layer's RoPE rows at <paramref name="position"/>, cut once per table (local, global).
    /// </summary>
    static (Tensor[] Cos, Tensor[] SignedSin) RopeRows(LayerTables tables, long position)
    {
        var rows = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        Tensor Row(Tensor table)
        {
            if (!rows.TryGetValue(table, out var row))
                rows[table] = row = table.narrow(0, position, 1);
            return row;
        }
        return (tables.Cos.Select(Row).ToArray(), tables.SignedSin.Select(Row).ToArray());
    }

    static Tensor StackedNorm(Tensor query, long heads, Tensor key, long kvHeads)
    {
        using var scope = NewDisposeScope();
        var stacked = cat([query.expand(heads, -1), key.expand(kvHeads, -1)], 0).contiguous();
        return stacked.DetachFromDisposeScope();
    }

    StepBuffers Buffers(long tokens) =>
        new(tokens, model.Config, queryKeyValueWidth, gateUpWidth, model.ComputeDtype);

    public void Dispose()
    {
        operators?.Dispose();
        decodeBuffers?.Dispose();
        decodeLogits?.Dispose();
        foreach (var norm in queryKeyNorms)
            norm.Dispose();
        foreach (var layer in layers)
        {
            layer.QueryKeyValue.Dispose();
            layer.GateUp.Dispose();
        }
        lmHead.Dispose();
    }

    readonly record struct LayerProjections(ProjectionGroup QueryKeyValue, ProjectionGroup Output,
        ProjectionGroup GateUp, ProjectionGroup Down);
}
