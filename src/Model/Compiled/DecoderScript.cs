using System.Diagnostics;
using static TorchSharp.torch;

namespace GemmaBench.Model.Compiled;

/// <summary>The decoder's TorchScript source (the embedded resource Decoder.torchscript), compiled once, with
/// one typed method per scripted function. Integers cross as long and reals as double, lists as arrays.
/// Limitation: libtorch aborts the process on a semantic error in the source instead of throwing, so a test
/// compiles it and runs every function.</summary>
sealed class DecoderScript : IDisposable
{
    const string ResourceName = "GemmaBench.Model.Compiled.Decoder.torchscript";

    readonly jit.CompilationUnit unit;

    DecoderScript(jit.CompilationUnit unit, TimeSpan compileTime) => (this.unit, CompileTime) = (unit, compileTime);

    public TimeSpan CompileTime { get; }

    object Invoke(string function, params object[] args) =>
        GemmaBench.Shared.HeldScriptArguments.Invoke(unit, function, args);

    public static string Source()
    {
        using var stream = typeof(DecoderScript).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new ModelException($"the embedded TorchScript '{ResourceName}' is missing from this build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static DecoderScript Compile()
    {
        string source = Source();
        JitExecutor.UseSimpleExecutor();
        var clock = Stopwatch.StartNew();
        var unit = jit.compile(source);
        return new DecoderScript(unit, clock.Elapsed);
    }

    public void BeginInto(Tensor ids, Tensor table, double normalizer, Tensor inputNorm, double eps, Tensor x,
        Tensor h) =>
        Invoke("begin_into", ids, table, normalizer, inputNorm, eps, x, h);

    /// <summary>Norms, RoPE, the KV cache write and attention; q, k, v side by side in
    /// <paramref name="queryKeyValue"/>.</summary>
    public Tensor Attention(Tensor queryKeyValue, AttentionInputs inputs, long start, Tensor[] masks) =>
        (Tensor)Invoke("attention_fused", queryKeyValue, inputs.QueryKeyNorm, inputs.Eps, inputs.Cos,
            inputs.SignedSin, inputs.Keys, inputs.Values, start, masks, inputs.Heads, inputs.KvHeads,
            inputs.HeadDim);

    /// <summary><see cref="Attention"/> for one token at <paramref name="start"/>; <paramref name="cos"/> and
    /// <paramref name="signedSin"/> are its RoPE rows [1, head_dim].</summary>
    public Tensor AttentionDecode(Tensor queryKeyValue, AttentionInputs inputs, Tensor cos, Tensor signedSin,
        long start) =>
        (Tensor)Invoke("attention_decode", queryKeyValue, inputs.QueryKeyNorm, inputs.Eps, cos, signedSin,
            inputs.Keys, inputs.Values, start, inputs.Heads, inputs.KvHeads, inputs.HeadDim);

    public void AfterAttentionInto(Tensor x, Tensor attended, Tensor postAttentionNorm, Tensor preFeedforwardNorm,
        double eps, Tensor h) =>
        Invoke("after_attention_into", x, attended, postAttentionNorm, preFeedforwardNorm, eps, h);

    /// <summary>gelu_tanh(gate) × up into <paramref name="gated"/>; gate and up side by side in
    /// <paramref name="gateUp"/>.</summary>
    public void GatedInto(Tensor gateUp, Tensor gated) => Invoke("gated_into", gateUp, gated);

    public void AfterMlpInto(Tensor x, Tensor fed, Tensor postFeedforwardNorm, Tensor nextNorm, double eps,
        Tensor h) =>
        Invoke("after_mlp_into", x, fed, postFeedforwardNorm, nextNorm, eps, h);

    /// <summary>The whole step: embedding, every layer, final norm and LM head, in one call.</summary>
    public Tensor Forward(object[] arguments) => (Tensor)Invoke("forward", arguments);

    public void Dispose() => unit.Dispose();

    /// <summary>What one layer's attention reads besides q, k, v.</summary>
    /// <param name="QueryKeyNorm">The query and key norm scales stacked per head, [heads + kv heads, head_dim].
    /// </param>
    public readonly record struct AttentionInputs(Tensor QueryKeyNorm, double Eps, Tensor Cos,
        Tensor SignedSin, Tensor Keys, Tensor Values, long Heads, long KvHeads, long HeadDim);
}
