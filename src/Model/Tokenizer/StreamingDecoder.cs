using System.Text;

namespace GemmaBench.Model.Tokenizer;

/// <summary>Turns ids into text one at a time, for printing tokens as they are generated. One UTF-8
/// decoder lives across tokens, so a character spread over several byte pieces comes out whole with
/// the last of them; <see cref="Flush"/> returns what is still pending at the end.</summary>
public sealed class StreamingDecoder
{
    readonly GemmaTokenizer _tokenizer;
    readonly bool _skipSpecialTokens;
    readonly Decoder _utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetDecoder();
    readonly byte[] _byte = new byte[1];
    readonly char[] _chars = new char[8];

    internal StreamingDecoder(GemmaTokenizer tokenizer, bool skipSpecialTokens)
    {
        _tokenizer = tokenizer;
        _skipSpecialTokens = skipSpecialTokens;
    }

    /// <summary>The text <paramref name="id"/> completes; empty while a character is incomplete.</summary>
    // Limitation: a run of byte pieces that is not valid UTF-8 gives one U+FFFD per invalid sequence,
    // where Decode (like Hugging Face) gives one per piece: streaming cannot wait for the run to end.
    public string Push(int id)
    {
        if (!_tokenizer.TryGetPiece(id, _skipSpecialTokens, out string? piece, out int byteValue))
            return "";
        if (byteValue >= 0)
        {
            _byte[0] = (byte)byteValue;
            int count = _utf8.GetChars(_byte, 0, 1, _chars, 0, flush: false);
            return new string(_chars, 0, count);
        }
        return Flush() + piece;
    }

    /// <summary>Ends the text: bytes of an unfinished character come out as U+FFFD.</summary>
    public string Flush()
    {
        int count = _utf8.GetChars([], 0, 0, _chars, 0, flush: true);
        return count == 0 ? "" : new string(_chars, 0, count);
    }
}
