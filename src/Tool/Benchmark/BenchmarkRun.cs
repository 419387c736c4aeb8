namespace GemmaBench.Tool.Benchmark;

/// <summary>What to generate in a run, besides the model settings.</summary>
/// <param name="PromptIds">Token ids given instead of prompt text, or null.</param>
public sealed record GenerationRequest(string Prompt, IReadOnlyList<int>? PromptIds, int MaxNewTokens,
    int MinNewTokens, bool Json, bool Stream)
{
    /// <summary>Where the prompt came from, so messages about it name the option at fault.</summary>
    public PromptSource PromptSource { get; init; } = PromptIds == null ? PromptSource.Text : PromptSource.Ids;

    /// <summary>The --prompt-file path when <see cref="PromptSource"/> is File.</summary>
    public string? PromptFile { get; init; }
}

public enum PromptSource { Text, File, Default, Ids }

/// <summary>One benchmark run from opening the model to the last line of output: statistic lines
/// (or JSON) on stdout, everything else on stderr.</summary>
public sealed class BenchmarkRun(BenchmarkServices services, TextWriter stdout, TextWriter stderr)
{
    readonly TimeProvider clock = services.Clock;

    /// <param name="setUpThreads">Sets the compute library's thread count and returns the count in
    /// effect; called once the model's config has passed the checks, so that bad settings fail before
    /// libtorch loads.</param>
    public void Execute(BenchmarkSettings settings, GenerationRequest request, Func<int> setUpThreads)
    {
        long loadStart = clock.GetTimestamp();
        using var target = services.Targets.Open(settings);
        var promptIds = request.PromptIds ?? target.Encode(request.Prompt, settings.Chat);
        ModelChecks.Check(settings, request, target.Limits, promptIds);
        int threads = setUpThreads();

        if (settings.Verbose)
            stderr.WriteLine($"gemma-bench: {settings}");
        stderr.WriteLine($"gemma-bench: loading {settings.Model} ({settings.Dtype})");
        target.LoadWeights();
        double loadSeconds = clock.GetElapsedTime(loadStart).TotalSeconds;
        stderr.WriteLine($"gemma-bench: loaded in {Seconds(loadSeconds)}");

        var (int4Kernel, quantizeSeconds) = settings.Quantizes ? Quantize(target, settings, threads) : (null, null);
        var (compileMode, compileSeconds) = settings.Compile ? Compile(target) : (null, null);

        stderr.WriteLine($"gemma-bench: prompt of {promptIds.Count} token{(promptIds.Count == 1 ? "" : "s")}; warm-up, then timing prefill " +
            $"and up to {request.MaxNewTokens} new tokens");
        var measurement = new BenchmarkProtocol(target, clock)
            .Measure(promptIds, request.MaxNewTokens, request.MinNewTokens);
        if (measurement.PrefillOutlastedGeneration)
            stderr.WriteLine($"gemma-bench: warning: prefill took longer than the whole generation in " +
                $"{BenchmarkProtocol.MaxAttempts} tries (is something else using the cores?); decode time is not meaningful");
        else if (measurement.DecodeOutpacedPrefill)
            stderr.WriteLine($"gemma-bench: warning: decode came out more than twice as fast as prefill in " +
                $"{BenchmarkProtocol.MaxAttempts} tries, so the separately timed prefill was stalled (is something " +
                "else using the cores?); decode time is not meaningful");

        if (request.Json)
        {
            var report = new BenchmarkReport
            {
                Model = settings.Model,
                Threads = threads,
                Compile = settings.Compile,
                CompileMode = compileMode,
                QuantScheme = settings.QuantScheme,
                GroupSize = settings.GroupsWeights ? settings.GroupSize : null,
                Dtype = settings.Dtype,
                Int4Kernel = int4Kernel?.Name,
                Int4KernelDetail = int4Kernel?.Detail,
                PromptTokenIds = promptIds,
                GeneratedTokenIds = measurement.GeneratedIds,
                Text = CompletionText.Decode(target, measurement.GeneratedIds),
                PrefillTokens = measurement.PrefillTokens,
                PrefillSeconds = measurement.PrefillSeconds,
                E2eSeconds = measurement.E2ESeconds,
                DecodedTokens = measurement.DecodedTokens,
                DecodeSeconds = measurement.MeaningfulDecodeSeconds,
                PrefillTokensPerSecond = measurement.PrefillTokensPerSecond,
                DecodeTokensPerSecond = measurement.DecodeTokensPerSecond,
                LoadSeconds = loadSeconds,
                QuantizeSeconds = quantizeSeconds,
                CompileSeconds = compileSeconds,
                PeakRssBytes = services.PeakRssBytes(),
            };
            stdout.WriteLine(report.ToJson());
            return;
        }

        if (request.Stream)
            CompletionText.Stream(target, promptIds, request.MaxNewTokens, request.MinNewTokens, stdout);
        StatisticLines.Write(stdout, measurement);
        if (services.PeakRssBytes() is long peak)
            stderr.WriteLine($"gemma-bench: peak RSS {peak / (1024 * 1024)} MiB");
    }

    (Int4KernelInEffect?, double?) Quantize(IBenchmarkTarget target, BenchmarkSettings settings, int threads)
    {
        string grouping = settings.GroupsWeights ? $", group size {settings.GroupSize}" : "";
        stderr.WriteLine($"gemma-bench: quantizing ({settings.QuantScheme}{grouping})");
        long start = clock.GetTimestamp();
        var kernel = target.Quantize(threads);
        double seconds = clock.GetElapsedTime(start).TotalSeconds;
        stderr.WriteLine($"gemma-bench: quantized in {Seconds(seconds)}; INT4 kernel {kernel.Detail}");
        return (kernel, seconds);
    }

    (string?, double?) Compile(IBenchmarkTarget target)
    {
        long start = clock.GetTimestamp();
        string mode = target.Compile();
        double seconds = clock.GetElapsedTime(start).TotalSeconds;
        stderr.WriteLine($"gemma-bench: compiled ({mode}) in {Seconds(seconds)}");
        return (mode, seconds);
    }

    static string Seconds(double seconds) =>
        seconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + " s";
}
