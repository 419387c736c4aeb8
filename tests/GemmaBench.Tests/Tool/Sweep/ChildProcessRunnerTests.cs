using System.Diagnostics;
using GemmaBench.Tool.Sweep;

namespace GemmaBench.Tests.Tool.Sweep;

public sealed class ChildProcessRunnerTests : IDisposable
{
    readonly string script = Path.Combine(Path.GetTempPath(), $"fake-gemma-bench-{Guid.NewGuid():N}.sh");

    public ChildProcessRunnerTests()
    {
        // A stand-in benchmark: fails for 3 threads, otherwise answers with JSON built from --threads.
        File.WriteAllText(script, """
            threads=0
            while [ $# -gt 0 ]; do
              if [ "$1" = "--threads" ]; then threads="$2"; fi
              shift
            done
            echo "loading model" >&2
            if [ "$threads" = 3 ]; then echo "gemma-bench: not enough memory" >&2; exit 1; fi
            echo "{\"threads\": $threads, \"e2e_seconds\": 2.5, \"prefill_tokens_per_second\": ${threads}00.5,"
            echo " \"decode_tokens_per_second\": ${threads}0.25}"
            """);
    }

    public void Dispose() => File.Delete(script);

    [Fact]
    public void Child_stdout_exit_code_and_stderr_lines_are_captured_and_stderr_relayed()
    {
        var relayed = new List<string>();
        var runner = new ChildProcessRunner("/bin/sh", [script], line => { lock (relayed) relayed.Add(line); });

        var output = runner.Run(["--model", "m", "--threads", "3"]);

        Assert.Equal(1, output.ExitCode);
        Assert.Equal("", output.Stdout);
        Assert.Equal(["loading model", "gemma-bench: not enough memory"], output.StderrLines);
        Assert.Equal(["loading model", "gemma-bench: not enough memory"], relayed);
    }

    [Fact]
    public void Sweep_through_child_processes_measures_each_thread_count_and_reports_the_failed_one()
    {
        var stderr = new StringWriter();
        var plan = new SweepPlan { Models = ["m"], Threads = [1, 2, 3], Repeat = 1 };

        var results = new Sweeper(new ChildProcessRunner("/bin/sh", [script]), stderr).Run(plan, 2);

        Assert.Equal([100.5, 200.5], results.Runs.Where(r => r.Succeeded)
            .Select(r => r.Measurement!.PrefillTokensPerSecond!.Value));
        Assert.Equal(20.25, results.Summaries[1].Decode!.Median);
        Assert.Contains("sweep: run 3 failed (m eager 3 threads): exit code 1: gemma-bench: not enough memory",
            stderr.ToString());
    }

    [Fact]
    public void Sweep_relaunches_the_tool_itself_for_each_run()
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "dotnet-gemma-bench.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { tool, "sweep", "--model", "/nonexistent/model", "--threads", "1", "--repeat", "1" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        // The child is this tool: it answers in its own voice, and the bad model fails the run.
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("sweep: run 1 failed (/nonexistent/model eager 1 thread): exit code ", stderr);
        Assert.Contains(": gemma-bench: ", stderr);
        Assert.Contains("best threads for /nonexistent/model eager: none, every run failed", stdout);
    }
}
