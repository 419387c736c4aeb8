using System.Runtime.InteropServices;

namespace GemmaBench.Quant;

/// <summary>
/// libtorch's OpenMP workers keep spinning for a while after each libtorch call, taking the cores our own
/// kernel threads need next. Making them wait passively fixes that; libgomp reads its settings once, when
/// it loads, and from the native environment, which .NET's Environment.SetEnvironmentVariable does not
/// change on Unix, so this writes the variables with libc's setenv.
/// Measured (eng/bench --only interleaved, docs/int4-kernels.md): passive waiting makes libtorch's own
/// 2-thread ops about 2× slower and gains the managed kernel little, since its workers claim chunks and the
/// caller does whatever a starved worker does not; so the tool does not call this by default.
/// </summary>
public static class OpenMpThreads
{
    /// <summary>
    /// Sets OMP_WAIT_POLICY=PASSIVE and GOMP_SPINCOUNT=0 unless the user set them. Call at startup, before the
    /// first TorchSharp call. Returns false if libtorch was already loaded (too late) or on Windows.
    /// </summary>
    public static bool PreferPassiveWaiting()
    {
        if (OperatingSystem.IsWindows())
            return false;
        bool loaded = OperatingSystem.IsLinux() && IsTorchLoaded();
        Set("OMP_WAIT_POLICY", "PASSIVE");
        Set("GOMP_SPINCOUNT", "0");
        return !loaded;
    }

    /// <summary>
    /// Removes OMP_NUM_THREADS when it is set but blank, which the tool reads as unset: libgomp would print
    /// its own unprefixed warning about it when libtorch loads. Call at startup, before the first TorchSharp
    /// call. Returns true when the variable was removed.
    /// </summary>
    public static bool ForgetBlankThreadCount()
    {
        const string name = "OMP_NUM_THREADS";
        string? value = Environment.GetEnvironmentVariable(name);
        if (value is null || !string.IsNullOrWhiteSpace(value))
            return false;
        if (!OperatingSystem.IsWindows())
            unsetenv(name);
        Environment.SetEnvironmentVariable(name, null);
        return true;
    }

    private static bool IsTorchLoaded() =>
        File.ReadAllText("/proc/self/maps").Contains("libgomp", StringComparison.Ordinal);

    private static void Set(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is null)
        {
            setenv(name, value, 0);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv(string name, string value, int overwrite);

    [DllImport("libc", SetLastError = true)]
    private static extern int unsetenv(string name);
}
