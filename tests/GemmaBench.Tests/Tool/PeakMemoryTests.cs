using GemmaBench.Tool.Benchmark;

namespace GemmaBench.Tests.Tool;

public class PeakMemoryTests
{
    [Fact]
    public void VmHwmIsReadInKibibytesAndReturnedInBytes()
    {
        string status = "Name:\tdotnet\nVmPeak:\t  900000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\n";

        Assert.Equal(123456L * 1024, PeakMemory.ParseVmHwm(status));
    }

    [Fact]
    public void MissingVmHwmGivesNull() => Assert.Null(PeakMemory.ParseVmHwm("Name:\tdotnet\n"));

    [Fact]
    public void ThisProcessHasAPeakAtLeastAsLargeAsItsManagedHeap() =>
        Assert.True(PeakMemory.ReadPeakRssBytes() >= GC.GetTotalMemory(false));
}
