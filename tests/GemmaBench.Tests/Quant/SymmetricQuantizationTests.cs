using GemmaBench.Quant;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Tests.Quant;

public class SymmetricQuantizationTests
{
    [Fact]
    public void Groups_get_the_scale_clipping_neither_end_and_round_half_to_even()
    {
        float[] weights =
        [
            -4f, 1.25f, 3.5f, 0f, /**/ 0f, 0f, 0f, 0f,
            1f, 2f, 3.5f, -1f, /**/ -2f, -1f, 0.5f, -0.25f,
        ];
        using var weight = tensor(weights, [2, 8]);

        var q = Int4Weight.Quantize(weight, groupSize: 4);

        Assert.Equal([0.5f, 0f, 0.5f, 0.25f], q.Scales);
        Assert.Equal(new sbyte[] { -8, 2, 7, 0, 0, 0, 0, 0, 2, 4, 7, -2, -8, -4, 2, -1 }, q.Values);
        using var back = q.Dequantize();
        Assert.Equal([-4f, 1f, 3.5f, 0f, 0f, 0f, 0f, 0f, 1f, 2f, 3.5f, -1f, -2f, -1f, 0.5f, -0.25f],
            back.data<float>().ToArray());
    }

    [Fact]
    public void Round_trip_error_stays_within_half_a_step_of_each_group()
    {
        using var weight = randn(37, 128, generator: new Generator(7)) * 0.05f;

        var q = Int4Weight.Quantize(weight, groupSize: 32);

        var original = weight.data<float>().ToArray();
        using var back = q.Dequantize();
        var restored = back.data<float>().ToArray();
        for (int i = 0; i < original.Length; i++)
        {
            float scale = q.Scales[i / 32];
            Assert.True(Math.Abs(original[i] - restored[i]) <= scale / 2 * 1.0001f,
                $"element {i}: {original[i]} became {restored[i]} with scale {scale}");
        }
        Assert.All(q.Values, v => Assert.InRange(v, (sbyte)-8, (sbyte)7));
    }

    [Theory]
    [InlineData(32, 96)]
    [InlineData(64, 128)]
    [InlineData(40, 40)]
    [InlineData(96, 96)]
    public void Every_group_matches_the_scalar_definition(int groupSize, int columns)
    {
        using var weight = randn(9, columns, generator: new Generator(11)) * 0.05f;
        var w = weight.data<float>().ToArray();

        var q = Int4Weight.Quantize(weight, groupSize);

        for (int g = 0; g < w.Length / groupSize; g++)
        {
            var group = w.AsSpan(g * groupSize, groupSize);
            float scale = Int4Weight.GroupScale(group);
            Assert.Equal(scale, q.Scales[g]);
            for (int i = 0; i < groupSize; i++)
            {
                float rounded = MathF.Round(group[i] * (1f / scale), MidpointRounding.ToEven);
                float expected = Math.Clamp(rounded, -8f, 7f);
                Assert.Equal((sbyte)expected, q.Values[g * groupSize + i]);
            }
        }
    }

    [Fact]
    public void Bfloat16_weights_quantize_like_their_float32_values()
    {
        using var weight = (randn(8, 64, generator: new Generator(3))).to(ScalarType.BFloat16);
        using var asFloat = weight.to(ScalarType.Float32);

        Assert.Equal(Int4Weight.Quantize(asFloat, 32).Values, Int4Weight.Quantize(weight, 32).Values);
    }

    [Fact]
    public void Channelwise_uses_one_scale_per_output_row()
    {
        var options = new QuantOptions { Scheme = QuantScheme.SymmetricChannelwise, GroupSize = 256 };

        Assert.Equal(1152, options.GroupSizeFor(1152));
    }

    [Theory]
    [InlineData(32, 1152)]
    [InlineData(128, 1152)]
    [InlineData(256, 1024)]
    public void Group_sizes_dividing_the_width_are_accepted(int groupSize, int width)
    {
        Assert.Equal(groupSize, new QuantOptions { GroupSize = groupSize }.GroupSizeFor(width));
    }

    [Fact]
    public void A_group_size_not_dividing_the_width_names_both()
    {
        var error = Assert.Throws<QuantException>(() => new QuantOptions { GroupSize = 256 }.GroupSizeFor(1152));

        Assert.Contains("--groupsize 256", error.Message);
        Assert.Contains("1152", error.Message);
    }

    [Fact]
    public void Unsupported_group_sizes_and_names_are_rejected()
    {
        Assert.Throws<QuantException>(() => new QuantOptions { GroupSize = 48 }.GroupSizeFor(96));
        Assert.Throws<QuantException>(() => QuantNames.ParseScheme("asymmetric"));
        Assert.Equal(Int4Kernel.Int4Pack, QuantNames.ParseKernel("int4pack"));
        Assert.Equal(QuantScheme.SymmetricGroupwise, QuantNames.ParseScheme("symmetric_groupwise"));
    }
}
