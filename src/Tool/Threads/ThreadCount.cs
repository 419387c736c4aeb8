using System.Globalization;

namespace GemmaBench.Tool.Threads;

/// <summary>The intra-op thread count for a run and where it came from: --threads, else
/// OMP_NUM_THREADS, else libtorch's own default for this machine.</summary>
public sealed record ThreadCount(int Count, string Source)
{
    public const string EnvironmentVariable = "OMP_NUM_THREADS";

    /// <summary>The counts --threads accepts; a sweep refuses the same ones before its first run.</summary>
    public const int MinCount = 1;

    public const int MaxCount = 4096;

    /// <exception cref="UsageException">OMP_NUM_THREADS is set but not a positive whole number.</exception>
    public static ThreadCount Resolve(int? option, string? environmentValue, int machineDefault) =>
        Resolve(option, environmentValue, () => machineDefault);

    /// <summary>As above; <paramref name="machineDefault"/> is asked only when needed, so a bad
    /// OMP_NUM_THREADS is refused before libtorch (and its OpenMP runtime, which complains about the
    /// value in its own words) is loaded.</summary>
    public static ThreadCount Resolve(int? option, string? environmentValue, Func<int> machineDefault) =>
        FromUser(option, environmentValue) ?? LibTorchDefault(machineDefault());

    public static ThreadCount LibTorchDefault(int machineDefault) => new(machineDefault, "libtorch default");

    /// <summary>The count the user asked for, with --threads or OMP_NUM_THREADS; null when neither is
    /// given and libtorch's default applies, which is known only once libtorch is loaded.</summary>
    /// <exception cref="UsageException">OMP_NUM_THREADS is set but not a whole number from
    /// <see cref="MinCount"/> to <see cref="MaxCount"/>.</exception>
    public static ThreadCount? FromUser(int? option, string? environmentValue)
    {
        if (option is int requested)
            return new ThreadCount(requested, "--threads");

        if (string.IsNullOrWhiteSpace(environmentValue))
            return null;

        string value = environmentValue.Trim();
        if (value.Length == 0 || !value.All(char.IsAsciiDigit) || value.All(c => c == '0'))
            throw new UsageException(
                $"{EnvironmentVariable}='{environmentValue}' is not a positive whole number; " +
                "set it to a thread count such as 4, unset it, or pass --threads");
        // --threads' bound; a number too long for an int is above it too.
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || count > MaxCount)
            throw new UsageException(
                $"{EnvironmentVariable}='{environmentValue}' is more than {MaxCount} threads; set it to a " +
                $"thread count from {MinCount} to {MaxCount}, unset it, or pass --threads");
        return new ThreadCount(count, EnvironmentVariable);
    }
}
