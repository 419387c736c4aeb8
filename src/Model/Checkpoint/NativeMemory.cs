using System.Runtime.InteropServices;
using TorchSharp;

namespace GemmaBench.Model.Checkpoint;

/// <summary>The native calls the model needs beyond TorchSharp's API: a tensor's data address, and giving
/// mapped file pages and freed heap memory back to the kernel.</summary>
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

    /// <summary>Returns freed heap memory to the kernel. glibc keeps freed blocks below its (adaptive) mmap
    /// threshold in the heap, so after many weight-sized frees resident memory would not fall without this.
    /// </summary>
    public static void TrimHeap()
    {
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            _ = malloc_trim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): nothing to trim.
        }
    }

    [DllImport("LibTorchSharp")]
    static extern IntPtr THSTensor_data(IntPtr handle);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(IntPtr address, nuint length, int advice);

    [LibraryImport("libc")]
    private static partial int malloc_trim(nuint pad);
}
