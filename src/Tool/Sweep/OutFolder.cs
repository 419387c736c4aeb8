namespace GemmaBench.Tool.Sweep;

/// <summary>Makes sure the results of a sweep can be written before its first run, so that hours
/// of runs do not end in a folder that cannot be created or written.</summary>
public static class OutFolder
{
    /// <summary>Creates <paramref name="folder"/> when missing and writes and deletes a file in it.</summary>
    /// <exception cref="UsageException">The folder cannot be created or written.</exception>
    public static void Prepare(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
            throw new UsageException("sweep: --out is empty; give the folder for the results");
        string probe = Path.Combine(folder, $".gemma-bench-sweep-{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1,
                       FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new UsageException($"sweep: --out {folder} cannot be written " +
                $"({FolderPaths.WhyNotCreated(folder, e)}); give a folder you can create and write to");
        }
    }
}
