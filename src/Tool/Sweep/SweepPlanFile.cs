using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GemmaBench.Tool.Sweep;

/// <summary>Reads a sweep plan from YAML. Its keys are the sweep's option names:
/// <code>
/// model: [path/to/gemma-3-270m, google/gemma-3-1b-it]   # one or a list
/// threads: [1, 2, 4]          # or "1,2,4"
/// compile: both               # off, on or both
/// quant-scheme: none          # one or a list
/// groupsize: 32
/// int4-kernel: ...
/// dtype: bfloat16
/// max-new-tokens: 64
/// prompt: "..."
/// prompt-file: prompt.txt     # instead of prompt
/// repeat: 3
/// out: results/
/// overwrite: true             # replace an earlier sweep's files in out
/// run-timeout: 1800           # seconds per run; 0 for no limit
/// </code>
/// Every mistake is a <see cref="UsageException"/> "file:line: key: what is wrong".</summary>
public static class SweepPlanFile
{
    public static readonly string[] Keys =
    [
        "model", "threads", "compile", "quant-scheme", "groupsize", "int4-kernel", "dtype",
        "max-new-tokens", "prompt", "prompt-file", "repeat", "out", "overwrite", "run-timeout",
    ];

    public static SweepPlan Load(string path)
    {
        if (!File.Exists(path))
            throw new UsageException($"sweep: plan file {path} does not exist");
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlException e)
        {
            throw new UsageException($"{path}:{e.Start.Line}: not valid YAML: {Message(e)}");
        }
        catch (InvalidOperationException)
        {
            // The YAML parser's own failure on some unclosed flow collections, with no position.
            throw new UsageException($"{path}: not valid YAML: a [ or {{ is not closed before the file ends or "
                + "before the next key; close it on the line where it opens");
        }
        if (yaml.Documents.Count == 0)
            throw new UsageException($"{path}:1: the plan is empty; it needs at least model and threads");
        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new UsageException($"{path}:{yaml.Documents[0].RootNode.Start.Line}: "
                + "the plan must be a mapping of keys like threads: [1, 2]");
        }
        return Read(root, new Reader(path));
    }

    static SweepPlan Read(YamlMappingNode root, Reader read)
    {
        IReadOnlyList<string> models = [];
        IReadOnlyList<int> threads = [];
        var plan = new SweepPlan { Models = models, Threads = threads };
        foreach (var (keyNode, value) in root.Children)
        {
            string key = keyNode is YamlScalarNode scalar ? scalar.Value ?? "" : keyNode.ToString();
            plan = key switch
            {
                "model" => plan with { Models = read.Strings(key, value) },
                "threads" => plan with { Threads = read.Threads(key, value) },
                "compile" => plan with { CompileModes = read.Compile(key, value) },
                "quant-scheme" => plan with { QuantSchemes = read.Strings(key, value) },
                "groupsize" => plan with { GroupSize = read.Integer(key, value) },
                "int4-kernel" => plan with { Int4Kernel = read.String(key, value) },
                "dtype" => plan with { Dtype = read.String(key, value) },
                "max-new-tokens" => plan with { MaxNewTokens = read.Integer(key, value) },
                "prompt" => plan with { Prompt = read.String(key, value) },
                "prompt-file" => plan with { PromptFile = read.String(key, value) },
                "repeat" => plan with { Repeat = read.Integer(key, value) },
                "out" => plan with { Out = read.String(key, value) },
                "overwrite" => plan with { Overwrite = read.Boolean(key, value) },
                "run-timeout" => plan with { RunTimeoutSeconds = read.Integer(key, value) },
                _ => throw read.Error(keyNode, key, $"unknown key; known keys are {string.Join(", ", Keys)}"),
            };
        }
        return plan;
    }

    static string Message(YamlException e) =>
        (e.InnerException?.Message ?? e.Message).Split('\n')[0].Trim();

    sealed class Reader(string path)
    {
        public UsageException Error(YamlNode node, string key, string message) =>
            new($"{path}:{node.Start.Line}: {key}: {message}");

        public string String(string key, YamlNode node) => node is YamlScalarNode { Value: { } value }
            ? value
            : throw Error(node, key, "expected a single value");

        public int Integer(string key, YamlNode node)
        {
            string text = String(key, node);
            var style = NumberStyles.AllowLeadingSign;
            return int.TryParse(text, style, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw Error(node, key, $"'{text}' is not a whole number");
        }

        public bool Boolean(string key, YamlNode node)
        {
            string text = String(key, node);
            return bool.TryParse(text, out bool value)
                ? value
                : throw Error(node, key, $"'{text}' is not true or false");
        }

        public IReadOnlyList<string> Strings(string key, YamlNode node) => node switch
        {
            YamlScalarNode => [String(key, node)],
            YamlSequenceNode sequence => [.. sequence.Children.Select(item => String(key, item))],
            _ => throw Error(node, key, "expected one value or a list"),
        };

        public IReadOnlyList<int> Threads(string key, YamlNode node)
        {
            IReadOnlyList<YamlNode> items = node switch
            {
                YamlScalarNode => [node],
                YamlSequenceNode sequence => [.. sequence.Children],
                _ => throw Error(node, key, "expected a list of thread counts like [1, 2, 4]"),
            };
            if (items.Count == 0)
                throw Error(node, key, "the list is empty; give thread counts like [1, 2, 4]");

            var threads = new SortedSet<int>();
            foreach (var item in items)
            {
                _ = SweepPlan.ParseThreads(String(key, item), threads, out string error)
                    ?? throw Error(item, key, error);
            }
            return [.. threads];
        }

        public IReadOnlyList<CompileMode> Compile(string key, YamlNode node)
        {
            string text = String(key, node);
            return SweepPlan.ParseCompile(text) ?? throw Error(node, key, $"'{text}' is not off, on or both");
        }
    }
}
