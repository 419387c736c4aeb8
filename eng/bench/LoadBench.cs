using System.Diagnostics;
using GemmaBench.Quant;
using static TorchSharp.torch;

namespace GemmaBench.Bench;

/// <summary>Time to quantize and pack every linear layer of a model shape from bfloat16 weights.</summary>
internal static class LoadBench
{
    public static void Run(string model, (int K, int N)[] shapes, int threads)
    {
        int layers = model == "1b" ? 26 : 18;
        var perLayer = shapes.Where(s => s.N != 262144).ToList();
        perLayer.Insert(1, perLayer[1]);
        var options = new QuantOptions { Kernel = Int4Kernel.Managed, Threads = threads };
        var watch = Stopwatch.StartNew();
        var modules = new List<IDisposable>();
        foreach (var (k, n) in perLayer)
        {
            using var w = randn(n, k).to(ScalarType.BFloat16);
            var layer = Quantizer.CreateLinear(w, options);
            var one = watch.Elapsed;
            modules.Add(layer);
            for (int i = 1; i < layers; i++)
                modules.Add(Quantizer.CreateLinear(w, options));
        }
        var head = shapes.Single(s => s.N == 262144);
        using (var w = randn(head.N, head.K).to(ScalarType.BFloat16))
        {
            var start = watch.Elapsed;
            modules.Add(Quantizer.CreateLinear(w, options));
            Console.WriteLine($"{model} quantize+pack LM head: {(watch.Elapsed - start).TotalSeconds:F2} s");
        }
        Console.WriteLine($"{model} quantize+pack all {modules.Count} linears: " +
            $"{watch.Elapsed.TotalSeconds:F2} s " +
            $"(random weight generation for the head excluded)");
        foreach (var m in modules)
            m.Dispose();
        Breakdown(model, shapes.Where(s => s.N != 262144).MaxBy(s => (long)s.K * s.N), threads);
    }

    /// <summary>Quantize and pack timed apart on one large layer shape (medians of 5).</summary>
    private static void Breakdown(string model, (int K, int N) shape, int threads)
    {
        using var w = randn(shape.N, shape.K).to(ScalarType.BFloat16);
        var quantize = new List<double>();
        var pack = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            var q = Int4Weight.Quantize(w, 32);
            quantize.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            new GemmaBench.Quant.Kernels.Managed.ManagedKernel(q, threads).Dispose();
            pack.Add(watch.Elapsed.TotalMilliseconds);
        }
        quantize.Sort();
        pack.Sort();
        Console.WriteLine($"{model} {shape.K}x{shape.N}: quantize {quantize[2]:F1} ms, pack {pack[2]:F1} ms");
    }
}
