using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;

namespace GemmaBench.Tool.Sweep;

/// <summary>The thread counts the benchmark accepts, read from the [Range] on its --threads option,
/// so that a sweep refuses exactly the counts every run would refuse.</summary>
public static class BenchmarkThreadRange
{
    static readonly RangeAttribute Range =
        typeof(GemmaBenchCommand).GetProperty(nameof(GemmaBenchCommand.Threads))!
            .GetCustomAttribute<RangeAttribute>()!;

    public static int Min => Convert.ToInt32(Range.Minimum, CultureInfo.InvariantCulture);

    public static int Max => Convert.ToInt32(Range.Maximum, CultureInfo.InvariantCulture);
}
