using System.Text;
using System.Text.Json;
using TorchSharp;

namespace GemmaBench.Model.Checkpoint;

/// <summary>A tensor to be written: its name, dtype and shape (the data comes later, streamed).</summary>
public sealed record TensorSpec(string Name, torch.ScalarType Dtype, long[] Shape)
{
    public long ByteLength => Shape.Aggregate((long)SafetensorsDtype.Size(Dtype), (a, b) => a * b);
}

/// <summary>Writes a safetensors file without holding its tensors in memory: the header is computed from
/// the specs, then each tensor's bytes are streamed in order by a callback.</summary>
public static class SafetensorsWriter
{
    /// <param name="writeData">Writes exactly the spec's ByteLength bytes of one tensor to the stream.</param>
    public static void Write(string path, IReadOnlyList<TensorSpec> specs, Action<TensorSpec, Stream> writeData)
    {
        byte[] header = Header(specs);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        stream.Write(BitConverter.GetBytes((ulong)header.Length));
        stream.Write(header);
        foreach (var spec in specs)
        {
            long before = stream.Position;
            writeData(spec, stream);
            if (stream.Position - before != spec.ByteLength)
                throw new InvalidOperationException(
                    $"{path}: tensor '{spec.Name}' wrote {stream.Position - before} bytes, " +
                    $"expected {spec.ByteLength}.");
        }
    }

    /// <summary>The JSON header, padded with spaces so the data section starts 8-byte aligned.</summary>
    public static byte[] Header(IReadOnlyList<TensorSpec> specs)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            json.WriteString("format", "pt");
            json.WriteEndObject();
            long offset = 0;
            foreach (var spec in specs)
            {
                json.WriteStartObject(spec.Name);
                json.WriteString("dtype", SafetensorsDtype.Name(spec.Dtype));
                json.WriteStartArray("shape");
                foreach (long dim in spec.Shape)
                    json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + spec.ByteLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += spec.ByteLength;
            }
            json.WriteEndObject();
        }
        int padding = (int)((8 - (8 + buffer.Length) % 8) % 8);
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        return buffer.ToArray();
    }
}
