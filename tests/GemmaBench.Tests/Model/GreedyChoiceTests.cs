using GemmaBench.Model;
using static TorchSharp.torch;

namespace GemmaBench.Tests.Model;

public class GreedyChoiceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1000)]
    [InlineData(262144)]
    public void ArgMaxIsLibtorchsOnRandomLogits(int length)
    {
        var random = new Random(length);
        for (int trial = 0; trial < 5; trial++)
        {
            var values = new float[length];
            for (int i = 0; i < length; i++)
                values[i] = (float)(random.NextDouble() * 60 - 30);
            using var logits = tensor(values);
            using var expected = logits.argmax();
            Assert.Equal((int)expected.item<long>(), GreedyChoice.ArgMax(logits));
        }
    }

    [Fact]
    public void FirstOfEqualMaximaWinsAsInLibtorch()
    {
        var values = Enumerable.Repeat(-1f, 100).ToArray();
        values[37] = values[38] = values[90] = 5f;
        using var logits = tensor(values);
        Assert.Equal(37, GreedyChoice.ArgMax(logits));
    }

    [Fact]
    public void NegativeAndPositiveZeroAreEqualMaxima()
    {
        var values = Enumerable.Repeat(float.NegativeInfinity, 40).ToArray();
        values[21] = -0f;
        values[30] = 0f;
        using var logits = tensor(values);
        using var expected = logits.argmax();
        Assert.Equal(21, (int)expected.item<long>());
        Assert.Equal(21, GreedyChoice.ArgMax(logits));
    }

    [Fact]
    public void SuppressedTokensAtMinusInfinityAreNeverChosenUnlessAllAre()
    {
        var values = Enumerable.Repeat(float.NegativeInfinity, 33).ToArray();
        using (var logits = tensor(values))
            Assert.Equal(0, GreedyChoice.ArgMax(logits));
        values[32] = -1e30f;
        using (var logits = tensor(values))
            Assert.Equal(32, GreedyChoice.ArgMax(logits));
    }

    [Fact]
    public void NaNIsLeftToLibtorchWhichChoosesIt()
    {
        var values = Enumerable.Range(0, 50).Select(i => (float)i).ToArray();
        values[12] = float.NaN;
        Assert.Equal(-1, GreedyChoice.ArgMax(values));
        using var logits = tensor(values);
        using var expected = logits.argmax();
        Assert.Equal((int)expected.item<long>(), GreedyChoice.ArgMax(logits));
    }

    [Fact]
    public void NonFloatLogitsGoThroughLibtorch()
    {
        using var logits = tensor(new float[] { 1, 7, 3, 7 }).to(ScalarType.BFloat16);
        Assert.Equal(1, GreedyChoice.ArgMax(logits));
    }
}
