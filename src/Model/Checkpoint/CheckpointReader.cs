using System.Text.Json;
using TorchSharp;

namespace GemmaBench.Model.Checkpoint;

/// <summary>The tensors of a Hugging Face checkpoint directory: model.safetensors, or the shards listed in
/// model.safetensors.index.json. Names are the stored ones.</summary>
public sealed class CheckpointReader : IDisposable
{
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    readonly Dictionary<string, SafetensorsFile> fileOf;
    readonly List<SafetensorsFile> files;

    CheckpointReader(Dictionary<string, SafetensorsFile> fileOf, List<SafetensorsFile> files)
    {
        this.fileOf = fileOf;
        this.files = files;
    }

    public IEnumerable<string> Names => fileOf.Keys;

    public static CheckpointReader Open(string modelDir)
    {
        string index = Path.Combine(modelDir, IndexFile);
        string single = Path.Combine(modelDir, SingleFile);
        if (new[] { index, single }.FirstOrDefault(Directory.Exists) is { } directory)
            throw new CheckpointException($"{directory} is a directory where the checkpoint needs a file; " +
                "remove it and write or download the checkpoint again.");
        if (File.Exists(index))
            return OpenSharded(modelDir, index);
        if (!File.Exists(single))
            throw new CheckpointException(
                $"{modelDir}: neither {SingleFile} nor {IndexFile} found; is this a safetensors checkpoint?");
        var file = SafetensorsFile.Open(single);
        return new CheckpointReader(file.Entries.Keys.ToDictionary(n => n, _ => file), [file]);
    }

    static CheckpointReader OpenSharded(string modelDir, string index)
    {
        var weightMap = ReadWeightMap(index);
        var files = new List<SafetensorsFile>();
        try
        {
            var byName = new Dictionary<string, SafetensorsFile>();
            foreach (string shard in weightMap.Values.Distinct())
            {
                if (shard.Contains('/') || shard.Contains('\\') || shard.StartsWith('.'))
                    throw new CheckpointException($"{index}: shard name '{shard}' must be a plain file name.");
                files.Add(SafetensorsFile.Open(Path.Combine(modelDir, shard)));
                byName[shard] = files[^1];
            }
            var fileOf = new Dictionary<string, SafetensorsFile>();
            foreach (var (tensor, shard) in weightMap)
            {
                var file = byName[shard];
                if (!file.Entries.ContainsKey(tensor))
                    throw new CheckpointException(
                        $"{index}: tensor '{tensor}' is mapped to {shard}, which does not contain it.");
                fileOf[tensor] = file;
            }
            return new CheckpointReader(fileOf, files);
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
    }

    static Dictionary<string, string> ReadWeightMap(string index)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(index));
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"{index}: weight_map object is missing.");
            var result = new Dictionary<string, string>();
            foreach (var p in map.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String || !result.TryAdd(p.Name, p.Value.GetString()!))
                    throw new CheckpointException(
                        $"{index}: weight_map entry '{p.Name}' is repeated or not a file name.");
            }
            return result;
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{index} is not valid JSON: {e.Message}");
        }
    }

    public bool Contains(string name) => fileOf.ContainsKey(name);

    public TensorEntry Entry(string name) => FileOf(name).Entry(name);

    /// <summary>The stored tensor (a view of the mapped file).</summary>
    public torch.Tensor Get(string name) => FileOf(name).Get(name);

    /// <summary>Gives the tensor's resident file pages back to the kernel.</summary>
    public void Release(string name) => FileOf(name).Release(name);

    SafetensorsFile FileOf(string name) =>
        fileOf.TryGetValue(name, out var file)
            ? file
            : throw new CheckpointException($"checkpoint has no tensor '{name}'.");

    public void Dispose()
    {
        files.ForEach(f => f.Dispose());
        files.Clear();
    }
}
