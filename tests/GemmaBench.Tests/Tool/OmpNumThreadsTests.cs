namespace GemmaBench.Tests.Tool;

/// <summary>OMP_NUM_THREADS as the tool reads it: a whole number within --threads' bounds, refused
/// otherwise before anything loads, and overridden by --threads.</summary>
public class OmpNumThreadsTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-4")]
    [InlineData("4,2")]
    public void BadOmpNumThreadsIsBadUsage(string value)
    {
        var harness = new ToolHarness();
        harness.Environment["OMP_NUM_THREADS"] = value;

        var result = harness.Run("--model", ToolHarness.Tiny);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"gemma-bench: OMP_NUM_THREADS='{value}' is not a positive whole number; set it to a " +
            "thread count such as 4, unset it, or pass --threads\n", result.Stderr);
        Assert.Empty(harness.Target.Calls);
    }

    [Theory]
    [InlineData("4097")]
    [InlineData("99999999999")]
    public void OmpNumThreadsAboveTheThreadsBoundIsBadUsage(string value)
    {
        var harness = new ToolHarness();
        harness.Environment["OMP_NUM_THREADS"] = value;

        var result = harness.Run("--model", ToolHarness.Tiny);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"gemma-bench: OMP_NUM_THREADS='{value}' is more than 4096 threads; set it to a thread " +
            "count from 1 to 4096, unset it, or pass --threads\n", result.Stderr);
        Assert.Empty(harness.Target.Calls);
    }

    [Fact]
    public void OmpNumThreadsAtTheThreadsBoundIsTaken()
    {
        var harness = new ToolHarness();
        harness.Environment["OMP_NUM_THREADS"] = "4096";

        var result = harness.Run("--model", ToolHarness.Tiny, "--no-stream");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(4096, harness.Threads.Current);
    }

    [Fact]
    public void ThreadsOptionWinsOverABadOmpNumThreads()
    {
        var harness = new ToolHarness();
        harness.Environment["OMP_NUM_THREADS"] = "abc";

        var result = harness.Run("--model", ToolHarness.Tiny, "--threads", "2", "--no-stream");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, harness.Threads.Current);
    }
}
