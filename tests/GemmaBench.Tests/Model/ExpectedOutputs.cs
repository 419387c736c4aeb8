using System.Text.Json;

namespace GemmaBench.Tests.Model;

/// <summary>One case of tests/fixtures/expected/NAME.json: prompt ids, float32 last-position logits and the
/// 24 greedy tokens the reference implementations produce.</summary>
public sealed record ExpectedCase(int[] InputIds, float[] LastLogits, int[] Greedy24)
{
    public static ExpectedCase Load(string checkpoint, string caseName)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Expected(checkpoint)));
        var c = doc.RootElement.GetProperty("cases").GetProperty(caseName);
        return new ExpectedCase(
            c.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            c.GetProperty("last_logits").EnumerateArray().Select(e => e.GetSingle()).ToArray(),
            c.GetProperty("greedy_24").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }
}
