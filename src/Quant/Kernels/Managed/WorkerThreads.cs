using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>Work over items (weight rows) that can be done in any order, a range at a time.</summary>
internal interface IParallelWork
{
    void Execute(int first, int end);
}

/// <summary>
/// Persistent threads shared by every kernel using the same thread count; the caller works too, so exactly
/// <see cref="Count"/> threads work. The items are cut into contiguous chunks (each one stream of weights)
/// that threads claim in turn: a worker that is late — descheduled on a busy machine, or still waking up —
/// only takes fewer chunks, and the caller never waits for a thread that has not started. Idle workers
/// spin briefly (decode calls follow each other within microseconds), then yield, then sleep, so they
/// leave the cores to libtorch between products.
/// </summary>
internal sealed class WorkerThreads
{
    private const int MinChunkBytes = 16 << 10;
    private const int ChunksPerThread = 8;
    private static readonly ConcurrentDictionary<int, WorkerThreads> Pools = new();
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000;
    private static readonly long YieldTicks = Stopwatch.Frequency / 1_000;

    private readonly object _gate = new();
    private readonly object _running = new();
    private Counters _shared;
    private IParallelWork? _work;
    private int _items;
    private int _chunkItems;
    private int _chunks;
    private int _sleepers;

    /// <summary>A pool of its own (kernels share <see cref="Shared"/> pools).</summary>
    internal WorkerThreads(int count)
    {
        Count = count;
        for (int i = 1; i < count; i++)
            new Thread(Loop) { IsBackground = true, Name = $"int4 worker {i}" }.Start();
    }

    public int Count { get; }

    /// <summary>Whether idle workers yield for up to a millisecond before sleeping (the default) or sleep
    /// right after their short spin. See <see cref="KernelThreads.ExpectFrequentProducts"/>.</summary>
    public static bool Linger
    {
        get => Volatile.Read(ref _linger);
        set => Volatile.Write(ref _linger, value);
    }

    private static bool _linger = true;

    public static WorkerThreads Shared(int count) => Pools.GetOrAdd(count, n => new WorkerThreads(n));

    /// <summary>
    /// Runs the work over items [0, items) and returns when all are done (callers take turns). Chunks
    /// hold a multiple of <paramref name="granularity"/> items and at least 16 KiB of weights.
    /// </summary>
    public void Run(IParallelWork work, int items, int granularity, long bytesPerItem)
    {
        long minItems = Math.Max(1, MinChunkBytes / Math.Max(1, bytesPerItem));
        int chunks = Count * ChunksPerThread;
        int chunkItems = (int)Math.Max(minItems, (items + chunks - 1) / chunks);
        chunkItems = (chunkItems + granularity - 1) / granularity * granularity;
        chunks = (items + chunkItems - 1) / chunkItems;
        if (Count == 1 || chunks <= 1)
        {
            work.Execute(0, items);
            return;
        }
        lock (_running)
            RunChunks(work, items, chunkItems, chunks);
    }

    private void RunChunks(IParallelWork work, int items, int chunkItems, int chunks)
    {
        lock (_gate)
        {
            (_work, _items, _chunkItems, _chunks) = (work, items, chunkItems, chunks);
            _shared.Done = 0;
            long generation = (_shared.State >> 32) + 1;
            Interlocked.Exchange(ref _shared.State, generation << 32 | (uint)chunks);
            if (Volatile.Read(ref _sleepers) > 0)
                Monitor.PulseAll(_gate);
        }
        DoChunks(generation: Volatile.Read(ref _shared.State) >> 32);
        var spinner = new SpinWait();
        while (Volatile.Read(ref _shared.Done) != chunks)
            spinner.SpinOnce(sleep1Threshold: -1);
        _work = null;
    }

    /// <summary>Claims and runs chunks of the given generation until none is left.</summary>
    private void DoChunks(long generation)
    {
        while (true)
        {
            // Whether a chunk is left is read from State alone: the caller sets the next generation's fields
            // before it publishes that generation, so a thread still in this one must not consult them.
            long state = Volatile.Read(ref _shared.State);
            if (state >> 32 != generation || (int)state == 0)
                return;
            if (Interlocked.CompareExchange(ref _shared.State, state - 1, state) != state)
                continue;
            // The claim succeeded, so the caller is still in this generation, waits for this chunk, and the
            // fields read below are this generation's.
            int chunk = _chunks - (int)state, first = chunk * _chunkItems;
            _work!.Execute(first, Math.Min(_items, first + _chunkItems));
            Interlocked.Increment(ref _shared.Done);
        }
    }

    private void Loop()
    {
        long seen = 0;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _shared.State) >> 32 == seen)
            {
                long waited = Stopwatch.GetTimestamp() - start;
                if (waited < SpinTicks)
                    Thread.SpinWait(30);
                else if (waited < YieldTicks && Linger)
                    Thread.Yield();
                else
                    Sleep(seen);
            }
            seen = Volatile.Read(ref _shared.State) >> 32;
            DoChunks(seen);
        }
    }

    private void Sleep(long seen)
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _sleepers);
            while (Volatile.Read(ref _shared.State) >> 32 == seen)
                Monitor.Wait(_gate);
            Interlocked.Decrement(ref _sleepers);
        }
    }

    /// <summary>The two words every thread writes, on their own cache lines.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Counters
    {
        /// <summary>Generation (high 32 bits) and how many of its chunks are still unclaimed (low 32 bits).
        /// </summary>
        [FieldOffset(64)] public long State;

        [FieldOffset(128)] public int Done;
    }
}
