using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant.Kernels.Managed;

/// <summary>
/// Our C# kernel: activations quantized to int8 per group of 32 on the fly, integer dot products with the
/// packed 4-bit weights, output rows split statically across the worker threads.
/// </summary>
internal sealed unsafe class ManagedKernel : ILinearKernel, IParallelWork
{
    private readonly PackedWeight _weight;
    private readonly QuantizedActivations _activations;
    private readonly WorkerThreads _threads;
    private readonly ManagedPath _path;
    private float* _output;
    private ushort* _dequantized;

    public ManagedKernel(Int4Weight weight, int threads, ManagedPath? path = null)
    {
        _path = path ?? ManagedPaths.Best;
        if (!ManagedPaths.IsSupported(_path))
            throw new QuantException($"The managed kernel's {_path} path is not supported by this CPU.");
        _weight = new PackedWeight(weight);
        _activations = new QuantizedActivations(_weight.BlocksPerRow);
        _threads = WorkerThreads.Shared(threads);
    }

    public string Name => $"managed ({_path.ToString().ToLowerInvariant()}, {_threads.Count} threads)";

    public int InFeatures => _weight.Columns;

    public int OutFeatures => _weight.Rows;

    public long WeightBytes => _weight.Bytes;

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var input = x.to(ScalarType.Float32).contiguous();
        int rows = checked((int)input.shape[0]);
        _activations.Quantize((float*)TensorMemory.Pointer(input, ScalarType.Float32), rows, _weight.Columns);

        var output = empty([rows, _weight.Rows], ScalarType.Float32);
        _output = (float*)TensorMemory.Pointer(output, ScalarType.Float32);
        _threads.Run(this);
        _output = null;
        return (x.dtype == ScalarType.Float32 ? output : output.to(x.dtype)).MoveToOuterDisposeScope();
    }

    internal ManagedPath Path => _path;

    internal int BlocksPerRow => _weight.BlocksPerRow;

    internal WorkerThreads Threads => _threads;

    /// <summary>Like <see cref="Forward"/> without allocating: float32 x [rows, in] into float32 output
    /// [rows, out], both contiguous; the activations reuse this kernel's quantization buffer.</summary>
    public void ForwardInto(Tensor x, Tensor output)
    {
        if (x.dtype != ScalarType.Float32 || output.dtype != ScalarType.Float32)
        {
            using var scope = NewDisposeScope();
            output.copy_(Forward(x.view(-1, x.size(-1))));
            return;
        }
        int rows = checked((int)(x.numel() / _weight.Columns));
        _activations.Quantize((float*)TensorMemory.Pointer(x, ScalarType.Float32), rows, _weight.Columns);
        _output = (float*)TensorMemory.Pointer(output, ScalarType.Float32);
        _threads.Run(this);
        _output = null;
    }

    /// <summary>The weight as bfloat16 [out, in], for prefill through libtorch's matrix product.</summary>
    public Tensor DequantizeBFloat16()
    {
        var result = empty([_weight.Rows, _weight.Columns], ScalarType.BFloat16);
        _dequantized = (ushort*)TensorMemory.Pointer(result, ScalarType.BFloat16);
        _threads.Run(this);
        _dequantized = null;
        return result;
    }

    public void Execute(int worker, int workers)
    {
        int first = (int)((long)_weight.Rows * worker / workers);
        int end = (int)((long)_weight.Rows * (worker + 1) / workers);
        if (_dequantized != null)
        {
            for (int n = first; n < end; n++)
                DequantizeRow(n);
            return;
        }
        MultiplyRows(_activations, _output, _weight.Rows, first, end);
    }

    /// <summary>Output columns [first, end) of every activation row: output[m * stride + n] for weight row n.
    /// Shared with <see cref="FusedManagedKernel"/>, which passes activations quantized once for all its parts
    /// and an output pointer offset to this part's columns.</summary>
    internal void MultiplyRows(QuantizedActivations activations, float* output, int stride, int first, int end)
    {
        int tokens = activations.Rows;
        for (int n = first; n < end; n++)
        {
            byte* w = _weight.RowWeights(n);
            ushort* ws = _weight.RowScales(n);
            int m = 0;
            if (_path == ManagedPath.Avx512)
                for (; m + 4 <= tokens; m += 4)
                    DotAvx512.Dot4(w, ws, activations, m, output + (long)m * stride + n, stride);
            for (; m < tokens; m++)
                output[(long)m * stride + n] = _path switch
                {
                    ManagedPath.Avx512 => DotAvx512.Dot1(w, ws, activations, m),
                    ManagedPath.Avx2 => DotAvx2.Dot1(w, ws, activations, m),
                    _ => DotPortable.Dot1(w, ws, activations, m),
                };
        }
    }

    public void Dispose()
    {
        _weight.Dispose();
        _activations.Dispose();
    }

    private void DequantizeRow(int n)
    {
        byte* w = _weight.RowWeights(n);
        ushort* ws = _weight.RowScales(n);
        ushort* dst = _dequantized + (long)n * _weight.Columns;
        for (int k = 0; k < _weight.Columns; k++)
        {
            int g = k / 32, i = k % 32;
            byte packed = w[g * 16 + (i & 15)];
            int value = (i < 16 ? packed & 0x0F : packed >> 4) - 8;
            dst[k] = PackedWeight.ToBFloat16(value * PackedWeight.FromBFloat16(ws[g]));
        }
    }
}
