using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Microsoft.ML.Tokenizers;

namespace GemmaBench.Model.Tokenizer;

/// <summary>The Gemma-3 tokenizer, giving the same ids and text as Hugging Face's. Microsoft.ML's
/// <see cref="BpeTokenizer"/> runs the merges; around it this class matches added tokens in the raw
/// text, replaces ' ' by '▁', falls back to byte pieces (&lt;0xXX&gt;) for characters the vocabulary
/// lacks, adds BOS, and decodes byte pieces back into UTF-8 text.</summary>
public sealed class GemmaTokenizer
{
    const char Space = '\u2581';

    readonly BpeTokenizer _bpe;
    readonly AddedTokenMatcher _addedTokens;
    readonly int[] _byteIds = new int[256];
    readonly string?[] _text;       // by id: the piece's decoded text ('▁' as ' '), null for unused ids
    readonly short[] _byteValue;    // by id: the byte a <0xXX> piece stands for, -1 for other pieces
    readonly bool[] _special;
    readonly bool[] _knownChar = new bool[char.MaxValue + 1];
    readonly HashSet<int> _knownSupplementaryChars = [];

    public int BosId { get; }

    /// <summary>The id of tokenizer_config.json's eos_token (&lt;end_of_turn&gt; for Gemma-3).</summary>
    public int EosId { get; }

    /// <summary>tokenizer_config.json's add_bos_token: whether prompts should start with BOS.</summary>
    public bool AddsBos { get; }

    /// <summary>Ids run from 0 to VocabSize - 1.</summary>
    public int VocabSize => _text.Length;

    readonly string? _chatTemplate;
    readonly string _configPath;

    GemmaTokenizer(TokenizerFiles files, string modelDir)
    {
        string jsonPath = Path.Combine(modelDir, TokenizerFiles.TokenizerJson);
        try
        {
            _bpe = BpeTokenizer.Create(new BpeOptions(files.Vocabulary)
            {
                Merges = files.Merges,
                PreTokenizer = new WordPreTokenizer(files.Vocabulary.Select(p => p.Key)),
            });
        }
        catch (InvalidOperationException e)
        {
            throw new ModelException($"{jsonPath} is not a usable Gemma-3 tokenizer file: {e.Message}; " +
                "download the model (or run eng/fetch-tokenizer.sh) again.", e);
        }

        int size = 1 + Math.Max(files.Vocabulary.Max(p => p.Value), files.AddedTokens.Max(t => t.Id));
        _text = new string?[size];
        _byteValue = new short[size];
        _special = new bool[size];
        Array.Fill(_byteValue, (short)-1);
        Array.Fill(_byteIds, -1);
        foreach (var (piece, id) in files.Vocabulary)
        {
            _text[id] = piece.Replace(Space, ' ');
            if (ByteOfPiece(piece) is int b)
            {
                _byteIds[b] = id;
                _byteValue[id] = (short)b;
            }
            if (char.IsSurrogatePair(piece, 0) && piece.Length == 2)
                _knownSupplementaryChars.Add(char.ConvertToUtf32(piece, 0));
            else if (piece.Length == 1)
                _knownChar[piece[0]] = true;
        }
        foreach (var token in files.AddedTokens)
        {
            _text[token.Id] = token.Content.Replace(Space, ' ');
            _special[token.Id] = token.Special;
        }
        _addedTokens = new AddedTokenMatcher(files.AddedTokens);

        int missingByte = Array.IndexOf(_byteIds, -1);
        if (missingByte >= 0)
            throw new ModelException($"{jsonPath} has no byte piece <0x{missingByte:X2}>, which byte " +
                "fallback needs; it is not a Gemma-3 tokenizer.");

        BosId = IdOf(files.BosToken, "bos_token", modelDir);
        EosId = IdOf(files.EosToken, "eos_token", modelDir);
        AddsBos = files.AddBos;
        _chatTemplate = files.ChatTemplate;
        _configPath = Path.Combine(modelDir, TokenizerFiles.ConfigJson);
    }

    /// <summary>Reads tokenizer.json and tokenizer_config.json from a model directory.</summary>
    /// <exception cref="ModelException">A file is missing, unreadable or not a Gemma-3 tokenizer.</exception>
    public static GemmaTokenizer Load(string modelDir) => new(TokenizerFiles.Read(modelDir), modelDir);

