using Snapshooter.Xunit;

namespace GemmaBench.Tests.Tool;

public class StatisticOutputTests
{
    [Fact]
    public void StdoutIsTheStreamedCompletionBetweenRulersThenTheSevenStatisticLines()
    {
        var harness = new ToolHarness(clock =>
            new FakeTarget(clock) { Completion = [101, 102, 103, 104, 1, 9] });

        var result = harness.Run("--model", ToolHarness.Tiny, "--prompt", "one two three four",
            "--max-new-tokens", "5");

        Assert.Equal(0, result.ExitCode);
        Snapshot.Match(result.Stdout);
    }

    [Fact]
    public void NoStreamPrintsOnlyTheSevenStatisticLinesWithTwoDecimals()
    {
        var harness = new ToolHarness();

        var result = harness.Run("--model", ToolHarness.Tiny, "--no-stream");

        Assert.Equal(0, result.ExitCode);
        // Default prompt: 54 words + BOS = 55 fake tokens; 64 tokens at 0.07 s prefill + 63 x 0.0225 s.
        Assert.Equal(
            """
            Prefill Tokens: 55
            Prefill time: 0.07 seconds
            E2E Generation time: 1.49 seconds
            Decoded Tokens: 64
            Decode time: 1.42 seconds
            Prefill Tokens per second: 785.71
            Decode Tokens per second: 45.15

            """, result.Stdout);
    }

    [Fact]
    public void DecodedTokensCountsTokensActuallyGeneratedWhenEosStopsEarly()
    {
        var harness = new ToolHarness(clock => new FakeTarget(clock) { Completion = [101, 102, 1, 104] });

        var result = harness.Run("--model", ToolHarness.Tiny, "--no-stream");

        Assert.Contains("Decoded Tokens: 2\n", result.Stdout);
        Assert.Contains("E2E Generation time: 0.09 seconds\n", result.Stdout);
        Assert.Contains("Decode time: 0.02 seconds\n", result.Stdout);
    }

    [Fact]
    public void MinNewTokensKeepsGeneratingPastEos()
    {
        var harness = new ToolHarness(clock => new FakeTarget(clock) { Completion = [101, 1, 103, 104] });

        var result = harness.Run("--model", ToolHarness.Tiny, "--no-stream", "--min-new-tokens", "3");

        Assert.Contains("Decoded Tokens: 4\n", result.Stdout);
    }

    [Fact]
    public void OneTokenHasNoDecodeRateEvenWhenTheTimerSawSomeDecodeTime()
    {
        var one = new GemmaBench.Tool.Benchmark.Measurement(55, 0.07, 0.0702, [5]);
        var two = new GemmaBench.Tool.Benchmark.Measurement(55, 0.07, 0.09, [5, 6]);

        Assert.Null(one.DecodeTokensPerSecond);
        Assert.Equal(100.0, two.DecodeTokensPerSecond!.Value, 9);
    }

    [Fact]
    public void PrefillStalledPastTheWholeGenerationIsMeasuredAgain()
    {
        var harness = new ToolHarness();
        foreach (double stall in new[] { 0.0, 0.0, 5.0 })
            harness.Target.Stalls.Enqueue(stall);

        var result = harness.Run("--model", ToolHarness.Tiny, "--no-stream", "--max-new-tokens", "8");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Prefill time: 0.07 seconds\nE2E Generation time: 0.23 seconds\n", result.Stdout);
        Assert.Equal(2, harness.Target.Calls.Count(call => call == "generate 1/1") - 1);
    }

    [Fact]
    public void PrefillStalledToAlmostTheWholeGenerationIsMeasuredAgainAndWarnedAbout()
    {
        // Each stalled prefill (0.07 + 0.15 s) leaves 0.0075 s of the 0.2275 s generation for 8 tokens: 1067
        // tok/s decoding against 250 tok/s prefilling, which no model does.
        var harness = new ToolHarness();
        StallEveryTimedPrefill(harness.Target, 0.15);

        var result = harness.Run("--model", ToolHarness.Tiny, "--no-stream", "--max-new-tokens", "8");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(3, harness.Target.Calls.Count(call => call == "generate 1/1") - 1);
        Assert.Contains("Decode Tokens per second: n/a\n", result.Stdout);
        Assert.Contains("gemma-bench: warning: decode came out more than twice as fast as prefill in 3 tries, so "
            + "the separately timed prefill was stalled (is something else using the cores?); decode time is not "
            + "meaningful\n", result.Stderr);
    }

