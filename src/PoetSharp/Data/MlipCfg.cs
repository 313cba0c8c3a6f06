using System.Globalization;
using System.Text;
using PoetSharp.Atoms;

namespace PoetSharp.Data;

/// <summary>
/// MLIP's configuration files (.cfg, the training-set format of MLIP-2/MLIP-3 and its MTP potentials): any number of
/// <c>BEGIN_CFG</c> … <c>END_CFG</c> blocks with the fields <c>Size</c> (atoms), <c>Supercell</c> (0–3 lattice vectors
/// in Å, one a line; the missing ones are non-periodic directions), <c>AtomData:</c> (a header naming the columns,
/// then one row per atom), <c>Energy</c> (total, eV), <c>PlusStress:</c> (a header naming six components, then the
/// values, eV) and <c>Feature</c> lines (a key and a free value).
/// </summary>
/// <remarks>
/// <para>AtomData columns are found by name, in any order: <c>id</c> (optional; 1, 2, 3 … as MLIP requires),
/// <c>type</c> (0-based integer, required), <c>cartes_x/y/z</c> (Å) or <c>direct_x/y/z</c> (fractional, needs three
/// Supercell vectors), optionally <c>fx/fy/fz</c> (eV/Å), and MLIP's <c>site_en</c> and <c>charge</c>, which are not
/// kept (a note says so). Any other column is an error.</para>
/// <para>Sign of PlusStress. MLIP stores the virial in eV, −σ·V with σ tensile positive: its OUTCAR reader
/// (Configuration::LoadNextFromOUTCAR in MLIP's configuration.cpp) copies VASP's "FORCE on cell =-STRESS … Total" row
/// (eV, the same sign as VASP's compression-positive "in kB" row) into the stresses it saves as PlusStress, and its
/// PROFESS reader multiplies the Cauchy stress in GPa by −V / 160.2. So the reader stores σ = −PlusStress / V (and a
/// PlusStress needs three Supercell vectors for V). MLIP's deprecated "Stress:" (negated) and "Virial:" fields are
/// refused rather than guessed at.</para>
/// <para>Species. The file holds integer types only. A type map given by the caller (element symbols by type index)
/// names them; without one, the reader uses a configuration's <c>Feature species Li Ge P S</c> line, which
/// <see cref="Write(string, IEnumerable{Structure})"/> writes (no standard exists; MLIP keeps unknown features as
/// they are, so such files still work with MLIP); with neither, reading stops. <see cref="Write(string, IEnumerable{Structure})"/>
/// numbers the species in the order they first appear in the data set, and also writes <c>Feature name</c>,
/// <c>Feature group</c> and, when not 1, <c>Feature weight</c>, which the reader uses for the structure's name, group and
/// weight (otherwise "stem/index" and the file's stem). Other features are listed in the data set's notes.</para>
/// </remarks>
public static class MlipCfg
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Dataset Read(string path, IReadOnlyList<string>? typeMap = null)
    {
        var text = InputFile.ReadAllText(path, "an MLIP .cfg file");
        return Parse(text, path, Path.GetFileNameWithoutExtension(path), typeMap);
    }

    /// <summary>Parses .cfg text; <paramref name="source"/> names it in messages, <paramref name="stem"/> is the default group and name prefix.</summary>
    public static Dataset Parse(string text, string source, string stem, IReadOnlyList<string>? typeMap = null)
    {
        if (typeMap != null)
        {
            if (typeMap.Count == 0) throw new DataFormatException(source, null, "the given type map is empty");
            foreach (var s in typeMap)
                if (!Elements.IsKnown(s))
                    throw new DataFormatException(source, null, $"the given type map names an unknown element '{s}' (expected element symbols such as Li,Ge,P,S)");
        }
        var lines = text.Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0) lines = lines[..^1]; // the newline that ends the last line
        var parser = new Parser(source, stem, lines, typeMap);
        var structures = parser.ReadAll();
        if (structures.Count == 0) throw new DataFormatException(source, null, "no configurations (no BEGIN_CFG)");
        var data = new Dataset(structures, source);
        data.Notes.AddRange(parser.Notes());
        return data;
    }

    private sealed class Parser(string source, string stem, string[] lines, IReadOnlyList<string>? givenMap)
    {
        private int _next; // index of the next line to read
        private int _index; // configuration index
        private int _withStress;
        private int _fromSpecies;
        private readonly Dictionary<string, int> _features = new(StringComparer.Ordinal);
        private readonly SortedSet<string> _droppedColumns = new(StringComparer.Ordinal);
        private int _overriddenSpecies;

        private DataFormatException Error(int line, string reason) => new(source, line, reason);

        private static string[] Tokens(string line) => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

        /// <summary>The next non-blank line (1-based number and tokens), or null at the end of the file.</summary>
        private (int Line, string[] Tokens)? NextLine()
        {
            while (_next < lines.Length)
            {
                var t = Tokens(lines[_next++]);
                if (t.Length > 0) return (_next, t);
            }
            return null;
        }

        private (int Line, string[] Tokens)? PeekLine()
        {
            var save = _next;
            var l = NextLine();
            _next = save;
            return l;
        }

        public List<Structure> ReadAll()
        {
            var result = new List<Structure>();
            while (NextLine() is var (line, tokens))
            {
                if (tokens[0] != "BEGIN_CFG") throw Error(line, $"expected BEGIN_CFG, found '{tokens[0]}'");
                result.Add(ReadConfiguration(line));
                _index++;
            }
            return result;
        }

        public IEnumerable<string> Notes()
        {
            if (givenMap != null) yield return $"MLIP types mapped by the given type map: {string.Join(", ", givenMap.Select((s, k) => $"{k} = {s}"))}";
            if (_fromSpecies > 0) yield return $"MLIP types mapped by the configurations' 'Feature species' line ({_fromSpecies} configurations)";
            if (_overriddenSpecies > 0) yield return $"{_overriddenSpecies} configurations carry a 'Feature species' line that the given type map replaced";
            if (_withStress > 0) yield return $"PlusStress read in {_withStress} configurations as the virial in eV (−σ·V): σ = −PlusStress / V, eV/Å³ tensile positive";
            foreach (var c in _droppedColumns) yield return $"AtomData column '{c}' is not kept";
            foreach (var (feature, count) in _features.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                yield return $"Feature {feature} ({count} configurations; not used)";
        }

        private Structure ReadConfiguration(int beginLine)
        {
            int? size = null;
            var lattice = new List<Vec3>();
            var supercellSeen = false;
            string[]? columns = null;
            int columnsLine = 0;
            List<(int Line, double[] Values)>? rows = null;
            double? energy = null;
            double[]? plus = null; // xx yy zz yz xz xy
            int plusLine = 0;
            string[]? fileSpecies = null;
            int speciesLine = 0;
            string? name = null, group = null;
            double? weight = null;

            while (true)
            {
                if (NextLine() is not var (line, t))
                    throw new DataFormatException(source, lines.Length, $"the file ends inside the configuration that begins on line {beginLine} (no END_CFG)");
                switch (t[0])
                {
                    case "END_CFG":
                        return Build(beginLine, line, size, lattice, columns, columnsLine, rows, energy, plus, plusLine,
                            fileSpecies, speciesLine, name, group, weight);
                    case "BEGIN_CFG":
                        throw Error(line, $"BEGIN_CFG inside the configuration that begins on line {beginLine} (missing END_CFG)");
                    case "Size":
                    {
                        if (size != null) throw Error(line, "a second Size");
                        var (vl, value) = ValueAfter(line, t, "Size");
                        if (!int.TryParse(value, NumberStyles.None, Inv, out var n) || n <= 0)
                            throw Error(vl, $"Size '{value}' is not a positive integer");
                        size = n;
                        break;
                    }
                    case var s when s.Equals("Supercell", StringComparison.OrdinalIgnoreCase):
                        if (supercellSeen) throw Error(line, "a second Supercell");
                        supercellSeen = true;
                        if (t.Length > 1) throw Error(line, "Supercell vectors go on the following lines");
                        while (PeekLine() is var (_, pt) && IsNumberLike(pt[0]))
                        {
                            var (rowLine, rt) = NextLine()!.Value;
                            if (lattice.Count == 3) throw Error(rowLine, "more than 3 Supercell vectors");
                            lattice.Add(Vector(rowLine, rt, "Supercell vector"));
                        }
                        if (lattice.Count == 0) throw Error(line, "Supercell without vectors (omit the field for a non-periodic configuration)");
                        break;
                    case "AtomData:":
                    {
                        if (columns != null) throw Error(line, "a second AtomData");
                        if (size is not int n) throw Error(line, "AtomData before Size: the number of atom rows is not known");
                        columns = t[1..];
                        columnsLine = line;
                        if (columns.Length == 0) throw Error(line, "AtomData: without column names");
                        rows = new List<(int, double[])>(n);
                        for (var i = 0; i < n; i++)
                        {
                            if (NextLine() is not var (rl, rt))
                                throw new DataFormatException(source, lines.Length, $"the file ends after {i} of {n} AtomData rows (Size {n})");
                            if (!IsNumberLike(rt[0]))
                                throw Error(rl, $"AtomData has {i} rows but Size is {n} (found '{rt[0]}')");
                            if (rt.Length != columns.Length)
                                throw Error(rl, $"{rt.Length} values, but AtomData names {columns.Length} columns ({string.Join(" ", columns)})");
                            var values = new double[rt.Length];
                            for (var k = 0; k < rt.Length; k++)
                                if (!Poscar.TryParseNumber(rt[k], out values[k]))
                                    throw Error(rl, $"'{rt[k]}' ({columns[k]}) is not a finite number");
                            rows.Add((rl, values));
                        }
                        if (PeekLine() is var (xl, xt) && IsNumberLike(xt[0]))
                            throw Error(xl, $"more AtomData rows than Size ({n})");
                        break;
                    }
                    case "Energy":
                    {
                        if (energy != null) throw Error(line, "a second Energy");
                        var (vl, value) = ValueAfter(line, t, "Energy");
                        if (!Poscar.TryParseNumber(value, out var e)) throw Error(vl, $"Energy '{value}' is not a finite number");
                        energy = e;
                        break;
                    }
                    case "PlusStress:":
                    {
                        if (plus != null) throw Error(line, "a second PlusStress");
                        var names = t[1..];
                        var order = new[] { "xx", "yy", "zz", "yz", "xz", "xy" };
                        if (names.Length != 6 || names.Distinct().Count() != 6 || names.Any(c => !order.Contains(c)))
                            throw Error(line, $"PlusStress: must name the six components xx yy zz yz xz xy (in any order), found '{string.Join(" ", names)}'");
                        if (NextLine() is not var (vl, vt)) throw new DataFormatException(source, lines.Length, "the file ends after the PlusStress header");
                        if (vt.Length != 6) throw Error(vl, $"{vt.Length} PlusStress values; expected 6");
                        plus = new double[6];
                        for (var k = 0; k < 6; k++)
                        {
                            if (!Poscar.TryParseNumber(vt[k], out var v)) throw Error(vl, $"PlusStress {names[k]} '{vt[k]}' is not a finite number");
                            plus[Array.IndexOf(order, names[k])] = v;
                        }
                        plusLine = vl;
                        break;
                    }
                    case "Stress:" or "Virial:":
                        throw Error(line, $"'{t[0]}' is MLIP's deprecated stress field; only PlusStress: (the virial in eV) is read");
                    case "Feature":
                    {
                        if (t.Length < 2) throw Error(line, "Feature without a name");
                        var key = t[1];
                        var value = t[2..];
                        switch (key)
                        {
                            case "species":
                                if (value.Length == 0) throw Error(line, "Feature species without element symbols");
                                foreach (var sym in value)
                                    if (!Elements.IsKnown(sym)) throw Error(line, $"Feature species names an unknown element '{sym}'");
                                fileSpecies = value;
                                speciesLine = line;
                                break;
                            case "name":
                                name = string.Join(" ", value);
                                break;
                            case "group":
                                group = string.Join(" ", value);
                                break;
                            case "weight":
                                if (value.Length != 1 || !Poscar.TryParseNumber(value[0], out var w) || w < 0)
                                    throw Error(line, $"Feature weight '{string.Join(" ", value)}' is not a non-negative number");
                                weight = w;
                                break;
                            default:
                                var text = (key + " " + string.Join(" ", value)).Trim();
                                _features[text] = _features.GetValueOrDefault(text) + 1;
                                break;
                        }
                        break;
                    }
                    default:
                        throw Error(line, $"unknown field '{t[0]}' (expected Size, Supercell, AtomData:, Energy, PlusStress:, Feature or END_CFG)");
                }
            }
        }

        private static bool IsNumberLike(string token) =>
            token.Length > 0 && (char.IsAsciiDigit(token[0]) || token[0] is '-' or '+' or '.') || token.StartsWith("nan", StringComparison.OrdinalIgnoreCase)
            || token.StartsWith("inf", StringComparison.OrdinalIgnoreCase);

        /// <summary>A field's value: the rest of its line, else the next non-blank line (one token).</summary>
        private (int Line, string Value) ValueAfter(int line, string[] t, string field)
        {
            if (t.Length == 2) return (line, t[1]);
            if (t.Length > 2) throw Error(line, $"{field} takes one value");
            if (NextLine() is not var (vl, vt)) throw new DataFormatException(source, lines.Length, $"the file ends after {field}");
            if (vt.Length != 1) throw Error(vl, $"{field} takes one value, found {vt.Length}");
            return (vl, vt[0]);
        }

        private Vec3 Vector(int line, string[] t, string what)
        {
            if (t.Length != 3) throw Error(line, $"{what} has {t.Length} numbers; expected 3");
            var v = new double[3];
            for (var k = 0; k < 3; k++)
                if (!Poscar.TryParseNumber(t[k], out v[k])) throw Error(line, $"'{t[k]}' in the {what} is not a finite number");
            return new Vec3(v[0], v[1], v[2]);
        }

        private Structure Build(int beginLine, int endLine, int? size, List<Vec3> lattice, string[]? columns, int columnsLine,
            List<(int Line, double[] Values)>? rows, double? energy, double[]? plus, int plusLine, string[]? fileSpecies,
            int speciesLine, string? name, string? group, double? weight)
        {
            if (size is not int n) throw Error(endLine, $"the configuration that begins on line {beginLine} has no Size");
            if (columns == null || rows == null) throw Error(endLine, $"the configuration that begins on line {beginLine} has no AtomData");

            int Column(string c)
            {
                var k = Array.IndexOf(columns, c);
                if (k >= 0 && Array.LastIndexOf(columns, c) != k) throw Error(columnsLine, $"AtomData column '{c}' appears twice");
                return k;
            }
            var known = new[] { "id", "type", "cartes_x", "cartes_y", "cartes_z", "direct_x", "direct_y", "direct_z", "fx", "fy", "fz", "site_en", "charge" };
            foreach (var c in columns)
                if (!known.Contains(c))
                    throw Error(columnsLine, $"unknown AtomData column '{c}' (known: {string.Join(" ", known)})");
            var id = Column("id");
            var type = Column("type");
            if (type < 0) throw Error(columnsLine, "AtomData has no 'type' column");
            int[] Triple(string a, string b, string c, string what)
            {
                var k = new[] { Column(a), Column(b), Column(c) };
                if (k.All(x => x < 0)) return [];
                if (k.Any(x => x < 0)) throw Error(columnsLine, $"AtomData has some but not all of {a} {b} {c} ({what})");
                return k;
            }
            var cart = Triple("cartes_x", "cartes_y", "cartes_z", "Cartesian positions");
            var direct = Triple("direct_x", "direct_y", "direct_z", "fractional positions");
            var force = Triple("fx", "fy", "fz", "forces");
            if (cart.Length == 0 && direct.Length == 0) throw Error(columnsLine, "AtomData has no positions (cartes_x/y/z or direct_x/y/z)");
            if (cart.Length > 0 && direct.Length > 0) throw Error(columnsLine, "AtomData has both cartes_ and direct_ positions");
            foreach (var c in new[] { "site_en", "charge" })
                if (Column(c) >= 0) _droppedColumns.Add(c);

            var periodic = lattice.Count;
            var vectors = new Vec3[3];
            for (var k = 0; k < 3; k++) vectors[k] = k < periodic ? lattice[k] : new Vec3(0, 0, 0);
            Cell cell;
            try
            {
                cell = new Cell(vectors[0], vectors[1], vectors[2], periodic > 0, periodic > 1, periodic > 2);
            }
            catch (ArgumentException e)
            {
                throw Error(beginLine, $"Supercell: {e.Message}");
            }
            if (direct.Length > 0 && periodic < 3)
                throw Error(columnsLine, "fractional (direct_) positions need three Supercell vectors");

            IReadOnlyList<string>? map = givenMap;
            if (map == null && fileSpecies != null)
            {
                map = fileSpecies;
                _fromSpecies++;
            }
            else if (map != null && fileSpecies != null && !map.SequenceEqual(fileSpecies)) _overriddenSpecies++;
            if (map == null)
                throw Error(beginLine, "no type map: MLIP .cfg files store integer types only; give a type map (element symbols by type, e.g. --type-map Li,Ge,P,S)");
            var mapSource = givenMap != null ? "the given type map" : $"the Feature species line (line {speciesLine})";

            var species = new string[n];
            var positions = new Vec3[n];
            var forces = force.Length > 0 ? new Vec3[n] : null;
            for (var i = 0; i < n; i++)
            {
                var (rl, v) = rows[i];
                if (id >= 0 && v[id] != i + 1) throw Error(rl, FormattableString.Invariant($"id {v[id]}; expected {i + 1} (ids are 1, 2, 3, … in order)"));
                var tv = v[type];
                if (tv != Math.Floor(tv) || tv < 0)
                    throw Error(rl, FormattableString.Invariant($"type {tv} is not a non-negative integer"));
                if (tv >= map.Count)
                    throw Error(rl, FormattableString.Invariant($"type {tv} is out of range: {mapSource} has {map.Count} types (0–{map.Count - 1}: {string.Join(" ", map)})"));
                species[i] = map[(int)tv];
                positions[i] = cart.Length > 0
                    ? new Vec3(v[cart[0]], v[cart[1]], v[cart[2]])
                    : cell.ToCartesian(new Vec3(v[direct[0]], v[direct[1]], v[direct[2]]));
                if (forces != null) forces[i] = new Vec3(v[force[0]], v[force[1]], v[force[2]]);
            }

            var s = new Structure(cell, positions, species, name ?? $"{stem}/{_index}", group ?? stem)
            {
                Energy = energy,
                Forces = forces,
            };
            if (weight is double w) s.Weight = w;
            if (plus != null)
            {
                if (periodic < 3) throw Error(plusLine, "PlusStress needs three Supercell vectors (it is the virial, −σ·V, and V is not defined)");
                // PlusStress = −σ·V in eV (see the class remarks for the evidence): σ = −PlusStress / V.
                s.Stress = (-1.0 / cell.Volume) * new Stress(plus[0], plus[1], plus[2], plus[3], plus[4], plus[5]);
                _withStress++;
            }
            return s;
        }
    }

    /// <summary>
    /// Writes structures as MLIP configurations (Cartesian positions, forces and energy where known, PlusStress = −σ·V
    /// where a stress is known) and returns the species order used for the types (their first appearance).
    /// </summary>
    public static IReadOnlyList<string> Write(string path, IEnumerable<Structure> structures)
    {
        ArgumentNullException.ThrowIfNull(structures);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16);
        return Write(writer, structures);
    }

    public static IReadOnlyList<string> Write(TextWriter writer, IEnumerable<Structure> structures)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(structures);
        var list = structures.ToList();
        var species = list.SelectMany(s => s.Species).Distinct().ToList();
        var typeOf = species.Select((sp, k) => (sp, k)).ToDictionary(x => x.sp, x => x.k, StringComparer.Ordinal);
        writer.NewLine = "\n";
        foreach (var s in list)
        {
            var c = s.Cell;
            var periodic = c.PeriodicA ? c.PeriodicB ? c.PeriodicC ? 3 : 2 : 1 : 0;
            if ((!c.PeriodicA && (c.PeriodicB || c.PeriodicC)) || (!c.PeriodicB && c.PeriodicC))
                throw new ArgumentException($"{s}: an MLIP .cfg can only make the first 1, 2 or 3 cell vectors periodic; this cell is periodic along " +
                                            $"{(c.PeriodicA ? "a " : "")}{(c.PeriodicB ? "b " : "")}{(c.PeriodicC ? "c" : "")}".TrimEnd());
            if (s.Stress != null && periodic < 3)
                throw new ArgumentException($"{s}: has a stress but is not periodic in three directions; an MLIP PlusStress needs the volume");
            writer.WriteLine("BEGIN_CFG");
            writer.WriteLine(" Size");
            writer.WriteLine("    " + s.Count.ToString(Inv));
            if (periodic > 0)
            {
                writer.WriteLine(" Supercell");
                for (var k = 0; k < periodic; k++) writer.WriteLine("    " + Nums(c[k].X, c[k].Y, c[k].Z));
            }
            writer.WriteLine(" AtomData:  id type cartes_x cartes_y cartes_z" + (s.Forces != null ? " fx fy fz" : ""));
            for (var i = 0; i < s.Count; i++)
            {
                var p = s.Positions[i];
                var line = $"    {(i + 1).ToString(Inv)} {typeOf[s.Species[i]].ToString(Inv)} {Nums(p.X, p.Y, p.Z)}";
                if (s.Forces != null) line += " " + Nums(s.Forces[i].X, s.Forces[i].Y, s.Forces[i].Z);
                writer.WriteLine(line);
            }
            if (s.Energy is double e)
            {
                writer.WriteLine(" Energy");
                writer.WriteLine("    " + Num(e));
            }
            if (s.Stress is Stress t)
            {
                var v = -c.Volume;
                writer.WriteLine(" PlusStress:  xx yy zz yz xz xy");
                writer.WriteLine("    " + Nums(v * t.Xx, v * t.Yy, v * t.Zz, v * t.Yz, v * t.Xz, v * t.Xy));
            }
            writer.WriteLine(" Feature   species\t" + string.Join(' ', species));
            if (s.Name.Length > 0) writer.WriteLine(" Feature   name\t" + s.Name);
            if (s.Group.Length > 0) writer.WriteLine(" Feature   group\t" + s.Group);
            if (s.Weight != 1.0) writer.WriteLine(" Feature   weight\t" + Num(s.Weight));
            writer.WriteLine("END_CFG");
            writer.WriteLine();
        }
        return species;
    }

    private static string Num(double x) => x.ToString("R", Inv);
    private static string Nums(params double[] xs) => string.Join(' ', xs.Select(Num));
}
