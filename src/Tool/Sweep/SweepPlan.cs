using GemmaBench.Quant;
using GemmaBench.Tool.Threads;

namespace GemmaBench.Tool.Sweep;

/// <summary>Whether a run compiles its decode step: the sweep's "mode".</summary>
public enum CompileMode { Off, On }

/// <summary>What a sweep runs: every model × quantization scheme × compile mode × thread count,
/// each <see cref="Repeat"/> times, with the benchmark settings shared by all runs.</summary>
public sealed record SweepPlan
{
    public required IReadOnlyList<string> Models { get; init; }
    public required IReadOnlyList<int> Threads { get; init; }
    public IReadOnlyList<CompileMode> CompileModes { get; init; } = [CompileMode.Off];

    /// <summary>Empty: the benchmark's default scheme, not passed to the runs.</summary>
    public IReadOnlyList<string> QuantSchemes { get; init; } = [];
    public int? GroupSize { get; init; }
    public string? Int4Kernel { get; init; }
    public string? Dtype { get; init; }
    public int? MaxNewTokens { get; init; }
    public string? Prompt { get; init; }

    /// <summary>A UTF-8 file holding the prompt, passed to each run instead of <see cref="Prompt"/>.
    /// </summary>
    public string? PromptFile { get; init; }
    public int Repeat { get; init; } = 3;

    /// <summary>Folder for results.csv, results.json and the charts; null writes no files.</summary>
    public string? Out { get; init; }

    /// <summary>Whether files of an earlier sweep in <see cref="Out"/> may be replaced.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Seconds a run may take before it is killed and counted as failed; 0 for no limit.</summary>
    public int RunTimeoutSeconds { get; init; } = DefaultRunTimeoutSeconds;

    public const int DefaultRunTimeoutSeconds = 1800;

    /// <summary>Every configuration in table order: model, scheme, compile mode, threads ascending.</summary>
    public IReadOnlyList<SweepConfiguration> Configurations()
    {
        var labels = ModelLabels.For(Models);
        IReadOnlyList<string?> schemes = QuantSchemes.Count == 0 ? [null] : [.. QuantSchemes];
        return
        [
            .. from model in Models.Distinct()
               from scheme in schemes
               from compile in CompileModes
               from threads in Threads
               select new SweepConfiguration(model, labels[model], scheme, compile, threads),
        ];
    }

    /// <summary>Checks what the option parser cannot: throws <see cref="UsageException"/> naming the
    /// option at fault.</summary>
    public void Validate()
    {
        if (Models.Count == 0)
            throw new UsageException("sweep: give at least one --model (a checkpoint folder or hub id)");
        if (Threads.Count == 0)
            throw new UsageException("sweep: give --threads, a comma-separated list like 1,2,4");
        int min = ThreadCount.MinCount, max = ThreadCount.MaxCount;
        foreach (int threads in Threads.Where(t => t < min || t > max))
            throw new UsageException($"sweep: --threads must be between {min} and {max} (got {threads})");
        if (Repeat < 1)
            throw new UsageException($"sweep: --repeat must be at least 1, not {Repeat}");
        if (MaxNewTokens is < 1)
            throw new UsageException($"sweep: --max-new-tokens must be at least 1, not {MaxNewTokens}");
        if (GroupSize is { } groupSize && !QuantOptions.GroupSizes.Contains(groupSize))
            throw new UsageException(
                $"sweep: --groupsize must be one of {string.Join(", ", QuantOptions.GroupSizes)} " +
                $"(got {groupSize})");
        if (RunTimeoutSeconds < 0)
            throw new UsageException(
                $"sweep: --run-timeout must be 0 (no limit) or more seconds, not {RunTimeoutSeconds}");
        foreach (string scheme in QuantSchemes)
            OneOf("--quant-scheme", scheme, GemmaBench.Quant.QuantNames.Schemes);
        if (Int4Kernel != null)
            OneOf("--int4-kernel", Int4Kernel, GemmaBench.Quant.QuantNames.Kernels);
        if (Dtype != null)
            OneOf("--dtype", Dtype, ["float32", "bfloat16"]);
        if (Out != null && File.Exists(Out))
            throw new UsageException($"sweep: --out {Out} is a file; give a folder for the results");
        if (Out != null && !Overwrite && SweepFiles.Names.FirstOrDefault(
                name => File.Exists(Path.Combine(Out, name))) is { } earlier)
            throw new UsageException($"sweep: --out {Out} already holds {earlier} from an earlier sweep; " +
                "pass another --out, or --overwrite to replace it");
        CheckPromptFile();
        foreach (string model in Models)
            CheckModel(model);
        SweepModelChecks.Check(this);
    }

