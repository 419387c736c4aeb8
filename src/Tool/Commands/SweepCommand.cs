using GemmaBench.Tool.Sweep;
using McMaster.Extensions.CommandLineUtils;

namespace GemmaBench.Tool.Commands;

/// <summary>`gemma-bench sweep`: runs the benchmark over models, thread counts and modes, each run in
/// a fresh process, and reports the table, the best thread counts, and files in --out.</summary>
[Command(Name = "sweep", Description = "Runs the benchmark over thread counts, models and modes, each run "
    + "in a fresh process; prints a table and the best thread counts, writes CSV, JSON and charts.")]
[HelpOption("-h|--help")]
public sealed class SweepCommand
{
    [Option("--model", CommandOptionType.MultipleValue, ValueName = "DIR_OR_ID",
        Description = "Checkpoint folder or hub id; repeat for several models.")]
    public string[] Models { get; set; } = [];

    [Option("--threads", ValueName = "LIST",
        Description = "Comma-separated thread counts, like 1,2,4,8.")]
    public string? Threads { get; set; }

    [Option("--compile", ValueName = "MODE",
        Description = "off, on or both [off].")]
    public string? Compile { get; set; }

    [Option("--quant-scheme", CommandOptionType.MultipleValue, ValueName = "SCHEME",
        Description = "Quantization scheme; repeat to compare schemes [the benchmark's default].")]
    public string[] QuantSchemes { get; set; } = [];

    [Option("--groupsize", ValueName = "N",
        Description = "Group size for quantization [the benchmark's default].")]
    public int? GroupSize { get; set; }

    [Option("--int4-kernel", ValueName = "KERNEL", Description = "INT4 kernel [the benchmark's default].")]
    public string? Int4Kernel { get; set; }

    [Option("--dtype", ValueName = "DTYPE",
        Description = "float32 or bfloat16 [the benchmark's default].")]
    public string? Dtype { get; set; }

    [Option("--max-new-tokens", ValueName = "N",
        Description = "Tokens to generate per run [the benchmark's default].")]
    public int? MaxNewTokens { get; set; }

    [Option("--prompt", ValueName = "TEXT",
        Description = "Prompt text [the benchmark's default].")]
    public string? Prompt { get; set; }

    [Option("--prompt-file", ValueName = "FILE",
        Description = "Read the prompt from this UTF-8 file, as is, instead of --prompt [none].")]
    public string? PromptFile { get; set; }

    [Option("--repeat", ValueName = "N",
        Description = "Runs per configuration; the table shows median [min-max] [3].")]
    public int? Repeat { get; set; }

    [Option("--out", ValueName = "DIR",
        Description = "Folder for results.csv, results.json, prefill.png, decode.png [none].")]
    public string? Out { get; set; }

    [Option("--overwrite", Description = "Replace the files of an earlier sweep in --out [off: refuse].")]
    public bool Overwrite { get; set; }

    [Option("--run-timeout", ValueName = "SECONDS", Description = "Seconds a run may take before it is "
        + "killed and counted as failed; 0 for no limit [1800].")]
    public int? RunTimeout { get; set; }

    [Option("--plan", ValueName = "YAML",
        Description = "YAML plan with the same keys as these options; options given here win.")]
    public string? Plan { get; set; }

    [Option("--verbose", Description = "Relay each run's stderr.")]
    public bool Verbose { get; set; }

    /// <summary>Runs the benchmarks; null re-launches this tool. Tests put a fake here.</summary>
    internal IBenchmarkRunner? Runner { get; set; }

    /// <summary>Cancelled by Ctrl-C (SIGINT) or SIGTERM: the sweep stops its run and keeps the rest.
    /// Tests cancel it themselves.</summary>
    internal CancellationTokenSource Interruption { get; } = new();

    int OnExecute(CommandLineApplication app)
    {
        TextWriter stdout = app.Out;
        TextWriter stderr = app.Error;
        SweepPlan plan = BuildPlan();
        plan.Validate();
        if (plan.Out is { } outFolder)
            OutFolder.Prepare(outFolder);

        using var signals = StopSignals.Cancel(Interruption);

        var relay = Verbose ? (Action<string>)(line => stderr.WriteLine("  | " + line)) : null;
        var runner = Runner ?? ChildProcessRunner.Self(relay);
        var results = new Sweeper(runner, stderr).Run(plan, Environment.ProcessorCount, Interruption.Token);
        // The files first: a closed or failing stdout must not cost the runs' results.
        bool allWritten = WriteFiles(results, plan.Out, stderr, out string written);
        SweepTable.Write(results, stdout);

        if (results.Interrupted)
        {
            stderr.WriteLine($"gemma-bench: sweep: interrupted after {results.Runs.Count} of " +
                $"{results.PlannedRuns} runs; {written}");
            return CommandLine.Interrupted;
        }
        return results.FailedRuns > 0 || !allWritten ? CommandLine.Failure : CommandLine.Success;
    }

    // A file that cannot be written is named, and the others written; the table still goes to stdout.
    static bool WriteFiles(SweepResults results, string? folder, TextWriter stderr, out string summary)
    {
        if (folder is null)
        {
            summary = "no --out, nothing written";
            return true;
        }
        var (written, failed, notDrawn) = SweepFiles.Write(results, folder);
        foreach (string file in written)
            stderr.WriteLine($"sweep: wrote {file}");
        foreach (string chart in notDrawn)
            stderr.WriteLine($"sweep: drew no {chart}: no run measured its throughput");
        foreach (var (file, reason) in failed)
            stderr.WriteLine($"gemma-bench: sweep: could not write {file} ({reason}); the table on stdout " +
                "has the results");
        summary = written.Count == 0
            ? $"nothing written to {folder}"
            : $"wrote {string.Join(", ", written.Select(Path.GetFileName))} to {folder}";
        if (notDrawn.Count > 0)
            summary += $"; drew no {string.Join(", ", notDrawn.Select(Path.GetFileName))}";
        return failed.Count == 0;
    }

    internal SweepPlan BuildPlan()
    {
        var plan = Plan is null ? new SweepPlan { Models = [], Threads = [] } : SweepPlanFile.Load(Plan);
        if (Models.Length > 0)
            plan = plan with { Models = Models };
        if (Threads is not null)
        {
            plan = plan with
            {
                Threads = SweepPlan.ParseThreads(Threads, out string error)
                    ?? throw new UsageException($"sweep: --threads: {error}"),
            };
        }
        if (Compile is not null)
        {
            plan = plan with
            {
                CompileModes = SweepPlan.ParseCompile(Compile)
                    ?? throw new UsageException($"sweep: --compile: '{Compile}' is not off, on or both"),
            };
        }
        if (QuantSchemes.Length > 0)
            plan = plan with { QuantSchemes = QuantSchemes };
        // The prompt is one setting given two ways: either on the command line replaces the plan's.
        if (Prompt is not null || PromptFile is not null)
            plan = plan with { Prompt = Prompt, PromptFile = PromptFile };
        return plan with
        {
            GroupSize = GroupSize ?? plan.GroupSize,
            Int4Kernel = Int4Kernel ?? plan.Int4Kernel,
            Dtype = Dtype ?? plan.Dtype,
            MaxNewTokens = MaxNewTokens ?? plan.MaxNewTokens,
            Repeat = Repeat ?? plan.Repeat,
            Out = Out ?? plan.Out,
            Overwrite = Overwrite || plan.Overwrite,
            RunTimeoutSeconds = RunTimeout ?? plan.RunTimeoutSeconds,
        };
    }
}
