using GemmaBench.Model;
using McMaster.Extensions.CommandLineUtils;
using TorchSharp;

namespace GemmaBench.Tool.Commands;

/// <summary>Writes a synthetic Gemma-3 checkpoint (seeded random weights of a real shape) for benchmarking
/// without downloading weights. Prints the checkpoint directory on stdout when done.</summary>
[Command(Name = "synthesize",
    Description = "Write a synthetic Gemma-3 checkpoint of a real shape with seeded random weights.")]
[HelpOption("-h|--help")]
public sealed class SynthesizeCommand
{
    [Option("--preset", Description = "Model shape (required): gemma-3-270m, gemma-3-1b, gemma-3-4b, gemma-3-12b, " +
        "gemma-3-27b, tiny, tiny-multimodal.")]
    public string Preset { get; set; } = "";

    [Option("--out", Description = "Directory to write the checkpoint to (required; must not hold one yet).")]
    public string Out { get; set; } = "";

    [Option("--dtype", Description = "Stored weight dtype: bfloat16 or float32 [bfloat16].")]
    public string Dtype { get; set; } = "bfloat16";

    [Option("--seed", Description = "Random seed of the weights [0].")]
    public long Seed { get; set; }

    [Option("--tokenizer", Description = "Directory whose tokenizer files are copied into the checkpoint [none].")]
    public string? Tokenizer { get; set; }

    int OnExecute(IConsole console)
    {
        // Checked here rather than by validation attributes, whose failures would not exit with 2.
        if (Preset.Length == 0)
            throw new UsageException("synthesize: --preset is required (one of " +
                string.Join(", ", SyntheticPreset.All.Select(p => p.Name)) + ")");
        if (Out.Length == 0)
            throw new UsageException("--out is required: the directory to write the checkpoint to.");
        if (Dtype != "bfloat16" && Dtype != "float32")
            throw new UsageException($"--dtype: '{Dtype}' is not a stored dtype; use bfloat16 or float32.");
        if (Tokenizer != null && !Directory.Exists(Tokenizer))
            throw new UsageException($"--tokenizer: directory '{Tokenizer}' does not exist.");
        var dtype = Dtype == "float32" ? torch.ScalarType.Float32 : torch.ScalarType.BFloat16;
        if (SyntheticCheckpoint.Refusal(Preset, Out, dtype, Tokenizer) is { } refusal)
            throw new UsageException(refusal);
        var created = CreateOutFolder();

        // Ctrl-C or a kill stops the writing between chunks, so our *.partial files can be removed.
        using var interrupted = new CancellationTokenSource();
        using var signals = StopSignals.Cancel(interrupted);
        try
        {
            SyntheticCheckpoint.Write(Preset, Out, dtype, Seed, Tokenizer, new Progress(console.Error),
                cancellation: interrupted.Token);
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            console.Error.WriteLine(RemoveEmpty(created)
                ? $"gemma-bench: synthesize: interrupted; removed its partial files and the folder {Out} it " +
                    "had created"
                : $"gemma-bench: synthesize: interrupted; removed its partial files from {Out}");
            return CommandLine.Interrupted;
        }
        catch
        {
            RemoveEmpty(created);
            throw;
        }
        console.Out.WriteLine(Path.GetFullPath(Out));
        return CommandLine.Success;
    }

    /// <returns>The folders created, --out first, then those of its parents that did not exist.</returns>
    List<string> CreateOutFolder()
    {
        string full = Path.GetFullPath(Out);
        var created = new[] { full }.Concat(FolderPaths.Ancestors(full)).TakeWhile(dir => !Directory.Exists(dir))
            .ToList();
        try
        {
            Directory.CreateDirectory(Out);
            return created;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"synthesize: --out {Out}: cannot create the folder " +
                $"({FolderPaths.WhyNotCreated(Out, e)}); give a folder you can write to");
        }
    }

    // A stopped or failed run leaves no folder of its own making behind; one that holds anything (a file
    // someone else put there) stays. True when --out itself was removed.
    static bool RemoveEmpty(List<string> created)
    {
        foreach (string dir in created)
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(dir).Any())
                    break;
                Directory.Delete(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                break;
            }
        }
        return created.Count > 0 && !Directory.Exists(created[0]);
    }

    sealed class Progress(TextWriter stderr) : IProgress<string>
    {
        public void Report(string value) => stderr.WriteLine($"gemma-bench synthesize: {value}");
    }
}
