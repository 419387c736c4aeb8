using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>
/// Activation rows quantized to int8 per group of 32 (scale = max |x| / 127), laid out to match
/// <see cref="PackedWeight"/>: per block, the first halves of its 4 groups, then the second halves. Beside
/// them, per group and repeated for the 4 int32 lanes a group's products land in: the scale, and −2 × the
/// group's integer sum (the 4 lanes add up to −8 × sum, undoing the +8 offset of the stored weights).
/// </summary>
internal sealed unsafe class QuantizedActivations : IDisposable
{
    private int _capacityRows;

    public QuantizedActivations(int blocksPerRow) => BlocksPerRow = blocksPerRow;

    public int BlocksPerRow { get; }

    public int Rows { get; private set; }

    public sbyte* Values { get; private set; }

    public int* Offsets { get; private set; }

    public float* Scales { get; private set; }

    public int LanesPerRow => BlocksPerRow * 16;

    public int ValuesPerRow => BlocksPerRow * PackedWeight.BlockInputs;

    public sbyte* RowValues(int row) => Values + (long)row * ValuesPerRow;

    public int* RowOffsets(int row) => Offsets + (long)row * LanesPerRow;

    public float* RowScales(int row) => Scales + (long)row * LanesPerRow;

    public void Quantize(float* x, int rows, int columns)
    {
        Reserve(rows);
        Rows = rows;
        for (int r = 0; r < rows; r++)
            QuantizeRow(x + (long)r * columns, columns, RowValues(r), RowOffsets(r), RowScales(r));
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~QuantizedActivations() => Free();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void QuantizeRow(float* x, int columns, sbyte* values, int* offsets, float* scales)
    {
        float* group = stackalloc float[32];
        for (int g = 0; g < BlocksPerRow * PackedWeight.GroupsPerBlock; g++)
        {
            int first = g * 32, count = Math.Clamp(columns - first, 0, 32);
            float* src = x + first;
            if (count < 32)
            {
                new Span<float>(group, 32).Clear();
                new Span<float>(x + Math.Min(first, columns), count).CopyTo(new Span<float>(group, 32));
                src = group;
            }
            var a = Vector256.Load(src);
            var b = Vector256.Load(src + 8);
            var c = Vector256.Load(src + 16);
            var d = Vector256.Load(src + 24);
            var max = Vector256.Max(Vector256.Max(Vector256.Abs(a), Vector256.Abs(b)),
                Vector256.Max(Vector256.Abs(c), Vector256.Abs(d)));
            float amax = 0;
            for (int i = 0; i < 8; i++)
                amax = MathF.Max(amax, max[i]);
            float scale = amax / 127f, inverse = amax == 0 ? 0 : 127f / amax;
            var qa = Vector256.ConvertToInt32(Vector256.Round(a * inverse));
            var qb = Vector256.ConvertToInt32(Vector256.Round(b * inverse));
            var qc = Vector256.ConvertToInt32(Vector256.Round(c * inverse));
            var qd = Vector256.ConvertToInt32(Vector256.Round(d * inverse));
            int sum = Vector256.Sum(qa + qb + qc + qd);
            var first16 = Vector256.Narrow(Vector256.Narrow(qa, qb), Vector256.Narrow(qa, qb)).GetLower();
            var second16 = Vector256.Narrow(Vector256.Narrow(qc, qd), Vector256.Narrow(qc, qd)).GetLower();

            int block = g / PackedWeight.GroupsPerBlock, j = g % PackedWeight.GroupsPerBlock;
            sbyte* blockValues = values + block * PackedWeight.BlockInputs;
            first16.Store(blockValues + j * 16);
            second16.Store(blockValues + 64 + j * 16);
            Vector128.Create(-2 * sum).Store(offsets + g * 4);
            Vector128.Create(scale).Store(scales + g * 4);
        }
    }

    private void Reserve(int rows)
    {
        if (rows <= _capacityRows)
            return;
        Free();
        _capacityRows = Math.Max(rows, 4);
        Values = (sbyte*)NativeMemory.AlignedAlloc((nuint)((long)_capacityRows * ValuesPerRow), 64);
        Offsets = (int*)NativeMemory.AlignedAlloc((nuint)((long)_capacityRows * LanesPerRow * 4), 64);
        Scales = (float*)NativeMemory.AlignedAlloc((nuint)((long)_capacityRows * LanesPerRow * 4), 64);
    }

    private void Free()
    {
        NativeMemory.AlignedFree(Values);
        NativeMemory.AlignedFree(Offsets);
        NativeMemory.AlignedFree(Scales);
        Values = null;
        Offsets = null;
        Scales = null;
        _capacityRows = 0;
    }
}
