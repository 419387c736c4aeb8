using GemmaBench.Model;
using GemmaBench.Model.Compiled;
using GemmaBench.Quant;
using static TorchSharp.torch;
using Generator = GemmaBench.Model.Generator;

namespace GemmaBench.Tests.Model.Compiled;

public class CompiledDecoderTests
{
    const int DecodeSteps = 12;

    public static TheoryData<string, string, CompileArrangement> FloatCases => new()
    {
        { "tiny", "B", CompileArrangement.WholeStep }, { "tiny", "B", CompileArrangement.Segments },
        { "tiny-scaled", "B", CompileArrangement.WholeStep }, { "tiny-scaled", "A", CompileArrangement.Segments },
        { "tiny-odd", "B", CompileArrangement.WholeStep }, { "tiny-odd", "C", CompileArrangement.Segments },
    };

    [Theory]
    [MemberData(nameof(FloatCases))]
    public void Float32LogitsOfPrefillAndEveryDecodeStepAreWithin1e5OfEager(string fixture, string caseName,
        CompileArrangement arrangement)
    {
        var expected = ExpectedCase.Load(fixture, caseName);
        using var model = GemmaModel.Load(TestPaths.Checkpoint(fixture), ScalarType.Float32);
        using var compiled = CompiledDecoder.Compile(model, arrangement);
        using var eagerCache = model.CreateCache(expected.InputIds.Length + DecodeSteps);
        using var compiledCache = compiled.CreateCache(expected.InputIds.Length + DecodeSteps);

        using var eagerPrefill = model.Prefill(expected.InputIds, eagerCache);
        using var compiledPrefill = compiled.Prefill(expected.InputIds, compiledCache);
        Assert.True(MaxDifference(eagerPrefill, compiledPrefill) <= 1e-5, "prefill logits differ");
        for (int step = 0; step < DecodeSteps; step++)
        {
            int token = expected.Greedy24[step];
            using var eager = model.Decode(token, eagerCache);
            using var actual = compiled.Decode(token, compiledCache);
            Assert.True(MaxDifference(eager, actual) <= 1e-5, $"decode step {step} logits differ");
        }
        Assert.Equal(eagerCache.Length, compiledCache.Length);
    }

    [Theory]
    [InlineData("tiny", "A")]
    [InlineData("tiny-scaled", "B")]
    [InlineData("tiny-odd", "B")]
    public void Float32GreedyTokensMatchTheReference(string fixture, string caseName)
    {
        var expected = ExpectedCase.Load(fixture, caseName);
        using var model = GemmaModel.Load(TestPaths.Checkpoint(fixture), ScalarType.Float32);
        using var compiled = CompiledDecoder.Compile(model);

        var result = new Generator(compiled).Generate(expected.InputIds, Greedy24);

        Assert.Equal("whole-step+float", compiled.Mode);
        Assert.Equal(expected.Greedy24, result.TokenIds);
    }

    public static TheoryData<string, string, Int4Kernel, QuantScheme, string> Int4Cases => new()
    {
        { "tiny", "B", Int4Kernel.Managed, QuantScheme.SymmetricGroupwise, "segments+managed" },
        { "tiny", "C", Int4Kernel.Int4Pack, QuantScheme.SymmetricGroupwise, "whole-step+int4pack" },
        { "tiny-scaled", "B", Int4Kernel.Managed, QuantScheme.SymmetricGroupwise, "segments+managed" },
        { "tiny-scaled", "A", Int4Kernel.Int4Pack, QuantScheme.SymmetricGroupwise, "whole-step+int4pack" },
        { "tiny-odd", "B", Int4Kernel.Reference, QuantScheme.SymmetricChannelwise, "segments+reference" },
    };

