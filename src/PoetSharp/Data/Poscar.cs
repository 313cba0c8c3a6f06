using System.Globalization;
using System.Text;
using PoetSharp.Atoms;

namespace PoetSharp.Data;

/// <summary>
/// VASP POSCAR/CONTCAR files (VASP 5 layout: comment, scale, lattice, species, counts, optional selective
/// dynamics, Direct/Cartesian, positions). Anything after the positions (velocities, predictor-corrector
/// data of a CONTCAR) is ignored. POSCAR cells are always fully periodic.
/// </summary>
public static class Poscar
{
    /// <summary>Reads a POSCAR file; the structure is named after the file.</summary>
    public static Structure Read(string path)
    {
        return Parse(InputFile.ReadAllText(path, "a POSCAR file"), path);
    }

    /// <summary>Parses POSCAR text; <paramref name="sourceName"/> names the source in errors and (its file name) the structure.</summary>
    public static Structure Parse(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = SplitLines(text);
        var reader = new LineReader(lines, sourceName);

        reader.Next("the comment line");

        var (axisScale, targetVolume) = ReadScale(reader);

        var lattice = new Vec3[3];
        var latticeLine = reader.Index + 2; // 1-based number of the first lattice line
        for (var k = 0; k < 3; k++)
        {
            var tokens = reader.NextTokens($"lattice vector {k + 1}");
            lattice[k] = reader.Vector(tokens, $"lattice vector {k + 1}");
        }
        if (targetVolume is double target)
        {
            // A zero raw volume is left alone: the Cell constructor reports the singular lattice.
            var rawVolume = Math.Abs(Vec3.Dot(lattice[0], Vec3.Cross(lattice[1], lattice[2])));
            if (rawVolume > 0) axisScale = Math.Cbrt(target / rawVolume) * new Vec3(1, 1, 1);
        }
        // VASP scales lattice vectors and Cartesian positions alike, per Cartesian axis when three factors are given.
        Vec3 Scaled(Vec3 v) => new(v.X * axisScale.X, v.Y * axisScale.Y, v.Z * axisScale.Z);
        Cell cell;
        try
        {
            cell = new Cell(Scaled(lattice[0]), Scaled(lattice[1]), Scaled(lattice[2]));
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(sourceName, latticeLine, "singular lattice: the lattice vectors are linearly dependent or zero", e);
        }

        var speciesTokens = reader.NextTokens("the element symbols line");
        if (TryParseNumber(speciesTokens[0], out _))
            throw reader.Error("this is a VASP 4 POSCAR: the line after the lattice vectors holds atom counts, not element symbols, " +
                               "so the elements cannot be named; add a line with the element symbols (VASP 5 format) before the counts");
        var symbols = speciesTokens.TakeWhile(t => t[0] is not ('!' or '#')).Select(CleanSymbol).ToArray();
        foreach (var (symbol, token) in symbols.Zip(speciesTokens))
            if (!Elements.IsKnown(symbol))
                throw reader.Error($"unknown element '{token}'");

        var countTokens = reader.NextTokens("the atom counts line");
        var counts = new List<int>();
        foreach (var t in countTokens)
        {
            if (!int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) break;
            if (n < 0) throw reader.Error($"negative atom count {n}");
            counts.Add(n);
        }
        if (counts.Count == 0)
            throw reader.Error($"expected atom counts (integers), found '{countTokens[0]}'");
        if (counts.Count != symbols.Length)
            throw reader.Error($"{counts.Count} atom count(s) for {symbols.Length} element(s) ({string.Join(" ", symbols)})");
        var total = counts.Sum();
        if (total == 0) throw reader.Error("no atoms: all counts are zero");

        var mode = reader.Next("the 'Direct' or 'Cartesian' line").TrimStart();
        if (mode.Length > 0 && mode[0] is 'S' or 's')
            mode = reader.Next("the 'Direct' or 'Cartesian' line").TrimStart();
        bool cartesian;
        if (mode.Length > 0 && mode[0] is 'C' or 'c' or 'K' or 'k') cartesian = true;
        else if (mode.Length > 0 && mode[0] is 'D' or 'd') cartesian = false;
        else throw reader.Error($"expected 'Direct' or 'Cartesian', found '{mode.Trim()}'");

        var raw = new Vec3[total];
        for (var i = 0; i < total; i++)
        {
            var what = $"the position of atom {i + 1} of {total}";
            raw[i] = reader.Vector(reader.NextTokens(what), what);
        }

        var positions = new Vec3[total];
        for (var i = 0; i < total; i++)
            positions[i] = cartesian ? Scaled(raw[i]) : cell.ToCartesian(raw[i]);

        var species = new string[total];
        var next = 0;
        for (var s = 0; s < symbols.Length; s++)
            for (var j = 0; j < counts[s]; j++)
                species[next++] = symbols[s];

        return new Structure(cell, positions, species, Path.GetFileName(sourceName));
    }

    /// <summary>Writes a structure as a VASP 5 POSCAR.</summary>
    public static void Write(string path, Structure structure, bool direct = true) =>
        File.WriteAllText(path, Format(structure, direct));

