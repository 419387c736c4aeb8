using System.Text.Json.Nodes;
using GemmaBench.Model.Checkpoint;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Model;

/// <summary>Writes a Gemma-3 checkpoint of a preset's true shape with seeded random weights, in the Hugging
/// Face layout (config.json, generation_config.json, model.safetensors or shards with an index), readable by
/// <see cref="GemmaModel.Load"/> exactly like a downloaded model. Weights are generated and written a chunk
/// at a time, so memory stays small for any size. Files are written under temporary names and renamed at the
/// end, config.json last: an interrupted run never leaves a directory that looks like a checkpoint.</summary>
public static class SyntheticCheckpoint
{
    public const long DefaultShardBytes = 4L << 30;
    const long ChunkElements = 16L << 20;
    const string Partial = ".partial";

    static readonly string[] TokenizerFiles =
        ["tokenizer.json", "tokenizer_config.json", "tokenizer.model", "special_tokens_map.json"];

    /// <param name="progress">Receives one line per file written (the tool prints them on stderr).</param>
    /// <param name="cancellation">Stops the writing between chunks; the files written so far (all
    /// still *.partial) are deleted and <see cref="OperationCanceledException"/> is thrown.</param>
    public static void Write(string presetName, string outDir, ScalarType dtype = ScalarType.BFloat16, long seed = 0,
        string? tokenizerDir = null, IProgress<string>? progress = null, long shardBytes = DefaultShardBytes,
        CancellationToken cancellation = default)
    {
        if (Refusal(presetName, outDir, dtype, tokenizerDir, shardBytes) is { } refusal)
            throw new ModelException(refusal);
        var preset = SyntheticPreset.Get(presetName);
        var shards = Shards(Specs(preset, dtype), shardBytes);
        Directory.CreateDirectory(outDir);

        var written = new List<string>();
        try
        {
            for (int i = 0; i < shards.Count; i++)
            {
                string name = shards.Count == 1
                    ? CheckpointReader.SingleFile
                    : $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
                string path = Path.Combine(outDir, name);
                written.Add(path);
                SafetensorsWriter.Write(path + Partial, shards[i],
                    (spec, stream) => WriteRandom(spec, stream, preset, seed, cancellation));
                progress?.Report($"wrote {name}");
            }
            if (shards.Count > 1)
                WriteText(Path.Combine(outDir, CheckpointReader.IndexFile), Index(shards, written), written);
            WriteText(Path.Combine(outDir, GemmaConfig.GenerationConfigFile), SyntheticConfig.GenerationConfig(),
                written);
            var tokenizerFiles = tokenizerDir == null ? []
                : TokenizerFiles.Where(f => File.Exists(Path.Combine(tokenizerDir, f)));
            foreach (string file in tokenizerFiles)
            {
                written.Add(Path.Combine(outDir, file));
                File.Copy(Path.Combine(tokenizerDir!, file), written[^1] + Partial, overwrite: true);
            }
            WriteText(Path.Combine(outDir, GemmaConfig.ConfigFile), SyntheticConfig.Config(preset, dtype), written);

            cancellation.ThrowIfCancellationRequested();
            foreach (string path in written)
                File.Move(path + Partial, path, overwrite: true);
        }
        catch
        {
            foreach (string path in written)
                File.Delete(path + Partial);
            throw;
        }
    }

    /// <summary>Why <see cref="Write"/> would refuse these settings (an unknown preset or dtype, a tokenizer
    /// directory without tokenizer.json, files already in the way), or null: all of it is known before any
    /// file is written, so the tool can report it as bad usage.</summary>
    public static string? Refusal(string presetName, string outDir, ScalarType dtype = ScalarType.BFloat16,
        string? tokenizerDir = null, long shardBytes = DefaultShardBytes)
    {
        if (SyntheticPreset.All.All(p => p.Name != presetName))
            return $"--preset: unknown preset '{presetName}'; choose one of " +
                string.Join(", ", SyntheticPreset.All.Select(p => p.Name)) + ".";
        if (dtype != ScalarType.BFloat16 && dtype != ScalarType.Float32)
            return $"synthetic checkpoints are bfloat16 or float32, not {dtype}.";
        if (tokenizerDir != null && !File.Exists(Path.Combine(tokenizerDir, "tokenizer.json")))
            return $"--tokenizer: {tokenizerDir} has no tokenizer.json; give a tokenizer directory.";
        var shards = Shards(Specs(SyntheticPreset.Get(presetName), dtype), shardBytes);
        return ExistingFile(outDir, shards.Count);
    }

