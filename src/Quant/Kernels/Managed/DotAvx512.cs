using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>
/// AVX-512BW dot products of one packed weight row with int8 activation rows: unsigned nibble × signed byte
/// multiply-adds into int16 (both halves of a group land in the same lanes), then into int32 (4 lanes per
/// group), plus the offset correction, converted once per block and scaled by weight × activation scales.
/// </summary>
internal static unsafe class DotAvx512
{
    public static float Dot1(byte* w, ushort* ws, QuantizedActivations a, int row)
    {
        sbyte* x = a.RowValues(row);
        int* offsets = a.RowOffsets(row);
        float* scales = a.RowScales(row);
        var acc = Vector512<float>.Zero;
        var mask = Vector512.Create((byte)0x0F);
        var ones = Vector512.Create((short)1);
        var spread = Vector512.Create(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
        for (int b = 0; b < a.BlocksPerRow; b++)
        {
            var packed = Vector512.Load(w + b * 64);
            var low = packed & mask;
            var high = Avx512BW.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & mask;
            var pairs = Avx512BW.Add(
                Avx512BW.MultiplyAddAdjacent(low, Vector512.Load(x + b * 128)),
                Avx512BW.MultiplyAddAdjacent(high, Vector512.Load(x + b * 128 + 64)));
            var sums = Avx512BW.MultiplyAddAdjacent(pairs, ones) + Vector512.Load(offsets + b * 16);
            var scale = WeightScales(ws + b * 4, spread) * Vector512.Load(scales + b * 16);
            acc = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sums), scale, acc);
        }
        return Vector512.Sum(acc);
    }

    /// <summary>Four activation rows against one weight row: each block's nibbles are unpacked once.</summary>
    public static void Dot4(byte* w, ushort* ws, QuantizedActivations a, int row, float* out0, int stride)
    {
        int lanes = a.LanesPerRow, values = a.ValuesPerRow;
        sbyte* x = a.RowValues(row);
        int* offsets = a.RowOffsets(row);
        float* scales = a.RowScales(row);
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var mask = Vector512.Create((byte)0x0F);
        var ones = Vector512.Create((short)1);
        var spread = Vector512.Create(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
        for (int b = 0; b < a.BlocksPerRow; b++)
        {
            var packed = Vector512.Load(w + b * 64);
            var low = packed & mask;
            var high = Avx512BW.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & mask;
            var weightScale = WeightScales(ws + b * 4, spread);
            sbyte* xb = x + b * 128;
            int* ob = offsets + b * 16;
            float* sb = scales + b * 16;
            acc0 = Step(low, high, xb, ob, sb, weightScale, ones, acc0);
            acc1 = Step(low, high, xb + values, ob + lanes, sb + lanes, weightScale, ones, acc1);
            acc2 = Step(low, high, xb + 2 * values, ob + 2 * lanes, sb + 2 * lanes, weightScale, ones, acc2);
            acc3 = Step(low, high, xb + 3 * values, ob + 3 * lanes, sb + 3 * lanes, weightScale, ones, acc3);
        }
        out0[0] = Vector512.Sum(acc0);
        out0[stride] = Vector512.Sum(acc1);
        out0[2 * stride] = Vector512.Sum(acc2);
        out0[3 * stride] = Vector512.Sum(acc3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Step(Vector512<byte> low, Vector512<byte> high, sbyte* x, int* offsets,
        float* scales, Vector512<float> weightScale, Vector512<short> ones, Vector512<float> acc)
    {
        var pairs = Avx512BW.Add(
            Avx512BW.MultiplyAddAdjacent(low, Vector512.Load(x)),
            Avx512BW.MultiplyAddAdjacent(high, Vector512.Load(x + 64)));
        var sums = Avx512BW.MultiplyAddAdjacent(pairs, ones) + Vector512.Load(offsets);
        return Avx512F.FusedMultiplyAdd(
            Avx512F.ConvertToVector512Single(sums), weightScale * Vector512.Load(scales), acc);
    }

    /// <summary>A block's 4 bfloat16 scales as floats, each repeated over its group's 4 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> WeightScales(ushort* ws, Vector512<int> spread)
    {
        var bits = Sse41.ConvertToVector128Int32(Vector128.CreateScalar(*(ulong*)ws).AsUInt16());
        var floats = Sse2.ShiftLeftLogical(bits, 16).AsSingle();
        return Avx512F.PermuteVar16x32(floats.ToVector256Unsafe().ToVector512Unsafe(), spread);
    }
}
