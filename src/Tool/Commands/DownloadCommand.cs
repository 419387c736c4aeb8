using System.ComponentModel.DataAnnotations;
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
    [Argument(0, "model", Description = "Hub id like google/gemma-3-1b-it, or a local checkpoint directory.")]
    [Required]
    public string Model { get; set; } = "";

    [Option("--revision", Description = "Branch, tag or commit id of the hub repository [main].")]
    public string Revision { get; set; } = ModelLocator.DefaultRevision;

    int OnExecute(IConsole console)
    {
        bool terminal = DownloadProgressReporter.IsTerminal(console);
        var progress = new DownloadProgressReporter(console.Error, terminal);
        string dir = ModelLocator.Resolve(Model, Revision, progress);
        console.Out.WriteLine(dir);
        return CommandLine.Success;
    }
}
