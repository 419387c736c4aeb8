using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using GemmaBench.Tool.Benchmark;
using GemmaBench.Tool.Threads;
using GemmaBench.Tool.Commands;
using McMaster.Extensions.CommandLineUtils;
using AllowedValues = McMaster.Extensions.CommandLineUtils.AllowedValuesAttribute;

namespace GemmaBench.Tool;

/// <summary>The root command: runs the benchmark, or dispatches to a subcommand. Each subcommand
/// is a class in Commands/ listed in a Subcommand attribute on this class.</summary>
[Command(Name = "gemma-bench", Description = "Benchmarks Gemma-3 models on the CPU with TorchSharp.")]
[HelpOption("-h|--help")]
[Subcommand(typeof(DownloadCommand))]
[Subcommand(typeof(SweepCommand))]
[Subcommand(typeof(SynthesizeCommand))]
[Subcommand(typeof(TokenizeCommand))]
public sealed class GemmaBenchCommand(BenchmarkServices services, IConsole console)
{
    [Option("--model", Description = "Local model directory in Hugging Face layout, or a hub id " +
        "such as google/gemma-3-1b-it [required].")]
    public string? Model { get; set; }

    [Option("--revision", Description = "Hub revision (branch, tag or commit) for a hub id [main].")]
    public string? Revision { get; set; }

    [Option("--prompt", Description = "Prompt text [the original script's 55-token prompt].")]
    public string? Prompt { get; set; }

    [Option("--prompt-file", Description = "Read the prompt text from this UTF-8 file, as is, instead of " +
        "--prompt [none].")]
    public string? PromptFile { get; set; }

    [Option("--prompt-ids", Description = "Prompt as comma-separated token ids, BOS included, instead " +
        "of --prompt; for exact comparisons and models without a tokenizer [none].")]
    public string? PromptIds { get; set; }

    [Option("--max-new-tokens", Description = "Most tokens to generate [64].")]
    [Range(1, 1_000_000, ErrorMessage = "--max-new-tokens must be between {1} and {2}")]
    public int MaxNewTokens { get; set; } = 64;

    [Option("--min-new-tokens", Description = "Tokens to generate before EOS may stop generation [0].")]
    [Range(0, 1_000_000, ErrorMessage = "--min-new-tokens must be between {1} and {2}")]
    public int MinNewTokens { get; set; }

    [Option("--threads", Description = "Intra-op threads [OMP_NUM_THREADS if set, else libtorch's default].")]
    [Range(ThreadCount.MinCount, ThreadCount.MaxCount,
        ErrorMessage = "--threads must be between {1} and {2}")]
    public int? Threads { get; set; }

    [Option("--dtype", Description = "Compute dtype: float32 or bfloat16 [float32].")]
    [AllowedValues("float32", "bfloat16", ErrorMessage = "--dtype must be float32 or bfloat16 (got {0})")]
    public string Dtype { get; set; } = "float32";

    [Option("--quant-scheme", Description = "Weight quantization: symmetric_groupwise, " +
        "symmetric_channelwise or none [symmetric_groupwise].")]
    [AllowedValues(QuantSchemes.SymmetricGroupwise, QuantSchemes.SymmetricChannelwise, QuantSchemes.None,
        ErrorMessage = "--quant-scheme must be symmetric_groupwise, symmetric_channelwise or none (got {0})")]
    public string QuantScheme { get; set; } = QuantSchemes.SymmetricGroupwise;

    [Option("--groupsize", Description = "Weights per scale for symmetric_groupwise [32].")]
    // QuantOptions.GroupSizes, spelled out because attributes take constants (the managed kernel's layout
    // keeps one scale per 32 inputs, so groups are whole multiples of 32).
    [AllowedValues("32", "64", "128", "256",
        ErrorMessage = "--groupsize must be 32, 64, 128 or 256 (got {0})")]
    public int? GroupSize { get; set; }

    [Option("--int4-kernel", Description = "INT4 matmul kernel: auto, managed, int4pack, dynquant " +
        "or reference [auto].")]
    [AllowedValues("auto", "managed", "int4pack", "dynquant", "reference",
        ErrorMessage = "--int4-kernel must be auto, managed, int4pack, dynquant or reference (got {0})")]
    public string? Int4Kernel { get; set; }

    [Option("--compile", Description = "Compile the decode step before timing [off].")]
    public bool Compile { get; set; }

    [Option("--chat", Description = "Wrap the prompt in the chat template as one user turn [off].")]
    public bool Chat { get; set; }

    [Option("--json", Description = "Print one JSON object instead of the completion and statistic " +
        "lines [off].")]
    public bool Json { get; set; }

