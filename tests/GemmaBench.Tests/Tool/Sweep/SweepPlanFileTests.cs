using GemmaBench.Tool;
using GemmaBench.Tool.Sweep;

namespace GemmaBench.Tests.Tool.Sweep;

public sealed class SweepPlanFileTests : IDisposable
{
    readonly string path = Path.Combine(Path.GetTempPath(), $"sweep-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(path);

    string Error(string yaml)
    {
        File.WriteAllText(path, yaml);
        return Assert.Throws<UsageException>(() => SweepPlanFile.Load(path)).Message;
    }

    [Fact]
    public void Plan_reads_every_key()
    {
        File.WriteAllText(path, """
            # thread study
            model: [models/a, org/b]
            threads: [4, 1, 2]
            compile: both
            quant-scheme: int4
            groupsize: 32
            int4-kernel: tiled
            dtype: bfloat16
            max-new-tokens: 16
            prompt: "Once upon a time"
            prompt-file: prompt.txt
            repeat: 2
            out: results/
            overwrite: true
            run-timeout: 600
            """);

        var plan = SweepPlanFile.Load(path);

        Assert.Equal(["models/a", "org/b"], plan.Models);
        Assert.Equal([1, 2, 4], plan.Threads);
        Assert.Equal([CompileMode.Off, CompileMode.On], plan.CompileModes);
        Assert.Equal(["int4"], plan.QuantSchemes);
        Assert.Equal((32, "tiled", "bfloat16", 16, "Once upon a time", 2, "results/"),
            (plan.GroupSize, plan.Int4Kernel, plan.Dtype, plan.MaxNewTokens, plan.Prompt, plan.Repeat, plan.Out));
        Assert.Equal((true, 600, "prompt.txt"), (plan.Overwrite, plan.RunTimeoutSeconds, plan.PromptFile));
        Assert.Equal(12, plan.Configurations().Count);
    }

    [Fact]
    public void Threads_may_be_written_as_a_comma_separated_string_and_a_single_model_as_a_scalar()
    {
        File.WriteAllText(path, "model: tiny\nthreads: \"2, 1\"\n");

        var plan = SweepPlanFile.Load(path);

        Assert.Equal(["tiny"], plan.Models);
        Assert.Equal([1, 2], plan.Threads);
        Assert.Equal([CompileMode.Off], plan.CompileModes);
        Assert.Equal(3, plan.Repeat);
    }

    [Fact]
    public void Unknown_key_fails_with_its_line_and_the_known_keys()
    {
        Assert.Equal($"{path}:3: treads: unknown key; known keys are model, threads, compile, quant-scheme, "
            + "groupsize, int4-kernel, dtype, max-new-tokens, prompt, prompt-file, repeat, out, overwrite, "
            + "run-timeout",
            Error("model: tiny\n\ntreads: [1, 2]\n"));
    }

    [Fact]
    public void Bad_thread_in_a_list_fails_with_the_line_of_that_item()
    {
        Assert.Equal($"{path}:4: threads: 'two' in 'two' is not a thread count; write positive integers like 1,2,4",
            Error("model: tiny\nthreads:\n  - 1\n  - two\n"));
    }

    [Fact]
    public void Zero_threads_in_a_string_list_fails_with_the_line()
    {
        Assert.Equal($"{path}:2: threads: '0' in '1,0' is not a thread count; write positive integers like 1,2,4",
            Error("model: tiny\nthreads: 1,0\n"));
    }

    [Fact]
    public void Thread_count_given_twice_across_items_fails_with_the_line_of_the_second()
    {
        Assert.Equal($"{path}:4: threads: 2 is given twice; give each thread count once",
            Error("model: tiny\nthreads:\n  - 1,2\n  - 2\n"));
    }

    [Fact]
    public void Wrong_types_fail_with_the_line_and_key()
    {
        Assert.Equal($"{path}:2: repeat: 'three' is not a whole number", Error("model: tiny\nrepeat: three\n"));
        Assert.Equal($"{path}:1: dtype: expected a single value", Error("dtype: [a, b]\n"));
        Assert.Equal($"{path}:1: compile: 'maybe' is not off, on or both", Error("compile: maybe\n"));
        Assert.Equal($"{path}:1: overwrite: 'yes please' is not true or false", Error("overwrite: yes please\n"));
        Assert.Equal($"{path}:2: model: expected one value or a list", Error("threads: [1]\nmodel: {a: b}\n"));
    }

    [Fact]
    public void Broken_yaml_and_a_non_mapping_fail_with_a_line()
    {
        Assert.StartsWith($"{path}:3: not valid YAML: While parsing a flow sequence",
            Error("model: tiny\nthreads: [1, 2\n"));
        Assert.StartsWith($"{path}:2: not valid YAML: ", Error("model: tiny\nmodel: other\n"));
        Assert.Equal($"{path}: not valid YAML: a [ or {{ is not closed before the file ends or before the next "
            + "key; close it on the line where it opens", Error("model: [models/tiny\nthreads: 1\n"));
        Assert.Equal($"{path}:1: the plan must be a mapping of keys like threads: [1, 2]", Error("- 1\n- 2\n"));
        Assert.Equal($"{path}:1: the plan is empty; it needs at least model and threads", Error(""));
    }
}
