using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>
/// AVX-512BW dot products of packed weight rows with int8 activation rows: unsigned nibble × signed byte
/// multiply-adds into int16 (both halves of a group land in the same lanes), then into int32 (4 lanes per
/// group), plus the offset correction, converted once per block and scaled by weight × activation scales.
/// </summary>
internal static unsafe class DotAvx512
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot1(byte* w, ushort* ws, QuantizedActivations a, int row)
    {
        sbyte* x = a.RowValues(row);
        int* offsets = a.RowOffsets(row);
        float* scales = a.RowScales(row);
        var acc = Vector512<float>.Zero;
        var mask = Vector512.Create((byte)0x0F);
        var ones = Vector512.Create((short)1);
        var spread = ScaleSpread();
        for (int b = 0; b < a.BlocksPerRow; b++)
        {
            acc = Block(w + b * PackedWeight.BlockStride, ws + b * PackedWeight.ScaleStride, Vector512.Load(x + b * 128), Vector512.Load(x + b * 128 + 64),
                Vector512.Load(offsets + b * 16), Vector512.Load(scales + b * 16), mask, ones, spread, acc);
        }
        return Vector512.Sum(acc);
    }

    /// <summary>
    /// A tile of four weight rows against one activation row, the decode case: the tile is one sequential
    /// stream, activations are loaded once for the four rows, and the four sums are stored as one vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows4(byte* w, ushort* ws, QuantizedActivations a, int token, float* output)
    {
        sbyte* x = a.RowValues(token);
        int* offsets = a.RowOffsets(token);
        float* scales = a.RowScales(token);
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var mask = Vector512.Create((byte)0x0F);
        var ones = Vector512.Create((short)1);
        var spread = ScaleSpread();
        for (int b = 0; b < a.BlocksPerRow; b++)
        {
            var x0 = Vector512.Load(x + b * 128);
            var x1 = Vector512.Load(x + b * 128 + 64);
            var offset = Vector512.Load(offsets + b * 16);
            var scale = Vector512.Load(scales + b * 16);
            byte* wb = w + b * PackedWeight.BlockStride;
            ushort* sb = ws + b * PackedWeight.ScaleStride;
            acc0 = Block(wb, sb, x0, x1, offset, scale, mask, ones, spread, acc0);
            acc1 = Block(wb + 64, sb + 4, x0, x1, offset, scale, mask, ones, spread, acc1);
            acc2 = Block(wb + 128, sb + 8, x0, x1, offset, scale, mask, ones, spread, acc2);
            acc3 = Block(wb + 192, sb + 12, x0, x1, offset, scale, mask, ones, spread, acc3);
        }
        Sum4(acc0, acc1, acc2, acc3).Store(output);
    }

    /// <summary>Four activation rows against one weight row: each block's nibbles are unpacked once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dot4(byte* w, ushort* ws, QuantizedActivations a, int row, float* out0, int stride)
    {
        int lanes = a.LanesPerRow, values = a.ValuesPerRow;
        sbyte* x = a.RowValues(row);
        int* offsets = a.RowOffsets(row);
        float* scales = a.RowScales(row);
        Vector512<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var mask = Vector512.Create((byte)0x0F);
        var ones = Vector512.Create((short)1);
        var spread = ScaleSpread();
        for (int b = 0; b < a.BlocksPerRow; b++)
        {
            var packed = Vector512.Load(w + b * PackedWeight.BlockStride);
            var low = packed & mask;
            var high = Avx512BW.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & mask;
            var weightScale = WeightScales(ws + b * PackedWeight.ScaleStride, spread);
            sbyte* xb = x + b * 128;
            int* ob = offsets + b * 16;
            float* sb = scales + b * 16;
            acc0 = Step(low, high, xb, ob, sb, weightScale, ones, acc0);
            acc1 = Step(low, high, xb + values, ob + lanes, sb + lanes, weightScale, ones, acc1);
            acc2 = Step(low, high, xb + 2 * values, ob + 2 * lanes, sb + 2 * lanes, weightScale, ones, acc2);
            acc3 = Step(low, high, xb + 3 * values, ob + 3 * lanes, sb + 3 * lanes, weightScale, ones, acc3);
        }
        var sums = Sum4(acc0, acc1, acc2, acc3);
        out0[0] = sums.GetElement(0);
        out0[stride] = sums.GetElement(1);
        out0[2 * stride] = sums.GetElement(2);
        out0[3 * stride] = sums.GetElement(3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Block(byte* w, ushort* ws, Vector512<sbyte> x0, Vector512<sbyte> x1,
        Vector512<int> offset, Vector512<float> scale, Vector512<byte> mask, Vector512<short> ones,
        Vector512<sbyte> spread, Vector512<float> acc)
    {
        var packed = Vector512.Load(w);
        var low = packed & mask;
        var high = Avx512BW.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & mask;
        var pairs = Avx512BW.Add(Avx512BW.MultiplyAddAdjacent(low, x0), Avx512BW.MultiplyAddAdjacent(high, x1));
        var sums = Avx512BW.MultiplyAddAdjacent(pairs, ones) + offset;
        return Avx512F.FusedMultiplyAdd(
            Avx512F.ConvertToVector512Single(sums), WeightScales(ws, spread) * scale, acc);
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

    /// <summary>
    /// A block's 4 bfloat16 scales as floats, each repeated over its group's 4 lanes: the 8 bytes are broadcast
    /// to every 128-bit lane and a byte shuffle puts scale j in the high half of 128-bit lane j's four floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> WeightScales(ushort* ws, Vector512<sbyte> spread) =>
        Avx512BW.Shuffle(Vector512.Create(*(ulong*)ws).AsSByte(), spread).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> ScaleSpread() => Vector512.Create(
        -1, -1, 0, 1, -1, -1, 0, 1, -1, -1, 0, 1, -1, -1, 0, 1,
        -1, -1, 2, 3, -1, -1, 2, 3, -1, -1, 2, 3, -1, -1, 2, 3,
        -1, -1, 4, 5, -1, -1, 4, 5, -1, -1, 4, 5, -1, -1, 4, 5,
        -1, -1, 6, 7, -1, -1, 6, 7, -1, -1, 6, 7, -1, -1, 6, 7);

    /// <summary>The horizontal sums of four accumulators, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4(
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        var h01 = Avx.HorizontalAdd(a0.GetLower() + a0.GetUpper(), a1.GetLower() + a1.GetUpper());
        var h23 = Avx.HorizontalAdd(a2.GetLower() + a2.GetUpper(), a3.GetLower() + a3.GetUpper());
        var q = Avx.HorizontalAdd(h01, h23);
        return q.GetLower() + q.GetUpper();
    }
}
