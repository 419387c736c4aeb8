using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>
/// Packed 4-bit weight rows → bfloat16 [out, in]: each value (nibble − 8) × its group's bfloat16 scale,
/// rounded to nearest even exactly as <see cref="PackedWeight.ToBFloat16"/> does. A group has only 16
/// possible values, so with AVX-512 VBMI each block of 128 inputs computes its 4 × 16 values once and its
/// weights look them up with permutes (<see cref="LookupRows"/>, ~4× faster); otherwise every weight is
/// converted, multiplied and rounded (<see cref="ConvertRows"/>).
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
    /// Per block, two tables of 32 words (groups 0–1, 2–3) hold value 16·j + nibble of group j. As −m × s is
    /// exactly the negation of m × s and rounds to its negation, only m × s for m = 1..8 are multiplied and
    /// rounded (one vector per two groups); a word permute places them, flipping the sign below nibble 8,
    /// and the zero keeps only s's sign. The nibbles become indices 16·j + nibble (low nibbles in L, high
    /// ones in H, byte 16·j + i of each); per group, a byte permute puts its 16 low then 16 high indices into
    /// the low bytes of 32 words (a word permute reads only its index's low 5 bits) and a word permute looks
    /// the values up.
    /// Limitation: a scale of bfloat16 infinity (from a float scale beyond bfloat16's range, which
    /// quantizing finite weights cannot produce) gives 0 where the scalar definition gives NaN (0 × ∞).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LookupRows(PackedWeight weight, ushort* destination, int first, int end)
    {
        int columns = weight.Columns, blocks = columns / PackedWeight.BlockInputs;
        // Row pointers computed here: a call in the row loop would make the JIT spill every constant vector.
        byte* weights = weight.RowWeights(0);
        ushort* scales = weight.RowScales(0);
        long tileBytes = (long)Tile * weight.RowBytes, tileScales = (long)Tile * weight.ScalesPerRow;
        var magnitudes = Vector512.Create(1f, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8);
        var roundingBias = Vector512.Create(0x7FFFu);
        var one = Vector512.Create(1u);
        var zero = Vector512<ushort>.Zero;
        var nibble = Vector512.Create((byte)0x0F);
        // Word 16·g + nibble of a table: the upper word of lane 8·g + m − 1, m = |nibble − 8| (1 for the
        // zero, which keeps only the sign); the sign flips below nibble 8.
        var tableIndices = Vector512.Create((ushort)15, 13, 11, 9, 7, 5, 3, 1, 1, 1, 3, 5, 7, 9, 11, 13,
            31, 29, 27, 25, 23, 21, 19, 17, 17, 17, 19, 21, 23, 25, 27, 29);
        var sign = Vector512.Create((ushort)0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000,
            0, 0, 0, 0, 0, 0, 0, 0, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000,
            0, 0, 0, 0, 0, 0, 0, 0);
        var keep = Vector512.Create((ushort)0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
            0x8000, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
            0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
            0x8000, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF);
        // From a block's 16 scale words (group j at 4·j) and zeros (words 32 on): floats whose lanes 0–7
        // hold one group's scale and lanes 8–15 the next group's.
        var scales01 = Vector512.Create(0x20u, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
            0x40020, 0x40020, 0x40020, 0x40020, 0x40020, 0x40020, 0x40020, 0x40020).AsUInt16();
        var scales23 = Vector512.Create(0x80020u, 0x80020, 0x80020, 0x80020, 0x80020, 0x80020, 0x80020,
            0x80020, 0xC0020, 0xC0020, 0xC0020, 0xC0020, 0xC0020, 0xC0020, 0xC0020, 0xC0020).AsUInt16();
        // 16·j at byte 16·j + i turns group j's nibbles into table indices.
        var groupBase = Vector512.Create(0ul, 0, 0x1010101010101010, 0x1010101010101010,
            0x2020202020202020, 0x2020202020202020, 0x3030303030303030, 0x3030303030303030).AsByte();
        // Group 0's output word m from L (m < 16) or H (m ≥ 16; byte 64 + i of a two-vector permute is
        // byte i of the second vector), in both bytes of the word (only the low one counts).
        var spread0 = Vector512.Create((ushort)0x0000, 0x0101, 0x0202, 0x0303, 0x0404, 0x0505, 0x0606, 0x0707,
            0x0808, 0x0909, 0x0A0A, 0x0B0B, 0x0C0C, 0x0D0D, 0x0E0E, 0x0F0F,
            0x4040, 0x4141, 0x4242, 0x4343, 0x4444, 0x4545, 0x4646, 0x4747,
            0x4848, 0x4949, 0x4A4A, 0x4B4B, 0x4C4C, 0x4D4D, 0x4E4E, 0x4F4F).AsByte();
        var spread1 = spread0 + Vector512.Create((byte)16);
        var spread2 = spread0 + Vector512.Create((byte)32);
        var spread3 = spread0 + Vector512.Create((byte)48);
        for (int n = first; n < end; n++)
        {
            byte* w = weights + (n >> 2) * tileBytes + (n & 3) * PackedWeight.BlockBytes;
            ushort* ws = scales + (n >> 2) * tileScales + (n & 3);
            ushort* dst = destination + (long)n * columns;
            for (int b = 0; b < blocks; b++, w += Stride, ws += ScaleStride, dst += PackedWeight.BlockInputs)
            {
                var scaleWords = Vector256.Load(ws).ToVector512Unsafe();
                var s01 = Avx512BW.PermuteVar32x16x2(scaleWords, scales01, zero).AsSingle();
                var s23 = Avx512BW.PermuteVar32x16x2(scaleWords, scales23, zero).AsSingle();
                var table01 = Table(Round(magnitudes * s01, roundingBias, one), tableIndices, sign, keep);
                var table23 = Table(Round(magnitudes * s23, roundingBias, one), tableIndices, sign, keep);

                var packed = Vector512.Load(w);
                var low = Avx512F.TernaryLogic(packed, nibble, groupBase, 0xEA);
                var high = Avx512F.TernaryLogic(Avx512BW.ShiftRightLogical(packed.AsUInt16(), 4).AsByte(),
                    nibble, groupBase, 0xEA);
                Look(table01, Avx512Vbmi.PermuteVar64x8x2(low, spread0, high), dst);
                Look(table01, Avx512Vbmi.PermuteVar64x8x2(low, spread1, high), dst + 32);
                Look(table23, Avx512Vbmi.PermuteVar64x8x2(low, spread2, high), dst + 64);
                Look(table23, Avx512Vbmi.PermuteVar64x8x2(low, spread3, high), dst + 96);
            }
        }
        if (blocks * PackedWeight.BlockInputs < columns)
            ConvertTail(weight, destination, first, end, blocks);
    }

    /// <summary>Float bits + rounding to nearest even; the bfloat16 is the upper word of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> Round(Vector512<float> values, Vector512<uint> bias, Vector512<uint> one)
    {
        var bits = values.AsUInt32();
        return (bits + bias + (Vector512.ShiftRightLogical(bits, 16) & one)).AsUInt16();
    }

    /// <summary>(rounded[index] ^ sign) &amp; keep: two groups' 16 values from their rounded m × s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> Table(Vector512<ushort> rounded, Vector512<ushort> indices,
        Vector512<ushort> sign, Vector512<ushort> keep) =>
        Avx512F.TernaryLogic(Avx512BW.PermuteVar32x16(rounded, indices), sign, keep, 0x28);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Look(Vector512<ushort> table, Vector512<byte> indices, ushort* dst) =>
        Avx512BW.PermuteVar32x16(table, indices.AsUInt16()).Store(dst);

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

    /// <summary>Columns from block <paramref name="firstBlock"/> on: whole groups vectorized, then
    /// scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvertTail(PackedWeight weight, ushort* destination, int first, int end,
        int firstBlock)
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
                    ushort scale = ws[PackedWeight.ScaleIndex(block, j)];
                    ConvertGroup(w + block * Stride + j * 16, scale, dst + k);
                }
            }
            for (; k < columns; k++)
            {
                int block = k / PackedWeight.BlockInputs, j = k / 32 % PackedWeight.GroupsPerBlock;
                int i = k % 32;
                byte packed = w[block * Stride + j * 16 + (i & 15)];
                int value = (i < 16 ? packed & 0x0F : packed >> 4) - 8;
                float scale = PackedWeight.FromBFloat16(ws[PackedWeight.ScaleIndex(block, j)]);
                dst[k] = PackedWeight.ToBFloat16(value * scale);
            }
        }
    }

    /// <summary>One group's 16 packed bytes: low nibbles are inputs 0–15, high ones inputs 16–31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ConvertGroup(byte* packed, ushort scaleBits, ushort* dst)
    {
        var bytes = Vector128.Load(packed);
        var scale = Vector512.Create(PackedWeight.FromBFloat16(scaleBits));
        ConvertHalf(bytes & Vector128.Create((byte)0x0F), scale, dst);
        ConvertHalf(Vector128.ShiftRightLogical(bytes, 4), scale, dst + 16);
    }

    /// <summary>16 unsigned nibbles (value + 8) → value × scale as bfloat16, rounded as ToBFloat16.</summary>
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
