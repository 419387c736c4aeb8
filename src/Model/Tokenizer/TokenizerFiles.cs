using System.Text.Json;

namespace GemmaBench.Model.Tokenizer;

/// <summary>A token that Hugging Face matches in the raw text before normalization and BPE.</summary>
readonly record struct AddedToken(int Id, string Content, bool Special);

/// <summary>What the Gemma tokenizer reads from a model directory's tokenizer.json (vocabulary, merges,
/// added tokens) and tokenizer_config.json (BOS, EOS, chat template).</summary>
sealed class TokenizerFiles
{
    public const string TokenizerJson = "tokenizer.json";
    public const string ConfigJson = "tokenizer_config.json";

    /// <summary>The BPE model's pieces in file order, as the merge loop wants them.</summary>
    public List<KeyValuePair<string, int>> Vocabulary { get; } = new(270_000);

    /// <summary>Merges as "left right", highest priority first.</summary>
    public List<string> Merges { get; } = new(520_000);

    public List<AddedToken> AddedTokens { get; } = [];

    public string BosToken { get; private set; } = "<bos>";
    public string EosToken { get; private set; } = "<eos>";
    public bool AddBos { get; private set; } = true;
    public string? ChatTemplate { get; private set; }

    public static TokenizerFiles Read(string modelDir)
    {
        var tokenizerJson = ReadFile(modelDir, TokenizerJson);
        var configJson = ReadFile(modelDir, ConfigJson);
        var files = new TokenizerFiles();
        files.ReadTokenizerJson(tokenizerJson);
        files.ReadConfigJson(configJson);
        return files;
    }

    static (string Path, byte[] Bytes) ReadFile(string modelDir, string name)
    {
        string path = Path.Combine(modelDir, name);
        if (!File.Exists(path))
            throw new ModelException($"{path} is missing: the model directory needs the Hugging Face " +
                "tokenizer files tokenizer.json and tokenizer_config.json; download the model again or pass " +
                "another --model.");
        try
        {
            return (path, File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelException($"{path} cannot be read ({e.Message}); check its permissions.", e);
        }
    }

    static ModelException Corrupt(string path, string what) =>
        new($"{path} is not a usable Gemma-3 tokenizer file: {what}; download the model (or run " +
            "eng/fetch-tokenizer.sh) again.");

    void ReadTokenizerJson((string Path, byte[] Bytes) file)
    {
        try
        {
            var reader = new Utf8JsonReader(file.Bytes);
            Expect(ref reader, JsonTokenType.StartObject, file.Path, "the top level is not a JSON object");
            bool sawModel = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("added_tokens"))
                    ReadAddedTokens(ref reader, file.Path);
                else if (reader.ValueTextEquals("normalizer"))
                    CheckNormalizer(ref reader, file.Path);
                else if (reader.ValueTextEquals("model"))
                {
                    ReadModel(ref reader, file.Path);
                    sawModel = true;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (!sawModel || Vocabulary.Count == 0)
                throw Corrupt(file.Path, "it has no model.vocab");
        }
        catch (JsonException e)
        {
            throw Corrupt(file.Path, $"invalid JSON at line {e.LineNumber + 1}");
        }
        catch (InvalidOperationException e)
        {
            throw Corrupt(file.Path, $"a field has the wrong type ({e.Message})");
        }
    }

    static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string path, string what)
    {
        if (!reader.Read() || reader.TokenType != type)
            throw Corrupt(path, what);
    }

    void ReadAddedTokens(ref Utf8JsonReader reader, string path)
    {
        Expect(ref reader, JsonTokenType.StartArray, path, "added_tokens is not an array");
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            int id = -1;
            string? content = null;
            bool special = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"))
                {
                    reader.Read();
                    id = reader.GetInt32();
                }
                else if (reader.ValueTextEquals("content"))
                {
                    reader.Read();
                    content = reader.GetString();
                }
                else if (reader.ValueTextEquals("special"))
                {
                    reader.Read();
                    special = reader.GetBoolean();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (id < 0 || string.IsNullOrEmpty(content))
                throw Corrupt(path, "an entry of added_tokens lacks its id or content");
            AddedTokens.Add(new AddedToken(id, content, special));
        }
    }

