using System.Globalization;
using System.Text;
using PoetSharp.Atoms;
using PoetSharp.Data;

namespace PoetSharp.Mtp;

/// <summary>
/// MLIP-2's moment tensor potential files (<c>.mtp</c>, version 1.1.0, potential "MTP1m" with the RBChebyshev radial
/// basis), read into and written from an <see cref="MtpModel"/>.
/// </summary>
/// <remarks>
/// <para>Layout (one <c>key = value</c> a line, in this order, as MLIP's MLMTPR::Load reads them): <c>MTP</c>,
/// <c>version = 1.1.0</c>, optional <c>potential_name</c>, optional <c>scaling</c>, <c>species_count</c>, optional
/// <c>potential_tag</c>, <c>radial_basis_type = RBChebyshev</c>, then (indented) optional <c>scaling</c> (older MLIP
/// writes it here; it multiplies the other), <c>min_dist</c>, <c>max_dist</c>, <c>radial_basis_size</c>,
/// <c>radial_funcs_count</c> and <c>radial_coeffs</c> followed by one block per ordered species pair, labelled
/// <c>0-0</c>, <c>0-1</c>, …, <c>1-0</c>, … and holding radial_funcs_count lines of radial_basis_size numbers
/// <c>{c, c, …}</c>; then <c>alpha_moments_count</c>, <c>alpha_index_basic_count</c>, <c>alpha_index_basic</c>
/// (<c>{{μ, a, b, c}, …}</c>), <c>alpha_index_times_count</c>, <c>alpha_index_times</c> (<c>{{i1, i2, mult, i3}, …}</c>:
/// moment[i3] += mult·moment[i1]·moment[i2]), <c>alpha_scalar_moments</c>, <c>alpha_moment_mapping</c>, and
/// <c>species_coeffs</c> and <c>moment_coeffs</c>. Each list is on one line. Blank lines and any indentation are
/// accepted; an unknown key, a key out of place, or anything after moment_coeffs is an error.</para>
/// <para>Species. A file numbers species 0, 1, … but names none, so the caller names them (element symbols by species
/// number); <see cref="Write(string, MtpModel)"/> does not record the elements (MLIP refuses unknown keys), nor a model's short-range core
/// (<see cref="MtpCore"/>: MLIP has no such term; model files of family "mtp" keep it).</para>
/// <para>Untrained templates (MLIP's <c>untrained_mtps/*.mtp</c>) lack the radial_coeffs block, species_coeffs and
/// moment_coeffs, and MLIP's own writer leaves out species_count for them. They are read only when
/// <c>allowUntrained</c> is set: radial function μ then starts as Chebyshev polynomial μ mod radial_basis_size
/// (coefficient 1, the others 0; the same start as <see cref="MtpModel.Untrained"/> without its noise), the linear
/// coefficients are 0, a missing species_count is the number of elements given, and a note says what was filled.</para>
/// <para>MLIP compatibility of written files: MLIP reads the multiplicities of alpha_index_times as integers (those of
/// <see cref="MomentBasis.Generate"/> are) and requires radial_funcs_count to be exactly the number of radial functions
/// the basis uses; this reader accepts non-integral multiplicities and unused radial functions (with a note), and the
/// writer writes what the model holds.</para>
/// </remarks>
public static class MtpFile
{
    public const string Version = "1.1.0";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly HashSet<string> KnownKeys = new(StringComparer.Ordinal)
    {
        "MTP", "version", "potential_name", "scaling", "species_count", "potential_tag", "radial_basis_type", "min_dist",
        "max_dist", "radial_basis_size", "magnetic_basis_type", "radial_funcs_count", "radial_coeffs", "alpha_moments_count",
        "alpha_index_basic_count", "alpha_index_basic", "alpha_index_times_count", "alpha_index_times", "alpha_scalar_moments",
        "alpha_moment_mapping", "species_coeffs", "moment_coeffs",
    };

    /// <summary>Reads a trained .mtp file; <paramref name="elements"/> names species 0, 1, … (required: the file names none).</summary>
    public static MtpModel Read(string path, IReadOnlyList<string>? elements) => Read(path, elements, false, out _);

