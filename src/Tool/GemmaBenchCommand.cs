using GemmaBench.Tool.Commands;
using McMaster.Extensions.CommandLineUtils;

namespace GemmaBench.Tool;

/// <summary>The root command: runs the benchmark (options to come) or dispatches to a subcommand.
/// Each subcommand is a class in Commands/ listed in the Subcommand attribute below.</summary>
[Command(Name = "gemma-bench", Description = "Benchmarks Gemma-3 models on the CPU with TorchSharp.")]
[HelpOption("-h|--help")]
[Subcommand(typeof(DownloadCommand))]
[Subcommand(typeof(SweepCommand))]
[Subcommand(typeof(TokenizeCommand))]
public sealed class GemmaBenchCommand
{
    [Option("--verbose", Description = "Print stack traces and diagnostics on stderr.")]
    public bool Verbose { get; set; }

    int OnExecute(CommandLineApplication app)
    {
        app.ShowHelp();
        return CommandLine.Success;
    }
}
