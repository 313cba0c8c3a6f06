using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Potentials;

namespace PoetSharp.Cli;

/// <summary>`poet eval`: error metrics of a potential over one or more data sets.</summary>
internal static class EvalCommand
{
    public static Command Create(CliOutput output, CliServices services)
    {
        var potentialOptions = new PotentialOptions();
        var data = new Option<string[]>("--data", "-d")
        {
            Required = true,
            HelpName = "PATH",
            Arity = ArgumentArity.OneOrMore,
            Description = "Data to evaluate on (repeat to concatenate several): " + DataFiles.ReadableFormats + ".",
        };
        var groups = new Option<string[]>("--group", "-g")
        {
            HelpName = "NAME",
            Arity = ArgumentArity.OneOrMore,
            Description = "Evaluate only the structures of this group (repeatable).",
        };
        var json = new Option<bool>("--json") { Description = "Write the results as JSON to standard output instead of tables." };

        var command = new Command("eval", "Energy, force and stress errors (RMSE, MAE) of a potential or a POET model over data sets, overall and per group.")
        {
            data, groups, json,
        };
        potentialOptions.AddTo(command);
        potentialOptions.AddValidator(command);
        command.SetAction(parsed =>
        {
            var paths = parsed.GetValue(data)!;
            var selected = parsed.GetValue(groups) ?? [];

            var model = potentialOptions.Create(parsed, services, output);
            var sets = paths.Select(services.ReadData).ToArray();
            var dataset = sets.Length == 1 ? sets[0] : Dataset.Concat(string.Join(", ", paths), sets);
            if (selected.Length > 0) dataset = SelectGroups(dataset, selected);
            if (dataset.Count == 0) throw new ArgumentException($"{dataset.Source}: no structures to evaluate");

            var clock = Stopwatch.StartNew();
            var errors = PotentialErrors.Evaluate(model, dataset);
            var seconds = clock.Elapsed.TotalSeconds;

            if (errors.InvalidStructures.Count > 0)
                output.Warning($"{CliOutput.Plural(errors.InvalidStructures.Count, "structure", "structures")} gave non-finite predictions (NaN or ∞) " +
                               $"and are left out of every statistic: {string.Join(", ", errors.InvalidStructures.Take(10).Select(s => s.ToString()))}" +
                               (errors.InvalidStructures.Count > 10 ? ", …" : ""));

            if (parsed.GetValue(json)) WriteJson(output, model, dataset, paths, selected, errors, seconds);
            else PrintTables(output, model, dataset, errors, seconds);
            return PoetCli.Success;
        });
        return command;
    }

    private static Dataset SelectGroups(Dataset dataset, string[] selected)
    {
        var known = dataset.Groups;
        var missing = selected.Where(g => !known.Contains(g)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"{dataset.Source}: no group {string.Join(", ", missing.Select(g => $"'{g}'"))}; " +
                                        $"its groups are {string.Join(", ", known.Select(g => $"'{g}'"))}");
        var result = dataset.Where(s => selected.Contains(s.Group));
        result.Notes.AddRange(dataset.Notes);
        return result;
    }

