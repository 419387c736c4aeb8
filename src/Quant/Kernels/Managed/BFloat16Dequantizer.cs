using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>
/// Packed 4-bit weight rows → bfloat16 [out, in], each value (nibble − 8) × its group's bfloat16 scale rounded
/// to nearest even exactly as <see cref="PackedWeight.ToBFloat16"/> does. A group has only 16 possible values,
/// so with AVX-512 VBMI each block of 128 inputs computes its 4 × 16 bfloat16 values once (4 multiplies and
/// roundings) and the 128 weights look them up with two-table permutes (<see cref="LookupRows"/>); otherwise
/// every weight is converted, multiplied and rounded (<see cref="ConvertRows"/>).
/// </summary>
internal static unsafe class BFloat16Dequantizer
{
    private const int Stride = PackedWeight.BlockStride;
    private const int ScaleStride = PackedWeight.ScaleStride;
    private const int Tile = PackedWeight.TileRows;

    public static bool CanLookUp => Avx512Vbmi.IsSupported && Avx512BW.IsSupported;

    /// <summary>Rows [first, end) of the weight into destination + row × Columns.</summary>
    public static void Rows(PackedWeight weight, ushort* destination, int first, int end, bool lookUp = true)
    {
        if (lookUp && CanLookUp)
            LookupRows(weight, destination, first, end);
        else
            ConvertRows(weight, destination, first, end);
    }

    /// <summary>
    /// Per block, the table holds value 16·j + nibble of group j (two vectors of 32 words: groups 0–1, 2–3).
    /// The nibbles become indices 16·j + nibble (low nibbles in L, high ones in H, byte 16·j + i of each);
    /// one byte permute per group puts group j's 16 low then 16 high indices into the low bytes of 32 words
    /// (a word permute reads only its index's low 6 bits), and one word permute looks the values up.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LookupRows(PackedWeight weight, ushort* destination, int first, int end)
    {
        int columns = weight.Columns, blocks = columns / PackedWeight.BlockInputs;
        var levels = Vector512.Create(-8f, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7);
        var roundingBias = Vector512.Create(0x7FFFu);
        var one = Vector512.Create(1u);
        var nibble = Vector512.Create((byte)0x0F);
        var upperWords = UpperWordIndices();
        var groupBase = GroupBase();
        var spread0 = SpreadIndices();
        var spread1 = spread0 + Vector512.Create((byte)16);
        var spread2 = spread0 + Vector512.Create((byte)32);
        var spread3 = spread0 + Vector512.Create((byte)48);
        for (int n = first; n < end; n++)
        {
            byte* w = weight.RowWeights(n);
            ushort* ws = weight.RowScales(n);
            ushort* dst = destination + (long)n * columns;
            for (int b = 0; b < blocks; b++, w += Stride, ws += ScaleStride, dst += PackedWeight.BlockInputs)
            {
                var r0 = Round(levels * Scale(ws), roundingBias, one);
                var r1 = Round(levels * Scale(ws + Tile), roundingBias, one);
                var r2 = Round(levels * Scale(ws + 2 * Tile), roundingBias, one);
                var r3 = Round(levels * Scale(ws + 3 * Tile), roundingBias, one);
                var table01 = Avx512BW.PermuteVar32x16x2(r0, upperWords, r1);
                var table23 = Avx512BW.PermuteVar32x16x2(r2, upperWords, r3);

                var packed = Vector512.Load(w);
                var low = Avx512F.TernaryLogic(packed, nibble, groupBase, 0xEA);
                var high = Avx512F.TernaryLogic(Avx512BW.ShiftRightLogical(packed.AsUInt16(), 4).AsByte(),
                    nibble, groupBase, 0xEA);
                Look(table01, table23, Avx512Vbmi.PermuteVar64x8x2(low, spread0, high), dst);
                Look(table01, table23, Avx512Vbmi.PermuteVar64x8x2(low, spread1, high), dst + 32);
                Look(table01, table23, Avx512Vbmi.PermuteVar64x8x2(low, spread2, high), dst + 64);
                Look(table01, table23, Avx512Vbmi.PermuteVar64x8x2(low, spread3, high), dst + 96);
            }
        }
        if (blocks * PackedWeight.BlockInputs < columns)
            ConvertTail(weight, destination, first, end, blocks);
    }

    /// <summary>The scale at ws (bfloat16) as a float in every lane; reads the next scale too (padded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Scale(ushort* ws) =>
        Vector512.ShiftLeft(Vector512.Create(*(uint*)ws), 16).AsSingle();

