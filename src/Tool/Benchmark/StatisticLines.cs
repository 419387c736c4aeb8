using System.Globalization;

namespace GemmaBench.Tool.Benchmark;

/// <summary>The seven statistic lines users grep, in the original script's exact shape: two
/// decimals, invariant culture, "seconds" after the times.</summary>
public static class StatisticLines
{
    public static void Write(TextWriter stdout, Measurement m)
    {
        stdout.WriteLine($"Prefill Tokens: {m.PrefillTokens}");
        stdout.WriteLine($"Prefill time: {Number(m.PrefillSeconds)} seconds");
        stdout.WriteLine($"E2E Generation time: {Number(m.E2ESeconds)} seconds");
        stdout.WriteLine($"Decoded Tokens: {m.DecodedTokens}");
        stdout.WriteLine($"Decode time: {Number(m.DecodeSeconds)} seconds");
        stdout.WriteLine($"Prefill Tokens per second: {Number(m.PrefillTokensPerSecond)}");
        stdout.WriteLine($"Decode Tokens per second: {Number(m.DecodeTokensPerSecond)}");
    }

    static string Number(double? value) =>
        value is double v ? v.ToString("F2", CultureInfo.InvariantCulture) : "n/a";
}
