using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant.Kernels;

/// <summary>
/// libtorch's weight-only INT4 kernel (<c>_weight_int4pack_mm_for_cpu</c>) with bfloat16 activations. Its packed
/// layout depends on the CPU, so weights are packed here, at load time. Outputs are padded to a multiple of 16.
/// </summary>
internal sealed class Int4PackKernel : ILinearKernel
{
    private const int RowMultiple = 16;
    private readonly Tensor _packed;
    private readonly Tensor _scalesAndZeros;
    private readonly int _groupSize;
    private readonly int _outFeatures;

    public Int4PackKernel(Int4Weight weight)
    {
        _groupSize = KernelGroupSize(weight);
        _outFeatures = weight.Rows;
        InFeatures = weight.Columns;
        int rows = (weight.Rows + RowMultiple - 1) / RowMultiple * RowMultiple, k = weight.Columns;
        int groups = k / _groupSize;

        var unsigned = new int[(long)rows * k];
        var scales = new float[(long)groups * rows * 2];
        Parallel.For(0, weight.Rows, r =>
        {
            for (int c = 0; c < k; c++)
                unsigned[(long)r * k + c] = weight.Values[(long)r * k + c] + 8;
            for (int g = 0; g < groups; g++)
                scales[((long)g * rows + r) * 2] =
                    weight.Scales[r * weight.GroupsPerRow + g * _groupSize / weight.GroupSize];
        });
        for (long i = (long)weight.Rows * k; i < unsigned.Length; i++)
            unsigned[i] = 8;

        using var scope = NewDisposeScope();
        var values = tensor(unsigned, [rows, k]);
        _packed = LibTorchScripts.Invoke("int4pack_pack", values, 2L).MoveToOuterDisposeScope();
        _scalesAndZeros = tensor(scales, [groups, rows, 2]).to(ScalarType.BFloat16).MoveToOuterDisposeScope();
    }

    public string Name => "int4pack";

    /// <summary>The weight in libtorch's CPU-specific int4pack layout, [rows padded to 16, ...].</summary>
    public Tensor Packed => _packed;

    /// <summary>bfloat16 [groups, rows padded to 16, 2]: each group's scale, then its zero (always 0).</summary>
    public Tensor ScalesAndZeros => _scalesAndZeros;

    public int InFeatures { get; }

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var output = LibTorchScripts.Invoke("int4pack_mm", x.to(ScalarType.BFloat16).contiguous(), _packed,
            (long)_groupSize, _scalesAndZeros);
        if (output.shape[1] != _outFeatures)
            output = output.narrow(1, 0, _outFeatures);
        return output.to(x.dtype).contiguous().MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _packed.Dispose();
        _scalesAndZeros.Dispose();
    }

    /// <summary>libtorch takes group sizes 32 to 256; others (channelwise) repeat their scale over groups of 32.</summary>
    private static int KernelGroupSize(Int4Weight weight)
    {
        if (weight.GroupSize is 32 or 64 or 128 or 256)
            return weight.GroupSize;
        if (weight.GroupSize % 32 == 0)
            return 32;
        throw new QuantException($"--int4-kernel int4pack needs layer input widths divisible by 32; " +
            $"got {weight.Columns}. Use --int4-kernel managed or reference.");
    }
}
