using System.Text.Json;
using Snapshooter.Xunit;

namespace GemmaBench.Tests.Tool;

public class JsonReportTests
{
    [Fact]
    public void JsonIsOneObjectOnOneLineWithTheIssuesKeysInOrder()
    {
        var harness = new ToolHarness(clock => new FakeTarget(clock) { Completion = [101, 102, 103, 1] });

        var result = harness.Run("--model", ToolHarness.Tiny, "--json", "--prompt", "a b c", "--compile");

        Assert.Equal(0, result.ExitCode);
        Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(
            ["model", "threads", "compile", "compile_mode", "quant_scheme", "group_size", "dtype",
                "int4_kernel", "int4_kernel_detail",
                "prompt_token_ids", "generated_token_ids", "text", "prefill_tokens", "prefill_seconds",
                "e2e_seconds", "decoded_tokens", "decode_seconds", "prefill_tokens_per_second",
                "decode_tokens_per_second", "load_seconds", "quantize_seconds", "compile_seconds",
                "peak_rss_bytes"],
            json.RootElement.EnumerateObject().Select(p => p.Name));
        Snapshot.Match(result.Stdout.Replace(ToolHarness.Tiny, "<tiny>"));
    }

    [Fact]
    public void JsonNullsWhatWasNotDoneAndSkipsTheStreamedCompletion()
    {
        var harness = new ToolHarness();

        var result = harness.Run("--model", ToolHarness.Tiny, "--json", "--quant-scheme", "none");

        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("compile_mode").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("compile_seconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("quantize_seconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("int4_kernel").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("int4_kernel_detail").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("group_size").ValueKind);
        Assert.Equal(64, root.GetProperty("decoded_tokens").GetInt32());
        Assert.DoesNotContain("streamed", string.Join(",", harness.Target.Calls));
        Assert.DoesNotContain("quantize", harness.Target.Calls);
    }

    [Fact]
    public void JsonDecodeTimeAndRateAreNullForOneToken()
    {
        var harness = new ToolHarness();

        var result = harness.Run("--model", ToolHarness.Tiny, "--json", "--max-new-tokens", "1");

        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("decoded_tokens").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("decode_seconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("decode_tokens_per_second").ValueKind);
    }

    [Fact]
    public void JsonStatesTheThreadCountInEffect()
    {
        var harness = new ToolHarness();
        harness.Environment["OMP_NUM_THREADS"] = "4";

        var result = harness.Run("--model", ToolHarness.Tiny, "--json");

        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(4, json.RootElement.GetProperty("threads").GetInt32());
        Assert.Contains("gemma-bench: threads: 4 (from OMP_NUM_THREADS)", result.Stderr);
    }
}