    /// <summary>Never replaces a file: a checkpoint, or anything else the user keeps under those names, stays.
    /// Our own leftovers (*.partial from an interrupted run) are written over.</summary>
    static string? ExistingFile(string outDir, int shardCount)
    {
        if (File.Exists(outDir))
            return $"--out {outDir} is a file; give a directory to write the checkpoint to.";
        if (!Directory.Exists(outDir))
            return null;
        var names = new List<string> { GemmaConfig.ConfigFile, GemmaConfig.GenerationConfigFile,
            CheckpointReader.SingleFile, CheckpointReader.IndexFile };
        names.AddRange(Enumerable.Range(1, shardCount).Select(i => $"model-{i:D5}-of-{shardCount:D5}.safetensors"));
        names.AddRange(TokenizerFiles);
        string? existing = names.FirstOrDefault(name => File.Exists(Path.Combine(outDir, name)));
        return existing == null ? null
            : $"--out {outDir} already has {existing}; synthesize never overwrites files: choose another --out " +
              "or remove it.";
    }

    /// <summary>The tensors of a preset, named as Hugging Face stores them.</summary>
    public static List<TensorSpec> Specs(SyntheticPreset preset, ScalarType dtype)
    {
        string prefix = preset.IsMultimodal ? "language_model.model." : "model.";
        long hidden = preset.HiddenSize, inter = preset.IntermediateSize, head = preset.HeadDim;
        long q = preset.NumHeads * head, kv = preset.NumKvHeads * head;
        var specs = new List<TensorSpec> { new(prefix + "embed_tokens.weight", dtype, [preset.VocabSize, hidden]) };
        for (int i = 0; i < preset.NumLayers; i++)
        {
            string p = $"{prefix}layers.{i}.";
            specs.AddRange(
            [
                new(p + "self_attn.q_proj.weight", dtype, [q, hidden]),
                new(p + "self_attn.k_proj.weight", dtype, [kv, hidden]),
                new(p + "self_attn.v_proj.weight", dtype, [kv, hidden]),
                new(p + "self_attn.o_proj.weight", dtype, [hidden, q]),
                new(p + "self_attn.q_norm.weight", dtype, [head]),
                new(p + "self_attn.k_norm.weight", dtype, [head]),
                new(p + "mlp.gate_proj.weight", dtype, [inter, hidden]),
                new(p + "mlp.up_proj.weight", dtype, [inter, hidden]),
                new(p + "mlp.down_proj.weight", dtype, [hidden, inter]),
                new(p + "input_layernorm.weight", dtype, [hidden]),
                new(p + "post_attention_layernorm.weight", dtype, [hidden]),
                new(p + "pre_feedforward_layernorm.weight", dtype, [hidden]),
                new(p + "post_feedforward_layernorm.weight", dtype, [hidden]),
            ]);
        }
        specs.Add(new(prefix + "norm.weight", dtype, [hidden]));
        return specs;
    }

    static List<List<TensorSpec>> Shards(List<TensorSpec> specs, long shardBytes)
    {
        var shards = new List<List<TensorSpec>> { new() };
        long size = 0;
        foreach (var spec in specs)
        {
            if (size > 0 && size + spec.ByteLength > shardBytes)
            {
                shards.Add([]);
                size = 0;
            }
            shards[^1].Add(spec);
            size += spec.ByteLength;
        }
        return shards;
    }

    /// <summary>Normal weights scaled so activations stay near 1: embeddings by 1/sqrt(hidden) (the model
    /// multiplies by sqrt(hidden)), projections by 1/sqrt(fan-in), norm weights small around 0 (scale 1 + w).
    /// Each tensor has its own generator seeded from the seed and its name, so any subset is reproducible.</summary>
    static void WriteRandom(TensorSpec spec, Stream stream, SyntheticPreset preset, long seed,
        CancellationToken cancellation)
    {
        double std = spec.Shape.Length == 1 ? 0.1
            : spec.Name.EndsWith("embed_tokens.weight") ? 1 / Math.Sqrt(preset.HiddenSize)
            : 1 / Math.Sqrt(spec.Shape[1]);
        using var generator = new TorchSharp.torch.Generator(TensorSeed(seed, spec.Name), CPU);
        long columns = spec.Shape.Length == 1 ? spec.Shape[0] : spec.Shape[1];
        long rows = spec.Shape.Length == 1 ? 1 : spec.Shape[0];
        long rowsPerChunk = Math.Max(1, ChunkElements / columns);
        using var deviation = std.ToScalar(); // held through the calls that read it (see Module.HeldScalars)
        for (long row = 0; row < rows; row += rowsPerChunk)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long count = Math.Min(rowsPerChunk, rows - row);
            var chunk = randn([count, columns], generator: generator).mul_(deviation).to(spec.Dtype).contiguous();
            stream.Write(chunk.bytes);
        }
    }

    static ulong TensorSeed(long seed, string name)
    {
        ulong hash = 14695981039346656037UL ^ (ulong)seed;
        foreach (char c in name)
            hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }

    static string Index(List<List<TensorSpec>> shards, List<string> paths)
    {
        var map = new JsonObject();
        for (int i = 0; i < shards.Count; i++)
            foreach (var spec in shards[i])
                map[spec.Name] = Path.GetFileName(paths[i]);
        long total = shards.Sum(s => s.Sum(spec => spec.ByteLength));
        return new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = map }
            .ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    static void WriteText(string path, string text, List<string> written)
    {
        written.Add(path);
        File.WriteAllText(path + Partial, text + "\n");
    }
}
