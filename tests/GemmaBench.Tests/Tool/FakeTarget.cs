using GemmaBench.Tool;
using GemmaBench.Tool.Benchmark;

namespace GemmaBench.Tests.Tool;

/// <summary>A model that "generates" a scripted completion and advances a fake clock by a fixed
/// prefill time plus a fixed time per further token; it records every call the tool makes.</summary>
public sealed class FakeTarget(FakeClock clock) : IBenchmarkTarget, IBenchmarkTargetFactory
{
    public const int Eos = 1;

    public double PrefillSeconds { get; init; } = 0.07;
    public double SecondsPerToken { get; init; } = 0.0225;
    public double LoadSeconds { get; init; } = 1.5;
    public double QuantizeSeconds { get; init; } = 0.25;
    public double CompileSeconds { get; init; } = 3.0;
    public ModelLimits Limits { get; init; } = new(32768, [640, 2048, 1024], 262144);

    /// <summary>Ids generated in order; an <see cref="Eos"/> ends generation once min tokens are
    /// out.</summary>
    public IReadOnlyList<int> Completion { get; init; } = Enumerable.Range(100, 200).ToArray();

    public List<string> Calls { get; } = [];

    /// <summary>Extra seconds taken by the next Generate calls, in order (another process stalling us).</summary>
    public Queue<double> Stalls { get; } = new();
    public BenchmarkSettings? OpenedWith { get; private set; }
    public bool Disposed { get; private set; }

    public IBenchmarkTarget Open(BenchmarkSettings settings)
    {
        OpenedWith = settings;
        Calls.Add("open");
        return this;
    }

    /// <summary>The default prompt as the real tokenizer encodes it (55 ids); any other prompt as one
    /// id per word, BOS first: "a b c" is [2, 1000, 1001, 1002].</summary>
    public IReadOnlyList<int> Encode(string prompt, bool chat)
    {
        Calls.Add(chat ? "encode chat" : "encode");
        if (prompt == DefaultPrompt.Text && !chat)
            return DefaultPromptCase.Ids;
        int words = prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return [2, .. Enumerable.Range(1000, words + (chat ? 5 : 0))];
    }

    public void LoadWeights()
    {
        Calls.Add("load");
        clock.Advance(LoadSeconds);
    }

    /// <summary>The thread count the tool quantized with, or null before it did.</summary>
    public int? QuantizedWithThreads { get; private set; }

    public Int4KernelInEffect Quantize(int threads)
    {
        Calls.Add("quantize");
        QuantizedWithThreads = threads;
        clock.Advance(QuantizeSeconds);
        return new Int4KernelInEffect("managed", $"auto: managed (fake, {threads} threads)");
    }

    public string Compile()
    {
        Calls.Add("compile");
        clock.Advance(CompileSeconds);
        return "decode-step";
    }

    public IReadOnlyList<int> Generate(IReadOnlyList<int> promptIds, int maxNewTokens, int minNewTokens,
        Action<int>? onToken = null)
    {
        Calls.Add($"generate {maxNewTokens}/{minNewTokens}" + (onToken == null ? "" : " streamed"));
        var generated = new List<int>();
        foreach (int id in Completion.Take(maxNewTokens))
        {
            if (id == Eos && generated.Count >= minNewTokens)
                break;
            generated.Add(id);
            onToken?.Invoke(id);
        }
        clock.Advance(PrefillSeconds + SecondsPerToken * (generated.Count - 1)
            + (Stalls.TryDequeue(out double stall) ? stall : 0));
        return generated;
    }

    public ITextStream StartText() => new WordStream();

    public void Dispose() => Disposed = true;

    /// <summary>Id n prints as "wN " but holds back every second word until the next, as a real
    /// streaming decoder holds back incomplete characters.</summary>
    sealed class WordStream : ITextStream
    {
        string pending = "";

        public string Push(int tokenId)
        {
            string word = $"w{tokenId} ";
            if (pending.Length == 0)
            {
                pending = word;
                return "";
            }
            string text = pending + word;
            pending = "";
            return text;
        }

        public string Flush()
        {
            string text = pending;
            pending = "";
            return text;
        }
    }
}
