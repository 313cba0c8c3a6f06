using System.Globalization;
using System.Text.RegularExpressions;
using PoetSharp.Atoms;

namespace PoetSharp.Data;

/// <summary>
/// POET's data folders: structures 1.vasp … N.vasp, total energies E0.data (line N for structure N),
/// optionally forces (F_coord.data rows "x y z fx fy fz [atom energy]" or F.data, one component per line)
/// and stress (F_Cell.data rows "XX YY ZZ XY YZ ZX" in kbar, equal to −σ). Positions come from the
/// POSCARs; F_coord's coordinates (Cartesian or fractional, both occur) only serve as a check that the
/// files belong together.
/// </summary>
public static partial class PoetFolder
{
    /// <summary>How far F_coord.data coordinates may lie from the POSCAR positions (Å; the DFT files round to 1e-5 Å).</summary>
    public const double CoordinateTolerance = 1e-3;

    private const string EnergyFile = "E0.data";
    private const string CoordForceFile = "F_coord.data";
    private const string ForceFile = "F.data";
    private const string CellFile = "F_Cell.data";

    /// <summary>True when the folder holds POET data files itself (N.vasp with E0.data).</summary>
    public static bool IsPoetFolder(string path) =>
        Directory.Exists(path) && File.Exists(Path.Combine(path, EnergyFile)) && File.Exists(Path.Combine(path, "1.vasp"));

