namespace GemmaBench.Model;

/// <summary>The new tokens of one generation (the prompt excluded).</summary>
public sealed record GenerationResult(IReadOnlyList<int> TokenIds)
{
    /// <summary>True when generation ended on an EOS token rather than at MaxNewTokens.</summary>
    public bool StoppedAtEos { get; init; }
}