    [Option("--no-stream", Description = "Skip the last generation that streams the completion [off].")]
    public bool NoStream { get; set; }

    [Option("--verbose", Description = "Print stack traces and diagnostics on stderr [off].")]
    public bool Verbose { get; set; }

    [Option("--version", Description = "Print the tool's version and exit.")]
    public bool Version { get; set; }

    /// <summary>The package version, without the commit the build appends after a '+'.</summary>
    public static string ToolVersion
    {
        get
        {
            string? version = typeof(GemmaBenchCommand).Assembly
                .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            return version?.Split('+')[0] ?? "unknown";
        }
    }

    int OnExecute()
    {
        if (Version)
        {
            console.Out.WriteLine($"gemma-bench {ToolVersion}");
            return CommandLine.Success;
        }
        var promptIds = ParsePromptIds();
        string prompt = ReadPrompt();
        var settings = Settings();
        var threads = ThreadCount.FromUser(Threads, services.Environment(ThreadCount.EnvironmentVariable));
        WarnAboutIgnoredOptions();
        new BenchmarkRun(services, console.Out, console.Error).Execute(settings,
            new GenerationRequest(prompt, promptIds, MaxNewTokens, MinNewTokens, Json, Stream: !NoStream)
            {
                PromptSource = promptIds != null ? PromptSource.Ids
                    : PromptFile != null ? PromptSource.File
                    : Prompt != null ? PromptSource.Text
                    : PromptSource.Default,
                PromptFile = PromptFile,
            },
            () => SetUpThreads(threads));
        return CommandLine.Success;
    }

    string ReadPrompt()
    {
        if (PromptFile == null)
            return Prompt ?? DefaultPrompt.Text;
        if (Prompt != null)
            throw new UsageException("--prompt-file and --prompt both give the prompt; use one of them");
        return PromptFileReader.Read(PromptFile);
    }

    // Sweeps pass the same options to every run, so settings that do not apply are not errors.
    void WarnAboutIgnoredOptions()
    {
        ModelArgument.WarnIfRevisionIgnored(Revision, Model, console.Error);
        if (GroupSize is { } groupSize && QuantScheme != QuantSchemes.SymmetricGroupwise)
            console.Error.WriteLine($"gemma-bench: warning: --groupsize {groupSize} is ignored with " +
                $"--quant-scheme {QuantScheme}, which does not group weights");
        if (Int4Kernel is { } kernel && QuantScheme == QuantSchemes.None)
            console.Error.WriteLine($"gemma-bench: warning: --int4-kernel {kernel} is ignored with " +
                "--quant-scheme none, which keeps the float weights");
    }

    int SetUpThreads(ThreadCount? requested)
    {
        var threads = requested ?? ThreadCount.LibTorchDefault(services.Threads.MachineDefault);
        services.Threads.Set(threads.Count);
        int inEffect = services.Threads.Current;
        console.Error.WriteLine($"gemma-bench: threads: {inEffect} (from {threads.Source})");
        return inEffect;
    }

    int[]? ParsePromptIds()
    {
        if (PromptIds == null)
            return null;
        if (Prompt != null || PromptFile != null || Chat)
            throw new UsageException(
                "--prompt-ids replaces --prompt and cannot be used with --prompt, --prompt-file or --chat");
        var ids = PromptIds.Split(',', StringSplitOptions.TrimEntries);
        if (ids.Any(id => !int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            throw new UsageException(
                $"--prompt-ids '{PromptIds}' is not a comma-separated list of token ids such as 2,651,1015");
        return ids.Select(id => int.Parse(id, CultureInfo.InvariantCulture)).ToArray();
    }

    BenchmarkSettings Settings()
    {
        if (string.IsNullOrWhiteSpace(Model))
            throw new UsageException("--model is required: a local model directory in Hugging Face layout " +
                "or a hub id such as google/gemma-3-1b-it (see --help)");
        ModelArgument.Check(Model);
        if (MinNewTokens > MaxNewTokens)
            throw new UsageException(
                $"--min-new-tokens {MinNewTokens} is more than --max-new-tokens {MaxNewTokens}");

        return new BenchmarkSettings
        {
            Model = Model,
            Revision = Revision ?? GemmaBench.Model.Hub.ModelLocator.DefaultRevision,
            Dtype = Dtype,
            QuantScheme = QuantScheme,
            GroupSize = GroupSize ?? GemmaBench.Quant.QuantOptions.DefaultGroupSize,
            Int4Kernel = Int4Kernel ?? "auto",
            Compile = Compile,
            Chat = Chat,
            Verbose = Verbose,
        };
    }
}
