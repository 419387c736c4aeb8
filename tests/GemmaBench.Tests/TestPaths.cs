namespace GemmaBench.Tests;

/// <summary>Where the repository's test data lives, found from the test binary's location.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Fixtures => Path.Combine(RepoRoot, "tests", "fixtures");

    public static string Checkpoint(string name) => Path.Combine(Fixtures, "checkpoints", name);

    public static string Expected(string name) => Path.Combine(Fixtures, "expected", name + ".json");

    /// <summary>The real Gemma-3 tokenizer files, fetched by eng/fetch-tokenizer.sh.</summary>
    public static string Tokenizer
    {
        get
        {
            string dir = Path.Combine(RepoRoot, ".tokenizer");
            if (!File.Exists(Path.Combine(dir, "tokenizer.json")))
                throw new InvalidOperationException(
                    $"{dir}/tokenizer.json is missing: run eng/fetch-tokenizer.sh (eng/test.sh does).");
            return dir;
        }
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GemmaTool.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("GemmaTool.sln not found above " + AppContext.BaseDirectory);
    }
}
