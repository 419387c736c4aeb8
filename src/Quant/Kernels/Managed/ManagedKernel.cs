using System.Runtime.CompilerServices;
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

    public ManagedKernel(Int4Weight weight, int threads, ManagedPath? path = null)
        : this(new PackedWeight(weight), threads, path)
    {
    }

    /// <summary>A kernel over weights already packed (it owns and disposes them).</summary>
    public ManagedKernel(PackedWeight weight, int threads, ManagedPath? path = null)
    {
        _path = path ?? ManagedPaths.Best;
        if (!ManagedPaths.IsSupported(_path))
        {
            weight.Dispose();
            throw new QuantException($"The managed kernel's {_path} path is not supported by this CPU.");
        }
        _weight = weight;
        _activations = new QuantizedActivations(_weight.BlocksPerRow);
        _threads = WorkerThreads.Shared(threads);
    }

    public string Name =>
        $"managed ({_path.ToString().ToLowerInvariant()}, {_threads.Count} thread{(_threads.Count == 1 ? "" : "s")})";

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
        _threads.Run(this, _weight.Rows, 4, _weight.RowBytes);
        _output = null;
        return (x.dtype == ScalarType.Float32 ? output : output.to(x.dtype)).MoveToOuterDisposeScope();
    }

    internal ManagedPath Path => _path;

    internal int BlocksPerRow => _weight.BlocksPerRow;

    internal int RowBytes => _weight.RowBytes;

    internal WorkerThreads Threads => _threads;

    /// <summary>Like <see cref="Forward"/> without allocating: float32 x [..., in] into float32 output
    /// [..., out], both contiguous; the activations reuse this kernel's quantization buffer.</summary>
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
        _threads.Run(this, _weight.Rows, 4, _weight.RowBytes);
        _output = null;
    }

    /// <summary>The weight as bfloat16 [out, in], for prefill through libtorch's matrix product.</summary>
    public Tensor DequantizeBFloat16()
    {
        var result = empty([_weight.Rows, _weight.Columns], ScalarType.BFloat16);
        DequantizeBFloat16(result);
        return result;
    }

    /// <summary>Writes the weight as bfloat16 into a contiguous [out, in] tensor.</summary>
    public void DequantizeBFloat16(Tensor destination) => DequantizeBFloat16(destination, lookUp: true);

    /// <summary>As <see cref="DequantizeBFloat16(Tensor)"/>; without lookUp, by the per-weight conversion
    /// (the path of CPUs without AVX-512 VBMI), for tests and benchmarks.</summary>
    internal void DequantizeBFloat16(Tensor destination, bool lookUp)
    {
        if (destination.shape[0] != _weight.Rows || destination.shape[1] != _weight.Columns)
            throw new QuantException(
                $"Internal: dequantizing into shape [{string.Join(", ", destination.shape)}].");
        var dst = (ushort*)TensorMemory.Pointer(destination, ScalarType.BFloat16);
        // On the calling thread only: libtorch's OpenMP threads run the matrix product right after, and
        // waking our workers in between made them fight for the cores (2-thread prefill of the synthetic
        // 270m: median ~440 tok/s with workers, ~540–700 without, both still varying run to run).
        BFloat16Dequantizer.Rows(_weight, dst, 0, _weight.Rows, lookUp);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int first, int end) => MultiplyRows(_activations, _output, _weight.Rows, first, end);

    /// <summary>Weight rows [first, end) against every activation row: output[m * stride + n]. Shared with
    /// <see cref="FusedManagedKernel"/>, which passes activations quantized once for all its parts and an
    /// output pointer offset to this part's columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void MultiplyRows(QuantizedActivations activations, float* output, int stride, int first, int end)
    {
        int tokens = activations.Rows;
        int tiled = _path == ManagedPath.Avx512 ? tokens / 4 * 4 : 0;
        for (int n = first; n < end; n++)
        {
            for (int m = 0; m < tiled; m += 4)
                DotAvx512.Dot4(_weight.RowWeights(n), _weight.RowScales(n), activations, m,
                    output + (long)m * stride + n, stride);
        }
        for (int m = tiled; m < tokens; m++)
            DotRows(activations, output + (long)m * stride, m, first, end);
    }

    public void Dispose()
    {
        _weight.Dispose();
        _activations.Dispose();
    }

    /// <summary>One token against weight rows [first, end), in tiles of four rows where the path allows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DotRows(QuantizedActivations activations, float* output, int token, int first, int end)
    {
        int n = first;
        if (_path == ManagedPath.Avx512)
        {
            for (; n % PackedWeight.TileRows != 0 && n < end; n++)
                output[n] = DotAvx512.Dot1(_weight.RowWeights(n), _weight.RowScales(n), activations, token);
            int tiles = (end - n) / PackedWeight.TileRows;
            if (tiles > 0)
                DotAvx512.Tiles(_weight.RowWeights(n), _weight.RowScales(n), tiles, activations, token, output + n);
            n += tiles * PackedWeight.TileRows;
        }
        for (; n < end; n++)
        {
            byte* w = _weight.RowWeights(n);
            ushort* ws = _weight.RowScales(n);
            output[n] = _path switch
            {
                ManagedPath.Avx512 => DotAvx512.Dot1(w, ws, activations, token),
                ManagedPath.Avx2 => DotAvx2.Dot1(w, ws, activations, token),
                _ => DotPortable.Dot1(w, ws, activations, token),
            };
        }
    }
}
