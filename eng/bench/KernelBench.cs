using System.Diagnostics;
using GemmaBench.Quant;
using GemmaBench.Quant.Kernels;
using GemmaBench.Quant.Kernels.Managed;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Bench;

/// <summary>
/// Times products on cold weights: each kernel holds enough copies of the weight (≥ 384 MiB together, 12× the
/// L3 cache) that every call reads its weight from memory.
/// </summary>
internal sealed class KernelBench(BenchOptions options)
{
    private const long ColdBytes = 384L << 20;

    public void Decode(string model, int k, int n, int threads)
    {
        set_num_threads(threads);
        using var w = randn(n, k, generator: new Generator(1)) * 0.05f;
        var weight = Int4Weight.Quantize(w, 32);
        long int4Bytes = (long)n * k / 2 + (long)n * k / 32 * 2;

        if (options.Includes("managed"))
        {
            var managed = Copies(int4Bytes, () => new ManagedKernel(weight, threads));
            Report(model, k, n, "managed", threads, 1, int4Bytes, managed.Select(Run).ToArray());
            Dispose(managed);
        }
        if (options.Includes("int4pack"))
        {
            var int4pack = Copies(int4Bytes, () => new Int4PackKernel(weight));
            Report(model, k, n, "int4pack", threads, 1, int4Bytes, int4pack.Select(Run).ToArray());
            Dispose(int4pack);
        }

        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float32 })
        {
            if (!options.Includes(dtype == ScalarType.Float32 ? "f32" : "bf16"))
                continue;
            long bytes = (long)n * k * (dtype == ScalarType.Float32 ? 4 : 2);
            var dense = Copies(bytes, () => w.to(dtype, copy: true));
            Report(model, k, n, dtype == ScalarType.Float32 ? "f32" : "bf16", threads, 1, bytes,
                dense.Select(t => Linear(t)).ToArray());
            foreach (var t in dense)
                t.Dispose();
        }
    }

    public void Prefill(string model, int k, int n, int threads, int rows)
    {
        set_num_threads(threads);
        using var w = randn(n, k, generator: new Generator(1)) * 0.05f;
        var weight = Int4Weight.Quantize(w, 32);
        long int4Bytes = (long)n * k / 2 + (long)n * k / 32 * 2;
        using var managed = new ManagedKernel(weight, threads);
        using var auto = new AutoKernel(weight, threads);
        using var int4pack = new Int4PackKernel(weight);
        using var bf16 = w.to(ScalarType.BFloat16);
        using var x = randn(rows, k);
        using var xb = x.to(ScalarType.BFloat16);

        using var scratch = empty([n, k], ScalarType.BFloat16);
        foreach (bool lookUp in new[] { false, true })
        {
            string path = lookUp ? "lookup" : "convert";
            if (options.Includes("dequantize"))
                ReportDequantize(model, k, n, path, () => managed.DequantizeBFloat16(scratch, lookUp));
            if (options.Includes("dequant+bf16"))
            {
                Func<Tensor> call = () =>
                {
                    managed.DequantizeBFloat16(scratch, lookUp);
                    return nn.functional.linear(xb, scratch);
                };
                Report(model, k, n, $"prefill dequant+bf16 {path}", threads, rows, int4Bytes, [call]);
            }
        }
        if (options.Includes("managed"))
            Report(model, k, n, "prefill managed", threads, rows, int4Bytes, [() => managed.Forward(x)]);
        if (options.Includes("auto"))
            Report(model, k, n, "prefill auto", threads, rows, int4Bytes, [() => auto.Forward(x)]);
        if (options.Includes("int4pack"))
            Report(model, k, n, "prefill int4pack", threads, rows, int4Bytes, [() => int4pack.Forward(xb)]);
        if (options.Includes("bf16"))
            Report(model, k, n, "prefill bf16", threads, rows, 2L * n * k,
                [() => nn.functional.linear(xb, bf16)]);
    }

    /// <summary>Dequantization alone (always on the calling thread), into a reused bfloat16 buffer.</summary>
    private void ReportDequantize(string model, int k, int n, string path, Action call)
    {
        double median = QuietMachine.Measure(() => Median([() => { call(); return empty(0); }]));
        Console.WriteLine($"{model,-5} {k,5}x{n,-6} {"dequantize " + path,-36}  " +
            $"{median * 1e6,10:F1} us  {(double)n * k / median / 1e9,6:F2} weights/ns");
    }

    /// <summary>
    /// Managed products right after a small libtorch op, as in decode (norms between projections): the op and
    /// the product are timed apart, since OpenMP's waiting policy moves time from one to the other.
    /// </summary>
    public void Interleaved(int threads, int torchThreads)
    {
        set_num_threads(torchThreads);
        using var w = randn(1152, 1152, generator: new Generator(1)) * 0.05f;
        var weight = Int4Weight.Quantize(w, 32);
        var managed = Copies(1152L * 1152 / 2, () => new ManagedKernel(weight, threads));
        using var a = randn(64, 256);
        using var b = randn(256, 256);
        var op = new List<double>();
        var product = new List<double>();
        for (int i = 0; i < 400; i++)
        {
            long start = Stopwatch.GetTimestamp();
            a.matmul(b).Dispose();
            long middle = Stopwatch.GetTimestamp();
            managed[i % managed.Count].Forward(X(1152)).Dispose();
            op.Add(Stopwatch.GetElapsedTime(start, middle).TotalMicroseconds);
            product.Add(Stopwatch.GetElapsedTime(middle).TotalMicroseconds);
        }
        op.Sort();
        product.Sort();
        Console.WriteLine($"interleaved threads={threads} torch threads={torchThreads}  " +
            $"libtorch op {op[200],8:F1} us  " +
            $"managed 1152x1152 {product[200],8:F1} us  sum {op[200] + product[200],8:F1} us");
        Dispose(managed);
    }

    private static readonly Dictionary<int, Tensor> Inputs = [];

    private static Tensor X(int k) => Inputs.TryGetValue(k, out var x) ? x : Inputs[k] = randn(1, k);

    private static Func<Tensor> Run(ManagedKernel kernel) => () => kernel.Forward(X(kernel.InFeatures));

    private static Func<Tensor> Run(Int4PackKernel kernel) => () => kernel.Forward(X(kernel.InFeatures));

    private static Func<Tensor> Linear(Tensor w)
    {
        var x = randn(1, w.shape[1]).to(w.dtype);
        return () => nn.functional.linear(x, w);
    }

    private static List<T> Copies<T>(long bytes, Func<T> make)
    {
        int count = (int)Math.Clamp(ColdBytes / Math.Max(bytes, 1), 1, 512);
        var list = new List<T>();
        for (int i = 0; i < count; i++)
            list.Add(make());
        return list;
    }

    private static void Dispose<T>(List<T> items) where T : IDisposable
    {
        foreach (var item in items)
            item.Dispose();
    }

    private void Report(string model, int k, int n, string kernel, int threads, int rows, long bytes,
        Func<Tensor>[] calls)
    {
        double median = QuietMachine.Measure(() => Median(calls));
        Console.WriteLine($"{model,-5} {k,5}x{n,-6} rows={rows,-3} {kernel,-26} threads={threads}  " +
            $"{median * 1e6,10:F1} us  {bytes / median / 1e9,6:F1} GB/s");
    }

    private double Median(Func<Tensor>[] calls)
    {
        var times = new List<double>();
        var budget = Stopwatch.StartNew();
        double limit = options.Quick ? 0.15 : 0.6;
        for (int i = 0; i < calls.Length * 2 || (budget.Elapsed.TotalSeconds < limit && times.Count < 2000); i++)
        {
            var call = calls[i % calls.Length];
            long start = Stopwatch.GetTimestamp();
            call().Dispose();
            if (i >= calls.Length)
                times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
