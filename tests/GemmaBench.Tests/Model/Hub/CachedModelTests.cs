using GemmaBench.Model.Hub;

namespace GemmaBench.Tests.Model.Hub;

/// <summary>A cache written the way huggingface_hub writes it is used as it is, with no request.</summary>
public sealed class CachedModelTests : IDisposable
{
    readonly HubFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    /// <summary>Lays out blobs/, snapshots/ links and refs/main by hand, as huggingface_hub leaves them.</summary>
    string PopulateCache(params string[] files)
    {
        string repo = fixture.Cache.RepoDir;
        string snapshot = Path.Combine(repo, "snapshots", FakeHub.Commit);
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        Directory.CreateDirectory(snapshot);
        foreach (string file in files)
        {
            string etag = $"etag{file.GetHashCode():x8}";
            File.WriteAllText(Path.Combine(repo, "blobs", etag), file);
            File.CreateSymbolicLink(Path.Combine(snapshot, file), $"../../blobs/{etag}");
        }
        File.WriteAllText(Path.Combine(repo, "refs", "main"), FakeHub.Commit);
        return snapshot;
    }

    static readonly string[] SingleFileCheckpoint =
        ["config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"];

    [Fact]
    public async Task Complete_cached_snapshot_is_used_without_any_request()
    {
        string snapshot = PopulateCache(SingleFileCheckpoint);

        string dir = await fixture.ResolveAsync();

        Assert.Equal(snapshot, dir);
        Assert.Empty(fixture.Hub.Requests);
    }

    [Fact]
    public async Task Cached_sharded_snapshot_is_used_without_any_request()
    {
        string snapshot = PopulateCache("config.json", "tokenizer.json", "tokenizer_config.json",
            "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
        string index = Path.Combine(fixture.Cache.BlobsDir, "indexblob");
        File.WriteAllText(index, "{\"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\", "
            + "\"b\": \"model-00002-of-00002.safetensors\"}}");
        File.CreateSymbolicLink(Path.Combine(snapshot, "model.safetensors.index.json"), "../../blobs/indexblob");

        string dir = await fixture.ResolveAsync();

        Assert.Equal(snapshot, dir);
        Assert.Empty(fixture.Hub.Requests);
    }

    [Fact]
    public async Task Cached_snapshot_with_a_dangling_link_is_downloaded_again()
    {
        string snapshot = PopulateCache(SingleFileCheckpoint);
        File.Delete(Path.Combine(fixture.Cache.BlobsDir, $"etag{"model.safetensors".GetHashCode():x8}"));

        string dir = await fixture.ResolveAsync();

        Assert.Equal(HubFixture.WeightsSize, File.ReadAllBytes(Path.Combine(dir, HubFixture.Weights)).Length);
        Assert.NotEmpty(fixture.Hub.Requests);
    }

    [Fact]
    public async Task Offline_mode_uses_a_complete_cache()
    {
        string snapshot = PopulateCache(SingleFileCheckpoint);
        fixture.Settings = fixture.Settings with { Offline = true };

        Assert.Equal(snapshot, await fixture.ResolveAsync());
        Assert.Empty(fixture.Hub.Requests);
    }

    [Fact]
    public async Task Offline_mode_with_a_missing_file_fails_naming_it_without_any_request()
    {
        PopulateCache("config.json", "tokenizer.json", "tokenizer_config.json");
        fixture.Settings = fixture.Settings with { Offline = true };

        HubException error = await fixture.ResolveFailsAsync();

        Assert.Equal(HubFailure.NotCached, error.Failure);
        Assert.Contains("model.safetensors is missing, and HF_HUB_OFFLINE=1 forbids downloading", error.Message);
        Assert.Empty(fixture.Hub.Requests);
    }

    [Fact]
    public async Task Partly_cached_snapshot_downloads_only_what_is_missing()
    {
        await fixture.ResolveAsync();
        string link = Path.Combine(fixture.Cache.SnapshotDir(FakeHub.Commit), "tokenizer.json");
        File.Delete(link);
        fixture.Hub.Requests.Clear();

        await fixture.ResolveAsync();

        Assert.True(fixture.Cache.HasFile(FakeHub.Commit, "tokenizer.json"));
        Assert.DoesNotContain(fixture.Hub.Requests, r => r.Method == "GET");
        Assert.Equal(HubFixture.WeightsSize, fixture.Hub.BytesServed(HubFixture.Weights));
    }

    [Fact]
    public async Task Existing_local_directory_is_returned_as_a_full_path_without_any_request()
    {
        string dir = await ModelLocator.ResolveAsync(fixture.CacheDir, "main", null, fixture.Settings);

        Assert.Equal(Path.GetFullPath(fixture.CacheDir), dir);
        Assert.Empty(fixture.Hub.Requests);
    }
}
