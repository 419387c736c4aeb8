namespace GemmaBench.Tests.Tool;

public class HelpTests
{
    [Fact]
    public void HelpListsEveryOptionWithItsDefaultInBrackets()
    {
        var result = new ToolHarness().Run("--help");

        Assert.Equal(0, result.ExitCode);
        string[] options =
        [
            "--model", "--revision", "--prompt", "--prompt-file", "--prompt-ids", "--max-new-tokens", "--min-new-tokens",
            "--threads", "--dtype", "--quant-scheme", "--groupsize", "--int4-kernel", "--compile", "--chat",
            "--json", "--no-stream", "--verbose",
        ];
        var lines = result.Stdout.Split('\n').Select(l => l.Trim()).ToArray();
        foreach (string option in options)
            Assert.Single(lines, l => l.StartsWith(option + " ", StringComparison.Ordinal) && l.EndsWith("]."));
    }

    [Fact]
    public void VersionPrintsThePackageVersionOnStdoutAndExits0()
    {
        var harness = new ToolHarness();

        var result = harness.Run("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("gemma-bench 0.1.0\n", result.Stdout);
        Assert.Equal("", result.Stderr);
        Assert.Empty(harness.Target.Calls);
    }

    [Theory]
    [InlineData("--model")]
    [InlineData("--compile=yes")]
    [InlineData("sweep", "--bogus")]
    public void ParseErrorsLeaveStdoutEmptyAndExitWith2(params string[] args)
    {
        var result = new ToolHarness().Run(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("gemma-bench: ", line);
    }
}
