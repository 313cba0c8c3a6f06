using System.Globalization;
using PoetSharp.Atoms;
using PoetSharp.Data;

namespace PoetSharp.Potentials;

/// <summary>The three DYNAMO/LAMMPS EAM file layouts.</summary>
public enum EamFormat
{
    /// <summary>Single element "funcfl" (pair_style eam): F(ρ), Z(r), ρ(r).</summary>
    Funcfl,
    /// <summary>Multi-element "setfl" (pair_style eam/alloy): F(ρ), ρ(r) per element, r·φ(r) per pair.</summary>
    Setfl,
    /// <summary>Finnis–Sinclair setfl (pair_style eam/fs): a density function per ordered element pair.</summary>
    FinnisSinclair,
}

/// <summary>A funcfl file as tabulated (values at ρ = 0, δρ, … and r = 0, δr, …).</summary>
internal sealed record FuncflFile(string Path, string Element, double Mass, double Drho, double Dr, double Cut,
    double[] Embedding, double[] Z, double[] Density);

/// <summary>
/// A setfl or Finnis–Sinclair file as tabulated. Density[a][b] is the density that an atom of element a contributes
/// at an atom of element b (setfl: one function per a, stored as Density[a][0]). RPhi[a][b] = r·φ(r) for b ≤ a.
/// </summary>
internal sealed record SetflFile(string Path, bool FinnisSinclair, string[] Elements, double[] Masses,
    double Drho, double Dr, double Cut, double[][] Embedding, double[][][] Density, double[][][] RPhi);

/// <summary>
/// Reads EAM potential files the way LAMMPS's PotentialFileReader does (values may wrap over any number of lines;
/// '#' starts a comment; blank lines are skipped after the header), but strictly: every problem becomes a
/// <see cref="DataFormatException"/> naming the file and line.
/// </summary>
internal sealed class EamFileReader
{
    private readonly string _path;
    private readonly string[] _lines;
    private int _next; // 0-based index of the next unread line

    private EamFileReader(string path, string[] lines) { _path = path; _lines = lines; }

    private static EamFileReader Open(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, null, "EAM potential file not found");
        try { return new EamFileReader(path, File.ReadAllLines(path)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new DataFormatException(path, null, "cannot read EAM potential file: " + e.Message, e); }
    }

    /// <summary>1-based number of the line read last.</summary>
    private int Line => _next;

    private DataFormatException Error(string reason, int? line = null) => new(_path, line ?? Line, reason);

    private void SkipLine(string what)
    {
        if (_next >= _lines.Length) throw Error($"file ends before the {what}", _lines.Length);
        _next++;
    }

    /// <summary>Tokens of the next line that has any once comments are removed.</summary>
    private string[] NextTokens(string what)
    {
        while (_next < _lines.Length)
        {
            var tokens = Tokens(_lines[_next++]);
            if (tokens.Length > 0) return tokens;
        }
        throw Error($"file ends before the {what}", _lines.Length);
    }

    private static string[] Tokens(string line)
    {
        var hash = line.IndexOf('#');
        if (hash >= 0) line = line[..hash];
        return line.Split((char[])[' ', '\t', '\r', '\f', '\v'], StringSplitOptions.RemoveEmptyEntries);
    }

    private string[] NextTokens(string what, int atLeast)
    {
        var tokens = NextTokens(what);
        if (tokens.Length < atLeast)
            throw Error($"the {what} needs {atLeast} values, found {tokens.Length}: '{string.Join(' ', tokens)}'");
        return tokens;
    }

    private double Double(string token, string what)
    {
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            throw Error($"{what}: '{token}' is not a number");
        if (!double.IsFinite(v)) throw Error($"{what}: '{token}' is not a finite number");
        return v;
    }

