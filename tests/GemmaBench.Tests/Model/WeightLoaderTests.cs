using GemmaBench.Model;
using GemmaBench.Model.Checkpoint;
using TorchSharp;

namespace GemmaBench.Tests.Model;

/// <summary>Checkpoints whose tensors do not fit the config are refused, naming the tensor.</summary>
public class WeightLoaderTests
{
    static void WriteTiny(TempDirectory dir, Func<List<TensorSpec>, List<TensorSpec>> edit)
    {
        SyntheticCheckpoint.Write("tiny", dir.Path, torch.ScalarType.Float32);
        var specs = edit(SyntheticCheckpoint.Specs(SyntheticPreset.Get("tiny"), torch.ScalarType.Float32));
        SafetensorsWriter.Write(dir.File("model.safetensors"), specs,
            (spec, stream) => stream.Write(new byte[spec.ByteLength]));
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("model.safetensors.index.json")]
    public void WeightsPathThatIsADirectoryIsSaidToBeOne(string name)
    {
        using var dir = new TempDirectory();
        foreach (string file in Directory.GetFiles(TestPaths.Checkpoint("tiny")))
            File.Copy(file, dir.File(Path.GetFileName(file)));
        File.Delete(dir.File("model.safetensors"));
        Directory.CreateDirectory(dir.File(name));

        var e = Assert.Throws<CheckpointException>(() => GemmaModel.Load(dir.Path, torch.ScalarType.Float32));

        Assert.Equal($"{dir.File(name)} is a directory where the checkpoint needs a file; remove it and write " +
            "or download the checkpoint again.", e.Message);
    }

    [Fact]
    public void MissingTensorIsNamed()
    {
        using var dir = new TempDirectory();
        WriteTiny(dir, specs => specs.Where(s => s.Name != "model.layers.2.mlp.up_proj.weight").ToList());

        var e = Assert.Throws<CheckpointException>(() => GemmaModel.Load(dir.Path, torch.ScalarType.Float32));

        Assert.Equal($"{dir.Path}: tensor 'model.layers.2.mlp.up_proj.weight' is missing from the checkpoint.",
            e.Message);
    }

    [Fact]
    public void MisshapenTensorIsNamedWithBothShapes()
    {
        using var dir = new TempDirectory();
        WriteTiny(dir, specs => specs.Select(s => s.Name == "model.layers.1.self_attn.k_norm.weight"
            ? s with { Shape = [16] } : s).ToList());

        var e = Assert.Throws<CheckpointException>(() => GemmaModel.Load(dir.Path, torch.ScalarType.Float32));

        Assert.Equal($"{dir.Path}: tensor 'model.layers.1.self_attn.k_norm.weight' has shape [16] but config.json " +
            "implies [32].", e.Message);
    }

    [Fact]
    public void IndexNamingAShardWithoutTheTensorIsRefused()
    {
        using var dir = new TempDirectory();
        SyntheticCheckpoint.Write("tiny", dir.Path, torch.ScalarType.Float32);
        File.WriteAllText(dir.File("model.safetensors.index.json"),
            """{"weight_map": {"model.norm.weight": "model.safetensors", "model.extra": "model.safetensors"}}""");

        var e = Assert.Throws<CheckpointException>(() => GemmaModel.Load(dir.Path, torch.ScalarType.Float32));

        Assert.Equal($"{dir.File("model.safetensors.index.json")}: tensor 'model.extra' is mapped to " +
            "model.safetensors, which does not contain it.", e.Message);
    }

    [Fact]
    public void IndexShardNameOutsideTheDirectoryIsRefused()
    {
        using var dir = new TempDirectory();
        SyntheticCheckpoint.Write("tiny", dir.Path, torch.ScalarType.Float32);
        File.WriteAllText(dir.File("model.safetensors.index.json"),
            """{"weight_map": {"model.norm.weight": "../model.safetensors"}}""");

        var e = Assert.Throws<CheckpointException>(() => GemmaModel.Load(dir.Path, torch.ScalarType.Float32));

        Assert.Contains("shard name '../model.safetensors' must be a plain file name", e.Message);
    }
}