    [Theory]
    [MemberData(nameof(Int4Cases))]
    public void Int4GreedyTokensEqualEagerWithTheSameKernel(string fixture, string caseName, Int4Kernel kernel,
        QuantScheme scheme, string mode)
    {
        var expected = ExpectedCase.Load(fixture, caseName);
        using var model = GemmaModel.Load(TestPaths.Checkpoint(fixture), ScalarType.Float32, deferConversion: true);
        var options = new QuantOptions { Scheme = scheme, Kernel = kernel, Threads = 2 };
        model.ReplaceLinears((_, weight) => Quantizer.CreateLinear(weight, options));
        using var compiled = CompiledDecoder.Compile(model, WithQuantizer(kernel));

        var eager = new Generator(model).Generate(expected.InputIds, Greedy24);
        var actual = new Generator(compiled).Generate(expected.InputIds, Greedy24);

        Assert.Equal(mode, compiled.Mode);
        Assert.Equal(eager.TokenIds, actual.TokenIds);
    }

    [Theory]
    [InlineData("tiny", "B", QuantScheme.SymmetricGroupwise, 1)]
    [InlineData("tiny-odd", "C", QuantScheme.SymmetricChannelwise, 2)]
    public void FusedManagedPrefillEqualsEagerExactlyAndDecodeStaysWithin1e5(string fixture, string caseName,
        QuantScheme scheme, int threads)
    {
        var expected = ExpectedCase.Load(fixture, caseName);
        using var model = QuantizedModel(fixture, scheme, threads);
        using var compiled = CompiledDecoder.Compile(model, WithQuantizer(Int4Kernel.Managed));
        using var eagerCache = model.CreateCache(expected.InputIds.Length + DecodeSteps);
        using var compiledCache = compiled.CreateCache(expected.InputIds.Length + DecodeSteps);

        using var eagerPrefill = model.Prefill(expected.InputIds, eagerCache);
        using var compiledPrefill = compiled.Prefill(expected.InputIds, compiledCache);
        Assert.True(compiled.FusedProjections);
        Assert.Equal(0, MaxDifference(eagerPrefill, compiledPrefill));
        for (int step = 0; step < DecodeSteps; step++)
        {
            int token = expected.Greedy24[step];
            using var eager = model.Decode(token, eagerCache);
            using var actual = compiled.Decode(token, compiledCache);
            // Decode runs the C# operators between the projections: float32 rounding apart from eager.
            Assert.True(MaxDifference(eager, actual) <= 1e-5, $"decode step {step} logits differ");
        }
    }

    [Fact]
    public void ScriptedDecodeSegmentsGiveEagersLogitsExactly()
    {
        var expected = ExpectedCase.Load("tiny", "B");
        using var model = QuantizedModel("tiny", QuantScheme.SymmetricGroupwise, 1);
        using var compiled = CompiledDecoder.Compile(model,
            WithQuantizer(Int4Kernel.Managed) with { ScriptedDecode = true });
        using var eagerCache = model.CreateCache(expected.InputIds.Length + DecodeSteps);
        using var compiledCache = compiled.CreateCache(expected.InputIds.Length + DecodeSteps);

        model.Prefill(expected.InputIds, eagerCache).Dispose();
        compiled.Prefill(expected.InputIds, compiledCache).Dispose();
        for (int step = 0; step < DecodeSteps; step++)
        {
            int token = expected.Greedy24[step];
            using var eager = model.Decode(token, eagerCache);
            using var actual = compiled.Decode(token, compiledCache);
            Assert.True(MaxDifference(eager, actual) == 0, $"decode step {step} logits differ");
        }
    }

