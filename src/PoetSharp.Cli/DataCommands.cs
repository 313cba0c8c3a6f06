using System.CommandLine;
using PoetSharp.Data;

namespace PoetSharp.Cli;

/// <summary>`poet data info` and `poet data convert`.</summary>
internal static class DataCommands
{
    public static Command Create(CliOutput output, CliServices services)
    {
        var data = new Command("data", "Inspect and convert training data.");
        data.Subcommands.Add(Info(output, services));
        data.Subcommands.Add(Convert(output, services));
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
