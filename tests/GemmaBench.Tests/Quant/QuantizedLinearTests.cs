using GemmaBench.Quant;
using GemmaBench.Quant.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Tests.Quant;

public class QuantizedLinearTests
{
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void Keeps_leading_dimensions_and_dtype(ScalarType dtype)
    {
        using var weight = (randn(40, 64, generator: new Generator(1)) * 0.1f).to(dtype);
        using var linear = Quantizer.CreateLinear(weight, new QuantOptions { Threads = 2 });
        using var x = randn(2, 3, 64, generator: new Generator(2)).to(dtype);

        using var y = linear.call(x);

        Assert.Equal(new long[] { 2, 3, 40 }, y.shape);
        Assert.Equal(dtype, y.dtype);
    }

    [Fact]
    public void Works_after_the_float_weight_is_disposed()
    {
        var weight = randn(16, 32, generator: new Generator(4));
        using var x = randn(1, 32, generator: new Generator(5));
        using var expected = nn.functional.linear(x, weight);
        using var linear = Quantizer.CreateLinear(weight, new QuantOptions { Kernel = Int4Kernel.Managed });
        weight.Dispose();

        using var y = linear.call(x);

        KernelAgreementTests.AssertClose(expected, y, 0.15, "int4 vs float");
    }

    [Fact]
    public void States_the_kernel_it_runs()
    {
        using var weight = randn(16, 32);
        using var linear = (QuantizedLinear)Quantizer.CreateLinear(weight,
            new QuantOptions { Kernel = Int4Kernel.Managed, Threads = 1 });

        Assert.StartsWith("managed (", linear.KernelName);
        Assert.EndsWith(", 1 thread)", linear.KernelName);
    }

    [Fact]
    public void A_group_size_not_dividing_the_input_width_throws_before_packing()
    {
        using var weight = randn(8, 1152);

        Assert.Throws<QuantException>(() => Quantizer.CreateLinear(weight, new QuantOptions { GroupSize = 256 }));
    }

    [Fact]
    public void Scheme_none_is_a_plain_linear()
    {
        using var weight = randn(8, 32);
        using var x = randn(3, 32);
        using var linear = Quantizer.CreateLinear(weight, new QuantOptions { Scheme = QuantScheme.None });

        using var y = linear.call(x);

        using var expected = nn.functional.linear(x, weight);
        Assert.True(expected.allclose(y, rtol: 0, atol: 0));
    }
}

public class LibTorchScriptsTests
{
    [Fact]
    public void Every_script_function_compiles_and_runs()
    {
        var weight = KernelAgreementTests.Case(2, 16, 64).Weight;
        using var x = randn(2, 64);

        using var int4pack = new Int4PackKernel(weight);
        using var dynquant = new DynQuantKernel(weight);

        Assert.Equal(new long[] { 2, 16 }, int4pack.Forward(x).shape);
        Assert.Equal(new long[] { 2, 16 }, dynquant.Forward(x).shape);
    }
}
