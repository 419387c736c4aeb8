using GemmaBench.Tool;

namespace GemmaBench.Tests.Tool.Sweep;

/// <summary>`sweep --prompt-file`: the main command's option, passed to every run, and a file the
/// runs could not read refused before the first one.</summary>
public sealed class SweepPromptFileTests : SweepCommandHarness
{
    string PromptFile(byte[] bytes)
    {
        string path = Path.Combine(folder, "prompt.txt");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static (int Exit, string Stderr) RunCommandLine(params string[] args)
    {
        var stderr = new StringWriter { NewLine = "\n" };
        int exit = CommandLine.Run(["sweep", .. args], new StringWriter(), stderr);
        return (exit, stderr.ToString());
    }

    [Fact]
    public void Prompt_file_is_passed_to_every_run_and_recorded_in_the_plan()
    {
        string prompt = PromptFile("Once upon a time\n"u8.ToArray());
        string results = Path.Combine(folder, "results");
        var runner = new ScriptedRunner(Answer);

        var (exit, _, _) = Sweep(runner, "--model", Model("m"), "--threads", "1,2", "--repeat", "1",
            "--prompt-file", prompt, "--out", results);

        Assert.Equal(0, exit);
        Assert.Equal(2, runner.Calls.Count);
        Assert.All(runner.Calls, args => Assert.Equal(prompt, ScriptedRunner.Argument(args, "--prompt-file")));
        Assert.All(runner.Calls, args => Assert.DoesNotContain("--prompt", args));
        using var json = System.Text.Json.JsonDocument.Parse(
            File.ReadAllText(Path.Combine(results, "results.json")));
        Assert.Equal(prompt, json.RootElement.GetProperty("plan").GetProperty("prompt_file").GetString());
    }

    [Fact]
    public void Missing_prompt_file_is_refused_before_any_run_with_exit_code_2()
    {
        string missing = Path.Combine(folder, "no-such-prompt.txt");

        var (exit, stderr) = RunCommandLine("--model", Model("m"), "--threads", "1", "--prompt-file", missing);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal($"gemma-bench: sweep: --prompt-file: no file {missing}; give a UTF-8 text file "
            + "holding the prompt\n", stderr);
    }

    [Fact]
    public void Prompt_file_that_is_not_utf8_is_refused_before_any_run()
    {
        string utf16 = PromptFile([0xFF, 0xFE, (byte)'h', 0, (byte)'i', 0]);
        var runner = new ScriptedRunner(Answer);

        var error = Assert.Throws<UsageException>(() => Sweep(runner, "--model", Model("m"), "--threads", "1",
            "--prompt-file", utf16));

        Assert.Equal($"sweep: --prompt-file: {utf16} is not UTF-8 text; save it as UTF-8", error.Message);
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public void Prompt_file_and_prompt_together_are_refused()
    {
        string prompt = PromptFile("hi"u8.ToArray());

        var (exit, stderr) = RunCommandLine("--model", Model("m"), "--threads", "1", "--prompt-file", prompt,
            "--prompt", "hello");

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal("gemma-bench: sweep: --prompt-file and --prompt both give the prompt; use one of them\n",
            stderr);
    }

    [Fact]
    public void Prompt_on_the_command_line_replaces_the_plans_prompt_file()
    {
        string plan = Path.Combine(folder, "sweep.yaml");
        File.WriteAllText(plan,
            $"model: {Model("m")}\nthreads: 1\nrepeat: 1\nprompt-file: {folder}/gone.txt\n");
        var runner = new ScriptedRunner(Answer);

        var (exit, _, _) = Sweep(runner, "--plan", plan, "--prompt", "hello");

        Assert.Equal(0, exit);
        var args = Assert.Single(runner.Calls);
        Assert.Equal("hello", ScriptedRunner.Argument(args, "--prompt"));
        Assert.DoesNotContain("--prompt-file", args);
    }
}
