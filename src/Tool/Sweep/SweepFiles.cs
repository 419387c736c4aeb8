using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GemmaBench.Tool.Sweep;

/// <summary>Writes the sweep's files into its --out folder: results.csv (one row per run, failed runs
/// included with their error), results.json (the plan, per-configuration statistics, the best thread
/// counts and every run) and the charts prefill.png and decode.png.</summary>
public static class SweepFiles
{
    public const string Csv = "results.csv";
    public const string Json = "results.json";
    public const string PrefillChart = "prefill.png";
    public const string DecodeChart = "decode.png";

    /// <summary>Every file a sweep writes into its folder.</summary>
    public static readonly string[] Names = [Csv, Json, PrefillChart, DecodeChart];

    public static readonly string[] CsvColumns =
    [
        "model", "mode", "compile", "quant_scheme", "threads", "above_cores", "repeat", "status",
        "prefill_tokens", "prefill_seconds", "decoded_tokens", "decode_seconds", "e2e_seconds",
        "prefill_tokens_per_second", "decode_tokens_per_second", "load_seconds", "quantize_seconds",
        "compile_seconds", "peak_rss_bytes", "error",
    ];

    /// <summary>Writes each file on its own, so that one that cannot be written costs no other. A chart
    /// with no point to draw (no run measured that phase) is not written, and one an earlier sweep
    /// left in the folder is removed, so the folder never holds a chart of other results.</summary>
    /// <returns>The paths written; for each file that could not be, its path and why; and the charts
    /// not drawn.</returns>
    public static SweepFilesWritten Write(SweepResults results, string folder)
    {
        var written = new List<string>();
        var failed = new List<(string, string)>();
        var notDrawn = new List<string>();
        // Each file is written under a temporary name and renamed into place, so a full disk leaves no
        // truncated results.json or chart behind (nor an earlier sweep's file half overwritten).
        void Save(string name, Action<string> save)
        {
            string path = Path.Combine(folder, name), partial = path + ".partial";
            try
            {
                Directory.CreateDirectory(folder);
                save(partial);
                File.Move(partial, path, overwrite: true);
                written.Add(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failed.Add((path, e.Message));
                try
                {
                    File.Delete(partial);
                }
                catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
        void Chart(string name, ThroughputChart.Phase phase)
        {
            if (ThroughputChart.HasPoints(results, phase))
            {
                Save(name, path => ThroughputChart.Save(results, phase, path));
                return;
            }
            string path = Path.Combine(folder, name);
            try
            {
                if (File.Exists(path))
                    File.Delete(path);
                notDrawn.Add(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failed.Add((path, $"the earlier sweep's chart cannot be removed: {e.Message}"));
            }
        }

        Save(Csv, path => File.WriteAllText(path, ToCsv(results)));
        Save(Json, path => File.WriteAllText(path, ToJson(results)));
        Chart(PrefillChart, ThroughputChart.Phase.Prefill);
        Chart(DecodeChart, ThroughputChart.Phase.Decode);
        return new SweepFilesWritten(written, failed, notDrawn);
    }

    public static string ToCsv(SweepResults results)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', CsvColumns)).Append('\n');
        foreach (var run in results.Runs)
        {
            var c = run.Configuration;
            var m = run.Measurement;
            string?[] cells =
            [
                c.Model, c.Mode, Compile(c.Compile), QuantScheme(c), Invariant(c.Threads),
                c.Threads > results.ProcessorCount ? "true" : "false", Invariant(run.Repeat),
                run.Succeeded ? "ok" : "failed",
                Invariant(m?.PrefillTokens), Invariant(m?.PrefillSeconds), Invariant(m?.DecodedTokens),
                Invariant(m?.DecodeSeconds), Invariant(m?.E2eSeconds), Invariant(m?.PrefillTokensPerSecond),
                Invariant(m?.DecodeTokensPerSecond), Invariant(m?.LoadSeconds), Invariant(m?.QuantizeSeconds),
                Invariant(m?.CompileSeconds), Invariant(m?.PeakRssBytes), run.Failure,
            ];
            text.Append(string.Join(',', cells.Select(Quote))).Append('\n');
        }
        return text.ToString();
    }

    public static string ToJson(SweepResults results)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("processor_count", results.ProcessorCount);
            json.WriteBoolean("interrupted", results.Interrupted);
            json.WriteNumber("planned_runs", results.PlannedRuns);
            WritePlan(json, results.Plan);

            json.WriteStartArray("summary");
            foreach (var summary in results.Summaries)
                WriteSummary(json, summary, results.ProcessorCount);
            json.WriteEndArray();

            json.WriteStartArray("best");
            foreach (var best in results.Best)
            {
                json.WriteStartObject();
                json.WriteString("model", best.ModelLabel);
                json.WriteString("mode", best.Mode);
                Number(json, "prefill_threads", best.Prefill);
                Number(json, "prefill_tokens_per_second", best.PrefillTokensPerSecond);
                Number(json, "decode_threads", best.Decode);
                Number(json, "decode_tokens_per_second", best.DecodeTokensPerSecond);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartArray("runs");
            foreach (var run in results.Runs)
                WriteRun(json, run);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    static void WritePlan(Utf8JsonWriter json, SweepPlan plan)
    {
        json.WriteStartObject("plan");
        json.WriteStartArray("models");
        foreach (string model in plan.Models)
            json.WriteStringValue(model);
        json.WriteEndArray();
        json.WriteStartArray("threads");
        foreach (int threads in plan.Threads)
            json.WriteNumberValue(threads);
        json.WriteEndArray();
        json.WriteStartArray("compile");
        foreach (var mode in plan.CompileModes)
            json.WriteStringValue(Compile(mode));
        json.WriteEndArray();
        json.WriteStartArray("quant_schemes");
        foreach (string scheme in plan.QuantSchemes)
            json.WriteStringValue(scheme);
        json.WriteEndArray();
        Number(json, "group_size", plan.GroupSize);
        String(json, "int4_kernel", plan.Int4Kernel);
        String(json, "dtype", plan.Dtype);
        Number(json, "max_new_tokens", plan.MaxNewTokens);
        String(json, "prompt", plan.Prompt);
        String(json, "prompt_file", plan.PromptFile);
        json.WriteNumber("repeat", plan.Repeat);
        json.WriteNumber("run_timeout_seconds", plan.RunTimeoutSeconds);
        json.WriteEndObject();
    }

    static void WriteSummary(Utf8JsonWriter json, ConfigurationSummary summary, int processorCount)
    {
        var c = summary.Configuration;
        json.WriteStartObject();
        json.WriteString("model", c.ModelLabel);
        json.WriteString("mode", c.Mode);
        json.WriteString("compile", Compile(c.Compile));
        json.WriteString("quant_scheme", QuantScheme(c));
        json.WriteNumber("threads", c.Threads);
        json.WriteBoolean("above_cores", c.Threads > processorCount);
        json.WriteNumber("runs_succeeded", summary.Succeeded);
        json.WriteNumber("runs_failed", summary.Failed);
        WriteStatistic(json, "prefill_tokens_per_second", summary.Prefill);
        WriteStatistic(json, "decode_tokens_per_second", summary.Decode);
        WriteStatistic(json, "e2e_seconds", summary.E2eSeconds);
        json.WriteEndObject();
    }

    static void WriteStatistic(Utf8JsonWriter json, string name, Statistic? statistic)
    {
        if (statistic is null)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteNumber("median", statistic.Median);
        json.WriteNumber("min", statistic.Min);
        json.WriteNumber("max", statistic.Max);
        json.WriteEndObject();
    }

    static void WriteRun(Utf8JsonWriter json, RunRecord run)
    {
        var c = run.Configuration;
        var m = run.Measurement;
        json.WriteStartObject();
        json.WriteString("model", c.Model);
        json.WriteString("mode", c.Mode);
        json.WriteString("compile", Compile(c.Compile));
        json.WriteString("quant_scheme", QuantScheme(c));
        json.WriteNumber("threads", c.Threads);
        json.WriteNumber("repeat", run.Repeat);
        json.WriteString("status", run.Succeeded ? "ok" : "failed");
        String(json, "error", run.Failure);
        Number(json, "prefill_tokens", m?.PrefillTokens);
        Number(json, "prefill_seconds", m?.PrefillSeconds);
        Number(json, "decoded_tokens", m?.DecodedTokens);
        Number(json, "decode_seconds", m?.DecodeSeconds);
        Number(json, "e2e_seconds", m?.E2eSeconds);
        Number(json, "prefill_tokens_per_second", m?.PrefillTokensPerSecond);
        Number(json, "decode_tokens_per_second", m?.DecodeTokensPerSecond);
        Number(json, "load_seconds", m?.LoadSeconds);
        Number(json, "quantize_seconds", m?.QuantizeSeconds);
        Number(json, "compile_seconds", m?.CompileSeconds);
        Number(json, "peak_rss_bytes", m?.PeakRssBytes);
        json.WriteEndObject();
    }

    // A sweep that names no scheme runs the benchmark's default; the files say which that is.
    static string QuantScheme(SweepConfiguration c) =>
        c.QuantScheme ?? GemmaBench.Tool.Benchmark.QuantSchemes.SymmetricGroupwise;

    internal static string Compile(CompileMode mode) => mode == CompileMode.On ? "on" : "off";

    static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
            json.WriteNumber(name, v);
        else
            json.WriteNull(name);
    }

    static void String(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }

    static string Invariant(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    static string Invariant(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    static string Quote(string? cell)
    {
        if (cell is null)
            return "";
        return cell.IndexOfAny([',', '"', '\n', '\r']) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"") + "\"";
    }
}

/// <summary>What <see cref="SweepFiles.Write"/> did: files written, files that could not be written
/// (with why), and charts not drawn because no run measured their phase.</summary>
public sealed record SweepFilesWritten(IReadOnlyList<string> Written,
    IReadOnlyList<(string Path, string Reason)> Failed, IReadOnlyList<string> NotDrawn);
