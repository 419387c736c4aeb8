using GemmaBench.Model.Hub;
using GemmaBench.Tool.Output;
using McMaster.Extensions.CommandLineUtils;

namespace GemmaBench.Tool.Commands;

/// <summary>`gemma-bench download org/name`: fills the Hugging Face cache without running the model and
/// prints the local checkpoint directory, so scripts can pass it on.</summary>
[Command("download", Description = "Downloads a model into the Hugging Face cache (or finds it there) and prints "
    + "its local directory. Reads HF_TOKEN, HF_HOME, HF_HUB_CACHE, HF_ENDPOINT and HF_HUB_OFFLINE.")]
[HelpOption("-h|--help")]
public sealed class DownloadCommand
{
    // Checked in OnExecute rather than with [Required], whose message does not say what to give.
    [Argument(0, "model", Description = "Hub id like google/gemma-3-1b-it, or a local checkpoint directory.")]
    public string Model { get; set; } = "";

    [Option("--revision", Description = "Branch, tag or commit id of the hub repository [main].")]
    public string? Revision { get; set; }

    int OnExecute(IConsole console)
    {
        if (string.IsNullOrWhiteSpace(Model))
            throw new UsageException("download: give the model, a hub id such as google/gemma-3-1b-it " +
                "or a local checkpoint directory");
        bool terminal = DownloadProgressReporter.IsTerminal(console);
        var progress = new DownloadProgressReporter(console.Error, terminal);
        ModelArgument.WarnIfRevisionIgnored(Revision, Model, console.Error);
        string dir = ModelLocator.Resolve(Model, Revision ?? ModelLocator.DefaultRevision, progress);
        console.Out.WriteLine(dir);
        return CommandLine.Success;
    }
}
