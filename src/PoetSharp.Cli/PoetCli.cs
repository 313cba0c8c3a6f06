using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using PoetSharp.Data;
using PoetSharp.Potentials;

namespace PoetSharp.Cli;

/// <summary>
/// The `poet` command line: parsing, calling the library, printing. Callable in-process (tests pass their own writers).
/// Exit codes: 0 success, 1 an error in the input or the run (one line `poet: error: …` on stderr), 2 a usage error.
/// </summary>
public static class PoetCli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    /// <param name="stdoutIsTerminal">True only when <paramref name="stdout"/> is an interactive console: enables colours and the terminal's width.</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool stdoutIsTerminal = false) =>
        Run(args, stdout, stderr, stdoutIsTerminal, CliServices.Default);

    /// <summary>As <see cref="Run(string[], TextWriter, TextWriter, bool)"/> with the library calls replaceable (tests).</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool stdoutIsTerminal, CliServices services)
    {
        var output = new CliOutput(stdout, stderr, stdoutIsTerminal);
        var root = new RootCommand("PoetSharp: interatomic potentials by genetic programming (the POET method). Inspect and convert training data, evaluate potentials.");
        // One option for every command that reads data: it names the species of formats that store integer types.
        var typeMapOption = new Option<string>("--type-map")
        {
            HelpName = "SYMBOLS",
            Recursive = true,
            Description = "Element symbols by type index, comma-separated (e.g. Li,Ge,P,S), for data that stores integer types: " +
                          "DeePMD systems (replaces type_map.raw) and MLIP .cfg files (replaces their 'Feature species' line), " +
                          "and the species numbers of MLIP .mtp potentials.",
        };
        root.Options.Add(typeMapOption);
        IReadOnlyList<string>? typeMap = null;
        var given = services;
        services = services with
        {
            ReadData = path => typeMap is null ? given.ReadData(path) : given.ReadTypedData(path, typeMap),
            CreatePotential = spec => typeMap is null ? given.CreatePotential(spec) : given.CreateTypedPotential(spec, typeMap),
            TypeMap = () => typeMap,
        };
        root.Subcommands.Add(DataCommands.Create(output, services));
        root.Subcommands.Add(EvalCommand.Create(output, services));
        root.Subcommands.Add(RefitCommand.Create(output, services));
        root.Subcommands.Add(MdCommands.CreateMd(output, services));
        root.Subcommands.Add(MdCommands.CreateArrhenius(output, services));
        root.Subcommands.Add(MdCommands.CreateDiffusion(output, services));
        root.Subcommands.Add(BarrierCommand.Create(output, services));
        root.Subcommands.Add(HopsCommand.Create(output, services));
        root.Subcommands.Add(ExportCommand.Create(output, services));
        root.Subcommands.Add(FitCommand.Create(output, services));
        root.Subcommands.Add(FrontCommand.Create(output, services));
        root.Subcommands.Add(DemoCommand.Create(output, services));
        root.Subcommands.Add(PropertiesCommand.Create(output, services));
        root.Subcommands.Add(FitMtpCommand.Create(output, services));
        root.Subcommands.Add(LearnCommand.Create(output, services));
        root.Subcommands.Add(SelectCommand.Create(output, services));
        root.Subcommands.Add(KPointsCommand.Create(output, services));

        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            var messages = string.Join(" ", parsed.Errors.Select(e => e.Message));
            stderr.WriteLine($"poet: error: {messages} (see '{CommandPath(parsed)} --help')");
            return UsageError;
        }

        if (parsed.GetValue(typeMapOption) is string mapText)
        {
            var symbols = mapText.Split(',', StringSplitOptions.TrimEntries);
            if (symbols.Length == 0 || symbols.Any(x => x.Length == 0))
            {
                stderr.WriteLine($"poet: error: --type-map '{mapText}': expected comma-separated element symbols such as Li,Ge,P,S (see '{CommandPath(parsed)} --help')");
                return UsageError;
            }
            typeMap = symbols;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            stderr.WriteLine("poet: error: " + Describe(e));
            return Failure;
        }
    }

    /// <summary>One line for the user: the message of errors the user can fix; the type too for anything unexpected.</summary>
    private static string Describe(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } single) e = single.InnerExceptions[0];
        var message = e.Message.ReplaceLineEndings(" ");
        return e is DataFormatException or ArgumentException or Simulation.MdInstabilityException or IOException or UnauthorizedAccessException or FormatException
            ? message
            : $"internal error ({e.GetType().Name}): {message}";
    }

    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (SymbolResult? r = parsed.CommandResult; r is CommandResult c; r = c.Parent)
            names.Add(c.Command is RootCommand ? "poet" : c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }
}

/// <summary>
/// The library calls the commands make: reading and writing data, creating potentials; and the working folder, where
/// `poet demo` starts looking for its shipped data (tests give another one without changing the process's).
/// </summary>
internal sealed record CliServices(Func<string, Dataset> ReadData, Action<string, Dataset> WriteData, Func<string, IPotential> CreatePotential,
    Func<string, Taper, IPotential> CreateModel)
{
    public static CliServices Default { get; } = new(DataFiles.Read, DataFiles.Write, spec => PotentialFactory.Create(spec), PotentialFactory.CreateModel);

    /// <summary>Creating a potential with a type map (<c>--type-map</c>): element symbols of an .mtp file's species numbers.</summary>
    public Func<string, IReadOnlyList<string>?, IPotential> CreateTypedPotential { get; init; } = PotentialFactory.Create;

    public Func<string> WorkingFolder { get; init; } = Directory.GetCurrentDirectory;

    /// <summary>Reading data with a type map (<c>--type-map</c>): element symbols by type index for DeePMD and MLIP data.</summary>
    public Func<string, IReadOnlyList<string>?, Dataset> ReadTypedData { get; init; } = DataFiles.Read;

    /// <summary>The type map given with <c>--type-map</c>, if any (a run stores it, so that --resume reads the data alike).</summary>
    public Func<IReadOnlyList<string>?> TypeMap { get; init; } = () => null;
}
