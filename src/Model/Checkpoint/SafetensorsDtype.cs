using TorchSharp;

namespace GemmaBench.Model.Checkpoint;

/// <summary>The safetensors dtype names this project reads and writes, with their torch types.</summary>
public static class SafetensorsDtype
{
    public static bool TryParse(string name, out torch.ScalarType dtype)
    {
        (bool known, dtype) = name switch
        {
            "F32" => (true, torch.ScalarType.Float32),
            "BF16" => (true, torch.ScalarType.BFloat16),
            "F16" => (true, torch.ScalarType.Float16),
            _ => (false, torch.ScalarType.Float32),
        };
        return known;
    }

    public static string Name(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Float32 => "F32",
        torch.ScalarType.BFloat16 => "BF16",
        torch.ScalarType.Float16 => "F16",
        _ => throw new ArgumentException($"dtype {dtype} cannot be stored (F32, BF16, F16)", nameof(dtype)),
    };

    public static int Size(torch.ScalarType dtype) => dtype == torch.ScalarType.Float32 ? 4 : 2;
}
