using TorchSharp;

namespace GemmaBench.Model.Checkpoint;

/// <summary>One tensor of a safetensors file: its dtype, shape and byte range, counted from the start of
/// the file (not of the data section).</summary>
public sealed record TensorEntry(string Name, torch.ScalarType Dtype, long[] Shape, long Start, long End)
{
    public long ByteLength => End - Start;

    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
