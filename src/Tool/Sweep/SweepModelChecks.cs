using GemmaBench.Model;
using GemmaBench.Quant;
using GemmaBench.Tool.Benchmark;

namespace GemmaBench.Tool.Sweep;

/// <summary>Checks of a sweep's models before the first run: each model once, and each local model's
/// config.json read as every run would read it, with the group size the runs would use checked against
/// its widths (a hub id is only read by its runs).</summary>
static class SweepModelChecks
{
    /// <exception cref="UsageException">A model is given twice, a local model's config.json cannot be
    /// read, or the group size does not divide the quantized widths of a local model.</exception>
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
        foreach (string model in plan.Models.Where(Directory.Exists))
            CheckLocalModel(model, grouped ? plan.GroupSize ?? QuantOptions.DefaultGroupSize : null);
    }

    // The benchmark's own checks, on the model's config.json, as each run would make them.
    static void CheckLocalModel(string model, int? groupSize)
    {
        try
        {
            var config = GemmaConfig.Load(model);
            if (groupSize is not int size)
                return;
            var settings = new BenchmarkSettings
            {
                Model = model, Dtype = "float32", QuantScheme = QuantSchemes.SymmetricGroupwise,
                GroupSize = size, Int4Kernel = "auto", Compile = false, Chat = false,
            };
            using var target = new GemmaTarget(model, config, null, settings);
            ModelChecks.Check(settings, new GenerationRequest("", null, 0, 0, Json: true, Stream: false),
                target.Limits, promptIds: []);
        }
        catch (Exception e) when (e is UsageException or ModelException)
        {
            throw new UsageException("sweep: " + e.Message);
        }
    }
}
