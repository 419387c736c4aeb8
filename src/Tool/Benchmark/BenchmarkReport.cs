using System.Text.Json;

namespace GemmaBench.Tool.Benchmark;

/// <summary>The --json output: one object on one line, keys in snake_case, times in seconds.
/// Settings report what is in effect (threads set, INT4 kernel chosen), not only what was asked.
/// </summary>
public sealed record BenchmarkReport
{
    public required string Model { get; init; }
    public required int Threads { get; init; }
    public required bool Compile { get; init; }
    public required string? CompileMode { get; init; }
    public required string QuantScheme { get; init; }
    public required int? GroupSize { get; init; }
    public required string Dtype { get; init; }
    /// <summary>The kernel chosen, bare ("managed"); null when nothing was quantized.</summary>
    public required string? Int4Kernel { get; init; }

    /// <summary>The kernel as stated on stderr ("auto: managed (avx512, 2 threads)").</summary>
    public required string? Int4KernelDetail { get; init; }
    public required IReadOnlyList<int> PromptTokenIds { get; init; }
    public required IReadOnlyList<int> GeneratedTokenIds { get; init; }
    public required string Text { get; init; }
    public required int PrefillTokens { get; init; }
    public required double PrefillSeconds { get; init; }
    public required double E2eSeconds { get; init; }
    public required int DecodedTokens { get; init; }
    /// <summary>Null when it means nothing (<see cref="Measurement.MeaningfulDecodeSeconds"/>).</summary>
    public required double? DecodeSeconds { get; init; }
    public required double? PrefillTokensPerSecond { get; init; }
    public required double? DecodeTokensPerSecond { get; init; }
    public required double LoadSeconds { get; init; }
    public required double? QuantizeSeconds { get; init; }
    public required double? CompileSeconds { get; init; }
    public required long? PeakRssBytes { get; init; }

    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);
}
