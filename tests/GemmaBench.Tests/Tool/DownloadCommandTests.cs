using GemmaBench.Tool;
using GemmaBench.Tool.Output;

namespace GemmaBench.Tests.Tool;

public sealed class DownloadCommandTests
{
    [Fact]
    public void Local_directory_is_printed_alone_on_stdout()
    {
        string dir = TestPaths.Checkpoint("tiny");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["download", dir], stdout, stderr);

        Assert.Equal(CommandLine.Success, exit);
        Assert.Equal(Path.GetFullPath(dir) + Environment.NewLine, stdout.ToString());
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public void Model_that_is_neither_a_directory_nor_a_hub_id_is_a_usage_error()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["download", "not/a/model", "--revision", "main"], stdout, stderr);

        Assert.Equal(CommandLine.BadUsage, exit);
        Assert.Equal("", stdout.ToString());
        Assert.Equal("gemma-bench: model 'not/a/model' is neither a directory nor a Hugging Face model id like "
            + "google/gemma-3-1b-it" + Environment.NewLine, stderr.ToString());
    }

    [Fact]
    public void Progress_off_a_terminal_is_one_line_per_file_start_and_end()
    {
        var clock = new ManualClock();
        var stderr = new StringWriter();
        var progress = new DownloadProgressReporter(stderr, isTerminal: false, clock);

        progress.Started("model.safetensors", 2_000_000_000, 0);
        clock.Advance(TimeSpan.FromSeconds(40));
        progress.Advanced("model.safetensors", 2_000_000_000);
        progress.Finished("model.safetensors");
        progress.Started("tokenizer.json", 33_000_000, 11_000_000);
        progress.Retrying("tokenizer.json", "HTTP 503", 1, TimeSpan.FromSeconds(2));
        progress.Waiting("model-00001-of-00002.safetensors");

        Assert.Equal(
            [
                "gemma-bench: downloading model.safetensors (2.0 GB)",
                "gemma-bench: downloaded model.safetensors: 2.0 GB in 40.0 s (50.0 MB/s)",
                "gemma-bench: resuming tokenizer.json at 11.0 MB of 33.0 MB",
                "gemma-bench: retrying tokenizer.json in 2 s (attempt 2): HTTP 503",
                "gemma-bench: waiting for another process that is downloading model-00001-of-00002.safetensors "
                    + "into the same cache",
            ],
            stderr.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Progress_bar_on_a_terminal_and_its_retry_line_start_with_the_tools_name()
    {
        var stderr = new StringWriter();
        var progress = new DownloadProgressReporter(stderr, isTerminal: true, new ManualClock());

        progress.Started("model.safetensors", 1000, 0);
        progress.Retrying("model.safetensors", "HTTP 503", 1, TimeSpan.FromSeconds(2));

        string[] lines = stderr.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("\rgemma-bench: model.safetensors [........................]", lines[0]);
        Assert.Equal("gemma-bench: retrying model.safetensors in 2 s (attempt 2): HTTP 503", lines[1]);
    }

    sealed class ManualClock : TimeProvider
    {
        long ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => ticks;

        public void Advance(TimeSpan by) => ticks += by.Ticks;
    }
}
