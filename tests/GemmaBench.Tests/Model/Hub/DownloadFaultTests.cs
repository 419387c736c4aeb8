using GemmaBench.Model.Hub;

namespace GemmaBench.Tests.Model.Hub;

/// <summary>Dropped, stalled and corrupted downloads: resumed without refetching, never used when wrong, and
/// never leaving a partial file in snapshots/.</summary>
public sealed class DownloadFaultTests : IDisposable
{
    const string Weights = HubFixture.Weights;
    const int Size = HubFixture.WeightsSize;

    readonly HubFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    string WeightsBlob => fixture.Cache.BlobPath(fixture.Hub.Etag(Weights));

    [Fact]
    public async Task Dropped_connection_resumes_with_a_range_request_without_refetching()
    {
        fixture.Hub.Faults.DropAfter(Weights, bytes: 80_000);

        string dir = await fixture.ResolveAsync();

        Assert.Equal(Size, fixture.Hub.BytesServed(Weights));
        Assert.Contains(fixture.Hub.Requests, r => r.ToCdn && r.Range == "bytes=80000-");
        Assert.Equal(File.ReadAllBytes(WeightsBlob), File.ReadAllBytes(Path.Combine(dir, Weights)));
        Assert.Equal(fixture.Hub.Etag(Weights), FakeHub.Sha256(File.ReadAllBytes(WeightsBlob)));
    }

    [Fact]
    public async Task Interrupted_run_leaves_nothing_in_snapshots_and_the_next_run_continues_from_the_partial_blob()
    {
        fixture.Hub.Faults.DropAfter(Weights, bytes: 60_000, times: 1);
        fixture.Hub.Faults.DropAfter(Weights, bytes: 0, times: 10);

        HubException error = await fixture.ResolveFailsAsync();

        Assert.Equal(HubFailure.Unreachable, error.Failure);
        Assert.Contains("run the command again", error.Message);
        Assert.Empty(fixture.SnapshotFiles());
        Assert.False(File.Exists(Path.Combine(fixture.Cache.RepoDir, "refs", "main")));
        Assert.Equal(60_000, new FileInfo(WeightsBlob + ".incomplete").Length);

        fixture.Hub.Faults.Clear();
        string dir = await fixture.ResolveAsync();

        Assert.Equal(Size, fixture.Hub.BytesServed(Weights));
        Assert.Contains($"started {Weights} {Size} from 60000", fixture.Progress.Events);
        Assert.Equal(Size, File.ReadAllBytes(Path.Combine(dir, Weights)).Length);
    }

    [Fact]
    public async Task Stalled_body_counts_as_dropped_and_resumes()
    {
        fixture.Settings = fixture.Settings with { ReadTimeout = TimeSpan.FromMilliseconds(300) };
        fixture.Hub.Faults.StallAfter(Weights, bytes: 50_000);

        string dir = await fixture.ResolveAsync();

        Assert.Equal(Size, fixture.Hub.BytesServed(Weights));
        Assert.Contains(fixture.Hub.Requests, r => r.ToCdn && r.Range == "bytes=50000-");
        Assert.Equal(fixture.Hub.Etag(Weights), FakeHub.Sha256(File.ReadAllBytes(Path.Combine(dir, Weights))));
    }

    [Fact]
    public async Task Corrupted_download_is_fetched_again_and_the_bad_bytes_never_used()
    {
        fixture.Hub.Faults.Corrupt(Weights);

        string dir = await fixture.ResolveAsync();

        Assert.Equal(2 * Size, fixture.Hub.BytesServed(Weights));
        Assert.Equal(fixture.Hub.Etag(Weights), FakeHub.Sha256(File.ReadAllBytes(Path.Combine(dir, Weights))));
        Assert.Contains($"retrying {Weights} #1", fixture.Progress.Events);
    }

    [Fact]
    public async Task Corrupted_partial_blob_from_an_earlier_run_is_discarded_and_fetched_whole()
    {
        Directory.CreateDirectory(fixture.Cache.BlobsDir);
        File.WriteAllBytes(WeightsBlob + ".incomplete", new byte[30_000]);

        string dir = await fixture.ResolveAsync();

        Assert.Equal(Size - 30_000 + Size, fixture.Hub.BytesServed(Weights));
        Assert.Equal(fixture.Hub.Etag(Weights), FakeHub.Sha256(File.ReadAllBytes(Path.Combine(dir, Weights))));
    }

    [Fact]
    public async Task Download_corrupted_every_time_fails_and_keeps_no_blob()
    {
        fixture.Hub.Faults.Corrupt(Weights, times: 5);

        HubException error = await fixture.ResolveFailsAsync();

        Assert.Equal(HubFailure.ChecksumMismatch, error.Failure);
        Assert.Contains(Weights, error.Message);
        Assert.False(File.Exists(WeightsBlob));
        Assert.False(File.Exists(WeightsBlob + ".incomplete"));
        Assert.Empty(fixture.SnapshotFiles());
    }

    [Fact]
    public async Task Full_disk_fails_with_one_line_naming_the_cache_and_no_snapshot()
    {
        if (!File.Exists("/dev/full"))
            return; // A device that answers every write with "no space left" exists on Linux only.
        Directory.CreateDirectory(fixture.Cache.BlobsDir);
        File.CreateSymbolicLink(WeightsBlob + ".incomplete", "/dev/full");

        HubException error = await fixture.ResolveFailsAsync();

        Assert.Equal(HubFailure.DiskFull, error.Failure);
        Assert.Contains("HF_HUB_CACHE", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Empty(fixture.SnapshotFiles());
    }
}
