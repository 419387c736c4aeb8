namespace GemmaBench.Quant;

/// <summary>A quantization setting that cannot be applied; the message names the option and the fix.</summary>
public class QuantException : Exception
{
    public QuantException(string message) : base(message) { }

    public QuantException(string message, Exception inner) : base(message, inner) { }
}
