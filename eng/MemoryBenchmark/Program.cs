// Decodes many tokens on a synthetic checkpoint and reports the process's resident memory (RSS) along the way:
// native memory must stay flat over thousands of decode steps. Then swaps every projection for a stand-in
// (ReplaceLinears) and reports how much resident memory the dropped float weights gave back.
// Usage: MemoryBenchmark CHECKPOINT_DIR [STEPS=1000] [bfloat16|float32]. Results on stdout, one "key: value" a line.
using System.Diagnostics;
using GemmaBench.Model;
using TorchSharp;
using static TorchSharp.torch;

string dir = args[0];
int steps = args.Length > 1 ? int.Parse(args[1]) : 1000;
var dtype = args.Length > 2 && args[2] == "float32" ? ScalarType.Float32 : ScalarType.BFloat16;

double RssMb()
{
    string[] statm = File.ReadAllText("/proc/self/statm").Split(' ');
    return long.Parse(statm[1]) * Environment.SystemPageSize / 1048576.0;
}

Console.WriteLine($"rss_start_mb: {RssMb():F0}");
using var model = GemmaModel.Load(dir, dtype);
Console.WriteLine($"rss_after_load_mb: {RssMb():F0}");

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

double before = RssMb();
model.ReplaceLinears((_, weight) => new Zeros(weight.shape[0]));
GC.Collect();
GC.WaitForPendingFinalizers();
Console.WriteLine($"rss_before_replace_mb: {before:F0}");
Console.WriteLine($"rss_after_replace_mb: {RssMb():F0}");
new GemmaBench.Model.Generator(model).Generate([2, 3], new GenerationOptions { MaxNewTokens = 4, StopAtEos = false });
Console.WriteLine($"rss_after_replaced_decode_mb: {RssMb():F0}");
return growth < 50 ? 0 : 1;

/// <summary>Stands in for a quantized projection: output of the right shape, no weight at all.</summary>
sealed class Zeros(long outFeatures) : nn.Module<Tensor, Tensor>("zeros")
{
    public override Tensor forward(Tensor x) =>
        zeros(x.shape.SkipLast(1).Append(outFeatures).ToArray(), dtype: x.dtype);
}
