using System.Text.Json;
using GemmaBench.Tool;

namespace GemmaBench.Tests.Tool;

/// <summary>The original script's prompt as tokenizer case 4 of gemma3-cases.json pins it.</summary>
public static class DefaultPromptCase
{
    static readonly Lazy<(string Text, int[] Ids)> Case = new(() =>
    {
        using var cases = JsonDocument.Parse(File.ReadAllText(
            Path.Combine(TestPaths.Fixtures, "tokenizer", "gemma3-cases.json")));
        var fourth = cases.RootElement[3];
        return (fourth.GetProperty("text").GetString()!,
            fourth.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    });

    public static string Text => Case.Value.Text;

    public static int[] Ids => Case.Value.Ids;
}

public class DefaultPromptTests
{
    [Fact]
    public void DefaultPromptIsTheOriginalScriptsPromptOf55Tokens()
    {
        Assert.Equal(DefaultPrompt.Text, DefaultPromptCase.Text);
        Assert.Equal(55, DefaultPromptCase.Ids.Length);
    }
}
