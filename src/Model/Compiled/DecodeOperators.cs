using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics;

namespace GemmaBench.Model.Compiled;

/// <summary>The operators between the projections of a single-token float32 decode step, fused in C#: the
/// residual add with both norms around it, the GELU gate, and attention (query/key norms, RoPE, the KV cache
/// write, softmax over the visible positions). For one token these are a few thousand floats each, so
/// libtorch's per-operator dispatch (about 1.3 µs an operator, 3.5 µs a script call) is most of their cost;
/// here each is one call. The norms and RoPE follow the scripted segments' order of roundings; GELU is taken in
/// its sigmoid form, attention's dot products use fused multiply-adds and sums run in another order, so results
/// agree with the script's to float32 rounding, not bitwise.</summary>
sealed unsafe class DecodeOperators : IDisposable
{
    const float Sqrt2OverPi = 0.7978845608028654f;
    const float GeluCubic = 0.044715f;

    readonly int heads, kvHeads, headDim;
    readonly float eps;
    const int HeadBlock = 4;

    readonly float* queryKeys;
    readonly float* spare;
    float* scores;
    int scoreCapacity;

    public DecodeOperators(int heads, int kvHeads, int headDim, double eps)
    {
        if (headDim % Vector<float>.Count != 0)
            throw new ArgumentException($"head_dim {headDim} is not a multiple of {Vector<float>.Count}.");
        (this.heads, this.kvHeads, this.headDim, this.eps) = (heads, kvHeads, headDim, (float)eps);
        queryKeys = Allocate((heads + kvHeads) * headDim);
        spare = Allocate(headDim);
    }

    /// <summary>Whether these operators can run a model with this head_dim (whole vectors per head).</summary>
    public static bool Supports(int headDim) => headDim % Vector<float>.Count == 0;

    /// <summary>x += rms_norm(y) × yScale, then h = rms_norm(x) × nextScale; all of width n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddNormed(float* x, float* y, float* yScale, float* nextScale, float* h, int n)
    {
        float yInverse = InverseRms(y, n);
        int i = 0;
        var inverse = new Vector<float>(yInverse);
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
        {
            var normed = Vector.Load(y + i) * inverse * Vector.Load(yScale + i);
            (Vector.Load(x + i) + normed).Store(x + i);
        }
        for (; i < n; i++)
            x[i] += y[i] * yInverse * yScale[i];
        Normalize(x, nextScale, InverseRms(x, n), h, n);
    }

    /// <summary>gated = gelu_tanh(gate) × up, where gateUp holds gate then up, each of width n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GeluGate(float* gateUp, float* gated, int n)
    {
        // gelu_tanh(g) = g (1 + tanh(z)) / 2 = g / (1 + exp(-2z)), z = sqrt(2/pi) (g + 0.044715 g^3).
        float* up = gateUp + n;
        int i = 0;
        var minusTwo = new Vector<float>(-2 * Sqrt2OverPi);
        var cubic = new Vector<float>(GeluCubic);
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
        {
            var g = Vector.Load(gateUp + i);
            var e = Vector.Exp(minusTwo * (g + cubic * g * g * g));
            (g / (Vector<float>.One + e) * Vector.Load(up + i)).Store(gated + i);
        }
        for (; i < n; i++)
        {
            float g = gateUp[i];
            gated[i] = g / (1 + MathF.Exp(-2 * Sqrt2OverPi * (g + GeluCubic * g * g * g))) * up[i];
        }
    }

