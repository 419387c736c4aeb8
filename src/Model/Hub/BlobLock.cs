namespace GemmaBench.Model.Hub;

/// <summary>Keeps two processes sharing a Hugging Face cache from downloading the same blob at once: the one
/// that holds .locks/models--org--name/&lt;etag&gt;.lock downloads, the other waits for it and then finds the
/// blob in place (or continues the .incomplete file if the first one stopped). The lock is the open file
/// itself (an exclusive flock on Linux), so it is released when its holder exits, however it exits; the file
/// stays, as huggingface_hub's lock files do.</summary>
static class BlobLock
{
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static async Task<IDisposable> AcquireAsync(string path, string file, IDownloadProgress progress,
        CancellationToken cancel)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw NotWritable(path, e);
        }
        bool told = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException e) when (IsHeldElsewhere(e))
            {
                if (!told)
                    progress.Waiting(file);
                told = true;
                await Task.Delay(PollInterval, cancel);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw NotWritable(path, e);
            }
        }
    }

    /// <summary>The file is locked by another open handle: EWOULDBLOCK from flock on Linux, a sharing violation
    /// on Windows.</summary>
    static bool IsHeldElsewhere(IOException e) => e.HResult is 11 or unchecked((int)0x80070020);

    static HubException NotWritable(string path, Exception e) =>
        new(HubFailure.CacheNotWritable,
            $"cannot write {path} ({e.Message.TrimEnd('.')}): make the Hugging Face cache writable "
            + "or point HF_HUB_CACHE elsewhere", e);
}
