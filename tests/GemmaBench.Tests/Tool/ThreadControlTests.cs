using System.Text.Json;
using GemmaBench.Tool;
using GemmaBench.Tool.Threads;
using TorchSharp;

namespace GemmaBench.Tests.Tool;

/// <summary>libtorch's thread count is global to the process, so these tests run alone.</summary>
[CollectionDefinition(nameof(TorchThreadCount), DisableParallelization = true)]
public sealed class TorchThreadCount;

[Collection(nameof(TorchThreadCount))]
public class ThreadControlTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ThreadsOptionSetsLibtorchsIntraOpCount(int threads)
    {
        var harness = new ToolHarness { RealThreads = new TorchThreads() };
        int before = torch.get_num_threads();
        try
        {
            var result = harness.Run("--model", ToolHarness.Tiny, "--json", "--threads", threads.ToString());

            Assert.Equal(threads, torch.get_num_threads());
            using var json = JsonDocument.Parse(result.Stdout);
            Assert.Equal(threads, json.RootElement.GetProperty("threads").GetInt32());
            Assert.Contains($"gemma-bench: threads: {threads} (from --threads)", result.Stderr);
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [Fact]
    public void OmpNumThreadsAboveTheCoreCountIsSetAsAsked()
    {
        int asked = Environment.ProcessorCount + 2;
        var harness = new ToolHarness { RealThreads = new TorchThreads() };
        harness.Environment["OMP_NUM_THREADS"] = asked.ToString();
        int before = torch.get_num_threads();
        try
        {
            var result = harness.Run("--model", ToolHarness.Tiny, "--no-stream");

            Assert.Equal(asked, torch.get_num_threads());
            Assert.Contains($"gemma-bench: threads: {asked} (from OMP_NUM_THREADS)", result.Stderr);
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [Theory]
    [InlineData(null, null, "8 libtorch default")]
    [InlineData(null, "", "8 libtorch default")]
    [InlineData(null, " 12 ", "12 OMP_NUM_THREADS")]
    [InlineData(5, "12", "5 --threads")]
    public void ThreadCountComesFromOptionThenEnvironmentThenDefault(int? option, string? environment,
        string expected)
    {
        var count = ThreadCount.Resolve(option, environment, machineDefault: 8);

        Assert.Equal(expected, $"{count.Count} {count.Source}");
    }
}
