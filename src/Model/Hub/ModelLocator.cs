using System.Text.RegularExpressions;

namespace GemmaBench.Model.Hub;

/// <summary>Turns <c>--model</c> into a local checkpoint directory: an existing directory as it is, otherwise
/// a hub id (org/name) looked up in the Hugging Face cache and downloaded into it when files are missing.
/// A revision whose files are all cached is used without touching the network.</summary>
public static partial class ModelLocator
{
    public const string DefaultRevision = "main";

    public static string Resolve(string model, string revision = DefaultRevision,
        IDownloadProgress? progress = null, HubSettings? settings = null, CancellationToken cancel = default) =>
        ResolveAsync(model, revision, progress, settings, cancel).GetAwaiter().GetResult();

    /// <param name="settings">Cache, endpoint, token and offline mode; by default from the environment
    /// (HF_HUB_CACHE, HF_HOME, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE).</param>
    public static async Task<string> ResolveAsync(string model, string revision = DefaultRevision,
        IDownloadProgress? progress = null, HubSettings? settings = null, CancellationToken cancel = default)
    {
        if (Directory.Exists(model))
            return Path.GetFullPath(model);
        if (!IsHubId(model))
        {
            throw new HubException(HubFailure.InvalidModelId,
                $"model '{model}' is neither a directory nor a Hugging Face model id like google/gemma-3-1b-it");
        }
        if (revision.Length == 0 || revision.StartsWith('/') || revision.Split('/').Contains("..")
            || revision.Contains('\\'))
        {
            throw new HubException(HubFailure.InvalidModelId,
                $"--revision '{revision}' is not a branch, tag or commit id");
        }

        settings ??= HubSettings.FromEnvironment();
        var cache = new HubCache(settings.CacheDir, model);
        string? commit = cache.FindCommit(revision);
        string? missing = commit == null ? CheckpointFiles.Required[0] : FindMissingFile(cache, commit);
        if (missing == null)
            return cache.SnapshotDir(commit!);
        if (settings.Offline)
        {
            string what = commit == null
                ? $"'{model}' (revision '{revision}') is not in the Hugging Face cache {settings.CacheDir}"
                : $"'{model}' (revision '{revision}') is incomplete in the Hugging Face cache {settings.CacheDir}: "
                    + $"{missing} is missing";
            throw new HubException(HubFailure.NotCached,
                $"{what}, and HF_HUB_OFFLINE=1 forbids downloading: unset HF_HUB_OFFLINE to download it");
        }

        progress ??= NoDownloadProgress.Instance;
        using var client = new HubClient(settings, progress);
        return await new SnapshotDownload(model, cache, client, settings, progress).RunAsync(revision, cancel);
    }

    /// <summary>The first file the checkpoint needs that the snapshot lacks, or null when it is whole.</summary>
    static string? FindMissingFile(HubCache cache, string commit)
    {
        foreach (string file in CheckpointFiles.Required)
        {
            if (!cache.HasFile(commit, file))
                return file;
        }
        if (cache.HasFile(commit, CheckpointFiles.SingleWeights))
            return null;
        if (!cache.HasFile(commit, CheckpointFiles.WeightIndex))
            return CheckpointFiles.SingleWeights;
        string index = cache.SnapshotFile(commit, CheckpointFiles.WeightIndex);
        return CheckpointFiles.ShardsOf(index).FirstOrDefault(shard => !cache.HasFile(commit, shard));
    }

    /// <summary>org/name as the hub accepts it: ASCII letters, digits, '-', '_', '.', the org starting with a
    /// letter or digit, no "--" or "..".</summary>
    public static bool IsHubId(string model) =>
        model.Length <= 96 && HubIdPattern().IsMatch(model) && !model.Contains("--") && !model.Contains("..");

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+$")]
    private static partial Regex HubIdPattern();
}
