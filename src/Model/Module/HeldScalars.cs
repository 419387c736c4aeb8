using TorchSharp;

namespace GemmaBench.Model.Module;

/// <summary>
/// Scalars the model's operators take, created once and never released. A number passed where TorchSharp takes
/// a Scalar (including the alpha of add and sub, which TorchSharp supplies itself when it is left out) becomes
/// a temporary whose finalizer frees the native value, and nothing keeps it alive during the native call: under
/// garbage collection libtorch can read freed memory ("Unknown scalar type" or a failed check in
/// c10/core/Scalar.h, about one benchmark run in 100 under load). So the model code never lets TorchSharp make
/// a Scalar: it passes these, or ones it holds in a field or a `using` variable that outlives the call.
/// ScalarLifetimeTests runs the modules under constant collection.
/// Limitation: a TorchSharp method that makes a Scalar inside itself, on a path those tests do not run, is
/// still exposed (square() and add's alpha were found that way).
/// </summary>
static class HeldScalars
{
    public static readonly Scalar Zero = 0.ToScalar();
    public static readonly Scalar One = 1.ToScalar();
    public static readonly Scalar Two = 2.ToScalar();
}
