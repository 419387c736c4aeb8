using System.Globalization;
using GemmaBench.Tool.Sweep;

namespace GemmaBench.Tests.Tool.Sweep;

/// <summary>Canned benchmark results for sweep tests: no model, no child process.</summary>
static class FakeBenchmark
{
    public static string Json(double prefill, double decode, double e2e, int threads) => string.Create(
        CultureInfo.InvariantCulture,
        $$"""
        {"model": "m", "threads": {{threads}}, "compile": false, "prefill_tokens": 55,
         "prefill_seconds": {{55 / prefill}}, "e2e_seconds": {{e2e}}, "decoded_tokens": 64,
         "decode_seconds": 1.5, "prefill_tokens_per_second": {{prefill}},
         "decode_tokens_per_second": {{decode}}, "load_seconds": 0.25, "quantize_seconds": 0,
         "peak_rss_bytes": 123456789}
        """);

    public static BenchmarkMeasurement Measurement(double prefill, double decode, double e2e, int threads = 1) =>
        BenchmarkMeasurement.Parse(Json(prefill, decode, e2e, threads));

    /// <summary>Two models over 1, 2 and 4 threads, eager, two repeats, on a 2-core machine; the
    /// big model's 4-thread runs both failed, and one of the small model's 1-thread runs.</summary>
    public static SweepResults TwoModels()
    {
        var plan = new SweepPlan { Models = ["org/small", "org/big"], Threads = [1, 2, 4], Repeat = 2 };
        var c = plan.Configurations();
        RunRecord Ok(int index, int repeat, double prefill, double decode, double e2e) =>
            new(c[index], repeat, Measurement(prefill, decode, e2e, c[index].Threads), null);
        RunRecord Failed(int index, int repeat, string why) => new(c[index], repeat, null, why);

        RunRecord[] runs =
        [
            Ok(0, 1, 100, 20, 1.5), Ok(1, 1, 190, 30, 1.25), Ok(2, 1, 150, 35, 1.0),
            Ok(3, 1, 40, 8, 4), Ok(4, 1, 70, 12, 3), Failed(5, 1, "exit code 1: out of memory"),
            Failed(0, 2, "bad output: it printed nothing on stdout, expected one JSON object"),
            Ok(1, 2, 210, 34, 1.75), Ok(2, 2, 150, 37, 1.5),
            Ok(3, 2, 44, 9, 5), Ok(4, 2, 80, 11, 2), Failed(5, 2, "exit code 1: out of memory"),
        ];
        return new SweepResults(plan, runs, processorCount: 2);
    }
}

/// <summary>Answers from a function of the arguments and counts the calls.</summary>
sealed class ScriptedRunner(Func<IReadOnlyList<string>, ChildOutput> answer) : IBenchmarkRunner
{
    public List<IReadOnlyList<string>> Calls { get; } = [];

    public List<TimeSpan?> Timeouts { get; } = [];

    public ChildOutput Run(IReadOnlyList<string> arguments, TimeSpan? timeout, CancellationToken interruption)
    {
        Calls.Add(arguments);
        Timeouts.Add(timeout);
        return answer(arguments);
    }

    public static string Argument(IReadOnlyList<string> arguments, string name)
    {
        int index = arguments.ToList().IndexOf(name);
        return index < 0 ? "" : arguments[index + 1];
    }
}
