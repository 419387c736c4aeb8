using System.Collections.Concurrent;
using System.Text;
using GemmaBench.Model.Hub;

namespace GemmaBench.Tests.Model.Hub;

/// <summary>A fake hub serving a small synthetic checkpoint, an empty cache directory, and settings that
/// point one at the other with retries fast enough for tests.</summary>
sealed class HubFixture : IDisposable
{
    public const string RepoId = "google/gemma-test";
    public const string Weights = "model.safetensors";

    public HubFixture(bool sharded = false, bool generationConfig = true)
    {
        Hub = new FakeHub(RepoId);
        Hub.AddFile("config.json", Encoding.UTF8.GetBytes("{\"model_type\": \"gemma3_text\"}"), large: false);
        Hub.AddFile("tokenizer.json", Encoding.UTF8.GetBytes("{\"version\": \"1.0\"}"), large: false);
        Hub.AddFile("tokenizer_config.json", Encoding.UTF8.GetBytes("{\"add_bos_token\": true}"), large: false);
        if (generationConfig)
            Hub.AddFile("generation_config.json", Encoding.UTF8.GetBytes("{\"eos_token_id\": [1, 106]}"), false);
        if (sharded)
        {
            Hub.AddFile("model.safetensors.index.json", Encoding.UTF8.GetBytes(
                "{\"weight_map\": {\"a\": \"model-00002-of-00002.safetensors\", "
                + "\"b\": \"model-00001-of-00002.safetensors\", \"c\": \"model-00002-of-00002.safetensors\"}}"),
                large: false);
            Hub.AddFile("model-00001-of-00002.safetensors", Bytes(70_000, seed: 1), large: true);
            Hub.AddFile("model-00002-of-00002.safetensors", Bytes(50_000, seed: 2), large: true);
        }
        else
        {
            Hub.AddFile(Weights, Bytes(WeightsSize, seed: 3), large: true);
        }

        CacheDir = Directory.CreateTempSubdirectory("gemma-bench-hub-").FullName;
        Settings = new HubSettings
        {
            CacheDir = CacheDir,
            Endpoint = Hub.Endpoint,
            MaxAttempts = 3,
            RetryDelay = TimeSpan.FromMilliseconds(1),
            ReadTimeout = TimeSpan.FromSeconds(5),
        };
    }

    public const int WeightsSize = 200_000;

    public FakeHub Hub { get; }

    public string CacheDir { get; }

    public HubSettings Settings { get; set; }

    public RecordingProgress Progress { get; } = new();

    public HubCache Cache => new(CacheDir, RepoId);

    public string SnapshotsDir => Path.Combine(Cache.RepoDir, "snapshots");

    public Task<string> ResolveAsync(string revision = "main") =>
        ModelLocator.ResolveAsync(RepoId, revision, Progress, Settings);

    public async Task<HubException> ResolveFailsAsync() =>
        await Assert.ThrowsAsync<HubException>(() => ResolveAsync());

    /// <summary>Every file in snapshots/, with its whole content reachable (a link to an existing blob).</summary>
    public IReadOnlyList<string> SnapshotFiles() =>
        Directory.Exists(SnapshotsDir)
            ? Directory.GetFiles(SnapshotsDir, "*", SearchOption.AllDirectories)
                .Select(path => Path.GetRelativePath(SnapshotsDir, path)).Order(StringComparer.Ordinal).ToList()
            : [];

    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public void Dispose()
    {
        Hub.Dispose();
        Directory.Delete(CacheDir, recursive: true);
    }
}

/// <summary>Records what the downloader reports.</summary>
sealed class RecordingProgress : IDownloadProgress
{
    public ConcurrentQueue<string> Events { get; } = new();

    public int Advances { get; private set; }

    public void Started(string file, long totalBytes, long resumedFrom) =>
        Events.Enqueue($"started {file} {totalBytes} from {resumedFrom}");

    public void Advanced(string file, long bytesDone) => Advances++;

    public void Finished(string file) => Events.Enqueue($"finished {file}");

    public void Retrying(string file, string reason, int attempt, TimeSpan delay) =>
        Events.Enqueue($"retrying {file} #{attempt}");

    public void Waiting(string file) => Events.Enqueue($"waiting {file}");
}
