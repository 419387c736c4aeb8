using GemmaBench.Tool;

namespace GemmaBench.Tests.Tool;

public class ClosedStdoutTests
{
    [Fact]
    public void ClosedStdoutIsReportedAsSuchWithExitCode1()
    {
        var stderr = new StringWriter { NewLine = "\n" };

        int exit = CommandLine.Run(["--version"], new ClosedWriter(), stderr);

        Assert.Equal(CommandLine.Failure, exit);
        Assert.Equal("gemma-bench: cannot write the output: stdout is closed; run with stdout open " +
            "(redirect it to a file or /dev/null)\n", stderr.ToString());
    }

    [Fact]
    public void BenchmarkWithClosedStdoutFailsWithTheSameLineAfterItsProgress()
    {
        var harness = new ToolHarness();
        var stderr = new StringWriter { NewLine = "\n" };
        var services = Services(harness);

        int exit = CommandLine.Run(["--model", ToolHarness.Tiny, "--no-stream"], new ClosedWriter(), stderr,
            services);

        Assert.Equal(CommandLine.Failure, exit);
        Assert.EndsWith("\ngemma-bench: cannot write the output: stdout is closed; run with stdout open " +
            "(redirect it to a file or /dev/null)\n", stderr.ToString());
    }

    /// <summary>What .NET's console stream throws when file descriptor 1 is closed (`>&-`).</summary>
    [Fact]
    public void ClosedStderrDoesNotStopTheBenchmarkOrItsStatisticLines()
    {
        var harness = new ToolHarness();
        var stdout = new StringWriter { NewLine = "\n" };
        var services = Services(harness);

        int exit = CommandLine.Run(["--model", ToolHarness.Tiny, "--no-stream"], stdout, new ClosedWriter(),
            services);

        Assert.Equal(CommandLine.Success, exit);
        Assert.Contains("\nPrefill Tokens: 55\n", "\n" + stdout);
        Assert.Contains("\nDecode Tokens per second: ", stdout.ToString());
    }

    static BenchmarkServices Services(ToolHarness harness) => new()
    {
        Targets = harness.Target,
        Clock = harness.Clock,
        Threads = harness.Threads,
        Environment = _ => null,
        PeakRssBytes = () => null,
    };

    sealed class ClosedWriter : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => throw new UnauthorizedAccessException(
            "Access to the path is denied.");
    }
}
