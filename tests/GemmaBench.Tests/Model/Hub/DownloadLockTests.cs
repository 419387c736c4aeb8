using GemmaBench.Model.Hub;

namespace GemmaBench.Tests.Model.Hub;

/// <summary>Two processes sharing a cache download each blob once: the second waits for the first's lock.
/// Within one process two resolves stand in for the two processes (the lock is per open file).</summary>
public sealed class DownloadLockTests : IDisposable
{
    readonly HubFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Fact]
    public async Task A_held_lock_makes_the_download_wait_and_say_so_then_it_completes()
    {
        string lockPath = fixture.Cache.LockPath(fixture.Hub.Etag(HubFixture.Weights));
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        Task<string> resolve;
        using (new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            resolve = fixture.ResolveAsync();
            await WaitForAsync(() => fixture.Progress.Events.Contains($"waiting {HubFixture.Weights}"));
            Assert.False(resolve.IsCompleted);
            Assert.Equal(0, fixture.Hub.BytesServed(HubFixture.Weights));
        }

        string dir = await resolve;

        Assert.Equal(HubFixture.WeightsSize, File.ReadAllBytes(Path.Combine(dir, HubFixture.Weights)).Length);
        Assert.Equal(Path.Combine(fixture.CacheDir, ".locks", "models--google--gemma-test"),
            Path.GetDirectoryName(lockPath));
    }

    [Fact]
    public async Task Two_resolves_at_once_download_the_weights_once()
    {
        fixture.Hub.Faults.Trickle(HubFixture.Weights, chunks: 5, TimeSpan.FromMilliseconds(60));
        var other = new RecordingProgress();

        string[] dirs = await Task.WhenAll(
            fixture.ResolveAsync(),
            Task.Run(() => ModelLocator.ResolveAsync(HubFixture.RepoId, "main", other, fixture.Settings)));

        Assert.Equal(dirs[0], dirs[1]);
        Assert.Equal(HubFixture.WeightsSize, fixture.Hub.BytesServed(HubFixture.Weights));
        Assert.Equal(HubFixture.WeightsSize, File.ReadAllBytes(Path.Combine(dirs[0], HubFixture.Weights)).Length);
        Assert.Single(fixture.Progress.Events.Concat(other.Events), e => e == $"started {HubFixture.Weights} "
            + $"{HubFixture.WeightsSize} from 0");
    }

    [Fact]
    public async Task A_lock_that_cannot_be_created_is_a_cache_error_naming_it()
    {
        string locks = Path.Combine(fixture.CacheDir, ".locks");
        File.WriteAllText(locks, "a file where the lock folder belongs");

        var error = await fixture.ResolveFailsAsync();

        Assert.Equal(HubFailure.CacheNotWritable, error.Failure);
        Assert.Contains(locks, error.Message);
    }

    static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}
