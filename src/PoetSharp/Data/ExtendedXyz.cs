using System.Globalization;
using System.Text;
using PoetSharp.Atoms;

namespace PoetSharp.Data;

/// <summary>
/// Extended XYZ files as ASE (3.22) reads and writes them: per frame an atom count line, a comment line of
/// key=value pairs and one line per atom whose columns are described by <c>Properties=name:type:count:...</c>.
/// </summary>
/// <remarks>
/// Reading:
/// <list type="bullet">
/// <item><c>Lattice</c> (also <c>lattice</c>) holds the lattice vectors a, b, c one after the other (9 numbers);
/// <c>pbc</c> defaults to "T T T" with a lattice and "F F F" without one.</item>
/// <item>Species come from the <c>species</c> column (else the first one-column string column, else a <c>Z</c> column),
/// capitalised as ASE does ("CU" → "Cu"), and must agree with a <c>Z</c> column if there is one as well; positions from
/// <c>pos</c> (or <c>positions</c>); forces from <c>forces</c>, else <c>force</c>; all other columns are skipped.</item>
/// <item>Energy: <c>energy</c>; when a frame has none, <c>free_energy</c> is used instead (ASE stores both; VASP's
/// free energy is the force-consistent one, so it is the right target when it is all there is) and a note says so.</item>
/// <item>Stress: <c>stress</c> as 9 values (3×3) or 6 (Voigt xx yy zz yz xz xy), eV/Å³, ASE's sign (tensile positive);
/// else <c>virial</c> (9 or 6 values, eV) converted as stress = −virial / volume.</item>
/// <item>Group: <c>config_type</c>, else the file's name stem. Weight: <c>weight</c> or <c>config_weight</c>.
/// Name: <c>name</c>, else "stem/index" with the 0-based frame index (as ASE's <c>read(path, index)</c>).</item>
/// </list>
/// Every problem becomes a <see cref="DataFormatException"/> naming the file and line.
/// </remarks>
public static class ExtendedXyz
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Dataset Read(string path)
    {
        InputFile.RequireFile(path, "an extended XYZ file");
        return InputFile.Guard(path, () =>
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            return Read(reader, path, Path.GetFileNameWithoutExtension(path));
        });
    }

    /// <summary>Reads all frames from a text reader; <paramref name="source"/> names it in messages and <paramref name="stem"/> is the default group and name prefix.</summary>
    public static Dataset Read(TextReader reader, string source, string stem)
    {
        var frames = new FrameReader(reader, source, stem);
        var structures = new List<Structure>();
        while (frames.Next() is { } s) structures.Add(s);
        if (structures.Count == 0) throw new DataFormatException(source, null, "no frames (the file is empty)");
        var data = new Dataset(structures, source);
        if (frames.FreeEnergyFrames > 0)
            data.Notes.Add($"{frames.FreeEnergyFrames} of {structures.Count} frames have no 'energy'; their 'free_energy' was used");
        if (frames.VirialFrames > 0)
            data.Notes.Add($"{frames.VirialFrames} frames give a virial and no stress; stress = -virial/volume");
        if (frames.StressAndVirialFrames > 0)
            data.Notes.Add($"{frames.StressAndVirialFrames} frames give both stress and virial; the stress was used");
        return data;
    }

    public static void Write(string path, IEnumerable<Structure> structures)
    {
        ArgumentNullException.ThrowIfNull(structures);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16);
        Write(writer, structures);
    }

    /// <summary>
    /// Writes frames as ASE writes them: <c>Lattice</c>, <c>Properties=species:S:1:pos:R:3[:forces:R:3]</c>,
    /// <c>name</c>, <c>energy</c>, <c>stress</c> (9 values, eV/Å³, tensile positive), <c>config_type</c> (the group),
    /// <c>weight</c> (when not 1) and <c>pbc</c>; numbers in shortest round-trip form (full double precision).
    /// </summary>
    public static void Write(TextWriter writer, IEnumerable<Structure> structures)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(structures);
        writer.NewLine = "\n";
        var line = new StringBuilder(256);
        foreach (var s in structures)
        {
            CheckWritable(s);
            writer.WriteLine(s.Count.ToString(Inv));
            line.Clear();
            var c = s.Cell;
            line.Append("Lattice=\"");
            AppendNumbers(line, c.A.X, c.A.Y, c.A.Z, c.B.X, c.B.Y, c.B.Z, c.C.X, c.C.Y, c.C.Z);
            line.Append("\" Properties=species:S:1:pos:R:3");
            if (s.Forces != null) line.Append(":forces:R:3");
            if (s.Name.Length > 0) line.Append(" name=").Append(Quote(s.Name));
            if (s.Energy is double e) line.Append(" energy=").Append(Num(e));
            if (s.Stress is Stress t)
            {
                line.Append(" stress=\"");
                AppendNumbers(line, t.Xx, t.Xy, t.Xz, t.Xy, t.Yy, t.Yz, t.Xz, t.Yz, t.Zz);
                line.Append('"');
            }
            if (s.Group.Length > 0) line.Append(" config_type=").Append(Quote(s.Group));
            if (s.Weight != 1.0) line.Append(" weight=").Append(Num(s.Weight));
            line.Append(" pbc=\"").Append(c.PeriodicA ? 'T' : 'F').Append(' ').Append(c.PeriodicB ? 'T' : 'F')
                .Append(' ').Append(c.PeriodicC ? 'T' : 'F').Append('"');
            writer.WriteLine(line);
            for (var i = 0; i < s.Count; i++)
            {
                line.Clear();
                line.Append(s.Species[i].PadRight(2));
                var p = s.Positions[i];
                line.Append(' ');
                AppendNumbers(line, p.X, p.Y, p.Z);
                if (s.Forces != null)
                {
                    var f = s.Forces[i];
                    line.Append(' ');
                    AppendNumbers(line, f.X, f.Y, f.Z);
                }
                writer.WriteLine(line);
            }
        }
    }

    private static void CheckWritable(Structure s)
    {
        string Where() => s.Name.Length > 0 ? $"structure '{s.Name}'" : "a structure";
        if (s.Count == 0) throw new ArgumentException($"{Where()} has no atoms; extended XYZ readers would reject it");
        if (s.Positions.Any(p => !p.IsFinite)) throw new ArgumentException($"{Where()} has non-finite positions");
        if (s.Forces != null && s.Forces.Length != s.Count) throw new ArgumentException($"{Where()} has {s.Forces.Length} forces for {s.Count} atoms");
        if (s.Forces != null && s.Forces.Any(f => !f.IsFinite)) throw new ArgumentException($"{Where()} has non-finite forces");
        if (s.Energy is double e && !double.IsFinite(e)) throw new ArgumentException($"{Where()} has a non-finite energy");
        if (s.Stress is Stress t && !t.IsFinite) throw new ArgumentException($"{Where()} has a non-finite stress");
        if (!double.IsFinite(s.Weight)) throw new ArgumentException($"{Where()} has a non-finite weight");
        if (s.Name.Any(char.IsControl) || s.Group.Any(char.IsControl))
            throw new ArgumentException($"{Where()} has a line break or control character in its name or group");
    }

    private static string Num(double v) => v.ToString("R", Inv);

    private static void AppendNumbers(StringBuilder sb, params ReadOnlySpan<double> values)
    {
        for (var k = 0; k < values.Length; k++)
        {
            if (k > 0) sb.Append(' ');
            sb.Append(Num(values[k]));
        }
    }

    // Quotes a string value when ASE's parser would otherwise split or reinterpret it (whitespace, quotes,
    // brackets, '=', backslash); inside quotes, backslash and '"' are escaped with a backslash as ASE reads them.
    private static string Quote(string value)
    {
        var needs = value.Length == 0 || value.Any(ch => char.IsWhiteSpace(ch) || ch is '"' or '\'' or '{' or '}' or '[' or ']' or '=' or '\\');
        if (!needs) return value;
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var ch in value)
        {
            if (ch is '"' or '\\') sb.Append('\\');
            sb.Append(ch);
        }
        return sb.Append('"').ToString();
    }

    /// <summary>One column group of the Properties key.</summary>
    private readonly record struct Column(string Name, char Type, int Count, int Start);

    /// <summary>Reads frames one at a time, streaming lines.</summary>
    private sealed class FrameReader(TextReader reader, string source, string stem)
    {
        private int _line;
        private int _index;

        public int FreeEnergyFrames { get; private set; }
        public int VirialFrames { get; private set; }
        public int StressAndVirialFrames { get; private set; }

        private DataFormatException Error(int line, string reason) => new(source, line, reason);

        private string? NextLine()
        {
            var l = reader.ReadLine();
            if (l != null) _line++;
            return l;
        }

        public Structure? Next()
        {
            string? countLine;
            do
            {
                countLine = NextLine();
                if (countLine == null) return null;
            } while (string.IsNullOrWhiteSpace(countLine));

            var countLineNo = _line;
            if (countLine.AsSpan().TrimStart().StartsWith("VEC"))
                throw Error(countLineNo, "cell vectors given as VEC lines are not supported; give the cell as Lattice=\"...\"");
            if (!int.TryParse(countLine.AsSpan().Trim(), NumberStyles.None, Inv, out var n))
                throw Error(countLineNo, $"expected the number of atoms of frame {_index}, found '{Shorten(countLine)}'");
            if (n == 0) throw Error(countLineNo, $"frame {_index} has no atoms");

            var comment = NextLine() ?? throw Error(countLineNo, $"file ends after the atom count of frame {_index}: the comment line is missing");
            var commentLineNo = _line;
            var info = KeyValues.Parse(comment, msg => Error(commentLineNo, msg));

            var columns = ParseProperties(info.GetValueOrDefault("Properties") ?? "species:S:1:pos:R:3", commentLineNo);
            var totalColumns = columns.Sum(c => c.Count);
            var speciesCol = FindSpeciesColumn(columns, commentLineNo);
            var posCol = FindColumn(columns, "pos") ?? FindColumn(columns, "positions") ?? throw Error(commentLineNo, "Properties has no 'pos' column");
            CheckColumn(posCol, 'R', 3, commentLineNo);
            var forceCol = FindColumn(columns, "forces") ?? FindColumn(columns, "force");
            if (forceCol is { } fc) CheckColumn(fc, 'R', 3, commentLineNo);
            // ASE takes atomic numbers from Z over the symbols when a file has both; we insist that they agree.
            var zCol = speciesCol.Name != "Z" && FindColumn(columns, "Z") is { Type: 'I', Count: 1 } z ? z : (Column?)null;

            var cell = ReadCell(info, commentLineNo);

            var species = new string[n];
            var positions = new Vec3[n];
            var forces = forceCol != null ? new Vec3[n] : null;
            var starts = new int[totalColumns + 1];
            var ends = new int[totalColumns + 1];
            var previousSymbol = "";
            for (var i = 0; i < n; i++)
            {
                var text = NextLine() ?? throw Error(_line, $"frame {_index} ends after {i} of {n} atom lines (file truncated)");
                var lineNo = _line;
                var found = Tokenize(text, starts, ends);
                if (found != totalColumns)
                    throw Error(lineNo, found > totalColumns
                        ? $"more than {totalColumns} columns, but Properties gives {totalColumns}"
                        : $"{found} columns, but Properties gives {totalColumns}");
                var span = text.AsSpan();

                var symbol = span[starts[speciesCol.Start]..ends[speciesCol.Start]];
                // Atoms mostly repeat the previous symbol: share its string instead of allocating one per atom.
                if (i > 0 && symbol.SequenceEqual(previousSymbol)) species[i] = species[i - 1];
                else
                {
                    species[i] = speciesCol.Type == 'I' ? SymbolFromNumber(symbol, lineNo) : Capitalised(symbol, lineNo);
                    previousSymbol = symbol.ToString();
                }
                if (zCol is { } zc)
                {
                    var fromZ = SymbolFromNumber(span[starts[zc.Start]..ends[zc.Start]], lineNo);
                    if (fromZ != species[i])
                        throw Error(lineNo, $"species '{species[i]}' disagrees with Z = {span[starts[zc.Start]..ends[zc.Start]].ToString()} ({fromZ})");
                }
                positions[i] = ReadVec(span, starts, ends, posCol.Start, lineNo, "position");
                if (forces != null) forces[i] = ReadVec(span, starts, ends, forceCol!.Value.Start, lineNo, "force");
            }

            var name = info.GetValueOrDefault("name") ?? $"{stem}/{_index}";
            var group = info.GetValueOrDefault("config_type") ?? stem;
            Structure s;
            try
            {
                s = new Structure(cell, positions, species, name, group);
            }
            catch (ArgumentException e)
            {
                throw Error(commentLineNo, $"frame {_index}: {e.Message}");
            }
            s.Forces = forces;
            s.Energy = ReadEnergy(info, commentLineNo);
            s.Stress = ReadStress(info, cell, commentLineNo);
            if ((info.GetValueOrDefault("weight") ?? info.GetValueOrDefault("config_weight")) is { } w)
            {
                var weight = ParseNumber(w, commentLineNo, "weight");
                if (weight < 0) throw Error(commentLineNo, $"weight {w} is negative");
                s.Weight = weight;
            }
            _index++;
            return s;
        }

        private double? ReadEnergy(Dictionary<string, string> info, int lineNo)
        {
            if (info.TryGetValue("energy", out var e)) return ParseNumber(e, lineNo, "energy");
            if (info.TryGetValue("free_energy", out var fe))
            {
                FreeEnergyFrames++;
                return ParseNumber(fe, lineNo, "free_energy");
            }
            return null;
        }

        private Stress? ReadStress(Dictionary<string, string> info, Cell cell, int lineNo)
        {
            var hasVirial = info.TryGetValue("virial", out var virialText);
            if (info.TryGetValue("stress", out var stressText))
            {
                if (hasVirial) StressAndVirialFrames++;
                return TensorFrom(ParseNumbers(stressText, lineNo, "stress"), lineNo, "stress");
            }
            if (!hasVirial) return null;
            var virial = TensorFrom(ParseNumbers(virialText!, lineNo, "virial"), lineNo, "virial");
            if (!cell.FullyPeriodic) throw Error(lineNo, "a virial needs a fully periodic cell (Lattice and pbc=\"T T T\") to give a stress");
            VirialFrames++;
            return (-1.0 / cell.Volume) * virial;
        }

        private Stress TensorFrom(double[] v, int lineNo, string key) => v.Length switch
        {
            // 9 values are a 3×3 matrix; ASE reads them in Fortran order, which for the symmetric part is the same.
            9 => Stress.FromMatrix(v),
            6 => Stress.FromVoigt(v),
            _ => throw Error(lineNo, $"{key} has {v.Length} values; expected 9 (3×3) or 6 (Voigt xx yy zz yz xz xy)"),
        };

        private Cell ReadCell(Dictionary<string, string> info, int lineNo)
        {
            var latticeText = info.GetValueOrDefault("Lattice") ?? info.GetValueOrDefault("lattice");
            bool[]? pbc = null;
            if (info.TryGetValue("pbc", out var pbcText)) pbc = ParsePbc(pbcText, lineNo);
            if (latticeText == null)
            {
                if (pbc != null && pbc.Any(p => p))
                    throw Error(lineNo, "pbc marks periodic directions but there is no Lattice");
                return Cell.NonPeriodic();
            }
            var v = ParseNumbers(latticeText, lineNo, "Lattice");
            if (v.Length != 9) throw Error(lineNo, $"Lattice has {v.Length} numbers; expected 9 (vectors a, b, c)");
            pbc ??= [true, true, true];
            try
            {
                return new Cell(new Vec3(v[0], v[1], v[2]), new Vec3(v[3], v[4], v[5]), new Vec3(v[6], v[7], v[8]), pbc[0], pbc[1], pbc[2]);
            }
            catch (ArgumentException e)
            {
                throw Error(lineNo, $"Lattice: {e.Message}");
            }
        }

        private bool[] ParsePbc(string text, int lineNo)
        {
            var parts = SplitValues(text);
            var flags = new bool[parts.Count];
            for (var k = 0; k < parts.Count; k++)
            {
                flags[k] = parts[k] switch
                {
                    "T" or "True" or "true" or "1" => true,
                    "F" or "False" or "false" or "0" => false,
                    _ => throw Error(lineNo, $"pbc value '{parts[k]}' is not T or F"),
                };
            }
            return flags.Length switch
            {
                3 => flags,
                1 => [flags[0], flags[0], flags[0]],
                _ => throw Error(lineNo, $"pbc has {flags.Length} values; expected 3"),
            };
        }

        private double ParseNumber(string text, int lineNo, string key)
        {
            var v = ParseNumbers(text, lineNo, key);
            if (v.Length != 1) throw Error(lineNo, $"{key} has {v.Length} values; expected one number");
            return v[0];
        }

        private double[] ParseNumbers(string text, int lineNo, string key)
        {
            var parts = SplitValues(text);
            var values = new double[parts.Count];
            for (var k = 0; k < parts.Count; k++)
                if (!TryParseFinite(parts[k], out values[k]))
                    throw Error(lineNo, $"{key}: '{Shorten(parts[k])}' is not a finite number");
            return values;
        }

        // ASE splits array values on whitespace and commas (e.g. pbc=[T, T, T]).
        private static List<string> SplitValues(string text) =>
            text.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries).ToList();

        private Vec3 ReadVec(ReadOnlySpan<char> text, int[] starts, int[] ends, int first, int lineNo, string what)
        {
            Span<double> v = stackalloc double[3];
            for (var k = 0; k < 3; k++)
            {
                var token = text[starts[first + k]..ends[first + k]];
                if (!TryParseFinite(token, out v[k]))
                    throw Error(lineNo, $"{what} component '{Shorten(token.ToString())}' is not a finite number");
            }
            return new Vec3(v[0], v[1], v[2]);
        }

        private string Capitalised(ReadOnlySpan<char> symbol, int lineNo)
        {
            // ASE capitalises symbols ("CU" → "Cu"); the common case is already right and costs no allocation beyond the string.
            Span<char> buf = stackalloc char[Math.Min(symbol.Length, 8)];
            if (symbol.Length > 3) throw Error(lineNo, $"unknown element '{Shorten(symbol.ToString())}'");
            for (var k = 0; k < symbol.Length; k++)
                buf[k] = k == 0 ? char.ToUpperInvariant(symbol[k]) : char.ToLowerInvariant(symbol[k]);
            var s = new string(buf[..symbol.Length]);
            if (!Elements.IsKnown(s)) throw Error(lineNo, $"unknown element '{symbol.ToString()}'");
            return s;
        }

        private string SymbolFromNumber(ReadOnlySpan<char> token, int lineNo)
        {
            if (!int.TryParse(token, NumberStyles.Integer, Inv, out var z) || z < 1)
                throw Error(lineNo, $"atomic number '{Shorten(token.ToString())}' is not a valid element number");
            try
            {
                return Elements.Symbol(z);
            }
            catch (ArgumentException)
            {
                throw Error(lineNo, $"no element with atomic number {z}");
            }
        }

        private Column[] ParseProperties(string text, int lineNo)
        {
            var fields = text.Split(':');
            if (fields.Length % 3 != 0)
                throw Error(lineNo, $"Properties '{Shorten(text)}' is not a list of name:type:count triples");
            var columns = new Column[fields.Length / 3];
            var start = 0;
            for (var k = 0; k < columns.Length; k++)
            {
                var name = fields[3 * k];
                var type = fields[3 * k + 1];
                if (name.Length == 0) throw Error(lineNo, $"Properties has an empty name in triple {k + 1}");
                if (type is not ("S" or "R" or "I" or "L"))
                    throw Error(lineNo, $"Properties: '{name}' has type '{type}'; expected S, R, I or L");
                if (!int.TryParse(fields[3 * k + 2], NumberStyles.None, Inv, out var count) || count < 1)
                    throw Error(lineNo, $"Properties: '{name}' has column count '{fields[3 * k + 2]}'; expected a positive integer");
                columns[k] = new Column(name, type[0], count, start);
                start += count;
            }
            return columns;
        }

        private static Column? FindColumn(Column[] columns, string name)
        {
            foreach (var c in columns) if (c.Name == name) return c;
            return null;
        }

        private void CheckColumn(Column c, char type, int count, int lineNo)
        {
            if (c.Type != type || c.Count != count)
                throw Error(lineNo, $"Properties: '{c.Name}' is {c.Type}:{c.Count}; expected {type}:{count}");
        }

        // Symbols from 'species', else from the first one-column string property, else from atomic numbers 'Z'.
        private Column FindSpeciesColumn(Column[] columns, int lineNo)
        {
            if (FindColumn(columns, "species") is { } sp)
            {
                CheckColumn(sp, 'S', 1, lineNo);
                return sp;
            }
            foreach (var c in columns)
                if (c.Type == 'S' && c.Count == 1) return c;
            if (FindColumn(columns, "Z") is { } z)
            {
                CheckColumn(z, 'I', 1, lineNo);
                return z;
            }
            throw Error(lineNo, "Properties has no 'species' column (nor any string column or 'Z' to take element symbols from)");
        }
    }

    /// <summary>
    /// Finds whitespace-separated tokens; returns how many there are, filling at most starts.Length of them
    /// (one more than expected, so that extra columns are detected without scanning further).
    /// </summary>
    private static int Tokenize(string text, int[] starts, int[] ends)
    {
        var count = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length) break;
            var s = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            if (count < starts.Length)
            {
                starts[count] = s;
                ends[count] = i;
            }
            count++;
            if (count == starts.Length) return count;
        }
        return count;
    }

    private static bool TryParseFinite(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, Inv, out value) && double.IsFinite(value);

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";

    /// <summary>The comment line's key=value pairs, parsed as ASE's key_val_str_to_dict does.</summary>
    internal static class KeyValues
    {
        /// <summary>
        /// Splits on whitespace; values may be delimited by "", '', {} or [] (which may hold spaces); a backslash
        /// takes the next character literally; spaces around '=' are allowed; a key without a value means "T" (True).
        /// Later duplicates replace earlier ones.
        /// </summary>
        public static Dictionary<string, string> Parse(string line, Func<string, Exception> error)
        {
            var tokens = new List<(string Text, bool IsEquals)>();
            var current = new StringBuilder();
            var started = false;
            char? closing = null;
            var escaped = false;
            foreach (var ch in line)
            {
                if (escaped)
                {
                    current.Append(ch);
                    started = true;
                    escaped = false;
                }
                else if (ch == '\\') escaped = true;
                else if (closing is char close)
                {
                    if (ch == close) closing = null;
                    else current.Append(ch);
                }
                else if (ch is '"' or '\'' or '{' or '[')
                {
                    closing = ch switch { '{' => '}', '[' => ']', _ => ch };
                    started = true;
                }
                else if (char.IsWhiteSpace(ch)) Flush();
                else if (ch == '=')
                {
                    Flush();
                    tokens.Add(("=", true));
                }
                else
                {
                    current.Append(ch);
                    started = true;
                }
            }
            if (closing != null) throw error($"unclosed {closing} in the comment line");
            if (escaped) current.Append('\\');
            Flush();

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var k = 0; k < tokens.Count;)
            {
                if (tokens[k].IsEquals) throw error("'=' without a key in the comment line");
                var key = tokens[k++].Text;
                if (k < tokens.Count && tokens[k].IsEquals)
                {
                    k++;
                    var value = k < tokens.Count && !tokens[k].IsEquals ? tokens[k++].Text : "";
                    // ASE keeps further '=' inside a value ("a=b=c" gives a → "b=c").
                    while (k + 1 < tokens.Count && tokens[k].IsEquals && !tokens[k + 1].IsEquals)
                    {
                        value += "=" + tokens[k + 1].Text;
                        k += 2;
                    }
                    result[key] = value;
                }
                else result[key] = "T";
            }
            return result;

            void Flush()
            {
                if (!started) return;
                tokens.Add((current.ToString(), false));
                current.Clear();
                started = false;
            }
        }
    }
}
