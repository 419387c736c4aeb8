using static TorchSharp.torch;

namespace GemmaBench.Model;

/// <summary>The forward passes greedy generation needs: eager (<see cref="GemmaModel"/>) or compiled
/// (<see cref="Compiled.CompiledDecoder"/>). Both run the same weights and the same <see cref="KvCache"/>.</summary>
public interface IDecoderStep
{
    GemmaConfig Config { get; }

    /// <summary>A KV cache for up to <paramref name="capacity"/> positions.</summary>
    KvCache CreateCache(int capacity);

    /// <summary>Runs the prompt through the model, filling an empty cache; returns the logits of the last
    /// position, [vocab], in the compute dtype.</summary>
    Tensor Prefill(IReadOnlyList<int> tokenIds, KvCache cache);

    /// <summary>Runs one token at position cache.Length, storing its keys and values; returns its logits.</summary>
    Tensor Decode(int tokenId, KvCache cache);
}
