using System.Text.Json;
using TorchSharp;

namespace GemmaBench.Model;

/// <summary>The Gemma-3 text settings of a checkpoint, read from config.json (either a gemma3_text config
/// or the text_config of a Gemma3ForConditionalGeneration config) and generation_config.json.</summary>
public sealed record GemmaConfig
{
    public const string ConfigFile = "config.json";
    public const string GenerationConfigFile = "generation_config.json";

    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKvHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int SlidingWindow { get; init; }
    public required int MaxPositionEmbeddings { get; init; }
    public required double QueryPreAttnScalar { get; init; }
    public required double RmsNormEps { get; init; }
    public required double RopeTheta { get; init; }
    public required double RopeLocalBaseFreq { get; init; }

    /// <summary>Linear RoPE scaling factor of global layers (1 when the config has none).</summary>
    public required double RopeScalingFactor { get; init; }
    public required int BosTokenId { get; init; }
    public required IReadOnlyList<int> EosTokenIds { get; init; }

    /// <summary>Dtype of the stored weights (torch_dtype): Float32, BFloat16 or Float16.</summary>
    public required torch.ScalarType StoredDtype { get; init; }

    /// <summary>True for Gemma3ForConditionalGeneration checkpoints (4B and up), whose decoder tensors are
    /// prefixed language_model.model.</summary>
    public required bool IsMultimodal { get; init; }

    /// <summary>Per layer: true when the layer attends to every earlier position (full attention).</summary>
    public required IReadOnlyList<bool> GlobalLayers { get; init; }

    public bool IsGlobalLayer(int layer) => GlobalLayers[layer];

    public static GemmaConfig Load(string modelDir)
    {
        string path = Path.Combine(modelDir, ConfigFile);
        if (Directory.Exists(path))
            throw new ModelException($"{path} is a directory; a model directory needs config.json as a file.");
        if (!File.Exists(path))
            throw new ModelException($"{path} not found: a model directory needs a Hugging Face config.json.");
        using var doc = ParseJson(path);
        var (text, isMultimodal) = TextSection(doc.RootElement, path);
        var fields = new ConfigFields(text, path, isMultimodal ? "text_config." : "");

        RefuseUnsupported(fields, path);
        int numLayers = fields.Int("num_hidden_layers");
        var config = new GemmaConfig
        {
            VocabSize = fields.Int("vocab_size", 262144),
            HiddenSize = fields.Int("hidden_size"),
            IntermediateSize = fields.Int("intermediate_size"),
            NumLayers = numLayers,
            NumHeads = fields.Int("num_attention_heads"),
            NumKvHeads = fields.Int("num_key_value_heads"),
            HeadDim = fields.Int("head_dim", 256),
            SlidingWindow = fields.Int("sliding_window", 4096),
            MaxPositionEmbeddings = fields.Int("max_position_embeddings", 131072),
            QueryPreAttnScalar = fields.Double("query_pre_attn_scalar", 256),
            RmsNormEps = fields.Double("rms_norm_eps", 1e-6),
            RopeTheta = fields.Double("rope_theta", 1_000_000),
            RopeLocalBaseFreq = fields.Double("rope_local_base_freq", 10_000),
            RopeScalingFactor = RopeScaling(fields, path),
            BosTokenId = fields.Int("bos_token_id", 2),
            EosTokenIds = EosIds(modelDir, doc.RootElement, text),
            StoredDtype = Dtype(doc.RootElement, text, path),
            IsMultimodal = isMultimodal,
            GlobalLayers = LayerTypes(fields, numLayers, path),
        };
        config.Validate(path);
        return config;
    }

    void Validate(string path)
    {
        if (NumKvHeads <= 0 || NumHeads % NumKvHeads != 0)
            throw new ModelException(
                $"{path}: num_attention_heads ({NumHeads}) must be a multiple of num_key_value_heads ({NumKvHeads}).");
        if (HeadDim % 2 != 0)
            throw new ModelException($"{path}: head_dim ({HeadDim}) must be even for rotary embeddings.");
        if (SlidingWindow <= 0)
            throw new ModelException($"{path}: sliding_window ({SlidingWindow}) must be positive.");
    }

