using GemmaBench.Model.Hub;

namespace GemmaBench.Tool;

/// <summary>Checks --model before anything loads: an existing directory must hold config.json;
/// anything else must look like a hub id (org/name) for the hub to resolve.</summary>
public static class ModelArgument
{
    public static bool IsHubId(string model) => !Directory.Exists(model) && ModelLocator.IsHubId(model);

    /// <summary>--revision names a hub revision; with a local directory it does nothing, which is said on
    /// <paramref name="stderr"/> rather than refused (sweeps pass the same options to every model).</summary>
    public static void WarnIfRevisionIgnored(string? revision, string? model, TextWriter stderr)
    {
        if (revision != null && model != null && Directory.Exists(model))
            stderr.WriteLine("gemma-bench: warning: --revision is ignored for a local model directory");
    }

    /// <exception cref="UsageException">The directory has no config.json, or the value is neither a
    /// directory nor a hub id.</exception>
    public static void Check(string model)
    {
        if (Directory.Exists(model))
        {
            string config = Path.Combine(model, "config.json");
            if (Directory.Exists(config))
                throw new UsageException($"--model: {config} is a directory; give a model directory in " +
                    "Hugging Face layout, whose config.json is a file");
            if (!File.Exists(config))
                throw new UsageException($"--model: {model} has no config.json; give a model directory " +
                    "in Hugging Face layout");
            return;
        }
        if (!IsHubId(model))
            throw new UsageException($"--model: no directory {model}; give a local model directory " +
                "or a hub id such as google/gemma-3-1b-it");
    }
}
