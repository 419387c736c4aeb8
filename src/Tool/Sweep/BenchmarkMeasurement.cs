using System.Text.Json;

namespace GemmaBench.Tool.Sweep;

/// <summary>What one benchmark run measured, read from its --json object.</summary>
public sealed record BenchmarkMeasurement
{
    public int? Threads { get; init; }
    public int? PrefillTokens { get; init; }
    public double? PrefillSeconds { get; init; }
    public int? DecodedTokens { get; init; }
    public double? DecodeSeconds { get; init; }
    public double E2eSeconds { get; init; }

    /// <summary>Null when the run could not measure it (for example, no decode time).</summary>
    public double? PrefillTokensPerSecond { get; init; }
    public double? DecodeTokensPerSecond { get; init; }
    public double? LoadSeconds { get; init; }
    public double? QuantizeSeconds { get; init; }
    public double? CompileSeconds { get; init; }
    public long? PeakRssBytes { get; init; }

    /// <summary>Reads the benchmark's JSON object; throws <see cref="FormatException"/> saying what
    /// is wrong with it.</summary>
    public static BenchmarkMeasurement Parse(string stdout)
    {
        string text = stdout.Trim();
        if (text.Length == 0)
            throw new FormatException("it printed nothing on stdout, expected one JSON object");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new FormatException($"its stdout is not a JSON object ({e.Message})");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException($"its stdout is JSON {root.ValueKind}, expected an object");
            if (!root.TryGetProperty("prefill_tokens_per_second", out _)
                || !root.TryGetProperty("decode_tokens_per_second", out _))
                throw new FormatException(
                    "its JSON has no prefill_tokens_per_second or decode_tokens_per_second");

            return new BenchmarkMeasurement
            {
                Threads = (int?)Number(root, "threads"),
                PrefillTokens = (int?)Number(root, "prefill_tokens"),
                PrefillSeconds = Number(root, "prefill_seconds"),
                DecodedTokens = (int?)Number(root, "decoded_tokens"),
                DecodeSeconds = Number(root, "decode_seconds"),
                E2eSeconds = Number(root, "e2e_seconds")
                    ?? throw new FormatException("its JSON has no number e2e_seconds"),
                PrefillTokensPerSecond = Number(root, "prefill_tokens_per_second"),
                DecodeTokensPerSecond = Number(root, "decode_tokens_per_second"),
                LoadSeconds = Number(root, "load_seconds"),
                QuantizeSeconds = Number(root, "quantize_seconds"),
                CompileSeconds = Number(root, "compile_seconds"),
                PeakRssBytes = (long?)Number(root, "peak_rss_bytes"),
            };
        }
    }

    static double? Number(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Number)
            throw new FormatException($"its JSON field {name} is {value.ValueKind}, expected a number");
        return value.GetDouble();
    }
}