    static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            // The parser's message ends with its own 0-based position, given here 1-based instead.
            string reason = e.Message.Split(" LineNumber:")[0].TrimEnd('.');
            throw new ModelException($"{path} is not valid JSON at line {e.LineNumber + 1}, byte " +
                $"{e.BytePositionInLine + 1} ({reason}); fix it or download {Path.GetFileName(path)} again");
        }
    }

    static (JsonElement Text, bool IsMultimodal) TextSection(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new ModelException($"{path}: expected a JSON object of settings, found {root.ValueKind}.");
        string? modelType = new ConfigFields(root, path).String("model_type");
        if (modelType == "gemma3")
        {
            if (!root.TryGetProperty("text_config", out var text) || text.ValueKind != JsonValueKind.Object)
                throw new ModelException($"{path}: model_type gemma3 needs a text_config object; " +
                    ConfigFields.Remedy(path));
            string textType = new ConfigFields(text, path, "text_config.").String("model_type")
                ?? "gemma3_text";
            if (textType != "gemma3_text")
                throw new UnsupportedModelException(
                    $"{path}: text_config.model_type '{textType}' is not supported; only gemma3_text runs.");
            return (text, true);
        }
        if (modelType != "gemma3_text")
            throw new UnsupportedModelException(
                $"{path}: model_type '{modelType}' is not supported; gemma-bench runs Gemma-3 (gemma3_text, gemma3).");
        return (root, false);
    }

    static void RefuseUnsupported(ConfigFields fields, string path)
    {
        foreach (string field in new[] { "attn_logit_softcapping", "final_logit_softcapping" })
        {
            if (fields.Has(field))
                throw new UnsupportedModelException(
                    $"{path}: {field} is set; softcapping is not implemented, so this model would run wrong.");
        }
        string activation = fields.String("hidden_activation") ?? fields.String("hidden_act") ?? "gelu_pytorch_tanh";
        if (activation != "gelu_pytorch_tanh")
            throw new UnsupportedModelException(
                $"{path}: hidden_activation '{activation}' is not supported; Gemma-3 uses gelu_pytorch_tanh.");
    }

    static double RopeScaling(ConfigFields fields, string path)
    {
        if (!fields.Has("rope_scaling"))
            return 1;
        var scaling = fields.Element("rope_scaling");
        if (scaling.ValueKind != JsonValueKind.Object)
            throw new ModelException($"{path}: field rope_scaling must be an object or null, got " +
                $"{scaling.GetRawText()}; {ConfigFields.Remedy(path)}");
        var inner = new ConfigFields(scaling, path, "rope_scaling.");
        string? type = inner.String("rope_type") ?? inner.String("type");
        if (type == "default")
            return 1;
        if (type != "linear")
            throw new UnsupportedModelException(
                $"{path}: rope_scaling type '{type}' is not supported; only linear scaling is implemented.");
        double factor = inner.Double("factor");
        if (!(factor > 0))
            throw new ModelException($"{path}: rope_scaling.factor must be positive, got {factor}.");
        return factor;
    }

    static List<bool> LayerTypes(ConfigFields fields, int numLayers, string path)
    {
        if (fields.Strings("layer_types") is { } types)
        {
            if (types.Count != numLayers)
                throw new ModelException(
                    $"{path}: layer_types has {types.Count} entries but num_hidden_layers is {numLayers}.");
            return types.Select((type, i) => type switch
            {
                "full_attention" => true,
                "sliding_attention" => false,
                _ => throw new UnsupportedModelException(
                    $"{path}: layer_types[{i}] '{type}' is not supported (full_attention, sliding_attention)."),
            }).ToList();
        }
        int pattern = fields.Int("sliding_window_pattern", 6);
        if (pattern <= 0)
            throw new ModelException($"{path}: sliding_window_pattern must be positive, got {pattern}.");
        return Enumerable.Range(0, numLayers).Select(i => (i + 1) % pattern == 0).ToList();
    }

    static List<int> EosIds(string modelDir, JsonElement root, JsonElement text)
    {
        var ids = new List<int>();
        string generationPath = Path.Combine(modelDir, GenerationConfigFile);
        if (Directory.Exists(generationPath))
            throw new ModelException($"{generationPath} is a directory; remove it or put the model's " +
                $"{GenerationConfigFile} there.");
        if (File.Exists(generationPath))
        {
            using var generation = ParseJson(generationPath);
            AddIds(generation.RootElement, ids);
        }
        AddIds(root, ids);
        AddIds(text, ids);
        return ids;
    }

    static void AddIds(JsonElement element, List<int> ids)
    {
        if (!element.TryGetProperty("eos_token_id", out var eos))
            return;
        IEnumerable<JsonElement> values = eos.ValueKind switch
        {
            JsonValueKind.Array => eos.EnumerateArray(),
            JsonValueKind.Number => [eos],
            _ => [],
        };
        foreach (var v in values)
        {
            if (v.TryGetInt32(out int id) && !ids.Contains(id))
                ids.Add(id);
        }
    }

    static torch.ScalarType Dtype(JsonElement root, JsonElement text, string path)
    {
        string? name = null;
        foreach (var element in new[] { text, root })
            foreach (string field in new[] { "torch_dtype", "dtype" })
                if (name == null && element.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String)
                    name = v.GetString();
        return name switch
        {
            null or "float32" => torch.ScalarType.Float32,
            "bfloat16" => torch.ScalarType.BFloat16,
            "float16" => torch.ScalarType.Float16,
            _ => throw new UnsupportedModelException(
                $"{path}: torch_dtype '{name}' is not supported (float32, bfloat16, float16)."),
        };
    }
}
