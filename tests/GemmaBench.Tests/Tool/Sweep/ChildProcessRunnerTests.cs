using System.Diagnostics;
using GemmaBench.Tool.Sweep;

namespace GemmaBench.Tests.Tool.Sweep;

public sealed class ChildProcessRunnerTests : IDisposable
{
    readonly string script = Path.Combine(Path.GetTempPath(), $"fake-gemma-bench-{Guid.NewGuid():N}.sh");
    readonly string sleeperPid = Path.Combine(Path.GetTempPath(), $"fake-gemma-bench-{Guid.NewGuid():N}.pid");

    public ChildProcessRunnerTests()
    {
        // A stand-in benchmark: fails for 3 threads, hangs for 5 (in a child of its own, whose pid it
        // writes down), otherwise answers with JSON built from --threads.
        File.WriteAllText(script, $$"""
            threads=0
            while [ $# -gt 0 ]; do
              if [ "$1" = "--threads" ]; then threads="$2"; fi
              shift
            done
            echo "loading model" >&2
            if [ "$threads" = 3 ]; then echo "gemma-bench: not enough memory" >&2; exit 1; fi
            if [ "$threads" = 5 ]; then sleep 600 & echo $! > {{sleeperPid}}; wait; fi
            echo "{\"threads\": $threads, \"e2e_seconds\": 2.5, \"prefill_tokens_per_second\": ${threads}00.5,"
            echo " \"decode_tokens_per_second\": ${threads}0.25}"
            """);
    }

    public void Dispose()
    {
        File.Delete(script);
        File.Delete(sleeperPid);
    }

    [Fact]
    public void Child_stdout_exit_code_and_stderr_lines_are_captured_and_stderr_relayed()
    {
        var relayed = new List<string>();
        var runner = new ChildProcessRunner("/bin/sh", [script], line => { lock (relayed) relayed.Add(line); });

        var output = runner.Run(["--model", "m", "--threads", "3"], timeout: null, CancellationToken.None);

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
    public void Run_over_its_time_limit_is_killed_with_what_it_started_and_recorded_as_timed_out()
    {
        var stderr = new StringWriter();
        var plan = new SweepPlan { Models = ["m"], Threads = [1, 5], Repeat = 1, RunTimeoutSeconds = 1 };

        var results = new Sweeper(new ChildProcessRunner("/bin/sh", [script]), stderr).Run(plan, 2);

        Assert.Equal([null, "timed out after 1 s"], results.Runs.Select(r => r.Failure));
        Assert.Equal(100.5, results.Runs[0].Measurement!.PrefillTokensPerSecond);
        Assert.Contains("sweep: run 2 failed (m eager 5 threads): timed out after 1 s", stderr.ToString());
        int sleeper = int.Parse(File.ReadAllText(sleeperPid).Trim());
        Assert.True(Ends(sleeper), $"the run's own child {sleeper} is still running");
    }

    [Fact]
    public void Interrupted_run_is_killed_with_what_it_started_and_marked_interrupted()
    {
        var runner = new ChildProcessRunner("/bin/sh", [script]);
        using var interruption = new CancellationTokenSource();
        // Ctrl-C once the run has started a child of its own.
        var watcher = new Thread(() =>
        {
            while (!File.Exists(sleeperPid) || File.ReadAllText(sleeperPid).Trim().Length == 0)
                Thread.Sleep(20);
            interruption.Cancel();
        });
        watcher.Start();

        var output = runner.Run(["--model", "m", "--threads", "5"], timeout: null, interruption.Token);

        watcher.Join();
        Assert.True(output.Interrupted);
        Assert.False(output.TimedOut);
        int sleeper = int.Parse(File.ReadAllText(sleeperPid).Trim());
        Assert.True(Ends(sleeper), $"the run's own child {sleeper} is still running");
    }

    // SIGKILL is delivered, not awaited, so a moment may pass before the process is dead (gone or
    // a zombie: 'Z' in /proc/PID/stat).
    static bool Ends(int pid)
    {
        for (int i = 0; i < 100; i++)
        {
            string stat = $"/proc/{pid}/stat";
            string? text = File.Exists(stat) ? TryRead(stat) : null;
            if (text is null || text[(text.LastIndexOf(')') + 2)..].StartsWith('Z'))
                return true;
            Thread.Sleep(100);
        }
        return false;
    }

    static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    [Fact]
    public void Sweep_relaunches_the_tool_itself_for_each_run()
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "dotnet-gemma-bench.dll");
        string model = Path.Combine(Path.GetTempPath(), $"broken-model-{Guid.NewGuid():N}");
        Directory.CreateDirectory(model);
        // A config the sweep accepts before its runs, and no weights, which fails the run itself.
        File.Copy(Path.Combine(TestPaths.Checkpoint("tiny"), "config.json"),
            Path.Combine(model, "config.json"));
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { tool, "sweep", "--model", model, "--threads", "1", "--repeat", "1" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        string stdout, stderr;
        int exitCode;
        try
        {
            using var process = Process.Start(start)!;
            stdout = process.StandardOutput.ReadToEnd();
            stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            exitCode = process.ExitCode;
        }
        finally
        {
            Directory.Delete(model, recursive: true);
        }

        // The child is this tool: it answers in its own voice, and the missing weights fail the run.
        string label = Path.GetFileName(model);
        Assert.Equal(1, exitCode);
        Assert.Contains($"sweep: run 1 failed ({label} eager 1 thread): exit code ", stderr);
        Assert.Contains(": gemma-bench: ", stderr);
        Assert.Contains($"best threads for {label} eager: none, every run failed", stdout);
    }
}
