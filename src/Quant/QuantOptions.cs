namespace GemmaBench.Quant;

/// <summary>Settings for quantizing one linear layer; the tool builds one from its command line.</summary>
public sealed record QuantOptions
{
    public static IReadOnlyList<int> GroupSizes { get; } = [32, 64, 128, 256];

    /// <summary>The group size when none is asked for (--groupsize's default).</summary>
    public const int DefaultGroupSize = 32;

    public QuantScheme Scheme { get; init; } = QuantScheme.SymmetricGroupwise;

    /// <summary>Inputs sharing one scale under symmetric_groupwise: 32, 64, 128 or 256.</summary>
    public int GroupSize { get; init; } = DefaultGroupSize;

    public Int4Kernel Kernel { get; init; } = Int4Kernel.Auto;

    /// <summary>Worker threads of the managed kernel (exactly this many do the work, the caller included).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The group size used for a layer of the given input width, or a QuantException saying why not.</summary>
    public int GroupSizeFor(long inputWidth)
    {
        if (Threads < 1)
            throw new QuantException($"--threads {Threads} is invalid; use 1 or more.");
        if (Scheme == QuantScheme.SymmetricChannelwise)
            return checked((int)inputWidth);
        if (!GroupSizes.Contains(GroupSize))
            throw new QuantException(
                $"--groupsize {GroupSize} is not supported; use one of {string.Join(", ", GroupSizes)}.");
        if (inputWidth % GroupSize != 0)
            throw new QuantException(
                $"--groupsize {GroupSize} does not divide a layer's input width {inputWidth}; " +
                $"choose a group size that divides {inputWidth}, or --quant-scheme symmetric_channelwise.");
        return GroupSize;
    }
}
