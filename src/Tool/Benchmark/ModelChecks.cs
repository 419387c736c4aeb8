namespace GemmaBench.Tool.Benchmark;

/// <summary>Option checks that need the model's config: they run before any weight is read and
/// fail as bad usage.</summary>
public static class ModelChecks
{
    /// <exception cref="UsageException">The group size does not divide a quantized width, or the
    /// prompt and the new tokens do not fit the model's context.</exception>
    public static void Check(BenchmarkSettings settings, GenerationRequest request, ModelLimits limits,
        int promptTokens)
    {
        if (settings.GroupsWeights && limits.QuantizedWidths.Any(w => w % settings.GroupSize != 0))
        {
            int common = limits.QuantizedWidths.Aggregate(0, Gcd);
            int suggestion = Enumerable.Range(1, Math.Min(settings.GroupSize, common))
                .Last(d => common % d == 0);
            throw new UsageException(
                $"--groupsize {settings.GroupSize} does not divide the widths of {settings.Model} " +
                $"({string.Join(", ", limits.QuantizedWidths.Distinct())}); use a divisor of all of them " +
                $"such as {suggestion}, or --quant-scheme {QuantSchemes.SymmetricChannelwise}");
        }

        int[] outside = request.PromptIds?.Where(id => id >= limits.VocabSize).ToArray() ?? [];
        if (outside.Length > 0)
            throw new UsageException($"--prompt-ids: id {outside[0]} is outside the vocabulary of " +
                $"{settings.Model} (0 to {limits.VocabSize - 1})");

        if (promptTokens + request.MaxNewTokens > limits.ContextLength)
            throw new UsageException(
                $"--prompt is {promptTokens} tokens; with --max-new-tokens {request.MaxNewTokens} that " +
                $"exceeds the context of {settings.Model} ({limits.ContextLength} tokens, " +
                "max_position_embeddings in config.json); shorten the prompt or lower --max-new-tokens");
    }

    static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
