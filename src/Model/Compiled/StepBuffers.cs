using static TorchSharp.torch;

namespace GemmaBench.Model.Compiled;

/// <summary>The static memory plan of a forward pass over a fixed number of tokens: every intermediate that the
/// scripted segments and the projections write, allocated once and reused by every layer and every step (the
/// decoder keeps one set for single-token decode).</summary>
sealed class StepBuffers : IDisposable
{
    public StepBuffers(long tokens, GemmaConfig config, long queryKeyValue, long gateUp, ScalarType dtype)
    {
        Tokens = tokens;
        Merged = Buffer(config.NumHeads * config.HeadDim);
        Residual = Buffer(config.HiddenSize);
        Normed = Buffer(config.HiddenSize);
        QueryKeyValue = Buffer(queryKeyValue);
        Attended = Buffer(config.HiddenSize);
        GateUp = Buffer(gateUp);
        Gated = Buffer(config.IntermediateSize);
        Fed = Buffer(config.HiddenSize);

        Tensor Buffer(long width) => empty([1, tokens, width], dtype).DetachFromDisposeScope();
    }

    public long Tokens { get; }

    /// <summary>x, the residual stream.</summary>
    public Tensor Residual { get; }

    /// <summary>The residual stream normed for the next projection.</summary>
    public Tensor Normed { get; }

    public Tensor QueryKeyValue { get; }

    /// <summary>The attended values of every head, the output projection's input (written by the C# decode
    /// operators; the scripted attention returns its own).</summary>
    public Tensor Merged { get; }

    /// <summary>The output projection's result.</summary>
    public Tensor Attended { get; }

    public Tensor GateUp { get; }

    /// <summary>gelu(gate) × up.</summary>
    public Tensor Gated { get; }

    /// <summary>The down projection's result.</summary>
    public Tensor Fed { get; }

    public void Dispose()
    {
        foreach (var buffer in new[] { Residual, Normed, QueryKeyValue, Merged, Attended, GateUp, Gated, Fed })
            buffer.Dispose();
    }
}
