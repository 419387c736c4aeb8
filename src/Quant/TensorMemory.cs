using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant;

/// <summary>Direct views of a contiguous CPU tensor's memory, without copies.</summary>
internal static class TensorMemory
{
    public static unsafe Span<float> Floats(Tensor t) => new((void*)Pointer(t, ScalarType.Float32), checked((int)t.numel()));

    /// <summary>The native data pointer (works for tensors over 2 GiB, unlike <c>Tensor.bytes</c>).</summary>
    public static IntPtr Pointer(Tensor t, ScalarType dtype)
    {
        if (t.dtype != dtype || !t.is_contiguous() || t.device_type != DeviceType.CPU)
            throw new QuantException($"Internal: expected a contiguous CPU {dtype} tensor, got {t.dtype}.");
        return THSTensor_data(t.Handle);
    }

    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr handle);
}
