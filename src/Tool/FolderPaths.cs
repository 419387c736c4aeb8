namespace GemmaBench.Tool;

/// <summary>Paths of folders the commands create (--out of sweep and synthesize).</summary>
static class FolderPaths
{
    /// <summary>The folders above <paramref name="path"/>, nearest first.</summary>
    public static IEnumerable<string> Ancestors(string path)
    {
        for (string? dir = Path.GetDirectoryName(Path.GetFullPath(path)); dir != null;
             dir = Path.GetDirectoryName(dir))
            yield return dir;
    }

    /// <summary>Why <paramref name="folder"/> could not be created: .NET says "could not find a part of the
    /// path" when a parent is a file, so that file is named instead; otherwise the exception's words.</summary>
    public static string WhyNotCreated(string folder, Exception e)
    {
        foreach (string parent in Ancestors(folder))
        {
            if (File.Exists(parent))
                return $"{parent} is a file";
            if (Directory.Exists(parent))
                break;
        }
        return e.Message.TrimEnd('.');
    }
}
