using GemmaBench.Quant.Kernels.Managed;

namespace GemmaBench.Tests.Quant;

public unsafe class HugePageArenaTests
{
    const long HugePage = 2 << 20;

    [Fact]
    public void SmallBlocksFollowEachOtherInOneHugePageAlignedSlab()
    {
        var arena = new HugePageArena();
        var first = arena.Allocate(1000);
        var second = arena.Allocate(300_000);
        var third = arena.Allocate(64);

        Assert.Equal(0, (long)first.Pointer % HugePage);
        Assert.Equal(1024, second.Pointer - first.Pointer);
        Assert.Equal(1024 + 300_032, third.Pointer - first.Pointer);
        foreach (var block in new[] { first, second, third })
            arena.Free(block);
    }

    [Fact]
    public void ABlockThatDoesNotFitTheSlabStartsANewOne()
    {
        var arena = new HugePageArena();
        var blocks = Enumerable.Range(0, 5).Select(_ => arena.Allocate(7 << 20)).ToList();

        Assert.Equal(7L << 20, blocks[1].Pointer - blocks[0].Pointer);
        Assert.Equal(0, (long)blocks[4].Pointer % HugePage);
        Assert.NotEqual(28L << 20, blocks[4].Pointer - blocks[0].Pointer);
        blocks.ForEach(arena.Free);
    }

    [Fact]
    public void LargeBlocksGetAHugePageAlignedMappingOfTheirOwn()
    {
        var arena = new HugePageArena();
        var small = arena.Allocate(4096);
        var large = arena.Allocate(20 << 20);
        var next = arena.Allocate(4096);

        Assert.Equal(0, (long)large.Pointer % HugePage);
        Assert.Equal(4096, next.Pointer - small.Pointer);
        new Span<byte>(large.Pointer, 20 << 20).Fill(7);
        Assert.Equal(7, large.Pointer[(20 << 20) - 1]);
        foreach (var block in new[] { small, large, next })
            arena.Free(block);
    }

    [Fact]
    public void AfterItsLastBlockIsFreedTheNextBlockStartsAFreshSlab()
    {
        var arena = new HugePageArena();
        var only = arena.Allocate(4096);
        arena.Free(only);
        var after = arena.Allocate(4096);
        var second = arena.Allocate(4096);

        Assert.Equal(0, (long)after.Pointer % HugePage);
        Assert.Equal(4096, second.Pointer - after.Pointer);
        arena.Free(after);
        arena.Free(second);
    }
}
