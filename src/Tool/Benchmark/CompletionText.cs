namespace GemmaBench.Tool.Benchmark;

/// <summary>The completion as text: streamed to stdout between two rulers while it is generated,
/// or decoded afterwards for --json.</summary>
public static class CompletionText
{
    public static readonly string Ruler = new('=', 100);

    public static void Stream(IBenchmarkTarget target, IReadOnlyList<int> promptIds, int maxNewTokens,
        int minNewTokens, TextWriter stdout)
    {
        var text = target.StartText();
        stdout.WriteLine(Ruler);
        target.Generate(promptIds, maxNewTokens, minNewTokens, id =>
        {
            stdout.Write(text.Push(id));
            stdout.Flush();
        });
        stdout.WriteLine(text.Flush());
        stdout.WriteLine(Ruler);
    }

    public static string Decode(IBenchmarkTarget target, IReadOnlyList<int> ids)
    {
        var text = target.StartText();
        var result = new System.Text.StringBuilder();
        foreach (int id in ids)
            result.Append(text.Push(id));
        return result.Append(text.Flush()).ToString();
    }
}
