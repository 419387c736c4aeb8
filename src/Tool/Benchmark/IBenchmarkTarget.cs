namespace GemmaBench.Tool.Benchmark;

/// <summary>Opens the model named by the settings for benchmarking. The tool only talks to models
/// through this seam, so the benchmark protocol and the output can be tested with fakes.</summary>
public interface IBenchmarkTargetFactory
{
    /// <summary>Resolves the model (local directory or hub id), reads config.json and the tokenizer,
    /// and loads no weights yet, so settings that depend on the model can fail early.</summary>
    IBenchmarkTarget Open(BenchmarkSettings settings);
}

/// <summary>One opened model. The tool calls, in this order: <see cref="Limits"/> and
/// <see cref="Encode"/> (before any weight is read), <see cref="LoadWeights"/>, then
/// <see cref="Quantize"/> unless the scheme is none, <see cref="Compile"/> when asked, and
/// <see cref="Generate"/> and <see cref="StartText"/> as often as the protocol needs.</summary>
public interface IBenchmarkTarget : IDisposable
{
    ModelLimits Limits { get; }

    /// <summary>Prompt token ids, BOS included; with <paramref name="chat"/>, of the chat template
    /// applied to the prompt as one user turn. Not called when the user gives --prompt-ids.</summary>
    IReadOnlyList<int> Encode(string prompt, bool chat);

    void LoadWeights();

    /// <summary>Swaps the projections for quantized ones whose kernels use <paramref name="threads"/>
    /// threads; returns the INT4 kernel in effect.</summary>
    Int4KernelInEffect Quantize(int threads);

    /// <summary>Prepares the compiled decode step; returns the compile mode in effect.</summary>
    string Compile();

    /// <summary>Greedy generation of at most <paramref name="maxNewTokens"/> new tokens, stopping
    /// at EOS only after <paramref name="minNewTokens"/>; returns the new token ids only.</summary>
    IReadOnlyList<int> Generate(IReadOnlyList<int> promptIds, int maxNewTokens, int minNewTokens,
        Action<int>? onToken = null);

    /// <summary>A fresh streaming decoder for one completion. (A model directory without a
    /// tokenizer, run with --prompt-ids, still needs one: it may render ids as text.)</summary>
    ITextStream StartText();
}

/// <summary>Turns generated ids into text as they come: Push returns what can be printed now,
/// Flush what is left at the end.</summary>
public interface ITextStream
{
    string Push(int tokenId);

    string Flush();
}

/// <summary>The INT4 kernel a quantized model runs.</summary>
/// <param name="Name">The kernel chosen, bare, for scripts: managed, int4pack, dynquant or reference
/// (auto resolves to one of them).</param>
/// <param name="Detail">How the kernel states itself to users, e.g. "auto: managed (avx512, 2 threads)".
/// </param>
public sealed record Int4KernelInEffect(string Name, string Detail);

/// <summary>What the model's config allows, known before the weights load.</summary>
/// <param name="ContextLength">Tokens the model can attend to (max_position_embeddings).</param>
/// <param name="QuantizedWidths">Input widths of the projections that quantization groups
/// (hidden size, MLP size, attention output width); a group size must divide each.</param>
/// <param name="VocabSize">Token ids run from 0 to VocabSize - 1.</param>
/// <param name="PrefillBytesPerSquaredToken">Memory the prefill's attention takes at once per token² of the
/// prompt (scores of every head and the masks); 0 when unknown.</param>
public sealed record ModelLimits(int ContextLength, IReadOnlyList<int> QuantizedWidths, int VocabSize,
    long PrefillBytesPerSquaredToken = 0);
