using System.Text.Json;
using GemmaBench.Model.Hub;
using GemmaBench.Tests.Model;
using GemmaBench.Tool;
using GemmaBench.Tool.Benchmark;

namespace GemmaBench.Tests.Tool;

/// <summary>A model in the Hugging Face cache, laid out as huggingface_hub does (snapshot files are links
/// into blobs/), benchmarked by its hub id without any network.</summary>
[Collection(nameof(TorchThreadCount))]
public sealed class CachedModelRunTests : IDisposable
{
    const string Commit = "89abcdef0123456789abcdef0123456789abcdef";
    readonly string cache = Directory.CreateTempSubdirectory("gemma-bench-cache-").FullName;

    public void Dispose() => Directory.Delete(cache, recursive: true);

    [Fact]
    public void HubIdInTheCacheIsBenchmarkedThroughItsLinkedSnapshotFiles()
    {
        string repo = Path.Combine(cache, "models--test--tiny");
        string snapshot = Path.Combine(repo, "snapshots", Commit);
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        Directory.CreateDirectory(snapshot);
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        File.WriteAllText(Path.Combine(repo, "refs", "main"), Commit);
        int blob = 0;
        var files = Directory.GetFiles(TestPaths.Checkpoint("tiny"))
            .Concat(Directory.GetFiles(TestPaths.Tokenizer, "tokenizer*.json"));
        foreach (var file in files)
        {
            string name = $"blob{blob++:D2}";
            File.Copy(file, Path.Combine(repo, "blobs", name));
            File.CreateSymbolicLink(Path.Combine(snapshot, Path.GetFileName(file)), Path.Combine("..", "..", "blobs", name));
        }
        var expected = ExpectedCase.Load("tiny", "A");
        var hub = new HubSettings { CacheDir = cache, Offline = true };
        var services = BenchmarkServices.CreateDefault() with
        {
            Targets = new GemmaTargetFactory(NoDownloadProgress.Instance, hub),
        };
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["--model", "test/tiny", "--quant-scheme", "none", "--threads", "1", "--json",
            "--max-new-tokens", "8", "--prompt-ids", string.Join(",", expected.InputIds)], stdout, stderr, services);

        Assert.True(exit == 0, stderr.ToString());
        using var json = JsonDocument.Parse(stdout.ToString());
        var generated = json.RootElement.GetProperty("generated_token_ids").EnumerateArray().Select(e => e.GetInt32());
        Assert.Equal(expected.Greedy24[..8], generated);
    }
}
