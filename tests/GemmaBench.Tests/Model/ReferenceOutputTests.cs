using GemmaBench.Model;
using TorchSharp;

namespace GemmaBench.Tests.Model;

/// <summary>The model reproduces the reference implementations on the three fixture checkpoints.</summary>
public class ReferenceOutputTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string checkpoint in new[] { "tiny", "tiny-scaled", "tiny-odd" })
            foreach (string c in new[] { "A", "B", "C" })
                data.Add(checkpoint, c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PrefillLastLogitsMatchReferenceWithin1e4(string checkpoint, string caseName)
    {
        var expected = ExpectedCase.Load(checkpoint, caseName);
        using var model = GemmaModel.Load(TestPaths.Checkpoint(checkpoint), torch.ScalarType.Float32);
        using var cache = model.CreateCache(expected.InputIds.Length);

        using var logits = model.Prefill(expected.InputIds, cache);

        AssertClose(expected.LastLogits, logits);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RecomputedLastLogitsMatchReferenceWithin1e4(string checkpoint, string caseName)
    {
        var expected = ExpectedCase.Load(checkpoint, caseName);
        using var model = GemmaModel.Load(TestPaths.Checkpoint(checkpoint), torch.ScalarType.Float32);

        using var logits = model.LogitsWithoutCache(expected.InputIds);

        AssertClose(expected.LastLogits, logits);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GreedyTokensMatchReferenceWithKvCache(string checkpoint, string caseName) =>
        AssertGreedy(checkpoint, caseName, useKvCache: true);

    [Theory]
    [MemberData(nameof(Cases))]
    public void GreedyTokensMatchReferenceWithoutKvCache(string checkpoint, string caseName) =>
        AssertGreedy(checkpoint, caseName, useKvCache: false);

    static void AssertGreedy(string checkpoint, string caseName, bool useKvCache)
    {
        var expected = ExpectedCase.Load(checkpoint, caseName);
        using var model = GemmaModel.Load(TestPaths.Checkpoint(checkpoint), torch.ScalarType.Float32);
        var options = new GenerationOptions { MaxNewTokens = 24, StopAtEos = false, UseKvCache = useKvCache };
        var streamed = new List<int>();

        var result = new Generator(model).Generate(expected.InputIds, options, streamed.Add);

        Assert.Equal(expected.Greedy24, result.TokenIds);
        Assert.Equal(expected.Greedy24, streamed);
    }

    static void AssertClose(float[] expected, torch.Tensor logits)
    {
        Assert.Equal(torch.ScalarType.Float32, logits.dtype);
        var actual = logits.data<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1e-4, $"largest logit difference {worst:G3} exceeds 1e-4");
    }
}