    // Encoding replaces ' ' by '▁' itself; a tokenizer that normalizes differently is not Gemma's.
    static void CheckNormalizer(ref Utf8JsonReader reader, string path)
    {
        reader.Read();
        using var normalizer = JsonDocument.ParseValue(ref reader);
        var root = normalizer.RootElement;
        bool isGemma = root.ValueKind == JsonValueKind.Object
            && root.TryGetProperty("type", out var type) && type.ValueEquals("Replace")
            && root.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.Object
            && pattern.TryGetProperty("String", out var from) && from.ValueEquals(" ")
            && root.TryGetProperty("content", out var to) && to.ValueEquals("\u2581");
        if (!isGemma)
            throw Corrupt(path, "its normalizer is not Gemma's ' ' -> '\u2581' replacement");
    }

    void ReadModel(ref Utf8JsonReader reader, string path)
    {
        Expect(ref reader, JsonTokenType.StartObject, path, "model is not an object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"))
            {
                reader.Read();
                if (!reader.ValueTextEquals("BPE"))
                    throw Corrupt(path, $"model.type is '{reader.GetString()}', not BPE");
            }
            else if (reader.ValueTextEquals("byte_fallback"))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.True)
                    throw Corrupt(path, "model.byte_fallback is not true");
            }
            else if (reader.ValueTextEquals("vocab"))
                ReadVocabulary(ref reader, path);
            else if (reader.ValueTextEquals("merges"))
                ReadMerges(ref reader, path);
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    void ReadVocabulary(ref Utf8JsonReader reader, string path)
    {
        Expect(ref reader, JsonTokenType.StartObject, path, "model.vocab is not an object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string piece = reader.GetString()!;
            reader.Read();
            Vocabulary.Add(new KeyValuePair<string, int>(piece, reader.GetInt32()));
        }
    }

    // Merges come as ["left", "right"] pairs (current format) or "left right" strings (older format);
    // both become "left right", which is what BpeOptions takes.
    void ReadMerges(ref Utf8JsonReader reader, string path)
    {
        Expect(ref reader, JsonTokenType.StartArray, path, "model.merges is not an array");
        char[] buffer = new char[256];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                Merges.Add(reader.GetString()!);
                continue;
            }
            if (reader.TokenType != JsonTokenType.StartArray)
                throw Corrupt(path, $"merge {Merges.Count} is neither a pair nor a string");

            // Checked inline: building an error message per merge would cost more than the parsing.
            int length = 0;
            for (int side = 0; side < 2; side++)
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    throw Corrupt(path, $"merge {Merges.Count} is not a pair of strings");
                int needed = length + 1 + reader.ValueSpan.Length;
                if (needed > buffer.Length)
                    Array.Resize(ref buffer, Math.Max(needed, buffer.Length * 2));
                if (side == 1)
                    buffer[length++] = ' ';
                int start = length;
                length += reader.CopyString(buffer.AsSpan(length));
                if (buffer.AsSpan(start, length - start).Contains(' '))
                    throw Corrupt(path, $"merge {Merges.Count} has a space inside a piece");
            }
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
                throw Corrupt(path, $"merge {Merges.Count} is not a pair of strings");
            Merges.Add(new string(buffer, 0, length));
        }
    }

    void ReadConfigJson((string Path, byte[] Bytes) file)
    {
        try
        {
            using var config = JsonDocument.Parse(file.Bytes);
            var root = config.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Corrupt(file.Path, "the top level is not a JSON object");
            BosToken = TokenName(root, "bos_token", file.Path) ?? BosToken;
            EosToken = TokenName(root, "eos_token", file.Path) ?? EosToken;
            if (root.TryGetProperty("add_bos_token", out var addBos))
                AddBos = addBos.ValueKind != JsonValueKind.False;
            if (root.TryGetProperty("chat_template", out var template)
                && template.ValueKind == JsonValueKind.String)
                ChatTemplate = template.GetString();
        }
        catch (JsonException e)
        {
            throw Corrupt(file.Path, $"invalid JSON at line {e.LineNumber + 1}");
        }
    }

    // A special token is written either as its text or as an object whose "content" is the text.
    static string? TokenName(JsonElement root, string field, string path)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.String)
            return value.GetString();
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("content", out var content)
            && content.ValueKind == JsonValueKind.String)
            return content.GetString();
        throw Corrupt(path, $"{field} is neither a string nor an object with a content string");
    }
}
