namespace GemmaBench.Model;

/// <summary>A problem with a model directory or its files. The message is the one line users see: it
/// names the file or field at fault and what to do about it.</summary>
public class ModelException : Exception
{
    public ModelException(string message) : base(message) { }

    public ModelException(string message, Exception inner) : base(message, inner) { }
}
