using System.Text.Json;

namespace GemmaBench.Model.Checkpoint;

/// <summary>Reads and validates the JSON header of a safetensors file. The header is untrusted input: every
/// length, offset, shape and dtype is checked before anything is mapped, and a bad one is reported with the
/// file and tensor it belongs to.</summary>
public static class SafetensorsHeader
{
    /// <summary>Headers above this size are refused rather than read into memory.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    public static IReadOnlyDictionary<string, TensorEntry> Read(string path)
    {
        using var stream = File.OpenRead(path);
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw Bad(path, $"is {fileLength} bytes, too short for a safetensors header");

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BitConverter.ToUInt64(lengthBytes);
        if (headerLength > MaxHeaderBytes || 8 + (long)headerLength > fileLength)
            throw Bad(path, $"header length {headerLength} does not fit the file ({fileLength} bytes)");

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        return Parse(header, path, dataStart, fileLength - dataStart);
    }

    /// <summary>Validates a header whose data section starts at <paramref name="dataStart"/> and holds
    /// <paramref name="dataLength"/> bytes.</summary>
    public static IReadOnlyDictionary<string, TensorEntry> Parse(
        byte[] header, string path, long dataStart, long dataLength)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Bad(path, $"header is not valid JSON ({e.Message})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Bad(path, "header is not a JSON object");

            var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                    continue;
                if (entries.ContainsKey(property.Name))
                    throw Bad(path, $"tensor '{property.Name}' is listed twice");
                var entry = ParseEntry(property.Name, property.Value, path, dataLength);
                entries.Add(property.Name, entry with { Start = entry.Start + dataStart, End = entry.End + dataStart });
            }
            RefuseOverlaps(entries.Values, path);
            return entries;
        }
    }

    static TensorEntry ParseEntry(string name, JsonElement value, string path, long dataLength)
    {
        string where = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw Bad(path, $"{where} is not a JSON object");

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Bad(path, $"{where} has no dtype");
        string dtypeName = dtypeElement.GetString()!;
        if (!SafetensorsDtype.TryParse(dtypeName, out var dtype))
            throw Bad(path, $"{where} has dtype '{dtypeName}', which is not supported (F32, BF16, F16)");

        long[] shape = Integers(value, "shape", where, path);
        long[] offsets = Integers(value, "data_offsets", where, path);
        if (offsets.Length != 2)
            throw Bad(path, $"{where} has {offsets.Length} data_offsets, expected 2 (begin, end)");
        long begin = offsets[0], end = offsets[1];
        if (begin > end || end > dataLength)
            throw Bad(path, $"{where} has data_offsets [{begin}, {end}] outside the data section ({dataLength} bytes)");

        long bytes = SafetensorsDtype.Size(dtype);
        foreach (long dim in shape)
        {
            if (dim != 0 && bytes > long.MaxValue / dim)
                throw Bad(path, $"{where} has shape [{string.Join(", ", shape)}], too large");
            bytes *= dim;
        }
        if (bytes != end - begin)
            throw Bad(path, $"{where} has shape [{string.Join(", ", shape)}] and dtype {dtypeName} " +
                $"({bytes} bytes) but data_offsets [{begin}, {end}] span {end - begin} bytes");
        return new TensorEntry(name, dtype, shape, begin, end);
    }

    static long[] Integers(JsonElement value, string field, string where, string path)
    {
        if (!value.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
            throw Bad(path, $"{where} has no {field} array");
        var result = new long[array.GetArrayLength()];
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0)
                throw Bad(path, $"{where} has {field} entry {item.GetRawText()}, not a non-negative integer");
            result[i++] = v;
        }
        return result;
    }

    static void RefuseOverlaps(IEnumerable<TensorEntry> entries, string path)
    {
        TensorEntry? previous = null;
        foreach (var entry in entries.Where(e => e.ByteLength > 0).OrderBy(e => e.Start))
        {
            if (previous != null && entry.Start < previous.End)
                throw Bad(path, $"tensor '{entry.Name}' overlaps tensor '{previous.Name}' in the data section");
            previous = entry;
        }
    }

    static CheckpointException Bad(string path, string what) =>
        new($"{path}: {what}; the file is corrupt or not a safetensors file, download or write it again.");
}
