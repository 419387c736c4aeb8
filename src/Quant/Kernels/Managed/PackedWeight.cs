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

    // Single-row dot products load a whole block's 32 bytes of scales starting at their row's first one.
    private const int ScaleReadPadding = 64;

    private HugePageArena.Block _weightMemory, _scaleMemory;
    private byte* _weights;
    private ushort* _scales;

    public PackedWeight(Int4Weight weight) : this(weight.Rows, weight.Columns)
    {
        PackRows(weight, 0);
        PackPadding();
    }

    /// <summary>Room for a [rows, columns] weight, to be filled a chunk of rows at a time with
    /// <see cref="PackRows"/> and finished with <see cref="PackPadding"/>.</summary>
    public PackedWeight(int rows, int columns)
    {
        Rows = rows;
        Columns = columns;
        BlocksPerRow = (Columns + BlockInputs - 1) / BlockInputs;
        long tiledRows = (Rows + TileRows - 1) / TileRows * TileRows;
        _weightMemory = HugePageArena.Shared.Allocate(tiledRows * RowBytes);
        _scaleMemory = HugePageArena.Shared.Allocate(tiledRows * ScalesPerRow * 2 + ScaleReadPadding);
        _weights = _weightMemory.Pointer;
        _scales = (ushort*)_scaleMemory.Pointer;
    }

    /// <summary>Packs the rows of <paramref name="chunk"/> as rows firstRow, firstRow + 1, ... of this weight.</summary>
    public void PackRows(Int4Weight chunk, int firstRow)
    {
        if (chunk.Columns != Columns || firstRow < 0 || firstRow + chunk.Rows > Rows)
            throw new QuantException($"Internal: rows {firstRow}+{chunk.Rows} do not fit a {Rows}×{Columns} weight.");
        Parallel.For(0, chunk.Rows, r => PackRow(chunk, r, firstRow + r));
    }

    /// <summary>Zeros the padding rows that complete the last tile.</summary>
    public void PackPadding()
    {
        long tiledRows = (Rows + TileRows - 1) / TileRows * TileRows;
        for (int row = Rows; row < tiledRows; row++)
            PackRow(null, 0, row);
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
        HugePageArena.Shared.Free(_weightMemory);
        HugePageArena.Shared.Free(_scaleMemory);
        (_weightMemory, _scaleMemory) = (default, default);
        _weights = null;
        _scales = null;
        GC.SuppressFinalize(this);
    }

    ~PackedWeight() => Dispose();

    /// <summary>Packs row <paramref name="sourceRow"/> of <paramref name="weight"/> as row <paramref name="row"/>;
    /// without a weight, a padding row of zeros.</summary>
    private void PackRow(Int4Weight? weight, int sourceRow, int row)
    {
        byte* dst = RowWeights(row);
        ushort* scales = RowScales(row);
        int valid = weight is null ? 0 : Columns;
        var offset = Vector128.Create((byte)8);
        fixed (sbyte* all = weight?.Values)
        {
            sbyte* values = all + (long)sourceRow * Columns;
            for (int g = 0; g < ScalesPerRow; g++)
            {
                int first = g * 32;
                int block = g / GroupsPerBlock, j = g % GroupsPerBlock;
                scales[ScaleIndex(block, j)] = first < valid
                    ? ToBFloat16(weight!.Scales[(long)sourceRow * weight.GroupsPerRow + first / weight.GroupSize])
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

    private static int Value(sbyte* values, int valid, int column) => column < valid ? values[column] : 0;
}
