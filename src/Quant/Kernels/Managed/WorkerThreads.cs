using System.Collections.Concurrent;
using System.Diagnostics;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>Work split statically across the worker threads: worker i of n does share i.</summary>
internal interface IParallelWork
{
    void Execute(int worker, int workers);
}

/// <summary>
/// Persistent threads shared by every kernel using the same thread count; the caller is worker 0, so exactly
/// <see cref="Count"/> threads work. Idle workers spin briefly (decode calls follow each other within
/// microseconds), then yield, then sleep, so they leave the cores to libtorch between products.
/// </summary>
internal sealed class WorkerThreads
{
    private static readonly ConcurrentDictionary<int, WorkerThreads> Pools = new();
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000;
    private static readonly long YieldTicks = Stopwatch.Frequency / 1_000;

    private readonly object _gate = new();
    private IParallelWork? _work;
    private int _generation;
    private int _pending;
    private int _sleepers;

    private WorkerThreads(int count)
    {
        Count = count;
        for (int i = 1; i < count; i++)
        {
            int worker = i;
            new Thread(() => Loop(worker)) { IsBackground = true, Name = $"int4 worker {i}" }.Start();
        }
    }

    public int Count { get; }

    public static WorkerThreads Shared(int count) => Pools.GetOrAdd(count, n => new WorkerThreads(n));

    /// <summary>Runs the work on every worker and returns when all are done. Not reentrant.</summary>
    public void Run(IParallelWork work)
    {
        if (Count == 1)
        {
            work.Execute(0, 1);
            return;
        }
        lock (this)
        {
            _work = work;
            Volatile.Write(ref _pending, Count - 1);
            Interlocked.Increment(ref _generation);
            if (Volatile.Read(ref _sleepers) > 0)
                lock (_gate)
                    Monitor.PulseAll(_gate);
            work.Execute(0, Count);
            var spinner = new SpinWait();
            while (Volatile.Read(ref _pending) != 0)
                spinner.SpinOnce(sleep1Threshold: -1);
            _work = null;
        }
    }

    private void Loop(int worker)
    {
        int seen = 0;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _generation) == seen)
            {
                long waited = Stopwatch.GetTimestamp() - start;
                if (waited < SpinTicks)
                    Thread.SpinWait(30);
                else if (waited < YieldTicks)
                    Thread.Yield();
                else
                    Sleep(seen);
            }
            seen = Volatile.Read(ref _generation);
            _work!.Execute(worker, Count);
            Interlocked.Decrement(ref _pending);
        }
    }

    private void Sleep(int seen)
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _sleepers);
            while (Volatile.Read(ref _generation) == seen)
                Monitor.Wait(_gate);
            Interlocked.Decrement(ref _sleepers);
        }
    }
}
