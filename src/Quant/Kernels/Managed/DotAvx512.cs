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
    private const int Stride = PackedWeight.BlockStride;
    private const int ScaleStride = PackedWeight.ScaleStride;
    // Tiles ask for the weights 4 KiB ahead of the block being multiplied: one thread then reads 26–29 GB/s on
    // cold LM heads instead of 23 (eng/bench --only decode); 1–2 KiB ahead was too late to matter.
    private const int PrefetchDistance = 4096;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot1(byte* w, ushort* ws, QuantizedActivations a, int row)
    {
        sbyte* x = a.RowValues(row);
        int* offsets = a.RowOffsets(row);
        float* scales = a.RowScales(row);
        var acc = Vector512<float>.Zero;
        var mask = Vector512.Create((byte)0x0F);
        var ones = Vector512.Create((short)1);
        var spread = RowScaleSpread();
        for (int b = 0; b < a.BlocksPerRow; b++)
        {
            var x0 = Vector512.Load(x + b * 128);
            var x1 = Vector512.Load(x + b * 128 + 64);
            var sums = Sums(w + b * Stride, x0, x1, mask, ones) + Vector512.Load(offsets + b * 16);
            var scale = RowScales(ws + b * ScaleStride, spread) * Vector512.Load(scales + b * 16);
            acc = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sums), scale, acc);
        }
        return Vector512.Sum(acc);
    }

    /// <summary>
    /// Consecutive tiles of four weight rows against one activation row, the decode case. Each tile is one
    /// sequential stream; its four rows' integer sums are folded into one vector (lane 4·j + r: group j of
    /// row r), so the offset, conversion and scaling happen once per block for all four rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tiles(byte* w, ushort* ws, int tiles, QuantizedActivations a, int token, float* output)
    {
        sbyte* x = a.RowValues(token);
        int* offsets = a.RowOffsets(token);
        float* scales = a.RowScales(token);
        int blocks = a.BlocksPerRow;
        var mask = Vector512.Create((byte)0x0F);
        var ones = Vector512.Create((short)1);
        for (int t = 0; t < tiles; t++)
        {
            var sums = Tile(w, ws, blocks, x, offsets, scales, mask, ones);
            sums.Store(output);
            w += (long)blocks * Stride;
            ws += blocks * ScaleStride;
            output += PackedWeight.TileRows;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Tile(byte* w, ushort* ws, int blocks, sbyte* x, int* offsets, float* scales,
        Vector512<byte> mask, Vector512<short> ones)
    {
        var acc = Vector512<float>.Zero;
        for (int b = 0; b < blocks; b++)
        {
            var x0 = Vector512.Load(x + b * 128);
            var x1 = Vector512.Load(x + b * 128 + 64);
            byte* wb = w + b * Stride;
            Sse.Prefetch0(wb + PrefetchDistance);
            Sse.Prefetch0(wb + PrefetchDistance + 64);
            Sse.Prefetch0(wb + PrefetchDistance + 128);
            Sse.Prefetch0(wb + PrefetchDistance + 192);
            var p0 = Pairs(wb, x0, x1, mask);
            var p1 = Pairs(wb + 64, x0, x1, mask);
            var p2 = Pairs(wb + 128, x0, x1, mask);
            var p3 = Pairs(wb + 192, x0, x1, mask);
            var p01 = Avx512F.UnpackLow(p0.AsInt32(), p1.AsInt32()).AsInt16()
                + Avx512F.UnpackHigh(p0.AsInt32(), p1.AsInt32()).AsInt16();
            var p23 = Avx512F.UnpackLow(p2.AsInt32(), p3.AsInt32()).AsInt16()
                + Avx512F.UnpackHigh(p2.AsInt32(), p3.AsInt32()).AsInt16();
            var folded = Avx512F.UnpackLow(p01.AsInt64(), p23.AsInt64()).AsInt16()
                + Avx512F.UnpackHigh(p01.AsInt64(), p23.AsInt64()).AsInt16();
            var sums = Avx512BW.MultiplyAddAdjacent(folded, ones)
                + Avx512F.ShiftLeftLogical(Vector512.Load(offsets + b * 16), 2);
            var weightScales = Avx512F.ShiftLeftLogical(
                Avx512F.ConvertToVector512UInt32(Vector256.Load(ws + b * ScaleStride)), 16).AsSingle();
            acc = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sums),
                weightScales * Vector512.Load(scales + b * 16), acc);
        }
        var half = acc.GetLower() + acc.GetUpper();
        return half.GetLower() + half.GetUpper();
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
        var spread = RowScaleSpread();
        for (int b = 0; b < a.BlocksPerRow; b++)
        {
            var packed = Vector512.Load(w + b * Stride);
            var low = packed & mask;
            var high = Avx512BW.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & mask;
            var weightScale = RowScales(ws + b * ScaleStride, spread);
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

    /// <summary>
    /// A block's int16 sums, 8 lanes per group. Each lane is at most 4 × 15 × 128 in magnitude, so the tile
    /// can add four lanes in int16 (≤ 30720) before widening: two word-pair unpack levels fold the four rows
    /// (lane pairs stay within one row), and one multiply-add with ones makes the int32 sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Pairs(byte* w, Vector512<sbyte> x0, Vector512<sbyte> x1, Vector512<byte> mask)
    {
        var packed = Vector512.Load(w);
        var low = packed & mask;
        var high = Avx512BW.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & mask;
        return Avx512BW.Add(Avx512BW.MultiplyAddAdjacent(low, x0), Avx512BW.MultiplyAddAdjacent(high, x1));
    }

    /// <summary>A block's int32 sums, 4 lanes per group, before the offset correction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Sums(byte* w, Vector512<sbyte> x0, Vector512<sbyte> x1, Vector512<byte> mask,
        Vector512<short> ones) => Avx512BW.MultiplyAddAdjacent(Pairs(w, x0, x1, mask), ones);

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
    /// One row's 4 bfloat16 scales of a block (every 4th of the block's 16) as floats, each repeated over its
    /// group's 4 lanes: a word permute puts scale j in the low half of 128-bit lane j's words, a shift makes
    /// them the high halves of floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> RowScales(ushort* ws, Vector512<ushort> spread) => Avx512F.ShiftLeftLogical(
        Avx512BW.PermuteVar32x16(Vector256.Load(ws).ToVector512Unsafe(), spread).AsUInt32(), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> RowScaleSpread() => Vector512.Create(
        (ushort)0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4,
        8, 8, 8, 8, 8, 8, 8, 8, 12, 12, 12, 12, 12, 12, 12, 12);
}
