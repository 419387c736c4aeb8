using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GemmaBench.Quant;

/// <summary>
/// Symmetric 4-bit quantization of rows, group by group, with the scale of <see cref="Int4Weight.GroupScale"/>
/// and round-half-to-even; vectorized for groups of 32·n, rows spread over the thread pool.
/// </summary>
internal sealed unsafe class GroupQuantizer(int columns, int groupSize)
{
    private const int RowsPerTask = 16;

    /// <summary>Rows of float32 (or bfloat16) → 4-bit values, one per sbyte, and one scale per group.</summary>
    public void QuantizeRows(byte* source, bool bfloat16, int rows, sbyte* values, float* scales)
    {
        int groups = columns / groupSize, elementBytes = bfloat16 ? 2 : 4;
        byte* src = source;
        sbyte* dst = values;
        float* scl = scales;
        Parallel.For(0, (rows + RowsPerTask - 1) / RowsPerTask, task =>
        {
            float* converted = stackalloc float[bfloat16 ? groupSize : 0];
            int end = Math.Min(rows, (task + 1) * RowsPerTask);
            for (int r = task * RowsPerTask; r < end; r++)
            {
                for (int g = 0; g < groups; g++)
                {
                    long at = (long)r * columns + g * groupSize;
                    float* group = bfloat16 ? converted : (float*)(src + at * elementBytes);
                    if (bfloat16)
                        ToFloat((ushort*)src + at, converted, groupSize);
                    scl[(long)r * groups + g] = QuantizeGroup(group, groupSize, dst + at);
                }
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float QuantizeGroup(float* x, int count, sbyte* q)
    {
        if (count % 32 != 0)
            return QuantizeGroupScalar(x, count, q);
        var min = Vector256<float>.Zero;
        var max = Vector256<float>.Zero;
        for (int i = 0; i < count; i += 8)
        {
            var v = Vector256.Load(x + i);
            min = Vector256.Min(min, v);
            max = Vector256.Max(max, v);
        }
        float low = 0, high = 0;
        for (int i = 0; i < 8; i++)
        {
            low = MathF.Min(low, min[i]);
            high = MathF.Max(high, max[i]);
        }
        float scale = MathF.Max(low / -8f, high / 7f);
        var inverse = Vector256.Create(scale == 0 ? 0 : 1f / scale);
        var lowest = Vector256.Create(-8f);
        var highest = Vector256.Create(7f);
        for (int i = 0; i < count; i += 32)
        {
            var a = Round(x + i, inverse, lowest, highest);
            var b = Round(x + i + 8, inverse, lowest, highest);
            var c = Round(x + i + 16, inverse, lowest, highest);
            var d = Round(x + i + 24, inverse, lowest, highest);
            Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(c, d)).Store(q + i);
        }
        return scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Round(float* x, Vector256<float> inverse, Vector256<float> lowest,
        Vector256<float> highest)
    {
        var rounded = Vector256.Round(Vector256.Load(x) * inverse);
        return Vector256.ConvertToInt32(Vector256.Clamp(rounded, lowest, highest));
    }

    private static float QuantizeGroupScalar(float* x, int count, sbyte* q)
    {
        var group = new ReadOnlySpan<float>(x, count);
        float scale = Int4Weight.GroupScale(group);
        float inverse = scale == 0 ? 0 : 1f / scale;
        for (int i = 0; i < count; i++)
            q[i] = (sbyte)Math.Clamp(MathF.Round(group[i] * inverse, MidpointRounding.ToEven), -8f, 7f);
        return scale;
    }

    private static void ToFloat(ushort* bfloat16, float* destination, int count)
    {
        int i = 0;
        for (; i + 8 <= count; i += 8)
        {
            var bits = Vector256.WidenLower(Vector128.Load(bfloat16 + i).ToVector256Unsafe()).AsUInt32();
            Vector256.ShiftLeft(bits, 16).AsSingle().Store(destination + i);
        }
        for (; i < count; i++)
            destination[i] = BitConverter.UInt32BitsToSingle((uint)bfloat16[i] << 16);
    }
}
