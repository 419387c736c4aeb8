using GemmaBench.Tool;
using GemmaBench.Tool.Benchmark;

namespace GemmaBench.Tests.Tool;

public class OptionValidationTests
{
    [Theory]
    [InlineData("--threads 0", "gemma-bench: --threads must be between 1 and 4096")]
    [InlineData("--max-new-tokens 0", "gemma-bench: --max-new-tokens must be between 1 and 1000000")]
    [InlineData("--min-new-tokens -1", "gemma-bench: --min-new-tokens must be between 0 and 1000000")]
    [InlineData("--groupsize 0", "gemma-bench: --groupsize must be 32, 64, 128 or 256 (got 0)")]
    [InlineData("--groupsize 16", "gemma-bench: --groupsize must be 32, 64, 128 or 256 (got 16)")]
    [InlineData("--dtype float16", "gemma-bench: --dtype must be float32 or bfloat16 (got float16)")]
    [InlineData("--quant-scheme int8",
        "gemma-bench: --quant-scheme must be symmetric_groupwise, symmetric_channelwise or none (got int8)")]
    [InlineData("--int4-kernel fast",
        "gemma-bench: --int4-kernel must be auto, managed, int4pack, dynquant or reference (got fast)")]
    [InlineData("--min-new-tokens 9 --max-new-tokens 8",
        "gemma-bench: --min-new-tokens 9 is more than --max-new-tokens 8")]
    [InlineData("--prompt-ids 2,x",
        "gemma-bench: --prompt-ids '2,x' is not a comma-separated list of token ids such as 2,651,1015")]
    [InlineData("--prompt-ids 2,-5",
        "gemma-bench: --prompt-ids '2,-5' is not a comma-separated list of token ids such as 2,651,1015")]
    [InlineData("--prompt-ids 2 --prompt hi",
        "gemma-bench: --prompt-ids replaces --prompt and cannot be used with --prompt, --prompt-file or --chat")]
    [InlineData("--prompt-ids 2 --chat",
        "gemma-bench: --prompt-ids replaces --prompt and cannot be used with --prompt, --prompt-file or --chat")]
    [InlineData("--bogus", "gemma-bench: unrecognized argument '--bogus' (see --help)")]
    [InlineData("--threads many", "gemma-bench: --threads: 'many' is not a whole number")]
    public void BadOptionFailsWithOneLineAndExitCode2BeforeOpeningTheModel(string options, string message)
    {
        var harness = new ToolHarness();

        var result = harness.Run(["--model", ToolHarness.Tiny, .. options.Split(' ')]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(message + "\n", result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.Empty(harness.Target.Calls);
    }

    [Fact]
    public void MissingModelIsBadUsage()
    {
        var result = new ToolHarness().Run();

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("gemma-bench: --model is required", result.Stderr);
    }

    [Theory]
    [InlineData("/no/such/model", "no directory /no/such/model")]
    [InlineData("./relative/missing", "no directory ./relative/missing")]
    public void ModelThatIsNeitherADirectoryNorAHubIdIsBadUsage(string model, string expected)
    {
        var result = new ToolHarness().Run("--model", model);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }

    [Fact]
    public void ModelDirectoryWithoutConfigIsBadUsage()
    {
        var result = new ToolHarness().Run("--model", TestPaths.Fixtures);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"gemma-bench: --model: {TestPaths.Fixtures} has no config.json; " +
            "give a model directory in Hugging Face layout\n", result.Stderr);
    }

    [Fact]
    public void ModelDirectoryWhoseConfigIsADirectoryIsBadUsageSayingSo()
    {
        using var dir = new GemmaBench.Tests.Model.TempDirectory();
        Directory.CreateDirectory(dir.File("config.json"));

        var result = new ToolHarness().Run("--model", dir.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"gemma-bench: --model: {dir.File("config.json")} is a directory; give a model directory " +
            "in Hugging Face layout, whose config.json is a file\n", result.Stderr);
    }

    [Fact]
    public void HubIdIsHandedToTheModelFactory()
    {
        var harness = new ToolHarness();

        var result = harness.Run("--model", "google/gemma-3-1b-it", "--no-stream");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("google/gemma-3-1b-it", harness.Target.OpenedWith!.Model);
    }

    [Fact]
    public void GroupSizeThatDoesNotDivideTheModelsWidthsFailsBeforeWeightsLoad()
    {
        var harness = new ToolHarness();

        var result = harness.Run("--model", ToolHarness.Tiny, "--groupsize", "256");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"gemma-bench: --groupsize 256 does not divide the widths of {ToolHarness.Tiny} " +
            "(640, 2048, 1024); use a divisor of all of them such as 128, or --quant-scheme " +
            "symmetric_channelwise\n", result.Stderr);
        Assert.Equal(["open", "encode"], harness.Target.Calls);
        Assert.True(harness.Target.Disposed);
    }

