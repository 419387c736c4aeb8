using GemmaBench.Tool;

namespace GemmaBench.Tests.Tool;

/// <summary>Mistakes the option parser catches read as our own one-line usage errors, with exit code 2,
/// in every command.</summary>
public class ParserMessageTests
{
    [Theory]
    [InlineData("--threads abc", "--threads: 'abc' is not a whole number")]
    [InlineData("--threads 99999999999", "--threads: '99999999999' is out of range (above 2147483647)")]
    [InlineData("--max-new-tokens 1.5", "--max-new-tokens: '1.5' is not a whole number")]
    [InlineData("--model", "--model needs a value")]
    [InlineData("--model --threads 2", "--model needs a value (got the option --threads)")]
    [InlineData("--model m --prompt --json", "--prompt needs a value (got the option --json)")]
    [InlineData("sweep --model --threads 1", "sweep: --model needs a value (got the option --threads)")]
    [InlineData("sweep --model m --threads", "sweep: --threads needs a value")]
    [InlineData("sweep --model m --bogus", "sweep: unrecognized argument '--bogus' (see --help)")]
    [InlineData("sweep --repeat 99999999999",
        "sweep: --repeat: '99999999999' is out of range (above 2147483647)")]
    [InlineData("sweep --threads 1 --threads 2", "sweep: --threads is given twice; give it once")]
    [InlineData("sweep --overwrite=yes", "sweep: --overwrite takes no value (got 'yes')")]
    [InlineData("--threads 2 --threads 1", "--threads is given twice; give it once")]
    [InlineData("--json=yes", "--json takes no value (got 'yes')")]
    [InlineData("sweep --run-timeout abc", "sweep: --run-timeout: 'abc' is not a whole number")]
    [InlineData("synthesize --preset tiny --out x --seed x1", "--seed: 'x1' is not a whole number")]
    [InlineData("download",
        "download: give the model, a hub id such as google/gemma-3-1b-it or a local checkpoint directory")]
    [InlineData("download ../etc",
        "model '../etc' is neither a directory nor a Hugging Face model id like google/gemma-3-1b-it")]
    [InlineData("download google/gemma-3-1b-it --revision ../x",
        "--revision '../x' is not a branch, tag or commit id")]
    [InlineData("synthesize --out x", "synthesize: --preset is required (one of gemma-3-270m, gemma-3-1b, " +
        "gemma-3-4b, gemma-3-12b, gemma-3-27b, tiny, tiny-multimodal)")]
    public void ParserMistakeIsOneLineAndExitCode2(string arguments, string message)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };

        int exit = CommandLine.Run(arguments.Split(' '), stdout, stderr);

        Assert.Equal($"gemma-bench: {message}\n", stderr.ToString());
        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal("", stdout.ToString());
    }

    [Theory]
    [InlineData("--threads", "--threads")]
    [InlineData("--threads=", null)]
    [InlineData("--groupsize", "--groupsize")]
    public void EmptyNumberIsRefusedNotTakenForTheDefault(string option, string? separate)
    {
        string[] arguments = separate == null ? ["--model", "m", option] : ["--model", "m", option, ""];
        var stderr = new StringWriter { NewLine = "\n" };

        int exit = CommandLine.Run(arguments, new StringWriter(), stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal($"gemma-bench: --{option.Trim('-', '=')}: '' is not a whole number\n", stderr.ToString());
    }

    [Fact]
    public void EmptySweepRepeatIsRefused()
    {
        var stderr = new StringWriter { NewLine = "\n" };

        int exit = CommandLine.Run(["sweep", "--model", "m", "--threads", "1", "--repeat", ""], new StringWriter(),
            stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal("gemma-bench: sweep: --repeat: '' is not a whole number\n", stderr.ToString());
    }
}
