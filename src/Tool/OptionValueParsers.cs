using System.Globalization;
using System.Numerics;
using McMaster.Extensions.CommandLineUtils;
using McMaster.Extensions.CommandLineUtils.Abstractions;

namespace GemmaBench.Tool;

/// <summary>Parsers for numeric option values whose failures read as our one-line errors
/// (`--threads: 'abc' is not a whole number`), replacing the parser library's own wording.
/// Numbers are read in the invariant culture, as scripts write them.</summary>
static class OptionValueParsers
{
    public static void Register(CommandLineApplication app)
    {
        app.ValueParsers.AddOrReplace(new WholeNumberParser<int>());
        app.ValueParsers.AddOrReplace(new WholeNumberParser<long>());
    }

    // The library names an option by its long name, without the dashes.
    static string Option(string? argName) => argName == null ? "a value" : $"--{argName}";

    sealed class WholeNumberParser<T> : IValueParser<T> where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
    {
        public Type TargetType => typeof(T);

        public T Parse(string? argName, string? value, CultureInfo culture)
        {
            if (T.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out T result))
                return result;
            if (BigInteger.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
                    out var big))
                throw new FormatException($"{Option(argName)}: '{value}' is out of range " +
                    $"({(big.Sign < 0 ? "below " + T.MinValue : "above " + T.MaxValue)})");
            throw new FormatException($"{Option(argName)}: '{value}' is not a whole number");
        }

        object? IValueParser.Parse(string? argName, string? value, CultureInfo culture) =>
            Parse(argName, value, culture);
    }
}