    [Theory]
    [InlineData(new[] { 1152, 6912 },
        "use a divisor of all of them such as 128, or --quant-scheme symmetric_channelwise")]
    [InlineData(new[] { 640, 2080 },
        "use a divisor of all of them such as 32, or --quant-scheme symmetric_channelwise")]
    [InlineData(new[] { 640, 2056 }, "none of 32, 64, 128 or 256 divides them all; use --quant-scheme " +
        "symmetric_channelwise")]
    public void GroupSizeSuggestionIsAGroupSizeTheOptionTakes(int[] widths, string remedy)
    {
        var harness = new ToolHarness(clock =>
            new FakeTarget(clock) { Limits = new ModelLimits(32768, widths, 262144) });

        var result = harness.Run("--model", ToolHarness.Tiny, "--groupsize", "256");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"gemma-bench: --groupsize 256 does not divide the widths of {ToolHarness.Tiny} " +
            $"({string.Join(", ", widths)}); {remedy}\n", result.Stderr);
    }

    [Fact]
    public void GroupSizeIsNotCheckedWhenTheSchemeDoesNotGroup()
    {
        var result = new ToolHarness().Run("--model", ToolHarness.Tiny, "--groupsize", "256",
            "--quant-scheme", "symmetric_channelwise", "--no-stream");

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public void PromptThatDoesNotFitTheContextFailsBeforeWeightsLoad()
    {
        var harness = new ToolHarness(clock =>
            new FakeTarget(clock) { Limits = new ModelLimits(60, [640], 262144) });

        var result = harness.Run("--model", ToolHarness.Tiny);

        Assert.Equal(2, result.ExitCode);
        Assert.EndsWith("gemma-bench: the default prompt is 55 tokens; with --max-new-tokens 64 that exceeds " +
            $"the context of {ToolHarness.Tiny} (60 tokens, max_position_embeddings in config.json); " +
            "shorten the prompt or lower --max-new-tokens\n", result.Stderr);
        Assert.DoesNotContain("load", harness.Target.Calls);
    }

    [Fact]
    public void PromptWhosePrefillNeedsMoreMemoryThanIsAvailableFailsBeforeWeightsLoad()
    {
        // 55² tokens × 10¹² bytes: more than any machine has.
        var harness = new ToolHarness(clock => new FakeTarget(clock)
        {
            Limits = new ModelLimits(32768, [640], 262144, PrefillBytesPerSquaredToken: 1_000_000_000_000),
        });

        var result = harness.Run("--model", ToolHarness.Tiny);

        Assert.Equal(2, result.ExitCode);
        Assert.Matches(@"^gemma-bench: the default prompt is 55 tokens; its prefill attends every token to every " +
            @"other at once, which needs about 3025000\.0 GB of memory, and [0-9]+\.[0-9] GB is available: " +
            @"shorten the prompt \(to about [0-9]+ tokens here\)\n$", result.Stderr);
        Assert.DoesNotContain("load", harness.Target.Calls);
    }

    [Fact]
    public void PrefillMemoryCheckPassesWhatFitsAndRefusesWhatDoesNot()
    {
        var settings = new BenchmarkSettings
        {
            Model = "m", Dtype = "float32", QuantScheme = "none", GroupSize = 32, Int4Kernel = "auto", Compile = false,
            Chat = false,
        };
        var request = new GenerationRequest("", null, 8, 8, Json: true, Stream: false);
        var limits = new ModelLimits(32768, [640], 262144, PrefillBytesPerSquaredToken: 100);

        // Prefill may take 80% of what is available: 89² × 100 bytes fit in 800,000, 90² do not.
        ModelChecks.Check(settings, request, limits, new int[89], availableMemory: 1_000_000);
        var error = Assert.Throws<UsageException>(() =>
            ModelChecks.Check(settings, request, limits, new int[90], availableMemory: 1_000_000));
        Assert.EndsWith("needs about 0.0 GB of memory, and 0.0 GB is available: shorten the prompt (to about 89 " +
            "tokens here)", error.Message);
    }

    [Theory]
    [InlineData("prompt", "--prompt is 3 tokens")]
    [InlineData("file", "--prompt-file {0} is 3 tokens")]
    [InlineData("ids", "--prompt-ids gives 3 tokens")]
    [InlineData("chat", "--prompt wrapped by --chat is 8 tokens, the chat template's included")]
    [InlineData("chat file", "--prompt-file {0} wrapped by --chat is 8 tokens, the chat template's included")]
    public void PromptTooLongNamesWhereThePromptCameFrom(string source, string expected)
    {
        var harness = new ToolHarness(clock =>
            new FakeTarget(clock) { Limits = new ModelLimits(10, [640], 262144) });
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "a b");
        string[] prompt = source switch
        {
            "prompt" => ["--prompt", "a b"],
            "file" => ["--prompt-file", file],
            "chat" => ["--prompt", "a b", "--chat"],
            "chat file" => ["--prompt-file", file, "--chat"],
            _ => ["--prompt-ids", "2,5,7"],
        };

        var result = harness.Run(["--model", ToolHarness.Tiny, "--max-new-tokens", "8", .. prompt]);
        File.Delete(file);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"gemma-bench: {string.Format(expected, file)}; with --max-new-tokens 8 that exceeds " +
            $"the context of {ToolHarness.Tiny} (10 tokens, max_position_embeddings in config.json); " +
            "shorten the prompt or lower --max-new-tokens\n", result.Stderr);
    }

    [Fact]
    public void RuntimeFailureExitsWith1AndOneLineWithoutVerbose()
    {
        var result = RunOnTruncatedCheckpoint("--quant-scheme", "none");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var errorLines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith("gemma-bench: threads:") && !line.StartsWith("gemma-bench: loading"))
            .ToArray();
        var error = Assert.Single(errorLines);
        Assert.Contains("model.safetensors", error);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        var result = RunOnTruncatedCheckpoint("--quant-scheme", "none", "--verbose");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("   at ", result.Stderr);
    }

    /// <summary>The real model binding on a copy of the tiny fixture whose weights file is cut short.</summary>
    static ToolHarness.Result RunOnTruncatedCheckpoint(params string[] extra)
    {
        string dir = Directory.CreateTempSubdirectory("gemma-bench-truncated-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(ToolHarness.Tiny))
                File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            string weights = Path.Combine(dir, "model.safetensors");
            using (var stream = new FileStream(weights, FileMode.Open))
                stream.SetLength(stream.Length / 2);

            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var services = BenchmarkServices.CreateDefault() with { Threads = new FakeThreads() };
            int exitCode = CommandLine.Run(["--model", dir, "--prompt-ids", "2,5,7", .. extra], stdout, stderr,
                services);
            return new ToolHarness.Result(exitCode, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void PromptIdOutsideTheVocabularyFailsBeforeWeightsLoad()
    {
        var harness = new ToolHarness(clock =>
            new FakeTarget(clock) { Limits = new ModelLimits(60, [640], 512) });

        var result = harness.Run("--model", ToolHarness.Tiny, "--prompt-ids", "2,511,512");

        Assert.Equal(2, result.ExitCode);
        Assert.EndsWith($"gemma-bench: --prompt-ids: id 512 is outside the vocabulary of {ToolHarness.Tiny} " +
            "(0 to 511)\n", result.Stderr);
        Assert.DoesNotContain("load", harness.Target.Calls);
    }

    [Fact]
    public void TokenizerOfAnotherModelFailsBeforeWeightsLoad()
    {
        // The fake tokenizer gives ids from 1000 up; the model's vocabulary ends at 511.
        var harness = new ToolHarness(clock =>
            new FakeTarget(clock) { Limits = new ModelLimits(32768, [640], 512) });

        var result = harness.Run("--model", ToolHarness.Tiny, "--prompt", "a b");

        Assert.Equal(2, result.ExitCode);
        Assert.EndsWith($"gemma-bench: the tokenizer of {ToolHarness.Tiny} gives id 1000, outside the model's " +
            "vocabulary (0 to 511, vocab_size in config.json): the tokenizer files belong to another model; use " +
            "the model's own tokenizer.json and tokenizer_config.json, or give the prompt as --prompt-ids\n",
            result.Stderr);
        Assert.DoesNotContain("load", harness.Target.Calls);
    }
}
