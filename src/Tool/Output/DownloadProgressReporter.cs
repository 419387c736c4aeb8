using System.Diagnostics;
using System.Globalization;
using GemmaBench.Model.Hub;
using McMaster.Extensions.CommandLineUtils;

namespace GemmaBench.Tool.Output;

/// <summary>Shows downloads on stderr: a bar redrawn in place (bytes, rate, time left) on a terminal, one line
/// when a file starts and one when it ends otherwise, so logs stay readable.</summary>
public sealed class DownloadProgressReporter(TextWriter stderr, bool isTerminal, TimeProvider? clock = null)
    : IDownloadProgress
{
    const int BarWidth = 24;
    static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    readonly TimeProvider time = clock ?? TimeProvider.System;
    long started;
    long lastDraw;
    long resumedFrom;
    long total;
    long done;
    bool barShown;

    /// <summary>True when stderr is the process's own console stream and nobody redirected it.</summary>
    public static bool IsTerminal(IConsole console) =>
        !console.IsErrorRedirected && ReferenceEquals(console.Error, Console.Error);

    public void Started(string file, long totalBytes, long resumedFrom)
    {
        started = lastDraw = time.GetTimestamp();
        this.resumedFrom = done = resumedFrom;
        total = totalBytes;
        if (isTerminal)
            Draw(file);
        else if (resumedFrom > 0)
            stderr.WriteLine($"gemma-bench: resuming {file} at {Size(resumedFrom)} of {Size(totalBytes)}");
        else
            stderr.WriteLine($"gemma-bench: downloading {file} ({Size(totalBytes)})");
    }

    public void Advanced(string file, long bytesDone)
    {
        done = bytesDone;
        long now = time.GetTimestamp();
        if (isTerminal && time.GetElapsedTime(lastDraw, now) >= RedrawInterval)
        {
            lastDraw = now;
            Draw(file);
        }
    }

    public void Finished(string file)
    {
        TimeSpan elapsed = time.GetElapsedTime(started);
        if (isTerminal)
        {
            done = total;
            Draw(file);
            stderr.WriteLine();
            barShown = false;
            return;
        }
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gemma-bench: downloaded {file}: {Size(total - resumedFrom)} in {elapsed.TotalSeconds:0.0} s ({Rate(elapsed)})"));
    }

    public void Retrying(string file, string reason, int attempt, TimeSpan delay)
    {
        if (barShown)
            stderr.WriteLine();
        barShown = false;
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gemma-bench: retrying {file} in {delay.TotalSeconds:0.#} s (attempt {attempt + 1}): {reason}"));
    }

    public void Waiting(string file)
    {
        if (barShown)
            stderr.WriteLine();
        barShown = false;
        stderr.WriteLine(
            $"gemma-bench: waiting for another process that is downloading {file} into the same cache");
    }

    void Draw(string file)
    {
        TimeSpan elapsed = time.GetElapsedTime(started);
        double fraction = total > 0 ? (double)done / total : 1;
        int filled = (int)(fraction * BarWidth);
        double bytesPerSecond = (done - resumedFrom) / Math.Max(elapsed.TotalSeconds, 1e-3);
        string left = bytesPerSecond > 0 && done < total
            ? TimeSpan.FromSeconds((total - done) / bytesPerSecond)
                .ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : "-:--:--";
        stderr.Write(string.Create(CultureInfo.InvariantCulture,
            $"\rgemma-bench: {file} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {fraction,4:P0} "
            + $"{Size(done)}/{Size(total)} {Rate(elapsed)} {left} left\u001b[K"));
        barShown = true;
    }

    string Rate(TimeSpan elapsed) =>
        Size((long)((done - resumedFrom) / Math.Max(elapsed.TotalSeconds, 1e-3))) + "/s";

    static string Size(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0
            ? $"{bytes} B"
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}