    // Read as each run will read it, so a missing, unreadable or non-UTF-8 file fails no run.
    void CheckPromptFile()
    {
        if (PromptFile is null)
            return;
        if (Prompt is not null)
            throw new UsageException(
                "sweep: --prompt-file and --prompt both give the prompt; use one of them");
        try
        {
            PromptFileReader.Read(PromptFile);
        }
        catch (UsageException e)
        {
            throw new UsageException("sweep: " + e.Message);
        }
    }

    // A typo in a path would otherwise cost one failed run per configuration and repeat.
    static void CheckModel(string model)
    {
        try
        {
            ModelArgument.Check(model);
        }
        catch (UsageException e)
        {
            throw new UsageException("sweep: " + e.Message);
        }
    }

    // Every run would fail on a bad name, so it is refused before the first one starts.
    static void OneOf(string option, string value, IReadOnlyList<string> allowed)
    {
        if (!allowed.Contains(value))
            throw new UsageException(
                $"sweep: {option} must be one of {string.Join(", ", allowed)} (got '{value}')");
    }

    /// <summary>Parses "1,2,4" (spaces allowed): positive integers, each once, returned ascending.
    /// Returns null with <paramref name="error"/> set when the list is malformed or repeats a count.
    /// </summary>
    public static IReadOnlyList<int>? ParseThreads(string text, out string error) =>
        ParseThreads(text, new SortedSet<int>(), out error);

    /// <summary>As above, adding to <paramref name="threads"/> (counts already there are duplicates).
    /// </summary>
    public static IReadOnlyList<int>? ParseThreads(string text, SortedSet<int> threads, out string error)
    {
        foreach (string item in text.Split(','))
        {
            string trimmed = item.Trim();
            if (!int.TryParse(trimmed, System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out int count) || count < 1)
            {
                error = $"'{trimmed}' in '{text}' is not a thread count; write positive integers like 1,2,4";
                return null;
            }
            if (!threads.Add(count))
            {
                error = $"{count} is given twice; give each thread count once";
                return null;
            }
        }
        error = "";
        return [.. threads];
    }

    /// <summary>Parses off, on or both.</summary>
    public static IReadOnlyList<CompileMode>? ParseCompile(string text) =>
        text.Trim().ToLowerInvariant() switch
        {
            "off" or "eager" => [CompileMode.Off],
            "on" or "compiled" => [CompileMode.On],
            "both" => [CompileMode.Off, CompileMode.On],
            _ => null,
        };
}

/// <summary>One point of the sweep: a model run with one scheme, compile mode and thread count.</summary>
public sealed record SweepConfiguration(
    string Model, string ModelLabel, string? QuantScheme, CompileMode Compile, int Threads)
{
    /// <summary>"eager" or "compiled", followed by the scheme when the sweep names one.</summary>
    public string Mode => (Compile == CompileMode.On ? "compiled" : "eager")
        + (QuantScheme is null ? "" : " " + QuantScheme);
}

/// <summary>Short names for models in tables and legends: a folder's last component, a hub id as
/// given; the full text when two models would share a name.</summary>
static class ModelLabels
{
    public static IReadOnlyDictionary<string, string> For(IReadOnlyList<string> models)
    {
        string Short(string model)
        {
            string trimmed = model.TrimEnd('/', Path.DirectorySeparatorChar);
            return Directory.Exists(trimmed) ? Path.GetFileName(trimmed) : trimmed;
        }

        var labels = new Dictionary<string, string>();
        foreach (string model in models.Distinct())
        {
            string label = Short(model);
            bool clash = models.Distinct().Count(other => Short(other) == label) > 1;
            labels[model] = clash ? model : label;
        }
        return labels;
    }
}
