using GemmaBench.Model.Hub;
using GemmaBench.Tool.Commands;
using GemmaBench.Tool.Output;
using McMaster.Extensions.CommandLineUtils;
using McMaster.Extensions.CommandLineUtils.Abstractions;

namespace GemmaBench.Tool;

/// <summary>Runs the command line: parses, dispatches, and turns every failure into one line on
/// stderr and an exit code (2 for bad usage, 1 for failures at run time).</summary>
public static class CommandLine
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;

    /// <summary>Stopped by Ctrl-C (SIGINT) or SIGTERM after cleaning up: 128 + SIGINT, as shells report.</summary>
    public const int Interrupted = 130;

    /// <summary>The tool's entry point: the process's own streams and environment.</summary>
    public static int Run(string[] args)
    {
        // A blank OMP_NUM_THREADS means unset to the tool; libgomp, which reads the native environment
        // when libtorch loads, would warn about it in its own words.
        GemmaBench.Quant.OpenMpThreads.ForgetBlankThreadCount();
        return Run(args, Console.Out, Console.Error);
    }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, Console.In, stdout, stderr, BenchmarkServices.CreateDefault());

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, BenchmarkServices services) =>
        Run(args, Console.In, stdout, stderr, services);

    /// <summary>Runs with the given streams; commands that read input (tokenize) read <paramref name="stdin"/>.</summary>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdin, stdout, stderr, BenchmarkServices.CreateDefault());

    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr,
        BenchmarkServices services)
    {
        bool verbose = args.Contains("--verbose");
        stdout = new StdoutWriter(stdout);
        stderr = new StderrWriter(stderr);
        var console = new RedirectedConsole(stdin, stdout, stderr);
        try
        {
            var app = new CommandLineApplication<GemmaBenchCommand>(console);
            // Before the conventions, which pick each option's parser as they create it.
            OptionValueParsers.Register(app);
            app.Conventions.UseDefaultConventions().UseConstructorInjection(new Services(services));
            ReportValidationErrorsAsUsage(app, stderr);
            // The parser prints its "Specify --help" hint on Out when it fails; stdout belongs to the
            // user's scripts and errors are one line on stderr, so the hint is dropped (help text stays).
            SetOut(app, new HintDroppingWriter(stdout));
            app.OnParsingComplete(RejectUnrecognizedArguments);
            return app.Execute(args);
        }
        catch (CommandParsingException e)
        {
            stderr.WriteLine($"gemma-bench: {Scope(e.Command)}{ParserMessages.Reword(e)}");
            return BadUsage;
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"gemma-bench: {e.Message}");
            return BadUsage;
        }
        catch (HubException e) when (e.Failure == HubFailure.InvalidModelId)
        {
            // A model or revision that cannot name a hub repository is bad input, known before any download.
            stderr.WriteLine($"gemma-bench: {e.Message}");
            return BadUsage;
        }
        catch (Exception e)
        {
            // Library errors carry a message written for the user (file, field or option, and what
            // to do); anything else is a defect, reported in one line too unless --verbose is given.
            stderr.WriteLine($"gemma-bench: {FirstLine(e.Message)}");
            if (verbose)
                stderr.WriteLine(e);
            return Failure;
        }
    }

    // libtorch's errors carry a native backtrace after their first line; that is for --verbose.
    static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    static void SetOut(CommandLineApplication app, TextWriter writer)
    {
        app.Out = writer;
        foreach (var subcommand in app.Commands)
            SetOut(subcommand, writer);
    }

    sealed class HintDroppingWriter(TextWriter stdout) : TextWriter
    {
        public override System.Text.Encoding Encoding => stdout.Encoding;

        public override void Write(char value) => stdout.Write(value);

        public override void Write(string? value) => stdout.Write(value);

        public override void WriteLine(string? value)
        {
            bool hint = value != null && value.StartsWith("Specify --", StringComparison.Ordinal)
                && value.EndsWith("for a list of available options and commands.", StringComparison.Ordinal);
            if (!hint)
                stdout.WriteLine(value);
        }

        public override void Flush() => stdout.Flush();
    }

    // The sweep's refusals start "sweep: " (its runs' own messages do not), so the parser's do too.
    static string Scope(CommandLineApplication? command) =>
        command is CommandLineApplication<SweepCommand> ? "sweep: " : "";

    // McMaster prints a "Specify --help" hint on stdout before it throws for an unknown option;
    // stdout belongs to users' scripts, so unknown arguments are collected and rejected here instead.
    static void RejectUnrecognizedArguments(ParseResult result)
    {
        var command = result.SelectedCommand;
        try
        {
            RejectOptionsTakenAsValues(command);
            if (command.RemainingArguments is [string first, ..])
                throw new UsageException($"unrecognized argument '{first}' (see --help)");
            RejectEmptyNumbers(command);
        }
        catch (UsageException e) when (Scope(command).Length > 0)
        {
            throw new UsageException(Scope(command) + e.Message);
        }
    }

    // `--model --threads 2` gives --model the value "--threads" and leaves "2" over; an option's name
    // given as another option's value is the value missing (often an unset variable in a script).
    static void RejectOptionsTakenAsValues(CommandLineApplication command)
    {
        var names = command.GetOptions().Where(o => o.LongName != null).Select(o => "--" + o.LongName).ToHashSet();
        foreach (var option in command.GetOptions())
        {
            if (option.OptionType != CommandOptionType.NoValue
                && option.Values.FirstOrDefault(v => v != null && names.Contains(v.Split('=')[0])) is { } taken)
                throw new UsageException($"--{option.LongName} needs a value (got the option {taken})");
        }
    }

    // The parser reads an empty value of an optional number (`--threads ""`, `--threads=`) as "not
    // given"; a script passing an unset variable would then measure the default without a word.
    static void RejectEmptyNumbers(CommandLineApplication command)
    {
        var model = command.GetType().IsGenericType ? command.GetType().GetGenericArguments()[0] : null;
        if (model == null)
            return;
        var numbers = model.GetProperties()
            .Where(p => Nullable.GetUnderlyingType(p.PropertyType) is { } t && (t == typeof(int) || t == typeof(long)))
            .Select(p => p.GetCustomAttributes(typeof(OptionAttribute), true).OfType<OptionAttribute>()
                .FirstOrDefault()?.Template)
            .ToHashSet();
        foreach (var option in command.GetOptions())
        {
            if (numbers.Contains("--" + option.LongName) && option.Values.Any(string.IsNullOrWhiteSpace))
                throw new UsageException($"--{option.LongName}: '' is not a whole number");
        }
    }

    static void ReportValidationErrorsAsUsage(CommandLineApplication app, TextWriter stderr)
    {
        app.ThrowOnUnexpectedArgument = false;
        app.ValidationErrorHandler = result =>
        {
            stderr.WriteLine($"gemma-bench: {result.ErrorMessage}");
            return BadUsage;
        };
        foreach (var subcommand in app.Commands)
            ReportValidationErrorsAsUsage(subcommand, stderr);
    }

    sealed class Services(BenchmarkServices services) : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(BenchmarkServices) ? services : null;
    }
}

/// <summary>Bad options or arguments found after parsing: exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

sealed class RedirectedConsole(TextReader stdin, TextWriter stdout, TextWriter stderr) : IConsole
{
    public TextWriter Out => stdout;
    public TextWriter Error => stderr;
    public TextReader In => stdin;
    public bool IsInputRedirected => Console.IsInputRedirected;
    public bool IsOutputRedirected => Console.IsOutputRedirected;
    public bool IsErrorRedirected => Console.IsErrorRedirected;
    public ConsoleColor ForegroundColor { get; set; }
    public ConsoleColor BackgroundColor { get; set; }
#pragma warning disable CS0067 // required by IConsole, never raised here
    public event ConsoleCancelEventHandler? CancelKeyPress;
#pragma warning restore CS0067
    public void ResetColor() { }
}
