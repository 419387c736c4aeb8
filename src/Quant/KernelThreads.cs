using GemmaBench.Quant.Kernels.Managed;

namespace GemmaBench.Quant;

/// <summary>How the managed INT4 kernel's worker threads wait between products.</summary>
public static class KernelThreads
{
    /// <summary>
    /// True (the default) while products follow each other closely, as in single-token decode: idle workers
    /// keep yielding for up to a millisecond, ready for the next product. False while libtorch runs its own
    /// threads, as in prefill: idle workers sleep after a short spin instead. Measured on the synthetic
    /// gemma-3-270m at 2 threads, a worker still yielding after the LM head shared a core with libtorch's
    /// OpenMP thread during the next prefill and roughly halved it in about half of the runs.
    /// </summary>
    public static void ExpectFrequentProducts(bool frequent) => WorkerThreads.Linger = frequent;
}
