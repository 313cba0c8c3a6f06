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
    /// <summary>Whether the model can be written as setfl (EAM form; for several elements, one embedding per element); else the reason.</summary>
    public static bool CanWrite(Model model, out string reason)
    {
        if (!model.Expression.IsSpeciesResolved) return EamForm.TryCreate(model.Expression, out reason) is not null;
        foreach (var element in model.Species)
        {
            var form = EamForm.TryCreate(BodyOf(model.Expression, (byte)Elements.AtomicNumber(element)), out reason);
            if (form is null) { reason = $"element {element}: {reason}"; return false; }
            if (form.Embeddings.Count > 1)
            {
                reason = $"element {element}: {form.Embeddings.Count} embedding functions; a setfl file of several elements holds one per element, so this model can be exported with --format kim only";
                return false;
            }
        }
        reason = "";
        return true;
    }

    public static LammpsExport Write(Model model, string directory, SetflOptions options, string? baseName = null)
    {
        model.Validate();
        if (options.DistancePoints < 5 || options.DensityPoints < 5) throw new ArgumentException("setfl grids need at least 5 points");
        if (model.Expression.IsSpeciesResolved) return WriteElements(model, directory, options, baseName);
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
                if (!(max > 0) || !double.IsFinite(max)) throw new ArgumentException($"model {model.Name}: density {form.Embeddings[k].DensityText} is zero or not finite on the lattices probed");
                table.Drho = max / (options.DensityPoints - 1);
                notes.Add($"density {k + 1}: ρ = {(table.Sign < 0 ? "−" : "")}Σ_j ({form.Embeddings[k].DensityText}) f(r), tabulated for 0 ≤ ρ ≤ {G6(max)} " +
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

    /// <summary>
    /// A model whose expression names elements, as one setfl file: per element A (its at[A] term, or the whole expression)
    /// an EAM form with at most one embedding, F_A(ρ) + Σ_j p_{A,t_j}(r), ρ = Σ_j ρ_{A,t_j}(r), from the sums over all
    /// neighbours and over each neighbour element. LAMMPS computes E_i = F_{t_i}(ρ_i) + ½ Σ_j φ_{t_i t_j}, so the table
    /// holds r·φ_AB = r·(p_AB + p_BA)·f. eam/alloy has one density function per neighbour element, so it is written when
    /// every element's densities are proportional to one set (ρ_{A,B} = s_A ρ_B, s_A taken into F_A); otherwise eam/fs,
    /// whose block for neighbour element B lists the densities ρ_{A,B} it gives an atom of each element A (LAMMPS's
    /// pair_eam_fs reads rho for neighbour type j at atom type i from block j, position i).
    /// </summary>
    private static LammpsExport WriteElements(Model model, string directory, SetflOptions options, string? baseName)
    {
        var species = model.Species;
        var count = species.Count;
        var z = species.Select(e => (byte)Elements.AtomicNumber(e)).ToArray();
        var forms = new EamForm[count];
        for (var a = 0; a < count; a++)
        {
            var body = BodyOf(model.Expression, z[a]);
            forms[a] = EamForm.TryCreate(body, out var reason) ?? throw new ArgumentException($"model {model.Name}, element {species[a]}: {reason}");
            if (forms[a].Embeddings.Count > 1)
                throw new ArgumentException($"model {model.Name}, element {species[a]}: {forms[a].Embeddings.Count} embedding functions; a setfl file of several elements " +
                                            "holds one per element, so this model can be exported with --format kim only");
        }
        var probes = species.Select(e => LatticeProbe.For(model, e)).ToArray();
        double Density(int a, int b, double r) => forms[a].Embeddings.Count == 0 ? 0 : forms[a].Density(0, r, z[b]);

        // eam/alloy when the densities of every element are proportional to one element's (s_A).
        var reference = Enumerable.Range(0, count).FirstOrDefault(a => forms[a].Embeddings.Count > 0, -1);
        var scale = new double[count];
        var alloy = !options.FinnisSinclair;
        var dr = model.Cutoff / (options.DistancePoints - 1);
        for (var a = 0; a < count && alloy && reference >= 0; a++)
        {
            if (forms[a].Embeddings.Count == 0) continue;
            double num = 0, den = 0;
            for (var m = 1; m < options.DistancePoints; m++)
                for (var b = 0; b < count; b++)
                {
                    double x = Density(reference, b, m * dr), y = Density(a, b, m * dr);
                    if (!double.IsFinite(x) || !double.IsFinite(y)) continue;
                    num += x * y; den += x * x;
                }
            scale[a] = den > 0 ? num / den : 0;
            for (var m = 1; m < options.DistancePoints && alloy; m++)
                for (var b = 0; b < count && alloy; b++)
                {
                    double x = Density(reference, b, m * dr), y = Density(a, b, m * dr);
                    if (double.IsFinite(x) && double.IsFinite(y) && Math.Abs(y - scale[a] * x) > 1e-10 * Math.Max(Math.Abs(y), Math.Abs(scale[a] * x)) + 1e-300)
                        alloy = false;
                }
        }
        var fs = !alloy;
        // The density each table holds per (central a, neighbour b): ρ_{a,b}, or for eam/alloy ρ_b of the reference.
        double Tabulated(int a, int b, double r) => fs ? Density(a, b, r) : Density(reference, b, r);

        // The density range: each element's lattices alone, at every element's distances; one grid for all.
        double low = 0, high = 0;
        for (var a = 0; a < count; a++)
        {
            if (forms[a].Embeddings.Count == 0) continue;
            for (var b = 0; b < count; b++)
                foreach (var probe in probes)
                {
                    var (l, h) = probe.DensityRange(r => Tabulated(a, b, r));
                    if (double.IsFinite(l)) low = Math.Min(low, l);
                    if (double.IsFinite(h)) high = Math.Max(high, h);
                }
        }
        var sign = Math.Abs(low) > Math.Abs(high) ? -1 : 1;
        var max = options.MaxDensity ?? 1.2 * Math.Max(Math.Abs(low), Math.Abs(high));
        if (reference >= 0 && (!(max > 0) || !double.IsFinite(max))) throw new ArgumentException($"model {model.Name}: the densities are zero or not finite on the lattices probed");
        var nrho = reference >= 0 ? options.DensityPoints : 5;
        var drho = reference >= 0 ? max / (options.DensityPoints - 1) : 1.0;
        var nr = options.DistancePoints;

        var style = fs ? "eam/fs" : "eam/alloy";
        Directory.CreateDirectory(directory);
        baseName ??= FileNames.Safe(model.Name) + "_" + string.Join("", species);
        var name = baseName + (fs ? ".eam.fs" : ".eam.alloy");
        var path = Path.Combine(directory, name);
        var text = new StringBuilder();
        text.Append("PoetSharp export of model ").Append(Ascii(model.Name)).Append('\n');
        text.Append("E_i = ").Append(Ascii(model.Expression.ToString())).Append('\n');
        text.Append($"taper {G(model.Taper.Inner)}-{G(model.Taper.Outer)} A; r*phi_AB holds the model's pair energies p_AB + p_BA; {(fs ? "density rho_AB in block B, position A" : "densities scaled into F")}\n");
        text.Append(count.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(string.Join(' ', species)).Append('\n');
        text.Append($"{nrho} {G(drho)} {nr} {G(dr)} {G(model.Cutoff)}\n");
        var notes = new List<string>
        {
            $"{count} elements ({string.Join(", ", species)}) as {style}: per element one embedding of one density (the element's at[..] term read as EAM)",
            $"r grid: {nr} points, dr = {G(dr)} Å, cutoff {G(model.Cutoff)} Å; ρ grid: {nrho} points, 0 … {G6(sign * (nrho - 1) * drho)}",
        };
        var taper = model.Taper;
        for (var b = 0; b < count; b++)
        {
            text.Append($"{z[b]} {G(Elements.Mass(species[b]))} {F4(probes[b].NearestNeighbour * Math.Sqrt(2))} fcc\n");
            var embedding = new double[nrho];
            for (var m = 0; m < nrho; m++)
            {
                var rho = sign * m * drho * (fs ? 1 : scale[b]);
                embedding[m] = forms[b].Constant + (forms[b].Embeddings.Count > 0 ? forms[b].Embeddings[0].F(rho) : 0);
            }
            FlattenSingularStart(embedding);
            Values(text, embedding);
            for (var a = 0; a < (fs ? count : 1); a++)
            {
                // eam/fs: block b (the neighbour's element), position a (the central atom's); eam/alloy: ρ_b.
                var density = new double[nr];
                for (var m = 0; m < nr; m++)
                {
                    var r = m * dr;
                    var f = taper.Evaluate(r).Value;
                    density[m] = f == 0 || reference < 0 ? 0 : sign * (fs ? Density(a, b, r) : Density(reference, b, r)) * f;
                }
                FlattenSingularStart(density);
                Values(text, density);
            }
            notes.Add($"{species[b]}: F(ρ) = {(forms[b].Embeddings.Count > 0 ? forms[b].Embeddings[0].Describe() : "0")}" +
                      (forms[b].Constant != 0 ? $" + {G(forms[b].Constant)}" : "") + (fs || forms[b].Embeddings.Count == 0 ? "" : $", with ρ scaled by {G6(scale[b])}"));
        }
        for (var a = 0; a < count; a++)
            for (var b = 0; b <= a; b++)
            {
                var rphi = new double[nr];
                for (var m = 0; m < nr; m++)
                {
                    var r = m * dr;
                    var f = taper.Evaluate(r).Value;
                    rphi[m] = f == 0 ? 0 : r * (forms[a].PairFunction(r, z[b]) + forms[b].PairFunction(r, z[a])) * f;
                }
                FlattenSingularStart(rphi);
                Values(text, rphi);
            }
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
        if (fs && !options.FinnisSinclair) notes.Add("eam/fs because the elements' densities are not proportional to one set (eam/alloy needs that)");
        return new LammpsExport([path], style, [$"* * {name} {string.Join(' ', species)}"], notes);
    }

    /// <summary>The expression of element z: its at[..] term's body, or the whole expression when there are no such terms.</summary>
    private static Expression BodyOf(Expression e, byte z)
    {
        foreach (var (element, node) in e.CentralTerms)
            if (element == z) return e.Subtree(node - 1);
        return e;
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
