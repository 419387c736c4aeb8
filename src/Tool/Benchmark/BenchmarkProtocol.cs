namespace GemmaBench.Tool.Benchmark;

/// <summary>The original script's measurement protocol, kept so numbers stay comparable: a warm-up
/// of exactly max-new-tokens and one of a single token (untimed), then prefill timed as generating
/// one token, then end-to-end generation timed as generating up to max-new-tokens.</summary>
public sealed class BenchmarkProtocol(IBenchmarkTarget target, TimeProvider clock)
{
    public Measurement Measure(IReadOnlyList<int> promptIds, int maxNewTokens, int minNewTokens)
    {
        target.Generate(promptIds, maxNewTokens, maxNewTokens);
        target.Generate(promptIds, 1, 1);

        Measurement measurement;
        int attempt = 0;
        do
        {
            long start = clock.GetTimestamp();
            target.Generate(promptIds, 1, 1);
            double prefillSeconds = clock.GetElapsedTime(start).TotalSeconds;

            start = clock.GetTimestamp();
            var generated = target.Generate(promptIds, maxNewTokens, minNewTokens);
            double e2eSeconds = clock.GetElapsedTime(start).TotalSeconds;
            measurement = new Measurement(promptIds.Count, prefillSeconds, e2eSeconds, generated);
        }
        // Prefill and end-to-end come from separate runs; a stall in the prefill run (another process
        // taking the core) can make it longer than the whole generation, or leave so little of the generation
        // to decode that decode looks faster than prefill. Such a pair is measured again.
        while (measurement.Stalled && ++attempt < MaxAttempts);
        return measurement;
    }

    public const int MaxAttempts = 3;
}

/// <summary>What the protocol measured. Decode time is end-to-end minus prefill; the rates are
/// null when their time is not positive, and the decode rate also when at most one token was
/// generated (that token comes from the prefill, so its "decode time" is only timer noise) or when a
/// stall made the decode time meaningless.</summary>
public sealed record Measurement(int PrefillTokens, double PrefillSeconds, double E2ESeconds,
    IReadOnlyList<int> GeneratedIds)
{
    public int DecodedTokens => GeneratedIds.Count;

    public double DecodeSeconds => E2ESeconds - PrefillSeconds;

    /// <summary><see cref="DecodeSeconds"/> where it means something: null when at most one token was
    /// generated (it comes from the prefill) or when a stall left it meaningless.</summary>
    public double? MeaningfulDecodeSeconds => DecodedTokens > 1 && !Stalled ? DecodeSeconds : null;

    /// <summary>The separately timed prefill took at least as long as the whole generation of several
    /// tokens: one of the two runs was stalled, and the decode time means nothing.</summary>
    public bool PrefillOutlastedGeneration => DecodedTokens > 1 && DecodeSeconds <= 0;

    /// <summary>Decode ran more than twice as many tokens a second as prefill. A prefill handles its tokens
    /// together, so per token it is never slower than decoding them one at a time; a decode rate above the
    /// prefill rate means the separately timed prefill was stalled and the decode time is what was left.
    /// (The factor 2 leaves room for a one-token prompt, whose prefill is one decode step.)</summary>
    public bool DecodeOutpacedPrefill =>
        MeasuredDecodeRate is double decode && PrefillTokensPerSecond is double prefill && decode > 2 * prefill;

    /// <summary>One of the two runs was stalled: the decode time means nothing.</summary>
    public bool Stalled => PrefillOutlastedGeneration || DecodeOutpacedPrefill;

    public double? PrefillTokensPerSecond => Rate(PrefillTokens, PrefillSeconds);

    /// <summary>Null as well when a stall left the decode time meaningless (<see cref="Stalled"/>).</summary>
    public double? DecodeTokensPerSecond => Stalled ? null : MeasuredDecodeRate;

    double? MeasuredDecodeRate => DecodedTokens > 1 ? Rate(DecodedTokens, DecodeSeconds) : null;

    static double? Rate(int tokens, double seconds) => seconds > 0 ? tokens / seconds : null;
}
