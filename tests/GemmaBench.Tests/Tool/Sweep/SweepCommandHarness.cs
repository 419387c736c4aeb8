using GemmaBench.Tool;
using GemmaBench.Tool.Commands;
using GemmaBench.Tool.Sweep;
using McMaster.Extensions.CommandLineUtils;

namespace GemmaBench.Tests.Tool.Sweep;

/// <summary>Runs `sweep` in-process with a fake runner, in a temporary folder of its own.</summary>
public abstract class SweepCommandHarness : IDisposable
{
    protected readonly string folder =
        Path.Combine(Path.GetTempPath(), "gemma-bench-sweep-" + Guid.NewGuid().ToString("N"));

    protected SweepCommandHarness() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A model folder the sweep accepts: the tiny fixture's config.json, no weights (the fake
    /// runner never reads them).</summary>
    protected string Model(string name)
    {
        string dir = Path.Combine(folder, "models", name);
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(TestPaths.Checkpoint("tiny"), "config.json"), Path.Combine(dir, "config.json"),
            overwrite: true);
        return dir;
    }

    protected static (int Exit, string Stdout, string Stderr) Sweep(IBenchmarkRunner runner,
        params string[] args) => Sweep(_ => runner, args);

    /// <summary>As <see cref="Sweep(IBenchmarkRunner, string[])"/>, with a runner made for the command, so that
    /// it can reach the command (to interrupt it, say).</summary>
    protected static (int Exit, string Stdout, string Stderr) Sweep(Func<SweepCommand, IBenchmarkRunner> runnerFor,
        params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var app = new CommandLineApplication<SweepCommand>(
            new RedirectedConsole(TextReader.Null, stdout, stderr));
        app.Conventions.UseDefaultConventions();
        app.Model.Runner = runnerFor(app.Model);
        int exit = app.Execute(args);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    protected static ChildOutput Answer(IReadOnlyList<string> args)
    {
        int threads = int.Parse(ScriptedRunner.Argument(args, "--threads"));
        double speed = args.Contains("--compile") ? 2 : 1;
        return new ChildOutput(0, FakeBenchmark.Json(100 * threads * speed, 10 * speed, 1, threads), []);
    }
}
