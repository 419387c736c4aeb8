using GemmaBench.Tool;
using GemmaBench.Tool.Threads;

namespace GemmaBench.Tests.Tool;

/// <summary>Runs the command line against a fake model, clock, thread control and environment.</summary>
public sealed class ToolHarness
{
    public FakeClock Clock { get; } = new();
    public FakeTarget Target { get; }
    public FakeThreads Threads { get; } = new();
    public Dictionary<string, string> Environment { get; } = [];
    public IThreadControl? RealThreads { get; init; }

    public ToolHarness(Func<FakeClock, FakeTarget>? makeTarget = null) =>
        Target = makeTarget?.Invoke(Clock) ?? new FakeTarget(Clock);

    public static string Tiny => TestPaths.Checkpoint("tiny");

    public Result Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var services = new BenchmarkServices
        {
            Targets = Target,
            Clock = Clock,
            Threads = RealThreads ?? Threads,
            Environment = name => Environment.GetValueOrDefault(name),
            PeakRssBytes = () => 123_456_789,
        };
        int exitCode = CommandLine.Run(args, stdout, stderr, services);
        return new Result(exitCode, stdout.ToString(), stderr.ToString());
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr);
}

public sealed class FakeThreads : IThreadControl
{
    public int MachineDefault => 6;

    public int Current { get; private set; } = 6;

    public void Set(int count) => Current = count;
}
