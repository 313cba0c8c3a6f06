using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using PoetSharp.Potentials;
using PoetSharp.Properties;

namespace PoetSharp.Cli;

/// <summary>`poet properties`: the material-property suite of a potential beside a reference, with plots.</summary>
internal static class PropertiesCommand
{
    public static Command Create(CliOutput output, CliServices services)
    {
        var potentialOptions = new PotentialOptions();
        var element = new Option<string>("--element", "-e")
        {
            HelpName = "SYMBOL",
            Description = "The element of the crystals (default: the potential's first species, else Cu).",
        };
        var reference = new Option<string>("--reference", "-r")
        {
            HelpName = "FILE",
            Description = "Reference properties to compare with, in POET's TargetProperties_0K.data format (rows 'name structure value unit').",
        };
        var only = OnlyOption("Compute only these groups (comma-separated or repeated): " + string.Join(", ", PropertySuite.Groups) + ".");
        var json = new Option<bool>("--json") { Description = "Write the results as JSON to standard output instead of a table." };
        var outDir = new Option<string>("--out", "-o")
        {
            HelpName = "DIR",
            Description = "Also write properties.json and the plots (PNG and SVG) to this folder: equation of state, phonon dispersion, stacking-fault curve.",
        };
        var threads = new Option<int?>("--threads")
        {
            HelpName = "N",
            Description = "Properties computed at once (default: all cores).",
        };

        var command = new Command("properties",
            "Material properties of a potential (lattice constants, elastic constants, equation of state, phase energies, vacancy, " +
            "migration, dumbbell, surfaces, stacking faults, phonons) beside a reference, with the error of each.")
        {
            element, reference, only, json, outDir, threads,
        };
        potentialOptions.AddTo(command);
        potentialOptions.AddValidator(command);
        command.SetAction(parsed =>
        {
            var groups = Groups(parsed, only);
            if (parsed.GetValue(threads) is < 1) throw new ArgumentException("--threads must be at least 1");
            // Read the reference before the long computation, so a bad file fails at once.
            var referencePath = parsed.GetValue(reference);
            var targets = referencePath is null ? null : TargetProperties.Read(referencePath);
            var model = potentialOptions.Create(parsed, services, output);
            var folder = parsed.GetValue(outDir);
            if (folder != null) Directory.CreateDirectory(folder);

            // Progress goes to stderr, one plain line per finished task, so that stdout stays a table or JSON document.
            output.Error.WriteLine($"poet: computing {(groups.Length == 0 ? "all properties" : string.Join(", ", groups))} of {model.Name}");
            var suite = PropertySuite.Run(model, new PropertySuiteOptions
            {
                Element = parsed.GetValue(element),
                Only = groups,
                MaxParallelism = parsed.GetValue(threads),
                Progress = line => output.Error.WriteLine("poet: " + line),
            });
            var rows = suite.Compare(targets);

            if (parsed.GetValue(json)) output.Out.WriteLine(Json(suite, rows, referencePath));
            else PrintTable(output, suite, rows, targets);
            if (folder != null) WriteFiles(output, suite, rows, referencePath, folder);
            return PoetCli.Success;
        });
        return command;
    }

    /// <summary>The --only option of the commands that run the property suite.</summary>
    public static Option<string[]> OnlyOption(string description) => new("--only")
    {
        HelpName = "GROUPS",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = true,
        Description = description,
    };

