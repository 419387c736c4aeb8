using GemmaBench.Model.Hub;
using System.Text;
using System.Text.Json;
using GemmaBench.Model.Tokenizer;
using McMaster.Extensions.CommandLineUtils;

namespace GemmaBench.Tool.Commands;

/// <summary>`gemma-bench tokenize`: texts in, ids out (or back with --decode), one JSON value per line,
/// so users can check a prompt's length and report tokenization bugs. Loads only the tokenizer.</summary>
[Command("tokenize", Description = "Reads one JSON string per stdin line and writes its token ids as a " +
    "JSON array per stdout line (with --decode: arrays in, strings out). Loads only the tokenizer.")]
public sealed class TokenizeCommand
{
    [Option("--model", Description = "Model directory with tokenizer.json and tokenizer_config.json " +
        "(required).")]
    public string Model { get; set; } = "";

    [Option("--decode", Description = "Read JSON arrays of ids and write the decoded texts as JSON " +
        "strings [off].")]
    public bool Decode { get; set; }

    [Option("--skip-special-tokens", Description = "With --decode, leave special tokens such as <bos> " +
        "out of the text [off].")]
    public bool SkipSpecialTokens { get; set; }

    /// <summary>A local directory as it is; a hub id from the Hugging Face cache.</summary>
    static string Directory(string model)
    {
        if (System.IO.Directory.Exists(model) || !ModelLocator.IsHubId(model))
            return model;
        // Limitation: a hub id must already be in the cache (`dotnet gemma-bench download`, or the benchmark);
        // the hub code fetches whole checkpoints, and tokenizing should not download the weights.
        var cached = HubSettings.FromEnvironment() with { Offline = true };
        try
        {
            return ModelLocator.Resolve(model, settings: cached);
        }
        catch (HubException e) when (e.Failure == HubFailure.NotCached)
        {
            throw new UsageException($"--model {model} is not in the Hugging Face cache; fetch it first with " +
                $"`dotnet gemma-bench download {model}`, or give a local directory");
        }
    }

    int OnExecute(IConsole console)
    {
        if (Model.Length == 0)
            throw new UsageException("--model is required: the model directory holding tokenizer.json.");
        if (SkipSpecialTokens && !Decode)
            throw new UsageException("--skip-special-tokens only applies with --decode.");
        var tokenizer = GemmaTokenizer.Load(Directory(Model));

        int lineNumber = 0;
        for (string? line; (line = console.In.ReadLine()) != null;)
        {
            lineNumber++;
            string output = Decode
                ? JsonString(tokenizer.Decode(ReadIds(line, lineNumber, tokenizer.VocabSize), SkipSpecialTokens))
                : JsonArray(tokenizer.Encode(ReadText(line, lineNumber)));
            console.Out.WriteLine(output);
        }
        return CommandLine.Success;
    }

    static string ReadText(string line, int lineNumber)
    {
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
            if (reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                string text = reader.GetString()!;
                if (!reader.Read())
                    return text;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
        }
        throw BadLine(lineNumber, line, "a JSON string such as \"Hello world\"");
    }

    static List<int> ReadIds(string line, int lineNumber, int vocabSize)
    {
        var ids = new List<int>();
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
            if (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.Number
                    && reader.TryGetInt32(out int id))
                {
                    if (id < 0 || id >= vocabSize)
                        throw new UsageException($"stdin line {lineNumber}: id {id} is not in the " +
                            $"vocabulary (0 to {vocabSize - 1}).");
                    ids.Add(id);
                }
                if (reader.TokenType == JsonTokenType.EndArray && !reader.Read())
                    return ids;
            }
        }
        catch (JsonException)
        {
        }
        throw BadLine(lineNumber, line, "a JSON array of token ids such as [2, 9259, 1902]");
    }

    static UsageException BadLine(int lineNumber, string line, string expected)
    {
        string shown = line.Length > 60 ? line[..60] + "..." : line;
        return new UsageException($"stdin line {lineNumber}: expected {expected}, got {JsonString(shown)}.");
    }

    static string JsonArray(int[] ids) => "[" + string.Join(',', ids) + "]";

    // Only what JSON requires is escaped, so non-ASCII text stays readable.
    static string JsonString(string text)
    {
        var json = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append($"\\u{(int)c:x4}"); break;
                default: json.Append(c); break;
            }
        }
        return json.Append('"').ToString();
    }
}
