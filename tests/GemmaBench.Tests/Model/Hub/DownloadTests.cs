using GemmaBench.Model.Hub;

namespace GemmaBench.Tests.Model.Hub;

public sealed class DownloadTests : IDisposable
{
    readonly HubFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Fact]
    public async Task Download_lays_out_the_cache_as_huggingface_hub_does()
    {
        string dir = await fixture.ResolveAsync();

        HubCache cache = fixture.Cache;
        Assert.Equal(Path.Combine(cache.RepoDir, "snapshots", FakeHub.Commit), dir);
        Assert.EndsWith("models--google--gemma-test", cache.RepoDir);
        Assert.Equal(FakeHub.Commit, File.ReadAllText(Path.Combine(cache.RepoDir, "refs", "main")));
        string[] expected = ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json"];
        Assert.Equal(expected.Select(file => Path.Combine(FakeHub.Commit, file)), fixture.SnapshotFiles());
        foreach (string file in expected)
        {
            string etag = fixture.Hub.Etag(file);
            Assert.Equal(Path.Combine("..", "..", "blobs", etag), new FileInfo(Path.Combine(dir, file)).LinkTarget);
            Assert.Equal(File.ReadAllBytes(Path.Combine(cache.BlobsDir, etag)), File.ReadAllBytes(Path.Combine(dir, file)));
        }
        Assert.Equal(FakeHub.Sha256(File.ReadAllBytes(Path.Combine(dir, "model.safetensors"))),
            fixture.Hub.Etag("model.safetensors"));
        Assert.Empty(Directory.GetFiles(cache.BlobsDir, "*.incomplete"));
    }

    [Fact]
    public async Task Second_resolve_uses_the_cache_without_any_request()
    {
        string first = await fixture.ResolveAsync();
        int requests = fixture.Hub.Requests.Count;

        string second = await fixture.ResolveAsync();

        Assert.Equal(first, second);
        Assert.Equal(requests, fixture.Hub.Requests.Count);
    }

    [Fact]
    public async Task Missing_generation_config_is_remembered_in_no_exist()
    {
        using var fixture = new HubFixture(generationConfig: false);

        string dir = await fixture.ResolveAsync();

        Assert.False(File.Exists(Path.Combine(dir, "generation_config.json")));
        Assert.True(File.Exists(Path.Combine(fixture.Cache.RepoDir, ".no_exist", FakeHub.Commit,
            "generation_config.json")));
    }

    [Fact]
    public async Task Sharded_checkpoint_downloads_the_index_and_each_shard_once()
    {
        using var fixture = new HubFixture(sharded: true);

        string dir = await fixture.ResolveAsync();

        Assert.Contains(Path.Combine(FakeHub.Commit, "model-00001-of-00002.safetensors"), fixture.SnapshotFiles());
        Assert.Contains(Path.Combine(FakeHub.Commit, "model-00002-of-00002.safetensors"), fixture.SnapshotFiles());
        Assert.Contains(Path.Combine(FakeHub.Commit, "model.safetensors.index.json"), fixture.SnapshotFiles());
        Assert.Equal(70_000, fixture.Hub.BytesServed("model-00001-of-00002.safetensors"));
        Assert.Equal(50_000, fixture.Hub.BytesServed("model-00002-of-00002.safetensors"));
        Assert.Equal(70_000, File.ReadAllBytes(Path.Combine(dir, "model-00001-of-00002.safetensors")).Length);
    }

    [Fact]
    public async Task Commit_id_as_revision_downloads_without_writing_a_ref()
    {
        string dir = await fixture.ResolveAsync(FakeHub.Commit);

        Assert.EndsWith(FakeHub.Commit, dir);
        Assert.False(Directory.Exists(Path.Combine(fixture.Cache.RepoDir, "refs")));
    }

    [Fact]
    public async Task Token_goes_to_the_hub_but_not_to_the_cdn_it_redirects_to()
    {
        fixture.Hub.RequiredToken = "hf_secret";
        fixture.Settings = fixture.Settings with { Token = "hf_secret" };

        await fixture.ResolveAsync();

        var hubRequests = fixture.Hub.Requests.Where(r => !r.ToCdn).ToList();
        var cdnRequests = fixture.Hub.Requests.Where(r => r.ToCdn).ToList();
        Assert.NotEmpty(cdnRequests);
        Assert.All(hubRequests, r => Assert.Equal("Bearer hf_secret", r.Authorization));
        Assert.All(cdnRequests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task Slow_body_completes_and_reports_progress_as_it_arrives()
    {
        fixture.Hub.Faults.Trickle(HubFixture.Weights, chunks: 5, TimeSpan.FromMilliseconds(40));

        string dir = await fixture.ResolveAsync();

        Assert.Equal(HubFixture.WeightsSize, File.ReadAllBytes(Path.Combine(dir, HubFixture.Weights)).Length);
        Assert.True(fixture.Progress.Advances >= 5, $"{fixture.Progress.Advances} progress reports");
        Assert.Contains($"started {HubFixture.Weights} {HubFixture.WeightsSize} from 0", fixture.Progress.Events);
        Assert.Contains($"finished {HubFixture.Weights}", fixture.Progress.Events);
    }
}
