using System.Text.Json;
using GemmaBench.Tool.Sweep;
using SkiaSharp;

namespace GemmaBench.Tests.Tool.Sweep;

public sealed class SweepFilesTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "gemma-bench-sweep-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Csv_has_one_row_per_run_with_failed_runs_and_their_error()
    {
        string[] lines = SweepFiles.ToCsv(FakeBenchmark.TwoModels()).Split('\n');

        Assert.Equal(14, lines.Length);
        Assert.Equal(string.Join(',', SweepFiles.CsvColumns), lines[0]);
        Assert.Equal("org/small,eager,off,symmetric_groupwise,1,false,1,ok,55,0.55,64,1.5,1.5,100,20,0.25,0,,123456789,", lines[1]);
        Assert.Equal("org/small,eager,off,symmetric_groupwise,4,true,1,ok,55,0.36666666666666664,64,1.5,1,150,35,0.25,0,,123456789,",
            lines[3]);
        Assert.Equal("org/big,eager,off,symmetric_groupwise,4,true,1,failed,,,,,,,,,,,,exit code 1: out of memory", lines[6]);
        Assert.Equal("org/small,eager,off,symmetric_groupwise,1,false,2,failed,,,,,,,,,,,,"
            + "\"bad output: it printed nothing on stdout, expected one JSON object\"", lines[7]);
        Assert.Equal("", lines[13]);
    }

    [Fact]
    public void Json_holds_plan_statistics_best_threads_and_every_run()
    {
        using var json = JsonDocument.Parse(SweepFiles.ToJson(FakeBenchmark.TwoModels()));
        var root = json.RootElement;

        Assert.Equal(2, root.GetProperty("processor_count").GetInt32());
        Assert.Equal([1, 2, 4], root.GetProperty("plan").GetProperty("threads").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal(2, root.GetProperty("plan").GetProperty("repeat").GetInt32());

        var summary = root.GetProperty("summary");
        Assert.Equal(6, summary.GetArrayLength());
        var small2 = summary[1];
        Assert.Equal("org/small", small2.GetProperty("model").GetString());
        Assert.Equal("eager", small2.GetProperty("mode").GetString());
        Assert.Equal(2, small2.GetProperty("threads").GetInt32());
        Assert.False(small2.GetProperty("above_cores").GetBoolean());
        var prefill = small2.GetProperty("prefill_tokens_per_second");
        Assert.Equal((200.0, 190.0, 210.0), (prefill.GetProperty("median").GetDouble(),
            prefill.GetProperty("min").GetDouble(), prefill.GetProperty("max").GetDouble()));
        Assert.Equal(32.0, small2.GetProperty("decode_tokens_per_second").GetProperty("median").GetDouble());
        Assert.True(summary[2].GetProperty("above_cores").GetBoolean());
        Assert.Equal(JsonValueKind.Null, summary[5].GetProperty("prefill_tokens_per_second").ValueKind);
        Assert.Equal(2, summary[5].GetProperty("runs_failed").GetInt32());

        var best = root.GetProperty("best");
        Assert.Equal(2, best.GetArrayLength());
        Assert.Equal((2, 200.0, 4, 36.0), (best[0].GetProperty("prefill_threads").GetInt32(),
            best[0].GetProperty("prefill_tokens_per_second").GetDouble(),
            best[0].GetProperty("decode_threads").GetInt32(),
            best[0].GetProperty("decode_tokens_per_second").GetDouble()));

        var runs = root.GetProperty("runs");
        Assert.Equal(12, runs.GetArrayLength());
        Assert.Equal("failed", runs[5].GetProperty("status").GetString());
        Assert.Equal("exit code 1: out of memory", runs[5].GetProperty("error").GetString());
        Assert.Equal(123456789, runs[0].GetProperty("peak_rss_bytes").GetInt64());
    }

    [Fact]
    public void Write_produces_csv_json_and_two_png_charts_of_the_expected_size()
    {
        var (written, failed, notDrawn) = SweepFiles.Write(FakeBenchmark.TwoModels(), folder);

        Assert.Equal(["results.csv", "results.json", "prefill.png", "decode.png"], written.Select(Path.GetFileName));
        Assert.Empty(failed);
        Assert.Empty(notDrawn);
        foreach (string chart in new[] { "prefill.png", "decode.png" })
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(folder, chart));
            Assert.NotNull(bitmap);
            Assert.Equal((ThroughputChart.Width, ThroughputChart.Height), (bitmap.Width, bitmap.Height));
            Assert.True(DistinctColors(bitmap) > 10, $"{chart} looks blank");
        }
    }

    [Fact]
    public void Chart_of_a_phase_no_run_measured_is_not_drawn_and_an_earlier_one_is_removed()
    {
        // One-token runs: prefill measured, no decode rate.
        var plan = new SweepPlan { Models = ["org/small"], Threads = [1], Repeat = 1 };
        var measurement = FakeBenchmark.Measurement(100, 10, 1) with { DecodeTokensPerSecond = null };
        var run = new RunRecord(plan.Configurations()[0], 1, measurement, null);
        var results = new SweepResults(plan, [run], processorCount: 2);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "decode.png"), "an earlier sweep's chart");

        var (written, failed, notDrawn) = SweepFiles.Write(results, folder);

        Assert.Equal(["results.csv", "results.json", "prefill.png"], written.Select(Path.GetFileName));
        Assert.Empty(failed);
        Assert.Equal([Path.Combine(folder, "decode.png")], notDrawn);
        Assert.False(File.Exists(Path.Combine(folder, "decode.png")));
    }

    [Fact]
    public void A_file_that_cannot_be_written_leaves_the_one_in_place_whole_and_no_partial_file()
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "results.json"), "an earlier sweep's results");
        // Writing results.json's temporary file fails: a folder stands where it would go.
        Directory.CreateDirectory(Path.Combine(folder, "results.json.partial"));

        var (written, failed, _) = SweepFiles.Write(FakeBenchmark.TwoModels(), folder);

        Assert.Equal([Path.Combine(folder, "results.json")], failed.Select(f => f.Path));
        Assert.Equal("an earlier sweep's results", File.ReadAllText(Path.Combine(folder, "results.json")));
        Assert.Equal(["results.csv", "prefill.png", "decode.png"], written.Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(folder, "*.partial"));
    }

    static int DistinctColors(SKBitmap bitmap)
    {
        var colors = new HashSet<SKColor>();
        for (int y = 0; y < bitmap.Height; y += 7)
            for (int x = 0; x < bitmap.Width; x += 7)
                colors.Add(bitmap.GetPixel(x, y));
        return colors.Count;
    }
}
