namespace GemmaBench.Tool;

/// <summary>The original benchmark script's prompt: 55 Gemma-3 tokens with BOS.</summary>
public static class DefaultPrompt
{
    public const string Text =
        "In a distant world where magic and technology coexist, a mysterious artifact is discovered " +
        "deep beneath an ancient city. Legends say the artifact can bend time and space, but it comes " +
        "with a price. As various factions race to claim it, a young adventurer\u2014either a reluctant,";
}