    [Theory]
    [InlineData(0.15)] // decode outpaces prefill
    [InlineData(5.0)]  // prefill outlasts the generation
    public void AStallThatPersistsLeavesTheJsonDecodeTimeAndRateNull(double stall)
    {
        var harness = new ToolHarness();
        StallEveryTimedPrefill(harness.Target, stall);

        var result = harness.Run("--model", ToolHarness.Tiny, "--json", "--max-new-tokens", "8");

        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("decode_seconds").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null,
            json.RootElement.GetProperty("decode_tokens_per_second").ValueKind);
        Assert.Equal(8, json.RootElement.GetProperty("decoded_tokens").GetInt32());
    }

    [Fact]
    public void DecodeSlowerThanPrefillIsNotAStall()
    {
        var normal = new GemmaBench.Tool.Benchmark.Measurement(55, 0.07, 0.2275, [.. Enumerable.Range(1, 8)]);
        var stalled = new GemmaBench.Tool.Benchmark.Measurement(55, 0.19, 0.2, [.. Enumerable.Range(1, 8)]);
        var oneTokenPrompt = new GemmaBench.Tool.Benchmark.Measurement(1, 0.0225, 0.18, [.. Enumerable.Range(1, 8)]);

        Assert.False(normal.Stalled);
        Assert.True(stalled.DecodeOutpacedPrefill);
        Assert.False(oneTokenPrompt.Stalled);
    }

    [Fact]
    public void OneNewTokenHasNoDecodeRate()
    {
        var harness = new ToolHarness();

        var result = harness.Run("--model", ToolHarness.Tiny, "--no-stream", "--max-new-tokens", "1");

        Assert.Contains("Decode time: 0.00 seconds\nPrefill Tokens per second: 785.71\n" +
            "Decode Tokens per second: n/a\n", result.Stdout);
    }

    [Fact]
    public void OneNewTokenWhosePrefillTimerRanLongerPrintsZeroDecodeTimeNotNegativeZero()
    {
        var harness = new ToolHarness();
        foreach (double stall in new[] { 0.0, 0.0, 0.001 })
            harness.Target.Stalls.Enqueue(stall);

        var result = harness.Run("--model", ToolHarness.Tiny, "--no-stream", "--max-new-tokens", "1");

        Assert.Contains("Decoded Tokens: 1\nDecode time: 0.00 seconds\n", result.Stdout);
        Assert.Contains("Decode Tokens per second: n/a\n", result.Stdout);
        Assert.DoesNotContain("-0.00", result.Stdout);
    }

    [Fact]
    public void OneNewTokenPrintsZeroDecodeTimeWhateverTheTwoTimersDifferBy()
    {
        var harness = new ToolHarness();
        foreach (double stall in new[] { 0.0, 0.0, 0.0, 0.03 })
            harness.Target.Stalls.Enqueue(stall);

        var result = harness.Run("--model", ToolHarness.Tiny, "--no-stream", "--max-new-tokens", "1");

        Assert.Contains("E2E Generation time: 0.10 seconds\nDecoded Tokens: 1\nDecode time: 0.00 seconds\n",
            result.Stdout);
    }

    [Fact]
    public void DecodeTimeJustBelowZeroAfterEveryRetryPrintsAsZeroNotNegativeZero()
    {
        var harness = new ToolHarness();
        StallEveryTimedPrefill(harness.Target, 0.0265);

        var result = harness.Run("--model", ToolHarness.Tiny, "--no-stream", "--max-new-tokens", "2");

        Assert.Contains("Decoded Tokens: 2\nDecode time: 0.00 seconds\n", result.Stdout);
        Assert.Contains("Decode Tokens per second: n/a\n", result.Stdout);
    }

    [Fact]
    public void ProgressGoesToStderrAndNeverToStdout()
    {
        var harness = new ToolHarness();

        var result = harness.Run("--model", ToolHarness.Tiny, "--no-stream", "--threads", "3");

        Assert.Equal(7, result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("gemma-bench: threads: 3 (from --threads)\n", result.Stderr);
        Assert.Contains("gemma-bench: loaded in 1.50 s\n", result.Stderr);
        Assert.Contains("; INT4 kernel auto: managed (fake, 3 threads)\n", result.Stderr);
    }

    /// <summary>No stall in the two warm-ups, then the given stall in the timed prefill of every try.</summary>
    static void StallEveryTimedPrefill(FakeTarget target, double seconds)
    {
        target.Stalls.Enqueue(0.0);
        target.Stalls.Enqueue(0.0);
        for (int attempt = 0; attempt < GemmaBench.Tool.Benchmark.BenchmarkProtocol.MaxAttempts; attempt++)
        {
            target.Stalls.Enqueue(seconds);
            target.Stalls.Enqueue(0.0);
        }
    }
}
