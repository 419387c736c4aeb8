namespace GemmaBench.Model.Hub;

/// <summary>What the hub says about one file at one commit (from its resolve endpoint's headers).</summary>
/// <param name="Etag">The blob name in the cache: the git blob id, or for large (LFS) files their SHA-256.</param>
/// <param name="DownloadUrl">Where the bytes are: the resolve URL, or the CDN it redirects large files to.</param>
/// <param name="IsLarge">Stored in LFS (X-Linked-Etag present), so <see cref="Etag"/> is its SHA-256.</param>
public sealed record RemoteFile(
    string Name, string Commit, string Etag, long Size, Uri DownloadUrl, bool IsLarge);
