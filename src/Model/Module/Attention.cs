using static TorchSharp.torch;

namespace GemmaBench.Model.Module;

/// <summary>Gemma-3 self-attention: q/k/v projections, RMSNorm on queries and keys over head_dim, RoPE,
/// grouped-query attention scaled by query_pre_attn_scalar^-0.5, and the output projection.
/// Grouped-query attention runs without repeating keys: the query heads that share a KV head are stacked
/// along the token axis, so [heads, tokens] becomes [kvHeads, group × tokens].</summary>
public sealed class Attention : nn.Module
{
    readonly int numHeads;
    readonly int numKvHeads;
    readonly int headDim;

    public Attention(string name, GemmaConfig config, Projections projections, RmsNorm queryNorm, RmsNorm keyNorm)
        : base(name)
    {
        numHeads = config.NumHeads;
        numKvHeads = config.NumKvHeads;
        headDim = config.HeadDim;
        (Query, Key, Value, Output) = (projections.Query, projections.Key, projections.Value, projections.Output);
        QueryNorm = queryNorm;
        KeyNorm = keyNorm;
    }

    public readonly record struct Projections(nn.Module<Tensor, Tensor> Query, nn.Module<Tensor, Tensor> Key,
        nn.Module<Tensor, Tensor> Value, nn.Module<Tensor, Tensor> Output);

    public nn.Module<Tensor, Tensor> Query { get; internal set; }
    public nn.Module<Tensor, Tensor> Key { get; internal set; }
    public nn.Module<Tensor, Tensor> Value { get; internal set; }
    public nn.Module<Tensor, Tensor> Output { get; internal set; }

    /// <summary>Query norm; its scale also carries sqrt(head_dim / query_pre_attn_scalar), because the fused
    /// attention kernel always divides scores by sqrt(head_dim).</summary>
    public RmsNorm QueryNorm { get; }
    public RmsNorm KeyNorm { get; }

    /// <summary>Attention over the tokens of x [1, tokens, hidden] at positions [start, start + tokens).
    /// Without a cache (or when prefilling one) the tokens attend to each other under <paramref name="mask"/>
    /// [group × tokens, tokens]; with a cache they are stored first and a single token attends to what the
    /// cache holds, which needs no mask.</summary>
    public Tensor Forward(Tensor x, RotaryEmbedding.Angles angles, int start, Tensor? mask, LayerKvCache? cache)
    {
        using var scope = NewDisposeScope();
        long tokens = x.shape[1];
        var q = RotaryEmbedding.Apply(QueryNorm.forward(Query.forward(x).view(1, tokens, numHeads, headDim)), angles);
        var k = RotaryEmbedding.Apply(KeyNorm.forward(Key.forward(x).view(1, tokens, numKvHeads, headDim)), angles);
        var v = Value.forward(x).view(1, tokens, numKvHeads, headDim);

        Tensor keys, values;
        if (mask is null)
        {
            cache!.Write(k, v, start);
            (keys, values) = cache.Visible(start + (int)tokens);
        }
        else
        {
            cache?.Write(k, v, start);
            (keys, values) = (k.transpose(1, 2), v.transpose(1, 2));
        }

        long group = numHeads / numKvHeads;
        var grouped = q.transpose(1, 2).reshape(1, numKvHeads, group * tokens, headDim);
        var attended = nn.functional.scaled_dot_product_attention(grouped, keys, values, mask);
        var merged = attended.view(1, numHeads, tokens, headDim).transpose(1, 2).reshape(1, tokens, numHeads * headDim);
        return scope.MoveToOuter(Output.forward(merged));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var module in new nn.Module[] { Query, Key, Value, Output, QueryNorm, KeyNorm })
                module.Dispose();
        }
        base.Dispose(disposing);
    }
}
