using System.Globalization;
using ScottPlot;

namespace GemmaBench.Tool.Sweep;

/// <summary>A PNG chart of median throughput against thread count, one line per model and mode,
/// with the repeats' min-max as error bars.</summary>
public static class ThroughputChart
{
    public enum Phase { Prefill, Decode }

    public const int Width = 900;
    public const int Height = 560;

    public static void Save(SweepResults results, Phase phase, string path)
    {
        var plot = new Plot();
        // Fonts.Sans resolves to a serif face on Debian; ask for the sans face fonts-dejavu-core ships.
        plot.Font.Set("DejaVu Sans");
        plot.Title($"{phase} Throughput vs Threads");
        plot.Axes.Title.Label.Bold = true;
        plot.XLabel("Threads");
        plot.YLabel($"{phase} tokens per second");

        double top = 0;
        foreach (var ((model, mode), line) in results.Lines())
        {
            var points = line
                .Select(summary => (summary.Configuration.Threads, Value: Pick(summary, phase)))
                .Where(point => point.Value is not null)
                .ToList();
            if (points.Count == 0)
                continue;

            double[] threads = [.. points.Select(p => (double)p.Threads)];
            double[] medians = [.. points.Select(p => p.Value!.Median)];
            top = Math.Max(top, points.Max(p => p.Value!.Max));
            var scatter = plot.Add.Scatter(threads, medians);
            scatter.LegendText = $"{model} {mode}";
            scatter.LineWidth = 2;
            scatter.MarkerSize = 8;
            if (points.Any(p => p.Value!.Count > 1))
            {
                var bars = plot.Add.ErrorBar(threads, medians, new double[points.Count]);
                bars.YErrorNegative = [.. points.Select(p => p.Value!.Median - p.Value.Min)];
                bars.YErrorPositive = [.. points.Select(p => p.Value!.Max - p.Value.Median)];
                bars.Color = scatter.Color;
            }
        }

        int[] ticks = [.. results.Plan.Threads];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. ticks.Select(t => (double)t)],
            [.. ticks.Select(t => t.ToString(CultureInfo.InvariantCulture))]);
        if (ticks.Length > 0 && ticks[^1] > results.ProcessorCount)
        {
            var cores = plot.Add.VerticalLine(results.ProcessorCount, 1, Colors.Gray, LinePattern.Dashed);
            cores.LegendText = $"{results.ProcessorCount} cores";
        }
        double right = ticks.Length == 0 ? 1 : ticks[^1];
        plot.Axes.SetLimits(0, right * 1.05 + 0.5, 0, top > 0 ? top * 1.1 : 1);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Whether any configuration measured <paramref name="phase"/>: a chart without points is
    /// only axes.</summary>
    public static bool HasPoints(SweepResults results, Phase phase) =>
        results.Summaries.Any(summary => Pick(summary, phase) is not null);

    static Statistic? Pick(ConfigurationSummary summary, Phase phase) =>
        phase == Phase.Prefill ? summary.Prefill : summary.Decode;
}
