using GemmaBench.Tool.Benchmark;
using GemmaBench.Tool.Output;
using GemmaBench.Tool.Threads;

namespace GemmaBench.Tool;

/// <summary>What the benchmark command needs from the outside world; tests pass fakes.</summary>
public sealed record BenchmarkServices
{
    public required IBenchmarkTargetFactory Targets { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public IThreadControl Threads { get; init; } = new TorchThreads();

    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    public Func<long?> PeakRssBytes { get; init; } = PeakMemory.ReadPeakRssBytes;

    public static BenchmarkServices CreateDefault() => new()
    {
        Targets = new GemmaTargetFactory(new DownloadProgressReporter(Console.Error,
            isTerminal: !Console.IsErrorRedirected)),
    };
}
