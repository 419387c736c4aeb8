// Memory benchmark on a synthetic checkpoint. Results on stdout, one "key: value" a line.
// Usage: MemoryBenchmark CHECKPOINT_DIR decode [STEPS=1000] [bfloat16|float32]
//   Decodes STEPS tokens and reports resident memory (RSS) along the way: native memory must stay flat over
//   thousands of decode steps (exit 1 if it grows by 50 MB or more after step 50).
// Usage: MemoryBenchmark CHECKPOINT_DIR replace [bfloat16|float32]
//   Loads with deferred conversion and swaps every projection for a weightless stand-in (ReplaceLinears, as
//   quantization does), reporting peak and final RSS: replaced weights and their file pages must not stay.
using System.Diagnostics;
using GemmaBench.Model;
using static TorchSharp.torch;

string dir = args[0];
string mode = args.Length > 1 ? args[1] : "decode";
int steps = mode == "decode" && args.Length > 2 ? int.Parse(args[2]) : 1000;
var dtype = args.Contains("float32") ? ScalarType.Float32 : ScalarType.BFloat16;

Console.WriteLine($"rss_start_mb: {RssMb():F0}");
using var model = GemmaModel.Load(dir, dtype, deferConversion: mode == "replace");
Console.WriteLine($"rss_after_load_mb: {RssMb():F0}");
return mode == "replace" ? Replace() : Decode();

int Decode()
{
    var rss = new List<double>();
    var clock = Stopwatch.StartNew();
    var result = new GemmaBench.Model.Generator(model).Generate([2, 100, 200, 300, 400, 500, 600, 700],
        new GenerationOptions { MaxNewTokens = steps, StopAtEos = false }, _ => rss.Add(RssMb()));
    clock.Stop();

    foreach (int step in new[] { 1, 50, 100, 250, 500, 750, steps }.Where(s => s <= rss.Count).Distinct())
        Console.WriteLine($"rss_at_step_{step}_mb: {rss[step - 1]:F1}");
    double growth = rss.Skip(49).Max() - rss[49];
    Console.WriteLine($"decode_steps: {result.TokenIds.Count}");
    Console.WriteLine($"decode_tokens_per_s: {steps / clock.Elapsed.TotalSeconds:F1}");
    Console.WriteLine($"rss_growth_after_step_50_mb: {growth:F1}");
    return growth < 50 ? 0 : 1;
}

int Replace()
{
    model.ReplaceLinears((_, weight) => new Zeros(weight));
    GC.Collect();
    GC.WaitForPendingFinalizers();
    Console.WriteLine($"rss_after_replace_mb: {RssMb():F0}");
    new GemmaBench.Model.Generator(model).Generate([2, 3],
        new GenerationOptions { MaxNewTokens = 4, StopAtEos = false });
    Console.WriteLine($"rss_after_replaced_decode_mb: {RssMb():F0}");
    Console.WriteLine($"rss_peak_mb: {PeakRssMb():F0}");
    return 0;
}

static double RssMb()
{
    string[] statm = File.ReadAllText("/proc/self/statm").Split(' ');
    return long.Parse(statm[1]) * Environment.SystemPageSize / 1048576.0;
}

static double PeakRssMb()
{
    string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:"));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
}

/// <summary>Stands in for a quantized projection: reads the whole weight once, as a quantizer does, then keeps
/// only a scalar and returns output of the right shape.</summary>
sealed class Zeros(Tensor weight) : nn.Module<Tensor, Tensor>("zeros")
{
    readonly long outFeatures = weight.shape[0];
    readonly float scale = MaxAbs(weight);

    static float MaxAbs(Tensor weight)
    {
        using var scope = NewDisposeScope();
        return weight.abs().max().to(ScalarType.Float32).item<float>();
    }

    public override Tensor forward(Tensor x) =>
        zeros(x.shape.SkipLast(1).Append(outFeatures).ToArray(), dtype: x.dtype).add_(scale * 0);
}
