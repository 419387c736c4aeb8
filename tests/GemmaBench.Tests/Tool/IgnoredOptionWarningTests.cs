namespace GemmaBench.Tests.Tool;

public class IgnoredOptionWarningTests
{
    [Fact]
    public void GroupSizeWithChannelwiseSchemeWarnsOnceAndRuns()
    {
        var result = new ToolHarness().Run("--model", ToolHarness.Tiny, "--groupsize", "64",
            "--quant-scheme", "symmetric_channelwise", "--no-stream");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["gemma-bench: warning: --groupsize 64 is ignored with --quant-scheme symmetric_channelwise, " +
            "which does not group weights"], WarningLines(result));
    }

    [Fact]
    public void Int4KernelWithoutQuantizationWarnsOnceAndRuns()
    {
        var result = new ToolHarness().Run("--model", ToolHarness.Tiny, "--int4-kernel", "managed",
            "--quant-scheme", "none", "--no-stream");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["gemma-bench: warning: --int4-kernel managed is ignored with --quant-scheme none, " +
            "which keeps the float weights"], WarningLines(result));
    }

    [Fact]
    public void RevisionWithALocalModelDirectoryWarnsOnceAndRuns()
    {
        var harness = new ToolHarness();

        var result = harness.Run("--model", ToolHarness.Tiny, "--revision", "v2", "--no-stream");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["gemma-bench: warning: --revision is ignored for a local model directory"],
            WarningLines(result));
    }

    [Fact]
    public void RevisionWithAHubIdIsPassedOnWithoutWarning()
    {
        var harness = new ToolHarness();

        var result = harness.Run("--model", "google/gemma-3-1b-it", "--revision", "v2", "--no-stream");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(WarningLines(result));
        Assert.Equal("v2", harness.Target.OpenedWith!.Revision);
    }

    [Fact]
    public void DownloadWithRevisionOfALocalDirectoryWarnsAndPrintsIt()
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };

        int exit = GemmaBench.Tool.CommandLine.Run(["download", ToolHarness.Tiny, "--revision", "v2"], stdout,
            stderr);

        Assert.Equal(0, exit);
        Assert.Equal(Path.GetFullPath(ToolHarness.Tiny) + "\n", stdout.ToString());
        Assert.Equal("gemma-bench: warning: --revision is ignored for a local model directory\n",
            stderr.ToString());
    }

    [Fact]
    public void DefaultsLeftAloneGiveNoWarning()
    {
        var result = new ToolHarness().Run("--model", ToolHarness.Tiny, "--quant-scheme", "none", "--no-stream");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(WarningLines(result));
    }

    [Fact]
    public void GroupSizeThatDoesNotDivideTheWidthsFailsBeforeThreadsAreSetUp()
    {
        var harness = new ToolHarness();

        var result = harness.Run("--model", ToolHarness.Tiny, "--groupsize", "256", "--threads", "3");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("gemma-bench: --groupsize 256 does not divide", result.Stderr);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(6, harness.Threads.Current);
    }

    static string[] WarningLines(ToolHarness.Result result) =>
        [.. result.Stderr.Split('\n').Where(line => line.StartsWith("gemma-bench: warning:"))];
}
