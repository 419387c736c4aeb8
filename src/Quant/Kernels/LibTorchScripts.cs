using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Quant.Kernels;

/// <summary>
/// libtorch's INT4 operators that TorchSharp does not bind, reached through TorchScript compiled once per
/// process. Limitation: a semantic error in this source aborts the process instead of throwing, so a test
/// compiles it and calls every function.
/// </summary>
internal static class LibTorchScripts
{
    public const string Source = """
        def int4pack_pack(w: Tensor, inner_k_tiles: int) -> Tensor:
            return torch._convert_weight_to_int4pack_for_cpu(w, inner_k_tiles)

        def int4pack_mm(x: Tensor, w: Tensor, group_size: int, scales_and_zeros: Tensor) -> Tensor:
            return torch._weight_int4pack_mm_for_cpu(x, w, group_size, scales_and_zeros)

        def dyn_quant_pack(w: Tensor, scales: Tensor, group_size: int, k: int, n: int) -> Tensor:
            return torch._dyn_quant_pack_4bit_weight(w, scales, None, group_size, k, n)

        def dyn_quant_mm(x: Tensor, packed: Tensor, group_size: int, k: int, n: int) -> Tensor:
            return torch._dyn_quant_matmul_4bit(x, packed, group_size, k, n)
        """;

    private static readonly Lazy<jit.CompilationUnit> Unit = new(() => jit.compile(Source + "\n"));

    public static Tensor Invoke(string function, params object[] args) =>
        (Tensor)GemmaBench.Shared.HeldScriptArguments.Invoke(Unit.Value, function, args);
}
