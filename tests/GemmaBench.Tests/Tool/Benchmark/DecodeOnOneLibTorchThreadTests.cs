using GemmaBench.Model;
using GemmaBench.Quant.Kernels.Managed;
using GemmaBench.Tool.Benchmark;
using static TorchSharp.torch;

namespace GemmaBench.Tests.Tool.Benchmark;

[Collection(nameof(TorchThreadCount))]
public class DecodeOnOneLibTorchThreadTests
{
    [Fact]
    public void PrefillGetsLibtorchsThreadsAndSleepingKernelWorkersDecodeTheOtherWayRound()
    {
        int before = get_num_threads();
        try
        {
            using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny"), ScalarType.Float32);
            var step = new DecodeOnOneLibTorchThread(model, threads: 2);
            using var cache = step.CreateCache(8);

            using (step.Prefill([2, 10, 11], cache))
            {
                Assert.Equal(2, get_num_threads());
                Assert.False(WorkerThreads.Linger);
            }
            using (step.Decode(12, cache))
            {
                Assert.Equal(1, get_num_threads());
                Assert.True(WorkerThreads.Linger);
            }
        }
        finally
        {
            set_num_threads(before);
            WorkerThreads.Linger = true;
        }
    }
}
