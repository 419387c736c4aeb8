namespace GemmaBench.Tool.Output;

/// <summary>stderr as the commands write it: progress and diagnostics are best effort. A write that fails
/// (stderr closed with `2>&-`, a full disk) is dropped, so the benchmark still runs and its statistic
/// lines still reach stdout.</summary>
public sealed class StderrWriter(TextWriter stderr) : GuardedWriter(stderr)
{
    protected override void Failed(Exception e)
    {
    }
}
