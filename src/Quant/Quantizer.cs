using GemmaBench.Quant.Kernels;
using GemmaBench.Quant.Kernels.Managed;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant;

/// <summary>Makes the modules that replace a model's linear layers.</summary>
public static class Quantizer
{
    /// <summary>
    /// The replacement for a linear layer with weight [out, in] (any float dtype). For symmetric schemes the
    /// result is a <see cref="QuantizedLinear"/> that keeps no reference to <paramref name="weight"/>; for
    /// <see cref="QuantScheme.None"/> a plain linear over the weight as given.
    /// </summary>
    public static nn.Module<Tensor, Tensor> CreateLinear(Tensor weight, QuantOptions options)
    {
        if (weight.dim() != 2)
            throw new QuantException($"A linear weight must be 2-D [out, in]; got [{string.Join(", ", weight.shape)}].");
        if (options.Scheme == QuantScheme.None)
            return new FloatLinear(weight);
        int groupSize = options.GroupSizeFor(weight.shape[1]);
        var kernel = options.Kernel == Int4Kernel.Auto ? ResolveAuto() : options.Kernel;
        if (kernel == Int4Kernel.Managed)
        {
            var managed = new ManagedKernel(QuantizeAndPack(weight, groupSize), options.Threads);
            return new QuantizedLinear(options.Kernel == Int4Kernel.Auto ? new AutoKernel(managed) : managed,
                managed.InFeatures, managed.OutFeatures);
        }
        var quantized = Int4Weight.Quantize(weight, groupSize);
        return new QuantizedLinear(CreateKernel(quantized, options), quantized.Columns, quantized.Rows);
    }

    /// <summary>Quantizes and packs a weight a chunk of rows at a time, so the unpacked integers of a large
    /// weight (an LM head) never exist all at once, and hands each chunk's source pages back as it goes.</summary>
    static PackedWeight QuantizeAndPack(Tensor weight, int groupSize)
    {
        int rows = checked((int)weight.shape[0]), columns = checked((int)weight.shape[1]);
        int chunkRows = Math.Max(PackedWeight.TileRows, (4 << 20) / columns / PackedWeight.TileRows * PackedWeight.TileRows);
        var packed = new PackedWeight(rows, columns);
        try
        {
            for (int start = 0; start < rows; start += chunkRows)
            {
                using var part = weight.narrow(0, start, Math.Min(chunkRows, rows - start));
                packed.PackRows(Int4Weight.Quantize(part, groupSize), start);
                SourcePages.Release(part);
            }
            packed.PackPadding();
            return packed;
        }
        catch
        {
            packed.Dispose();
            throw;
        }
    }
    /// <summary>For a compiled decoder: one module computing what <paramref name="parts"/> compute from the same
    /// input, their outputs side by side, or null when they cannot be fused (see
    /// <see cref="QuantizedLinear.Fuse"/>).</summary>
    public static nn.Module<Tensor, Tensor>? Fuse(IReadOnlyList<nn.Module<Tensor, Tensor>> parts) =>
        parts.Count > 0 && parts.All(p => p is QuantizedLinear)
            ? QuantizedLinear.Fuse([.. parts.Cast<QuantizedLinear>()])
            : null;

    /// <summary>For a compiled decoder: how to run <paramref name="projection"/> into a given output without
    /// allocating (<see cref="QuantizedLinear.ForwardInto"/>), or null for modules this library did not
    /// quantize.</summary>
    public static Action<Tensor, Tensor>? ForwardInto(nn.Module<Tensor, Tensor> projection) =>
        projection is QuantizedLinear quantized ? quantized.ForwardInto : null;

    /// <summary>The kernel <see cref="Int4Kernel.Auto"/> resolves to on this machine.</summary>
    public static Int4Kernel ResolveAuto() =>
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86
            ? Int4Kernel.Managed : Int4Kernel.Int4Pack;

    internal static ILinearKernel CreateKernel(Int4Weight weight, QuantOptions options, ManagedPath? path = null)
    {
        return options.Kernel switch
        {
            Int4Kernel.Auto when ResolveAuto() == Int4Kernel.Managed => new AutoKernel(weight, options.Threads),
            Int4Kernel.Auto => new Int4PackKernel(weight),
            Int4Kernel.Managed => new ManagedKernel(weight, options.Threads, path),
            Int4Kernel.Int4Pack => new Int4PackKernel(weight),
            Int4Kernel.DynQuant => new DynQuantKernel(weight),
            _ => new ReferenceKernel(weight),
        };
    }

    private sealed class FloatLinear(Tensor weight) : nn.Module<Tensor, Tensor>(nameof(FloatLinear))
    {
        public override Tensor forward(Tensor x) => nn.functional.linear(x, weight);
    }
}
