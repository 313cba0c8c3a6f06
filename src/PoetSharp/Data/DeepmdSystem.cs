using System.Globalization;
using PoetSharp.Atoms;

namespace PoetSharp.Data;

/// <summary>
/// DeePMD-kit systems (the <c>deepmd/npy</c> and <c>deepmd/raw</c> formats of DeePMD-kit and dpdata): a system folder
/// holds <c>type.raw</c> (one integer type per atom, 0-based), optionally <c>type_map.raw</c> (element symbols, one a
/// line: line k names type k) and frames in <c>set.*</c> folders, each with <c>box</c> (frames × 9: the cell vectors
/// a, b, c row by row, Å), <c>coord</c> (frames × 3·atoms, Cartesian Å), <c>energy</c> (frames, total eV),
/// <c>force</c> (frames × 3·atoms, eV/Å) and <c>virial</c> (frames × 9, eV) as <c>.npy</c> arrays or as <c>.raw</c>
/// text (one frame a line). The raw layout may also keep the <c>.raw</c> files at the system's root, without sets.
/// A folder of systems (found at any depth) reads as one data set, one group per system, named by the system's path
/// relative to that folder; frames are named "group/set.000/index" (0-based within the set).
/// </summary>
/// <remarks>
/// <para>Sign of the virial. DeePMD-kit's documentation (doc/data/system.md) gives the virial in eV in the order
/// XX XY XZ YX YY YZ ZX ZY ZZ but no sign; the convention is the one dpdata writes: it converts VASP's stress
/// ("in kB", compression positive) as virial = stress_kB · V · 10³ / 1.602176621·10⁶, i.e. virial = −σ·V with σ
/// tensile positive (ASE's convention), so the reader stores σ = −virial / V. The LGPS data of Huang et al. (2021) in
/// the shared data agree: in every one of its 16 systems with virials, the pressure tr(virial)/(3V) falls as the
/// volume grows (correlation −0.20 … −0.59 over the NPT frames), which the opposite sign would reverse.</para>
/// <para>Element names: DeePMD allows any names in type_map.raw; here each must be an element symbol. A type map given
/// by the caller replaces type_map.raw; with neither, reading stops ("no type_map.raw; give a type map"). Structures
/// are periodic in all three directions; a system marked non-periodic (a <c>nopbc</c> file) is refused. Every value
/// must be finite; the counts must agree (3·atoms coordinates and forces, 9 box and virial numbers, the same number
/// of frames in every file of a set).</para>
/// </remarks>
public static class DeepmdSystem
{
    public const string TypeFile = "type.raw";
    public const string TypeMapFile = "type_map.raw";

    /// <summary>True when the folder is a DeePMD system (it has type.raw).</summary>
    public static bool IsSystem(string folder) => File.Exists(Path.Combine(folder, TypeFile));

    /// <summary>True when some folder below <paramref name="folder"/> (not the folder itself) is a DeePMD system.</summary>
    public static bool ContainsSystems(string folder) => Directory.Exists(folder) && FindSystems(folder).Count > 0;

