namespace GemmaBench.Model;

/// <summary>A model that cannot be loaded or run; the message is the one line users see: it names the
/// file, field or option at fault and what to do.</summary>
public class ModelException : Exception
{
    public ModelException(string message) : base(message) { }

    public ModelException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>A checkpoint file (safetensors, index) that is malformed or does not fit the config.</summary>
public sealed class CheckpointException(string message) : ModelException(message);

/// <summary>A config that asks for something this implementation does not run (another architecture,
/// a rope type, softcapping), refused by name rather than run wrong.</summary>
public sealed class UnsupportedModelException(string message) : ModelException(message);