    /// <summary>
    /// Reads a .mtp file, an untrained template too when <paramref name="allowUntrained"/> is set (see the class remarks);
    /// <paramref name="notes"/> says what was filled in or is worth knowing.
    /// </summary>
    public static MtpModel Read(string path, IReadOnlyList<string>? elements, bool allowUntrained, out IReadOnlyList<string> notes)
    {
        var text = InputFile.ReadAllText(path, "an MLIP .mtp file");
        return Parse(text, path, elements, allowUntrained, out notes);
    }

    /// <summary>Parses .mtp text of a trained potential; <paramref name="source"/> names it in messages.</summary>
    public static MtpModel Parse(string text, string source, IReadOnlyList<string>? elements) => Parse(text, source, elements, false, out _);

    public static MtpModel Parse(string text, string source, IReadOnlyList<string>? elements, bool allowUntrained, out IReadOnlyList<string> notes)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        if (elements != null)
        {
            if (elements.Count == 0) throw new DataFormatException(source, null, "the given element list is empty");
            foreach (var e in elements)
                if (e == null || !Elements.IsKnown(e))
                    throw new DataFormatException(source, null, $"the given elements name an unknown element '{e}' (expected element symbols such as Cu,Ni)");
            if (elements.Distinct(StringComparer.Ordinal).Count() != elements.Count)
                throw new DataFormatException(source, null, $"the given elements name an element twice ({string.Join(",", elements)})");
        }
        var lines = text.TrimStart('\uFEFF').Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0) lines = lines[..^1]; // the newline that ends the last line
        var parser = new Parser(source, lines, elements, allowUntrained);
        var model = parser.Parse();
        notes = parser.Notes;
        return model;
    }

    /// <summary>Writes <paramref name="model"/> as an MLIP .mtp file (version 1.1.0, MLIP's layout; numbers round-trip exactly).</summary>
    public static void Write(string path, MtpModel model) => File.WriteAllText(path, Format(model), new UTF8Encoding(false));

    /// <summary>The .mtp text of <paramref name="model"/>: MLIP's layout, doubles in shortest round-trip form.</summary>
    public static string Format(MtpModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var b = model.Basis;
        var sb = new StringBuilder();
        void Line(string s) => sb.Append(s).Append('\n');
        Line("MTP");
        Line("version = " + Version);
        Line("potential_name = MTP1m");
        if (model.Scaling != 1.0) Line("scaling = " + Num(model.Scaling));
        Line("species_count = " + Int(model.SpeciesCount));
        Line("potential_tag = ");
        Line("radial_basis_type = RBChebyshev");
        Line("\tmin_dist = " + Num(model.MinDistance));
        Line("\tmax_dist = " + Num(model.Cutoff));
        Line("\tradial_basis_size = " + Int(model.RadialBasisSize));
        Line("\tradial_funcs_count = " + Int(model.RadialFunctionCount));
        Line("\tradial_coeffs");
        var s = model.SpeciesCount;
        for (var i = 0; i < s; i++)
            for (var j = 0; j < s; j++)
            {
                Line($"\t\t{Int(i)}-{Int(j)}");
                for (var mu = 0; mu < model.RadialFunctionCount; mu++)
                {
                    var start = model.RadialIndex(i, j, mu, 0);
                    Line("\t\t\t" + List(model.RadialCoefficients.AsSpan(start, model.RadialBasisSize).ToArray().Select(Num)));
                }
            }
        Line("alpha_moments_count = " + Int(b.MomentCount));
        Line("alpha_index_basic_count = " + Int(b.BasicCount));
        Line("alpha_index_basic = " + List(Enumerable.Range(0, b.BasicCount)
            .Select(k => List([Int(b.Mu[k]), Int(b.Powers[k].A), Int(b.Powers[k].B), Int(b.Powers[k].C)]))));
        Line("alpha_index_times_count = " + Int(b.Products.Length));
        Line("alpha_index_times = " + List(b.Products.Select(p => List([Int(p.Left), Int(p.Right), Mult(p.Mult), Int(p.Out)]))));
        Line("alpha_scalar_moments = " + Int(b.ScalarCount));
        Line("alpha_moment_mapping = " + List(b.Scalars.Select(Int)));
        Line("species_coeffs = " + List(model.SpeciesCoefficients.Select(Num)));
        Line("moment_coeffs = " + List(model.MomentCoefficients.Select(Num)));
        return sb.ToString();
    }

    private static string Num(double x) => x.ToString("R", Inv);
    private static string Int(int k) => k.ToString(Inv);
    private static string List(IEnumerable<string> items) => "{" + string.Join(", ", items) + "}";

    /// <summary>A multiplicity: an integer where it is one (MLIP reads them as integers), else round-trip form.</summary>
    private static string Mult(double m) =>
        m == Math.Floor(m) && Math.Abs(m) < 9e15 ? ((long)m).ToString(Inv) : Num(m);

    private sealed record Entry(int Line, string Key, string? Value);

    private sealed class Parser(string source, string[] lines, IReadOnlyList<string>? elements, bool allowUntrained)
    {
        private int _next; // index of the next line to read
        public List<string> Notes { get; } = [];

        private DataFormatException Error(int? line, string reason, Exception? inner = null) => new(source, line, reason, inner);

        private int LastLine => lines.Length;

        /// <summary>The next non-blank line as key and value (null when the line has no '='), or null at the end.</summary>
        private Entry? NextEntry()
        {
            while (_next < lines.Length)
            {
                var text = lines[_next++].Trim();
                if (text.Length == 0) continue;
                var eq = text.IndexOf('=');
                return eq < 0 ? new Entry(_next, text, null) : new Entry(_next, text[..eq].Trim(), text[(eq + 1)..].Trim());
            }
            return null;
        }

        private Entry? PeekEntry()
        {
            var save = _next;
            var e = NextEntry();
            _next = save;
            return e;
        }

        /// <summary>The next entry, which must have key <paramref name="key"/> (and a value unless <paramref name="bare"/>).</summary>
        private Entry Expect(string key, bool bare = false, string? expected = null)
        {
            expected ??= $"'{key}'";
            var e = NextEntry() ?? throw Error(LastLine, $"the file ends before {expected}");
            if (e.Key != key) throw Unexpected(e, expected);
            if (bare && e.Value != null) throw Error(e.Line, $"'{key}' takes no value (found '= {e.Value}')");
            if (!bare && e.Value == null) throw Error(e.Line, $"'{key}' needs a value ('{key} = …')");
            return e;
        }

        /// <summary>Takes the next entry if its key is <paramref name="key"/>.</summary>
        private Entry? Optional(string key)
        {
            if (PeekEntry() is { } e && e.Key == key)
            {
                _next = e.Line;
                if (e.Value == null) throw Error(e.Line, $"'{key}' needs a value ('{key} = …')");
                return e;
            }
            return null;
        }

        private DataFormatException Unexpected(Entry e, string expected)
        {
            if (e.Key.StartsWith('{')) return Error(e.Line, $"unexpected list '{Short(e.Key)}' (expected {expected})");
            if (IsPairLabel(e.Key)) return Error(e.Line, $"unexpected radial coefficient block '{e.Key}' (expected {expected})");
            if (e.Key == "magnetic_basis_type") return Error(e.Line, "magnetic MTPs (magnetic_basis_type) are not supported");
            if (KnownKeys.Contains(e.Key))
                return Error(e.Line, $"'{e.Key}' out of place: expected {expected} (MLIP reads the keys in a fixed order)");
            return Error(e.Line, $"unknown key '{Short(e.Key)}' (expected {expected})");
        }

        private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";

        private static bool IsPairLabel(string s)
        {
            var dash = s.IndexOf('-');
            return dash > 0 && dash < s.Length - 1 && s[..dash].All(char.IsAsciiDigit) && s[(dash + 1)..].All(char.IsAsciiDigit);
        }

        // ------------------------------------------------------------ values

        private double Double(Entry e, string? token = null, string? what = null)
        {
            var t = token ?? e.Value!;
            what ??= e.Key;
            if (t.Length == 0) throw Error(e.Line, $"{what}: no value");
            if (!double.TryParse(t, NumberStyles.Float, Inv, out var v))
                throw Error(e.Line, $"{what}: '{Short(t)}' is not a number");
            if (!double.IsFinite(v)) throw Error(e.Line, $"{what}: '{t}' is not finite");
            return v;
        }

        private int Integer(Entry e, int min, string? token = null, string? what = null)
        {
            var t = token ?? e.Value!;
            what ??= e.Key;
            if (!int.TryParse(t, NumberStyles.AllowLeadingSign, Inv, out var k))
                throw Error(e.Line, $"{what}: '{Short(t)}' is not an integer");
            if (k < min) throw Error(e.Line, $"{what} is {k}; it must be at least {min}");
            return k;
        }

        /// <summary>The items of a one-line list "{a, b, …}" (no nesting), as strings.</summary>
        private string[] FlatList(int line, string text, string what)
        {
            var t = text.Trim();
            if (!t.StartsWith('{')) throw Error(line, $"{what}: expected a list '{{…}}', found '{Short(t)}'");
            if (!t.EndsWith('}')) throw Error(line, $"{what}: the list does not end with '}}' on this line (a truncated line?)");
            var inner = t[1..^1];
            if (inner.Contains('{') || inner.Contains('}')) throw Error(line, $"{what}: unexpected braces inside the list");
            if (inner.Trim().Length == 0) return [];
            var items = inner.Split(',');
            for (var k = 0; k < items.Length; k++)
            {
                items[k] = items[k].Trim();
                if (items[k].Length == 0) throw Error(line, $"{what}: item {k} is empty");
            }
            return items;
        }

        /// <summary>The tuples of a one-line list of lists "{{a, b, c, d}, {…}, …}", each of <paramref name="width"/> items.</summary>
        private List<string[]> TupleList(Entry e, int width)
        {
            var t = e.Value!;
            var what = e.Key;
            if (!t.StartsWith('{')) throw Error(e.Line, $"{what}: expected a list '{{{{…}}, …}}', found '{Short(t)}'");
            if (!t.EndsWith('}')) throw Error(e.Line, $"{what}: the list does not end with '}}' on this line (a truncated line?)");
            var result = new List<string[]>();
            var pos = 1;
            var end = t.Length - 1; // the closing brace
            void SkipSpace()
            {
                while (pos < end && char.IsWhiteSpace(t[pos])) pos++;
            }
            SkipSpace();
            while (pos < end)
            {
                if (t[pos] != '{') throw Error(e.Line, $"{what}[{result.Count}]: expected '{{', found '{t[pos]}'");
                var close = t.IndexOf('}', pos + 1);
                if (close < 0 || close > end) throw Error(e.Line, $"{what}[{result.Count}]: no closing '}}'");
                var items = t[(pos + 1)..close].Split(',').Select(x => x.Trim()).ToArray();
                if (items.Length != width || items.Any(x => x.Length == 0 || x.Contains('{')))
                    throw Error(e.Line, $"{what}[{result.Count}]: '{{{Short(t[(pos + 1)..close])}}}' is not {width} numbers");
                result.Add(items);
                pos = close + 1;
                SkipSpace();
                if (pos < end)
                {
                    if (t[pos] != ',') throw Error(e.Line, $"{what}: expected ',' after entry {result.Count - 1}, found '{t[pos]}'");
                    pos++;
                    SkipSpace();
                    if (pos >= end) throw Error(e.Line, $"{what}: a ',' ends the list");
                }
            }
            return result;
        }

        private static string Count(int n, string one, string? many = null) => n == 1 ? $"1 {one}" : $"{n} {many ?? one + "s"}";

        // ------------------------------------------------------------ the file

        public MtpModel Parse()
        {
            if (lines.All(l => l.Trim().Length == 0)) throw Error(null, "the file is empty");
            var first = lines[0].Trim();
            if (first != "MTP") throw Error(1, $"not an MLIP .mtp file: the first line must be 'MTP' (found '{Short(first)}')");
            _next = 1;

            var version = Expect("version");
            if (version.Value != Version) throw Error(version.Line, $"unsupported .mtp version '{Short(version.Value!)}' (only {Version} is read)");
            Optional("potential_name");
            var scaling = 1.0;
            if (Optional("scaling") is { } sc) scaling = Positive(sc);

            int species;
            int speciesLine;
            if (Optional("species_count") is { } sp)
            {
                species = Integer(sp, 1);
                speciesLine = sp.Line;
                CheckElements(species, sp.Line);
            }
            else if (allowUntrained && PeekEntry() is { } pe && pe.Key is "potential_tag" or "radial_basis_type")
            {
                if (elements == null) throw Error(pe.Line, "no species_count, and no elements given: name the elements of the species (e.g. --type-map Cu)");
                species = elements.Count;
                speciesLine = pe.Line;
                Notes.Add($"no species_count (an untrained template): {species} species, from the elements given");
            }
            else throw Next("'species_count'");
            var names = elements!.ToArray();

            if (PeekEntry() is { Key: "potential_tag" } tag) _next = tag.Line; // any text, possibly none

            var rbType = Expect("radial_basis_type");
            if (rbType.Value != "RBChebyshev")
                throw Error(rbType.Line, $"radial basis '{Short(rbType.Value!)}' is not supported (only RBChebyshev)");
            if (Optional("scaling") is { } sc2)
            {
                scaling *= Positive(sc2);
                Notes.Add($"scaling on line {sc2.Line} (inside the radial basis) multiplies the potential's scaling, as in MLIP");
            }
            var minEntry = Expect("min_dist");
            var minDist = Double(minEntry);
            if (minDist < 0) throw Error(minEntry.Line, $"min_dist is negative ({minEntry.Value})");
            var maxEntry = Expect("max_dist");
            var maxDist = Double(maxEntry);
            if (maxDist <= minDist) throw Error(maxEntry.Line, $"max_dist ({maxEntry.Value}) must exceed min_dist ({minEntry.Value}, line {minEntry.Line})");
            var sizeEntry = Expect("radial_basis_size");
            var size = Integer(sizeEntry, 2);
            var funcsEntry = Expect("radial_funcs_count");
            var funcs = Integer(funcsEntry, 1);

            const string template = "an untrained template? Only trained .mtp files are read here";
            double[]? radial = null;
            if (PeekEntry() is { Key: "radial_coeffs" })
            {
                Expect("radial_coeffs", bare: true);
                radial = RadialBlocks(species, funcs, size);
            }
            else if (!allowUntrained)
            {
                if (PeekEntry() is { Key: "alpha_moments_count" } am)
                    throw Error(am.Line, $"no radial_coeffs block before alpha_moments_count ({template})");
                throw Next("'radial_coeffs'");
            }

            var momentsEntry = Expect("alpha_moments_count", expected: radial == null ? "'radial_coeffs' or 'alpha_moments_count'" : null);
            var momentCount = Integer(momentsEntry, 1);
            var basicCountEntry = Expect("alpha_index_basic_count");
            var basicCount = Integer(basicCountEntry, 1);
            if (basicCount > momentCount)
                throw Error(basicCountEntry.Line, $"alpha_index_basic_count ({basicCount}) exceeds alpha_moments_count ({momentCount}, line {momentsEntry.Line})");
            var basicEntry = Expect("alpha_index_basic");
            var basic = TupleList(basicEntry, 4);
            if (basic.Count != basicCount)
                throw Error(basicEntry.Line, $"alpha_index_basic has {Count(basic.Count, "entry", "entries")}, but alpha_index_basic_count (line {basicCountEntry.Line}) is {basicCount}");
            var mu = new int[basicCount];
            var powers = new (int, int, int)[basicCount];
            for (var k = 0; k < basicCount; k++)
            {
                var what = $"alpha_index_basic[{k}]";
                var x = basic[k];
                mu[k] = Integer(basicEntry, 0, x[0], what + " μ");
                powers[k] = (Integer(basicEntry, 0, x[1], what + " a"), Integer(basicEntry, 0, x[2], what + " b"), Integer(basicEntry, 0, x[3], what + " c"));
                if (mu[k] >= funcs)
                    throw Error(basicEntry.Line, $"{what} uses radial function {mu[k]}, but radial_funcs_count (line {funcsEntry.Line}) is {funcs}");
            }

            var timesCountEntry = Expect("alpha_index_times_count");
            var timesCount = Integer(timesCountEntry, 0);
            var timesEntry = Expect("alpha_index_times");
            var times = TupleList(timesEntry, 4);
            if (times.Count != timesCount)
                throw Error(timesEntry.Line, $"alpha_index_times has {Count(times.Count, "entry", "entries")}, but alpha_index_times_count (line {timesCountEntry.Line}) is {timesCount}");
            var products = new (int, int, double, int)[timesCount];
            for (var k = 0; k < timesCount; k++)
            {
                var what = $"alpha_index_times[{k}]";
                var x = times[k];
                var l = Integer(timesEntry, 0, x[0], what + " i1");
                var r = Integer(timesEntry, 0, x[1], what + " i2");
                var m = Double(timesEntry, x[2], what + " mult");
                var o = Integer(timesEntry, 0, x[3], what + " i3");
                if (l >= momentCount || r >= momentCount || o >= momentCount)
                    throw Error(timesEntry.Line, $"{what} {{{string.Join(", ", x)}}} refers to a moment outside 0…{momentCount - 1} (alpha_moments_count, line {momentsEntry.Line})");
                if (o < basicCount)
                    throw Error(timesEntry.Line, $"{what} {{{string.Join(", ", x)}}} writes basic moment {o} (the first {basicCount} are basic)");
                if (l >= o || r >= o)
                    throw Error(timesEntry.Line, $"{what} {{{string.Join(", ", x)}}} reads moment {Math.Max(l, r)}, which is not complete before moment {o}");
                products[k] = (l, r, m, o);
            }

            var scalarCountEntry = Expect("alpha_scalar_moments");
            var scalarCount = Integer(scalarCountEntry, 0);
            var mappingEntry = Expect("alpha_moment_mapping");
            var mapping = FlatList(mappingEntry.Line, mappingEntry.Value!, "alpha_moment_mapping");
            if (mapping.Length != scalarCount)
                throw Error(mappingEntry.Line, $"alpha_moment_mapping has {Count(mapping.Length, "entry", "entries")}, but alpha_scalar_moments (line {scalarCountEntry.Line}) is {scalarCount}");
            var scalars = new int[scalarCount];
            for (var k = 0; k < scalarCount; k++)
            {
                scalars[k] = Integer(mappingEntry, 0, mapping[k], $"alpha_moment_mapping[{k}]");
                if (scalars[k] >= momentCount)
                    throw Error(mappingEntry.Line, $"alpha_moment_mapping[{k}] = {scalars[k]} is outside 0…{momentCount - 1} (alpha_moments_count, line {momentsEntry.Line})");
            }

            MomentBasis basis;
            try
            {
                basis = new MomentBasis(mu, powers, products, scalars, momentCount);
            }
            catch (ArgumentException e)
            {
                throw Error(timesEntry.Line, "alpha_index_times: " + e.Message, e); // the checks above leave only the order of the products
            }
            if (basis.RadialFunctionCount < funcs)
                Notes.Add($"radial_funcs_count is {funcs} but the basis uses {basis.RadialFunctionCount} (MLIP itself refuses such a file)");

            double[]? speciesCoeffs = null, momentCoeffs = null;
            if (PeekEntry() is { Key: "species_coeffs" })
            {
                var e = Expect("species_coeffs");
                speciesCoeffs = Numbers(e, species, $"species_count (line {speciesLine}) is {species}");
                var m = Expect("moment_coeffs");
                momentCoeffs = Numbers(m, scalarCount, $"alpha_scalar_moments (line {scalarCountEntry.Line}) is {scalarCount}");
            }
            if (NextEntry() is { } extra)
                throw speciesCoeffs == null && extra.Key == "moment_coeffs"
                    ? Error(extra.Line, "moment_coeffs without species_coeffs before it")
                    : Unexpected(extra, speciesCoeffs == null ? "'species_coeffs' or the end of the file" : "the end of the file");

            if (radial == null || speciesCoeffs == null)
            {
                if (!allowUntrained)
                    throw Error(LastLine, $"the file ends before species_coeffs and moment_coeffs ({template})");
                if (radial == null)
                {
                    radial = new double[species * species * funcs * size];
                    for (var pair = 0; pair < species * species; pair++)
                        for (var f = 0; f < funcs; f++)
                            radial[(pair * funcs + f) * size + f % size] = 1.0;
                    Notes.Add("no radial_coeffs (an untrained template): radial function μ starts as Chebyshev polynomial μ mod radial_basis_size");
                }
                if (speciesCoeffs == null)
                {
                    speciesCoeffs = new double[species];
                    momentCoeffs = new double[scalarCount];
                    Notes.Add("no species_coeffs and moment_coeffs (an untrained template): linear coefficients start at 0");
                }
            }

            try
            {
                return new MtpModel(basis, names, scaling, minDist, maxDist, size, funcs, radial, speciesCoeffs, momentCoeffs!,
                    Path.GetFileNameWithoutExtension(source));
            }
            catch (ArgumentException e)
            {
                throw Error(null, e.Message, e); // not expected: the checks above cover the model's
            }
        }

        private double Positive(Entry e)
        {
            var v = Double(e);
            if (v <= 0) throw Error(e.Line, $"{e.Key} must be positive (got {e.Value})");
            return v;
        }

        private void CheckElements(int species, int line)
        {
            if (elements == null)
                throw Error(line, $"the file numbers {Count(species, "species", "species")} but names none: name the elements of species 0…{species - 1} " +
                                  $"(e.g. --type-map {string.Join(",", new[] { "Cu", "Ni", "Al", "Mg" }.Take(Math.Min(species, 4)))}{(species > 4 ? ",…" : "")})");
            if (elements.Count != species)
                throw Error(line, $"{Count(elements.Count, "element")} given ({string.Join(",", elements)}) for {Count(species, "species", "species")}");
        }

        /// <summary>The error for a missing entry where <paramref name="expected"/> should come next.</summary>
        private DataFormatException Next(string expected) =>
            NextEntry() is { } e ? Unexpected(e, expected) : Error(LastLine, $"the file ends before {expected}");

        private double[] Numbers(Entry e, int count, string countSays)
        {
            var items = FlatList(e.Line, e.Value!, e.Key);
            if (items.Length != count) throw Error(e.Line, $"{e.Key} has {Count(items.Length, "number")}, but {countSays}");
            var v = new double[count];
            for (var k = 0; k < count; k++) v[k] = Double(e, items[k], $"{e.Key}[{k}]");
            return v;
        }

        /// <summary>The blocks "i-j" after radial_coeffs, flattened as <see cref="MtpModel.RadialCoefficients"/>.</summary>
        private double[] RadialBlocks(int species, int funcs, int size)
        {
            var radial = new double[species * species * funcs * size];
            for (var i = 0; i < species; i++)
                for (var j = 0; j < species; j++)
                {
                    var label = $"{i}-{j}";
                    var head = NextEntry() ?? throw Error(LastLine, $"the file ends before the radial coefficient block '{label}'");
                    if (head.Key != label || head.Value != null)
                    {
                        if (head.Value == null && IsPairLabel(head.Key))
                            throw Error(head.Line, $"radial coefficient block '{head.Key}' where '{label}' is expected (blocks go 0-0, 0-1, …, 1-0, …)");
                        throw Error(head.Line, $"missing radial coefficient block '{label}' (found '{Short(head.Key)}'; species_count gives {species * species} blocks)");
                    }
                    for (var mu = 0; mu < funcs; mu++)
                    {
                        var row = NextEntry() ?? throw Error(LastLine, $"the file ends inside radial coefficient block '{label}' (line {head.Line}) after {Count(mu, "row")}; radial_funcs_count is {funcs}");
                        if (!row.Key.StartsWith('{') || row.Value != null)
                            throw Error(row.Line, $"radial coefficient block '{label}' (line {head.Line}) has {Count(mu, "row")}, but radial_funcs_count is {funcs}");
                        var what = $"radial coefficients {label} row {mu}";
                        var items = FlatList(row.Line, row.Key, what);
                        if (items.Length != size)
                            throw Error(row.Line, $"{what} has {Count(items.Length, "number")}, but radial_basis_size is {size}");
                        for (var beta = 0; beta < size; beta++)
                            radial[((i * species + j) * funcs + mu) * size + beta] = Double(row, items[beta], $"{what}[{beta}]");
                    }
                    if (PeekEntry() is { } more && more.Key.StartsWith('{'))
                        throw Error(more.Line, $"radial coefficient block '{label}' (line {head.Line}) has more than radial_funcs_count = {funcs} rows");
                }
            if (PeekEntry() is { } after && after.Value == null && IsPairLabel(after.Key))
                throw Error(after.Line, $"radial coefficient block '{after.Key}' beyond the {species * species} of species_count = {species}");
            return radial;
        }
    }
}
