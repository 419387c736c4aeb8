namespace GemmaBench.Tool.Output;

/// <summary>stdout as the commands write it: a write that fails (stdout closed with `>&-`, a full disk)
/// becomes a <see cref="StdoutException"/> saying so, instead of .NET's words about a path.</summary>
public sealed class StdoutWriter(TextWriter stdout) : GuardedWriter(stdout)
{
    protected override void Failed(Exception e) => throw new StdoutException(e);
}

/// <summary>stdout cannot be written: a failure at run time (exit code 1).</summary>
public sealed class StdoutException(Exception inner) : Exception(
    inner is UnauthorizedAccessException or ObjectDisposedException
        ? "cannot write the output: stdout is closed; run with stdout open (redirect it to a file or /dev/null)"
        : $"cannot write the output to stdout ({inner.Message}); check where stdout goes", inner);
