namespace GemmaBench.Tool.Sweep;

/// <summary>One run of one configuration: its measurement, or why it failed.</summary>
public sealed record RunRecord(SweepConfiguration Configuration, int Repeat,
    BenchmarkMeasurement? Measurement, string? Failure)
{
    public bool Succeeded => Measurement is not null;
}

/// <summary>Median, smallest and largest of a configuration's repeats.</summary>
public sealed record Statistic(double Median, double Min, double Max, int Count)
{
    public static Statistic? Of(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Where(double.IsFinite).Order()];
        if (sorted.Length == 0)
            return null;
        int middle = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Statistic(median, sorted[0], sorted[^1], sorted.Length);
    }
}

/// <summary>A configuration's repeats folded into statistics; null statistics when no run gave a
/// value.</summary>
public sealed record ConfigurationSummary(SweepConfiguration Configuration, int Succeeded, int Failed,
    Statistic? Prefill, Statistic? Decode, Statistic? E2eSeconds);

/// <summary>The thread counts with the highest median throughput for one model and mode; null where
/// no run of that model and mode measured it.</summary>
public sealed record BestThreads(string ModelLabel, string Mode, int? Prefill, double? PrefillTokensPerSecond,
    int? Decode, double? DecodeTokensPerSecond);

/// <summary>Everything a sweep found: every run, and the summaries the table, files and charts
/// show. An interrupted sweep holds fewer runs than planned, and summaries only of the configurations
/// that ran.</summary>
public sealed class SweepResults
{
    /// <param name="plannedRuns">Runs the plan asked for; null when <paramref name="runs"/> are all.</param>
    public SweepResults(SweepPlan plan, IReadOnlyList<RunRecord> runs, int processorCount,
        int? plannedRuns = null)
    {
        Plan = plan;
        Runs = runs;
        ProcessorCount = processorCount;
        PlannedRuns = plannedRuns ?? runs.Count;
        Summaries =
        [
            .. plan.Configurations()
                .Where(configuration => runs.Any(run => run.Configuration == configuration))
                .Select(configuration => Summarize(configuration, runs)),
        ];
        Best = [.. Lines().Select(line => FindBest(line.Key.ModelLabel, line.Key.Mode, line.Value))];
    }

    public SweepPlan Plan { get; }
    public IReadOnlyList<RunRecord> Runs { get; }
    public int ProcessorCount { get; }
    public int PlannedRuns { get; }

    /// <summary>Whether the sweep was stopped before all the planned runs.</summary>
    public bool Interrupted => Runs.Count < PlannedRuns;
    public IReadOnlyList<ConfigurationSummary> Summaries { get; }
    public IReadOnlyList<BestThreads> Best { get; }
    public int FailedRuns => Runs.Count(run => !run.Succeeded);

    /// <summary>The summaries grouped per model and mode, in table order: one chart line each.</summary>
    public IReadOnlyList<KeyValuePair<(string ModelLabel, string Mode), IReadOnlyList<ConfigurationSummary>>>
        Lines() =>
    [
        .. Summaries
            .GroupBy(s => (s.Configuration.ModelLabel, s.Configuration.Mode))
            .Select(group => KeyValuePair.Create(group.Key,
                (IReadOnlyList<ConfigurationSummary>)[.. group.OrderBy(s => s.Configuration.Threads)])),
    ];

    static ConfigurationSummary Summarize(SweepConfiguration configuration, IReadOnlyList<RunRecord> runs)
    {
        var mine = runs.Where(run => run.Configuration == configuration).ToList();
        var measured = mine.Where(run => run.Succeeded).Select(run => run.Measurement!).ToList();
        return new ConfigurationSummary(configuration, measured.Count, mine.Count - measured.Count,
            Statistic.Of(measured.Where(m => m.PrefillTokensPerSecond.HasValue)
                .Select(m => m.PrefillTokensPerSecond!.Value)),
            Statistic.Of(measured.Where(m => m.DecodeTokensPerSecond.HasValue)
                .Select(m => m.DecodeTokensPerSecond!.Value)),
            Statistic.Of(measured.Select(m => m.E2eSeconds)));
    }

    static BestThreads FindBest(string model, string mode, IReadOnlyList<ConfigurationSummary> line)
    {
        var prefill = line.Where(s => s.Prefill is not null).MaxBy(s => s.Prefill!.Median);
        var decode = line.Where(s => s.Decode is not null).MaxBy(s => s.Decode!.Median);
        return new BestThreads(model, mode, prefill?.Configuration.Threads, prefill?.Prefill!.Median,
            decode?.Configuration.Threads, decode?.Decode!.Median);
    }
}
