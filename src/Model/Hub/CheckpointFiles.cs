using System.Text.Json;

namespace GemmaBench.Model.Hub;

/// <summary>The files of a Hugging Face checkpoint that gemma-bench reads.</summary>
public static class CheckpointFiles
{
    public static readonly IReadOnlyList<string> Required =
        ["config.json", "tokenizer.json", "tokenizer_config.json"];

    public const string GenerationConfig = "generation_config.json";
    public const string SingleWeights = "model.safetensors";
    public const string WeightIndex = "model.safetensors.index.json";

    /// <summary>The shard files named in a model.safetensors.index.json, in order, each once.</summary>
    public static IReadOnlyList<string> ShardsOf(string indexPath)
    {
        try
        {
            using JsonDocument index = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            var shards = index.RootElement.GetProperty("weight_map").EnumerateObject()
                .Select(entry => entry.Value.GetString() ?? "")
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToList();
            if (shards.Count == 0 || shards.Any(shard => !IsPlainFileName(shard)))
                throw new FormatException("weight_map must name shard files beside the index");
            return shards;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException
            or FormatException)
        {
            throw new ModelException($"{indexPath}: not a valid {WeightIndex} ({e.Message.TrimEnd('.')})", e);
        }
    }

    static bool IsPlainFileName(string name) =>
        name.Length > 0 && name.IndexOfAny(['/', '\\', ':']) < 0 && name is not "." and not "..";
}
