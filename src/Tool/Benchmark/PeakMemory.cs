namespace GemmaBench.Tool.Benchmark;

/// <summary>The process's peak resident set size, from VmHWM in /proc/self/status.</summary>
public static class PeakMemory
{
    /// <summary>Bytes, or null where /proc is not available.</summary>
    public static long? ReadPeakRssBytes() => ParseVmHwm(ReadStatus());

    static string? ReadStatus()
    {
        try
        {
            return File.ReadAllText("/proc/self/status");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Reads a line such as "VmHWM:     123456 kB".</summary>
    internal static long? ParseVmHwm(string? status)
    {
        if (status == null)
            return null;
        foreach (string line in status.Split('\n'))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal))
                continue;
            string[] parts = line["VmHWM:".Length..]
                .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], out long kib))
                return kib * 1024;
        }
        return null;
    }
}
