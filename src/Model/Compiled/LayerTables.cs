using static TorchSharp.torch;

namespace GemmaBench.Model.Compiled;

/// <summary>Per layer, the tensors a forward pass reads besides weights: the RoPE tables of its kind (local or
/// global) and its KV cache. Rebound when the cache changes or a larger cache replaced the RoPE tables.</summary>
sealed class LayerTables(GemmaModel model)
{
    Tensor? ropeVersion;
    KvCache? lastCache;

    public Tensor[] Cos { get; private set; } = [];

    public Tensor[] SignedSin { get; private set; } = [];

    public Tensor[] Keys { get; private set; } = [];

    public Tensor[] Values { get; private set; } = [];

    public void Bind(KvCache cache)
    {
        if (!ReferenceEquals(ropeVersion, model.LocalRope.Cos) || Cos.Length == 0)
        {
            ropeVersion = model.LocalRope.Cos;
            var ropes = model.Layers.Select(l => l.IsGlobal ? model.GlobalRope : model.LocalRope).ToArray();
            Cos = ropes.Select(r => r.Cos).ToArray();
            SignedSin = ropes.Select(r => r.SignedSin).ToArray();
        }
        if (!ReferenceEquals(lastCache, cache))
        {
            lastCache = cache;
            Keys = cache.Layers.Select(l => l.Keys).ToArray();
            Values = cache.Layers.Select(l => l.Values).ToArray();
        }
    }
}
