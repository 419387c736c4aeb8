namespace GemmaBench.Model;

/// <summary>How many tokens greedy generation makes and when it stops.</summary>
public sealed record GenerationOptions
{
    /// <summary>Upper bound on new tokens.</summary>
    public int MaxNewTokens { get; init; } = 128;

    /// <summary>EOS tokens are suppressed (the next best token is taken) until this many new tokens exist.</summary>
    public int MinNewTokens { get; init; }

    /// <summary>Stop after an EOS token (it is included in the result).</summary>
    public bool StopAtEos { get; init; } = true;

    /// <summary>False recomputes the whole sequence for every token: slow, for checking the KV cache.</summary>
    public bool UseKvCache { get; init; } = true;
}
