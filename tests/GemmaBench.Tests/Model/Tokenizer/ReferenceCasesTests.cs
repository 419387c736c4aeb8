using System.Text;
using System.Text.Json;
using GemmaBench.Model.Tokenizer;

namespace GemmaBench.Tests.Model.Tokenizer;

/// <summary>Every case of tests/fixtures/tokenizer/gemma3-cases.json (ids and texts from Hugging Face's
/// Gemma-3 tokenizer), reproduced exactly.</summary>
[Collection(TokenizerCollection.Name)]
public sealed class ReferenceCasesTests(TokenizerFixture fixture)
{
    readonly GemmaTokenizer _tokenizer = fixture.Tokenizer;

    public sealed record Case(string Text, int[] Ids, string Decoded, string DecodedSkipSpecial);

    static readonly Case[] Cases = LoadCases();

    public static TheoryData<int> CaseNumbers() => new(Enumerable.Range(0, Cases.Length));

    static Case[] LoadCases()
    {
        string path = Path.Combine(TestPaths.Fixtures, "tokenizer", "gemma3-cases.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.EnumerateArray().Select(c => new Case(
            c.GetProperty("text").GetString()!,
            c.GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()).ToArray(),
            c.GetProperty("decoded").GetString()!,
            c.GetProperty("decoded_skip_special").GetString()!)).ToArray();
    }

    [Theory]
    [MemberData(nameof(CaseNumbers))]
    public void Encode_gives_the_reference_ids(int number)
    {
        var c = Cases[number];
        Assert.Equal(c.Ids, _tokenizer.Encode(c.Text));
    }

    [Theory]
    [MemberData(nameof(CaseNumbers))]
    public void Decode_gives_the_reference_text_with_and_without_special_tokens(int number)
    {
        var c = Cases[number];
        Assert.Equal(c.Decoded, _tokenizer.Decode(c.Ids));
        Assert.Equal(c.DecodedSkipSpecial, _tokenizer.Decode(c.Ids, skipSpecialTokens: true));
    }

    [Theory]
    [MemberData(nameof(CaseNumbers))]
    public void Streaming_decode_one_id_at_a_time_gives_the_reference_text(int number)
    {
        var c = Cases[number];
        var decoder = _tokenizer.CreateStreamingDecoder();
        var text = new StringBuilder();
        foreach (int id in c.Ids)
            text.Append(decoder.Push(id));
        text.Append(decoder.Flush());
        Assert.Equal(c.Decoded, text.ToString());
    }

    [Fact]
    public void The_default_benchmark_prompt_is_55_tokens()
    {
        var prompt = Cases[3].Text;
        Assert.StartsWith("In a distant world where magic and technology coexist", prompt);
        Assert.Equal(55, _tokenizer.Encode(prompt).Length);
    }
}
