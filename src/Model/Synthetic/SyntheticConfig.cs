using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;

namespace GemmaBench.Model;

/// <summary>The config.json and generation_config.json of a synthetic checkpoint, in the form Hugging Face
/// writes them.</summary>
static class SyntheticConfig
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Config(SyntheticPreset preset, torch.ScalarType dtype)
    {
        string dtypeName = dtype == torch.ScalarType.BFloat16 ? "bfloat16" : "float32";
        var text = new JsonObject
        {
            ["architectures"] = preset.IsMultimodal ? null : new JsonArray("Gemma3ForCausalLM"),
            ["model_type"] = "gemma3_text",
            ["attention_bias"] = false,
            ["attn_logit_softcapping"] = null,
            ["final_logit_softcapping"] = null,
            ["bos_token_id"] = 2,
            ["eos_token_id"] = new JsonArray(1, 106),
            ["pad_token_id"] = 0,
            ["head_dim"] = preset.HeadDim,
            ["hidden_activation"] = "gelu_pytorch_tanh",
            ["hidden_size"] = preset.HiddenSize,
            ["intermediate_size"] = preset.IntermediateSize,
            ["max_position_embeddings"] = preset.MaxPositionEmbeddings,
            ["num_attention_heads"] = preset.NumHeads,
            ["num_hidden_layers"] = preset.NumLayers,
            ["num_key_value_heads"] = preset.NumKvHeads,
            ["query_pre_attn_scalar"] = preset.QueryPreAttnScalar,
            ["rms_norm_eps"] = 1e-6,
            ["rope_local_base_freq"] = 10000.0,
            ["rope_scaling"] = preset.LinearRopeScaling is double f
                ? new JsonObject { ["rope_type"] = "linear", ["factor"] = f }
                : null,
            ["rope_theta"] = 1000000.0,
            ["sliding_window"] = preset.SlidingWindow,
            ["torch_dtype"] = dtypeName,
            ["vocab_size"] = preset.VocabSize,
            ["layer_types"] = new JsonArray(Enumerable.Range(0, preset.NumLayers)
                .Select(i => (JsonNode?)(preset.IsGlobalLayer(i) ? "full_attention" : "sliding_attention")).ToArray()),
        };
        if (!preset.IsMultimodal)
            return text.ToJsonString(Indented);
        text.Remove("architectures");
        var root = new JsonObject
        {
            ["architectures"] = new JsonArray("Gemma3ForConditionalGeneration"),
            ["model_type"] = "gemma3",
            ["eos_token_id"] = new JsonArray(1, 106),
            ["torch_dtype"] = dtypeName,
            ["text_config"] = text,
            ["vision_config"] = new JsonObject { ["model_type"] = "siglip_vision_model" },
        };
        return root.ToJsonString(Indented);
    }

    public static string GenerationConfig() => new JsonObject
    {
        ["bos_token_id"] = 2,
        ["eos_token_id"] = new JsonArray(1, 106),
        ["pad_token_id"] = 0,
        ["do_sample"] = false,
    }.ToJsonString(Indented);
}
