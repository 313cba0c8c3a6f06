using System.Text.Json;
using PoetSharp.Atoms;

namespace PoetSharp.Data;

/// <summary>Component order of the six numbers of an mlearn <c>virial_stress</c>.</summary>
public enum VirialStressOrder
{
    /// <summary>xx yy zz xy yz xz: VASP's OUTCAR order, the order of the published mlearn data (the default).</summary>
    Vasp,
    /// <summary>xx yy zz xy xz yz: LAMMPS' pressure-tensor order (pxy pxz pyz), for data computed with LAMMPS.</summary>
    Lammps,
    /// <summary>xx yy zz yz xz xy: Voigt order, as SNAP training files and ASE use.</summary>
    Voigt,
}

/// <summary>
/// mlearn JSON data sets (Zuo et al., J. Phys. Chem. A 124, 731 (2020); github materialsvirtuallab/mlearn,
/// data/&lt;Element&gt;/training.json and test.json): a JSON list of records, each with a pymatgen Structure
/// dictionary under "structure" and DFT labels under "outputs": "energy" (total, eV), "forces" (N×3, eV/Å) and
/// "virial_stress" (6 numbers, kbar). The SNAP training sets of the same group (github materialsvirtuallab/snap, e.g.
/// NbMoTaW/training/*.json) have the same layout but name the stress "stress"; both keys are read.
/// </summary>
/// <remarks>
/// <para>Sign and order of virial_stress. The numbers are VASP's "in kB" stresses, compression positive, in the order
/// xx yy zz xy yz xz. Evidence: the mlearn maintainers state "kilobar (kB), the order is [xx, yy, zz, xy, yz, xz]"
/// (github materialsvirtuallab/mlearn issue #64), and mlearn's own MTP writer converts from exactly this
/// "vasp_stress_order". The data agree: in data/Si/test.json the cell compressed by 6 % along x ("mode 0, strain -0.06")
/// has xx = +99.4 kbar, a Ni cell stretched 4 % along y ("mode 2, strain 0.0400") has yy = −109.4 kbar, and the shear
/// cells put the shear value (120.9 kbar) fourth for an xy tilt (b = (−1.31, 10.86, 0)), fifth for a yz tilt
/// (c = (0, −1.31, 10.86)) and sixth for an xz tilt (c = (−1.31, 0, 10.86)). ASE's stress is tensile positive
/// (σ = (1/V) ∂E/∂ε), so the reader stores σ = −virial_stress / <see cref="Units.KbarPerEvPerA3"/>.</para>
/// <para>The SNAP files' "outputs.stress" has the same units, sign and order (VASP's "in kB" line: kbar, compression
/// positive, xx yy zz xy yz xz). Evidence from the data (snap NbMoTaW/training/Mo_Elastic.json, bcc Mo, a = 3.169 Å):
/// the cell squeezed along x to a = 2.852 Å ("Strain_new 1---0.1000") has stress (+621.5, +236.5, +236.5, 0, 0, 0),
/// so compression is positive, and one stretched along z to 3.486 Å has zz = −330.0; the shear cells put the shear
/// value fourth for an xy tilt (b = (0.284, 3.156, 0): −92.0), fifth for a yz tilt (b = (0, 3.169, −0.222): +72.3)
/// and sixth for an xz tilt (a = (3.169, 0, 0.063): −21.3). It is read exactly as virial_stress. A record with both
/// keys must give the same six numbers (else the reader stops: it cannot tell which is right).</para>
/// <para>The records carry no key that names the component order (their keys are structure, num_atoms, outputs,
/// element, group, description and for some elements tag), so the order cannot be read from the data; the default is
/// the published order and <see cref="Read(string, VirialStressOrder)"/> takes another for files made otherwise.</para>
/// <para>Other rules: positions come from a site's "xyz" (Cartesian), else from "abc" (fractional); every site must be
/// one element with occupancy 1. The group is the record's "group" (else "config_type", else the file's name stem);
/// names are "stem/index" (0-based record index). mlearn fills absent stresses with six zeros, so an all-zero
/// virial_stress is read as "no stress" (and noted). Structures are periodic in all three directions unless the
/// lattice carries a "pbc" list (newer pymatgen).</para>
/// </remarks>
public static class MlearnJson
{
    public static Dataset Read(string path) => Read(path, VirialStressOrder.Vasp);

    public static Dataset Read(string path, VirialStressOrder order)
    {
        var bytes = InputFile.ReadAllBytes(path, "an mlearn JSON file");
        return Parse(bytes, path, Path.GetFileNameWithoutExtension(path), order);
    }

