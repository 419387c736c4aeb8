using System.Runtime.InteropServices;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>
/// The managed kernel's weight layout. Each row is cut into blocks of 128 inputs (4 groups of 32, the row
/// zero-padded to whole blocks); a block is 64 bytes where byte 16·j + i holds input i of group j in its low
/// nibble and input 16 + i in its high nibble, as unsigned value + 8. One bfloat16 scale per group of 32
/// follows in a separate array. Rows are contiguous, so a thread's static share of rows is one stream.
/// </summary>
internal sealed unsafe class PackedWeight : IDisposable
{
    public const int BlockInputs = 128;
    public const int BlockBytes = 64;
    public const int GroupsPerBlock = 4;

    private const int HugePage = 2 << 20;
    private const int AdviseHugePage = 14;

    private byte* _weights;
    private ushort* _scales;

    public PackedWeight(Int4Weight weight)
    {
        Rows = weight.Rows;
        Columns = weight.Columns;
        BlocksPerRow = (Columns + BlockInputs - 1) / BlockInputs;
        _weights = (byte*)NativeMemory.AlignedAlloc((nuint)((long)Rows * RowBytes), HugePage);
        if (OperatingSystem.IsLinux() && (long)Rows * RowBytes >= HugePage)
            _ = madvise(_weights, (nuint)((long)Rows * RowBytes), AdviseHugePage);
        _scales = (ushort*)NativeMemory.AlignedAlloc((nuint)((long)Rows * BlocksPerRow * GroupsPerBlock * 2), 64);
        Parallel.For(0, Rows, r => PackRow(weight, r));
    }

    public int Rows { get; }

    public int Columns { get; }

    public int BlocksPerRow { get; }

    public int RowBytes => BlocksPerRow * BlockBytes;

    public long Bytes => (long)Rows * (RowBytes + BlocksPerRow * GroupsPerBlock * 2);

    public byte* RowWeights(int row) => _weights + (long)row * RowBytes;

    public ushort* RowScales(int row) => _scales + (long)row * BlocksPerRow * GroupsPerBlock;

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

    private void PackRow(Int4Weight weight, int row)
    {
        byte* dst = RowWeights(row);
        ushort* scales = RowScales(row);
        int groups32 = BlocksPerRow * GroupsPerBlock;
        var values = weight.Values.AsSpan(row * Columns, Columns);
        for (int g = 0; g < groups32; g++)
        {
            int first = g * 32;
            scales[g] = first < Columns
                ? ToBFloat16(weight.Scales[row * weight.GroupsPerRow + first / weight.GroupSize])
                : (ushort)0;
            for (int i = 0; i < 16; i++)
            {
                int low = Value(values, first + i) + 8, high = Value(values, first + 16 + i) + 8;
                dst[g * 16 + i] = (byte)(low | (high << 4));
            }
        }
    }

    // Large weights on 2 MiB pages: with 4 KiB pages a stream through the LM head misses the TLB every 4 KiB.
    [DllImport("libc")]
    private static extern int madvise(void* address, nuint length, int advice);

    private static int Value(ReadOnlySpan<sbyte> values, int column) => column < values.Length ? values[column] : 0;
}