    // Byte pieces are named "<0xXX>" with two hex digits.
    static int? ByteOfPiece(string piece) =>
        piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
        && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, null, out byte b)
            ? b : null;

    int IdOf(string token, string field, string modelDir)
    {
        int id = Array.IndexOf(_text, token.Replace(Space, ' '));
        return id >= 0 ? id : throw new ModelException(
            $"{Path.Combine(modelDir, TokenizerFiles.ConfigJson)}: {field} '{token}' is not in " +
            "tokenizer.json; the two files do not belong together, download the model again.");
    }

    /// <summary>The ids for a text; literal special-token text such as "&lt;start_of_turn&gt;" becomes
    /// that token. With <paramref name="addBos"/>, BOS comes first (an empty text gives just BOS).</summary>
    public int[] Encode(string text, bool addBos = true)
    {
        var ids = new List<int>(text.Length / 3 + 2);
        if (addBos)
            ids.Add(BosId);

        int segmentStart = 0;
        for (int i = 0; i < text.Length;)
        {
            if (_addedTokens.TryMatch(text, i, out int length, out int id))
            {
                EncodeSegment(text.AsSpan(segmentStart, i - segmentStart), ids);
                ids.Add(id);
                i += length;
                segmentStart = i;
            }
            else
            {
                i++;
            }
        }
        EncodeSegment(text.AsSpan(segmentStart), ids);
        return [.. ids];
    }

    // Text between added tokens: normalized, then merged in runs of known characters, with each
    // unknown character's UTF-8 bytes as byte pieces in between (no merge involves a byte piece).
    void EncodeSegment(ReadOnlySpan<char> segment, List<int> ids)
    {
        if (segment.IsEmpty)
            return;
        char[] rented = ArrayPool<char>.Shared.Rent(segment.Length);
        Span<char> text = rented.AsSpan(0, segment.Length);
        segment.Replace(text, ' ', Space);

        Span<byte> bytes = stackalloc byte[4];
        int runStart = 0;
        for (int i = 0; i < text.Length;)
        {
            int length = char.IsSurrogatePair(text[i], i + 1 < text.Length ? text[i + 1] : '\0') ? 2 : 1;
            if (IsKnown(text.Slice(i, length)))
            {
                i += length;
                continue;
            }
            EncodeKnown(text[runStart..i], ids);
            int count = Encoding.UTF8.GetBytes(text.Slice(i, length), bytes);
            foreach (byte b in bytes[..count])
                ids.Add(_byteIds[b]);
            i += length;
            runStart = i;
        }
        EncodeKnown(text[runStart..], ids);
        ArrayPool<char>.Shared.Return(rented);
    }

    bool IsKnown(ReadOnlySpan<char> character) => character.Length == 1
        ? _knownChar[character[0]]
        : _knownSupplementaryChars.Contains(char.ConvertToUtf32(character[0], character[1]));

    void EncodeKnown(ReadOnlySpan<char> text, List<int> ids)
    {
        if (!text.IsEmpty)
            ids.AddRange(_bpe.EncodeToIds(text, considerPreTokenization: true, considerNormalization: false));
    }

    /// <summary>The text of a sequence of ids, as Hugging Face decodes it: byte pieces are joined into
    /// UTF-8 (a run of them that is not valid UTF-8 gives one U+FFFD per piece); ids outside the
    /// vocabulary are skipped.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (!TryGetPiece(id, skipSpecialTokens, out string? piece, out int byteValue))
                continue;
            if (byteValue >= 0)
            {
                bytes.Add((byte)byteValue);
                continue;
            }
            AppendBytes(text, bytes);
            text.Append(piece);
        }
        AppendBytes(text, bytes);
        return text.ToString();
    }

    static void AppendBytes(StringBuilder text, List<byte> bytes)
    {
        if (bytes.Count == 0)
            return;
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
        if (Utf8.IsValid(span))
            text.Append(Encoding.UTF8.GetString(span));
        else
            text.Append('\uFFFD', bytes.Count);
        bytes.Clear();
    }

    /// <summary>A decoder for ids arriving one at a time, as generation produces them.</summary>
    public StreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = false) =>
        new(this, skipSpecialTokens);

    /// <summary>What an id decodes to: a byte (byteValue ≥ 0) or a piece of text. False for ids to leave
    /// out: outside the vocabulary, or special when those are skipped.</summary>
    internal bool TryGetPiece(int id, bool skipSpecialTokens, out string? piece, out int byteValue)
    {
        piece = null;
        byteValue = -1;
        if ((uint)id >= (uint)_text.Length || _text[id] is null || (skipSpecialTokens && _special[id]))
            return false;
        piece = _text[id];
        byteValue = _byteValue[id];
        return true;
    }

    /// <summary>Whether an id is a special token (BOS, EOS, turn markers...), which decoding can skip.</summary>
    public bool IsSpecial(int id) => (uint)id < (uint)_special.Length && _special[id];

    /// <summary>The prompt for one user turn in Gemma-3's chat format, as tokenizer_config.json's
    /// template renders it (the message trimmed), but without its leading BOS: <see cref="Encode"/>
    /// adds that, so the encoded prompt has exactly one.</summary>
    /// <exception cref="ModelException">The model has no chat template, or not Gemma's.</exception>
    public string ApplyChatTemplate(string userMessage)
    {
        if (_chatTemplate is null)
            throw new ModelException($"{_configPath} has no chat_template: this model has no chat format; " +
                "leave out --chat.");
        return ChatFormat.Render(_chatTemplate, userMessage, _configPath);
    }
}
