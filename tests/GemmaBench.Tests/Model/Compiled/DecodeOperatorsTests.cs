using GemmaBench.Model.Checkpoint;
using GemmaBench.Model.Compiled;
using static TorchSharp.torch;

namespace GemmaBench.Tests.Model.Compiled;

/// <summary>The C# decode operators against the scripted segments they replace, on random inputs.</summary>
public unsafe class DecodeOperatorsTests
{
    const double Eps = 1e-6;
    const double Tolerance = 2e-6;

    static readonly Lazy<DecoderScript> Script = new(DecoderScript.Compile);

    [Theory]
    [InlineData(64)]
    [InlineData(70)]
    [InlineData(640)]
    public void AddNormedMatchesTheScriptedResidualAndNorms(int width)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(5);
        var x = randn([1, 1, width], generator: generator) * 30;
        var y = randn([1, 1, width], generator: generator) * 4;
        var (yScale, nextScale) = (rand([width], generator: generator) + 0.5, rand([width], generator: generator));
        var expectedX = x.clone();
        var expectedH = empty_like(x);
        var h = empty_like(x);
        Script.Value.AfterAttentionInto(expectedX, y, yScale, nextScale, Eps, expectedH);

        using var operators = new DecodeOperators(1, 1, 16, Eps);
        operators.AddNormed(Floats(x), Floats(y), Floats(yScale), Floats(nextScale), Floats(h), width);

        AssertClose(expectedX, x);
        AssertClose(expectedH, h);
    }

    [Theory]
    [InlineData(128)]
    [InlineData(2051)]
    public void GeluGateMatchesLibtorchsTanhGelu(int width)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(6);
        var gateUp = randn([1, 1, 2 * width], generator: generator) * 3;
        gateUp[0, 0, 0] = tensor(-40f);
        gateUp[0, 0, 1] = tensor(40f);
        gateUp[0, 0, 2] = tensor(0f);
        var expected = empty([1, 1, width]);
        var actual = empty([1, 1, width]);
        Script.Value.GatedInto(gateUp, expected);

        DecodeOperators.GeluGate(Floats(gateUp), Floats(actual), width);

        AssertClose(expected, actual);
    }

    public static TheoryData<int, int, int, int, long> AttentionCases => new()
    {
        // heads, kv heads, head_dim, slots, position
        { 4, 1, 256, 512, 0 },
        { 4, 1, 256, 512, 54 },
        { 4, 2, 32, 8, 7 },
        { 4, 2, 32, 8, 19 },  // sliding window wrapped: slot 3 of 8
        { 3, 1, 24, 6, 13 },  // half of head_dim is not a whole number of vectors
        { 8, 4, 16, 40, 39 },
        { 2, 2, 32, 16, 9 },  // one query head per KV head
        { 5, 1, 32, 16, 20 }, // a group of five: a block of four and a block of one
    };

    [Theory]
    [MemberData(nameof(AttentionCases))]
    public void AttendMatchesTheScriptedDecodeAttentionAndWritesTheSameCache(int heads, int kvHeads, int headDim,
        int slots, long position)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(7);
        int rows = heads + kvHeads;
        var qkv = randn([1, 1, (rows + kvHeads) * headDim], generator: generator) * 2;
        var norm = rand([rows, headDim], generator: generator) + 0.5;
        var angles = randn([1, headDim], generator: generator);
        var (cos, signedSin) = (angles.cos(), angles.sin());
        var keys = randn([1, kvHeads, slots, headDim], generator: generator);
        var values = randn([1, kvHeads, slots, headDim], generator: generator);
        var (expectedKeys, expectedValues) = (keys.clone(), values.clone());
        var inputs = new DecoderScript.AttentionInputs(norm, Eps, cos, signedSin, expectedKeys, expectedValues,
            heads, kvHeads, headDim);
        var expected = Script.Value.AttentionDecode(qkv, inputs, cos, signedSin, position);
        var actual = empty([1, 1, heads * headDim]);

        using var operators = new DecodeOperators(heads, kvHeads, headDim, Eps);
        operators.Attend(Floats(qkv), Floats(norm), Floats(cos), Floats(signedSin), Floats(keys), Floats(values),
            slots, position, Floats(actual));

        AssertClose(expectedKeys, keys);
        AssertClose(expectedValues, values);
        AssertClose(expected, actual);
    }

    [Fact]
    public void HeadDimsThatAreNotWholeVectorsAreLeftToTheScript()
    {
        Assert.True(DecodeOperators.Supports(256));
        Assert.False(DecodeOperators.Supports(System.Numerics.Vector<float>.Count + 1));
    }

    static float* Floats(Tensor t) => (float*)NativeMemory.DataAddress(t);

    static void AssertClose(Tensor expected, Tensor actual)
    {
        using var scope = NewDisposeScope();
        double bound = Tolerance * Math.Max(1, expected.abs().max().item<float>());
        double difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference <= bound, $"max difference {difference:E2} exceeds {bound:E2}");
    }
}
