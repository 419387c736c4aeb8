namespace GemmaBench.Model.Tokenizer;

/// <summary>Finds added tokens (special tokens, whitespace runs, HTML tags...) in the raw text the way
/// Hugging Face does: scanning left to right, the longest token starting at the first position where
/// any token starts wins, so "\n\n\n" is one token, not three.</summary>
sealed class AddedTokenMatcher
{
    // A trie over the tokens' UTF-16 text: edges keyed by (node, char), a token id per node or -1.
    readonly Dictionary<long, int> _edges = [];
    readonly List<int> _tokenAtNode = [-1];
    readonly bool[] _startsAToken = new bool[char.MaxValue + 1];

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        foreach (var token in tokens)
        {
            int node = 0;
            foreach (char c in token.Content)
            {
                long key = Key(node, c);
                if (!_edges.TryGetValue(key, out int child))
                {
                    child = _tokenAtNode.Count;
                    _tokenAtNode.Add(-1);
                    _edges.Add(key, child);
                }
                node = child;
            }
            _tokenAtNode[node] = token.Id;
            _startsAToken[token.Content[0]] = true;
        }
    }

    /// <summary>The longest added token starting at <paramref name="start"/>, if any.</summary>
    public bool TryMatch(ReadOnlySpan<char> text, int start, out int length, out int id)
    {
        length = 0;
        id = -1;
        if (!_startsAToken[text[start]])
            return false;

        int node = 0;
        for (int i = start; i < text.Length && _edges.TryGetValue(Key(node, text[i]), out node); i++)
        {
            if (_tokenAtNode[node] >= 0)
            {
                length = i + 1 - start;
                id = _tokenAtNode[node];
            }
        }
        return id >= 0;
    }

    static long Key(int node, char c) => ((long)node << 16) | c;
}
