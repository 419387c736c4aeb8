using TorchSharp;

namespace GemmaBench.Model.Checkpoint;

/// <summary>One safetensors file, memory-mapped: tensors are views of the mapped file, so a weight whose
/// stored dtype is the compute dtype costs no copy. Pages are read on first use and can be given back with
/// <see cref="Release"/> once a weight has been replaced.</summary>
public sealed class SafetensorsFile : IDisposable
{
    readonly Dictionary<torch.ScalarType, torch.Tensor> mappings = [];
    readonly long fileLength;

    SafetensorsFile(string path, IReadOnlyDictionary<string, TensorEntry> entries, long fileLength)
    {
        Path = path;
        Entries = entries;
        this.fileLength = fileLength;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, TensorEntry> Entries { get; }

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path))
            throw new CheckpointException($"{path} not found.");
        var entries = SafetensorsHeader.Read(path);
        // The length of the file itself: in a Hugging Face cache snapshot the path is a link to a blob.
        using var handle = File.OpenHandle(path);
        return new SafetensorsFile(path, entries, RandomAccess.GetLength(handle));
    }

    public TensorEntry Entry(string name) =>
        Entries.TryGetValue(name, out var entry)
            ? entry
            : throw new CheckpointException($"{Path}: tensor '{name}' is missing.");

    /// <summary>The tensor as stored, viewing the mapped file (a copy only when the file places it at an
    /// offset not aligned to its element size).</summary>
    public torch.Tensor Get(string name)
    {
        var entry = Entry(name);
        int size = SafetensorsDtype.Size(entry.Dtype);
        if (entry.Start % size != 0)
            return ReadCopy(entry);
        using var flat = Mapping(entry.Dtype).narrow(0, entry.Start / size, entry.ElementCount);
        return flat.view(entry.Shape);
    }

    /// <summary>Gives the resident pages of a tensor back to the kernel; a later read maps them in again.</summary>
    public void Release(string name)
    {
        var entry = Entry(name);
        foreach (var mapping in mappings.Values)
            NativeMemory.Release(NativeMemory.DataAddress(mapping) + (nint)entry.Start, entry.ByteLength);
    }

    torch.Tensor Mapping(torch.ScalarType dtype)
    {
        if (!mappings.TryGetValue(dtype, out var mapping))
        {
            long count = fileLength / SafetensorsDtype.Size(dtype);
            mapping = torch.from_file(Path, shared: false, size: count, dtype: dtype).DetachFromDisposeScope();
            mappings[dtype] = mapping;
        }
        return mapping;
    }

    unsafe torch.Tensor ReadCopy(TensorEntry entry)
    {
        var tensor = torch.empty(entry.Shape, entry.Dtype);
        byte* data = (byte*)NativeMemory.DataAddress(tensor);
        using var handle = File.OpenHandle(Path);
        for (long done = 0; done < entry.ByteLength;)
        {
            int chunk = (int)Math.Min(entry.ByteLength - done, 1 << 30);
            int read = RandomAccess.Read(handle, new Span<byte>(data + done, chunk), entry.Start + done);
            if (read <= 0)
                throw new CheckpointException($"{Path}: tensor '{entry.Name}' ends past the end of the file.");
            done += read;
        }
        return tensor;
    }

    public void Dispose()
    {
        foreach (var mapping in mappings.Values)
            mapping.Dispose();
        mappings.Clear();
    }
}
