using GemmaBench.Tool.Benchmark;
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

    public static BenchmarkServices CreateDefault() => new() { Targets = new UnboundTargetFactory() };
}

/// <summary>Stands in until the Gemma model and tokenizer are bound to <see cref="IBenchmarkTargetFactory"/>.
/// </summary>
sealed class UnboundTargetFactory : IBenchmarkTargetFactory
{
    public IBenchmarkTarget Open(BenchmarkSettings settings) =>
        throw new NotSupportedException(
            "this build of gemma-bench has no Gemma model bound yet; it cannot run benchmarks");
}
