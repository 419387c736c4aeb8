using System.Net;
using System.Security.Cryptography;

namespace GemmaBench.Model.Hub;

/// <summary>Downloads one file into blobs/&lt;etag&gt;: bytes go to &lt;etag&gt;.incomplete, a dropped connection
/// continues from where it stopped with a Range request (in this run or the next), a large file's SHA-256
/// is checked against its etag, and only a whole, verified file is renamed into place.</summary>
sealed class BlobDownloader(string repoId, HubClient client, HubSettings settings, IDownloadProgress progress)
{
    const int BufferSize = 1 << 20;

    public async Task DownloadAsync(RemoteFile remote, string blobPath, CancellationToken cancel)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(blobPath)!);
        string incomplete = blobPath + ".incomplete";
        bool verify = remote.IsLarge && remote.Etag.Length == 64 && remote.Etag.All(char.IsAsciiHexDigit);

        for (int pass = 1; ; pass++)
        {
            string sha256 = await FetchAsync(remote, incomplete, cancel);
            if (!verify || string.Equals(sha256, remote.Etag, StringComparison.OrdinalIgnoreCase))
            {
                File.Move(incomplete, blobPath, overwrite: true);
                progress.Finished(remote.Name);
                return;
            }

            File.Delete(incomplete);
            if (pass >= 2)
            {
                throw new HubException(HubFailure.ChecksumMismatch,
                    $"'{remote.Name}' arrived corrupted twice (SHA-256 {sha256}, expected {remote.Etag}); "
                    + "it was discarded: run the command again, or check any proxy between you and the hub");
            }
            progress.Retrying(remote.Name, "checksum mismatch, downloading again", pass, TimeSpan.Zero);
        }
    }

    /// <summary>Brings the .incomplete file to the full size and returns its SHA-256 (hex).</summary>
    async Task<string> FetchAsync(RemoteFile remote, string incomplete, CancellationToken cancel)
    {
        using var file = Open(incomplete);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long have = file.Length <= remote.Size ? file.Length : 0;
        await HashPrefixAsync(file, hash, have, cancel);
        EnsureFreeSpace(incomplete, remote.Size - have);
        progress.Started(remote.Name, remote.Size, have);

        var buffer = new byte[BufferSize];
        int failures = 0;
        while (have < remote.Size)
        {
            long before = have;
            try
            {
                using HttpResponseMessage response =
                    await client.SendAsync(HttpMethod.Get, remote.DownloadUrl, have, remote.Name, cancel);
                if (!HubClient.IsSuccess(response))
                    throw HubErrors.FromResponse(response, repoId, remote.Commit, remote.Name, settings);
                if (response.StatusCode != HttpStatusCode.PartialContent
                    || response.Content.Headers.ContentRange?.From != have)
                {
                    if (have > 0)
                        Restart(file, hash);
                    have = before = 0;
                }

                await using Stream body = await response.Content.ReadAsStreamAsync(cancel);
                while (true)
                {
                    int read = await ReadAsync(body, buffer, cancel);
                    if (read == 0)
                        break;
                    if (have + read > remote.Size)
                        throw new HubException(HubFailure.BadResponse,
                            $"'{remote.Name}' is longer than the {remote.Size} bytes the hub announced");
                    Write(file, buffer.AsSpan(0, read), incomplete);
                    hash.AppendData(buffer, 0, read);
                    have += read;
                    progress.Advanced(remote.Name, have);
                }
                if (have < remote.Size)
                    throw new IOException("the response ended early");
            }
            catch (Exception e) when (e is not HubException && HubClient.IsTransient(e, cancel))
            {
                failures = have > before ? 1 : failures + 1;
                if (failures >= settings.MaxAttempts)
                {
                    throw new HubException(HubFailure.Unreachable,
                        $"the download of '{remote.Name}' from {remote.DownloadUrl.Host} kept failing "
                        + $"({e.Message.TrimEnd('.')}) at {have} of {remote.Size} bytes: "
                        + "run the command again to continue from there", e);
                }
                TimeSpan delay = client.Backoff(failures);
                progress.Retrying(remote.Name, e.Message, failures, delay);
                await Task.Delay(delay, cancel);
            }
        }

        Flush(file, incomplete);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    async Task<int> ReadAsync(Stream body, byte[] buffer, CancellationToken cancel)
    {
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        silence.CancelAfter(settings.ReadTimeout);
        try
        {
            return await body.ReadAsync(buffer, silence.Token);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new IOException($"no data for {settings.ReadTimeout.TotalSeconds:0.#} s");
        }
    }

    static async Task HashPrefixAsync(
        FileStream file, IncrementalHash hash, long length, CancellationToken cancel)
    {
        if (file.Length != length)
            file.SetLength(length);
        file.Position = 0;
        var buffer = new byte[BufferSize];
        for (long done = 0; done < length;)
        {
            int wanted = (int)Math.Min(buffer.Length, length - done);
            int read = await file.ReadAsync(buffer.AsMemory(0, wanted), cancel);
            if (read == 0)
                break;
            hash.AppendData(buffer, 0, read);
            done += read;
        }
        if (length > 0)
            file.Position = length;
    }

    static void Restart(FileStream file, IncrementalHash hash)
    {
        file.SetLength(0);
        file.Position = 0;
        hash.GetHashAndReset();
    }

    static FileStream Open(string path)
    {
        // Exclusive as well, though BlobLock already keeps a second gemma-bench out: another program writing
        // the same .incomplete file fails here instead of interleaving its bytes with ours.
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CacheError(e, path);
        }
    }

    static void Write(FileStream file, ReadOnlySpan<byte> bytes, string path)
    {
        try
        {
            file.Write(bytes);
        }
        catch (IOException e)
        {
            throw CacheError(e, path);
        }
    }

    static void Flush(FileStream file, string path)
    {
        try
        {
            file.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            throw CacheError(e, path);
        }
    }

    static void EnsureFreeSpace(string path, long needed)
    {
        long free;
        try
        {
            free = new DriveInfo(Path.GetDirectoryName(path)!).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return;
        }
        if (free < needed)
            throw DiskFull(path, $"{needed} bytes are needed, {free} are free");
    }

    static HubException CacheError(Exception e, string path) =>
        IsDiskFull(e)
            ? DiskFull(path, "no space left on the device")
            : new HubException(HubFailure.CacheNotWritable,
                $"cannot write {path} ({e.Message.TrimEnd('.')}): make the Hugging Face cache writable "
                + "or point HF_HUB_CACHE elsewhere", e);

    static HubException DiskFull(string path, string detail) =>
        new(HubFailure.DiskFull,
            $"disk full while downloading to {path} ({detail}): free space there or point HF_HUB_CACHE "
            + "at a larger disk; what was downloaded is kept and the next run continues from it");

    static bool IsDiskFull(Exception e)
    {
        const int enospc = 28, windowsDiskFull = unchecked((int)0x80070070), windowsHandleDiskFull =
            unchecked((int)0x80070027);
        return e.HResult is enospc or windowsDiskFull or windowsHandleDiskFull
            || e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase);
    }
}
