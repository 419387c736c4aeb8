using GemmaBench.Tests.Model;

namespace GemmaBench.Tests.Tool;

public sealed class PromptFileTests : IDisposable
{
    readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void PromptFileIsReadAsUtf8AndBenchmarkedAsThePrompt()
    {
        string file = dir.File("prompt.txt");
        File.WriteAllText(file, "ein schöner Tag", new System.Text.UTF8Encoding(false));
        var harness = new ToolHarness();

        var result = harness.Run("--model", ToolHarness.Tiny, "--prompt-file", file, "--json");

        Assert.Equal(0, result.ExitCode);
        // The fake model encodes one id per word after BOS.
        Assert.Contains("\"prompt_token_ids\":[2,1000,1001,1002],", result.Stdout);
    }

    [Fact]
    public void PromptFileTogetherWithPromptIsBadUsage()
    {
        string file = dir.File("prompt.txt");
        File.WriteAllText(file, "hello");
        var harness = new ToolHarness();

        var result = harness.Run("--model", ToolHarness.Tiny, "--prompt-file", file, "--prompt", "hi");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("gemma-bench: --prompt-file and --prompt both give the prompt; use one of them\n",
            result.Stderr);
        Assert.Empty(harness.Target.Calls);
    }

    [Fact]
    public void MissingPromptFileIsBadUsageNamingThePath()
    {
        string file = dir.File("missing.txt");
        var harness = new ToolHarness();

        var result = harness.Run("--model", ToolHarness.Tiny, "--prompt-file", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"gemma-bench: --prompt-file: no file {file}; give a UTF-8 text file holding the prompt\n",
            result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.Empty(harness.Target.Calls);
    }

    [Fact]
    public void PromptFileThatIsNotUtf8IsBadUsageNamingThePath()
    {
        string file = dir.File("latin1.txt");
        File.WriteAllBytes(file, [0x63, 0x61, 0x66, 0xE9]);

        var result = new ToolHarness().Run("--model", ToolHarness.Tiny, "--prompt-file", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"gemma-bench: --prompt-file: {file} is not UTF-8 text; save it as UTF-8\n", result.Stderr);
    }

    [Fact]
    public void PromptFileWithAUtf16ByteOrderMarkIsNotUtf8()
    {
        string file = dir.File("utf16.txt");
        File.WriteAllBytes(file, [0xFF, 0xFE, 0x61, 0x00, 0x62, 0x00]);

        var result = new ToolHarness().Run("--model", ToolHarness.Tiny, "--prompt-file", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"gemma-bench: --prompt-file: {file} is not UTF-8 text; save it as UTF-8\n", result.Stderr);
    }

    [Fact]
    public void PromptFilesUtf8ByteOrderMarkIsNotPartOfThePrompt()
    {
        string file = dir.File("bom-only.txt");
        File.WriteAllBytes(file, [0xEF, 0xBB, 0xBF]);

        var result = new ToolHarness().Run("--model", ToolHarness.Tiny, "--prompt-file", file, "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"prompt_token_ids\":[2],", result.Stdout);
    }

    [Fact]
    public void PromptFileThatIsADirectoryIsBadUsageSayingSo()
    {
        string file = dir.File("a-directory-named-like-a-file.txt");
        Directory.CreateDirectory(file);

        var result = new ToolHarness().Run("--model", ToolHarness.Tiny, "--prompt-file", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"gemma-bench: --prompt-file: {file} is a directory; give a UTF-8 text file holding " +
            "the prompt\n", result.Stderr);
    }
}
