using System.Diagnostics;
using GemmaBench.Model;
using GemmaBench.Model.Module;
using GemmaBench.Quant;
using static TorchSharp.torch;

namespace GemmaBench.Tests.Model;

/// <summary>
/// TorchSharp turns a number passed as a Scalar into a temporary whose finalizer frees the native value, and
/// nothing keeps that temporary alive during the native call: under garbage collection the value can be freed
/// while libtorch reads it ("Unknown scalar type" or a failed check in c10/core/Scalar.h, about one benchmark
/// run in 100 under load; a bare `tensor.add(1e-6)` loop fails within a second here). The model's modules hold
/// their Scalars, so they must survive the same pressure.
/// Not run beside other tests: its constant collection would expose their own TorchSharp calls to the race.
/// </summary>
[Collection(nameof(GarbageCollectionPressure))]
public class ScalarLifetimeTests
{
    [Fact]
    public void ModulesKeepTheirScalarsAliveUnderGarbageCollection()
    {
        using var norm = new RmsNorm("norm", zeros(64), 1e-6);
        using var embedding = new ScaledEmbedding("embed", ones(16, 64), ScalarType.Float32);
        using var cache = new LayerKvCache(kvHeads: 1, slots: 4, headDim: 8, isSliding: true, ScalarType.Float32);
        using var x = ones(1, 3, 64);
        using var ids = tensor(new long[] { 1, 2, 3 }).view(1, 3);
        using var kv = ones(1, 3, 1, 8);

        long rounds = UnderCollection(TimeSpan.FromSeconds(3), () =>
        {
            using var scope = NewDisposeScope();
            norm.forward(x);
            embedding.forward(ids);
            AttentionMask.Build(5, window: 3, group: 2);
            cache.Write(kv, kv, start: 2); // positions 2..4 in 4 slots: wraps, the arange path
            using var rope = new RotaryEmbedding(8, 10_000, 1, ScalarType.Float32);
            rope.EnsureLength(4);
        });

        Assert.True(rounds > 100, $"only {rounds} rounds");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EagerPrefillAndDecodeSurviveGarbageCollection(bool quantized)
    {
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny"), ScalarType.Float32);
        if (quantized)
        {
            var options = new QuantOptions { GroupSize = 32, Kernel = Int4Kernel.Managed, Threads = 2 };
            model.ReplaceLinears((_, weight) => Quantizer.CreateLinear(weight, options));
        }
        int[] prompt = [2, 10, 11, 12, 13, 14, 15, 16, 17, 18];

        long rounds = UnderCollection(TimeSpan.FromSeconds(3), () =>
        {
            using var cache = model.CreateCache(prompt.Length + 4);
            model.Prefill(prompt, cache).Dispose();
            for (int token = 20; token < 24; token++)
                model.Decode(token, cache).Dispose();
        });

        Assert.True(rounds > 10, $"only {rounds} rounds");
    }

    /// <summary>Scripts take their real and long arguments as Scalars too (HeldScriptArguments): the
    /// compiled step with the int4pack kernel (whole step scripted) and with the managed one (segments).
    /// </summary>
    [Theory]
    [InlineData(Int4Kernel.Int4Pack)]
    [InlineData(Int4Kernel.Managed)]
    public void CompiledPrefillAndDecodeSurviveGarbageCollection(Int4Kernel kernel)
    {
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny"), ScalarType.Float32, deferConversion: true);
        var options = new QuantOptions { Kernel = kernel, Threads = 1 };
        model.ReplaceLinears((_, weight) => Quantizer.CreateLinear(weight, options));
        using var compiled = GemmaBench.Model.Compiled.CompiledDecoder.Compile(model, new()
        {
            Kernel = kernel.ToString().ToLowerInvariant(),
            Fuse = Quantizer.Fuse,
            ForwardInto = Quantizer.ForwardInto,
        });
        int[] prompt = [2, 10, 11, 12, 13, 14, 15, 16, 17, 18];

        long rounds = UnderCollection(TimeSpan.FromSeconds(3), () =>
        {
            using var cache = compiled.CreateCache(prompt.Length + 4);
            compiled.Prefill(prompt, cache).Dispose();
            for (int token = 20; token < 24; token++)
                compiled.Decode(token, cache).Dispose();
        });

        Assert.True(rounds > 10, $"only {rounds} rounds");
    }

    /// <summary>Runs the action repeatedly for the given time while another thread collects garbage and runs
    /// finalizers without pause; returns how many rounds ran.</summary>
    static long UnderCollection(TimeSpan duration, Action action)
    {
        bool stop = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        long rounds = 0;
        try
        {
            for (var clock = Stopwatch.StartNew(); clock.Elapsed < duration; rounds++)
                action();
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
        return rounds;
    }
}

[CollectionDefinition(nameof(GarbageCollectionPressure), DisableParallelization = true)]
public sealed class GarbageCollectionPressure;