    private int Int(string token, string what)
    {
        if (!int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            throw Error($"{what}: '{token}' is not an integer");
        return v;
    }

    /// <summary>Reads exactly dest.Length numbers, starting on a new line; the block must end at a line end.</summary>
    private void Values(Span<double> dest, string what)
    {
        var i = 0;
        while (i < dest.Length)
        {
            var tokens = NextTokens($"{dest.Length} values of {what} (read {i})");
            if (i + tokens.Length > dest.Length)
                throw Error($"{what}: {dest.Length} values expected but the line takes the count to {i + tokens.Length} " +
                            "(the header's grid sizes do not match the tables)");
            foreach (var t in tokens) dest[i++] = Double(t, what);
        }
    }

    private double[] Values(int count, string what)
    {
        var v = new double[count];
        Values(v, what);
        return v;
    }

    private void ExpectEnd()
    {
        while (_next < _lines.Length)
        {
            var start = _next;
            if (Tokens(_lines[_next++]).Length > 0)
                throw Error("unexpected data after the last table (the header's grid sizes do not match the tables)", start + 1);
        }
    }

    private (int nrho, double drho, int nr, double dr, double cut) Grid()
    {
        const string what = "grid line (Nrho dρ Nr dr cutoff)";
        var t = NextTokens(what, 5);
        int nrho = Int(t[0], "Nrho"), nr = Int(t[2], "Nr");
        double drho = Double(t[1], "dρ"), dr = Double(t[3], "dr"), cut = Double(t[4], "cutoff");
        // The slope formulas need 4 nodes, and funcfl re-gridding drops one.
        if (nrho < 5) throw Error($"Nrho = {nrho}: at least 5 tabulated densities are needed");
        if (nr < 5) throw Error($"Nr = {nr}: at least 5 tabulated distances are needed");
        if (!(drho > 0)) throw Error($"dρ = {t[1]} must be positive");
        if (!(dr > 0)) throw Error($"dr = {t[3]} must be positive");
        if (!(cut > 0)) throw Error($"cutoff = {t[4]} must be positive");
        return (nrho, drho, nr, dr, cut);
    }

    /// <summary>
    /// A funcfl file: a comment line; "Z mass [lattice-constant lattice-type]"; "Nrho dρ Nr dr cutoff"; then
    /// F(ρ) (Nrho values), Z(r) (Nr values, effective charge in units where Z_i Z_j·27.2·0.529/r is in eV), ρ(r) (Nr values).
    /// The element is taken from Z unless given.
    /// </summary>
    public static FuncflFile ReadFuncfl(string path, string? element = null)
    {
        var r = Open(path);
        r.SkipLine("comment line");
        var head = r.NextTokens("element line (atomic number, mass)", 2);
        var z = r.Int(head[0], "atomic number");
        var mass = r.Double(head[1], "mass");
        if (element is null)
        {
            try { element = Elements.Symbol(z); }
            catch (ArgumentException) { throw r.Error($"atomic number {z} names no element (give the element explicitly)"); }
        }
        else if (!Elements.IsKnown(element)) throw new DataFormatException(path, null, $"unknown element '{element}'");
        var (nrho, drho, nr, dr, cut) = r.Grid();
        var f = r.Values(nrho, "F(ρ)");
        var zr = r.Values(nr, "Z(r)");
        var rho = r.Values(nr, "ρ(r)");
        r.ExpectEnd();
        return new FuncflFile(path, element, mass, drho, dr, cut, f, zr, rho);
    }

    /// <summary>
    /// A setfl (or, with finnisSinclair, eam/fs) file: three comment lines; "N El1 … ElN"; "Nrho dρ Nr dr cutoff";
    /// per element: "Z mass a lattice", F(ρ), then ρ(r) (setfl) or N functions ρ(r) (fs); then r·φ(r) for each
    /// pair i ≥ j in the order (1,1), (2,1), (2,2), (3,1), …
    /// </summary>
    public static SetflFile ReadSetfl(string path, bool finnisSinclair)
    {
        var r = Open(path);
        for (var i = 0; i < 3; i++) r.SkipLine("element line (the file needs three comment lines first)");
        var el = r.NextTokens("element line (N El1 … ElN)");
        var ne = r.Int(el[0], "number of elements");
        if (ne < 1) throw r.Error($"number of elements is {ne}");
        if (el.Length != ne + 1)
            throw r.Error($"element line announces {ne} element(s) but names {el.Length - 1}: '{string.Join(' ', el)}'");
        var elements = el[1..];
        foreach (var e in elements)
            if (!Elements.IsKnown(e)) throw r.Error($"'{e}' is not an element symbol");
        if (elements.Distinct().Count() != ne) throw r.Error("an element is named twice");

        var (nrho, drho, nr, dr, cut) = r.Grid();
        var masses = new double[ne];
        var embedding = new double[ne][];
        var density = new double[ne][][];
        for (var a = 0; a < ne; a++)
        {
            var head = r.NextTokens($"line of element {elements[a]} (atomic number, mass, …)", 2);
            r.Int(head[0], $"atomic number of {elements[a]}");
            masses[a] = r.Double(head[1], $"mass of {elements[a]}");
            embedding[a] = r.Values(nrho, $"F(ρ) of {elements[a]}");
            var count = finnisSinclair ? ne : 1;
            density[a] = new double[count][];
            for (var b = 0; b < count; b++)
                density[a][b] = r.Values(nr, finnisSinclair ? $"ρ(r) of {elements[a]} at {elements[b]}" : $"ρ(r) of {elements[a]}");
        }
        var rphi = new double[ne][][];
        for (var a = 0; a < ne; a++)
        {
            rphi[a] = new double[a + 1][];
            for (var b = 0; b <= a; b++) rphi[a][b] = r.Values(nr, $"r·φ(r) of {elements[a]}–{elements[b]}");
        }
        r.ExpectEnd();
        return new SetflFile(path, finnisSinclair, elements, masses, drho, dr, cut, embedding, density, rphi);
    }
}
