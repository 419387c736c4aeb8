namespace GemmaBench.Model.Compiled;

/// <summary>How the compiled decoder splits a forward pass between TorchScript and C#.</summary>
public enum CompileArrangement
{
    /// <summary>Whole step when every projection can run inside the script, else segments.</summary>
    Auto,

    /// <summary>One script call per forward pass: embedding, all layers, LM head. Needs projections libtorch can
    /// run (float weights or int4pack).</summary>
    WholeStep,

    /// <summary>Scripted segments (norms, RoPE, attention with the KV cache, residuals, activation) with the
    /// projection modules called from C# between them: works with any projection, e.g. our managed INT4
    /// kernel.</summary>
    Segments,
}