    /// <summary>Parses mlearn JSON text (UTF-8); <paramref name="source"/> names it in messages, <paramref name="stem"/> is the default group and name prefix.</summary>
    public static Dataset Parse(ReadOnlyMemory<byte> utf8Json, string source, string stem, VirialStressOrder order = VirialStressOrder.Vasp)
    {
        if (utf8Json.Span.StartsWith("\uFEFF"u8)) utf8Json = utf8Json[3..];
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw SyntaxError(utf8Json.Span, source, e);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
                throw new DataFormatException(source, 1, $"expected a JSON list of records, found {Describe(root.ValueKind)}");
            var structures = new List<Structure>(root.GetArrayLength());
            var zeroStress = 0;
            var fromVirialStress = 0;
            var fromStress = 0;
            var index = 0;
            foreach (var record in root.EnumerateArray())
            {
                var reader = new RecordReader(source, utf8Json, index, stem, order);
                var s = reader.Read(record);
                if (reader.ZeroStress) zeroStress++;
                if (reader.StressKey == "virial_stress") fromVirialStress++;
                else if (reader.StressKey == "stress") fromStress++;
                else if (reader.StressKey == "both") { fromVirialStress++; fromStress++; }
                structures.Add(s);
                index++;
            }
            if (structures.Count == 0) throw new DataFormatException(source, null, "the list of records is empty");
            var data = new Dataset(structures, source);
            var how = $"kbar, compression positive, in {OrderText(order)} order; stored as eV/Å³, tensile positive";
            var n = structures.Count;
            if (fromVirialStress > 0) data.Notes.Add($"outputs.virial_stress read in {fromVirialStress} of {n} records as {how}");
            if (fromStress > 0) data.Notes.Add($"outputs.stress read in {fromStress} of {n} records as {how}");
            if (fromVirialStress > 0 && fromStress > 0 && fromVirialStress + fromStress > n)
                data.Notes.Add($"{fromVirialStress + fromStress - n} records have both outputs.virial_stress and outputs.stress; they agree");
            if (fromVirialStress == 0 && fromStress == 0) data.Notes.Add("no record has outputs.virial_stress or outputs.stress: no stress read");
            if (zeroStress > 0)
                data.Notes.Add($"{zeroStress} of {n} records have an all-zero stress (mlearn's filler for 'unknown'); read as no stress");
            return data;
        }
    }

    private static string OrderText(VirialStressOrder order) => order switch
    {
        VirialStressOrder.Vasp => "xx yy zz xy yz xz",
        VirialStressOrder.Lammps => "xx yy zz xy xz yz",
        VirialStressOrder.Voigt => "xx yy zz yz xz xy",
        _ => throw new ArgumentOutOfRangeException(nameof(order)),
    };

    private static DataFormatException SyntaxError(ReadOnlySpan<byte> json, string source, JsonException e)
    {
        // JsonException numbers lines and bytes from 0.
        int? line = e.LineNumber is long l ? (int)l + 1 : null;
        var reason = "invalid JSON";
        if (e.LineNumber is long ln && e.BytePositionInLine is long col)
        {
            var at = Offset(json, ln, col);
            var rest = json[at..];
            if (rest.Length > 0 && rest[0] == (byte)'-') rest = rest[1..];
            if (rest.StartsWith("NaN"u8) || rest.StartsWith("Infinity"u8))
                reason = "invalid JSON: NaN/Infinity are not numbers in JSON (non-finite value)";
            else if (json[at..].TrimEnd(" \t\r\n"u8).Length == 0)
                reason = "invalid JSON: the file ends inside a value (truncated?)";
        }
        var detail = e.Message;
        var cut = detail.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0) detail = detail[..cut];
        return new DataFormatException(source, line, $"{reason} ({detail.Trim()})", e);
    }

    // Byte offset of a (0-based line, byte in line) position, clamped to the text.
    private static int Offset(ReadOnlySpan<byte> json, long line, long byteInLine)
    {
        var pos = 0;
        for (long k = 0; k < line && pos < json.Length; pos++)
            if (json[pos] == (byte)'\n') k++;
        return pos + (int)Math.Min(byteInLine, json.Length - pos);
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };

    /// <summary>Converts one record; errors name the record and the line it starts on.</summary>
    private sealed class RecordReader(string source, ReadOnlyMemory<byte> json, int index, string stem, VirialStressOrder order)
    {
        public bool ZeroStress { get; private set; }

        /// <summary>Which stress key the record had: "virial_stress", "stress", "both" or null.</summary>
        public string? StressKey { get; private set; }

        private DataFormatException Error(string reason) =>
            new(source, RecordLine(json.Span, index), $"record {index}: {reason}");

        public Structure Read(JsonElement record)
        {
            if (record.ValueKind != JsonValueKind.Object) throw Error($"expected an object, found {Describe(record.ValueKind)}");
            var structure = Member(record, "structure", JsonValueKind.Object, "");
            var cell = ReadCell(structure);
            var (species, positions) = ReadSites(structure, cell);

            var outputs = Member(record, "outputs", JsonValueKind.Object, "");
            var energy = Number(Member(outputs, "energy", JsonValueKind.Number, "outputs."), "outputs.energy");

            var group = OptionalString(record, "group") ?? OptionalString(record, "config_type") ?? stem;
            Structure s;
            try
            {
                s = new Structure(cell, positions, species, $"{stem}/{index}", group);
            }
            catch (ArgumentException e)
            {
                throw Error(e.Message);
            }
            s.Energy = energy;
            if (outputs.TryGetProperty("forces", out var forces) && forces.ValueKind != JsonValueKind.Null)
                s.Forces = ReadForces(forces, species.Length);
            var hasVirial = outputs.TryGetProperty("virial_stress", out var virial) && virial.ValueKind != JsonValueKind.Null;
            var hasStress = outputs.TryGetProperty("stress", out var stress) && stress.ValueKind != JsonValueKind.Null;
            if (hasVirial && hasStress)
            {
                var a = ReadSix(virial, "outputs.virial_stress");
                var b = ReadSix(stress, "outputs.stress");
                for (var k = 0; k < 6; k++)
                    if (Math.Abs(a[k] - b[k]) > 1e-6 * (1 + Math.Abs(a[k])))
                        throw Error(FormattableString.Invariant(
                            $"outputs.virial_stress and outputs.stress disagree (component {k}: {a[k]} vs {b[k]} kbar); cannot tell which to use"));
                s.Stress = ToStress(a);
                StressKey = "both";
            }
            else if (hasVirial)
            {
                s.Stress = ToStress(ReadSix(virial, "outputs.virial_stress"));
                StressKey = "virial_stress";
            }
            else if (hasStress)
            {
                s.Stress = ToStress(ReadSix(stress, "outputs.stress"));
                StressKey = "stress";
            }
            if (record.TryGetProperty("num_atoms", out var numAtoms) && numAtoms.ValueKind == JsonValueKind.Number
                && (!numAtoms.TryGetInt32(out var n) || n != species.Length))
                throw Error($"num_atoms is {numAtoms.GetRawText()} but the structure has {species.Length} sites");
            return s;
        }

        private Cell ReadCell(JsonElement structure)
        {
            var lattice = Member(structure, "lattice", JsonValueKind.Object, "structure.");
            var matrix = Member(lattice, "matrix", JsonValueKind.Array, "structure.lattice.");
            if (matrix.GetArrayLength() != 3) throw Error($"structure.lattice.matrix has {matrix.GetArrayLength()} rows; expected 3");
            var rows = new Vec3[3];
            for (var k = 0; k < 3; k++) rows[k] = Vector(matrix[k], $"structure.lattice.matrix[{k}]");
            // Newer pymatgen writes the periodicity with the lattice; older files have none and are periodic.
            var pbc = new[] { true, true, true };
            if (lattice.TryGetProperty("pbc", out var p) && p.ValueKind != JsonValueKind.Null)
            {
                if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() != 3 || p.EnumerateArray().Any(x => x.ValueKind is not (JsonValueKind.True or JsonValueKind.False)))
                    throw Error("structure.lattice.pbc must be a list of 3 booleans");
                for (var k = 0; k < 3; k++) pbc[k] = p[k].GetBoolean();
            }
            try
            {
                return new Cell(rows[0], rows[1], rows[2], pbc[0], pbc[1], pbc[2]);
            }
            catch (ArgumentException e)
            {
                throw Error($"structure.lattice.matrix: {e.Message}");
            }
        }

        private (string[] Species, Vec3[] Positions) ReadSites(JsonElement structure, Cell cell)
        {
            var sites = Member(structure, "sites", JsonValueKind.Array, "structure.");
            var n = sites.GetArrayLength();
            if (n == 0) throw Error("structure.sites is empty");
            var species = new string[n];
            var positions = new Vec3[n];
            var i = 0;
            foreach (var site in sites.EnumerateArray())
            {
                var where = $"structure.sites[{i}]";
                if (site.ValueKind != JsonValueKind.Object) throw Error($"{where} is {Describe(site.ValueKind)}, not an object");
                species[i] = SiteElement(site, where);
                if (site.TryGetProperty("xyz", out var xyz) && xyz.ValueKind != JsonValueKind.Null)
                    positions[i] = Vector(xyz, where + ".xyz");
                else if (site.TryGetProperty("abc", out var abc) && abc.ValueKind != JsonValueKind.Null)
                    positions[i] = cell.ToCartesian(Vector(abc, where + ".abc"));
                else throw Error($"{where} has neither 'xyz' nor 'abc' coordinates");
                i++;
            }
            return (species, positions);
        }

        private string SiteElement(JsonElement site, string where)
        {
            var list = Member(site, "species", JsonValueKind.Array, where + ".");
            if (list.GetArrayLength() != 1)
                throw Error($"{where} has {list.GetArrayLength()} species; only ordered sites (one element each) can be used");
            var sp = list[0];
            if (sp.ValueKind != JsonValueKind.Object) throw Error($"{where}.species[0] is not an object");
            var element = Member(sp, "element", JsonValueKind.String, where + ".species[0].").GetString()!;
            if (sp.TryGetProperty("occu", out var occu))
            {
                var o = Number(occu, where + ".species[0].occu");
                if (Math.Abs(o - 1) > 1e-8) throw Error($"{where} has occupancy {o}; only fully occupied sites can be used");
            }
            if (!Elements.IsKnown(element)) throw Error($"{where}: unknown element '{element}'");
            return element;
        }

        private Vec3[] ReadForces(JsonElement forces, int n)
        {
            if (forces.ValueKind != JsonValueKind.Array) throw Error($"outputs.forces is {Describe(forces.ValueKind)}, not a list");
            if (forces.GetArrayLength() != n) throw Error($"outputs.forces has {forces.GetArrayLength()} rows but the structure has {n} sites");
            var result = new Vec3[n];
            var i = 0;
            foreach (var f in forces.EnumerateArray())
            {
                result[i] = Vector(f, $"outputs.forces[{i}]");
                i++;
            }
            return result;
        }

        private double[] ReadSix(JsonElement e, string what)
        {
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 6)
                throw Error($"{what} must be a list of 6 numbers, found {Describe(e.ValueKind)}"
                            + (e.ValueKind == JsonValueKind.Array ? $" of {e.GetArrayLength()}" : ""));
            var v = new double[6];
            for (var k = 0; k < 6; k++) v[k] = Number(e[k], $"{what}[{k}]");
            return v;
        }

        private Stress? ToStress(double[] v)
        {
            if (v.All(x => x == 0))
            {
                ZeroStress = true;
                return null;
            }
            var (xx, yy, zz) = (v[0], v[1], v[2]);
            var (xy, yz, xz) = order switch
            {
                VirialStressOrder.Vasp => (v[3], v[4], v[5]),
                VirialStressOrder.Lammps => (v[3], v[5], v[4]),
                VirialStressOrder.Voigt => (v[5], v[3], v[4]),
                _ => throw new ArgumentOutOfRangeException(nameof(order)),
            };
            // Compression-positive kbar → tensile-positive eV/Å³ (see the class remarks for the evidence).
            return (-1.0 / Units.KbarPerEvPerA3) * new Stress(xx, yy, zz, yz, xz, xy);
        }

        private JsonElement Member(JsonElement obj, string name, JsonValueKind kind, string prefix)
        {
            if (!obj.TryGetProperty(name, out var value)) throw Error($"missing '{prefix}{name}'");
            if (value.ValueKind != kind) throw Error($"'{prefix}{name}' is {Describe(value.ValueKind)}; expected {Describe(kind)}");
            return value;
        }

        private static string? OptionalString(JsonElement obj, string name) =>
            obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

        private double Number(JsonElement e, string what)
        {
            if (e.ValueKind != JsonValueKind.Number) throw Error($"{what} is {Describe(e.ValueKind)}, not a number");
            if (!e.TryGetDouble(out var v) || !double.IsFinite(v)) throw Error($"{what} = {e.GetRawText()} is not a finite number");
            return v;
        }

        private Vec3 Vector(JsonElement e, string what)
        {
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 3)
                throw Error($"{what} must be a list of 3 numbers");
            return new Vec3(Number(e[0], what + "[0]"), Number(e[1], what + "[1]"), Number(e[2], what + "[2]"));
        }
    }

    /// <summary>The 1-based line on which record <paramref name="index"/> of the top-level list starts (only computed for messages).</summary>
    private static int? RecordLine(ReadOnlySpan<byte> json, int index)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            var seen = -1;
            while (reader.Read())
            {
                if (reader.CurrentDepth != 1 || reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray or JsonTokenType.PropertyName)
                    continue;
                if (++seen < index)
                {
                    reader.Skip();
                    continue;
                }
                var offset = (int)reader.TokenStartIndex;
                var line = 1;
                for (var k = 0; k < offset; k++)
                    if (json[k] == (byte)'\n') line++;
                return line;
            }
        }
        catch (JsonException)
        {
            // The document parsed before, so this cannot happen; fall back to no line.
        }
        return null;
    }
}