    /// <summary>The groups given with <paramref name="only"/> (comma-separated or repeated, any case), checked: an unknown one is an error.</summary>
    public static string[] Groups(ParseResult parsed, Option<string[]> only)
    {
        var groups = (parsed.GetValue(only) ?? [])
            .SelectMany(g => g.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(g => g.ToLowerInvariant()).Distinct().ToArray();
        PropertySuite.ResolveGroups(groups);
        return groups;
    }

    private static void PrintTable(CliOutput output, PropertySuiteResult suite, IReadOnlyList<PropertyComparison> rows, TargetProperties? targets)
    {
        output.Line($"{suite.Potential}, {suite.Element}: {CliOutput.Plural(suite.Properties.Count, "property", "properties")} in " +
                    $"{CliOutput.Fixed(suite.Elapsed.TotalSeconds, 1)} s" +
                    (targets is null ? "" : $", reference {targets.Path}{(targets.Title.Length > 0 ? $" ({targets.Title})" : "")}"));
        var table = CliOutput.NewTable(4, "property", "structure", "unit", "status", "computed", "reference", "error", "error %");
        var notes = new List<string>();
        foreach (var row in rows)
        {
            var c = row.Computed;
            var status = c is null ? "not computed" : PropertyReportRow.StatusText(c.Status);
            var value = c?.Value is double v && c.Status == PropertyStatus.Ok ? CliOutput.Sig(v, 6) : "–";
            var target = row.Reference is { } r ? CliOutput.Sig(r.Value, 6) : "–";
            var error = row.AbsoluteError is double e ? CliOutput.Sig(e, 3) : "–";
            var percent = row.RelativeError is double p ? CliOutput.Fixed(100 * p, 1) : "–";
            CliOutput.AddRow(table, row.Name, row.Structure, row.Unit, status, value, target, error, percent);
            if (c is { Status: not PropertyStatus.Ok })
                notes.Add($"{c.Name} {c.Structure}: {status}: {c.Reason}" +
                          (c.Value is double last ? $" (last value {CliOutput.Sig(last, 6)} {c.Unit})" : ""));
            if (row.Note.Length > 0) notes.Add($"{row.Name} {row.Structure}: {row.Note}");
        }
        output.Console.Write(table);
        foreach (var note in notes) output.Line("note: " + note);
        var slowest = suite.Timings.Take(5).Select(t => $"{t.Task} {CliOutput.Fixed(t.Elapsed.TotalSeconds, 2)} s");
        output.Line($"slowest: {string.Join(", ", slowest)}");
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string Json(PropertySuiteResult suite, IReadOnlyList<PropertyComparison> rows, string? referencePath)
    {
        var report = new
        {
            suite.Potential,
            suite.Element,
            Reference = referencePath,
            suite.Groups,
            Seconds = suite.Elapsed.TotalSeconds,
            // An unconverged or failed property has no value: its last value, if any, is kept apart.
            Properties = rows.Select(PropertyReportRow.Of),
            Timings = suite.Timings.Select(t => new { t.Task, t.Group, Seconds = t.Elapsed.TotalSeconds }),
        };
        return JsonSerializer.Serialize(report, JsonOptions);
    }

    private static void WriteFiles(CliOutput output, PropertySuiteResult suite, IReadOnlyList<PropertyComparison> rows, string? referencePath, string folder)
    {
        var written = new List<string>();
        void Write(string name, Action<string> write)
        {
            var path = Path.Combine(folder, name);
            write(path);
            written.Add(path);
        }
        Write("properties.json", path => File.WriteAllText(path, Json(suite, rows, referencePath) + Environment.NewLine));
        foreach (var extension in new[] { ".png", ".svg" })
        {
            if (suite.EquationOfState is { } eos)
                Write("equation-of-state" + extension, path => PropertyPlots.WriteEquationOfState(eos, path, $"fcc {suite.Element}, {suite.Potential}"));
            if (suite.Phonons is { } phonons)
                Write("phonon-dispersion" + extension, path => PropertyPlots.WritePhononDispersion(phonons.Dispersion, path, $"Phonons of fcc {suite.Element}, {suite.Potential}"));
            if (suite.StackingFaultCurve is { } curve)
                Write("stacking-fault" + extension, path => PropertyPlots.WriteStackingFaultCurve(curve, path));
        }
        output.Error.WriteLine($"poet: wrote {string.Join(", ", written)}");
    }
}