    /// <summary>
    /// The structure as VASP 5 POSCAR text: scale 1, exact (round-trip) numbers, species written as
    /// consecutive runs so that any atom order survives (Cu Ni Cu stays three runs).
    /// </summary>
    public static string Format(Structure structure, bool direct = true)
    {
        ArgumentNullException.ThrowIfNull(structure);
        if (structure.Count == 0) throw new ArgumentException("a POSCAR needs at least one atom");
        var src = structure.Cell;
        Cell cell;
        try { cell = new Cell(src.A, src.B, src.C); }
        catch (ArgumentException e)
        {
            throw new ArgumentException("a POSCAR needs three independent lattice vectors; this structure's cell has degenerate (non-periodic) vectors", e);
        }

        var runs = new List<(string Symbol, int Count)>();
        foreach (var s in structure.Species)
        {
            if (runs.Count > 0 && runs[^1].Symbol == s) runs[^1] = (s, runs[^1].Count + 1);
            else runs.Add((s, 1));
        }

        var sb = new StringBuilder();
        var comment = structure.Name.Replace('\r', ' ').Replace('\n', ' ').Trim();
        if (comment.Length == 0) comment = Formula(structure.Species);
        sb.Append(comment).Append('\n');
        sb.Append("1.0\n");
        foreach (var v in new[] { cell.A, cell.B, cell.C }) AppendVector(sb, v);
        sb.Append(string.Concat(runs.Select(r => " " + r.Symbol.PadLeft(5)))).Append('\n');
        sb.Append(string.Concat(runs.Select(r => " " + r.Count.ToString(CultureInfo.InvariantCulture).PadLeft(5)))).Append('\n');
        sb.Append(direct ? "Direct\n" : "Cartesian\n");
        foreach (var r in structure.Positions)
            AppendVector(sb, direct ? cell.ToFractional(r) : r);
        return sb.ToString();
    }

    /// <summary>Parses a number as VASP's Fortran reads do (also 1.0D-3), rejecting NaN and infinities.</summary>
    internal static bool TryParseNumber(string token, out double value)
    {
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            if (token.IndexOfAny(['D', 'd']) < 0) return false;
            var fortran = token.Replace('D', 'E').Replace('d', 'e');
            if (!double.TryParse(fortran, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return false;
        }
        return double.IsFinite(value);
    }

    private static string Formula(IEnumerable<string> species) =>
        string.Concat(species.GroupBy(s => s).Select(g => g.Key + g.Count().ToString(CultureInfo.InvariantCulture)));

    private static void AppendVector(StringBuilder sb, Vec3 v)
    {
        // "R" is the shortest text that parses back to the same double: exact round trips.
        foreach (var x in new[] { v.X, v.Y, v.Z })
            sb.Append(' ').Append(x.ToString("R", CultureInfo.InvariantCulture).PadLeft(24));
        sb.Append('\n');
    }

    // POTCAR-derived labels such as "Cu_pv" or "Cu_pv/7f3a..." (VASP 6) name the element before '_' or '/'.
    private static string CleanSymbol(string token)
    {
        var end = token.IndexOfAny(['_', '/']);
        return end > 0 ? token[..end] : token;
    }

    /// <summary>
    /// The scale line: one factor, three per-axis factors (all positive), or a negative number, the target
    /// volume (Å³), whose factor depends on the lattice and is worked out once that is read.
    /// </summary>
    private static (Vec3 AxisScale, double? TargetVolume) ReadScale(LineReader reader)
    {
        var tokens = reader.NextTokens("the scale factor");
        var values = new List<double>();
        foreach (var t in tokens.Take(3))
        {
            if (!TryParseNumber(t, out var v)) break;
            values.Add(v);
        }
        if (values.Count == 0)
            throw reader.Error($"expected a scale factor, found '{tokens[0]}'");
        if (values.Count == 3)
        {
            if (values.Any(v => v <= 0))
                throw reader.Error("three scale factors (per Cartesian axis) must all be positive");
            return (new Vec3(values[0], values[1], values[2]), null);
        }
        var s = values[0];
        if (s == 0) throw reader.Error("scale factor 0");
        return s > 0 ? (new Vec3(s, s, s), null) : (new Vec3(1, 1, 1), -s);
    }

    private static string[] SplitLines(string text)
    {
        var lines = new List<string>();
        using var r = new StringReader(text);
        while (r.ReadLine() is { } line) lines.Add(line);
        return lines.ToArray();
    }

    /// <summary>Walks the lines of one file, turning every problem into a <see cref="DataFormatException"/> with the line number.</summary>
    private sealed class LineReader(string[] lines, string source)
    {
        private static readonly char[] Separators = [' ', '\t'];

        /// <summary>0-based index of the current line (-1 before the first).</summary>
        public int Index { get; private set; } = -1;

        public string Next(string what)
        {
            if (Index + 1 >= lines.Length)
                throw new DataFormatException(source, Index + 2, $"unexpected end of file: expected {what}");
            return lines[++Index];
        }

        public string[] NextTokens(string what)
        {
            var tokens = Next(what).Split(Separators, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) throw Error($"empty line: expected {what}");
            return tokens;
        }

        public Vec3 Vector(string[] tokens, string what)
        {
            if (tokens.Length < 3) throw Error($"expected three numbers for {what}, found {tokens.Length}");
            var x = new double[3];
            for (var k = 0; k < 3; k++)
                if (!TryParseNumber(tokens[k], out x[k]))
                    throw Error($"'{tokens[k]}' in {what} is not a finite number");
            return new Vec3(x[0], x[1], x[2]);
        }

        public DataFormatException Error(string reason) => new(source, Index + 1, reason);
    }
}
