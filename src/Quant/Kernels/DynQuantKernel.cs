using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant.Kernels;

/// <summary>
/// libtorch's 8-bit-activation × 4-bit-weight operators (<c>_dyn_quant_matmul_4bit</c>). Limitation: they are
/// fast only on Arm (KleidiAI); on x86 libtorch runs a scalar reference with float32 activations quantized
/// per row, so this kernel is for comparison, not speed.
/// </summary>
internal sealed class DynQuantKernel : ILinearKernel
{
    private readonly Tensor _packed;
    private readonly int _groupSize;
    private readonly int _in;
    private readonly int _out;

    public DynQuantKernel(Int4Weight weight)
    {
        (_groupSize, _in, _out) = (weight.GroupSize, weight.Columns, weight.Rows);
        if (_in % 2 != 0 || (_groupSize != _in && _groupSize % 32 != 0))
            throw new QuantException($"--int4-kernel dynquant needs an even input width and group size 32·n; " +
                $"got width {_in}, group size {_groupSize}.");
        var nibbles = new byte[(long)_out * _in / 2];
        Parallel.For(0, _out, r =>
        {
            for (int c = 0; c < _in; c += 2)
            {
                int low = weight.Values[(long)r * _in + c] + 8, high = weight.Values[(long)r * _in + c + 1] + 8;
                nibbles[((long)r * _in + c) / 2] = (byte)(low | (high << 4));
            }
        });
        using var scope = NewDisposeScope();
        _packed = LibTorchScripts.Invoke("dyn_quant_pack", tensor(nibbles, [_out, _in / 2]),
            tensor(weight.Scales, [_out, weight.GroupsPerRow]), (long)_groupSize, (long)_in, (long)_out)
            .MoveToOuterDisposeScope();
    }

    public string Name => "dynquant";

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var output = LibTorchScripts.Invoke("dyn_quant_mm", x.to(ScalarType.Float32).contiguous(), _packed,
            (long)_groupSize, (long)_in, (long)_out);
        return output.to(x.dtype).MoveToOuterDisposeScope();
    }

    public void Dispose() => _packed.Dispose();
}
