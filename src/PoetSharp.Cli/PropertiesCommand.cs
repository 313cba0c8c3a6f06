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
            Description = "The element of the crystals (default: each of the potential's species in turn, else Cu).",
        };
        var lattice = new Option<string>("--lattice")
        {
            HelpName = "fcc|diamond",
            Description = "The crystal of the vacancy and surface groups: fcc (13 facets) or diamond (vacancy in 216 sites, ideal (100) and (111) surfaces, " +
                          "and a0, E0 of diamond). Default: diamond for C, Si and Ge, else fcc.",
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

        var compound = new Option<string[]>("--compound")
        {
            HelpName = "TYPE:FORMULA",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
            Description = "Properties of an ordered compound (repeated or comma-separated): TYPE is B2 (CsCl), L12 (Cu3Au), L10 (CuAu) or B1 (NaCl), " +
                          "e.g. B2:NiAl, L12:Ni3Al, L10:CuAu. Gives a0 (and c0, c/a for L10), E0, Ecoh, dH_f against the elements' ground states, and Cij. " +
                          "With --compound or --solution only these run, plus the element groups named by --only.",
        };
        var solution = new Option<string[]>("--solution")
        {
            HelpName = "LATTICE:COMPOSITION",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
            Description = "Energy of mixing of a random solid solution (repeated or comma-separated): LATTICE fcc or bcc, mole fractions in (0, 1) adding up to 1, " +
                          "e.g. fcc:Cu0.5Ni0.5 (the last fraction may be left out: fcc:Cu0.25Ni). Relaxed positions and cell, averaged over --seeds arrangements.",
        };
        var groundState = new Option<string[]>("--ground-state")
        {
            HelpName = "EL=STRUCTURE",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
            Description = "The reference structure (fcc, bcc or hcp) of an element for formation and mixing energies, e.g. Al=fcc (default: the lowest of the three).",
        };
        var seeds = new Option<int>("--seeds") { HelpName = "N", DefaultValueFactory = _ => 3, Description = "Random arrangements per solid solution (default 3)." };
        var solutionSize = new Option<int?>("--solution-size")
        {
            HelpName = "N",
            Description = "Conventional cubes per direction of each solid solution (default 3 for fcc, 108 sites; 4 for bcc, 128 sites).",
        };

        var command = new Command("properties",
            "Material properties of a potential (lattice constants, elastic constants, equation of state, phase energies, vacancy, " +
            "migration, dumbbell, surfaces, stacking faults, phonons) beside a reference, with the error of each.")
        {
            element, lattice, reference, only, json, outDir, threads, compound, solution, groundState, seeds, solutionSize,
        };
        potentialOptions.AddTo(command);
        potentialOptions.AddValidator(command);
        command.SetAction(parsed =>
        {
            var groups = Groups(parsed, only);
            if (parsed.GetValue(threads) is < 1) throw new ArgumentException("--threads must be at least 1");
            var crystal = parsed.GetValue(lattice)?.Trim().ToLowerInvariant() switch
            {
                null => (PoetSharp.Atoms.CubicLattice?)null,
                "fcc" => PoetSharp.Atoms.CubicLattice.Fcc,
                "diamond" => PoetSharp.Atoms.CubicLattice.Diamond,
                var other => throw new ArgumentException($"--lattice '{other}': choose fcc or diamond"),
            };
            var compounds = Split(parsed.GetValue(compound)).Select(CompoundSpec.Parse).ToArray();
            var solutions = Split(parsed.GetValue(solution)).Select(SolutionSpec.Parse).ToArray();
            var groundStates = new Dictionary<string, string>();
            foreach (var item in Split(parsed.GetValue(groundState)))
            {
                var parts = item.Split('=', 2, StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || parts[0].Length == 0) throw new ArgumentException($"--ground-state '{item}': expected ELEMENT=STRUCTURE, e.g. Al=fcc");
                Compounds.GroundStateStructure(parts[1]);
                groundStates[parts[0]] = parts[1];
            }
            if (parsed.GetValue(seeds) < 1) throw new ArgumentException("--seeds must be at least 1");
            if (parsed.GetValue(solutionSize) is < 1) throw new ArgumentException("--solution-size must be at least 1");
            var alloys = compounds.Length + solutions.Length > 0;
            // Read the reference before the long computation, so a bad file fails at once.
            var referencePath = parsed.GetValue(reference);
            var targets = referencePath is null ? null : TargetProperties.Read(referencePath);
            var model = potentialOptions.Create(parsed, services, output);
            var alloyOptions = new CompoundSuiteOptions
            {
                Compounds = compounds,
                Solutions = solutions,
                GroundStates = groundStates,
                Solution = new SolutionOptions { Seeds = parsed.GetValue(seeds), Repeats = parsed.GetValue(solutionSize) },
                MaxParallelism = parsed.GetValue(threads),
                Progress = line => output.Error.WriteLine("poet: " + line),
            };
            // Elements the model lacks are an error before anything runs.
            CompoundSuite.Validate(model, alloyOptions);
            var folder = parsed.GetValue(outDir);
            if (folder != null) Directory.CreateDirectory(folder);

            // The element suite: the named element, else each of a model's several elements, else its one; with compounds or
            // solutions asked for, only the groups named by --only.
            var chosen = parsed.GetValue(element);
            var elements = chosen is not null ? [chosen] : model.Species is { Count: > 0 } species ? species.ToArray() : new[] { "Cu" };
            var runSuite = !alloys || groups.Length > 0;
            var suiteOptions = new PropertySuiteOptions
            {
                Only = groups,
                MaxParallelism = parsed.GetValue(threads),
                Progress = line => output.Error.WriteLine("poet: " + line),
                Crystal = crystal,
                // A reference vacancy or dumbbell that names its cell is computed in that cell.
                Setup = targets?.Apply(PropertySetup.Converged) ?? PropertySetup.Converged,
            };
            var suites = new List<PropertySuiteResult>();
            if (runSuite)
                foreach (var el in elements)
                {
                    output.Error.WriteLine($"poet: computing {(groups.Length == 0 ? "all properties" : string.Join(", ", groups))} of {el} with {model.Name}");
                    suites.Add(PropertySuite.Run(model, suiteOptions with { Element = el }));
                }
            CompoundSuiteResult? alloy = null;
            if (alloys)
            {
                output.Error.WriteLine($"poet: computing {string.Join(", ", compounds.Select(c => c.ToString()).Concat(solutions.Select(x => x.ToString())))} with {model.Name}");
                alloy = CompoundSuite.Run(model, alloyOptions);
            }
            var suiteRows = suites.Select(x => x.Compare(targets)).ToList();
            var alloyRows = alloy?.Properties.Select(p => PropertyComparison.Of(p, targets?.Find(p.Name, p.Structure))).ToList();

            var document = suites.Count == 1 && alloy is null ? Json(suites[0], suiteRows[0], referencePath) : Json(model.Name, suites, suiteRows, alloy, alloyRows, referencePath);
            if (parsed.GetValue(json)) output.Out.WriteLine(document);
            else
            {
                for (var k = 0; k < suites.Count; k++) PrintTable(output, suites[k], suiteRows[k], targets);
                if (alloy != null) PrintAlloyTable(output, model.Name, alloy, alloyRows!, targets);
            }
            if (folder != null) WriteFiles(output, suites, document, folder);
            return PoetCli.Success;
        });
        return command;
    }

    /// <summary>Values of a repeatable option that may also be comma-separated.</summary>
    private static string[] Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();

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

    private static void PrintAlloyTable(CliOutput output, string potential, CompoundSuiteResult alloy, IReadOnlyList<PropertyComparison> rows, TargetProperties? targets)
    {
        output.Line($"{potential}, compounds and solutions: {CliOutput.Plural(alloy.Properties.Count, "property", "properties")} in " +
                    $"{CliOutput.Fixed(alloy.Elapsed.TotalSeconds, 1)} s" + (targets is null ? "" : $", reference {targets.Path}"));
        var table = CliOutput.NewTable(4, "property", "structure", "unit", "status", "computed", "reference", "error", "error %");
        var notes = new List<string>();
        foreach (var row in rows)
        {
            var c = row.Computed!;
            var status = PropertyReportRow.StatusText(c.Status);
            var value = c.Value is double v && c.Status == PropertyStatus.Ok ? CliOutput.Sig(v, 6) : "–";
            var target = row.Reference is { } r ? CliOutput.Sig(r.Value, 6) : "–";
            var error = row.AbsoluteError is double e ? CliOutput.Sig(e, 3) : "–";
            var percent = row.RelativeError is double p ? CliOutput.Fixed(100 * p, 1) : "–";
            CliOutput.AddRow(table, row.Name, row.Structure, row.Unit, status, value, target, error, percent);
            if (c.Status != PropertyStatus.Ok) notes.Add($"{c.Name} {c.Structure}: {status}: {c.Reason}");
            if (row.Note.Length > 0) notes.Add($"{row.Name} {row.Structure}: {row.Note}");
        }
        output.Console.Write(table);
        foreach (var reference in alloy.References) output.Line("reference state: " + reference.Describe() + " eV/atom");
        foreach (var s in alloy.Solutions)
            output.Line($"{s.Solution}: dH_mix by seed " + string.Join(", ", s.Samples.Select(x => $"{x.Seed}: {CliOutput.Sig(x.MixingEnergy, 6)}")) + " eV/atom, " +
                        $"{s.Samples[0].Atoms} sites ({string.Join(" ", s.Solution.Composition.Select((c, i) => $"{s.Samples[0].Counts[i]} {c.Element}"))})");
        foreach (var note in notes.Distinct()) output.Line("note: " + note);
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

    /// <summary>
    /// The JSON document for several elements or compounds: each element's suite under "elements", the compound and solution rows under
    /// "compounds" (group "compounds" or "solutions"), the reference states and each solution's arrangements.
    /// </summary>
    private static string Json(string potential, IReadOnlyList<PropertySuiteResult> suites, IReadOnlyList<IReadOnlyList<PropertyComparison>> suiteRows,
        CompoundSuiteResult? alloy, IReadOnlyList<PropertyComparison>? alloyRows, string? referencePath)
    {
        var report = new
        {
            Potential = potential,
            Reference = referencePath,
            Elements = suites.Select((suite, k) => new
            {
                suite.Element,
                suite.Groups,
                Seconds = suite.Elapsed.TotalSeconds,
                Properties = suiteRows[k].Select(PropertyReportRow.Of),
                Timings = suite.Timings.Select(t => new { t.Task, t.Group, Seconds = t.Elapsed.TotalSeconds }),
            }),
            Compounds = alloyRows?.Select(PropertyReportRow.Of),
            ReferenceStates = alloy?.References.Select(r => new
            {
                r.Element, r.Structure, r.EnergyPerAtom, r.A, r.C, r.Given,
                Candidates = r.Candidates.Select(c => new { c.Structure, c.EnergyPerAtom, c.Error }),
            }),
            Solutions = alloy?.Solutions.Select(s => new
            {
                Solution = s.Solution.ToString(),
                Structure = s.Solution.Label,
                s.Repeats,
                Samples = s.Samples.Select(x => new
                {
                    x.Seed, x.Atoms, Counts = s.Solution.Composition.Select((c, i) => new { c.Element, Count = x.Counts[i] }),
                    x.EnergyPerAtom, x.VolumePerAtom, x.MixingEnergy, x.MixingEnergySameLattice, x.Converged, x.Relaxation,
                }),
            }),
            Seconds = suites.Sum(x => x.Elapsed.TotalSeconds) + (alloy?.Elapsed.TotalSeconds ?? 0),
        };
        return JsonSerializer.Serialize(report, JsonOptions);
    }

    private static void WriteFiles(CliOutput output, IReadOnlyList<PropertySuiteResult> suites, string document, string folder)
    {
        var written = new List<string>();
        void Write(string name, Action<string> write)
        {
            var path = Path.Combine(folder, name);
            write(path);
            written.Add(path);
        }
        Write("properties.json", path => File.WriteAllText(path, document + Environment.NewLine));
        foreach (var suite in suites)
        foreach (var extension in new[] { ".png", ".svg" })
        {
            // With several elements each plot is named after its element.
            string Name(string stem) => (suites.Count > 1 ? $"{suite.Element}-" : "") + stem + extension;
            if (suite.EquationOfState is { } eos)
                Write(Name("equation-of-state"), path => PropertyPlots.WriteEquationOfState(eos, path, $"fcc {suite.Element}, {suite.Potential}"));
            if (suite.Phonons is { } phonons)
                Write(Name("phonon-dispersion"), path => PropertyPlots.WritePhononDispersion(phonons.Dispersion, path, $"Phonons of fcc {suite.Element}, {suite.Potential}"));
            if (suite.StackingFaultCurve is { } curve)
                Write(Name("stacking-fault"), path => PropertyPlots.WriteStackingFaultCurve(curve, path));
        }
        output.Error.WriteLine($"poet: wrote {string.Join(", ", written)}");
    }
}
