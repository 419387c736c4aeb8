using GemmaBench.Quant;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Tests.Quant;

public class FusedProjectionTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 2)]
    public void ForwardIntoWritesExactlyWhatForwardReturns(int tokens, int threads)
    {
        using var linear = Linear(48, 160, 1, threads);
        using var x = randn(1, tokens, 160, generator: new Generator(2));
        using var output = full(1, tokens, 48, float.NaN);

        linear.ForwardInto(x, output);

        using var expected = linear.forward(x);
        Assert.True(expected.eq(output).all().item<bool>());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(6, 2)]
    public void FusedManagedLinearsGiveEachPartsOutputsSideBySideExactly(int tokens, int threads)
    {
        using var q = Linear(64, 256, 3, threads);
        using var k = Linear(16, 256, 4, threads);
        using var v = Linear(16, 256, 5, threads);
        using var x = randn(1, tokens, 256, generator: new Generator(6));

        using var fused = QuantizedLinear.Fuse([q, k, v]);
        using var output = empty(1, tokens, 96);
        fused!.ForwardInto(x, output);

        using var expected = cat([q.forward(x), k.forward(x), v.forward(x)], -1);
        Assert.Equal(96, fused.OutFeatures);
        Assert.True(expected.eq(output).all().item<bool>());
        Assert.True(expected.eq(fused.forward(x)).all().item<bool>());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    public void FusedAutoLinearsGiveWhatEachPartGivesForDecodeAndLongPrompts(int tokens)
    {
        var options = new QuantOptions { Kernel = Int4Kernel.Auto, Threads = 1 };
        using var gateWeight = randn(96, 128, generator: new Generator(10)) * 0.1f;
        using var upWeight = randn(96, 128, generator: new Generator(11)) * 0.1f;
        using var gate = (QuantizedLinear)Quantizer.CreateLinear(gateWeight, options);
        using var up = (QuantizedLinear)Quantizer.CreateLinear(upWeight, options);
        using var x = randn(1, tokens, 128, generator: new Generator(12));

        using var fused = QuantizedLinear.Fuse([gate, up]);
        using var output = empty(1, tokens, 192);
        fused!.ForwardInto(x, output);

        using var expected = cat([gate.forward(x), up.forward(x)], -1);
        Assert.True(expected.eq(output).all().item<bool>());
    }

    [Fact]
    public void KernelsOtherThanManagedAreNotFused()
    {
        var options = new QuantOptions { Kernel = Int4Kernel.Reference };
        using var weight = randn(32, 64, generator: new Generator(7));
        using var a = (QuantizedLinear)Quantizer.CreateLinear(weight, options);
        using var b = (QuantizedLinear)Quantizer.CreateLinear(weight, options);

        Assert.Null(QuantizedLinear.Fuse([a, b]));
    }

    [Fact]
    public void ManagedLinearsOfDifferentInputWidthsAreNotFused()
    {
        using var a = Linear(32, 128, 8, 1);
        using var b = Linear(32, 256, 9, 1);

        Assert.Null(QuantizedLinear.Fuse([a, b]));
    }

    static QuantizedLinear Linear(int outputs, int inputs, int seed, int threads)
    {
        using var weight = randn(outputs, inputs, generator: new Generator((ulong)seed)) * 0.1f;
        var options = new QuantOptions { Kernel = Int4Kernel.Managed, Threads = threads };
        return (QuantizedLinear)Quantizer.CreateLinear(weight, options);
    }
}
