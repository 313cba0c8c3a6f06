using System.Globalization;
using System.Text;
using PoetSharp.Atoms;
using PoetSharp.Models;

namespace PoetSharp.Export;

/// <summary>Grid and layout of exported setfl tables.</summary>
public sealed record SetflOptions
{
    /// <summary>
    /// Tabulated distances 0, dr, …, cutoff (LAMMPS interpolates between them with local cubics). 5,001 points keep GP1's
    /// forces in LAMMPS within the export tests' 1e-5 eV/Å of the exact model (2,001 gave 1.4e-5) and LAMMPS within 8 % of
    /// its speed with Cu_u3's 500-point tables.
    /// </summary>
    public int DistancePoints { get; init; } = 5001;

    /// <summary>Tabulated densities 0, dρ, …, ρ_max.</summary>
    public int DensityPoints { get; init; } = 5001;

    /// <summary>Upper end of the density table; by default 1.2 × the largest density of fcc, bcc and sc lattices
    /// compressed to 0.75 × the model's fcc nearest-neighbour distance (beyond it LAMMPS extrapolates F linearly).</summary>
    public double? MaxDensity { get; init; }

    /// <summary>Write eam/fs (Finnis–Sinclair layout: a density function per element pair) instead of eam/alloy.</summary>
    public bool FinnisSinclair { get; init; }
}

/// <summary>What an export wrote and how LAMMPS uses it.</summary>
/// <param name="Files">Paths of the files written.</param>
/// <param name="PairStyle">The pair_style arguments.</param>
/// <param name="PairCoeffs">The pair_coeff arguments, with files named relative to the export folder.</param>
/// <param name="Notes">Facts for the model card (grids, ranges, choices).</param>
public sealed record LammpsExport(IReadOnlyList<string> Files, string PairStyle, IReadOnlyList<string> PairCoeffs, IReadOnlyList<string> Notes)
{
    /// <summary>The pair_coeff arguments with the files given as paths in <paramref name="folder"/>.</summary>
    public IEnumerable<string> PairCoeffsIn(string folder) =>
        PairCoeffs.Select(c => string.Join(' ', c.Split(' ').Select(t => Files.Any(f => Path.GetFileName(f) == t) ? Path.Combine(folder, t) : t)));
}

/// <summary>
/// Writes models of EAM form (<see cref="EamForm"/>) as LAMMPS setfl tables (pair_style eam/alloy or eam/fs).
/// LAMMPS's EAM energy is E_i = F(ρ_i) + ½ Σ_j φ(r_ij) with φ tabulated as r·φ(r); our model counts each pair once
/// for each of its atoms, so the table holds r·2·φ_model(r)·f(r). The model's constant goes into F. One embedding
/// makes one file; several make one file each, combined with pair_style hybrid/overlay (the first carries the pair
/// term and the constant, the others φ = 0). A sum that is only ever negative is tabulated as −ρ with F(−ρ).
/// </summary>
public static class SetflExport
{
    public static LammpsExport Write(Model model, string directory, SetflOptions options, string? baseName = null)
    {
        model.Validate();
        if (options.DistancePoints < 5 || options.DensityPoints < 5) throw new ArgumentException("setfl grids need at least 5 points");
        var form = EamForm.TryCreate(model.Expression, out var reason) ?? throw new ArgumentException($"model {model.Name}: {reason}");
        Directory.CreateDirectory(directory);
        baseName ??= FileNames.Safe(model.Name) + "_" + string.Join("", model.Species);
        var extension = options.FinnisSinclair ? ".eam.fs" : ".eam.alloy";
        var style = options.FinnisSinclair ? "eam/fs" : "eam/alloy";
        var elements = string.Join(' ', model.Species);

        var lattice = LatticeProbe.For(model);
        var notes = new List<string>
        {
            $"fcc nearest-neighbour distance at the model's energy minimum: {F4(lattice.NearestNeighbour)} Å (lattice constant {F4(lattice.NearestNeighbour * Math.Sqrt(2))} Å)",
            $"r grid: {options.DistancePoints} points, dr = {G(model.Cutoff / (options.DistancePoints - 1))} Å, cutoff {G(model.Cutoff)} Å",
        };
        var tables = new List<Table>();
        var embeddings = form.Embeddings.Count == 0 ? [-1] : Enumerable.Range(0, form.Embeddings.Count).ToArray();
        foreach (var k in embeddings)
        {
            var table = new Table { Embedding = k, WithPair = tables.Count == 0 };
            if (k >= 0)
            {
                var (low, high) = lattice.DensityRange(r => form.Density(k, r));
                table.Sign = Math.Abs(low) > Math.Abs(high) ? -1 : 1;
                var max = options.MaxDensity ?? 1.2 * Math.Max(Math.Abs(low), Math.Abs(high));
                if (!(max > 0) || !double.IsFinite(max)) throw new ArgumentException($"model {model.Name}: density {form.Embeddings[k].Density} is zero or not finite on the lattices probed");
                table.Drho = max / (options.DensityPoints - 1);
                notes.Add($"density {k + 1}: ρ = {(table.Sign < 0 ? "−" : "")}Σ_j ({form.Embeddings[k].Density}) f(r), tabulated for 0 ≤ ρ ≤ {G6(max)} " +
                          $"({options.DensityPoints} points; fcc/bcc/sc lattices down to 0.75 × the fcc distance span {G6(table.Sign * low)} … {G6(table.Sign * high)}), " +
                          $"F(ρ) = {form.Embeddings[k].Describe()}" + (tables.Count == 0 && form.Constant != 0 ? (form.Constant < 0 ? $" - {G(-form.Constant)}" : $" + {G(form.Constant)}") : ""));
                if (Math.Sign(low) != Math.Sign(high) && Math.Min(Math.Abs(low), Math.Abs(high)) > 0)
                    notes.Add($"warning: density {k + 1} takes both signs on the lattices probed; LAMMPS extrapolates F below ρ = 0");
            }
            else table.Drho = 1.0;
            tables.Add(table);
        }

        var files = new List<string>();
        var coeffs = new List<string>();
        for (var t = 0; t < tables.Count; t++)
        {
            var name = baseName + (tables.Count > 1 ? $"_{t + 1}" : "") + extension;
            var path = Path.Combine(directory, name);
            File.WriteAllText(path, Render(model, form, tables[t], options, lattice, t == 0 ? form.Constant : 0.0), new UTF8Encoding(false));
            files.Add(path);
            coeffs.Add(tables.Count > 1 ? $"* * {style} {t + 1} {name} {elements}" : $"* * {name} {elements}");
        }
        var pairStyle = tables.Count > 1 ? "hybrid/overlay " + string.Join(' ', Enumerable.Repeat(style, tables.Count)) : style;
        if (tables.Count > 1)
            notes.Add($"{tables.Count} embedding functions: one {style} table each, summed by pair_style hybrid/overlay; the first carries the pair term and the constant");
        if (form.Embeddings.Count == 0) notes.Add("no embedding: a pair potential, written with ρ = 0 and F = the constant");
        return new LammpsExport(files, pairStyle, coeffs, notes);
    }

