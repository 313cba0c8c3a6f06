using System.CommandLine;
using PoetSharp.Data;
using PoetSharp.Properties;

namespace PoetSharp.Cli;

/// <summary>`poet data info`, `poet data convert` and `poet data elastic`.</summary>
internal static class DataCommands
{
    public static Command Create(CliOutput output, CliServices services)
    {
        var data = new Command("data", "Inspect and convert training data.");
        data.Subcommands.Add(Info(output, services));
        data.Subcommands.Add(Convert(output, services));
        data.Subcommands.Add(Elastic(output, services));
        return data;
    }

    private static Command Info(CliOutput output, CliServices services)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Arity = ArgumentArity.OneOrMore,
            HelpName = "PATH",
            Description = "Data to describe: " + DataFiles.ReadableFormats + ".",
        };
        var command = new Command("info", "Summarise data sets: structures, atoms, species, labels and their ranges, overall and per group.") { paths };
        command.SetAction(parsed =>
        {
            // Read everything first so that a bad path fails before anything is printed.
            var sets = parsed.GetValue(paths)!.Select(services.ReadData).ToList();
            for (var i = 0; i < sets.Count; i++)
            {
                if (i > 0) output.Line();
                PrintInfo(output, sets[i]);
            }
            return PoetCli.Success;
        });
        return command;
    }

    private static Command Convert(CliOutput output, CliServices services)
    {
        var input = new Argument<string>("IN") { Description = "Data to read: " + DataFiles.ReadableFormats + "." };
        var target = new Argument<string>("OUT") { Description = "File to write: extended XYZ (.xyz, .extxyz; all structures and labels), MLIP configurations (.cfg; all structures and labels, species order recorded) or POSCAR (.vasp, .poscar, POSCAR*; one structure, no labels)." };
        var command = new Command("convert", "Convert data from any readable format to extended XYZ, MLIP .cfg or POSCAR.") { input, target };
        command.SetAction(parsed =>
        {
            var inPath = parsed.GetValue(input)!;
            var outPath = parsed.GetValue(target)!;
            var data = services.ReadData(inPath);
            services.WriteData(outPath, data);

            var summary = data.Summarize();
            var isXyz = outPath.EndsWith(".xyz", StringComparison.OrdinalIgnoreCase) || outPath.EndsWith(".extxyz", StringComparison.OrdinalIgnoreCase)
                        || outPath.EndsWith(".cfg", StringComparison.OrdinalIgnoreCase);
            var formatName = outPath.EndsWith(".cfg", StringComparison.OrdinalIgnoreCase) ? "MLIP configurations" : isXyz ? "extended XYZ" : "POSCAR";
            var labels = isXyz
                ? $"; {Int(summary.WithEnergy)} with energy, {Int(summary.WithForces)} with forces, {Int(summary.WithStress)} with stress"
                : "";
            output.Line($"wrote {CliOutput.Plural(summary.Structures, "structure", "structures")} ({CliOutput.Plural(summary.Atoms, "atom", "atoms")}{labels}) from {inPath} to {outPath} as {formatName}");
            if (!isXyz && (summary.WithEnergy + summary.WithForces + summary.WithStress) > 0)
                output.Line("note: POSCAR holds no energy, forces or stress; those labels were not written");
            foreach (var note in data.Notes) output.Line("note: " + note);
            return PoetCli.Success;
        });
        return command;
    }

    private static Command Elastic(CliOutput output, CliServices services)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Arity = ArgumentArity.OneOrMore,
            HelpName = "PATH",
            Description = "Data to read (repeat to concatenate): " + DataFiles.ReadableFormats + ".",
        };
        var maxStrain = new Option<double>("--max-strain") { DefaultValueFactory = _ => ElasticFromDataOptions.Default.MaxStrain, HelpName = "STRAIN", Description = "Largest Lagrangian strain component of the cells fitted." };
        var maxForce = new Option<double>("--max-force") { DefaultValueFactory = _ => ElasticFromDataOptions.Default.MaxForce, HelpName = "eV/Å", Description = "Largest force component of a cell taken as a perfect crystal." };
        var targets = new Option<string>("--targets") { HelpName = "FILE", Description = "Target properties (TargetProperties_0K.data or its JSON form) to compare C11, C12 and C44 with." };
        var json = new Option<bool>("--json") { Description = "Write the results as JSON to standard output." };
        var command = new Command("elastic", "The elastic constants the data themselves measure: homogeneously strained copies of a perfect cubic crystal (energies, forces below a limit) fitted to C11, C12 and C44 with standard errors, without any potential.")
        {
            paths, maxStrain, maxForce, targets, json,
        };
        command.SetAction(parsed =>
        {
            // The limits first, so that a bad one fails before a large data set is read.
            var options = new ElasticFromDataOptions(parsed.GetValue(maxForce), parsed.GetValue(maxStrain));
            if (!(options.MaxStrain > 0 && options.MaxStrain < 0.5)) throw new ArgumentException("--max-strain must lie in (0, 0.5)");
            if (!(options.MaxForce >= 0)) throw new ArgumentException("--max-force must not be negative");
            var sets = parsed.GetValue(paths)!.Select(services.ReadData).ToList();
            var reference = parsed.GetValue(targets) is { } t ? TargetProperties.Read(t) : null;
            var source = string.Join(", ", sets.Select(d => d.Source));
            var families = ElasticFromData.Find(sets.SelectMany(d => d.Structures), options);
            var comparison = reference is null ? [] : ElasticFromData.CompareWithTargets(families, reference);
            if (parsed.GetValue(json))
            {
                static object Json(DataConstant c) => new { name = c.Name, value_GPa = c.Value, standard_error_GPa = c.StandardError, not_determined = c.NotDetermined };
                output.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                {
                    data = source,
                    max_strain = options.MaxStrain,
                    max_force_eV_per_A = options.MaxForce,
                    families = families.Select(f => new
                    {
                        formula = f.Formula,
                        crystal = f.Crystal?.ToString().ToLowerInvariant(),
                        lattice_constant_A = f.LatticeConstant,
                        reference = f.Reference.Name,
                        cells = f.Cells,
                        cells_fitted = f.CellsFitted,
                        pressure_GPa = f.Pressure,
                        residual_meV_per_atom = double.IsFinite(f.ResidualMeVPerAtom) ? f.ResidualMeVPerAtom : (double?)null,
                        not_estimated = f.NotEstimated,
                        fitted_terms = f.FittedTerms,
                        constants = f.Constants.Select(Json),
                        from_stresses = f.Stress is { } st ? new
                        {
                            pressure_GPa = st.Pressure,
                            residual_GPa = st.ResidualGPa,
                            fitted_terms = st.FittedTerms,
                            constants = st.Constants.Select(Json),
                        } : null,
                    }),
                    targets = comparison,
                }, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                return PoetCli.Success;
            }
            if (families.Count == 0)
            {
                output.Line($"{source}: no strained copies of a perfect crystal (at least {ElasticFromDataOptions.Default.MinCells} fully periodic cells with an energy, the same atoms at the same fractional coordinates and every force component within {options.MaxForce} eV/Å)");
                return PoetCli.Success;
            }
            output.Line($"{source}: {CliOutput.Plural(families.Count, "family", "families")} of strained perfect cells (energy–strain constants of each family's reference cell; strains up to {options.MaxStrain} fitted)");
            var table = CliOutput.NewTable(3, "crystal", "cells (fitted)", "a (Å)", "from", "pressure (GPa)", "C11 (GPa)", "C12 (GPa)", "C44 (GPa)", "misfit");
            static string Show(DataConstant? c) => c is null ? "–" : c.Determined ? $"{c.Value:0.0} ± {c.StandardError:0.0}" : "not determined";
            foreach (var f in families)
            {
                var crystal = $"{f.Formula} {f.Crystal?.ToString().ToLowerInvariant() ?? "other"}";
                CliOutput.AddRow(table, crystal, $"{Int(f.Cells)} ({Int(f.CellsFitted)})", f.LatticeConstant is { } a ? CliOutput.Fixed(a, 4) : "–",
                    "energies", f.Pressure is { } p ? CliOutput.Fixed(p, 2) : "–",
                    Show(f.Constant("C11")), Show(f.Constant("C12")), Show(f.Constant("C44")),
                    double.IsFinite(f.ResidualMeVPerAtom) ? CliOutput.Fixed(f.ResidualMeVPerAtom, 4) + " meV/atom" : "–");
                if (f.Stress is { } st)
                    CliOutput.AddRow(table, "", "", "", "stresses", st.Pressure is { } sp ? CliOutput.Fixed(sp, 2) : "–",
                        Show(st.Constant("C11")), Show(st.Constant("C12")), Show(st.Constant("C44")), CliOutput.Fixed(st.ResidualGPa, 4) + " GPa");
            }
            output.Console.Write(table);
            foreach (var f in families)
            {
                if (f.NotEstimated is { } why) output.Line($"{f.Formula}: not estimated: {why}");
                foreach (var c in f.Constants.Where(c => !c.Determined)) output.Line($"{f.Formula} {c.Name} from energies: not determined: {c.NotDetermined}");
                foreach (var c in f.Stress?.Constants.Where(c => !c.Determined) ?? []) output.Line($"{f.Formula} {c.Name} from stresses: not determined: {c.NotDetermined}");
            }
            if (families.Any(f => f.Pressure is { } p && Math.Abs(p) > 0.5))
                output.Line("at a pressure P the stress–strain constants are C11 − P, C12 + P and C44 − P; at zero pressure both are the usual elastic constants");
            foreach (var line in comparison) output.Line(line);
            return PoetCli.Success;
        });
        return command;
    }

    private static string Int(int n) => CliOutput.Int(n);

    private static void PrintInfo(CliOutput output, Dataset data)
    {
        var all = data.Summarize();
        var species = string.Join(", ", all.AtomsPerSpecies.Select(kv => $"{kv.Key} {Int(kv.Value)}"));
        output.Line($"{data.Source}: {CliOutput.Plural(all.Structures, "structure", "structures")}, {CliOutput.Plural(all.Atoms, "atom", "atoms")} ({species})");

        // Per-group rows only say something when the data has groups.
        var groups = data.Groups.Count > 1
            ? data.SummarizeGroups()
            : [];
        var rows = new[] { (Label: "all", Summary: all) }
            .Concat(groups.Select(g => (Label: CliOutput.GroupName(g.Name), Summary: g))).ToList();

        var counts = CliOutput.NewTable(1, "set", "structures", "atoms", "atoms/structure", "species", "with energy", "with forces", "with stress");
        foreach (var (label, s) in rows)
            CliOutput.AddRow(counts,
                label,
                Int(s.Structures),
                Int(s.Atoms),
                s.MinAtomsPerStructure == s.MaxAtomsPerStructure ? Int(s.MinAtomsPerStructure) : $"{Int(s.MinAtomsPerStructure)}–{Int(s.MaxAtomsPerStructure)}",
                string.Join(", ", s.AtomsPerSpecies.Select(kv => $"{kv.Key} {Int(kv.Value)}")),
                Int(s.WithEnergy),
                Int(s.WithForces),
                Int(s.WithStress));
        output.Console.Write(counts);

        var ranges = CliOutput.NewTable(3, "set", "quantity", "unit", "values", "min", "max", "mean", "std");
        foreach (var (name, s) in rows)
        {
            AddRange(ranges, name, "energy per atom", "eV/atom", s.EnergyPerAtom, 1.0, 4);
            AddRange(ranges, name, "force components", "eV/Å", s.ForceComponents, 1.0, 4);
            AddRange(ranges, name, "stress components", "GPa", s.StressComponents, Units.GPaPerEvPerA3, 3);
        }
        if (ranges.Rows.Count > 0) output.Console.Write(ranges);
        else output.Line("no energy, force or stress labels");

        foreach (var note in data.Notes) output.Line("note: " + note);
    }

    private static void AddRange(Spectre.Console.Table table, string set, string quantity, string unit, ValueRange? range, double scale, int decimals)
    {
        if (range is not ValueRange r) return;
        CliOutput.AddRow(table, set, quantity, unit, Int(r.Count),
            CliOutput.Fixed(scale * r.Min, decimals), CliOutput.Fixed(scale * r.Max, decimals),
            CliOutput.Fixed(scale * r.Mean, decimals), CliOutput.Fixed(scale * r.StdDev, decimals));
    }
}