    [Theory]
    [InlineData("tiny", "B", QuantScheme.SymmetricGroupwise, 1)]
    [InlineData("tiny-odd", "C", QuantScheme.SymmetricChannelwise, 2)]
    public void FusedManagedProjectionsGiveTheLogitsOfUnfusedOnesExactly(string fixture, string caseName,
        QuantScheme scheme, int threads)
    {
        var expected = ExpectedCase.Load(fixture, caseName);
        using var model = QuantizedModel(fixture, scheme, threads);
        using var fused = CompiledDecoder.Compile(model, WithQuantizer(Int4Kernel.Managed));
        using var unfused = CompiledDecoder.Compile(model, WithQuantizer(Int4Kernel.Managed) with { Fuse = null });
        using var fusedCache = fused.CreateCache(expected.InputIds.Length + DecodeSteps);
        using var unfusedCache = unfused.CreateCache(expected.InputIds.Length + DecodeSteps);

        using var fusedPrefill = fused.Prefill(expected.InputIds, fusedCache);
        using var unfusedPrefill = unfused.Prefill(expected.InputIds, unfusedCache);
        Assert.True(fused.FusedProjections);
        Assert.False(unfused.FusedProjections);
        Assert.Equal(0, MaxDifference(fusedPrefill, unfusedPrefill));
        for (int step = 0; step < DecodeSteps; step++)
        {
            int token = expected.Greedy24[step];
            using var one = fused.Decode(token, fusedCache);
            using var other = unfused.Decode(token, unfusedCache);
            Assert.True(MaxDifference(one, other) == 0, $"decode step {step} logits differ");
        }
    }

    static GemmaModel QuantizedModel(string fixture, QuantScheme scheme, int threads)
    {
        var model = GemmaModel.Load(TestPaths.Checkpoint(fixture), ScalarType.Float32, deferConversion: true);
        var options = new QuantOptions { Scheme = scheme, Kernel = Int4Kernel.Managed, Threads = threads };
        model.ReplaceLinears((_, weight) => Quantizer.CreateLinear(weight, options));
        return model;
    }

    [Theory]
    [InlineData(Int4Kernel.Reference)]
    [InlineData(Int4Kernel.Int4Pack)]
    public void ProjectionsTheQuantizerCannotFuseRunOneByOneWithEagersTokens(Int4Kernel kernel)
    {
        var expected = ExpectedCase.Load("tiny", "A");
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny"), ScalarType.Float32, deferConversion: true);
        var options = new QuantOptions { Kernel = kernel, Threads = 1 };
        model.ReplaceLinears((_, weight) => Quantizer.CreateLinear(weight, options));
        var compileOptions = WithQuantizer(kernel) with { Arrangement = CompileArrangement.Segments };
        using var compiled = CompiledDecoder.Compile(model, compileOptions);

        var eager = new Generator(model).Generate(expected.InputIds, Greedy24);
        var actual = new Generator(compiled).Generate(expected.InputIds, Greedy24);

        Assert.False(compiled.FusedProjections);
        Assert.Equal(eager.TokenIds, actual.TokenIds);
    }

    static CompileOptions WithQuantizer(Int4Kernel kernel) => new()
    {
        Kernel = kernel.ToString().ToLowerInvariant(),
        Fuse = Quantizer.Fuse,
        ForwardInto = Quantizer.ForwardInto,
    };

    [Fact]
    public void WholeStepRefusesProjectionsItCannotScript()
    {
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny"), ScalarType.Float32, deferConversion: true);
        var options = new QuantOptions { Kernel = Int4Kernel.Managed, Threads = 1 };
        model.ReplaceLinears((_, weight) => Quantizer.CreateLinear(weight, options));

        var error = Assert.Throws<ModelException>(() => CompiledDecoder.Compile(model, CompileArrangement.WholeStep));

        Assert.Contains("whole-step", error.Message);
    }

    [Fact]
    public void CompileTimeIsMeasured()
    {
        using var model = GemmaModel.Load(TestPaths.Checkpoint("tiny"), ScalarType.Float32);
        using var compiled = CompiledDecoder.Compile(model);

        Assert.InRange(compiled.CompileSeconds, 1e-6, 60);
    }

    static readonly GenerationOptions Greedy24 = new() { MaxNewTokens = 24, StopAtEos = false };

    static double MaxDifference(Tensor a, Tensor b)
    {
        using var difference = (a - b).abs().max();
        return difference.item<float>();
    }
}
