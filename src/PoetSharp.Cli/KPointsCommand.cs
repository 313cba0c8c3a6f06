using System.CommandLine;
using System.Globalization;
using System.Text;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.KPoints;

namespace PoetSharp.Cli;

/// <summary>`poet kpoints`: the generalized k-point grid with the fewest irreducible points for a minimum periodic distance, beside Monkhorst–Pack's.</summary>
internal static class KPointsCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliOutput output, CliServices services)
    {
        var structureFile = new Argument<string>("STRUCTURE") { Description = "The crystal: the first structure in this file (" + DataFiles.ReadableFormats + ")." };
        var minDistance = new Option<double>("--min-distance", "-r")
        {
            HelpName = "Å",
            Description = "Required minimum periodic distance r_min of the real-space superlattice the grid samples (Å); larger is denser. 40–60 Å suits metals.",
        };
        var kppra = new Option<double?>("--kppra")
        {
            HelpName = "N",
            Description = "Instead of --min-distance: a k-point density, points of the full grid times atoms in the cell; r_min is then the distance " +
                          "of the densest lattice with that many points, (√2·V·N/atoms)^⅓, so the grid has at least that density.",
        };
        var gamma = new Option<bool>("--gamma") { Description = "Only Γ-centred grids (by default grids shifted by half a generating vector are also considered)." };
        var format = new Option<string>("--format")
        {
            HelpName = "qe|vasp|list", DefaultValueFactory = _ => "list",
            Description = "qe: a Quantum ESPRESSO K_POINTS crystal card of the irreducible points with weights; vasp: a KPOINTS file with the grid's " +
                          "generating vectors (reciprocal coordinates) and shift; list: the irreducible points and weights as plain text.",
        };
        // One line for a wrong choice (System.CommandLine's own list spans several).
        format.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is not ("qe" or "vasp" or "list") and var v) r.AddError($"--format '{v}': expected qe, vasp or list");
        });
        var outFile = new Option<string>("--out", "-o") { HelpName = "FILE", Description = "Write the grid here instead of printing it after the summary." };
        var effort = new Option<double>("--effort")
        {
            HelpName = "X", DefaultValueFactory = _ => 1,
            Description = "Multiplies the search's work budget (deterministic; 1 ≈ a second). When it runs out the best grid found so far is used and the summary says so.",
        };
        var time = new Option<double?>("--time-limit") { HelpName = "SECONDS", Description = "Also stop the search after this wall-clock time (then the result may depend on the machine's speed)." };
        var symprec = new Option<double>("--symprec") { HelpName = "Å", DefaultValueFactory = _ => 1e-5, Description = "spglib's symmetry tolerance (Å)." };

        var command = new Command("kpoints",
            "The generalized regular k-point grid (any superlattice keeping the point group, Γ-centred or shifted) with the fewest irreducible " +
            "points whose real-space superlattice has minimum periodic distance ≥ r_min, beside the best Monkhorst–Pack grid at the same r_min.");
        command.Arguments.Add(structureFile);
        foreach (var o in new Option[] { minDistance, kppra, gamma, format, outFile, effort, time, symprec }) command.Options.Add(o);
        // Exactly one way to ask for the sampling: a usage error otherwise.
        command.Validators.Add(r =>
        {
            if ((r.GetResult(minDistance) is null) == (r.GetResult(kppra) is null)) r.AddError("give exactly one of --min-distance and --kppra");
        });
        command.SetAction(parsed =>
        {
            var path = parsed.GetValue(structureFile)!;
            var given = parsed.GetResult(minDistance) is not null;
            var density = parsed.GetValue(kppra);
            var r = parsed.GetValue(minDistance);
            if (given && (!(r > 0) || !double.IsFinite(r))) throw new ArgumentException($"--min-distance must be a positive length in Å (got {r.ToString(Inv)})");
            var seconds = parsed.GetValue(time);
            if (seconds is { } sec && !(sec > 0)) throw new ArgumentException($"--time-limit must be positive (got {sec.ToString(Inv)})");
            var x = parsed.GetValue(effort);
            if (!(x > 0) || !double.IsFinite(x)) throw new ArgumentException($"--effort must be positive (got {x.ToString(Inv)})");
            var budget = new KPointBudget((long)Math.Min(long.MaxValue / 4, x * KPointBudget.DefaultWork), seconds is { } t ? TimeSpan.FromSeconds(t) : null);
            var data = services.ReadData(path);
            if (data.Count == 0) throw new ArgumentException($"{path}: no structure in the file");
            var crystal = data[0];
            if (!crystal.Cell.FullyPeriodic) throw new ArgumentException($"{path}: the structure is not periodic in all three directions");
            if (density is { } k) r = KPointGenerator.MinDistanceForDensity(crystal.Cell, crystal.Count, k);
            var search = KPointGenerator.Generate(crystal, r, parsed.GetValue(gamma), budget, parsed.GetValue(symprec));
            var g = search.Grid;
            var mp = search.MonkhorstPack;
            var sg = search.Symmetry;
            output.Line($"{path}: {crystal.Count} atoms, space group {sg.International} ({sg.Number}), point group {sg.PointGroup} ({sg.PointGroupRotations().Count} operations)");
            output.Line(density is { } kp
                ? FormattableString.Invariant($"required minimum periodic distance: {r:G6} Å (from --kppra {kp:G6}: at least {kp / crystal.Count:G6} points for {crystal.Count} atoms)")
                : FormattableString.Invariant($"required minimum periodic distance: {r:G6} Å"));
            var table = CliOutput.NewTable(1, "grid", "k-points", "irreducible", "min distance (Å)", "shift");
            CliOutput.AddRow(table, "generalized", g.Total.ToString(Inv), g.Irreducible.ToString(Inv), g.MinDistance.ToString("F3", Inv), ShiftText(g));
            CliOutput.AddRow(table, $"Monkhorst–Pack {mp.Superlattice[0, 0]}×{mp.Superlattice[1, 1]}×{mp.Superlattice[2, 2]}", mp.Total.ToString(Inv),
                mp.Irreducible.ToString(Inv), mp.MinDistance.ToString("F3", Inv), ShiftText(mp));
            output.Console.Write(table);
            output.Line(FormattableString.Invariant(
                $"irreducible ratio (generalized / Monkhorst–Pack): {(double)g.Irreducible / mp.Irreducible:F3}; superlattice H = {Matrix(g.Superlattice)}"));
            var how = search.Exhaustive ? "exhaustive (no grid with fewer irreducible points exists)" : "cut short by the budget (the best found so far)";
            output.Line(FormattableString.Invariant(
                $"search: {search.SuperlatticesExamined} symmetric superlattices up to det {search.LargestDeterminantSearched}, {search.Elapsed.TotalSeconds:F2} s, {how}"));
            if (!search.Exhaustive) output.Warning("the search ran out of budget; a grid with fewer irreducible points may exist (raise --effort)");

            var text = Format(g, crystal.Cell, parsed.GetValue(format)!, r, sg.International);
            if (parsed.GetValue(outFile) is { } file)
            {
                File.WriteAllText(file, text);
                output.Line($"wrote {file}");
            }
            else output.Console.Write(new Spectre.Console.Text(text));
        });
        return command;
    }

    private static string ShiftText(KPointGrid g) => g.Shift == default ? "Γ-centred" : FormattableString.Invariant($"({g.Shift.X:G3}, {g.Shift.Y:G3}, {g.Shift.Z:G3})");

    private static string Matrix(long[,] h) =>
        "[" + string.Join("; ", Enumerable.Range(0, 3).Select(i => string.Join(" ", Enumerable.Range(0, 3).Select(j => h[i, j].ToString(Inv))))) + "]";

    private static string F(double x) => x.ToString("F10", Inv);

    /// <summary>The grid as text in the requested format.</summary>
    public static string Format(KPointGrid g, Cell cell, string format, double r, string spaceGroup)
    {
        var sb = new StringBuilder();
        switch (format)
        {
            case "qe":
                // pw.x: crystal coordinates of the reciprocal lattice with weights (it normalises them).
                sb.Append($"K_POINTS crystal\n{g.Irreducible}\n");
                for (var k = 0; k < g.Irreducible; k++)
                    sb.Append($"  {F(g.Points[k].X)} {F(g.Points[k].Y)} {F(g.Points[k].Z)} {g.Multiplicities[k]}\n");
                break;
            case "vasp":
                // VASP's generalized regular mesh: mode 0, then the generating vectors of the k-mesh in reciprocal
                // coordinates and the shift in their units (the mesh is all integer combinations plus the shift).
                sb.Append(FormattableString.Invariant($"Generalized regular grid, r_min {r:G6} A, {g.Total} points, {g.Irreducible} irreducible (space group {spaceGroup})\n"));
                sb.Append("0\nReciprocal\n");
                var (vectors, shift) = g.GeneratingVectors(cell);
                foreach (var v in vectors) sb.Append($"  {F(v.X)} {F(v.Y)} {F(v.Z)}\n");
                sb.Append($"  {F(shift.X)} {F(shift.Y)} {F(shift.Z)}\n");
                break;
            default:
                sb.Append(FormattableString.Invariant($"# {g.Irreducible} irreducible of {g.Total} k-points; fractional coordinates of the reciprocal lattice; weight\n"));
                for (var k = 0; k < g.Irreducible; k++)
                    sb.Append($"{F(g.Points[k].X)} {F(g.Points[k].Y)} {F(g.Points[k].Z)} {g.Weights[k].ToString("R", Inv)}\n");
                break;
        }
        return sb.ToString();
    }
}
