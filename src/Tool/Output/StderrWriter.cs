namespace GemmaBench.Tool.Output;

/// <summary>stderr as the commands write it: progress and diagnostics are best effort. A write that fails
/// (stderr closed with `2>&-`, a full disk) is dropped, so the benchmark still runs and its statistic
/// lines still reach stdout.</summary>
public sealed class StderrWriter(TextWriter stderr) : TextWriter
{
    public override System.Text.Encoding Encoding => stderr.Encoding;

    public override IFormatProvider FormatProvider => stderr.FormatProvider;

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string NewLine
    {
        get => stderr.NewLine;
        set => stderr.NewLine = value;
    }

    public override void Write(char value) => Try(() => stderr.Write(value));

    public override void Write(char[] buffer, int index, int count) => Try(() => stderr.Write(buffer, index, count));

    public override void Write(string? value) => Try(() => stderr.Write(value));

    public override void WriteLine(string? value) => Try(() => stderr.WriteLine(value));

    public override void WriteLine() => Try(stderr.WriteLine);

    public override void Flush() => Try(stderr.Flush);

    static void Try(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
        }
    }
}
