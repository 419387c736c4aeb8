using System.Text.RegularExpressions;
using McMaster.Extensions.CommandLineUtils;

namespace GemmaBench.Tool;

/// <summary>Rewords the parser library's own errors (a missing value, a repeated option) as our
/// one-line usage errors naming the option and what to do.</summary>
static partial class ParserMessages
{
    public static string Reword(CommandParsingException error)
    {
        var missing = MissingValue().Match(error.Message);
        if (missing.Success)
            return $"--{missing.Groups["option"].Value} needs a value";

        var unexpected = UnexpectedValue().Match(error.Message);
        if (unexpected.Success)
        {
            string name = unexpected.Groups["option"].Value;
            var option = error.Command?.GetOptions().FirstOrDefault(o => o.LongName == name);
            return option?.OptionType == CommandOptionType.NoValue
                ? $"--{name} takes no value (got '{unexpected.Groups["value"].Value}')"
                : $"--{name} is given twice; give it once";
        }
        return error.Message;
    }

    [GeneratedRegex("^Missing value for option '(?<option>[^']+)'$")]
    private static partial Regex MissingValue();

    [GeneratedRegex("^Unexpected value '(?<value>.*)' for option '(?<option>[^']+)'$")]
    private static partial Regex UnexpectedValue();
}
