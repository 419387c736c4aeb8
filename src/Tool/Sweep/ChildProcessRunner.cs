using System.Diagnostics;
using System.Reflection;

namespace GemmaBench.Tool.Sweep;

/// <summary>Runs each benchmark in a fresh process (libtorch's thread pools are process-wide and
/// some settings can be made only once per process). The command is injectable: by default it is
/// this tool itself.</summary>
public sealed class ChildProcessRunner(string fileName, IReadOnlyList<string> leadingArguments,
    Action<string>? relayStderr = null) : IBenchmarkRunner
{
    /// <summary>A runner re-launching this tool: its apphost, or `dotnet tool.dll` when the tool runs
    /// under the dotnet host (`dotnet tool run`, `dotnet dotnet-gemma-bench.dll`).</summary>
    public static ChildProcessRunner Self(Action<string>? relayStderr = null)
    {
        string process = Environment.ProcessPath
            ?? throw new InvalidOperationException(
                "sweep: cannot tell which program is running to re-launch it");
        string processName = Path.GetFileNameWithoutExtension(process);
        if (processName != "dotnet")
            return new ChildProcessRunner(process, [], relayStderr);

        string assembly = typeof(ChildProcessRunner).Assembly.Location;
        if (string.IsNullOrEmpty(assembly))
            assembly = Path.Combine(AppContext.BaseDirectory,
                Assembly.GetEntryAssembly()?.GetName().Name + ".dll");
        return new ChildProcessRunner(process, [assembly], relayStderr);
    }

    public string FileName => fileName;

    public IReadOnlyList<string> LeadingArguments => leadingArguments;

    public ChildOutput Run(IReadOnlyList<string> arguments, TimeSpan? timeout, CancellationToken interruption)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in leadingArguments.Concat(arguments))
            start.ArgumentList.Add(argument);

        var stderrLines = new List<string>();
        using var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (stderrLines)
                stderrLines.Add(e.Data);
            relayStderr?.Invoke(e.Data);
        };
        process.Start();
        process.StandardInput.Close();
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync();
        bool interrupted = false;
        using var stop = interruption.Register(() =>
        {
            interrupted = true;
            KillTree(process);
        });
        bool timedOut = false;
        if (timeout is { } limit && !process.WaitForExit(limit))
        {
            KillTree(process);
            timedOut = !interrupted;
        }
        process.WaitForExit();
        lock (stderrLines)
            return new ChildOutput(process.ExitCode, stdout.GetAwaiter().GetResult(), [.. stderrLines],
                timedOut, interrupted);
    }

    // The whole tree, so that nothing the run started keeps stdout open.
    static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has just exited by itself.
        }
    }
}
