namespace GemmaBench.Tool.Sweep;

/// <summary>Runs the benchmark once with the given arguments and returns what it printed.</summary>
public interface IBenchmarkRunner
{
    /// <param name="timeout">How long the run may take before it is stopped; null for no limit.</param>
    /// <param name="interruption">Stops the run at once when cancelled (Ctrl-C on the sweep).</param>
    ChildOutput Run(IReadOnlyList<string> arguments, TimeSpan? timeout, CancellationToken interruption);
}

/// <summary>A finished benchmark run: its exit code, all of stdout, and stderr's lines;
/// <paramref name="TimedOut"/> when it was stopped for taking longer than its time limit,
/// <paramref name="Interrupted"/> when it was stopped because the sweep was interrupted.</summary>
public sealed record ChildOutput(int ExitCode, string Stdout, IReadOnlyList<string> StderrLines,
    bool TimedOut = false, bool Interrupted = false);

/// <summary>The benchmark arguments for one configuration; the child always answers in JSON.</summary>
public static class BenchmarkArguments
{
    public static IReadOnlyList<string> For(SweepConfiguration configuration, SweepPlan plan)
    {
        var args = new List<string>
        {
            "--model", configuration.Model,
            "--threads", configuration.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--json", "--no-stream",
        };
        if (configuration.Compile == CompileMode.On)
            args.Add("--compile");
        if (configuration.QuantScheme is { } scheme)
            args.AddRange(["--quant-scheme", scheme]);
        if (plan.GroupSize is { } groupSize)
            args.AddRange(["--groupsize", Invariant(groupSize)]);
        if (plan.Int4Kernel is { } kernel)
            args.AddRange(["--int4-kernel", kernel]);
        if (plan.Dtype is { } dtype)
            args.AddRange(["--dtype", dtype]);
        if (plan.MaxNewTokens is { } maxNewTokens)
            args.AddRange(["--max-new-tokens", Invariant(maxNewTokens)]);
        if (plan.Prompt is { } prompt)
            args.AddRange(["--prompt", prompt]);
        if (plan.PromptFile is { } promptFile)
            args.AddRange(["--prompt-file", promptFile]);
        return args;
    }

    static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
