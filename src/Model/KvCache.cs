using GemmaBench.Model.Module;
using TorchSharp;

namespace GemmaBench.Model;

/// <summary>The static KV cache of one generation: one <see cref="LayerKvCache"/> per layer, allocated once for
/// <see cref="Capacity"/> positions and written in place. <see cref="Length"/> is the number of positions
/// already stored, i.e. the position of the next token.</summary>
public sealed class KvCache : IDisposable
{
    public KvCache(GemmaConfig config, int capacity, torch.ScalarType dtype)
    {
        Capacity = capacity;
        Layers = Enumerable.Range(0, config.NumLayers).Select(i =>
        {
            bool sliding = !config.IsGlobalLayer(i);
            int slots = sliding ? Math.Min(config.SlidingWindow, capacity) : capacity;
            return new LayerKvCache(config.NumKvHeads, slots, config.HeadDim, sliding, dtype);
        }).ToList();
    }

    public int Capacity { get; }

    public int Length { get; internal set; }

    public IReadOnlyList<LayerKvCache> Layers { get; }

    /// <summary>Forgets the stored positions so the cache can serve a new generation of the same capacity.</summary>
    public void Reset() => Length = 0;

    /// <summary>Throws unless a prompt of <paramref name="tokens"/> tokens can be prefilled into this cache.</summary>
    internal void CheckPrefill(int tokens)
    {
        if (Length != 0)
            throw new ModelException("prefill needs an empty KV cache; call Reset() on it first.");
        if (tokens == 0 || tokens > Capacity)
            throw new ModelException($"prompt of {tokens} tokens does not fit a cache of {Capacity}.");
    }

    /// <summary>Throws unless one more position fits.</summary>
    internal void CheckDecode()
    {
        if (Length >= Capacity)
            throw new ModelException($"KV cache is full ({Capacity} positions).");
    }

    public void Dispose()
    {
        foreach (var layer in Layers)
            layer.Dispose();
    }
}
