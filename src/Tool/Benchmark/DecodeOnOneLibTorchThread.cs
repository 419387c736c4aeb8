using GemmaBench.Model;
using GemmaBench.Quant;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Tool.Benchmark;

/// <summary>Runs prefill with libtorch's full intra-op thread count and single-token decode with one libtorch
/// thread, for models whose projections run on our managed INT4 kernel (which keeps its own threads). In
/// decode, libtorch's operators are too small to split, but after each parallel region its OpenMP threads
/// spin and take the cores the kernel's threads need: measured on the synthetic 270m at 2 threads, decode
/// ran 20–30% faster without them, and prefill (whose long matrix products libtorch does split) is unchanged.
/// The other way round, the kernel's idle workers sleep during prefill instead of yielding, so that they leave
/// the cores to libtorch's threads.
/// </summary>
sealed class DecodeOnOneLibTorchThread(IDecoderStep inner, int threads) : IDecoderStep
{
    public GemmaConfig Config => inner.Config;

    public KvCache CreateCache(int capacity) => inner.CreateCache(capacity);

    public Tensor Prefill(IReadOnlyList<int> tokenIds, KvCache cache)
    {
        Use(threads);
        KernelThreads.ExpectFrequentProducts(false);
        return inner.Prefill(tokenIds, cache);
    }

    public Tensor Decode(int tokenId, KvCache cache)
    {
        Use(1);
        KernelThreads.ExpectFrequentProducts(true);
        return inner.Decode(tokenId, cache);
    }

    static void Use(int count)
    {
        if (torch.get_num_threads() != count)
            torch.set_num_threads(count);
    }
}
