using GemmaBench.Model.Tokenizer;

namespace GemmaBench.Tests.Model.Tokenizer;

[Collection(TokenizerCollection.Name)]
public sealed class GemmaTokenizerTests(TokenizerFixture fixture)
{
    readonly GemmaTokenizer _tokenizer = fixture.Tokenizer;

    // The ids of <0xF0> <0x93> <0x80> <0x80>: U+13000 EGYPTIAN HIEROGLYPH A001, which the vocabulary lacks.
    static readonly int[] HieroglyphBytes = [478, 385, 366, 366];

    [Fact]
    public void Special_ids_are_those_of_the_tokenizer_config()
    {
        Assert.Equal(2, _tokenizer.BosId);
        Assert.Equal(106, _tokenizer.EosId);
        Assert.Equal(262_145, _tokenizer.VocabSize);
        Assert.True(_tokenizer.AddsBos);
        Assert.True(_tokenizer.IsSpecial(105));
        Assert.False(_tokenizer.IsSpecial(107));
    }

    [Fact]
    public void An_empty_text_is_just_bos_or_nothing()
    {
        Assert.Equal([2], _tokenizer.Encode(""));
        Assert.Empty(_tokenizer.Encode("", addBos: false));
    }

    [Fact]
    public void A_character_missing_from_the_vocabulary_becomes_its_utf8_byte_pieces()
    {
        Assert.Equal(HieroglyphBytes, _tokenizer.Encode("\U00013000", addBos: false));
    }

    [Fact]
    public void Chat_template_renders_one_user_turn_that_encodes_with_a_single_bos()
    {
        string prompt = _tokenizer.ApplyChatTemplate(" \n Hi\t");

        Assert.Equal("<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n", prompt);
        Assert.Equal([2, 105, 2364, 107, 10979, 106, 107, 105, 4368, 107], _tokenizer.Encode(prompt));
    }

    [Fact]
    public void Streaming_prints_a_character_split_over_byte_pieces_once_its_last_byte_arrives()
    {
        var decoder = _tokenizer.CreateStreamingDecoder();

        var pieces = HieroglyphBytes.Select(decoder.Push).ToArray();

        Assert.Equal(["", "", "", "\U00013000"], pieces);
        Assert.Equal("", decoder.Flush());
    }

    [Fact]
    public void Streaming_flush_turns_an_unfinished_character_into_a_replacement_character()
    {
        var decoder = _tokenizer.CreateStreamingDecoder();

        Assert.Equal("", decoder.Push(HieroglyphBytes[0]) + decoder.Push(HieroglyphBytes[1]));
        Assert.Equal("\uFFFD", decoder.Flush());
    }

    [Fact]
    public void Streaming_skips_special_tokens_when_asked()
    {
        var decoder = _tokenizer.CreateStreamingDecoder(skipSpecialTokens: true);

        Assert.Equal(["", "", "user", "\n"], new[] { 2, 105, 2364, 107 }.Select(decoder.Push));
    }

    [Fact]
    public void Decode_gives_one_replacement_character_per_byte_piece_of_an_invalid_run()
    {
        int a = _tokenizer.Encode("a", addBos: false).Single();

        Assert.Equal("\uFFFD\uFFFDa", _tokenizer.Decode([HieroglyphBytes[0], HieroglyphBytes[1], a]));
    }

    [Fact]
    public void Decode_skips_ids_outside_the_vocabulary()
    {
        Assert.Equal("<bos>", _tokenizer.Decode([2, 262_145, -1, 999_999]));
    }
}
