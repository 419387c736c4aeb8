using System.Diagnostics;
using GemmaBench.Quant.Kernels.Managed;

namespace GemmaBench.Tests.Quant;

public class WorkerThreadsTests
{
    /// <summary>Counts how often each item is executed.</summary>
    sealed class CountingWork(int capacity) : IParallelWork
    {
        public readonly int[] Hits = new int[capacity];

        public void Execute(int first, int end)
        {
            for (int i = first; i < end; i++)
                Interlocked.Increment(ref Hits[i]);
        }
    }

    [Theory]
    [InlineData(1, 4, 64)]       // one chunk: the caller alone
    [InlineData(516, 4, 64)]     // 256-item chunks (16 KiB each) and a short last one
    [InlineData(4096, 4, 64)]
    [InlineData(1000, 8, 1)]     // granularity rounds chunks up past the items
    [InlineData(262_144, 4, 320)]
    public void EveryItemIsExecutedOnce(int items, int granularity, long bytesPerItem)
    {
        var pool = new WorkerThreads(2);
        var work = new CountingWork(items);

        pool.Run(work, items, granularity, bytesPerItem);

        Assert.All(work.Hits, hits => Assert.Equal(1, hits));
    }

    /// <summary>Counts the items executed, all together.</summary>
    sealed class TotalWork : IParallelWork
    {
        public long Executed;

        public void Execute(int first, int end) => Interlocked.Add(ref Executed, end - first);
    }

    /// <summary>
    /// Products follow each other at once and alternate between 2 and 16 chunks, as a decode step's small and
    /// large projections do. A worker still in one product once claimed a chunk of it against the next
    /// product's chunk count, which the caller had already set: that chunk ran again and its completion was
    /// counted in the next product, whose caller then waited for ever (1 decode run in about 200 hung). The
    /// race is timing-dependent: before the fix this caught it within 2–30 s, so it runs for 8 s.
    /// </summary>
    [Fact]
    public void BackToBackProductsOfChangingSizeRunEachItemOnceAndAllFinish()
    {
        var pool = new WorkerThreads(2);
        var work = new TotalWork();
        long products = 0;
        string? failure = null;
        var caller = new Thread(() =>
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(8))
            {
                int items = products % 2 == 0 ? 512 : 4096;
                pool.Run(work, items, 4, 64);
                if (Interlocked.Exchange(ref work.Executed, 0) != items)
                {
                    failure = $"product {products} of {items} items executed a different number";
                    return;
                }
                Interlocked.Increment(ref products);
            }
        }) { IsBackground = true };

        caller.Start();
        long seen = -1;
        while (!caller.Join(TimeSpan.FromSeconds(3)))
        {
            long now = Interlocked.Read(ref products);
            Assert.True(now != seen, $"product {now} has not finished in 3 s");
            seen = now;
        }
        Assert.Null(failure);
        Assert.True(products > 10_000, $"only {products} products ran");
    }
}
