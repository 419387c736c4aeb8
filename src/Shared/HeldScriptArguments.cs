using TorchSharp;
using static TorchSharp.torch;

namespace GemmaBench.Shared;

/// <summary>
/// Calls a TorchScript function with its real and long arguments held as Scalars for the whole call.
/// TorchSharp passes a double, float or long to a script as a temporary Scalar that nothing keeps alive
/// during the native call, so garbage collection could free it while libtorch reads it (a failed check in
/// c10/core/Scalar.h, the same race the model modules avoid with their held Scalars). Compiled into both the
/// model and the quantization assemblies, which do not reference each other.
/// </summary>
static class HeldScriptArguments
{
    public static object Invoke(jit.CompilationUnit unit, string function, object[] args)
    {
        var held = new List<Scalar>();
        try
        {
            var passed = new object[args.Length];
            for (int i = 0; i < args.Length; i++)
            {
                Scalar? scalar = args[i] switch
                {
                    double d => d.ToScalar(),
                    float f => f.ToScalar(),
                    long l => l.ToScalar(),
                    _ => null,
                };
                if (scalar is not null)
                    held.Add(scalar);
                passed[i] = scalar ?? args[i];
            }
            return unit.invoke(function, passed);
        }
        finally
        {
            foreach (var scalar in held)
                scalar.Dispose();
        }
    }
}