    /// <summary>One token's attention at <paramref name="position"/>. queryKeyValue holds q (heads × headDim),
    /// k and v (kvHeads × headDim each); queryKeyNorm the norm scales of those heads + kvHeads rows; cos and
    /// signedSin the position's RoPE rows. Writes k (normed, rotated) and v into slot position % slots of the
    /// cache [kvHeads, slots, headDim] and the attended values of every head into output [heads × headDim].
    /// Scores are scaled by 1/sqrt(headDim); the query norm carries Gemma's own factor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Attend(float* queryKeyValue, float* queryKeyNorm, float* cos, float* signedSin, float* keys,
        float* values, int slots, long position, float* output)
    {
        int rows = heads + kvHeads;
        for (int r = 0; r < rows; r++)
        {
            float* row = queryKeyValue + r * headDim, normed = queryKeys + r * headDim;
            Normalize(row, queryKeyNorm + r * headDim, InverseRms(row, headDim), normed, headDim);
            Rotate(normed, cos, signedSin);
        }

        int slot = (int)(position % slots);
        int visible = (int)Math.Min(position + 1, slots);
        float* v = queryKeyValue + rows * headDim;
        for (int kv = 0; kv < kvHeads; kv++)
        {
            long offset = ((long)kv * slots + slot) * headDim;
            Copy(queryKeys + (heads + kv) * headDim, keys + offset);
            Copy(v + kv * headDim, values + offset);
        }

        int group = heads / kvHeads;
        float* weights = Scores(HeadBlock * visible);
        var queries = stackalloc float*[HeadBlock];
        var outputs = stackalloc float*[HeadBlock];
        var factors = stackalloc float[HeadBlock];
        for (int kv = 0; kv < kvHeads; kv++)
        {
            float* headKeys = keys + (long)kv * slots * headDim, headValues = values + (long)kv * slots * headDim;
            for (int first = 0; first < group; first += HeadBlock)
            {
                // Up to four query heads of the group at once, so each key and value row is read once for all;
                // the places of missing heads repeat the first one's query and write to a spare row.
                int head = kv * group + first, count = Math.Min(HeadBlock, group - first);
                for (int t = 0; t < HeadBlock; t++)
                {
                    queries[t] = queryKeys + (head + (t < count ? t : 0)) * headDim;
                    outputs[t] = t < count ? output + (head + t) * headDim : spare;
                }
                Scores4(queries, headKeys, visible, weights);
                for (int t = 0; t < HeadBlock; t++)
                    factors[t] = 1 / Softmax(weights + t * visible, visible);
                WeightedSum4(weights, factors, headValues, visible, outputs);
            }
        }
    }

    /// <summary>weights[t × count + j] = q_t · keys[j] / sqrt(headDim) for the four queries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Scores4(float** queries, float* keys, int count, float* weights)
    {
        float scale = 1 / MathF.Sqrt(headDim);
        float* q0 = queries[0], q1 = queries[1], q2 = queries[2], q3 = queries[3];
        for (int j = 0; j < count; j++)
        {
            float* row = keys + (long)j * headDim;
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int i = 0; i < headDim; i += Vector<float>.Count)
            {
                var k = Vector.Load(row + i);
                a0 = Vector.FusedMultiplyAdd(Vector.Load(q0 + i), k, a0);
                a1 = Vector.FusedMultiplyAdd(Vector.Load(q1 + i), k, a1);
                a2 = Vector.FusedMultiplyAdd(Vector.Load(q2 + i), k, a2);
                a3 = Vector.FusedMultiplyAdd(Vector.Load(q3 + i), k, a3);
            }
            weights[j] = Vector.Sum(a0) * scale;
            weights[count + j] = Vector.Sum(a1) * scale;
            weights[2 * count + j] = Vector.Sum(a2) * scale;
            weights[3 * count + j] = Vector.Sum(a3) * scale;
        }
    }

    /// <summary>outputs[t] = factors[t] × Σ_j weights[t × count + j] × values[j], for the four heads. Rows are
    /// read in order, so the values stream from memory; the four outputs stay in the L1 cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void WeightedSum4(float* weights, float* factors, float* values, int count, float** outputs)
    {
        float* o0 = outputs[0], o1 = outputs[1], o2 = outputs[2], o3 = outputs[3];
        float* w1 = weights + count, w2 = weights + 2 * count, w3 = weights + 3 * count;
        for (int t = 0; t < HeadBlock; t++)
            new Span<float>(outputs[t], headDim).Clear();
        for (int j = 0; j < count; j++)
        {
            float* row = values + (long)j * headDim;
            var (a0, a1) = (new Vector<float>(weights[j]), new Vector<float>(w1[j]));
            var (a2, a3) = (new Vector<float>(w2[j]), new Vector<float>(w3[j]));
            for (int i = 0; i < headDim; i += Vector<float>.Count)
            {
                var v = Vector.Load(row + i);
                Vector.FusedMultiplyAdd(a0, v, Vector.Load(o0 + i)).Store(o0 + i);
                Vector.FusedMultiplyAdd(a1, v, Vector.Load(o1 + i)).Store(o1 + i);
                Vector.FusedMultiplyAdd(a2, v, Vector.Load(o2 + i)).Store(o2 + i);
                Vector.FusedMultiplyAdd(a3, v, Vector.Load(o3 + i)).Store(o3 + i);
            }
        }
        for (int t = 0; t < HeadBlock; t++)
        {
            var factor = new Vector<float>(factors[t]);
            for (int i = 0; i < headDim; i += Vector<float>.Count)
                (Vector.Load(outputs[t] + i) * factor).Store(outputs[t] + i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    float InverseRms(float* x, int n)
    {
        var sums = Vector<float>.Zero;
        int i = 0;
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = Vector.Load(x + i);
            sums += v * v;
        }
        float sum = Vector.Sum(sums);
        for (; i < n; i++)
            sum += x[i] * x[i];
        return 1 / MathF.Sqrt(sum / n + eps);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Normalize(float* x, float* scale, float inverseRms, float* output, int n)
    {
        var inverse = new Vector<float>(inverseRms);
        int i = 0;
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            (Vector.Load(x + i) * inverse * Vector.Load(scale + i)).Store(output + i);
        for (; i < n; i++)
            output[i] = x[i] * inverseRms * scale[i];
    }

    /// <summary>x = roll(x, headDim / 2) × signedSin + x × cos, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Rotate(float* x, float* cos, float* signedSin)
    {
        int half = headDim / 2;
        // Both halves are read before either is written; half is a whole number of vectors when headDim is a
        // multiple of twice the vector width, else the scalar loop below covers it.
        if (half % Vector<float>.Count == 0)
        {
            for (int i = 0; i < half; i += Vector<float>.Count)
            {
                var low = Vector.Load(x + i);
                var high = Vector.Load(x + half + i);
                (high * Vector.Load(signedSin + i) + low * Vector.Load(cos + i)).Store(x + i);
                (low * Vector.Load(signedSin + half + i) + high * Vector.Load(cos + half + i))
                    .Store(x + half + i);
            }
            return;
        }
        for (int i = 0; i < half; i++)
        {
            float low = x[i], high = x[half + i];
            x[i] = high * signedSin[i] + low * cos[i];
            x[half + i] = low * signedSin[half + i] + high * cos[half + i];
        }
    }

    void Copy(float* from, float* to) =>
        new ReadOnlySpan<float>(from, headDim).CopyTo(new Span<float>(to, headDim));

    /// <summary>weights = exp(weights - max(weights)), returning their sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Softmax(float* weights, int count)
    {
        float max = float.NegativeInfinity;
        for (int k = 0; k < count; k++)
            max = Math.Max(max, weights[k]);
        var sums = Vector<float>.Zero;
        var shift = new Vector<float>(max);
        int j = 0;
        for (; j <= count - Vector<float>.Count; j += Vector<float>.Count)
        {
            var e = Vector.Exp(Vector.Load(weights + j) - shift);
            e.Store(weights + j);
            sums += e;
        }
        float sum = Vector.Sum(sums);
        for (; j < count; j++)
        {
            weights[j] = MathF.Exp(weights[j] - max);
            sum += weights[j];
        }
        return sum;
    }

    float* Scores(int count)
    {
        if (count > scoreCapacity)
        {
            NativeMemory.AlignedFree(scores);
            scoreCapacity = Math.Max(count, 2 * scoreCapacity);
            scores = Allocate(scoreCapacity);
        }
        return scores;
    }

    static float* Allocate(int floats) => (float*)NativeMemory.AlignedAlloc((nuint)floats * sizeof(float), 64);

    public void Dispose()
    {
        NativeMemory.AlignedFree(queryKeys);
        NativeMemory.AlignedFree(spare);
        NativeMemory.AlignedFree(scores);
        scores = null;
    }
}
