namespace GemmaBench.Bench;

/// <summary>The (in = K, out = N) shapes of Gemma-3's linear layers, the LM head last.</summary>
internal static class Shapes
{
    public static readonly (int K, int N)[] Gemma270m =
        [(640, 1024), (640, 256), (1024, 640), (640, 2048), (2048, 640), (640, 262144)];

    public static readonly (int K, int N)[] Gemma1b =
        [(1152, 1024), (1152, 256), (1024, 1152), (1152, 6912), (6912, 1152), (1152, 262144)];

    public static IEnumerable<(string Model, (int K, int N)[] Shapes)> Models(string which)
    {
        if (which is "270m" or "all")
            yield return ("270m", Gemma270m);
        if (which is "1b" or "all")
            yield return ("1b", Gemma1b);
    }
}

internal sealed record BenchOptions(
    int[] Threads, string Model, bool OmpPassive, bool Quick, string Only, string? Shape, string[]? Kernels,
    int Rows)
{
    /// <summary>Whether a shape passes --shape KxN (all shapes when not given).</summary>
    public bool Includes(int k, int n) => Shape is null || Shape == $"{k}x{n}";

    /// <summary>Whether a kernel passes --kernels a,b (all when not given).</summary>
    public bool Includes(string kernel) => Kernels is null || Kernels.Contains(kernel);

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions([1, 2], "all", false, false, "all", null, null, 55);
        for (int i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--threads" => options with { Threads = args[++i].Split(',').Select(int.Parse).ToArray() },
                "--model" => options with { Model = args[++i] },
                "--omp-passive" => options with { OmpPassive = true },
                "--quick" => options with { Quick = true },
                "--only" => options with { Only = args[++i] },
                "--rows" => options with { Rows = int.Parse(args[++i]) },
                "--shape" => options with { Shape = args[++i] },
                "--kernels" => options with { Kernels = args[++i].Split(',') },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }
        return options;
    }
}
