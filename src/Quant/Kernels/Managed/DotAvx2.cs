using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>The AVX2 dot product: the AVX-512 scheme on half-blocks of 2 groups.</summary>
internal static unsafe class DotAvx2
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot1(byte* w, ushort* ws, QuantizedActivations a, int row)
    {
        sbyte* x = a.RowValues(row);
        int* offsets = a.RowOffsets(row);
        float* scales = a.RowScales(row);
        var acc = Vector256<float>.Zero;
        var mask = Vector256.Create((byte)0x0F);
        var ones = Vector256.Create((short)1);
        var spreadLow = Vector256.Create(0, 0, 0, 0, 1, 1, 1, 1);
        var spreadHigh = Vector256.Create(2, 2, 2, 2, 3, 3, 3, 3);
        for (int b = 0; b < a.BlocksPerRow; b++)
        {
            ushort* sb = ws + b * PackedWeight.ScaleStride;
            byte* wb = w + b * PackedWeight.BlockStride;
            var bits = Vector128.Create((uint)sb[0], sb[4], sb[8], sb[12]);
            var blockScales = Sse2.ShiftLeftLogical(bits, 16).AsSingle().ToVector256Unsafe();
            sbyte* xb = x + b * 128;
            acc = Half(wb, xb, offsets + b * 16, scales + b * 16,
                Avx2.PermuteVar8x32(blockScales, spreadLow), mask, ones, acc);
            acc = Half(wb + 32, xb + 32, offsets + b * 16 + 8, scales + b * 16 + 8,
                Avx2.PermuteVar8x32(blockScales, spreadHigh), mask, ones, acc);
        }
        return Vector256.Sum(acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Half(byte* w, sbyte* x, int* offsets, float* scales,
        Vector256<float> weightScale, Vector256<byte> mask, Vector256<short> ones, Vector256<float> acc)
    {
        var packed = Vector256.Load(w);
        var low = packed & mask;
        var high = Avx2.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & mask;
        var pairs = Avx2.Add(
            Avx2.MultiplyAddAdjacent(low, Vector256.Load(x)),
            Avx2.MultiplyAddAdjacent(high, Vector256.Load(x + 64)));
        var sums = Avx2.MultiplyAddAdjacent(pairs, ones) + Vector256.Load(offsets);
        return Fma.MultiplyAdd(Avx.ConvertToVector256Single(sums), weightScale * Vector256.Load(scales), acc);
    }
}