    private static void PrintTables(CliOutput output, IPotential model, Dataset dataset, PotentialErrors errors, double seconds)
    {
        output.Line($"{model.Name} on {dataset.Source}: " +
                    $"{CliOutput.Plural(errors.Overall.Structures, "structure", "structures")}, {CliOutput.Plural(errors.Overall.Atoms, "atom", "atoms")}, " +
                    $"computed in {CliOutput.Fixed(seconds, 2)} s");

        var table = CliOutput.NewTable(1, "set", "structures",
            "energy n", "energy RMSE\n(meV/atom)", "energy MAE\n(meV/atom)",
            "forces n", "force RMSE\n(eV/Å)", "force MAE\n(eV/Å)",
            "stress n", "stress RMSE\n(GPa)", "stress MAE\n(GPa)");
        AddRow(table, "all", errors.Overall);
        // One group is the whole set again: only show groups when there is something to split.
        if (errors.Groups.Count > 1)
            foreach (var g in errors.Groups) AddRow(table, CliOutput.GroupName(g.Name), g);
        output.Console.Write(table);
        if (errors.ElementForces.Count > 0)
        {
            var byElement = CliOutput.NewTable(1, "forces on", "atoms' components", "RMSE\n(eV/Å)", "MAE\n(eV/Å)", "max\n(eV/Å)");
            foreach (var (element, f) in errors.ElementForces)
                Spectre.Console.TableExtensions.AddRow(byElement, element + " atoms", CliOutput.Int(f.Values), CliOutput.Sig(f.Rmse), CliOutput.Sig(f.Mae), CliOutput.Sig(f.MaxAbs));
            output.Console.Write(byElement);
        }

        if (errors.EnergyShiftStructures > 0 && errors.ElementEnergies is { } elements)
        {
            output.Line($"element reference energies μ = {elements} per atom, added by composition to every predicted energy per atom " +
                        $"(weighted least squares over {CliOutput.Plural(errors.EnergyShiftStructures, "structure", "structures")})");
            if (errors.Groups.Count > 1) output.Line("the group rows use these same overall reference energies");
        }
        else if (errors.EnergyShiftStructures > 0)
        {
            var shift = errors.EnergyShift.ToString("+0.000000;-0.000000;0", CultureInfo.InvariantCulture);
            output.Line($"energy shift c = {shift} eV/atom, added to every predicted energy per atom " +
                        $"(weighted mean of reference − predicted over {CliOutput.Plural(errors.EnergyShiftStructures, "structure", "structures")})");
            if (errors.Groups.Count > 1) output.Line("the group rows use this same overall shift");
        }
        output.Line("n: structures with that label; errors are over energies per atom, force components and stress components (xx yy zz yz xz xy)");
        foreach (var note in dataset.Notes.Concat(errors.Notes)) output.Line("note: " + note);
    }

    private static void AddRow(Spectre.Console.Table table, string name, ErrorSummary s)
    {
        static string[] Cells(ErrorStatistic? e) => e is null
            ? ["0", "–", "–"]
            : [CliOutput.Int(e.Structures), CliOutput.Sig(e.Rmse), CliOutput.Sig(e.Mae)];
        var structures = CliOutput.Int(s.Structures) + (s.Invalid > 0 ? $" ({CliOutput.Int(s.Invalid)} invalid)" : "");
        CliOutput.AddRow(table, [name, structures, .. Cells(s.Energy), .. Cells(s.Forces), .. Cells(s.Stress)]);
    }

    private static void WriteJson(CliOutput output, IPotential model, Dataset dataset, string[] paths, string[] selected, PotentialErrors errors, double seconds)
    {
        var report = new
        {
            Potential = model.Name,
            Cutoff = model.Cutoff,
            Data = paths,
            Groups = selected.Length > 0 ? selected : null,
            Units = new { Energy = "meV/atom", Forces = "eV/Å", Stress = "GPa", EnergyShift = "eV/atom" },
            EnergyShift = errors.EnergyShift,
            EnergyShiftStructures = errors.EnergyShiftStructures,
            ElementEnergies = errors.ElementEnergies?.Elements.ToDictionary(e => e, e => errors.ElementEnergies[e]),
            ForcesByElement = errors.ElementForces.Count > 0 ? errors.ElementForces.ToDictionary(x => x.Element, x => x.Forces) : null,
            EnergyShiftNote = "added to every predicted energy per atom; per-group results use this same overall shift",
            Seconds = seconds,
            Overall = errors.Overall,
            PerGroup = errors.Groups,
            InvalidStructures = errors.InvalidStructures.Select(s => s.ToString()).ToArray(),
            Notes = errors.Notes,
            DataNotes = dataset.Notes,
        };
        output.WriteJson(report);
    }
}
