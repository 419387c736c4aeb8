namespace GemmaBench.Model.Hub;

/// <summary>One model repository in the Hugging Face cache, laid out exactly as huggingface_hub does:
/// models--org--name/{blobs/&lt;etag&gt;, refs/&lt;revision&gt;, snapshots/&lt;commit&gt;/&lt;file&gt;,
/// .no_exist/&lt;commit&gt;/&lt;file&gt;}, where snapshot files are relative links into blobs/.</summary>
public sealed class HubCache(string cacheDir, string repoId)
{
    public string RepoDir { get; } = Path.Combine(cacheDir, "models--" + repoId.Replace("/", "--"));

    public string BlobsDir => Path.Combine(RepoDir, "blobs");

    public string BlobPath(string etag) => Path.Combine(BlobsDir, etag);

    /// <summary>The lock a download of the blob holds: .locks/models--org--name/&lt;etag&gt;.lock at the cache's
    /// top, where huggingface_hub keeps its own.</summary>
    public string LockPath(string etag) =>
        Path.Combine(cacheDir, ".locks", Path.GetFileName(RepoDir), etag + ".lock");

    public string SnapshotDir(string commit) => Path.Combine(RepoDir, "snapshots", commit);

    public string SnapshotFile(string commit, string file) => Path.Combine(SnapshotDir(commit), file);

    /// <summary>The commit a branch or tag points at, or the revision itself when it is a commit id.</summary>
    public string? FindCommit(string revision)
    {
        if (IsCommitId(revision))
            return revision;
        string refPath = Path.Combine(RepoDir, "refs", revision);
        if (!File.Exists(refPath))
            return null;
        string commit = File.ReadAllText(refPath).Trim();
        // A ref that does not hold a commit id is treated as missing, never followed as a path.
        return IsCommitId(commit) ? commit : null;
    }

    public void WriteRef(string revision, string commit)
    {
        if (revision == commit)
            return;
        string refPath = Path.Combine(RepoDir, "refs", revision);
        if (FindCommit(revision) == commit)
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(refPath)!);
        string temp = refPath + ".tmp";
        File.WriteAllText(temp, commit);
        File.Move(temp, refPath, overwrite: true);
    }

    /// <summary>True when the snapshot holds the file and, through its link, the whole blob.</summary>
    public bool HasFile(string commit, string file) => IsWholeFile(SnapshotFile(commit, file));

    /// <summary>True when the hub said the file does not exist at this commit (huggingface_hub's marker).</summary>
    public bool IsKnownMissing(string commit, string file) =>
        File.Exists(Path.Combine(RepoDir, ".no_exist", commit, file));

    public void MarkMissing(string commit, string file)
    {
        string marker = Path.Combine(RepoDir, ".no_exist", commit, file);
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        File.WriteAllBytes(marker, []);
    }

    /// <summary>Points snapshots/&lt;commit&gt;/&lt;file&gt; at blobs/&lt;etag&gt; with a relative link, replacing
    /// the link in one rename so the snapshot never shows a half-made file.</summary>
    public void LinkSnapshotFile(string commit, string file, string etag)
    {
        string pointer = SnapshotFile(commit, file);
        string pointerDir = Path.GetDirectoryName(pointer)!;
        Directory.CreateDirectory(pointerDir);
        string temp = pointer + ".link.tmp";
        File.Delete(temp);
        try
        {
            File.CreateSymbolicLink(temp, Path.GetRelativePath(pointerDir, BlobPath(etag)));
        }
        catch (Exception e) when (OperatingSystem.IsWindows()
            && e is IOException or UnauthorizedAccessException)
        {
            // Limitation: without symlink rights on Windows the blob is copied, as huggingface_hub does.
            File.Copy(BlobPath(etag), temp);
        }
        File.Move(temp, pointer, overwrite: true);
    }

    public static bool IsCommitId(string revision) =>
        revision.Length == 40 && revision.All(char.IsAsciiHexDigitLower);

    static bool IsWholeFile(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget == null)
            return info.Exists;
        return info.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true };
    }
}
