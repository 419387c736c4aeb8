using GemmaBench.Model;
using GemmaBench.Model.Module;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Tests.Model;

public class ReplaceLinearsTests
{
    sealed class Recording(Tensor weight) : nn.Module<Tensor, Tensor>("recording")
    {
        public int Calls { get; private set; }

        public override Tensor forward(Tensor x)
        {
            Calls++;
            return nn.functional.linear(x, weight);
        }
    }

    [Fact]
    public void EveryProjectionIsOfferedOnceByNameWithItsWeightAndSwapped()
    {
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny"), ScalarType.Float32);
        var expected = ExpectedCase.Load("tiny", "B");
        var offered = new List<string>();
        var made = new List<Recording>();

        model.ReplaceLinears((name, weight) =>
        {
            offered.Add($"{name} [{string.Join(", ", weight.shape)}]");
            made.Add(new Recording(weight.clone()));
            return made[^1];
        });
        using var logits = model.LogitsWithoutCache(expected.InputIds);

        Assert.Equal(6 * 7 + 1, offered.Count);
        Assert.Equal("lm_head [512, 64]", offered[0]);
        Assert.Equal("layers.0.self_attn.q_proj [128, 64]", offered[1]);
        Assert.Equal("layers.0.self_attn.k_proj [64, 64]", offered[2]);
        Assert.Equal("layers.5.mlp.down_proj [64, 128]", offered[^1]);
        Assert.Equal(offered.Count, offered.Distinct().Count());
        Assert.All(made, m => Assert.Equal(1, m.Calls));
        Assert.DoesNotContain(model.Layers, l => l.Attention.Query is Projection || l.Mlp.Down is Projection);
        float worst = (logits - tensor(expected.LastLogits)).abs().max().item<float>();
        Assert.True(worst <= 1e-4f, $"logits moved by {worst} after an exact replacement");
    }

    [Fact]
    public void ReplacedModelStillGeneratesTheReferenceTokens()
    {
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny-scaled"), ScalarType.Float32);
        var expected = ExpectedCase.Load("tiny-scaled", "A");

        model.ReplaceLinears((_, weight) => new Projection("copy", weight.clone()));
        var result = new GemmaBench.Model.Generator(model).Generate(expected.InputIds,
            new GenerationOptions { MaxNewTokens = 24, StopAtEos = false });

        Assert.Equal(expected.Greedy24, result.TokenIds);
    }

    [Fact]
    public void DeferredConversionConvertsEachWeightOnFirstUseWithSameResults()
    {
        var expected = ExpectedCase.Load("tiny-odd", "A");
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny-odd"), ScalarType.Float32, deferConversion: true);
        var query = (Projection)model.Layers[0].Attention.Query;
        Assert.False(query.IsConverted);

        using var logits = model.LogitsWithoutCache(expected.InputIds);

        Assert.True(query.IsConverted);
        Assert.Equal(ScalarType.Float32, query.Weight.dtype);
        float worst = (logits - tensor(expected.LastLogits)).abs().max().item<float>();
        Assert.True(worst <= 1e-4f, $"logits differ by {worst}");
    }

    [Fact]
    public void DeferredModelHandsUnconvertedWeightsOverAsStoredSoQuantizersNeverSeeAFloat32Copy()
    {
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny-odd"), ScalarType.Float32, deferConversion: true);
        var seen = new Dictionary<string, ScalarType>();

        model.ReplaceLinears((name, weight) =>
        {
            seen[name] = weight.dtype;
            return new Projection(name, weight.to(ScalarType.Float32));
        });

        Assert.Equal(1 + 7 * model.Config.NumLayers, seen.Count);
        Assert.All(seen.Values, dtype => Assert.Equal(ScalarType.BFloat16, dtype));
    }
}