    /// <summary>Reads a POET folder, or a folder of such folders (one group per subfolder).</summary>
    public static Dataset Read(string path)
    {
        if (!Directory.Exists(path))
            throw new DataFormatException(path, null, File.Exists(path) ? "is a file, not a POET data folder" : "no such folder");

        if (IsPoetFolder(path))
        {
            var notes = new List<string>();
            var single = new Dataset(ReadGroup(path, GroupName(path), notes), path);
            single.Notes.AddRange(notes);
            return single;
        }

        var structures = new List<Structure>();
        var allNotes = new List<string>();
        var found = 0;
        foreach (var sub in Directory.GetDirectories(path).OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal))
        {
            var group = Path.GetFileName(sub);
            if (!IsPoetFolder(sub))
            {
                allNotes.Add($"skipped {group}/: not a POET data folder (no {EnergyFile} and 1.vasp)");
                continue;
            }
            found++;
            structures.AddRange(ReadGroup(sub, group, allNotes));
        }
        if (found == 0)
            throw new DataFormatException(path, null,
                $"not a POET data folder: it has no {EnergyFile} and 1.vasp, and none of its subfolders has them");
        var data = new Dataset(structures, path);
        data.Notes.AddRange(allNotes);
        return data;
    }

    private static string GroupName(string folder) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));

    private static List<Structure> ReadGroup(string folder, string group, List<string> notes)
    {
        var structures = ReadStructures(folder, group, notes);
        var n = structures.Count;
        var used = new List<string> { $"energies {EnergyFile}" };

        var energyPath = Path.Combine(folder, EnergyFile);
        var energies = ReadRows(energyPath);
        RequireColumns(energyPath, energies, 1);
        RequireRowCount(energyPath, energies, n, $"{n} structures (1.vasp … {n}.vasp)");
        for (var k = 0; k < n; k++) structures[k].Energy = energies[k].Values[0];

        var totalAtoms = structures.Sum(s => s.Count);
        var coordPath = Path.Combine(folder, CoordForceFile);
        var forcePath = Path.Combine(folder, ForceFile);
        if (File.Exists(coordPath))
        {
            var rows = ReadRows(coordPath);
            RequireColumns(coordPath, rows, 6, 7);
            RequireRowCount(coordPath, rows, totalAtoms, $"{totalAtoms} atoms in {n} structures");
            var kinds = new SortedSet<string>(StringComparer.Ordinal);
            var start = 0;
            foreach (var s in structures)
            {
                kinds.Add(CheckCoordinates(coordPath, s, rows, start));
                s.Forces = new Vec3[s.Count];
                for (var i = 0; i < s.Count; i++)
                {
                    var v = rows[start + i].Values;
                    s.Forces[i] = new Vec3(v[3], v[4], v[5]);
                }
                start += s.Count;
            }
            used.Add($"forces {CoordForceFile} ({string.Join(" and ", kinds)} coordinates, checked against the POSCARs)");
            if (rows[0].Values.Length == 7) notes.Add(AtomEnergyNote(group, structures, rows));
        }
        if (File.Exists(forcePath))
        {
            var rows = ReadRows(forcePath);
            RequireColumns(forcePath, rows, 1);
            RequireRowCount(forcePath, rows, 3 * totalAtoms, $"{3 * totalAtoms} force components ({totalAtoms} atoms in {n} structures)");
            var fromCoordFile = structures.All(s => s.Forces != null);
            var next = 0;
            foreach (var s in structures)
            {
                var forces = new Vec3[s.Count];
                for (var i = 0; i < s.Count; i++, next += 3)
                    forces[i] = new Vec3(rows[next].Values[0], rows[next + 1].Values[0], rows[next + 2].Values[0]);
                if (fromCoordFile) CheckSameForces(forcePath, rows, next - 3 * s.Count, s.Forces!, forces);
                else s.Forces = forces;
            }
            used.Add(fromCoordFile ? $"{ForceFile} agrees with {CoordForceFile}" : $"forces {ForceFile}");
        }

        var cellPath = Path.Combine(folder, CellFile);
        if (File.Exists(cellPath))
        {
            var rows = ReadRows(cellPath);
            RequireColumns(cellPath, rows, 6);
            RequireRowCount(cellPath, rows, n, $"{n} structures (1.vasp … {n}.vasp)");
            for (var k = 0; k < n; k++)
            {
                // Columns XX YY ZZ XY YZ ZX in kbar, compression positive (−σ).
                var c = rows[k].Values;
                structures[k].Stress = -1.0 / Units.KbarPerEvPerA3 * new Stress(c[0], c[1], c[2], c[4], c[5], c[3]);
            }
            used.Add($"stress {CellFile} (kbar, −σ)");
        }

        notes.Add($"{group}: {n} structures; {string.Join("; ", used)}");
        return structures;
    }

    [GeneratedRegex(@"^(0|[1-9][0-9]*)\.vasp$")]
    private static partial Regex NumberedPoscar();

    private static List<Structure> ReadStructures(string folder, string group, List<string> notes)
    {
        var numbers = new List<int>();
        var ignored = new List<string>();
        foreach (var file in Directory.GetFiles(folder, "*.vasp").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
        {
            var m = NumberedPoscar().Match(file);
            if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k > 0)
                numbers.Add(k);
            else
                ignored.Add(file);
        }
        if (ignored.Count > 0)
            notes.Add($"{group}: ignored {string.Join(", ", ignored)} (structures are 1.vasp, 2.vasp, …; E0.data line N is N.vasp)");
        numbers.Sort();
        var last = numbers.Count == 0 ? 0 : numbers[^1];
        for (var k = 1; k <= last; k++)
            if (numbers[k - 1] != k)
                throw new DataFormatException(Path.Combine(folder, $"{k}.vasp"), null,
                    $"missing: the folder has {last}.vasp but no {k}.vasp; structures must be numbered 1 … N without gaps");

        var structures = new List<Structure>(last);
        for (var k = 1; k <= last; k++)
        {
            var s = Poscar.Read(Path.Combine(folder, $"{k}.vasp"));
            s.Name = $"{group}/{k}";
            s.Group = group;
            structures.Add(s);
        }
        return structures;
    }

    /// <summary>
    /// Checks one structure's F_coord rows against its POSCAR positions, as Cartesian or as fractional coordinates
    /// (modulo lattice vectors); returns which one matched.
    /// </summary>
    private static string CheckCoordinates(string path, Structure s, List<Row> rows, int start)
    {
        var cartesianMiss = FirstMismatch(s, rows, start, fractional: false);
        if (cartesianMiss < 0) return "Cartesian";
        var fractionalMiss = FirstMismatch(s, rows, start, fractional: true);
        if (fractionalMiss < 0) return "fractional";
        // Report the row where the reading that got further (usually the right one) first fails.
        var i = Math.Max(cartesianMiss, fractionalMiss);
        var row = rows[start + i];
        var p = s.Positions[i];
        throw new DataFormatException(path, row.Line, FormattableString.Invariant(
            $"coordinates ({row.Values[0]} {row.Values[1]} {row.Values[2]}) do not match atom {i + 1} of {s.Name} ") +
            FormattableString.Invariant($"at ({p.X:F5} {p.Y:F5} {p.Z:F5}) Å, neither as Cartesian nor as fractional coordinates (tolerance {CoordinateTolerance} Å)"));
    }

    private static int FirstMismatch(Structure s, List<Row> rows, int start, bool fractional)
    {
        var cell = s.Cell;
        for (var i = 0; i < s.Count; i++)
        {
            var v = rows[start + i].Values;
            var r = new Vec3(v[0], v[1], v[2]);
            if (fractional) r = cell.ToCartesian(r);
            var f = cell.ToFractional(r - s.Positions[i]);
            var d = cell.ToCartesian(new Vec3(f.X - Math.Round(f.X), f.Y - Math.Round(f.Y), f.Z - Math.Round(f.Z)));
            if (d.Length > CoordinateTolerance) return i;
        }
        return -1;
    }

    private static void CheckSameForces(string path, List<Row> rows, int first, Vec3[] expected, Vec3[] found)
    {
        for (var i = 0; i < found.Length; i++)
            for (var k = 0; k < 3; k++)
                if (Math.Abs(found[i][k] - expected[i][k]) > 1e-6 * (1 + Math.Abs(expected[i][k])))
                    throw new DataFormatException(path, rows[first + 3 * i + k].Line, FormattableString.Invariant(
                        $"force component {found[i][k]} disagrees with {CoordForceFile} ({expected[i][k]})"));
    }

    private static string AtomEnergyNote(string group, List<Structure> structures, List<Row> rows)
    {
        var worst = 0.0;
        var start = 0;
        foreach (var s in structures)
        {
            var sum = 0.0;
            for (var i = 0; i < s.Count; i++) sum += rows[start + i].Values[6];
            worst = Math.Max(worst, Math.Abs(sum - s.Energy!.Value));
            start += s.Count;
        }
        return FormattableString.Invariant(
            $"{group}: {CoordForceFile} column 7 (per-atom energies, not kept) sums to {EnergyFile} within {worst:G2} eV");
    }

    private sealed record Row(int Line, double[] Values);

    private static readonly char[] Separators = [' ', '\t', ','];

    /// <summary>Rows of numbers (space-, tab- or comma-separated); blank lines only at the end.</summary>
    private static List<Row> ReadRows(string path)
    {
        var lines = InputFile.Guard(path, () => File.ReadAllLines(path));
        var last = lines.Length - 1;
        while (last >= 0 && string.IsNullOrWhiteSpace(lines[last])) last--;
        var rows = new List<Row>(last + 1);
        for (var i = 0; i <= last; i++)
        {
            var tokens = lines[i].Split(Separators, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0)
                throw new DataFormatException(path, i + 1, "empty line (rows are matched to structures and atoms by position)");
            var values = new double[tokens.Length];
            for (var k = 0; k < tokens.Length; k++)
                if (!Poscar.TryParseNumber(tokens[k], out values[k]))
                    throw new DataFormatException(path, i + 1, $"'{tokens[k]}' (column {k + 1}) is not a finite number");
            rows.Add(new Row(i + 1, values));
        }
        return rows;
    }

    private static void RequireColumns(string path, List<Row> rows, params int[] allowed)
    {
        if (rows.Count == 0) return;
        var first = rows[0].Values.Length;
        if (!allowed.Contains(first))
            throw new DataFormatException(path, rows[0].Line, $"{first} columns; expected {string.Join(" or ", allowed)}");
        foreach (var r in rows)
            if (r.Values.Length != first)
                throw new DataFormatException(path, r.Line, $"{r.Values.Length} columns, but line {rows[0].Line} has {first}");
    }

    private static void RequireRowCount(string path, List<Row> rows, int expected, string forWhat)
    {
        if (rows.Count < expected)
        {
            var line = rows.Count == 0 ? 1 : rows[^1].Line + 1;
            throw new DataFormatException(path, line, $"file ends after {rows.Count} rows; expected {expected} for {forWhat}");
        }
        if (rows.Count > expected)
            throw new DataFormatException(path, rows[expected].Line, $"extra row: only {expected} expected for {forWhat}");
    }
}
