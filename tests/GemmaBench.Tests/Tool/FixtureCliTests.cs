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

    [Theory]
    [InlineData("none", "auto", "whole-step+float")]
    [InlineData("symmetric_groupwise", "auto", "segments+managed")]
    [InlineData("symmetric_groupwise", "int4pack", "whole-step+int4pack")]
    public void CompileGivesTheSameTokensAsEagerAndNamesItsMode(string scheme, string kernel, string mode)
    {
        var expected = ExpectedCase.Load("tiny", "B");
        string[] args =
        [
            "--model", TestPaths.Checkpoint("tiny"), "--quant-scheme", scheme, "--int4-kernel", kernel,
            "--threads", "1", "--json", "--max-new-tokens", "24", "--min-new-tokens", "24",
            "--prompt-ids", string.Join(",", expected.InputIds),
        ];

        using var eager = RunJson(args);
        using var compiled = RunJson([.. args, "--compile"]);

        Assert.Equal(Ids(eager, "generated_token_ids"), Ids(compiled, "generated_token_ids"));
        Assert.Equal(24, Ids(compiled, "generated_token_ids").Length);
        Assert.Equal(mode, compiled.RootElement.GetProperty("compile_mode").GetString());
        Assert.True(compiled.RootElement.GetProperty("compile").GetBoolean());
        Assert.True(compiled.RootElement.GetProperty("compile_seconds").GetDouble() >= 0);
        Assert.Equal(JsonValueKind.Null, eager.RootElement.GetProperty("compile_mode").ValueKind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Int4RunsOnTwoThreadsGiveTheTokensOfOne(bool compile)
    {
        var expected = ExpectedCase.Load("tiny-scaled", "B");
        string[] args =
        [
            "--model", TestPaths.Checkpoint("tiny-scaled"), "--json", "--max-new-tokens", "16", "--min-new-tokens", "16",
            "--prompt-ids", string.Join(",", expected.InputIds), .. compile ? new[] { "--compile" } : [],
        ];

        using var one = RunJson([.. args, "--threads", "1"]);
        using var two = RunJson([.. args, "--threads", "2"]);

        Assert.Equal(Ids(one, "generated_token_ids"), Ids(two, "generated_token_ids"));
        Assert.Equal(2, two.RootElement.GetProperty("threads").GetInt32());
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("int4pack")]
    [InlineData("reference")]
    public void JsonInt4KernelIsTheBareKernelChosenAndTheDetailFollowsIt(string asked)
    {
        // auto is the managed kernel on x86-64 and int4pack elsewhere; only managed adds to its name.
        bool x64 = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture
            == System.Runtime.InteropServices.Architecture.X64;
        var (chosen, detail) = asked == "auto"
            ? x64 ? ("managed", "auto: managed (") : ("int4pack", "int4pack")
            : (asked, asked);

        using var json = RunJson(["--model", TestPaths.Checkpoint("tiny"), "--int4-kernel", asked,
            "--threads", "1", "--json", "--max-new-tokens", "2", "--prompt-ids", "2,5,6"]);

        var keys = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(keys.IndexOf("int4_kernel") + 1, keys.IndexOf("int4_kernel_detail"));
        Assert.Equal(chosen, json.RootElement.GetProperty("int4_kernel").GetString());
        Assert.StartsWith(detail, json.RootElement.GetProperty("int4_kernel_detail").GetString());
    }

    static JsonDocument RunJson(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CommandLine.Run(args, stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        return JsonDocument.Parse(stdout.ToString());
    }

    static int[] Ids(JsonDocument json, string key) =>
        json.RootElement.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
