using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>
/// Several managed kernels with the same input width run as one: the activations are quantized once, the
/// output rows of all parts are shared out to the worker threads as one range, and part i writes its columns
/// of one output [rows, sum of outs]. It reads the parts' packed weights where they are (no copy) and owns
/// none of them. Each output value is computed exactly as its part computes it alone.
/// </summary>
internal sealed unsafe class FusedManagedKernel : ILinearKernel, IParallelWork
{
    private readonly ManagedKernel[] _parts;
    private readonly ILinearKernel[]? _autoParts;
    private readonly int[] _offsets;
    private readonly int _columns;
    private readonly QuantizedActivations _activations;
    private readonly WorkerThreads _threads;
    private float* _output;

    private FusedManagedKernel(ManagedKernel[] parts, ILinearKernel[]? autoParts)
    {
        (_parts, _autoParts) = (parts, autoParts);
        _offsets = new int[parts.Length + 1];
        for (int i = 0; i < parts.Length; i++)
            _offsets[i + 1] = _offsets[i] + parts[i].OutFeatures;
        _columns = parts[0].InFeatures;
        _activations = new QuantizedActivations(parts[0].BlocksPerRow);
        _threads = parts[0].Threads;
    }

    /// <summary>The fused kernel, or null when the parts differ in input width, path or thread count. With
    /// <paramref name="autoParts"/> (the parts' auto kernels) prompts of <see cref="AutoKernel.PrefillRows"/>
    /// rows or more run through each auto kernel, as they would unfused.</summary>
    public static FusedManagedKernel? TryCreate(IReadOnlyList<ManagedKernel> parts,
        IReadOnlyList<ILinearKernel>? autoParts = null)
    {
        if (parts.Count == 0)
            return null;
        var first = parts[0];
        foreach (var part in parts)
        {
            if (part.InFeatures != first.InFeatures || part.Path != first.Path || part.Threads != first.Threads)
                return null;
        }
        return new FusedManagedKernel([.. parts], autoParts is null ? null : [.. autoParts]);
    }

    public string Name => "fused " + _parts[0].Name;

    public int OutFeatures => _offsets[^1];

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var input = x.to(ScalarType.Float32).contiguous();
        var output = empty([input.shape[0], OutFeatures], ScalarType.Float32);
        Multiply(input, output);
        return (x.dtype == ScalarType.Float32 ? output : output.to(x.dtype)).MoveToOuterDisposeScope();
    }

    public void ForwardInto(Tensor x, Tensor output)
    {
        if (x.dtype != ScalarType.Float32 || output.dtype != ScalarType.Float32)
        {
            using var scope = NewDisposeScope();
            output.copy_(Forward(x.view(-1, x.size(-1))));
            return;
        }
        Multiply(x, output);
    }

    public void Execute(int first, int end)
    {
        for (int i = 0; i < _parts.Length; i++)
        {
            int from = Math.Max(first, _offsets[i]), to = Math.Min(end, _offsets[i + 1]);
            if (from < to)
                _parts[i].MultiplyRows(_activations, _output + _offsets[i], OutFeatures, from - _offsets[i],
                    to - _offsets[i]);
        }
    }

    /// <summary>Disposes the activation buffer only: the packed weights belong to the parts.</summary>
    public void Dispose() => _activations.Dispose();

    private void Multiply(Tensor x, Tensor output)
    {
        int rows = checked((int)(x.numel() / _columns));
        if (_autoParts is not null && rows >= AutoKernel.PrefillRows)
        {
            using var scope = NewDisposeScope();
            var input = x.view(rows, _columns);
            var columns = output.view(rows, OutFeatures);
            for (int i = 0; i < _autoParts.Length; i++)
                columns.narrow(1, _offsets[i], _offsets[i + 1] - _offsets[i]).copy_(_autoParts[i].Forward(input));
            return;
        }
        _activations.Quantize((float*)TensorMemory.Pointer(x, ScalarType.Float32), rows, _columns);
        _output = (float*)TensorMemory.Pointer(output, ScalarType.Float32);
        _threads.Run(this, OutFeatures, 4, _parts[0].RowBytes);
        _output = null;
    }
}
