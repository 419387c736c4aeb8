namespace GemmaBench.Model.Hub;

/// <summary>Fills snapshots/&lt;commit&gt;/ for one revision: asks the hub which commit the revision is and
/// which blob each file is, downloads the missing blobs, then writes the snapshot links and last the ref,
/// so an interrupted run leaves only whole files in snapshots/.</summary>
sealed class SnapshotDownload(string repoId, HubCache cache, HubClient client, HubSettings settings,
    IDownloadProgress progress)
{
    public async Task<string> RunAsync(string revision, CancellationToken cancel)
    {
        var files = new List<RemoteFile>();
        RemoteFile config = await MetadataAsync(revision, "config.json", cancel)
            ?? throw new InvalidOperationException("a required file was reported optional");
        string commit = config.Commit;
        files.Add(config);
        foreach (string name in CheckpointFiles.Required.Skip(1))
            files.Add((await MetadataAsync(commit, name, cancel))!);

        RemoteFile? generation = await MetadataAsync(commit, CheckpointFiles.GenerationConfig, cancel, true);
        if (generation != null)
            files.Add(generation);
        else
            cache.MarkMissing(commit, CheckpointFiles.GenerationConfig);

        if (await MetadataAsync(commit, CheckpointFiles.SingleWeights, cancel, optional: true) is { } weights)
        {
            files.Add(weights);
        }
        else
        {
            RemoteFile index = await MetadataAsync(commit, CheckpointFiles.WeightIndex, cancel, optional: true)
                ?? throw new HubException(HubFailure.NotFound,
                    $"'{repoId}' has neither {CheckpointFiles.SingleWeights} nor {CheckpointFiles.WeightIndex} "
                    + $"at revision '{revision}': it is not a safetensors checkpoint");
            files.Add(index);
            await EnsureBlobAsync(index, cancel);
            foreach (string shard in CheckpointFiles.ShardsOf(cache.BlobPath(index.Etag)))
                files.Add((await MetadataAsync(commit, shard, cancel))!);
        }

        foreach (RemoteFile file in files)
            await EnsureBlobAsync(file, cancel);
        foreach (RemoteFile file in files)
            cache.LinkSnapshotFile(commit, file.Name, file.Etag);
        cache.WriteRef(revision, commit);
        return cache.SnapshotDir(commit);
    }

    Task<RemoteFile?> MetadataAsync(
        string revision, string file, CancellationToken cancel, bool optional = false) =>
        client.GetMetadataAsync(repoId, revision, file, optional, cancel);

    async Task EnsureBlobAsync(RemoteFile file, CancellationToken cancel)
    {
        string blob = cache.BlobPath(file.Etag);
        if (File.Exists(blob))
            return;
        using var held = await BlobLock.AcquireAsync(cache.LockPath(file.Etag), file.Name, progress, cancel);
        // Another process may have finished it while this one waited for the lock.
        if (!File.Exists(blob))
            await new BlobDownloader(repoId, client, settings, progress).DownloadAsync(file, blob, cancel);
    }
}
