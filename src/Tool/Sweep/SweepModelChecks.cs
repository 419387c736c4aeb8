using GemmaBench.Model;
using GemmaBench.Tool.Benchmark;

namespace GemmaBench.Tool.Sweep;

/// <summary>Checks of a sweep's models before the first run: each model once, and a --groupsize
/// that divides the widths of every local model (a hub id is only read by its runs).</summary>
static class SweepModelChecks
{
    /// <exception cref="UsageException">A model is given twice, or the group size does not divide the
    /// quantized widths of a local model.</exception>
    public static void Check(SweepPlan plan)
    {
        var seen = new Dictionary<string, string>();
        foreach (string model in plan.Models)
        {
            string key = Directory.Exists(model) ? Path.GetFullPath(model).TrimEnd('/') : model;
            if (seen.TryGetValue(key, out string? first))
                throw new UsageException(first == model
                    ? $"sweep: --model {model} is given twice; give each model once"
                    : $"sweep: --model {model} is given twice (also as {first}); give each model once");
            seen[key] = model;
        }

        bool grouped = plan.QuantSchemes.Count == 0
            || plan.QuantSchemes.Contains(QuantSchemes.SymmetricGroupwise);
        if (plan.GroupSize is not { } groupSize || !grouped)
            return;
        foreach (string model in plan.Models.Where(Directory.Exists))
            CheckGroupSize(model, groupSize);
    }

    // The benchmark's own check, on the model's config.json, as each run would make it.
    static void CheckGroupSize(string model, int groupSize)
    {
        var settings = new BenchmarkSettings
        {
            Model = model, Dtype = "float32", QuantScheme = QuantSchemes.SymmetricGroupwise,
            GroupSize = groupSize,
            Int4Kernel = "auto", Compile = false, Chat = false,
        };
        try
        {
            using var target = new GemmaTarget(model, GemmaConfig.Load(model), null, settings);
            ModelChecks.Check(settings, new GenerationRequest("", null, 0, 0, Json: true, Stream: false),
                target.Limits, promptTokens: 0);
        }
        catch (Exception e) when (e is UsageException or ModelException)
        {
            throw new UsageException("sweep: " + e.Message);
        }
    }
}
