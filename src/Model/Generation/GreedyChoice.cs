using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Model;

/// <summary>
/// The index of the largest logit, as <c>argmax</c> defines it (the first of equal maxima; a NaN wins). A decode
/// step's 262144 float32 logits are scanned in managed vectors: libtorch's single-threaded argmax over the
/// vocabulary took about 2% of a gemma-3-270m decode step.
/// </summary>
internal static class GreedyChoice
{
    public static int ArgMax(Tensor logits)
    {
        if (logits.dtype == ScalarType.Float32 && logits.is_contiguous() && logits.device_type == DeviceType.CPU
            && logits.numel() > 0 && ArgMax(MemoryMarshal.Cast<byte, float>(logits.bytes)) is int index and >= 0)
            return index;
        using var best = logits.argmax();
        return (int)best.item<long>();
    }

    /// <summary>The first index of the maximum, or -1 when a value is NaN (left to libtorch's rule).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int i = 0, n = values.Length;
        float max = float.NegativeInfinity;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            var maxima = Vector512.Create(float.NegativeInfinity);
            var unordered = Vector512<float>.Zero;
            for (; i + Vector512<float>.Count <= n; i += Vector512<float>.Count)
            {
                var v = Vector512.Create(values.Slice(i, Vector512<float>.Count));
                maxima = Vector512.Max(maxima, v);
                unordered |= ~Vector512.Equals(v, v);
            }
            if (unordered != Vector512<float>.Zero)
                return -1;
            for (int lane = 0; lane < Vector512<float>.Count; lane++)
                max = Math.Max(max, maxima[lane]);
        }
        for (; i < n; i++)
        {
            if (float.IsNaN(values[i]))
                return -1;
            max = Math.Max(max, values[i]);
        }

        i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var target = Vector512.Create(max);
            for (; i + Vector512<float>.Count <= n; i += Vector512<float>.Count)
            {
                ulong equal = Vector512.Equals(Vector512.Create(values.Slice(i, Vector512<float>.Count)), target)
                    .ExtractMostSignificantBits();
                if (equal != 0)
                    return i + System.Numerics.BitOperations.TrailingZeroCount(equal);
            }
        }
        for (; i < n; i++)
        {
            if (values[i] == max)
                return i;
        }
        return -1;
    }
}
