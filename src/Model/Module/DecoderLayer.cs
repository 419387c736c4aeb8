using static TorchSharp.torch;

namespace GemmaBench.Model.Module;

/// <summary>One Gemma-3 block, with its four norms:
/// x += post_attention_norm(attention(input_norm(x))); x += post_feedforward_norm(mlp(pre_feedforward_norm(x))).
/// </summary>
public sealed class DecoderLayer : nn.Module
{
    public DecoderLayer(string name, bool isGlobal, Attention attention, Mlp mlp, Norms norms) : base(name)
    {
        IsGlobal = isGlobal;
        Attention = attention;
        Mlp = mlp;
        (InputNorm, PostAttentionNorm, PreFeedforwardNorm, PostFeedforwardNorm) =
            (norms.Input, norms.PostAttention, norms.PreFeedforward, norms.PostFeedforward);
    }

    public readonly record struct Norms(RmsNorm Input, RmsNorm PostAttention, RmsNorm PreFeedforward,
        RmsNorm PostFeedforward);

    public bool IsGlobal { get; }
    public Attention Attention { get; }
    public Mlp Mlp { get; }
    public RmsNorm InputNorm { get; }
    public RmsNorm PostAttentionNorm { get; }
    public RmsNorm PreFeedforwardNorm { get; }
    public RmsNorm PostFeedforwardNorm { get; }

    public Tensor Forward(Tensor x, RotaryEmbedding.Angles angles, int start, Tensor? mask, LayerKvCache? cache)
    {
        using var scope = NewDisposeScope();
        var attended = Attention.Forward(InputNorm.forward(x), angles, start, mask, cache);
        x = x.add(PostAttentionNorm.forward(attended), HeldScalars.One);
        var fed = Mlp.forward(PreFeedforwardNorm.forward(x));
        return scope.MoveToOuter(x.add_(PostFeedforwardNorm.forward(fed), HeldScalars.One));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var module in new nn.Module[] { Attention, Mlp, InputNorm, PostAttentionNorm,
                PreFeedforwardNorm, PostFeedforwardNorm })
                module.Dispose();
        }
        base.Dispose(disposing);
    }
}
