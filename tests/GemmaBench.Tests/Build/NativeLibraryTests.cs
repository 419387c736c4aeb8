using GemmaBench.Build;
using TorchSharp;

namespace GemmaBench.Tests.Build;

public class NativeLibraryTests
{
    [Fact]
    public void CopiedTorchSharpLibraryNeedsGlibcxx3432OnlyWeakly()
    {
        string library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native",
            "libLibTorchSharp.so");

        var needs = ElfVersionNeeds.Read(library);

        var glibcxx = needs.Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", glibcxx.Library);
        Assert.True(glibcxx.IsWeak);
        Assert.Contains(needs, n => n.Version == "GLIBCXX_3.4.19" && !n.IsWeak);
    }

    [Fact]
    public void TorchLoadsAndComputes()
    {
        using var sum = torch.arange(1, 5, dtype: torch.float32).sum();

        Assert.Equal(10f, sum.item<float>());
    }
}
