using GemmaBench.Tool;
using GemmaBench.Tool.Commands;
using GemmaBench.Tool.Sweep;
using McMaster.Extensions.CommandLineUtils;

namespace GemmaBench.Tests.Tool.Sweep;

/// <summary>What a sweep does for the user's results: --out proven writable before the first run,
/// files that cannot be written named, and the completed runs kept when it is interrupted.</summary>
public sealed class SweepResultsKeptTests : SweepCommandHarness
{
    [Fact]
    public void Out_under_a_regular_file_is_refused_before_any_run_naming_out()
    {
        string file = Path.Combine(folder, "a-file");
        File.WriteAllText(file, "keep me");
        string results = Path.Combine(file, "sub");
        var runner = new ScriptedRunner(Answer);

        var error = Assert.Throws<UsageException>(
            () => Sweep(runner, "--model", Model("m"), "--threads", "1", "--out", results));

        Assert.Equal($"sweep: --out {results} cannot be written ({file} is a file); give a folder you can "
            + "create and write to", error.Message);
        Assert.Empty(runner.Calls);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void Empty_out_is_refused_before_any_run()
    {
        var runner = new ScriptedRunner(Answer);

        var error = Assert.Throws<UsageException>(
            () => Sweep(runner, "--model", Model("m"), "--threads", "1", "--out", ""));

        Assert.Equal("sweep: --out is empty; give the folder for the results", error.Message);
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public void Results_are_written_before_the_table_so_a_closed_stdout_keeps_them()
    {
        string results = Path.Combine(folder, "results");
        var app = new CommandLineApplication<SweepCommand>(
            new RedirectedConsole(TextReader.Null, new FailingWriter(), new StringWriter()));
        app.Conventions.UseDefaultConventions();
        app.Model.Runner = new ScriptedRunner(Answer);

        Assert.Throws<IOException>(() => app.Execute("--model", Model("m"), "--threads", "1", "--repeat", "1",
            "--out", results));

        Assert.Equal(new[] { "decode.png", "prefill.png", "results.csv", "results.json" },
            Directory.GetFiles(results).Select(f => Path.GetFileName(f)!).Order().ToArray());
    }

    sealed class FailingWriter : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => throw new IOException("Bad file descriptor");
    }

    [Fact]
    public void Out_folder_is_created_before_the_first_run_and_left_empty()
    {
        string results = Path.Combine(folder, "new", "results");
        bool emptyAtFirstRun = false;
        var runner = new ScriptedRunner(args =>
        {
            emptyAtFirstRun = Directory.Exists(results)
                && !Directory.EnumerateFileSystemEntries(results).Any();
            throw new InvalidOperationException("stop here");
        });

        Sweep(runner, "--model", Model("m"), "--threads", "1", "--repeat", "1", "--out", results);

        Assert.True(emptyAtFirstRun);
    }

    [Fact]
    public void Results_that_cannot_be_written_at_the_end_are_named_and_the_table_is_kept()
    {
        string results = Path.Combine(folder, "results");
        var runner = new ScriptedRunner(args =>
        {
            // The folder disappears during the sweep, a file in its place.
            Directory.Delete(results, recursive: true);
            File.WriteAllText(results, "not a folder");
            return Answer(args);
        });

        var (exit, stdout, stderr) = Sweep(runner, "--model", Model("m"), "--threads", "1", "--repeat", "1",
            "--out", results);

        Assert.Equal(CommandLine.Failure, exit);
        Assert.Equal("m      eager        1         100.00         10.00   1.00", stdout.Split('\n')[1]);
        string[] failures =
            [.. stderr.Split('\n').Where(line => line.StartsWith("gemma-bench: sweep: could not"))];
        Assert.Equal(4, failures.Length);
        Assert.StartsWith($"gemma-bench: sweep: could not write {Path.Combine(results, "results.csv")} (",
            failures[0]);
        Assert.EndsWith("); the table on stdout has the results", failures[0]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Interrupted_sweep_stops_its_run_writes_the_completed_runs_and_exits_130(bool withOut)
    {
        string results = Path.Combine(folder, "results");
        ScriptedRunner? runner = null;
        string[] args = ["--model", Model("m"), "--threads", "1,2", "--repeat", "2"];

        var (exit, stdout, stderr) = Sweep(command => runner = new ScriptedRunner(args =>
        {
            if (runner is { Calls.Count: 3 })
            {
                command.Interruption.Cancel();
                return new ChildOutput(137, "", [], Interrupted: true);
            }
            return Answer(args);
        }), withOut ? [.. args, "--out", results] : args);

        Assert.Equal(CommandLine.Interrupted, exit);
        Assert.Equal(3, runner!.Calls.Count);
        string[] lines = stderr.Split('\n');
        Assert.Contains("sweep: 2 of 4 runs in 0:00, 0 failed", lines);
        Assert.Equal(withOut
            ? "gemma-bench: sweep: interrupted after 2 of 4 runs; wrote results.csv, results.json, "
              + $"prefill.png, decode.png to {results}"
            : "gemma-bench: sweep: interrupted after 2 of 4 runs; no --out, nothing written", lines[^2]);
        Assert.Equal("m      eager        2         200.00         10.00   1.00",
            stdout.Split('\n')[2]);
        if (withOut)
        {
            Assert.Equal(3, File.ReadAllLines(Path.Combine(results, "results.csv")).Length);
            using var json = System.Text.Json.JsonDocument.Parse(
                File.ReadAllText(Path.Combine(results, "results.json")));
            Assert.True(json.RootElement.GetProperty("interrupted").GetBoolean());
            Assert.Equal(4, json.RootElement.GetProperty("planned_runs").GetInt32());
        }
    }

    [Fact]
    public void Sweep_interrupted_before_any_run_completed_writes_the_csv_and_json_and_no_chart()
    {
        string results = Path.Combine(folder, "results");

        var (exit, _, stderr) = Sweep(command => new ScriptedRunner(args =>
        {
            command.Interruption.Cancel();
            return new ChildOutput(137, "", [], Interrupted: true);
        }), "--model", Model("m"), "--threads", "1,2", "--repeat", "1", "--out", results);

        Assert.Equal(CommandLine.Interrupted, exit);
        Assert.Equal(["results.csv", "results.json"],
            Directory.GetFiles(results).Select(f => Path.GetFileName(f)!).Order());
        string[] lines = stderr.Split('\n');
        Assert.Contains(
            $"sweep: drew no {Path.Combine(results, "prefill.png")}: no run measured its throughput", lines);
        Assert.Equal("gemma-bench: sweep: interrupted after 0 of 2 runs; wrote results.csv, results.json to "
            + $"{results}; drew no prefill.png, decode.png", lines[^2]);
    }
}
