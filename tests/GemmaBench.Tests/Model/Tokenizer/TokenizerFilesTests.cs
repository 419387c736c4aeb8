using GemmaBench.Model;
using GemmaBench.Model.Tokenizer;

namespace GemmaBench.Tests.Model.Tokenizer;

/// <summary>Missing or broken tokenizer files give a ModelException naming the file and what to do.</summary>
public sealed class TokenizerFilesTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("gemma-tokenizer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_missing_tokenizer_json_is_named_with_what_to_do()
    {
        var e = Assert.Throws<ModelException>(() => GemmaTokenizer.Load(_dir));

        Assert.Contains(Path.Combine(_dir, "tokenizer.json") + " is missing", e.Message);
        Assert.Contains("download the model again", e.Message);
    }

    [Fact]
    public void A_missing_tokenizer_config_is_named_before_the_big_file_is_read()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), "not read");

        var e = Assert.Throws<ModelException>(() => GemmaTokenizer.Load(_dir));

        Assert.Contains(Path.Combine(_dir, "tokenizer_config.json") + " is missing", e.Message);
    }

    [Fact]
    public void A_truncated_tokenizer_json_is_reported_as_invalid_json()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"),
            "{\n \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": ");
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), "{}");

        var e = Assert.Throws<ModelException>(() => GemmaTokenizer.Load(_dir));

        Assert.Contains(Path.Combine(_dir, "tokenizer.json") + " is not a usable Gemma-3 tokenizer file",
            e.Message);
        Assert.Contains("invalid JSON at line 2", e.Message);
    }

    [Fact]
    public void A_tokenizer_of_another_kind_is_refused()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"),
            "{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", 0.0]]}}");
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), "{}");

        var e = Assert.Throws<ModelException>(() => GemmaTokenizer.Load(_dir));

        Assert.Contains("model.type is 'Unigram', not BPE", e.Message);
    }

    [Fact]
    public void A_vocabulary_without_byte_pieces_is_refused()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), """
            {"added_tokens": [{"id": 0, "content": "<bos>", "special": true}],
             "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"},
             "model": {"type": "BPE", "byte_fallback": true, "vocab": {"<bos>": 0, "a": 1, "b": 2, "ab": 3},
                       "merges": [["a", "b"]]}}
            """);
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), "{\"bos_token\": \"<bos>\"}");

        var e = Assert.Throws<ModelException>(() => GemmaTokenizer.Load(_dir));

        Assert.Contains("has no byte piece <0x00>", e.Message);
    }
}
