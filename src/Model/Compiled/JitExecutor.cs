using System.Runtime.InteropServices;

namespace GemmaBench.Model.Compiled;

/// <summary>Switches libtorch from its profiling graph executor to the simple one. The profiling executor
/// records shapes over the first runs and re-specializes the graph for fusers this libtorch build lacks (and the
/// KV cache view grows every step); the simple executor runs the script as written, and decoded faster here
/// (eng/compile-benchmark.sh). TorchSharp does not bind the switch, so it is reached through the C++ accessors
/// libtorch_cpu exports (torch::jit::getProfilingMode and getExecutorMode), as Python's
/// torch._C._jit_set_profiling_executor(False) does.</summary>
static unsafe partial class JitExecutor
{
    static bool done;

    /// <summary>Process-wide and idempotent; returns false where the accessors are missing (another libtorch),
    /// which leaves the default executor: slower, same results.</summary>
    public static bool UseSimpleExecutor()
    {
        if (done)
            return true;
        try
        {
            *(byte*)ProfilingMode() = 0;
            *(byte*)ExecutorMode() = 0;
            done = true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
        }
        return done;
    }

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN5torch3jit16getProfilingModeEv")]
    private static partial IntPtr ProfilingMode();

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN5torch3jit15getExecutorModeEv")]
    private static partial IntPtr ExecutorMode();
}
