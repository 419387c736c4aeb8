using System.Runtime.InteropServices;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>
/// Memory for packed weights on 2 MiB pages. A one-token product streams its weights once, and with 4 KiB pages
/// it misses the TLB every 4 KiB and the hardware prefetcher stops at every page boundary; a layer's projections
/// (0.1–4 MB each) are too small to get huge pages of their own, so they share 32 MiB slabs, each advised as
/// huge pages. A slab is freed when the last block in it is. Larger requests get a mapping of their own.
/// </summary>
internal sealed unsafe class HugePageArena
{
    private const long HugePage = 2 << 20;
    private const long SlabBytes = 32 << 20;
    private const long Alignment = 64;
    private const int AdviseHugePage = 14;

    private readonly object _gate = new();
    private Slab? _current;

    /// <summary>The arena every packed weight comes from.</summary>
    public static HugePageArena Shared { get; } = new();

    /// <summary>A block of memory from the arena; give it back with <see cref="Free"/>.</summary>
    public readonly struct Block
    {
        internal Block(byte* pointer, Slab? slab)
        {
            Pointer = pointer;
            Owner = slab;
        }

        public byte* Pointer { get; }

        internal Slab? Owner { get; }
    }

    internal sealed class Slab
    {
        public byte* Start;
        public long Used;
        public int Blocks;
    }

    /// <summary><paramref name="bytes"/> bytes, 64-byte aligned, on 2 MiB pages where the kernel grants them.
    /// </summary>
    public Block Allocate(long bytes)
    {
        if (bytes > SlabBytes / 4)
            return new Block(Map(bytes), null);
        lock (_gate)
        {
            if (_current is null || _current.Used + bytes > SlabBytes)
                _current = new Slab { Start = Map(SlabBytes) };
            var slab = _current;
            byte* pointer = slab.Start + slab.Used;
            slab.Used = (slab.Used + bytes + Alignment - 1) / Alignment * Alignment;
            slab.Blocks++;
            return new Block(pointer, slab);
        }
    }

    public void Free(Block block)
    {
        if (block.Pointer == null)
            return;
        var slab = block.Owner;
        if (slab is null)
        {
            NativeMemory.AlignedFree(block.Pointer);
            return;
        }
        lock (_gate)
        {
            if (--slab.Blocks > 0)
                return;
            if (ReferenceEquals(slab, _current))
                _current = null;
            NativeMemory.AlignedFree(slab.Start);
            slab.Start = null;
        }
    }

    private static byte* Map(long bytes)
    {
        void* memory = NativeMemory.AlignedAlloc((nuint)bytes, (nuint)HugePage);
        if (OperatingSystem.IsLinux() && bytes >= HugePage)
            _ = madvise(memory, (nuint)bytes, AdviseHugePage);
        return (byte*)memory;
    }

    [DllImport("libc")]
    private static extern int madvise(void* address, nuint length, int advice);
}
