using Microsoft.ML.Tokenizers;

namespace GemmaBench.Model.Tokenizer;

/// <summary>Cuts normalized text into words before each '▁' that no vocabulary piece joins to the
/// character in front of it. Hugging Face merges a whole text segment at once; since no merge can
/// produce a piece spanning such a cut, merging word by word gives the same tokens, and lets the merge
/// loop work on short, cacheable words instead of a whole 20,000-character prompt.</summary>
sealed class WordPreTokenizer : PreTokenizer
{
    const char Space = '\u2581';

    // Characters that some piece has right in front of a '▁' (for Gemma-3: '▁' itself and '>').
    readonly bool[] _joinsSpace = new bool[char.MaxValue + 1];

    public WordPreTokenizer(IEnumerable<string> pieces)
    {
        foreach (string piece in pieces)
        {
            if (piece.Length < 2)
                continue;
            for (int i = piece.IndexOf(Space, 1); i > 0; i = piece.IndexOf(Space, i + 1))
                _joinsSpace[piece[i - 1]] = true;
        }
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => Split(text);

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text);

    List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var words = new List<(int, int)>(text.Length / 4 + 1);
        int start = 0;
        for (int i = 1; i < text.Length; i++)
        {
            if (text[i] == Space && !_joinsSpace[text[i - 1]])
            {
                words.Add((start, i - start));
                start = i;
            }
        }
        if (text.Length > 0)
            words.Add((start, text.Length - start));
        return words;
    }
}
