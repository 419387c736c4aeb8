using System.Diagnostics;

namespace GemmaBench.Tests.Tool;

public class BlankOmpNumThreadsTests
{
    [Fact]
    public async Task BlankOmpNumThreadsIsTreatedAsUnsetAndLibgompNeverSeesIt()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "dotnet-gemma-bench.dll"), "--model", ToolHarness.Tiny,
                "--prompt-ids", "2,5,7", "--max-new-tokens", "2", "--no-stream", "--quant-scheme", "none",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["OMP_NUM_THREADS"] = "";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await stdout;

        Assert.Equal(0, process.ExitCode);
        Assert.DoesNotContain("libgomp", stderr);
        Assert.Contains("gemma-bench: threads: ", stderr);
        Assert.Contains("(from libtorch default)", stderr);
    }
}
