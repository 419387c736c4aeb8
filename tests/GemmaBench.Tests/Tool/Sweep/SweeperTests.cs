using GemmaBench.Tool.Sweep;

namespace GemmaBench.Tests.Tool.Sweep;

public class SweeperTests
{
    static ChildOutput Answer(IReadOnlyList<string> args)
    {
        int threads = int.Parse(ScriptedRunner.Argument(args, "--threads"));
        return new ChildOutput(0, FakeBenchmark.Json(100 * threads, 10 * threads, 1, threads), ["loading"]);
    }

    [Fact]
    public void Each_configuration_runs_once_per_round_with_json_no_stream_and_its_settings()
    {
        var runner = new ScriptedRunner(Answer);
        var plan = new SweepPlan
        {
            Models = ["a"], Threads = [1, 2], CompileModes = [CompileMode.Off, CompileMode.On], Repeat = 2,
            QuantSchemes = ["int4"], GroupSize = 32, Dtype = "bfloat16", MaxNewTokens = 8, Prompt = "Hi",
        };

        var results = new Sweeper(runner, new StringWriter()).Run(plan, processorCount: 2);

        Assert.Equal(8, runner.Calls.Count);
        Assert.Equal(
            ["--model", "a", "--threads", "1", "--json", "--no-stream", "--quant-scheme", "int4", "--groupsize", "32",
             "--dtype", "bfloat16", "--max-new-tokens", "8", "--prompt", "Hi"],
            runner.Calls[0]);
        Assert.Contains("--compile", runner.Calls[2]);
        Assert.Equal(["1", "2", "1", "2", "1", "2", "1", "2"],
            runner.Calls.Select(args => ScriptedRunner.Argument(args, "--threads")));
        Assert.Equal([1, 1, 1, 1, 2, 2, 2, 2], results.Runs.Select(run => run.Repeat));
        Assert.Equal(0, results.FailedRuns);
    }

    [Fact]
    public void Failed_runs_are_reported_with_their_reason_and_the_sweep_goes_on()
    {
        var runner = new ScriptedRunner(args => ScriptedRunner.Argument(args, "--threads") switch
        {
            "2" => new ChildOutput(1, "", ["loading", "gemma-bench: out of memory", ""]),
            "3" => new ChildOutput(0, "Prefill Tokens: 55", []),
            _ => Answer(args),
        });
        var stderr = new StringWriter();
        var plan = new SweepPlan { Models = ["a"], Threads = [1, 2, 3, 4], Repeat = 1 };

        var results = new Sweeper(runner, stderr).Run(plan, processorCount: 8);

        Assert.Equal(4, runner.Calls.Count);
        Assert.Equal(2, results.FailedRuns);
        Assert.Equal(["ok", "failed", "failed", "ok"], results.Runs.Select(r => r.Succeeded ? "ok" : "failed"));
        string log = stderr.ToString();
        Assert.Contains("sweep: run 2 failed (a eager 2 threads): exit code 1: gemma-bench: out of memory\n", log);
        Assert.Contains("sweep: run 3 failed (a eager 3 threads): bad output: its stdout is not a JSON object", log);
        Assert.Contains("sweep: 4 runs in ", log);
        Assert.Contains(", 2 failed", log);
        Assert.Equal(4, results.Best.Single().Prefill);
    }

    [Fact]
    public void Progress_names_the_run_of_how_many_and_the_time_left_after_the_first()
    {
        var stderr = new StringWriter();
        var plan = new SweepPlan { Models = ["a"], Threads = [1, 2], Repeat = 1 };

        new Sweeper(new ScriptedRunner(Answer), stderr).Run(plan, processorCount: 2);

        string[] lines = stderr.ToString().Split('\n');
        Assert.StartsWith("sweep: run 1 of 2: a eager 1 thread, repeat 1 of 1; elapsed 0:00", lines[0]);
        Assert.DoesNotContain("left", lines[0]);
        Assert.Matches(@"^sweep: run 2 of 2: a eager 2 threads, repeat 1 of 1; elapsed \d+:\d\d, about \d+:\d\d left$",
            lines[1]);
    }

    [Fact]
    public void A_run_reporting_another_thread_count_than_asked_is_flagged()
    {
        var runner = new ScriptedRunner(_ => new ChildOutput(0, FakeBenchmark.Json(1, 1, 1, threads: 2), []));
        var stderr = new StringWriter();

        new Sweeper(runner, stderr).Run(new SweepPlan { Models = ["a"], Threads = [4], Repeat = 1 }, 8);

        Assert.Contains("sweep: run 1 asked for 4 threads but reports 2", stderr.ToString());
    }

    [Fact]
    public void A_benchmark_that_cannot_start_is_a_failed_run()
    {
        var runner = new ChildProcessRunner("/nonexistent/gemma-bench", []);
        var stderr = new StringWriter();

        var results = new Sweeper(runner, stderr).Run(new SweepPlan { Models = ["a"], Threads = [1], Repeat = 1 }, 2);

        Assert.Equal(1, results.FailedRuns);
        Assert.StartsWith("could not start the benchmark: ", results.Runs[0].Failure);
    }

    [Fact]
    public void Run_interrupted_on_its_own_stops_the_sweep_and_is_not_counted()
    {
        // Ctrl-C in a terminal reaches the run too, which may exit 130 before the sweep hears of it.
        var runner = new ScriptedRunner(args => ScriptedRunner.Argument(args, "--threads") == "2"
            ? new ChildOutput(130, "", ["gemma-bench: interrupted"])
            : Answer(args));
        var stderr = new StringWriter();

        var results = new Sweeper(runner, stderr).Run(
            new SweepPlan { Models = ["a"], Threads = [1, 2, 4], Repeat = 1 }, processorCount: 2);

        Assert.Equal(2, runner.Calls.Count);
        Assert.Equal([1], results.Runs.Select(run => run.Configuration.Threads));
        Assert.True(results.Interrupted);
        Assert.Equal(3, results.PlannedRuns);
        Assert.Equal([1], results.Summaries.Select(s => s.Configuration.Threads));
        Assert.DoesNotContain("failed (", stderr.ToString());
    }
}
