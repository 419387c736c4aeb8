using GemmaBench.Quant;

namespace GemmaBench.Tool.Benchmark;

/// <summary>Option checks that need the model's config: they run before any weight is read and
/// fail as bad usage.</summary>
public static class ModelChecks
{
    /// <exception cref="UsageException">The group size does not divide a quantized width, a prompt id is
    /// outside the model's vocabulary (given by --prompt-ids, or by a tokenizer that belongs to another model),
    /// the prompt and the new tokens do not fit the model's context, or the prompt's prefill would need more
    /// memory than is available (<paramref name="availableMemory"/>, by default MemAvailable).</exception>
    public static void Check(BenchmarkSettings settings, GenerationRequest request, ModelLimits limits,
        IReadOnlyList<int> promptIds, long? availableMemory = null)
    {
        if (settings.GroupsWeights && limits.QuantizedWidths.Any(w => w % settings.GroupSize != 0))
        {
            int common = limits.QuantizedWidths.Aggregate(0, Gcd);
            int? suggestion = QuantOptions.GroupSizes.Where(size => common % size == 0).Cast<int?>()
                .LastOrDefault();
            string channelwise = $"--quant-scheme {QuantSchemes.SymmetricChannelwise}";
            string remedy = suggestion is int size
                ? $"use a divisor of all of them such as {size}, or {channelwise}"
                : $"none of {GroupSizeList} divides them all; use {channelwise}";
            throw new UsageException(
                $"--groupsize {settings.GroupSize} does not divide the widths of {settings.Model} " +
                $"({string.Join(", ", limits.QuantizedWidths.Distinct())}); {remedy}");
        }

        foreach (int id in promptIds.Where(id => id < 0 || id >= limits.VocabSize).Take(1))
        {
            // A tokenizer.json of a larger vocabulary than config.json's (a synthetic checkpoint paired with
            // another model's tokenizer) would otherwise fail only after the weights load.
            throw new UsageException(request.PromptIds is not null
                ? $"--prompt-ids: id {id} is outside the vocabulary of {settings.Model} (0 to {limits.VocabSize - 1})"
                : $"the tokenizer of {settings.Model} gives id {id}, outside the model's vocabulary (0 to " +
                  $"{limits.VocabSize - 1}, vocab_size in config.json): the tokenizer files belong to another " +
                  "model; use the model's own tokenizer.json and tokenizer_config.json, or give the prompt as " +
                  "--prompt-ids");
        }

        int promptTokens = promptIds.Count;

        if (promptTokens + request.MaxNewTokens > limits.ContextLength)
            throw new UsageException(
                $"{PromptLength(request, settings.Chat, promptTokens)}; with --max-new-tokens " +
                $"{request.MaxNewTokens} that exceeds the context of {settings.Model} " +
                $"({limits.ContextLength} tokens, max_position_embeddings in config.json); " +
                "shorten the prompt or lower --max-new-tokens");

        // Prefill may take up to 80% of what is available; the rest is for the weights and everything else.
        long needed = limits.PrefillBytesPerSquaredToken * promptTokens * (long)promptTokens;
        if (needed == 0)
            return;
        long available = availableMemory ?? AvailableMemory();
        if (available > 0 && needed > 0.8 * available)
        {
            long fits = (long)Math.Sqrt(0.8 * available / limits.PrefillBytesPerSquaredToken);
            throw new UsageException(
                $"{PromptLength(request, settings.Chat, promptTokens)}; its prefill attends every token to every " +
                $"other at once, which needs about {Gigabytes(needed)} of memory, and {Gigabytes(available)} is " +
                $"available: shorten the prompt (to about {fits} tokens here)");
        }
    }

    /// <summary>MemAvailable from /proc/meminfo in bytes, or 0 where it cannot be read.</summary>
    static long AvailableMemory()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return 0;
    }

    static string Gigabytes(long bytes) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1e9:0.0} GB");

    // "32, 64, 128 or 256"
    static string GroupSizeList =>
        string.Join(", ", QuantOptions.GroupSizes.SkipLast(1)) + " or " + QuantOptions.GroupSizes[^1];

    // With --chat the count is of the rendered template, not of the prompt alone.
    static string PromptLength(GenerationRequest request, bool chat, int tokens)
    {
        string length = chat ? $"wrapped by --chat is {tokens} tokens, the chat template's included"
            : $"is {tokens} tokens";
        return request.PromptSource switch
        {
            PromptSource.Ids => $"--prompt-ids gives {tokens} tokens",
            PromptSource.File => $"--prompt-file {request.PromptFile} {length}",
            PromptSource.Default => $"the default prompt {length}",
            _ => $"--prompt {length}",
        };
    }

    static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
