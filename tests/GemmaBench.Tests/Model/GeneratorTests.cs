using GemmaBench.Model;
using TorchSharp;

namespace GemmaBench.Tests.Model;

public class GeneratorTests
{
    [Fact]
    public void StopsAfterEosAndIncludesIt()
    {
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny"), torch.ScalarType.Float32);
        var expected = ExpectedCase.Load("tiny", "A");
        int eos = expected.Greedy24[6];
        model.Config = model.Config with { EosTokenIds = [eos] };

        var result = new Generator(model).Generate(expected.InputIds, new GenerationOptions { MaxNewTokens = 24 });

        Assert.Equal(expected.Greedy24[..7], result.TokenIds);
        Assert.True(result.StoppedAtEos);
    }

    [Fact]
    public void MinNewTokensSuppressesEosUntilReached()
    {
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny"), torch.ScalarType.Float32);
        var expected = ExpectedCase.Load("tiny", "A");
        int eos = expected.Greedy24[0];
        model.Config = model.Config with { EosTokenIds = [eos] };

        var result = new Generator(model).Generate(expected.InputIds,
            new GenerationOptions { MaxNewTokens = 5, MinNewTokens = 5 });

        Assert.Equal(5, result.TokenIds.Count);
        Assert.DoesNotContain(eos, result.TokenIds);
        Assert.False(result.StoppedAtEos);
    }

    [Fact]
    public void MaxNewTokensBoundsTheRun()
    {
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny-odd"), torch.ScalarType.Float32);
        var expected = ExpectedCase.Load("tiny-odd", "C");

        var result = new Generator(model).Generate(expected.InputIds, new GenerationOptions { MaxNewTokens = 3 });

        Assert.Equal(expected.Greedy24[..3], result.TokenIds);
    }

    [Fact]
    public void TokenOutsideTheVocabularyIsRefused()
    {
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny"), torch.ScalarType.Float32);

        var e = Assert.Throws<ModelException>(() =>
            new Generator(model).Generate([2, 512], new GenerationOptions { MaxNewTokens = 1 }));

        Assert.Equal("token id 512 is outside the vocabulary (0 to 511).", e.Message);
    }
}
