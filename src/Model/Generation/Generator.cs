using static TorchSharp.torch;

namespace GemmaBench.Model;

/// <summary>Greedy generation: prefill the prompt into a KV cache allocated once for the whole generation,
/// then decode one token per step, through the eager model or a compiled decoder.</summary>
public sealed class Generator(IDecoderStep model)
{
    public IDecoderStep Decoder => model;

    /// <param name="onToken">Called with each new token as soon as it is chosen (the first one right after
    /// prefill), e.g. to stream text or take timings.</param>
    public GenerationResult Generate(IReadOnlyList<int> promptIds, GenerationOptions options,
        Action<int>? onToken = null)
    {
        if (promptIds.Count == 0)
            throw new ModelException("the prompt is empty; generation needs at least one token (e.g. BOS).");
        if (options.MaxNewTokens < 0 || options.MinNewTokens < 0 || options.MinNewTokens > options.MaxNewTokens)
            throw new ModelException($"MinNewTokens ({options.MinNewTokens}) and MaxNewTokens " +
                $"({options.MaxNewTokens}) must satisfy 0 <= min <= max.");
        var generated = new List<int>(options.MaxNewTokens);
        if (options.MaxNewTokens == 0)
            return new GenerationResult(generated);

        using var cache = options.UseKvCache ? model.CreateCache(promptIds.Count + options.MaxNewTokens) : null;
        var sequence = options.UseKvCache ? null : new List<int>(promptIds);
        var eager = options.UseKvCache ? null : model as GemmaModel ?? throw new ModelException(
            "generation without a KV cache recomputes through the eager model; pass a GemmaModel.");
        int next = Choose(cache != null ? model.Prefill(promptIds, cache) : eager!.LogitsWithoutCache(sequence!),
            generated.Count < options.MinNewTokens);
        while (true)
        {
            generated.Add(next);
            onToken?.Invoke(next);
            bool isEos = model.Config.EosTokenIds.Contains(next);
            if (options.StopAtEos && isEos)
                return new GenerationResult(generated) { StoppedAtEos = true };
            if (generated.Count == options.MaxNewTokens)
                return new GenerationResult(generated);

            bool suppressEos = generated.Count < options.MinNewTokens;
            if (cache != null)
            {
                next = Choose(model.Decode(next, cache), suppressEos);
            }
            else
            {
                sequence!.Add(next);
                next = Choose(eager!.LogitsWithoutCache(sequence), suppressEos);
            }
        }
    }

    int Choose(Tensor logits, bool suppressEos)
    {
        using var inference = inference_mode();
        using (logits)
        {
            if (suppressEos)
            {
                foreach (int eos in model.Config.EosTokenIds)
                {
                    if (eos < logits.shape[0])
                        logits[eos] = double.NegativeInfinity;
                }
            }
            return GreedyChoice.ArgMax(logits);
        }
    }
}
