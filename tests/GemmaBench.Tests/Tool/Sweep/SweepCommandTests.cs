using GemmaBench.Tool;
using GemmaBench.Tool.Commands;
using GemmaBench.Tool.Sweep;
using McMaster.Extensions.CommandLineUtils;

namespace GemmaBench.Tests.Tool.Sweep;

public sealed class SweepCommandTests : SweepCommandHarness
{
    [Fact]
    public void Sweep_over_two_models_both_modes_and_two_thread_counts_prints_the_table_and_writes_the_files()
    {
        var runner = new ScriptedRunner(Answer);

        string results = Path.Combine(folder, "results");
        var (exit, stdout, _) = Sweep(runner, "--model", Model("tiny"), "--model", Model("tiny-odd"),
            "--threads", "1,2", "--compile", "both", "--repeat", "2", "--out", results);

        Assert.Equal(0, exit);
        Assert.Equal(16, runner.Calls.Count);
        string[] lines = stdout.Split('\n');
        Assert.Equal("model     mode      threads           prefill tok/s         decode tok/s  E2E s", lines[0]);
        Assert.Equal("tiny      compiled        2  400.00 [400.00-400.00]  20.00 [20.00-20.00]   1.00", lines[4]);
        Assert.Contains("best threads for tiny-odd compiled: prefill 2 (400.00 tok/s), decode 1 (20.00 tok/s)", lines);
        Assert.Equal(["decode.png", "prefill.png", "results.csv", "results.json"],
            Directory.GetFiles(results).Select(Path.GetFileName).Order());
        string[] csv = File.ReadAllLines(Path.Combine(results, "results.csv"));
        Assert.Equal(17, csv.Length);
        Assert.StartsWith($"{Model("tiny")},eager,off,symmetric_groupwise,1,", csv[1]);
        Assert.All(runner.Timeouts, timeout => Assert.Equal(TimeSpan.FromSeconds(1800), timeout));
    }

    [Theory]
    [InlineData("results.csv")]
    [InlineData("decode.png")]
    public void Out_holding_an_earlier_sweeps_file_is_refused_before_any_run(string earlier)
    {
        File.WriteAllText(Path.Combine(folder, earlier), "earlier results");
        var runner = new ScriptedRunner(Answer);

        var error = Assert.Throws<UsageException>(
            () => Sweep(runner, "--model", Model("m"), "--threads", "1", "--out", folder));

        Assert.Equal($"sweep: --out {folder} already holds {earlier} from an earlier sweep; pass another --out, "
            + "or --overwrite to replace it", error.Message);
        Assert.Empty(runner.Calls);
        Assert.Equal("earlier results", File.ReadAllText(Path.Combine(folder, earlier)));
    }

    [Fact]
    public void Overwrite_replaces_an_earlier_sweeps_files()
    {
        File.WriteAllText(Path.Combine(folder, "results.csv"), "earlier results");
        var runner = new ScriptedRunner(Answer);

        var (exit, _, _) = Sweep(runner, "--model", Model("m"), "--threads", "1", "--repeat", "1", "--out", folder,
            "--overwrite");

        Assert.Equal(0, exit);
        Assert.StartsWith("model,mode,compile,", File.ReadAllText(Path.Combine(folder, "results.csv")));
    }

    [Fact]
    public void Run_timeout_reaches_the_runner_and_0_means_no_limit()
    {
        var limited = new ScriptedRunner(Answer);
        var unlimited = new ScriptedRunner(Answer);

        Sweep(limited, "--model", Model("m"), "--threads", "1", "--repeat", "1", "--run-timeout", "90");
        Sweep(unlimited, "--model", Model("m"), "--threads", "1", "--repeat", "1", "--run-timeout", "0");

        Assert.Equal([TimeSpan.FromSeconds(90)], limited.Timeouts);
        Assert.Equal([null], unlimited.Timeouts);
    }

