namespace GemmaBench.Model;

/// <summary>A failure the user can act on; the message is the one line the tool prints.</summary>
public class ModelException : Exception
{
    public ModelException(string message) : base(message) { }

    public ModelException(string message, Exception? inner) : base(message, inner) { }
}
