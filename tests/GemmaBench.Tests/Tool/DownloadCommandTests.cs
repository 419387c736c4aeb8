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
    public void Model_that_is_neither_a_directory_nor_a_hub_id_fails_with_one_line()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = CommandLine.Run(["download", "not/a/model", "--revision", "main"], stdout, stderr);

        Assert.Equal(CommandLine.Failure, exit);
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

        Assert.Equal(
            [
                "downloading model.safetensors (2.0 GB)",
                "downloaded model.safetensors: 2.0 GB in 40.0 s (50.0 MB/s)",
                "resuming tokenizer.json at 11.0 MB of 33.0 MB",
                "retrying tokenizer.json in 2 s (attempt 2): HTTP 503",
            ],
            stderr.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    sealed class ManualClock : TimeProvider
    {
        long ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => ticks;

        public void Advance(TimeSpan by) => ticks += by.Ticks;
    }
}
