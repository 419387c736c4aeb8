using System.Diagnostics;

namespace GemmaBench.Tool.Sweep;

/// <summary>Runs a plan: every configuration once per round, <see cref="SweepPlan.Repeat"/> rounds,
/// so that a slow spell of a shared machine spreads over all configurations instead of one. Failed
/// runs are reported on stderr and the sweep goes on.</summary>
public sealed class Sweeper(IBenchmarkRunner runner, TextWriter stderr)
{
    /// <param name="interruption">When cancelled, the run going on is stopped and not counted, and
    /// the results hold the runs completed so far.</param>
    public SweepResults Run(SweepPlan plan, int processorCount, CancellationToken interruption = default)
    {
        var configurations = plan.Configurations();
        int total = configurations.Count * plan.Repeat;
        var runs = new List<RunRecord>(total);
        var clock = Stopwatch.StartNew();

        for (int repeat = 1; repeat <= plan.Repeat && !interruption.IsCancellationRequested; repeat++)
        {
            foreach (var configuration in configurations)
            {
                if (interruption.IsCancellationRequested)
                    break;
                stderr.WriteLine($"sweep: run {runs.Count + 1} of {total}: {Describe(configuration)}"
                    + $", repeat {repeat} of {plan.Repeat}; {Progress(clock.Elapsed, runs.Count, total)}");
                var (record, interrupted) = RunOne(configuration, repeat, plan, interruption);
                if (interrupted)
                    break;
                if (record.Failure is not null)
                    stderr.WriteLine(
                        $"sweep: run {runs.Count + 1} failed ({Describe(configuration)}): {record.Failure}");
                else if (record.Measurement!.Threads is { } reported && reported != configuration.Threads)
                    stderr.WriteLine($"sweep: run {runs.Count + 1} asked for {configuration.Threads} threads "
                        + $"but reports {reported}");
                runs.Add(record);
            }
        }

        var results = new SweepResults(plan, runs, processorCount, total);
        string done = results.Interrupted ? $"{runs.Count} of {total}" : $"{total}";
        stderr.WriteLine($"sweep: {done} runs in {Duration(clock.Elapsed)}, {results.FailedRuns} failed");
        return results;
    }

    // A run stopped by the interruption, or one that was itself interrupted (Ctrl-C in a terminal
    // reaches the whole process group, the run too), did not complete: it is not counted.
    (RunRecord Record, bool Interrupted) RunOne(SweepConfiguration configuration, int repeat, SweepPlan plan,
        CancellationToken interruption)
    {
        TimeSpan? timeout = plan.RunTimeoutSeconds > 0 ? TimeSpan.FromSeconds(plan.RunTimeoutSeconds) : null;
        ChildOutput output;
        try
        {
            output = runner.Run(BenchmarkArguments.For(configuration, plan), timeout, interruption);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException
                                      or InvalidOperationException)
        {
            return (new RunRecord(configuration, repeat, null, $"could not start the benchmark: {e.Message}"),
                interruption.IsCancellationRequested);
        }

        var record = Record(configuration, repeat, plan, output);
        bool interrupted = output.Interrupted || output.ExitCode == CommandLine.Interrupted
            || (interruption.IsCancellationRequested && !record.Succeeded);
        return (record, interrupted);
    }

    static RunRecord Record(SweepConfiguration configuration, int repeat, SweepPlan plan, ChildOutput output)
    {
        if (output.TimedOut)
            return new RunRecord(configuration, repeat, null, $"timed out after {plan.RunTimeoutSeconds} s");
        if (output.ExitCode != 0)
        {
            string last = output.StderrLines.LastOrDefault(line => line.Trim().Length > 0)
                ?? "no message on stderr";
            return new RunRecord(configuration, repeat, null, $"exit code {output.ExitCode}: {last.Trim()}");
        }
        try
        {
            return new RunRecord(configuration, repeat, BenchmarkMeasurement.Parse(output.Stdout), null);
        }
        catch (FormatException e)
        {
            return new RunRecord(configuration, repeat, null, $"bad output: {e.Message}");
        }
    }

    static string Describe(SweepConfiguration c) =>
        $"{c.ModelLabel} {c.Mode} {c.Threads} thread{(c.Threads == 1 ? "" : "s")}";

    static string Progress(TimeSpan elapsed, int done, int total)
    {
        if (done == 0)
            return $"elapsed {Duration(elapsed)}";
        var left = TimeSpan.FromTicks(elapsed.Ticks / done * (total - done));
        return $"elapsed {Duration(elapsed)}, about {Duration(left)} left";
    }

    internal static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}"
        : $"{span.Minutes}:{span.Seconds:00}";
}
