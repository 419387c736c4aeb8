using System.Text.Json;
using GemmaBench.Tests.Model;
using GemmaBench.Tool;

namespace GemmaBench.Tests.Tool;

/// <summary>The whole command line on the reference fixtures: float32, no quantization, --json.</summary>
[Collection(nameof(TorchThreadCount))]
public class FixtureCliTests
{
    [Theory]
    [InlineData("tiny", "A")]
    [InlineData("tiny", "B")]
    [InlineData("tiny-scaled", "B")]
    [InlineData("tiny-scaled", "C")]
    [InlineData("tiny-odd", "A")]
    [InlineData("tiny-odd", "B")]
    public void Float32UnquantizedRunGeneratesTheReferenceGreedyTokens(string checkpoint, string caseName)
    {
        var expected = ExpectedCase.Load(checkpoint, caseName);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = CommandLine.Run(
        [
            "--model", TestPaths.Checkpoint(checkpoint), "--dtype", "float32", "--quant-scheme", "none",
            "--threads", "1", "--json", "--max-new-tokens", "24",
            "--prompt-ids", string.Join(",", expected.InputIds),
        ], stdout, stderr);

        Assert.True(exit == 0, stderr.ToString());
        using var json = JsonDocument.Parse(stdout.ToString());
        var generated = json.RootElement.GetProperty("generated_token_ids").EnumerateArray()
            .Select(e => e.GetInt32()).ToArray();
        // The benchmark stops at EOS (1 or 106); the reference list runs on past it.
        int eos = Array.FindIndex(expected.Greedy24, t => t is 1 or 106);
        var reference = eos < 0 ? expected.Greedy24 : expected.Greedy24[..(eos + 1)];
        Assert.Equal(reference, generated);
        Assert.Equal(generated.Length, json.RootElement.GetProperty("decoded_tokens").GetInt32());
        Assert.Equal(expected.InputIds.Length, json.RootElement.GetProperty("prefill_tokens").GetInt32());
    }
}
