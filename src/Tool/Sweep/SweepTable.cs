using System.Globalization;

namespace GemmaBench.Tool.Sweep;

/// <summary>The sweep's stdout: an aligned table of medians with [min-max] over the repeats, then one
/// line per model and mode naming the best thread count for prefill and for decode.</summary>
public static class SweepTable
{
    public static void Write(SweepResults results, TextWriter stdout)
    {
        bool anyFailed = results.FailedRuns > 0;
        string[] header = anyFailed
            ? ["model", "mode", "threads", "prefill tok/s", "decode tok/s", "E2E s", "failed runs"]
            : ["model", "mode", "threads", "prefill tok/s", "decode tok/s", "E2E s"];
        var rows = new List<string[]> { header };
        foreach (var summary in results.Summaries)
        {
            var c = summary.Configuration;
            string threads = Number(c.Threads) + (c.Threads > results.ProcessorCount ? "*" : "");
            // A rate can be missing from runs that succeeded (one generated token has no decode rate).
            string missing = summary.Succeeded > 0 ? "n/a" : "failed";
            string[] row = [c.ModelLabel, c.Mode, threads, Cell(summary.Prefill, missing),
                Cell(summary.Decode, missing), summary.E2eSeconds is { } e2e ? Fixed(e2e.Median) : "failed"];
            rows.Add(anyFailed ? [.. row, $"{summary.Failed} of {summary.Failed + summary.Succeeded}"] : row);
        }

        int[] widths = [.. Enumerable.Range(0, header.Length).Select(i => rows.Max(row => row[i].Length))];
        foreach (string[] row in rows)
        {
            var cells = row.Select((cell, i) => i < 2 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]));
            stdout.WriteLine(string.Join("  ", cells).TrimEnd());
        }

        if (results.Summaries.Any(s => s.Configuration.Threads > results.ProcessorCount))
            stdout.WriteLine($"* more threads than the {results.ProcessorCount} cores of this machine");
        stdout.WriteLine();
        foreach (var best in results.Best)
            stdout.WriteLine(BestLine(best));
    }

    public static string BestLine(BestThreads best)
    {
        if (best.Prefill is null && best.Decode is null)
            return $"best threads for {best.ModelLabel} {best.Mode}: none, every run failed";
        return $"best threads for {best.ModelLabel} {best.Mode}: "
            + $"prefill {Best(best.Prefill, best.PrefillTokensPerSecond)}, "
            + $"decode {Best(best.Decode, best.DecodeTokensPerSecond)}";
    }

    static string Best(int? threads, double? tokensPerSecond) => threads is null
        ? "n/a"
        : $"{Number(threads.Value)} ({Fixed(tokensPerSecond!.Value)} tok/s)";

    static string Cell(Statistic? statistic, string missing)
    {
        if (statistic is null)
            return missing;
        if (statistic.Count == 1)
            return Fixed(statistic.Median);
        return $"{Fixed(statistic.Median)} [{Fixed(statistic.Min)}-{Fixed(statistic.Max)}]";
    }

    internal static string Fixed(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
