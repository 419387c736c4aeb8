using GemmaBench.Tool;

namespace GemmaBench.Tests.Tool.Commands;

public sealed class TokenizeCommandTests
{
    static (int ExitCode, string Stdout, string Stderr) Run(string stdin, params string[] options)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int exitCode = CommandLine.Run(["tokenize", "--model", TestPaths.Tokenizer, .. options],
            new StringReader(stdin), stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Each_json_string_line_becomes_a_json_array_of_ids()
    {
        var (exitCode, stdout, stderr) = Run("\"Hello world\"\n\"\"\n\"<start_of_turn>user\\n\"\n");

        Assert.Equal(0, exitCode);
        Assert.Equal("[2,9259,1902]\n[2]\n[2,105,2364,107]\n", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public void Decode_turns_id_arrays_back_into_json_strings()
    {
        var (exitCode, stdout, _) = Run("[2, 9259, 1902]\n[2,105,2364,107,478,385,366,366]\n",
            "--decode", "--skip-special-tokens");

        Assert.Equal(0, exitCode);
        Assert.Equal("\"Hello world\"\n\"user\\n\U00013000\"\n", stdout);
    }

    [Fact]
    public void A_bad_line_stops_with_one_error_line_naming_its_number()
    {
        var (exitCode, stdout, stderr) = Run("\"Hello world\"\nnot json\n\"never read\"\n");

        Assert.Equal(CommandLine.BadUsage, exitCode);
        Assert.Equal("[2,9259,1902]\n", stdout);
        Assert.Equal(
            "gemma-bench: stdin line 2: expected a JSON string such as \"Hello world\", got \"not json\".\n",
            stderr);
    }
}
