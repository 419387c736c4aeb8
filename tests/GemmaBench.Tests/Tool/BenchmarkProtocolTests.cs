namespace GemmaBench.Tests.Tool;

public class BenchmarkProtocolTests
{
    [Fact]
    public void RunFollowsTheOriginalProtocolStepByStep()
    {
        var harness = new ToolHarness();

        harness.Run("--model", ToolHarness.Tiny, "--max-new-tokens", "8", "--min-new-tokens", "2",
            "--compile");

        Assert.Equal(
            ["open", "encode", "load", "quantize", "compile",
                "generate 8/8", "generate 1/1", // warm-up: exactly max-new-tokens, then one token
                "generate 1/1", // timed prefill
                "generate 8/2", // timed end to end
                "generate 8/2 streamed"],
            harness.Target.Calls);
        Assert.True(harness.Target.Disposed);
    }

    [Fact]
    public void SettingsReachTheModelAsGiven()
    {
        var harness = new ToolHarness();

        harness.Run("--model", ToolHarness.Tiny, "--dtype", "bfloat16",
            "--quant-scheme", "symmetric_channelwise", "--groupsize", "64", "--int4-kernel", "dynquant",
            "--revision", "v1", "--chat", "--threads", "2");

        var settings = harness.Target.OpenedWith!;
        Assert.Equal(ToolHarness.Tiny, settings.Model);
        Assert.Equal("v1", settings.Revision);
        Assert.Equal("bfloat16", settings.Dtype);
        Assert.Equal("symmetric_channelwise", settings.QuantScheme);
        Assert.Equal(64, settings.GroupSize);
        Assert.Equal("dynquant", settings.Int4Kernel);
        Assert.True(settings.Chat);
        Assert.Equal(2, harness.Target.QuantizedWithThreads);
        Assert.Contains("encode chat", harness.Target.Calls);
    }

    [Fact]
    public void TorchInductorVariablesFromExistingScriptsChangeNothing()
    {
        var plain = new ToolHarness().Run("--model", ToolHarness.Tiny);
        var withInductor = new ToolHarness();
        withInductor.Environment["TORCHINDUCTOR_FREEZING"] = "1";
        withInductor.Environment["TORCHINDUCTOR_CPP_WRAPPER"] = "1";

        var result = withInductor.Run("--model", ToolHarness.Tiny);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(plain.Stdout, result.Stdout);
    }

    [Fact]
    public void PromptIdsAreBenchmarkedAsGivenWithoutEncoding()
    {
        var harness = new ToolHarness();

        var result = harness.Run("--model", ToolHarness.Tiny, "--json", "--prompt-ids", "2, 18,52");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("encode", harness.Target.Calls);
        Assert.Contains("\"prompt_token_ids\":[2,18,52],", result.Stdout);
        Assert.Contains("\"prefill_tokens\":3,", result.Stdout);
    }
}
