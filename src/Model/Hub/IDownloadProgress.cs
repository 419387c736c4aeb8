namespace GemmaBench.Model.Hub;

/// <summary>Receives download progress; the tool draws it on stderr, library code never prints.</summary>
public interface IDownloadProgress
{
    /// <summary>A file starts downloading; <paramref name="resumedFrom"/> bytes were already on disk.</summary>
    void Started(string file, long totalBytes, long resumedFrom);

    /// <summary><paramref name="bytesDone"/> of the file are on disk (including resumed bytes).</summary>
    void Advanced(string file, long bytesDone);

    void Finished(string file);

    /// <summary>A transient failure; the request is retried after <paramref name="delay"/>.</summary>
    void Retrying(string file, string reason, int attempt, TimeSpan delay);

    /// <summary>Another process sharing the cache is downloading the file; this one waits for it.</summary>
    void Waiting(string file);
}

/// <summary>Progress that goes nowhere.</summary>
public sealed class NoDownloadProgress : IDownloadProgress
{
    public static readonly NoDownloadProgress Instance = new();

    public void Started(string file, long totalBytes, long resumedFrom) { }
    public void Advanced(string file, long bytesDone) { }
    public void Finished(string file) { }
    public void Retrying(string file, string reason, int attempt, TimeSpan delay) { }
    public void Waiting(string file) { }
}
