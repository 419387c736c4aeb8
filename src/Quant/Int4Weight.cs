using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant;

/// <summary>
/// A weight [rows = outputs, columns = inputs] quantized symmetrically to 4-bit integers in [-8, 7] with one
/// float scale per group of <see cref="GroupSize"/> inputs of a row: w ≈ value × scale.
/// </summary>
public sealed class Int4Weight
{
    private const int RowsPerChunk = 1024;

    public Int4Weight(int rows, int columns, int groupSize, sbyte[] values, float[] scales)
    {
        if (columns % groupSize != 0 || values.Length != (long)rows * columns ||
            scales.Length != (long)rows * (columns / groupSize))
            throw new QuantException($"Int4Weight {rows}×{columns} with group size {groupSize} has wrong sizes.");
        (Rows, Columns, GroupSize, Values, Scales) = (rows, columns, groupSize, values, scales);
    }

    public int Rows { get; }

    public int Columns { get; }

    public int GroupSize { get; }

    public int GroupsPerRow => Columns / GroupSize;

    /// <summary>Row-major 4-bit integers, one per byte.</summary>
    public sbyte[] Values { get; }

    /// <summary>Row-major [rows, groups per row].</summary>
    public float[] Scales { get; }

    /// <summary>The scale that clips neither end of a group: the larger of min/-8 and max/7 (0 for all-zero).</summary>
    public static float GroupScale(ReadOnlySpan<float> group)
    {
        float min = 0, max = 0;
        foreach (var w in group)
        {
            min = MathF.Min(min, w);
            max = MathF.Max(max, w);
        }
        return MathF.Max(min / -8f, max / 7f);
    }

    /// <summary>
    /// Quantizes a float weight [rows, columns] of any float dtype. Contiguous float32 and bfloat16 weights are
    /// read in place, other dtypes converted to float32 a chunk of rows at a time.
    /// </summary>
    public static unsafe Int4Weight Quantize(Tensor weight, int groupSize)
    {
        if (weight.dim() != 2)
            throw new QuantException($"A linear weight must be 2-D [out, in]; got shape [{string.Join(", ", weight.shape)}].");
        int rows = checked((int)weight.shape[0]), columns = checked((int)weight.shape[1]);
        if (groupSize < 1 || columns % groupSize != 0)
            throw new QuantException($"Group size {groupSize} does not divide the layer's input width {columns}.");

        var values = GC.AllocateUninitializedArray<sbyte>(checked(rows * columns));
        var scales = new float[rows * (columns / groupSize)];
        var quantizer = new GroupQuantizer(columns, groupSize);
        bool direct = weight.is_contiguous() && weight.device_type == DeviceType.CPU &&
            weight.dtype is ScalarType.Float32 or ScalarType.BFloat16;
        for (int start = 0; start < rows; start += direct ? rows : RowsPerChunk)
        {
            using var scope = NewDisposeScope();
            int count = direct ? rows : Math.Min(RowsPerChunk, rows - start);
            var chunk = direct ? weight : weight.narrow(0, start, count).to(ScalarType.Float32).contiguous();
            bool bf16 = chunk.dtype == ScalarType.BFloat16;
            byte* source = (byte*)TensorMemory.Pointer(chunk, chunk.dtype);
            fixed (sbyte* v = values)
            fixed (float* sc = scales)
            {
                quantizer.QuantizeRows(source, bf16, count,
                    v + (long)start * columns, sc + (long)start * (columns / groupSize));
            }
        }
        return new Int4Weight(rows, columns, groupSize, values, scales);
    }

    /// <summary>The float32 weight [rows, columns] the integers and scales stand for.</summary>
    public Tensor Dequantize()
    {
        var result = new float[Values.Length];
        int groups = GroupsPerRow;
        Parallel.For(0, Rows, r =>
        {
            for (int c = 0; c < Columns; c++)
                result[r * Columns + c] = Values[r * Columns + c] * Scales[r * groups + c / GroupSize];
        });
        return tensor(result, [Rows, Columns]);
    }
}