    /// <summary>Float bits + rounding to nearest even; the bfloat16 is the upper word of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> Round(Vector512<float> values, Vector512<uint> bias, Vector512<uint> one)
    {
        var bits = values.AsUInt32();
        return (bits + bias + (Vector512.ShiftRightLogical(bits, 16) & one)).AsUInt16();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Look(Vector512<ushort> table01, Vector512<ushort> table23, Vector512<byte> indices,
        ushort* dst) =>
        Avx512BW.PermuteVar32x16x2(table01, indices.AsUInt16(), table23).Store(dst);

    /// <summary>Word p of a table from two rounded vectors: the upper word of lane p of the pair.</summary>
    private static Vector512<ushort> UpperWordIndices()
    {
        Span<ushort> indices = stackalloc ushort[32];
        for (int p = 0; p < 32; p++)
            indices[p] = (ushort)(p < 16 ? 2 * p + 1 : 32 + 2 * (p - 16) + 1);
        return Vector512.Create<ushort>(indices);
    }

    /// <summary>16·j at byte 16·j + i: turns group j's nibbles into table indices.</summary>
    private static Vector512<byte> GroupBase()
    {
        Span<byte> bases = stackalloc byte[64];
        for (int i = 0; i < 64; i++)
            bases[i] = (byte)(i / 16 * 16);
        return Vector512.Create<byte>(bases);
    }

    /// <summary>Group 0's output word m from L (m &lt; 16) or H (m ≥ 16), byte 16 + i of a two-vector permute
    /// being byte i of the second vector; both bytes of the word get it (only the low one counts).</summary>
    private static Vector512<byte> SpreadIndices()
    {
        Span<byte> indices = stackalloc byte[64];
        for (int m = 0; m < 32; m++)
            indices[2 * m] = indices[2 * m + 1] = (byte)(m < 16 ? m : 64 + m - 16);
        return Vector512.Create<byte>(indices);
    }

    /// <summary>Without VBMI: every weight widened, converted, multiplied by its scale and rounded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvertRows(PackedWeight weight, ushort* destination, int first, int end)
    {
        int blocks = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            int columns = weight.Columns;
            blocks = columns / PackedWeight.BlockInputs;
            for (int n = first; n < end; n++)
            {
                byte* w = weight.RowWeights(n);
                ushort* ws = weight.RowScales(n);
                ushort* dst = destination + (long)n * columns;
                for (int b = 0; b < blocks; b++, w += Stride, ws += ScaleStride)
                {
                    for (int j = 0; j < PackedWeight.GroupsPerBlock; j++, dst += 32)
                        ConvertGroup(w + j * 16, ws[j * Tile], dst);
                }
            }
        }
        ConvertTail(weight, destination, first, end, blocks);
    }

    /// <summary>Columns from block <paramref name="firstBlock"/> on: whole groups vectorized, then scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvertTail(PackedWeight weight, ushort* destination, int first, int end, int firstBlock)
    {
        int columns = weight.Columns;
        for (int n = first; n < end; n++)
        {
            byte* w = weight.RowWeights(n);
            ushort* ws = weight.RowScales(n);
            ushort* dst = destination + (long)n * columns;
            int k = firstBlock * PackedWeight.BlockInputs;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; k + 32 <= columns; k += 32)
                {
                    int block = k / PackedWeight.BlockInputs, j = k / 32 % PackedWeight.GroupsPerBlock;
                    ConvertGroup(w + block * Stride + j * 16, ws[PackedWeight.ScaleIndex(block, j)], dst + k);
                }
            }
            for (; k < columns; k++)
            {
                int block = k / PackedWeight.BlockInputs, j = k / 32 % PackedWeight.GroupsPerBlock, i = k % 32;
                byte packed = w[block * Stride + j * 16 + (i & 15)];
                int value = (i < 16 ? packed & 0x0F : packed >> 4) - 8;
                float scale = PackedWeight.FromBFloat16(ws[PackedWeight.ScaleIndex(block, j)]);
                dst[k] = PackedWeight.ToBFloat16(value * scale);
            }
        }
    }

    /// <summary>One group's 16 packed bytes: low nibbles are inputs 0–15, high nibbles inputs 16–31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ConvertGroup(byte* packed, ushort scaleBits, ushort* dst)
    {
        var bytes = Vector128.Load(packed);
        var scale = Vector512.Create(PackedWeight.FromBFloat16(scaleBits));
        ConvertHalf(bytes & Vector128.Create((byte)0x0F), scale, dst);
        ConvertHalf(Vector128.ShiftRightLogical(bytes, 4), scale, dst + 16);
    }

    /// <summary>16 unsigned nibbles (value + 8) → value × scale as bfloat16, rounded like ToBFloat16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ConvertHalf(Vector128<byte> nibbles, Vector512<float> scale, ushort* dst)
    {
        var words = Vector256.WidenLower(nibbles.ToVector256Unsafe());
        var values = Vector512.WidenLower(words.ToVector512Unsafe());
        var floats = Vector512.ConvertToSingle(values.AsInt32() - Vector512.Create(8)) * scale;
        var bits = floats.AsUInt32();
        var rounded = (bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512.Create(1u))) >> 16;
        Vector256.Narrow(rounded.GetLower(), rounded.GetUpper()).Store(dst);
    }
}
