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
        // One token comes from the prefill: there is no decode, whatever the two timers differ by.
        stdout.WriteLine($"Decode time: {Number(m.DecodedTokens > 1 ? m.DecodeSeconds : 0)} seconds");
        stdout.WriteLine($"Prefill Tokens per second: {Number(m.PrefillTokensPerSecond)}");
        stdout.WriteLine($"Decode Tokens per second: {Number(m.DecodeTokensPerSecond)}");
    }

    // "F2" keeps the sign of a value that rounds to zero (-0.001 is "-0.00"); zero has no sign here.
    static string Number(double? value) => value?.ToString("F2", CultureInfo.InvariantCulture) switch
    {
        null => "n/a",
        "-0.00" => "0.00",
        string text => text,
    };
}
