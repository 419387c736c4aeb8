namespace GemmaBench.Tool.Sweep;

/// <summary>The thread counts the benchmark accepts: the bounds of --threads' [Range], so that a sweep
/// refuses exactly the counts every run would refuse.</summary>
public static class BenchmarkThreadRange
{
    public const int Min = 1;

    public const int Max = 4096;
}
