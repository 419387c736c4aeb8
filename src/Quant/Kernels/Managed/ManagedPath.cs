using System.Runtime.Intrinsics.X86;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>The instruction set the managed kernel's dot products use; all share one weight layout.</summary>
internal enum ManagedPath
{
    Portable,
    Avx2,
    Avx512,
}

internal static class ManagedPaths
{
    public static ManagedPath Best =>
        Avx512BW.IsSupported ? ManagedPath.Avx512 : Avx2.IsSupported ? ManagedPath.Avx2 : ManagedPath.Portable;

    public static bool IsSupported(ManagedPath path) => path switch
    {
        ManagedPath.Avx512 => Avx512BW.IsSupported,
        ManagedPath.Avx2 => Avx2.IsSupported,
        _ => true,
    };
}
