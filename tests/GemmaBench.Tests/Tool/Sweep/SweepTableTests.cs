using GemmaBench.Tool.Sweep;

namespace GemmaBench.Tests.Tool.Sweep;

public class SweepTableTests
{
    static string[] Lines(SweepResults results)
    {
        var stdout = new StringWriter();
        SweepTable.Write(results, stdout);
        return stdout.ToString().Split('\n');
    }

    [Fact]
    public void Table_shows_medians_with_min_max_marks_threads_above_cores_and_counts_failures()
    {
        string[] lines = Lines(FakeBenchmark.TwoModels());

        Assert.Equal(
        [
            "model      mode   threads           prefill tok/s         decode tok/s   E2E s  failed runs",
            "org/small  eager        1                  100.00                20.00    1.50       1 of 2",
            "org/small  eager        2  200.00 [190.00-210.00]  32.00 [30.00-34.00]    1.50       0 of 2",
            "org/small  eager       4*  150.00 [150.00-150.00]  36.00 [35.00-37.00]    1.25       0 of 2",
            "org/big    eager        1     42.00 [40.00-44.00]     8.50 [8.00-9.00]    4.50       0 of 2",
            "org/big    eager        2     75.00 [70.00-80.00]  11.50 [11.00-12.00]    2.50       0 of 2",
            "org/big    eager       4*                  failed               failed  failed       2 of 2",
            "* more threads than the 2 cores of this machine",
            "",
        ], lines[..9]);
    }

    [Fact]
    public void Closing_lines_name_the_best_thread_count_for_prefill_and_decode_per_model_and_mode()
    {
        string[] lines = Lines(FakeBenchmark.TwoModels());

        Assert.Equal(
        [
            "best threads for org/small eager: prefill 2 (200.00 tok/s), decode 4 (36.00 tok/s)",
            "best threads for org/big eager: prefill 2 (75.00 tok/s), decode 2 (11.50 tok/s)",
            "",
        ], lines[9..]);
    }

    [Fact]
    public void Run_without_a_decode_rate_shows_na_not_failed()
    {
        var plan = new SweepPlan { Models = ["m"], Threads = [1], Repeat = 1 };
        var c = plan.Configurations();
        string json = FakeBenchmark.Json(10, 5, 2, 1).Replace("\"decode_tokens_per_second\": 5", "\"decode_tokens_per_second\": null");
        var results = new SweepResults(plan, [new RunRecord(c[0], 1, BenchmarkMeasurement.Parse(json), null)],
            processorCount: 2);

        string[] lines = Lines(results);

        Assert.Equal("m      eager        1          10.00           n/a   2.00", lines[1]);
        Assert.Equal("best threads for m eager: prefill 1 (10.00 tok/s), decode n/a", lines[3]);
    }

    [Fact]
    public void Table_without_failures_or_oversubscription_has_no_failed_column_and_no_footnote()
    {
        var plan = new SweepPlan { Models = ["m"], Threads = [1, 2], Repeat = 1 };
        var c = plan.Configurations();
        var results = new SweepResults(plan,
        [
            new RunRecord(c[0], 1, FakeBenchmark.Measurement(10, 5, 2), null),
            new RunRecord(c[1], 1, FakeBenchmark.Measurement(20, 4, 1), null),
        ], processorCount: 2);

        Assert.Equal(
        [
            "model  mode   threads  prefill tok/s  decode tok/s  E2E s",
            "m      eager        1          10.00          5.00   2.00",
            "m      eager        2          20.00          4.00   1.00",
            "",
            "best threads for m eager: prefill 2 (20.00 tok/s), decode 1 (5.00 tok/s)",
            "",
        ], Lines(results));
    }

    [Fact]
    public void Best_line_says_when_every_run_of_a_model_and_mode_failed()
    {
        Assert.Equal("best threads for m compiled: none, every run failed",
            SweepTable.BestLine(new BestThreads("m", "compiled", null, null, null, null)));
    }
}