    /// <summary>Reads a DeePMD system, or a folder of systems (one group per system).</summary>
    /// <param name="typeMap">Element symbols by type index (replaces type_map.raw); null to use each system's type_map.raw.</param>
    public static Dataset Read(string path, IReadOnlyList<string>? typeMap = null)
    {
        if (!Directory.Exists(path))
            throw new DataFormatException(path, null, File.Exists(path) ? "is a file, not a DeePMD system folder" : "no such folder");
        if (typeMap != null) CheckGivenTypeMap(path, typeMap);

        var notes = new List<string>();
        List<Structure> structures;
        if (IsSystem(path))
        {
            var group = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)));
            structures = ReadSystem(path, group, typeMap, notes);
        }
        else
        {
            var systems = FindSystems(path);
            if (systems.Count == 0)
                throw new DataFormatException(path, null, $"not a DeePMD system: it has no {TypeFile}, and no folder below it has one");
            structures = new List<Structure>();
            foreach (var system in systems)
            {
                var group = Path.GetRelativePath(path, system).Replace(Path.DirectorySeparatorChar, '/');
                structures.AddRange(ReadSystem(system, group, typeMap, notes));
            }
        }
        var data = new Dataset(structures, path);
        data.Notes.Add(typeMap != null
            ? $"DeePMD types mapped by the given type map: {MapText(typeMap)}"
            : $"DeePMD types mapped by each system's {TypeMapFile}");
        data.Notes.AddRange(notes);
        return data;
    }

    private static string MapText(IReadOnlyList<string> map) => string.Join(", ", map.Select((s, k) => $"{k} = {s}"));

    private static void CheckGivenTypeMap(string path, IReadOnlyList<string> typeMap)
    {
        if (typeMap.Count == 0) throw new DataFormatException(path, null, "the given type map is empty");
        foreach (var s in typeMap)
            if (!Elements.IsKnown(s))
                throw new DataFormatException(path, null, $"the given type map names an unknown element '{s}' (expected element symbols such as Li,Ge,P,S)");
    }

    /// <summary>System folders below <paramref name="root"/> in ordinal order of their relative paths; a system's own subfolders are not searched.</summary>
    private static List<string> FindSystems(string root)
    {
        var found = new List<string>();
        void Walk(string folder)
        {
            string[] subs;
            try
            {
                subs = Directory.GetDirectories(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DataFormatException(folder, null, "cannot list the folder: " + e.Message, e);
            }
            foreach (var sub in subs.OrderBy(Path.GetFileName, StringComparer.Ordinal))
            {
                if (IsSystem(sub)) found.Add(sub);
                else Walk(sub);
            }
        }
        Walk(root);
        return found;
    }

    private static List<Structure> ReadSystem(string folder, string group, IReadOnlyList<string>? givenMap, List<string> notes)
    {
        var nopbc = Path.Combine(folder, "nopbc");
        if (File.Exists(nopbc))
            throw new DataFormatException(nopbc, null, "non-periodic DeePMD systems (a 'nopbc' file) are not supported: structures are read as periodic cells");

        var typePath = Path.Combine(folder, TypeFile);
        var types = ReadTypes(typePath);
        var mapPath = Path.Combine(folder, TypeMapFile);
        IReadOnlyList<string> map;
        string mapSource;
        if (givenMap != null)
        {
            map = givenMap;
            mapSource = "the given type map";
        }
        else if (File.Exists(mapPath))
        {
            map = ReadTypeMap(mapPath);
            mapSource = TypeMapFile;
        }
        else
            throw new DataFormatException(typePath, null,
                $"no {TypeMapFile}; give a type map (element symbols by type index, e.g. --type-map Li,Ge,P,S)");

        var species = new string[types.Count];
        for (var i = 0; i < types.Count; i++)
        {
            var (t, line) = types[i];
            if (t >= map.Count)
                throw new DataFormatException(typePath, line,
                    $"type {t} of atom {i + 1} is out of range: {mapSource} has {map.Count} types (0–{map.Count - 1}: {string.Join(" ", map)})");
            species[i] = map[t];
        }
        var n = species.Length;

        var sets = Directory.GetDirectories(folder, "set.*").OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList();
        var rootRaw = sets.Count == 0 && (File.Exists(Path.Combine(folder, "coord.raw")) || File.Exists(Path.Combine(folder, "box.raw")));
        if (sets.Count == 0 && !rootRaw)
            throw new DataFormatException(folder, null, "no set.* folders (and no coord.raw at the system's root): the system has no frames");
        if (rootRaw) sets.Add(folder);

        var structures = new List<Structure>();
        var formats = new SortedSet<string>(StringComparer.Ordinal);
        var labelSets = new Dictionary<string, int> { ["energy"] = 0, ["force"] = 0, ["virial"] = 0 };
        foreach (var set in sets)
        {
            var setName = rootRaw ? null : Path.GetFileName(set);
            var coord = ReadTable(set, "coord", 3 * n, $"3 × {n} atoms", required: true)!;
            var box = ReadTable(set, "box", 9, "9 (a, b, c)", required: true)!;
            var energy = ReadTable(set, "energy", 1, "1", required: false);
            var force = ReadTable(set, "force", 3 * n, $"3 × {n} atoms", required: false);
            var virial = ReadTable(set, "virial", 9, "9", required: false);
            var frames = coord.Frames;
            foreach (var t in new[] { box, energy, force, virial })
            {
                if (t == null) continue;
                formats.Add(t.Format);
                if (t.Frames != frames)
                    throw new DataFormatException(t.Path, t.Raw ? Math.Min(t.Frames, frames) + 1 : null,
                        $"{t.Frames} frames, but {Path.GetFileName(coord.Path)} has {frames}");
            }
            formats.Add(coord.Format);
            if (energy != null) labelSets["energy"]++;
            if (force != null) labelSets["force"]++;
            if (virial != null) labelSets["virial"]++;

            for (var f = 0; f < frames; f++)
            {
                var b = box.Row(f);
                Cell cell;
                try
                {
                    cell = new Cell(new Vec3(b[0], b[1], b[2]), new Vec3(b[3], b[4], b[5]), new Vec3(b[6], b[7], b[8]));
                }
                catch (ArgumentException e)
                {
                    throw new DataFormatException(box.Path, box.LineOf(f), $"frame {f}: {e.Message}");
                }
                var c = coord.Row(f);
                var positions = new Vec3[n];
                for (var i = 0; i < n; i++) positions[i] = new Vec3(c[3 * i], c[3 * i + 1], c[3 * i + 2]);
                var name = setName == null ? $"{group}/{f}" : $"{group}/{setName}/{f}";
                var s = new Structure(cell, positions, (string[])species.Clone(), name, group);
                if (energy != null) s.Energy = energy.Row(f)[0];
                if (force != null)
                {
                    var r = force.Row(f);
                    var forces = new Vec3[n];
                    for (var i = 0; i < n; i++) forces[i] = new Vec3(r[3 * i], r[3 * i + 1], r[3 * i + 2]);
                    s.Forces = forces;
                }
                if (virial != null)
                    // virial = −σ·V (dpdata's convention, see the remarks): σ (tensile positive) = −virial / V.
                    s.Stress = (-1.0 / cell.Volume) * Stress.FromMatrix(virial.Row(f));
                structures.Add(s);
            }
        }

        var m = sets.Count;
        string Label(string key, string what) =>
            labelSets[key] == m ? what : labelSets[key] == 0 ? $"no {what}" : $"{what} in {labelSets[key]} of {m} sets";
        notes.Add($"{group}: {structures.Count} frames of {n} atoms in {(rootRaw ? "the system's root (raw)" : $"{m} set{(m == 1 ? "" : "s")}")} " +
                  $"({string.Join(", ", formats)}); types by {mapSource}; {Label("energy", "energies")}, {Label("force", "forces")}, " +
                  (labelSets["virial"] == 0 ? "no virial (no stress)" : Label("virial", "stress from the virial (σ = −virial/V)")));
        return structures;
    }

    private static List<(int Type, int Line)> ReadTypes(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, null, "no such file (a DeePMD system needs type.raw)");
        var lines = InputFile.Guard(path, () => File.ReadAllLines(path));
        var types = new List<(int, int)>();
        for (var i = 0; i < lines.Length; i++)
            foreach (var token in lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                    throw new DataFormatException(path, i + 1, $"'{token}' is not an atom type (a non-negative integer)");
                types.Add((t, i + 1));
            }
        if (types.Count == 0) throw new DataFormatException(path, null, "no atom types: the file is empty");
        return types;
    }

    private static List<string> ReadTypeMap(string path)
    {
        var lines = InputFile.Guard(path, () => File.ReadAllLines(path));
        var map = new List<string>();
        for (var i = 0; i < lines.Length; i++)
            foreach (var token in lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!Elements.IsKnown(token))
                    throw new DataFormatException(path, i + 1,
                        $"unknown element '{token}' (type {map.Count}); give a type map of element symbols to replace this file");
                map.Add(token);
            }
        if (map.Count == 0) throw new DataFormatException(path, null, "no element names: the file is empty");
        return map;
    }

    /// <summary>One quantity of a set: <see cref="Frames"/> rows of <see cref="Width"/> values.</summary>
    private sealed record Table(string Path, bool Raw, string Format, int Frames, int Width, double[] Values)
    {
        public ReadOnlySpan<double> Row(int f) => Values.AsSpan(f * Width, Width);
        public int? LineOf(int f) => Raw ? f + 1 : null;
    }

    private static Table? ReadTable(string folder, string name, int width, string widthText, bool required)
    {
        var npy = Path.Combine(folder, name + ".npy");
        var raw = Path.Combine(folder, name + ".raw");
        Table table;
        if (File.Exists(npy)) table = FromNpy(npy, width, widthText);
        else if (File.Exists(raw)) table = FromRaw(raw, width, widthText);
        else if (required) throw new DataFormatException(npy, null, $"no such file (nor {name}.raw): a DeePMD set needs {name}");
        else return null;
        for (var k = 0; k < table.Values.Length; k++)
            if (!double.IsFinite(table.Values[k]))
                throw new DataFormatException(table.Path, table.LineOf(k / width),
                    FormattableString.Invariant($"frame {k / width}, value {k % width + 1}: {table.Values[k]} is not a finite number"));
        return table;
    }

    private static Table FromNpy(string path, int width, string widthText)
    {
        var a = NpyFile.Read(path);
        var total = a.Values.Length;
        if (a.Shape.Length >= 2)
        {
            long rest = 1;
            for (var k = 1; k < a.Shape.Length; k++) rest *= a.Shape[k];
            if (rest != width)
                throw new DataFormatException(path, null,
                    $"shape {NpyFile.ShapeText(a.Shape)} has {rest} values per frame; expected {width} ({widthText})");
        }
        else if (total % width != 0 || (a.Shape.Length == 0 && width != 1))
            throw new DataFormatException(path, null,
                $"shape {NpyFile.ShapeText(a.Shape)}: {total} values are not a whole number of frames of {width} ({widthText})");
        if (total == 0) throw new DataFormatException(path, null, $"no frames (shape {NpyFile.ShapeText(a.Shape)})");
        var format = a.Dtype switch { "<f4" => "npy float32", "<f8" => "npy float64", "<i4" => "npy int32", _ => "npy int64" };
        return new Table(path, false, format, total / width, width, a.Values);
    }

    private static Table FromRaw(string path, int width, string widthText)
    {
        var lines = InputFile.Guard(path, () => File.ReadAllLines(path));
        var last = lines.Length - 1;
        while (last >= 0 && string.IsNullOrWhiteSpace(lines[last])) last--;
        if (last < 0) throw new DataFormatException(path, null, "no frames: the file is empty");
        var values = new double[(last + 1) * width];
        for (var i = 0; i <= last; i++)
        {
            var tokens = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length != width)
                throw new DataFormatException(path, i + 1,
                    $"{tokens.Length} values; expected {width} ({widthText}) per line, one frame a line");
            for (var k = 0; k < width; k++)
                if (!Poscar.TryParseNumber(tokens[k], out values[i * width + k]))
                    throw new DataFormatException(path, i + 1, $"'{tokens[k]}' (column {k + 1}) is not a finite number");
        }
        return new Table(path, true, "raw", last + 1, width, values);
    }
}
