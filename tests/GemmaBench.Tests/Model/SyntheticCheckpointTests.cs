using GemmaBench.Model;
using TorchSharp;

namespace GemmaBench.Tests.Model;

public class SyntheticCheckpointTests
{
    [Fact]
    public void SameSeedWritesIdenticalFilesAndAnotherSeedDiffers()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        using var c = new TempDirectory();
        SyntheticCheckpoint.Write("tiny", a.Path, seed: 5);
        SyntheticCheckpoint.Write("tiny", b.Path, seed: 5);
        SyntheticCheckpoint.Write("tiny", c.Path, seed: 6);

        Assert.Equal(File.ReadAllBytes(a.File("model.safetensors")), File.ReadAllBytes(b.File("model.safetensors")));
        Assert.NotEqual(File.ReadAllBytes(a.File("model.safetensors")), File.ReadAllBytes(c.File("model.safetensors")));
    }

    [Theory]
    [InlineData("tiny", "bfloat16")]
    [InlineData("tiny", "float32")]
    [InlineData("tiny-multimodal", "bfloat16")]
    public void WrittenCheckpointLoadsAndGeneratesFiniteLogits(string preset, string dtypeName)
    {
        var dtype = dtypeName == "float32" ? torch.ScalarType.Float32 : torch.ScalarType.BFloat16;
        using var dir = new TempDirectory();
        SyntheticCheckpoint.Write(preset, dir.Path, dtype, seed: 1);

        using var model = GemmaModel.Load(dir.Path, dtype);
        using var cache = model.CreateCache(16);
        using var logits = model.Prefill([2, 10, 20, 30, 40, 50, 60, 70, 80, 90], cache);

        Assert.Equal(dtype, model.Config.StoredDtype);
        Assert.Equal(SyntheticPreset.Get(preset).VocabSize, logits.shape[0]);
        Assert.True(logits.isfinite().all().item<bool>());
        Assert.True(logits.abs().max().to(torch.ScalarType.Float32).item<float>() is > 0 and < 1e4f);
    }

    [Fact]
    public void LargeCheckpointIsShardedWithAnIndexAndLoadsTheSame()
    {
        using var single = new TempDirectory();
        using var sharded = new TempDirectory();
        SyntheticCheckpoint.Write("tiny-multimodal", single.Path, torch.ScalarType.Float32, seed: 3);
        SyntheticCheckpoint.Write("tiny-multimodal", sharded.Path, torch.ScalarType.Float32, seed: 3,
            shardBytes: 100_000);
        int[] prompt = [2, 5, 7, 11, 13, 17];

        using var a = GemmaModel.Load(single.Path, torch.ScalarType.Float32);
        using var b = GemmaModel.Load(sharded.Path, torch.ScalarType.Float32);
        using var logitsA = a.LogitsWithoutCache(prompt);
        using var logitsB = b.LogitsWithoutCache(prompt);

        Assert.True(File.Exists(sharded.File("model.safetensors.index.json")));
        Assert.True(Directory.GetFiles(sharded.Path, "model-00001-of-0000?.safetensors").Length == 1);
        Assert.False(File.Exists(sharded.File("model.safetensors")));
        Assert.True(logitsA.eq(logitsB).all().item<bool>());
    }

    [Fact]
    public void TokenizerFilesAreCopiedWhenGiven()
    {
        using var tokenizer = new TempDirectory();
        File.WriteAllText(tokenizer.File("tokenizer.json"), "{}");
        File.WriteAllText(tokenizer.File("tokenizer_config.json"), "{}");
        using var dir = new TempDirectory();

        SyntheticCheckpoint.Write("tiny", dir.Path, tokenizerDir: tokenizer.Path);

        Assert.Equal("{}", File.ReadAllText(dir.File("tokenizer.json")));
        Assert.True(File.Exists(dir.File("tokenizer_config.json")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("tokenizer.json")]
    [InlineData("config.json")]
    public void ExistingFilesAreNeverOverwritten(string existing)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File(existing), "the user's own file");

        var error = Assert.Throws<ModelException>(() => SyntheticCheckpoint.Write("tiny", dir.Path));

        Assert.Equal($"--out {dir.Path} already has {existing}; synthesize never overwrites files: choose another --out " +
            "or remove it.", error.Message);
        Assert.Equal("the user's own file", File.ReadAllText(dir.File(existing)));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void FailedWriteLeavesNoConfigAndNoPartialFiles()
    {
        using var dir = new TempDirectory();
        string missingTokenizerFile = dir.File("no-tokenizer");
        Directory.CreateDirectory(missingTokenizerFile);

        Assert.Throws<ModelException>(() => SyntheticCheckpoint.Write("tiny", dir.File("out"),
            tokenizerDir: missingTokenizerFile));

        Assert.False(File.Exists(dir.File("out/config.json")));
    }

    [Fact]
    public void CancelledWriteStopsAndDeletesItsPartialFiles()
    {
        using var dir = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        var progress = new CancelOnFirstReport(cancel);

        Assert.ThrowsAny<OperationCanceledException>(() => SyntheticCheckpoint.Write("tiny-multimodal", dir.Path,
            torch.ScalarType.Float32, progress: progress, shardBytes: 100_000, cancellation: cancel.Token));

        Assert.StartsWith("wrote model-00001-of-", Assert.Single(progress.Reports));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    sealed class CancelOnFirstReport(CancellationTokenSource cancel) : IProgress<string>
    {
        public List<string> Reports { get; } = [];

        public void Report(string value)
        {
            Reports.Add(value);
            cancel.Cancel();
        }
    }

    [Fact]
    public void RealPresetsHaveTheReadmeShapes()
    {
        var p27 = SyntheticPreset.Get("gemma-3-27b");
        Assert.Equal((5376, 21504, 62, 32, 16, 168.0), (p27.HiddenSize, p27.IntermediateSize, p27.NumLayers,
            p27.NumHeads, p27.NumKvHeads, p27.QueryPreAttnScalar));
        Assert.Equal(268_098_176, SyntheticPreset.Get("gemma-3-270m").ParameterCount);
    }
}
