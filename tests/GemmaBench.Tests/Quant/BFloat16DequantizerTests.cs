using System.Runtime.InteropServices;
using GemmaBench.Quant;
using GemmaBench.Quant.Kernels.Managed;
using static TorchSharp.torch;

namespace GemmaBench.Tests.Quant;

public class BFloat16DequantizerTests
{
    // (rows, columns, group size): one group, widths that are not whole blocks of 128 (96, 160, 1056), not
    // whole groups of 32 (80, 200: one group per row, since the managed layout has a scale per 32 inputs),
    // the Gemma-3 widths 640 and 1152, rows not a multiple of the 4-row tile.
    public static TheoryData<int, int, int, bool> Shapes()
    {
        var data = new TheoryData<int, int, int, bool>();
        foreach (bool lookUp in new[] { true, false })
        {
            foreach (var (rows, columns, groupSize) in new[]
            {
                (5, 32, 32), (3, 96, 32), (7, 640, 32), (6, 1152, 32), (2, 160, 32), (9, 1056, 32),
                (4, 256, 32), (3, 80, 80), (5, 200, 200),
            })
                data.Add(rows, columns, groupSize, lookUp);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Dequantization_is_bit_identical_to_the_scalar_definition_for_any_finite_scale(
        int rows, int columns, int groupSize, bool lookUp)
    {
        var weight = RandomWeight(rows, columns, groupSize, seed: rows * 10_000 + columns);
        using var kernel = new ManagedKernel(weight, threads: 1);
        using var actual = empty([rows, columns], ScalarType.BFloat16);

        kernel.DequantizeBFloat16(actual, lookUp);

        var bits = MemoryMarshal.Cast<byte, ushort>(actual.bytes).ToArray();
        for (int i = 0; i < rows * columns; i++)
        {
            int row = i / columns, column = i % columns;
            float scale = weight.Scales[row * weight.GroupsPerRow + column / groupSize];
            ushort expected = PackedWeight.ToBFloat16(weight.Values[i] * scale);
            if (bits[i] != expected)
                Assert.Fail($"[{row}, {column}]: {weight.Values[i]} × {scale:g9} gave 0x{bits[i]:X4}, " +
                    $"expected 0x{expected:X4} (lookUp {lookUp}, supported {BFloat16Dequantizer.CanLookUp})");
        }
    }

    [Fact]
    public void The_lookup_path_is_available_on_this_machine_when_the_cpu_has_avx512_vbmi()
    {
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx512Vbmi.IsSupported, BFloat16Dequantizer.CanLookUp);
    }

    /// <summary>Values uniform in [-8, 7]; scales are random bfloat16 bit patterns of every finite magnitude
    /// and sign (zeros, subnormals, ties in the products, products that overflow), plus plain ones.</summary>
    private static Int4Weight RandomWeight(int rows, int columns, int groupSize, int seed)
    {
        var random = new Random(seed);
        var values = new sbyte[rows * columns];
        for (int i = 0; i < values.Length; i++)
            values[i] = (sbyte)random.Next(-8, 8);
        var scales = new float[rows * (columns / groupSize)];
        float[] special = [0f, -0f, 1e-45f, -1e-45f, 1e-40f, 3.3895314e38f, -3.3895314e38f, 0.0123f, 1f];
        for (int g = 0; g < scales.Length; g++)
        {
            ushort scaleBits;
            do
                scaleBits = (ushort)random.Next(0, 0x10000);
            while ((scaleBits & 0x7F80) == 0x7F80);
            float scale = g % 3 == 0 ? special[g / 3 % special.Length] : PackedWeight.FromBFloat16(scaleBits);
            scales[g] = PackedWeight.FromBFloat16(PackedWeight.ToBFloat16(scale));
        }
        return new Int4Weight(rows, columns, groupSize, values, scales);
    }
}
