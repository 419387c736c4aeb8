// Times what users wait for: loading tokenizer.json (target < 2 s) and encoding a 20,000-character
// prompt (target < 100 ms). "first" is a fresh process's first call (JIT, empty word cache); the
// median is over the repeats that follow. Usage: TokenizerBenchmark TOKENIZER_DIR CASES_JSON [REPEATS]
using System.Diagnostics;
using System.Text.Json;
using GemmaBench.Model.Tokenizer;

string dir = args[0];
string casesPath = args[1];
int repeats = args.Length > 2 ? int.Parse(args[2]) : 5;
const int PromptChars = 20_000;

string prompt = BuildPrompt(casesPath);

var pauseBefore = GC.GetTotalPauseDuration();
var loads = new List<double>();
GemmaTokenizer tokenizer = null!;
for (int i = 0; i <= repeats; i++)
{
    var watch = Stopwatch.StartNew();
    tokenizer = GemmaTokenizer.Load(dir);
    loads.Add(watch.Elapsed.TotalMilliseconds);
}

double allocated = GC.GetTotalAllocatedBytes() / 1e6 / (repeats + 1);
double pauses = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds / (repeats + 1);

var encodes = new List<double>();
int count = 0;
for (int i = 0; i <= repeats; i++)
{
    var watch = Stopwatch.StartNew();
    count = tokenizer.Encode(prompt).Length;
    encodes.Add(watch.Elapsed.TotalMilliseconds);
}

var fresh = GemmaTokenizer.Load(dir);
var coldWatch = Stopwatch.StartNew();
fresh.Encode(prompt);
double coldCache = coldWatch.Elapsed.TotalMilliseconds;

Console.WriteLine($"tokenizer load: first {loads[0]:F0} ms, median {Median(loads.Skip(1)):F0} ms " +
    $"over {repeats}, GC pauses {pauses:F0} ms and {allocated:F0} MB allocated a load (target < 2000 ms)");
Console.WriteLine($"encode {prompt.Length} chars -> {count} ids: first {encodes[0]:F1} ms, " +
    $"empty word cache {coldCache:F1} ms, median {Median(encodes.Skip(1)):F1} ms over {repeats} (target < 100 ms)");
return 0;

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
        : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

// The long reference case (mixed scripts, emoji, special tokens), cut or padded to exactly 20,000 chars.
static string BuildPrompt(string casesPath)
{
    using var cases = JsonDocument.Parse(File.ReadAllBytes(casesPath));
    string text = cases.RootElement.EnumerateArray().Select(c => c.GetProperty("text").GetString()!)
        .MaxBy(t => t.Length)!;
    while (text.Length < PromptChars)
        text += text;
    return char.IsHighSurrogate(text[PromptChars - 1]) ? text[..(PromptChars - 1)] + "." : text[..PromptChars];
}
