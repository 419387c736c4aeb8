using System.Text.Json.Nodes;
using GemmaBench.Model;
using TorchSharp;

namespace GemmaBench.Tests.Model;

public class GemmaConfigTests
{
    static string WithConfigEdit(TempDirectory dir, Action<JsonObject> edit)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Checkpoint("tiny"), "config.json")))!
            .AsObject();
        edit(config);
        File.WriteAllText(dir.File("config.json"), config.ToJsonString());
        return dir.Path;
    }

    [Fact]
    public void LayerTypesMarkFullAttentionLayersGlobal()
    {
        var config = GemmaConfig.Load(TestPaths.Checkpoint("tiny"));

        Assert.Equal(new[] { false, false, false, false, false, true }, config.GlobalLayers);
        Assert.Equal(24, config.QueryPreAttnScalar);
        Assert.Equal(32, config.HeadDim);
        Assert.Equal(1, config.RopeScalingFactor);
        Assert.Equal(torch.ScalarType.Float32, config.StoredDtype);
    }

    [Fact]
    public void SlidingWindowPatternMakesEveryPthLayerGlobal()
    {
        var config = GemmaConfig.Load(TestPaths.Checkpoint("tiny-odd"));

        Assert.Equal(new[] { false, false, false, false, false, true }, config.GlobalLayers);
        Assert.Equal(torch.ScalarType.BFloat16, config.StoredDtype);
    }

    [Fact]
    public void LinearRopeScalingFactorIsRead() =>
        Assert.Equal(8, GemmaConfig.Load(TestPaths.Checkpoint("tiny-scaled")).RopeScalingFactor);

    [Fact]
    public void EosIdsComeFromGenerationConfigAndConfig()
    {
        using var dir = new TempDirectory();
        WithConfigEdit(dir, c => c["eos_token_id"] = 7);
        File.WriteAllText(dir.File("generation_config.json"), """{"eos_token_id": [1, 106]}""");

        Assert.Equal(new[] { 1, 106, 7 }, GemmaConfig.Load(dir.Path).EosTokenIds);
    }

    [Fact]
    public void MultimodalConfigReadsTextConfig()
    {
        using var dir = new TempDirectory();
        SyntheticCheckpoint.Write("tiny-multimodal", dir.Path, torch.ScalarType.Float32);

        var config = GemmaConfig.Load(dir.Path);

        Assert.True(config.IsMultimodal);
        Assert.Equal(48, config.HiddenSize);
        Assert.Equal(8, config.RopeScalingFactor);
        Assert.Equal(new[] { 1, 106 }, config.EosTokenIds);
    }

    [Theory]
    [InlineData("model_type", "\"llama\"", "model_type 'llama' is not supported")]
    [InlineData("rope_scaling", """{"rope_type": "yarn", "factor": 8}""", "rope_scaling type 'yarn' is not supported")]
    [InlineData("attn_logit_softcapping", "50.0", "attn_logit_softcapping is set; softcapping is not implemented")]
    [InlineData("final_logit_softcapping", "30.0", "final_logit_softcapping is set; softcapping is not implemented")]
    [InlineData("hidden_activation", "\"gelu\"", "hidden_activation 'gelu' is not supported")]
    public void UnsupportedSettingsAreRefusedByName(string field, string json, string message)
    {
        using var dir = new TempDirectory();
        WithConfigEdit(dir, c => c[field] = JsonNode.Parse(json));

        var e = Assert.Throws<UnsupportedModelException>(() => GemmaConfig.Load(dir.Path));

        Assert.StartsWith($"{dir.File("config.json")}: {message}", e.Message);
    }

    [Fact]
    public void ConfigThatIsNotAnObjectIsRefusedNamingTheFile()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("config.json"), "[]");

        var e = Assert.Throws<ModelException>(() => GemmaConfig.Load(dir.Path));

        Assert.Equal($"{dir.File("config.json")}: expected a JSON object of settings, found Array.", e.Message);
    }

    [Fact]
    public void ConfigThatIsNotJsonIsRefusedWithThePositionAndWhatToDo()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("config.json"), "{\n  \"hidden_size\": 64,\n  oops\n}");

        var e = Assert.Throws<ModelException>(() => GemmaConfig.Load(dir.Path));

        Assert.Equal($"{dir.File("config.json")} is not valid JSON at line 3, byte 3 ('o' is an invalid " +
            "start of a property name. Expected a '\"'); fix it or download config.json again", e.Message);
    }

    [Fact]
    public void GenerationConfigThatIsNotJsonIsRefusedWithWhatToDo()
    {
        using var dir = new TempDirectory();
        foreach (string file in Directory.GetFiles(TestPaths.Checkpoint("tiny")))
            File.Copy(file, dir.File(Path.GetFileName(file)));
        File.WriteAllText(dir.File("generation_config.json"), "{\"eos_token_id\": [1,");

        var e = Assert.Throws<ModelException>(() => GemmaConfig.Load(dir.Path));

        Assert.StartsWith($"{dir.File("generation_config.json")} is not valid JSON at line 1, byte ", e.Message);
        Assert.EndsWith("; fix it or download generation_config.json again", e.Message);
    }

    [Theory]
    [InlineData("config.json", " is a directory; a model directory needs config.json as a file.")]
    [InlineData("generation_config.json",
        " is a directory; remove it or put the model's generation_config.json there.")]
    public void ConfigFileThatIsADirectoryIsSaidToBeOne(string name, string message)
    {
        using var dir = new TempDirectory();
        foreach (string file in Directory.GetFiles(TestPaths.Checkpoint("tiny")))
            File.Copy(file, dir.File(Path.GetFileName(file)));
        File.Delete(dir.File(name));
        Directory.CreateDirectory(dir.File(name));

        var e = Assert.Throws<ModelException>(() => GemmaConfig.Load(dir.Path));

        Assert.Equal(dir.File(name) + message, e.Message);
    }

    [Fact]
    public void MissingRequiredFieldIsNamed()
    {
        using var dir = new TempDirectory();
        WithConfigEdit(dir, c => c.Remove("hidden_size"));

        var e = Assert.Throws<ModelException>(() => GemmaConfig.Load(dir.Path));

        Assert.Equal($"{dir.File("config.json")}: required field hidden_size is missing; fix it or download " +
            "config.json again", e.Message);
    }

    [Theory]
    [InlineData("hidden_size", "\"abc\"", "hidden_size must be an integer, got \"abc\"")]
    [InlineData("hidden_size", "1.5", "hidden_size must be an integer, got 1.5")]
    [InlineData("hidden_size", "1000000000000",
        "hidden_size must be a whole number up to 2147483647, got 1000000000000")]
    [InlineData("rms_norm_eps", "\"small\"", "rms_norm_eps must be a number, got \"small\"")]
    [InlineData("model_type", "5", "model_type must be a string, got 5")]
    [InlineData("hidden_activation", "5", "hidden_activation must be a string, got 5")]
    [InlineData("layer_types", "\"abc\"", "layer_types must be a list of strings, got \"abc\"")]
    [InlineData("layer_types", "[1, 2]", "layer_types must be a list of strings, got [1,2]")]
    [InlineData("rope_scaling", "7", "rope_scaling must be an object or null, got 7")]
    [InlineData("rope_scaling", """{"rope_type": "linear", "factor": "x"}""",
        "rope_scaling.factor must be a number, got \"x\"")]
    public void FieldOfTheWrongTypeIsNamedWithWhatToDo(string field, string json, string message)
    {
        using var dir = new TempDirectory();
        WithConfigEdit(dir, c => c[field] = JsonNode.Parse(json));

        var e = Assert.Throws<ModelException>(() => GemmaConfig.Load(dir.Path));

        Assert.Equal($"{dir.File("config.json")}: field {message}; fix it or download config.json again",
            e.Message);
    }

    [Fact]
    public void FieldOfTheWrongTypeInTextConfigIsNamedWithItsSection()
    {
        using var dir = new TempDirectory();
        SyntheticCheckpoint.Write("tiny-multimodal", dir.Path, torch.ScalarType.Float32);
        var config = JsonNode.Parse(File.ReadAllText(dir.File("config.json")))!.AsObject();
        config["text_config"]!["hidden_size"] = "abc";
        File.WriteAllText(dir.File("config.json"), config.ToJsonString());

        var e = Assert.Throws<ModelException>(() => GemmaConfig.Load(dir.Path));

        Assert.Equal($"{dir.File("config.json")}: field text_config.hidden_size must be an integer, got " +
            "\"abc\"; fix it or download config.json again", e.Message);
    }

    [Fact]
    public void Float16ComputeIsRefusedWithTheReason()
    {
        var e = Assert.Throws<ModelException>(() =>
            GemmaModel.Load(TestPaths.Checkpoint("tiny"), torch.ScalarType.Float16));

        Assert.Contains("overflow float16", e.Message);
    }
}
