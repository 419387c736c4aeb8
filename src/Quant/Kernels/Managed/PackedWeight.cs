using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>
/// The managed kernel's weight layout. Each row is cut into blocks of 128 inputs (4 groups of 32, the row
/// zero-padded to whole blocks); a block is 64 bytes where byte 16·j + i holds input i of group j in its low
/// nibble and input 16 + i in its high nibble, as unsigned value + 8. Rows come in tiles of 4 whose blocks
/// are interleaved (block 0 of rows 0–3, block 1 of rows 0–3, ...), so a decode product reading four rows at
/// once reads one sequential stream. One bfloat16 scale per group of 32 lives in a separate array, tiled the
/// same way, group-major within a block (group 0 of rows 0–3, group 1 of rows 0–3, ...).
/// </summary>
internal sealed unsafe class PackedWeight : IDisposable
{
    public const int BlockInputs = 128;
    public const int BlockBytes = 64;
    public const int GroupsPerBlock = 4;
    public const int TileRows = 4;

    /// <summary>Where group j of block b of a row sits, counted from <see cref="RowScales"/>.</summary>
    public static int ScaleIndex(int block, int group) => block * ScaleStride + group * TileRows;

    /// <summary>Bytes from one block of a row to its next block.</summary>
    public const int BlockStride = TileRows * BlockBytes;

    /// <summary>Scales from one block of a row to its next block.</summary>
    public const int ScaleStride = TileRows * GroupsPerBlock;

    private const int HugePage = 2 << 20;

    // Single-row dot products load a whole block's 32 bytes of scales starting at their row's first one.
    private const int ScaleReadPadding = 64;
    private const int AdviseHugePage = 14;

    private byte* _weights;
    private ushort* _scales;

    public PackedWeight(Int4Weight weight)
    {
        Rows = weight.Rows;
        Columns = weight.Columns;
        BlocksPerRow = (Columns + BlockInputs - 1) / BlockInputs;
        long tiledRows = (Rows + TileRows - 1) / TileRows * TileRows;
        _weights = (byte*)Allocate(tiledRows * RowBytes);
        _scales = (ushort*)Allocate(tiledRows * ScalesPerRow * 2 + ScaleReadPadding);
        Parallel.For(0, (int)(tiledRows / TileRows), tile =>
        {
            for (int r = tile * TileRows; r < (tile + 1) * TileRows; r++)
                PackRow(weight, r);
        });
    }

    public int Rows { get; }

    public int Columns { get; }

    public int BlocksPerRow { get; }

    public int RowBytes => BlocksPerRow * BlockBytes;

    public int ScalesPerRow => BlocksPerRow * GroupsPerBlock;

    public long Bytes => (long)Rows * (RowBytes + BlocksPerRow * GroupsPerBlock * 2);

    /// <summary>Block 0 of a row; block b is <see cref="BlockStride"/>·b bytes further.</summary>
    public byte* RowWeights(int row) =>
        _weights + (long)(row / TileRows) * TileRows * RowBytes + row % TileRows * BlockBytes;

    /// <summary>
    /// The scale of group 0 of block 0 of a row; group j of block b is <see cref="ScaleStride"/>·b +
    /// <see cref="TileRows"/>·j further.
    /// </summary>
    public ushort* RowScales(int row) =>
        _scales + (long)(row / TileRows) * TileRows * ScalesPerRow + row % TileRows;

    /// <summary>Round to nearest even bfloat16 (finite inputs).</summary>
    public static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    public static float FromBFloat16(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    public void Dispose()
    {
        NativeMemory.AlignedFree(_weights);
        NativeMemory.AlignedFree(_scales);
        _weights = null;
        _scales = null;
        GC.SuppressFinalize(this);
    }

    ~PackedWeight() => Dispose();

    private static void* Allocate(long bytes)
    {
        void* memory = NativeMemory.AlignedAlloc((nuint)bytes, HugePage);
        if (OperatingSystem.IsLinux() && bytes >= HugePage)
            _ = madvise(memory, (nuint)bytes, AdviseHugePage);
        return memory;
    }

    /// <summary>Packs a row (zeros for the padding rows of the last tile).</summary>
    private void PackRow(Int4Weight weight, int row)
    {
        byte* dst = RowWeights(row);
        ushort* scales = RowScales(row);
        int valid = row < Rows ? Columns : 0;
        var offset = Vector128.Create((byte)8);
        fixed (sbyte* all = weight.Values)
        {
            sbyte* values = all + (long)Math.Min(row, Rows - 1) * Columns;
            for (int g = 0; g < ScalesPerRow; g++)
            {
                int first = g * 32;
                int block = g / GroupsPerBlock, j = g % GroupsPerBlock;
                scales[ScaleIndex(block, j)] = first < valid
                    ? ToBFloat16(weight.Scales[(long)row * weight.GroupsPerRow + first / weight.GroupSize])
                    : (ushort)0;
                byte* bytes = dst + block * BlockStride + j * 16;
                if (first + 32 <= valid)
                {
                    var low = Vector128.Load((byte*)values + first) + offset;
                    var high = Vector128.Load((byte*)values + first + 16) + offset;
                    (low | Vector128.ShiftLeft(high, 4)).Store(bytes);
                    continue;
                }
                for (int i = 0; i < 16; i++)
                {
                    int low = Value(values, valid, first + i) + 8;
                    int high = Value(values, valid, first + 16 + i) + 8;
                    bytes[i] = (byte)(low | (high << 4));
                }
            }
        }
    }

    // Large weights on 2 MiB pages: with 4 KiB pages a stream through the LM head misses the TLB every 4 KiB.
    [DllImport("libc")]
    private static extern int madvise(void* address, nuint length, int advice);

    private static int Value(sbyte* values, int valid, int column) => column < valid ? values[column] : 0;
}
