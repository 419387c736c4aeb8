using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant;

/// <summary>Tells the kernel that a weight's memory has been read and will not be needed soon. Weights are
/// often views of a memory-mapped checkpoint: their pages then leave the resident set (they are read again
/// from the file if ever touched). Pages of ordinary memory keep their contents (without swap they stay), so
/// the hint is safe for any tensor.</summary>
internal static class SourcePages
{
    const int AdvisePageOut = 21;
    const long PageSize = 4096;

    public static unsafe void Release(Tensor part)
    {
        if (!OperatingSystem.IsLinux() || !part.is_contiguous() || part.device_type != DeviceType.CPU)
            return;
        long start = (long)TensorMemory.Pointer(part, part.dtype);
        long end = start + part.numel() * part.ElementSize;
        // Only whole pages inside the range: a page shared with a neighbouring tensor is left alone.
        long first = (start + PageSize - 1) / PageSize * PageSize, last = end / PageSize * PageSize;
        if (last > first)
            _ = madvise((void*)first, (nuint)(last - first), AdvisePageOut);
    }

    [DllImport("libc", SetLastError = true)]
    static extern unsafe int madvise(void* address, nuint length, int advice);
}