    private sealed class Table
    {
        public int Embedding;
        public bool WithPair;
        public int Sign = 1;
        public double Drho;
    }

    private static string Render(Model model, EamForm form, Table table, SetflOptions options, LatticeProbe lattice, double constant)
    {
        var nr = options.DistancePoints;
        var nrho = table.Embedding >= 0 ? options.DensityPoints : 5;
        var dr = model.Cutoff / (nr - 1);
        var taper = model.Taper;

        var embedding = new double[nrho];
        for (var m = 0; m < nrho; m++)
            embedding[m] = constant + (table.Embedding >= 0 ? form.Embeddings[table.Embedding].F(table.Sign * m * table.Drho) : 0.0);
        var density = new double[nr];
        var rphi = new double[nr];
        for (var m = 0; m < nr; m++)
        {
            var r = m * dr;
            var f = taper.Evaluate(r).Value;
            density[m] = f == 0 || table.Embedding < 0 ? 0 : table.Sign * form.Density(table.Embedding, r) * f;
            rphi[m] = f == 0 || !table.WithPair ? 0 : r * 2 * form.PairFunction(r) * f;
        }
        FlattenSingularStart(embedding);
        FlattenSingularStart(density);
        FlattenSingularStart(rphi);

        var text = new StringBuilder();
        text.Append("PoetSharp export of model ").Append(Ascii(model.Name)).Append('\n');
        text.Append("E_i = ").Append(Ascii(model.Expression.ToString())).Append('\n');
        text.Append($"taper {G(taper.Inner)}-{G(taper.Outer)} A; table {(table.Embedding >= 0 ? table.Embedding + 1 : 1)}; " +
                    "r*phi holds twice the model's pair energy (LAMMPS halves it)\n");
        text.Append(model.Species.Count.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(string.Join(' ', model.Species)).Append('\n');
        text.Append($"{nrho} {G(table.Drho)} {nr} {G(dr)} {G(model.Cutoff)}\n");
        foreach (var element in model.Species)
        {
            text.Append($"{Elements.AtomicNumber(element)} {G(Elements.Mass(element))} {F4(lattice.NearestNeighbour * Math.Sqrt(2))} fcc\n");
            Values(text, embedding);
            // Every element has the same density function (our models do not tell species apart).
            for (var b = 0; b < (options.FinnisSinclair ? model.Species.Count : 1); b++) Values(text, density);
        }
        for (var a = 0; a < model.Species.Count; a++)
            for (var b = 0; b <= a; b++) Values(text, rphi);
        return text.ToString();
    }

    /// <summary>Values that overflow near r = 0 or ρ = 0 (r⁻⁹, 1/ρ) take the first finite value: LAMMPS's cubics are local, so only the first few intervals are affected.</summary>
    private static void FlattenSingularStart(double[] values)
    {
        var first = Array.FindIndex(values, double.IsFinite);
        if (first < 0) throw new ArgumentException("a tabulated function is not finite anywhere on its grid");
        if (values.Skip(first).Any(v => !double.IsFinite(v)))
            throw new ArgumentException("a tabulated function is not finite inside its range (it must be finite except at the small-r or small-ρ end)");
        for (var m = 0; m < first; m++) values[m] = values[first];
    }

    private static void Values(StringBuilder text, double[] values)
    {
        for (var m = 0; m < values.Length; m++)
        {
            text.Append(G(values[m]));
            text.Append(m % 5 == 4 || m == values.Length - 1 ? '\n' : ' ');
        }
    }

    private static string G(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string G6(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
    private static string F4(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
    private static string Ascii(string s) => new(s.Select(c => c < 128 && c != '\n' ? c : '?').ToArray());
}

/// <summary>File and item names made of letters, digits and underscores.</summary>
public static class FileNames
{
    public static string Safe(string name)
    {
        var s = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray()).Trim('_');
        return s.Length == 0 ? "model" : s;
    }
}
