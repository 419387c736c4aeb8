using System.Runtime.InteropServices;
using TorchSharp;

namespace GemmaBench.Model.Checkpoint;

/// <summary>The two native calls the checkpoint reader needs beyond TorchSharp's API: a tensor's data address
/// and returning mapped file pages to the kernel.</summary>
static partial class NativeMemory
{
    const int MadviseDontNeed = 4;
    static readonly long PageSize = Environment.SystemPageSize;

    public static IntPtr DataAddress(torch.Tensor tensor) => THSTensor_data(tensor.Handle);

    /// <summary>Drops the resident pages of [address, address + length) of a private read-only file mapping.
    /// Rounds outwards to whole pages: neighbours' pages that get dropped are simply read again from the
    /// file on their next use, since nothing ever writes to the mapping.</summary>
    public static void Release(IntPtr address, long length)
    {
        if (length <= 0 || !OperatingSystem.IsLinux())
            return;
        long start = address.ToInt64() & ~(PageSize - 1);
        long end = (address.ToInt64() + length + PageSize - 1) & ~(PageSize - 1);
        _ = madvise(new IntPtr(start), (nuint)(end - start), MadviseDontNeed);
    }

    [DllImport("LibTorchSharp")]
    static extern IntPtr THSTensor_data(IntPtr handle);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(IntPtr address, nuint length, int advice);
}
