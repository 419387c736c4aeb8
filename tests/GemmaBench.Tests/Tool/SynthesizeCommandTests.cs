using System.Diagnostics;
using System.Runtime.InteropServices;
using GemmaBench.Tests.Model;
using GemmaBench.Tool;

namespace GemmaBench.Tests.Tool;

public class SynthesizeCommandTests
{
    [Fact]
    public void WritesTheCheckpointAndPrintsItsDirectoryOnStdout()
    {
        using var dir = new TempDirectory();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["synthesize", "--preset", "tiny", "--out", dir.File("ckpt"), "--dtype", "float32",
            "--seed", "3"], stdout, stderr);

        Assert.Equal(0, exit);
        Assert.Equal(dir.File("ckpt") + Environment.NewLine, stdout.ToString());
        Assert.Contains("wrote model.safetensors", stderr.ToString());
        Assert.True(File.Exists(dir.File("ckpt/config.json")));
    }

    [Fact]
    public void UnknownPresetIsAUsageError()
    {
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["synthesize", "--preset", "gemma-9", "--out", "x"], new StringWriter(), stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.StartsWith("gemma-bench: --preset: unknown preset 'gemma-9'; choose one of gemma-3-270m", stderr.ToString());
    }

    [Fact]
    public void OutUnderARegularFileIsAUsageErrorNamingTheFile()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("afile"), "");
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["synthesize", "--preset", "tiny", "--out", dir.File("afile/sub")],
            new StringWriter(), stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal($"gemma-bench: synthesize: --out {dir.File("afile/sub")}: cannot create the folder " +
            $"({dir.File("afile")} is a file); give a folder you can write to" + Environment.NewLine,
            stderr.ToString());
    }

    [Fact]
    public void UnknownDtypeIsAUsageError()
    {
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["synthesize", "--preset", "tiny", "--out", "x", "--dtype", "float16"],
            new StringWriter(), stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal("gemma-bench: --dtype: 'float16' is not a stored dtype; use bfloat16 or float32." +
            Environment.NewLine, stderr.ToString());
    }

    [Theory]
    [InlineData("config.json")]
    [InlineData("model.safetensors")]
    public void ExistingFileInOutIsAUsageErrorAndStays(string existing)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File(existing), "the user's own file");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["synthesize", "--preset", "tiny", "--out", dir.Path], stdout, stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal($"gemma-bench: --out {dir.Path} already has {existing}; synthesize never overwrites files: "
            + "choose another --out or remove it." + Environment.NewLine, stderr.ToString());
        Assert.Equal("", stdout.ToString());
        Assert.Equal("the user's own file", File.ReadAllText(dir.File(existing)));
    }

    [Fact]
    public void TokenizerDirectoryWithoutTokenizerJsonIsAUsageError()
    {
        using var dir = new TempDirectory();
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["synthesize", "--preset", "tiny", "--out", dir.File("out"), "--tokenizer",
            dir.Path], new StringWriter(), stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal($"gemma-bench: --tokenizer: {dir.Path} has no tokenizer.json; give a tokenizer directory."
            + Environment.NewLine, stderr.ToString());
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CtrlCDuringSynthesizeRemovesItsPartialFilesAndTheFoldersItCreatedAndExits130(bool newFolder)
    {
        using var dir = new TempDirectory();
        string kept = dir.File("kept.txt");
        File.WriteAllText(kept, "not synthesize's");
        // A new --out two levels down, or the existing folder, which must stay with the file in it.
        string outDir = newFolder ? dir.File(Path.Combine("new", "out")) : dir.Path;
        string tool = Path.Combine(AppContext.BaseDirectory, "dotnet-gemma-bench.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            // The 1B preset writes about 2 GB: long enough that the signal arrives while it writes.
            ArgumentList = { tool, "synthesize", "--preset", "gemma-3-1b", "--out", outDir },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        using var process = Process.Start(start)!;
        bool writing = SpinWait.SpinUntil(
            () => (Directory.Exists(outDir) && Directory.GetFiles(outDir, "*.partial").Length > 0)
                || process.HasExited,
            TimeSpan.FromMinutes(2));
        Assert.True(writing && !process.HasExited, "synthesize never started writing");
        Assert.Equal(0, Kill(process.Id, Sigint));
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(CommandLine.Interrupted, process.ExitCode);
        Assert.Equal("", stdout);
        Assert.EndsWith(newFolder
            ? $"gemma-bench: synthesize: interrupted; removed its partial files and the folder {outDir} it had "
              + "created\n"
            : $"gemma-bench: synthesize: interrupted; removed its partial files from {outDir}\n", stderr);
        Assert.Equal([kept], Directory.GetFileSystemEntries(dir.Path));
    }

    const int Sigint = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
