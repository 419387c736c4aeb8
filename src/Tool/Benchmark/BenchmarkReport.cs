using System.Text.Json;
using System.Text.Json.Serialization;

namespace GemmaBench.Tool.Benchmark;

/// <summary>The --json output: one object on one line, keys in snake_case, times in seconds.
/// Settings report what is in effect (threads set, INT4 kernel chosen), not only what was asked.
/// </summary>
public sealed record BenchmarkReport
{
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    [JsonPropertyName("compile")] public required bool Compile { get; init; }
    [JsonPropertyName("compile_mode")] public required string? CompileMode { get; init; }
    [JsonPropertyName("quant_scheme")] public required string QuantScheme { get; init; }
    [JsonPropertyName("group_size")] public required int? GroupSize { get; init; }
    [JsonPropertyName("dtype")] public required string Dtype { get; init; }
    [JsonPropertyName("int4_kernel")] public required string? Int4Kernel { get; init; }
    [JsonPropertyName("prompt_token_ids")] public required IReadOnlyList<int> PromptTokenIds { get; init; }
    [JsonPropertyName("generated_token_ids")] public required IReadOnlyList<int> GeneratedTokenIds { get; init; }
    [JsonPropertyName("text")] public required string Text { get; init; }
    [JsonPropertyName("prefill_tokens")] public required int PrefillTokens { get; init; }
    [JsonPropertyName("prefill_seconds")] public required double PrefillSeconds { get; init; }
    [JsonPropertyName("e2e_seconds")] public required double E2ESeconds { get; init; }
    [JsonPropertyName("decoded_tokens")] public required int DecodedTokens { get; init; }
    [JsonPropertyName("decode_seconds")] public required double DecodeSeconds { get; init; }
    [JsonPropertyName("prefill_tokens_per_second")] public required double? PrefillTokensPerSecond { get; init; }
    [JsonPropertyName("decode_tokens_per_second")] public required double? DecodeTokensPerSecond { get; init; }
    [JsonPropertyName("load_seconds")] public required double LoadSeconds { get; init; }
    [JsonPropertyName("quantize_seconds")] public required double? QuantizeSeconds { get; init; }
    [JsonPropertyName("compile_seconds")] public required double? CompileSeconds { get; init; }
    [JsonPropertyName("peak_rss_bytes")] public required long? PeakRssBytes { get; init; }

    static readonly JsonSerializerOptions Options = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);
}
