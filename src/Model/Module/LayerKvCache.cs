using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Model.Module;

/// <summary>The keys and values of one layer, [1, kvHeads, Slots, headDim] each, allocated once and written in
/// place. A global layer has one slot per position. A sliding layer keeps only its window: position p lives in
/// slot p % Slots, so the slots always hold exactly the last Slots positions, which is what a query may see.
/// Keys are stored after RoPE, so attention does not depend on slot order.</summary>
public sealed class LayerKvCache : IDisposable
{
    public LayerKvCache(int kvHeads, int slots, int headDim, bool isSliding, ScalarType dtype)
    {
        Keys = zeros(1, kvHeads, slots, headDim, dtype: dtype).DetachFromDisposeScope();
        Values = zeros(1, kvHeads, slots, headDim, dtype: dtype).DetachFromDisposeScope();
        Slots = slots;
        IsSliding = isSliding;
    }

    public Tensor Keys { get; }
    public Tensor Values { get; }
    public int Slots { get; }
    public bool IsSliding { get; }

    /// <summary>Stores k and v [1, tokens, kvHeads, headDim] for positions [start, start + tokens).</summary>
    public void Write(Tensor k, Tensor v, int start)
    {
        using var scope = NewDisposeScope();
        int tokens = (int)k.shape[1];
        int first = Math.Max(start, start + tokens - Slots);
        int kept = start + tokens - first;
        var keys = k.narrow(1, first - start, kept).transpose(1, 2);
        var values = v.narrow(1, first - start, kept).transpose(1, 2);
        int slot = IsSliding ? first % Slots : first;
        if (slot + kept <= Slots)
        {
            Keys.narrow(2, slot, kept).copy_(keys);
            Values.narrow(2, slot, kept).copy_(values);
            return;
        }
        // Scalars held through the calls that read them (see HeldScalars).
        using Scalar from = first.ToScalar(), to = (first + kept).ToScalar(), count = Slots.ToScalar();
        var slots = arange(from, to, dtype: ScalarType.Int64).remainder_(count);
        Keys.index_copy_(2, slots, keys);
        Values.index_copy_(2, slots, values);
    }

    /// <summary>Keys and values a query at position end - 1 may attend to, as views of the cache.</summary>
    public (Tensor Keys, Tensor Values) Visible(int end)
    {
        int count = Math.Min(end, Slots);
        return (Keys.narrow(2, 0, count), Values.narrow(2, 0, count));
    }

    public void Dispose()
    {
        Keys.Dispose();
        Values.Dispose();
    }
}
