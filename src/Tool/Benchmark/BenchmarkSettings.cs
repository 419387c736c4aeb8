namespace GemmaBench.Tool.Benchmark;

/// <summary>The validated settings of one benchmark run, as the user gave them. The thread count is
/// not one of them: it is set up only once the options and the model's config have been checked.
/// </summary>
public sealed record BenchmarkSettings
{
    /// <summary>A local directory in Hugging Face layout, or a hub id such as google/gemma-3-1b-it.</summary>
    public required string Model { get; init; }

    public string Revision { get; init; } = GemmaBench.Model.Hub.ModelLocator.DefaultRevision;

    /// <summary>float32 or bfloat16.</summary>
    public required string Dtype { get; init; }

    /// <summary>symmetric_groupwise, symmetric_channelwise or none.</summary>
    public required string QuantScheme { get; init; }

    public required int GroupSize { get; init; }

    /// <summary>auto, managed, int4pack, dynquant or reference.</summary>
    public required string Int4Kernel { get; init; }

    public required bool Compile { get; init; }

    public required bool Chat { get; init; }

    public bool Verbose { get; init; }

    public bool Quantizes => QuantScheme != QuantSchemes.None;

    public bool GroupsWeights => QuantScheme == QuantSchemes.SymmetricGroupwise;
}

/// <summary>The names of --quant-scheme values.</summary>
public static class QuantSchemes
{
    public const string SymmetricGroupwise = "symmetric_groupwise";
    public const string SymmetricChannelwise = "symmetric_channelwise";
    public const string None = "none";
}
