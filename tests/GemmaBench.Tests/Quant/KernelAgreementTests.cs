using GemmaBench.Quant;
using GemmaBench.Quant.Kernels;
using GemmaBench.Quant.Kernels.Managed;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Tests.Quant;

public class KernelAgreementTests
{
    // (rows, out, in): rows not a multiple of the 4-row tile, K of one and two groups, K not whole blocks;
    // the last two are big enough to be split into chunks across threads, with a ragged last chunk.
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 37, 32 }, { 3, 16, 64 }, { 5, 33, 160 }, { 7, 64, 640 }, { 9, 48, 256 },
        { 1, 1027, 640 }, { 6, 515, 1152 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Managed_paths_agree_with_the_reference_within_int8_activation_error(int rows, int n, int k)
    {
        var (weight, x, expected) = Case(rows, n, k);
        foreach (var path in new[] { ManagedPath.Avx512, ManagedPath.Avx2, ManagedPath.Portable })
        {
            if (!ManagedPaths.IsSupported(path))
                continue;
            using var kernel = new ManagedKernel(weight, threads: 2, path);
            using var actual = kernel.Forward(x);
            AssertClose(expected, actual, 2e-2, path.ToString());
        }
    }

    [Theory]
    [InlineData(8194, 512)]
    [InlineData(30, 160)]
    public void Linear_quantized_a_chunk_of_rows_at_a_time_equals_the_whole_weight_packed_at_once(int n, int k)
    {
        // 8194 rows of 512 inputs make two chunks of 4 MiB of weights, the last one ragged.
        using var weight = randn(n, k, generator: new Generator(7)).to(ScalarType.BFloat16);
        using var x = randn(3, k, generator: new Generator(8));
        using var whole = new ManagedKernel(Int4Weight.Quantize(weight, 32), threads: 2);
        using var expected = whole.Forward(x);

        using var linear = Quantizer.CreateLinear(weight,
            new QuantOptions { Kernel = Int4Kernel.Managed, GroupSize = 32, Threads = 2 });
        using var actual = linear.forward(x);

        Assert.True(expected.eq(actual).all().item<bool>(), "chunked packing changed the product");
        Assert.True(weight.isfinite().all().item<bool>(), "the source weight must keep its contents");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Managed_paths_compute_the_same_integer_sums(int rows, int n, int k)
    {
        var (weight, x, _) = Case(rows, n, k);
        using var portable = new ManagedKernel(weight, threads: 1, ManagedPath.Portable);
        using var expected = portable.Forward(x);
        foreach (var path in new[] { ManagedPath.Avx512, ManagedPath.Avx2 })
        {
            if (!ManagedPaths.IsSupported(path))
                continue;
            using var kernel = new ManagedKernel(weight, threads: 2, path);
            using var actual = kernel.Forward(x);
            AssertClose(expected, actual, 1e-5, path.ToString());
        }
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(-1f)]
    public void Largest_nibbles_times_largest_activations_do_not_overflow_the_integer_sums(float sign)
    {
        // Every weight quantizes to +7 (stored nibble 15) and every activation to ±127: the AVX-512 tiles add
        // four int16 lanes of 2 × (15 × 127 × 2) before widening, their largest possible sum. Each weight comes
        // back as 7 × bfloat16(1/7) = 7 × 0.142578125.
        using var weight = ones(8, 640);
        using var x = full(1, 640, sign);
        foreach (var path in new[] { ManagedPath.Avx512, ManagedPath.Avx2, ManagedPath.Portable })
        {
            if (!ManagedPaths.IsSupported(path))
                continue;
            using var kernel = new ManagedKernel(Int4Weight.Quantize(weight, 32), threads: 1, path);
            using var actual = kernel.Forward(x);
            foreach (float value in actual.data<float>().ToArray())
                Assert.Equal(sign * 640f * 7 * 0.142578125f, value, 1e-3f);
        }
    }

    [Theory]
    [InlineData(Int4Kernel.Int4Pack, 1e-2)]
    [InlineData(Int4Kernel.DynQuant, 3e-2)]
    [InlineData(Int4Kernel.Auto, 2e-2)]
    public void Libtorch_and_auto_kernels_agree_with_the_reference(Int4Kernel kind, double tolerance)
    {
        var shapes = new[] { (1, 37, 32), (3, 16, 64), (7, 64, 640), (AutoKernel.PrefillRows + 1, 48, 256) };
        foreach (var (rows, n, k) in shapes)
        {
            var (weight, x, expected) = Case(rows, n, k);
            using var kernel = Quantizer.CreateKernel(weight, new QuantOptions { Kernel = kind, Threads = 2 });
            using var actual = kernel.Forward(x);
            AssertClose(expected, actual, tolerance, $"{kind} {rows}×{n}×{k}");
        }
    }

    [Fact]
    public void Dequantized_bfloat16_weight_matches_the_reference_weight()
    {
        var (weight, _, _) = Case(1, 37, 160);
        using var kernel = new ManagedKernel(weight, threads: 2);
        using var expected = weight.Dequantize();

        using var actual = kernel.DequantizeBFloat16();

        AssertClose(expected, actual.to(ScalarType.Float32), 1e-2, "dequantized");
    }

    [Theory]
    [InlineData(5, 160, 32)]
    [InlineData(3, 40, 40)]
    public void Dequantized_bfloat16_weight_is_each_value_times_its_bfloat16_scale(int n, int k, int groupSize)
    {
        using var w = randn(n, k, generator: new Generator(21)) * 0.1f;
        var weight = Int4Weight.Quantize(w, groupSize);
        using var kernel = new ManagedKernel(weight, threads: 1);

        using var actual = kernel.DequantizeBFloat16();

        var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(actual.bytes).ToArray();
        for (int i = 0; i < n * k; i++)
        {
            float scale = PackedWeight.FromBFloat16(PackedWeight.ToBFloat16(weight.Scales[i / groupSize]));
            Assert.Equal(PackedWeight.ToBFloat16(weight.Values[i] * scale), bits[i]);
        }
    }

    internal static (Int4Weight Weight, Tensor X, Tensor Expected) Case(int rows, int n, int k)
    {
        var generator = new Generator((ulong)(rows * 1000 + n * 10 + k));
        using var w = randn(n, k, generator: generator) * 0.1f;
        var weight = Int4Weight.Quantize(w, 32);
        var x = randn(rows, k, generator: generator);
        using var reference = new ReferenceKernel(weight);
        return (weight, x, reference.Forward(x));
    }

    internal static void AssertClose(Tensor expected, Tensor actual, double relativeL2, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var e = expected.to(ScalarType.Float32);
        using var a = actual.to(ScalarType.Float32);
        double error = (e - a).norm().item<float>() / Math.Max(e.norm().item<float>(), 1e-12f);
        Assert.True(error <= relativeL2, $"{what}: relative L2 error {error:g3} > {relativeL2:g3}");
    }
}
