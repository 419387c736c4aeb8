namespace GemmaBench.Quant;

/// <summary>How weights are quantized: 4-bit symmetric per group of inputs, per output row, or not at all.</summary>
public enum QuantScheme
{
    None,
    SymmetricGroupwise,
    SymmetricChannelwise,
}

/// <summary>Which INT4 kernel multiplies activations by quantized weights.</summary>
public enum Int4Kernel
{
    Auto,
    Managed,
    Int4Pack,
    DynQuant,
    Reference,
}

/// <summary>The names users type for schemes and kernels (snake_case, as on the command line).</summary>
public static class QuantNames
{
    public static IReadOnlyList<string> Schemes { get; } =
        ["symmetric_groupwise", "symmetric_channelwise", "none"];

    public static IReadOnlyList<string> Kernels { get; } = ["auto", "managed", "int4pack", "dynquant", "reference"];

    public static QuantScheme ParseScheme(string name) => name switch
    {
        "symmetric_groupwise" => QuantScheme.SymmetricGroupwise,
        "symmetric_channelwise" => QuantScheme.SymmetricChannelwise,
        "none" => QuantScheme.None,
        _ => throw new QuantException(
            $"--quant-scheme '{name}' is unknown; use one of: {string.Join(", ", Schemes)}."),
    };

    public static Int4Kernel ParseKernel(string name) => name switch
    {
        "auto" => Int4Kernel.Auto,
        "managed" => Int4Kernel.Managed,
        "int4pack" => Int4Kernel.Int4Pack,
        "dynquant" => Int4Kernel.DynQuant,
        "reference" => Int4Kernel.Reference,
        _ => throw new QuantException(
            $"--int4-kernel '{name}' is unknown; use one of: {string.Join(", ", Kernels)}."),
    };

    public static string Name(QuantScheme scheme) => scheme switch
    {
        QuantScheme.SymmetricGroupwise => "symmetric_groupwise",
        QuantScheme.SymmetricChannelwise => "symmetric_channelwise",
        _ => "none",
    };

    public static string Name(Int4Kernel kernel) => kernel.ToString().ToLowerInvariant();
}
