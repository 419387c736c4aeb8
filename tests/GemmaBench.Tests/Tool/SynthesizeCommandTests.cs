using GemmaBench.Tests.Model;
using GemmaBench.Tool;

namespace GemmaBench.Tests.Tool;

public class SynthesizeCommandTests
{
    [Fact]
    public void WritesTheCheckpointAndPrintsItsDirectoryOnStdout()
    {
        using var dir = new TempDirectory();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["synthesize", "--preset", "tiny", "--out", dir.File("ckpt"), "--dtype", "float32",
            "--seed", "3"], stdout, stderr);

        Assert.Equal(0, exit);
        Assert.Equal(dir.File("ckpt") + Environment.NewLine, stdout.ToString());
        Assert.Contains("wrote model.safetensors", stderr.ToString());
        Assert.True(File.Exists(dir.File("ckpt/config.json")));
    }

    [Fact]
    public void UnknownPresetIsAUsageError()
    {
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["synthesize", "--preset", "gemma-9", "--out", "x"], new StringWriter(), stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.StartsWith("gemma-bench: --preset: unknown preset 'gemma-9'; choose one of gemma-3-270m", stderr.ToString());
    }

    [Fact]
    public void UnknownDtypeIsAUsageError()
    {
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["synthesize", "--preset", "tiny", "--out", "x", "--dtype", "float16"],
            new StringWriter(), stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal("gemma-bench: --dtype: 'float16' is not a stored dtype; use bfloat16 or float32." +
            Environment.NewLine, stderr.ToString());
    }
}
