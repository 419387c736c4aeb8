// Eager against compiled decode and prefill speed on one checkpoint, INT4 (symmetric groupwise, gs 32), at one
// thread count. Each repeat runs every configuration once, interleaved, after one warm-up generation each;
// printed values are medians over the repeats, and ratios compare compiled with eager on the same kernel. With
// the managed kernel it also runs the segments arrangement with scripted decode segments (ScriptedDecode) in
// place of the C# decode operators, so the two can be compared in one run.
// Usage: CompileBenchmark CHECKPOINT_DIR THREADS [REPEATS=5] [PROMPT_TOKENS=55] [DECODE_TOKENS=48]
//        [KERNELS=managed,int4pack]
using System.Diagnostics;
using GemmaBench.Model;
using GemmaBench.Model.Compiled;
using GemmaBench.Quant;
using static TorchSharp.torch;
using Generator = GemmaBench.Model.Generator;

OpenMpThreads.PreferPassiveWaiting();
string dir = args[0];
int threads = int.Parse(args[1]);
int repeats = args.Length > 2 ? int.Parse(args[2]) : 5;
int promptTokens = args.Length > 3 ? int.Parse(args[3]) : 55;
int decodeTokens = args.Length > 4 ? int.Parse(args[4]) : 48;
var kernels = (args.Length > 5 ? args[5] : "managed,int4pack").Split(',')
    .Select(k => Enum.Parse<Int4Kernel>(k, ignoreCase: true)).ToArray();
set_num_threads(threads);

var random = new Random(7);
var prompt = new[] { 2 }.Concat(Enumerable.Range(1, promptTokens - 1).Select(_ => random.Next(3, 200_000))).ToArray();
var targets = new List<(string Kernel, string Name, IDecoderStep Step)>();
var compileSeconds = new List<string>();
foreach (var kernel in kernels)
{
    var model = GemmaModel.Load(dir, ScalarType.Float32, deferConversion: true);
    var options = new QuantOptions { Kernel = kernel, Threads = threads };
    model.ReplaceLinears((_, weight) => Quantizer.CreateLinear(weight, options));
    string label = kernel.ToString().ToLowerInvariant();
    targets.Add((label, "eager", model));
    var arrangements = kernel == Int4Kernel.Managed
        ? new[] { CompileArrangement.Segments }
        : new[] { CompileArrangement.Segments, CompileArrangement.WholeStep };
    foreach (var arrangement in arrangements)
    {
        var compiled = CompiledDecoder.Compile(model, new CompileOptions
        {
            Arrangement = arrangement,
            Kernel = label,
            Fuse = Quantizer.Fuse,
            ForwardInto = Quantizer.ForwardInto,
        });
        compileSeconds.Add($"{compiled.Mode}={compiled.CompileSeconds:F3}");
        targets.Add((label, compiled.Mode, compiled));
    }
    if (kernel == Int4Kernel.Managed)
    {
        var scripted = CompiledDecoder.Compile(model, new CompileOptions
        {
            Arrangement = CompileArrangement.Segments,
            Kernel = label,
            Fuse = Quantizer.Fuse,
            ForwardInto = Quantizer.ForwardInto,
            ScriptedDecode = true,
        });
        targets.Add((label, scripted.Mode + "(scripted-decode)", scripted));
    }
}
Console.WriteLine($"# threads={threads} prompt={promptTokens} decode={decodeTokens} repeats={repeats}");
Console.WriteLine($"# compile_seconds {string.Join(" ", compileSeconds)}");

var decode = targets.ToDictionary(t => t.Name + "/" + t.Kernel, _ => new List<double>());
var prefill = targets.ToDictionary(t => t.Name + "/" + t.Kernel, _ => new List<double>());
foreach (var target in targets)
    Measure(target.Step);
for (int r = 0; r < repeats; r++)
{
    foreach (var (kernel, name, step) in targets)
    {
        var (prefillRate, decodeRate) = Measure(step);
        prefill[name + "/" + kernel].Add(prefillRate);
        decode[name + "/" + kernel].Add(decodeRate);
    }
}

foreach (var (kernel, name, _) in targets)
{
    string key = name + "/" + kernel;
    string line = $"threads={threads} kernel={kernel} mode={name} decode_tok_s={Median(decode[key]):F1} " +
        $"prefill_tok_s={Median(prefill[key]):F1}";
    if (name != "eager")
    {
        string eager = "eager/" + kernel;
        line += $" decode_ratio={Median(decode[key]) / Median(decode[eager]):F3}" +
            $" prefill_ratio={Median(prefill[key]) / Median(prefill[eager]):F3}";
    }
    Console.WriteLine(line);
}
return 0;

(double Prefill, double Decode) Measure(IDecoderStep step)
{
    var stamps = new List<long>(decodeTokens);
    long start = Stopwatch.GetTimestamp();
    new Generator(step).Generate(prompt, new GenerationOptions { MaxNewTokens = decodeTokens, StopAtEos = false },
        _ => stamps.Add(Stopwatch.GetTimestamp()));
    double prefillSeconds = Stopwatch.GetElapsedTime(start, stamps[0]).TotalSeconds;
    double decodeSeconds = Stopwatch.GetElapsedTime(stamps[0], stamps[^1]).TotalSeconds;
    return (promptTokens / prefillSeconds, (stamps.Count - 1) / decodeSeconds);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
        : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

