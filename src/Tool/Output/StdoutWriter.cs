namespace GemmaBench.Tool.Output;

/// <summary>stdout as the commands write it: a write that fails (stdout closed with `>&-`, a full disk)
/// becomes a <see cref="StdoutException"/> saying so, instead of .NET's words about a path.</summary>
public sealed class StdoutWriter(TextWriter stdout) : TextWriter
{
    public override System.Text.Encoding Encoding => stdout.Encoding;

    public override IFormatProvider FormatProvider => stdout.FormatProvider;

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string NewLine
    {
        get => stdout.NewLine;
        set => stdout.NewLine = value;
    }

    public override void Write(char value) => Guard(() => stdout.Write(value));

    public override void Write(char[] buffer, int index, int count) => Guard(() => stdout.Write(buffer, index, count));

    public override void Write(string? value) => Guard(() => stdout.Write(value));

    public override void WriteLine(string? value) => Guard(() => stdout.WriteLine(value));

    public override void WriteLine() => Guard(stdout.WriteLine);

    public override void Flush() => Guard(stdout.Flush);

    static void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            throw new StdoutException(e);
        }
    }
}

/// <summary>stdout cannot be written: a failure at run time (exit code 1).</summary>
public sealed class StdoutException(Exception inner) : Exception(
    inner is UnauthorizedAccessException or ObjectDisposedException
        ? "cannot write the output: stdout is closed; run with stdout open (redirect it to a file or /dev/null)"
        : $"cannot write the output to stdout ({inner.Message}); check where stdout goes", inner);