    [Fact]
    public void Timed_out_run_is_a_failed_run_and_the_sweep_goes_on()
    {
        var runner = new ScriptedRunner(args => ScriptedRunner.Argument(args, "--threads") == "1"
            ? new ChildOutput(137, "partial", [], TimedOut: true)
            : Answer(args));

        var (exit, stdout, stderr) = Sweep(runner, "--model", Model("m"), "--threads", "1,2", "--repeat", "1",
            "--run-timeout", "5");

        Assert.Equal(CommandLine.Failure, exit);
        Assert.Equal(2, runner.Calls.Count);
        Assert.Contains("sweep: run 1 failed (m eager 1 thread): timed out after 5 s", stderr);
        Assert.Equal(["m", "eager", "1", "failed", "failed", "failed", "1", "of", "1"],
            stdout.Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--quant-scheme", "int4", "sweep: --quant-scheme must be one of symmetric_groupwise, symmetric_channelwise, none (got 'int4')")]
    [InlineData("--int4-kernel", "foo", "sweep: --int4-kernel must be one of auto, managed, int4pack, dynquant, reference (got 'foo')")]
    [InlineData("--dtype", "float16", "sweep: --dtype must be one of float32, bfloat16 (got 'float16')")]
    public void Bad_names_are_refused_before_any_run(string option, string value, string message)
    {
        var runner = new ScriptedRunner(Answer);

        var error = Assert.Throws<UsageException>(
            () => Sweep(runner, "--model", Model("m"), "--threads", "1", option, value));

        Assert.Equal(message, error.Message);
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public void Out_that_is_a_file_is_refused_before_any_run()
    {
        string file = Path.Combine(folder, "a-file");
        File.WriteAllText(file, "keep me");
        var runner = new ScriptedRunner(Answer);

        var error = Assert.Throws<UsageException>(
            () => Sweep(runner, "--model", Model("m"), "--threads", "1", "--out", file));

        Assert.Equal($"sweep: --out {file} is a file; give a folder for the results", error.Message);
        Assert.Empty(runner.Calls);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void Sweep_with_a_failed_run_exits_1_after_running_the_rest()
    {
        var runner = new ScriptedRunner(args => ScriptedRunner.Argument(args, "--threads") == "1"
            ? new ChildOutput(134, "", ["Aborted"])
            : Answer(args));

        var (exit, stdout, stderr) = Sweep(runner, "--model", Model("m"), "--threads", "1,2", "--repeat", "1");

        Assert.Equal(CommandLine.Failure, exit);
        Assert.Equal(2, runner.Calls.Count);
        Assert.Contains("sweep: run 1 failed (m eager 1 thread): exit code 134: Aborted", stderr);
        Assert.Contains("best threads for m eager: prefill 2 (200.00 tok/s), decode 2 (10.00 tok/s)", stdout);
    }

    [Fact]
    public void Options_on_the_command_line_override_the_plan_file()
    {
        string plan = Path.Combine(folder, "sweep.yaml");
        File.WriteAllText(plan, $"model: {Model("a")}\nthreads: [1, 2]\nrepeat: 5\ndtype: float32\n");
        var runner = new ScriptedRunner(Answer);

        var (exit, _, _) = Sweep(runner, "--plan", plan, "--repeat", "1", "--threads", "4");

        Assert.Equal(0, exit);
        Assert.Equal(
            [["--model", Model("a"), "--threads", "4", "--json", "--no-stream", "--dtype", "float32"]],
            runner.Calls);
    }

    [Fact]
    public void Plan_file_mistake_exits_2_with_one_line_naming_file_line_and_key()
    {
        string plan = Path.Combine(folder, "sweep.yaml");
        File.WriteAllText(plan, "model: a\nthreads: [1, 0]\n");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["sweep", "--plan", plan], stdout, stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal(
            $"gemma-bench: {plan}:2: threads: '0' in '0' is not a thread count; write positive integers like 1,2,4\n",
            stderr.ToString());
        Assert.Equal("", stdout.ToString());
    }

    [Fact]
    public void Group_size_that_does_not_divide_a_local_models_widths_is_refused_before_any_run()
    {
        string tiny = TestPaths.Checkpoint("tiny");
        var runner = new ScriptedRunner(Answer);

        var error = Assert.Throws<UsageException>(
            () => Sweep(runner, "--model", tiny, "--threads", "1", "--groupsize", "128"));

        Assert.Equal($"sweep: --groupsize 128 does not divide the widths of {tiny} (64, 128); use a divisor of "
            + "all of them such as 64, or --quant-scheme symmetric_channelwise", error.Message);
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public void Broken_config_json_of_a_local_model_is_refused_before_any_run_without_groupsize()
    {
        string model = Model("m");
        string config = EditConfig(model, "\"hidden_size\": 64", "\"hidden_size\": \"abc\"");
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };

        int exit = CommandLine.Run(["sweep", "--model", model, "--threads", "1"], stdout, stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal($"gemma-bench: sweep: {config}: field hidden_size must be an integer, got \"abc\"; "
            + "fix it or download config.json again\n", stderr.ToString());
        Assert.Equal("", stdout.ToString());
    }

    [Fact]
    public void Default_group_size_that_does_not_divide_a_local_models_widths_is_refused_before_any_run()
    {
        string model = Model("m");
        EditConfig(model, "\"hidden_size\": 64", "\"hidden_size\": 48");
        var runner = new ScriptedRunner(Answer);

        var error = Assert.Throws<UsageException>(() => Sweep(runner, "--model", model, "--threads", "1"));

        Assert.Equal($"sweep: --groupsize 32 does not divide the widths of {model} (48, 128); none of 32, 64, "
            + "128 or 256 divides them all; use --quant-scheme symmetric_channelwise", error.Message);
        Assert.Empty(runner.Calls);
    }

    static string EditConfig(string model, string from, string to)
    {
        string config = Path.Combine(model, "config.json");
        string text = File.ReadAllText(config);
        Assert.Contains(from, text);
        File.WriteAllText(config, text.Replace(from, to));
        return config;
    }

    [Fact]
    public void Group_size_is_not_checked_against_a_model_when_no_scheme_groups_weights()
    {
        var runner = new ScriptedRunner(Answer);

        var (exit, _, _) = Sweep(runner, "--model", TestPaths.Checkpoint("tiny"), "--threads", "1", "--repeat", "1",
            "--groupsize", "128", "--quant-scheme", "symmetric_channelwise");

        Assert.Equal(0, exit);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public void Model_given_twice_is_refused_before_any_run()
    {
        string model = Model("m");
        var runner = new ScriptedRunner(Answer);

        var same = Assert.Throws<UsageException>(
            () => Sweep(runner, "--model", model, "--model", model, "--threads", "1"));
        var spelled = Assert.Throws<UsageException>(
            () => Sweep(runner, "--model", model, "--model", model + "/", "--threads", "1"));

        Assert.Equal($"sweep: --model {model} is given twice; give each model once", same.Message);
        Assert.Equal($"sweep: --model {model}/ is given twice (also as {model}); give each model once",
            spelled.Message);
        Assert.Empty(runner.Calls);
    }

    [Theory]
    [InlineData(new[] { "sweep", "--model", "m", "--threads", "1,5000" },
        "gemma-bench: sweep: --threads must be between 1 and 4096 (got 5000)\n")]
    [InlineData(new[] { "sweep", "--model", "org/a", "--model", "org/a", "--threads", "1" },
        "gemma-bench: sweep: --model org/a is given twice; give each model once\n")]
    [InlineData(new[] { "sweep", "--model", "org/a", "--threads", "1", "--out", "/proc/nope" },
        "gemma-bench: sweep: --out /proc/nope cannot be written (")]
    [InlineData(new[] { "sweep", "--threads", "1" }, "gemma-bench: sweep: give at least one --model")]
    [InlineData(new[] { "sweep", "--model", "m" }, "gemma-bench: sweep: give --threads")]
    [InlineData(new[] { "sweep", "--model", "m", "--threads", "1,-2" }, "gemma-bench: sweep: --threads: '-2'")]
    [InlineData(new[] { "sweep", "--model", "m", "--threads", "1", "--compile", "yes" },
        "gemma-bench: sweep: --compile: 'yes' is not off, on or both")]
    [InlineData(new[] { "sweep", "--model", "m", "--threads", "1", "--repeat", "0" },
        "gemma-bench: sweep: --repeat must be at least 1, not 0")]
    [InlineData(new[] { "sweep", "--model", "m", "--threads", "1,2,1" },
        "gemma-bench: sweep: --threads: 1 is given twice; give each thread count once\n")]
    [InlineData(new[] { "sweep", "--model", "m", "--threads", "1", "--groupsize", "48" },
        "gemma-bench: sweep: --groupsize must be one of 32, 64, 128, 256 (got 48)\n")]
    [InlineData(new[] { "sweep", "--model", "/no/such/model", "--threads", "1" },
        "gemma-bench: sweep: --model: no directory /no/such/model; give a local model directory or a hub id "
        + "such as google/gemma-3-1b-it\n")]
    [InlineData(new[] { "sweep", "--model", "m", "--threads", "1", "--run-timeout", "-1" },
        "gemma-bench: sweep: --run-timeout must be 0 (no limit) or more seconds, not -1\n")]
    public void Bad_options_exit_2_before_any_run(string[] args, string message)
    {
        var stderr = new StringWriter();

        int exit = CommandLine.Run(args, new StringWriter(), stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.StartsWith(message, stderr.ToString());
    }
}
