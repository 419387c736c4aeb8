using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Diagnostics;

namespace GemmaBench.Bench;

/// <summary>The machine's memory read rate: threads summing disjoint parts of a 512 MiB buffer.</summary>
internal static unsafe class MemoryBandwidth
{
    private const long Bytes = 512L << 20;
    private const int AdviseHugePage = 14;

    /// <summary>Median GB/s of 5 passes, on 4 KiB pages or (madvised) 2 MiB pages.</summary>
    public static double Measure(int threads, bool hugePages)
    {
        byte* buffer = (byte*)NativeMemory.AlignedAlloc((nuint)Bytes, 2 << 20);
        try
        {
            if (hugePages)
                _ = madvise(buffer, (nuint)Bytes, AdviseHugePage);
            new Span<byte>(buffer, (int)Bytes).Fill(1);
            return QuietMachine.Measure(() =>
            {
                var rates = new List<double>();
                for (int rep = 0; rep < 5; rep++)
                {
                    var watch = Stopwatch.StartNew();
                    Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                        t => Sum(buffer + Bytes * t / threads, Bytes / threads));
                    rates.Add(Bytes / watch.Elapsed.TotalSeconds / 1e9);
                }
                rates.Sort();
                return rates[rates.Count / 2];
            });
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    private static long Sum(byte* p, long bytes)
    {
        Vector512<long> a = default, b = default, c = default, d = default;
        for (long i = 0; i + 256 <= bytes; i += 256)
        {
            a += Vector512.Load((long*)(p + i));
            b += Vector512.Load((long*)(p + i + 64));
            c += Vector512.Load((long*)(p + i + 128));
            d += Vector512.Load((long*)(p + i + 192));
        }
        return Vector512.Sum(a + b + c + d);
    }

    [DllImport("libc")]
    private static extern int madvise(void* address, nuint length, int advice);
}
