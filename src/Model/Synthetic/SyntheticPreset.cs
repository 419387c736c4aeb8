namespace GemmaBench.Model;

/// <summary>The shape of a synthetic Gemma-3 checkpoint: real model sizes (tests/fixtures/README.md) and tiny
/// ones for tests. Multimodal presets are written as Gemma3ForConditionalGeneration.</summary>
public sealed record SyntheticPreset(string Name, int VocabSize, int HiddenSize, int IntermediateSize, int NumLayers,
    int NumHeads, int NumKvHeads, int HeadDim, int SlidingWindow)
{
    public double QueryPreAttnScalar { get; init; } = 256;
    public double? LinearRopeScaling { get; init; }
    public bool IsMultimodal { get; init; }
    public int SlidingWindowPattern { get; init; } = 6;
    public int MaxPositionEmbeddings { get; init; } = 32768;

    public static IReadOnlyList<SyntheticPreset> All { get; } =
    [
        new("gemma-3-270m", 262144, 640, 2048, 18, 4, 1, 256, 512),
        new("gemma-3-1b", 262144, 1152, 6912, 26, 4, 1, 256, 512),
        new("gemma-3-4b", 262208, 2560, 10240, 34, 8, 4, 256, 1024) { LinearRopeScaling = 8, IsMultimodal = true,
            MaxPositionEmbeddings = 131072 },
        new("gemma-3-12b", 262208, 3840, 15360, 48, 16, 8, 256, 1024) { LinearRopeScaling = 8, IsMultimodal = true,
            MaxPositionEmbeddings = 131072 },
        new("gemma-3-27b", 262208, 5376, 21504, 62, 32, 16, 256, 1024) { LinearRopeScaling = 8, IsMultimodal = true,
            MaxPositionEmbeddings = 131072, QueryPreAttnScalar = 168 },
        new("tiny", 512, 64, 128, 6, 4, 2, 32, 8) { QueryPreAttnScalar = 24 },
        new("tiny-multimodal", 512, 48, 96, 4, 4, 2, 16, 4) { LinearRopeScaling = 8, IsMultimodal = true,
            QueryPreAttnScalar = 16, SlidingWindowPattern = 2 },
    ];

    public static SyntheticPreset Get(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new ModelException(
            $"unknown preset '{name}'; choose one of {string.Join(", ", All.Select(p => p.Name))}.");

    public bool IsGlobalLayer(int layer) => (layer + 1) % SlidingWindowPattern == 0;

    /// <summary>Parameter count of the text model (tied embedding counted once).</summary>
    public long ParameterCount
    {
        get
        {
            long q = (long)NumHeads * HeadDim, kv = (long)NumKvHeads * HeadDim;
            long attention = HiddenSize * (q + 2 * kv) + q * HiddenSize + 2L * HeadDim;
            long mlp = 3L * HiddenSize * IntermediateSize;
            return (long)VocabSize * HiddenSize + NumLayers * (attention + mlp + 4L * HiddenSize) + HiddenSize;
        }
    }
}
