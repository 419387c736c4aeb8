using GemmaBench.Model.Tokenizer;

namespace GemmaBench.Tests.Model.Tokenizer;

/// <summary>The real Gemma-3 tokenizer (33 MB of JSON), loaded once for all tests in the collection.</summary>
public sealed class TokenizerFixture
{
    public GemmaTokenizer Tokenizer { get; } = GemmaTokenizer.Load(TestPaths.Tokenizer);
}

[CollectionDefinition(Name)]
public sealed class TokenizerCollection : ICollectionFixture<TokenizerFixture>
{
    public const string Name = "Gemma-3 tokenizer";
}
