using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PoetSharp.Data;
using PoetSharp.Potentials;

namespace PoetSharp.Models;

/// <summary>
/// Model files: JSON, one object, for example
/// <code>
/// {
///   "format": "PoetSharp model",
///   "version": 1,
///   "name": "GP1",
///   "expression": "sum(r^(10.21 - 5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1",
///   "constants": [10.21, 5.47, 0.21, 0.97, 0.33, -1],
///   "cutoff": 5,
///   "taper": { "inner": 3, "outer": 5 },
///   "species": ["Cu"],
///   "provenance": "Hernandez et al. 2019, DFT_Cu",
///   "errors": { "energy_rmse_meV_per_atom": 4.83 }
/// }
/// </code>
/// </summary>
/// <remarks>
/// <para>The expression is stored in <see cref="ExpressionParser"/>'s syntax, whose constants are written in shortest
/// round-trip form and so read back bit-exactly, with its signs folded (<see cref="ExpressionPrinter.FoldSigns"/>: a + c·x
/// rather than a − (−c)·x, the same value bit for bit), so the model read back is that folded tree. "constants" repeats them in postfix order (constant k is the k-th
/// number in the text) for programs that fit constants without parsing the text; it is optional when reading (a
/// hand-written file may give only the expression) and, when present, must agree with the text number for number,
/// bit for bit, so that a hand edit of one but not the other is caught rather than silently resolved.</para>
/// <para>Several elements (version 2): <c>"expression": "at[Cu](…) + at[Ag](…)"</c> with sums such as <c>sum[Ag](…)</c>
/// and <c>"species": ["Cu", "Ag"]</c>; every element the expression names must be listed. Models of one element are
/// written as version 1, as before.</para>
/// <para>Required: format, version, expression, cutoff (Å), taper (inner &lt; outer ≤ cutoff, Å), species (element
/// symbols). Optional: name (default: the file's name), constants, provenance, errors (name → number). Unknown fields
/// are errors (a misspelt field would otherwise be ignored). Every problem is reported as a
/// <see cref="DataFormatException"/> with the line of the offending field.</para>
/// </remarks>
public static class ModelFile
{
    public const string Format = "PoetSharp model";
    /// <summary>
    /// The newest version: 2 adds species-resolved expressions (sum[B](…), at[A](…)). A model that names no element is
    /// written as version 1, exactly as before, so that older programs still read it.
    /// </summary>
    public const int Version = 3;

    /// <summary>Version 3 adds other model families: <c>"family": "mtp"</c> holds a moment tensor potential.</summary>
    public const int MtpVersion = 3;

    private static readonly string[] KnownFields =
        ["format", "version", "family", "name", "expression", "constants", "cutoff", "taper", "species", "mtp", "core", "provenance", "errors"];

    public static void Write(string path, Model model) => File.WriteAllText(path, ToJson(model), new UTF8Encoding(false));

    public static string ToJson(Model model)
    {
        model.Validate();
        // The text and the constant list describe the same tree: the folded one the readable text parses back to.
        var expression = ExpressionPrinter.FoldSigns(model.Expression);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("version", expression.IsSpeciesResolved ? Version : 1);
            json.WriteString("name", model.Name);
            json.WriteString("expression", ExpressionPrinter.PrintExact(expression));
            json.WriteStartArray("constants");
            foreach (var c in expression.Constants) json.WriteNumberValue(c);
            json.WriteEndArray();
            json.WriteNumber("cutoff", model.Cutoff);
            json.WriteStartObject("taper");
            json.WriteNumber("inner", model.Taper.Inner);
            json.WriteNumber("outer", model.Taper.Outer);
            json.WriteEndObject();
            json.WriteStartArray("species");
            foreach (var s in model.Species) json.WriteStringValue(s);
            json.WriteEndArray();
            json.WriteString("provenance", model.Provenance);
            json.WriteStartObject("errors");
            foreach (var (name, value) in model.Errors) json.WriteNumber(name, value);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    public static Model Read(string path)
    {
        return Parse(InputFile.ReadAllBytes(path, "a model file"), path);
    }

    /// <summary>A model file of any family: a closed-form <see cref="Model"/> or an <see cref="Mtp.MtpModel"/>.</summary>
    public static IParametricModel ReadAny(string path)
    {
        var utf8 = InputFile.ReadAllBytes(path, "a model file").AsSpan();
        if (utf8.StartsWith("\uFEFF"u8)) utf8 = utf8[3..];
        var fields = new Fields(ReadFields(utf8, path), path);
        return fields.Family == "mtp" ? fields.ToMtp() : fields.ToModel();
    }

    /// <summary>
    /// Writes a moment tensor potential as a model file (version 3, family "mtp"): its elements by species number and
    /// its MLIP .mtp text, so that the file runs without naming the species again.
    /// </summary>
    public static void Write(string path, Mtp.MtpModel model, string provenance = "", IReadOnlyDictionary<string, double>? errors = null)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("version", MtpVersion);
            json.WriteString("family", "mtp");
            json.WriteString("name", model.Name);
            json.WriteNumber("cutoff", model.Cutoff);
            json.WriteStartArray("species");
            foreach (var e in model.Elements) json.WriteStringValue(e);
            json.WriteEndArray();
            json.WriteString("mtp", Mtp.MtpFile.Format(model));
            if (model.Core is { } core)
            {
                // The short-range core is ours (an .mtp file has no place for it): ZBL, the switch width, r_in per unordered pair.
                json.WriteStartObject("core");
                json.WriteString("repulsion", "zbl");
                json.WriteNumber("width", core.Width);
                json.WriteStartObject("inner");
                var e = model.Elements;
                for (var a = 0; a < e.Length; a++)
                    for (var b = a; b < e.Length; b++) json.WriteNumber($"{e[a]}-{e[b]}", core.Inner[a * e.Length + b]);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteString("provenance", provenance);
            json.WriteStartObject("errors");
            foreach (var (name, value) in errors ?? new Dictionary<string, double>()) json.WriteNumber(name, value);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        File.WriteAllText(path, Encoding.UTF8.GetString(stream.ToArray()) + "\n", new UTF8Encoding(false));
    }

    /// <summary>Reads a model from UTF-8 JSON; <paramref name="source"/> names it in messages and gives the default name.</summary>
    public static Model Parse(ReadOnlySpan<byte> utf8Json, string source)
    {
        if (utf8Json.StartsWith("\uFEFF"u8)) utf8Json = utf8Json[3..];
        var fields = ReadFields(utf8Json, source);
        return new Fields(fields, source).ToModel();
    }

    public static Model Parse(string json, string source) => Parse(Encoding.UTF8.GetBytes(json), source);

    /// <summary>The top-level fields with the line each starts on.</summary>
    private static Dictionary<string, (JsonElement Value, int Line)> ReadFields(ReadOnlySpan<byte> utf8, string source)
    {
        var fields = new Dictionary<string, (JsonElement, int)>();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new DataFormatException(source, LineOf(utf8, reader.TokenStartIndex), "expected a JSON object (a model file)");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var line = LineOf(utf8, reader.TokenStartIndex);
                var name = reader.GetString()!;
                reader.Read();
                var value = JsonElement.ParseValue(ref reader);
                if (!KnownFields.Contains(name)) throw new DataFormatException(source, line, $"unknown field '{name}'");
                if (!fields.TryAdd(name, (value, line))) throw new DataFormatException(source, line, $"field '{name}' given twice");
            }
            // Anything after the object other than white space is a syntax error, raised here.
            reader.Read();
        }
        catch (JsonException e)
        {
            int? line = e.LineNumber is long l ? (int)l + 1 : null;
            var detail = e.Message;
            var cut = detail.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) detail = detail[..cut];
            throw new DataFormatException(source, line, $"invalid JSON ({detail.Trim()})", e);
        }
        return fields;
    }

    private static int LineOf(ReadOnlySpan<byte> utf8, long index) =>
        utf8[..(int)Math.Min(index, utf8.Length)].Count((byte)'\n') + 1;

    private sealed class Fields(Dictionary<string, (JsonElement Value, int Line)> fields, string source)
    {
        public string Family => fields.ContainsKey("family") ? String("family") : "expression";

        public Mtp.MtpModel ToMtp()
        {
            var format = String("format");
            if (format != Format) throw Error("format", $"format is '{format}', expected '{Format}'");
            var version = Number("version");
            if (version != Math.Floor(version) || version < MtpVersion) throw Error("version", $"an MTP model file has version {MtpVersion} or later (got {version})");
            if (version > Version) throw Error("version", $"version {version} is newer than this program reads ({Version})");
            foreach (var field in new[] { "expression", "constants", "taper" })
                if (fields.ContainsKey(field)) throw Error(field, $"'{field}' belongs to expression models, not to family 'mtp'");
            var species = ReadSpecies();
            if (!fields.ContainsKey("mtp")) throw new DataFormatException(source, null, "missing field 'mtp' (the MLIP .mtp text of the potential)");
            Mtp.MtpModel model;
            try
            {
                model = Mtp.MtpFile.Parse(String("mtp"), $"{source} (field 'mtp')", species);
            }
            catch (DataFormatException e)
            {
                throw Error("mtp", e.Message);
            }
            var cutoff = Number("cutoff");
            if (cutoff != model.Cutoff) throw Error("cutoff", $"cutoff {cutoff} Å differs from the potential's max_dist {model.Cutoff} Å");
            if (fields.ContainsKey("core")) model = model.WithCore(ReadCore(model));
            return fields.ContainsKey("name") ? model.WithName(String("name")) : model;
        }

        public Model ToModel()
        {
            if (Family != "expression") throw Error("family", $"family '{Family}' is not a closed-form expression model (known families: expression, mtp)");
            if (fields.ContainsKey("mtp")) throw Error("mtp", "'mtp' belongs to family 'mtp' model files");
            if (fields.ContainsKey("core")) throw Error("core", "'core' belongs to family 'mtp' model files");
            var format = String("format");
            if (format != Format) throw Error("format", $"format is '{format}', expected '{Format}'");
            var version = Number("version");
            if (version != Math.Floor(version) || version < 1) throw Error("version", $"version must be a positive integer (got {version})");
            if (version > Version) throw Error("version", $"version {version} is newer than this program reads ({Version})");

            var name = fields.ContainsKey("name") ? String("name") : Path.GetFileNameWithoutExtension(source);
            Expression expression;
            try
            {
                expression = ExpressionParser.ParseModel(String("expression"));
            }
            catch (ExpressionSyntaxException e)
            {
                throw Error("expression", $"expression: {e.Message}");
            }
            if (expression.IsSpeciesResolved && version < 2)
                throw Error("expression", "a species-resolved expression (sum[..], at[..]) needs version 2 of the model format");
            if (fields.ContainsKey("constants")) CheckConstants(expression);

            var cutoff = Number("cutoff");
            if (!(cutoff > 0)) throw Error("cutoff", $"cutoff must be positive (got {cutoff})");
            var taper = ReadTaper(cutoff);
            var species = ReadSpecies();
            var provenance = fields.ContainsKey("provenance") ? String("provenance") : "";
            var errors = fields.ContainsKey("errors") ? ReadErrors() : new Dictionary<string, double>();
            var model = new Model(name, expression, cutoff, taper, species) { Provenance = provenance, Errors = errors };
            try
            {
                model.Validate();
            }
            catch (ArgumentException e)
            {
                throw new DataFormatException(source, null, e.Message, e);
            }
            return model;
        }

        private void CheckConstants(Expression expression)
        {
            var array = Get("constants");
            if (array.ValueKind != JsonValueKind.Array) throw Error("constants", "constants must be a list of numbers");
            if (array.GetArrayLength() != expression.ConstantCount)
                throw Error("constants", $"{array.GetArrayLength()} constants for an expression with {expression.ConstantCount}");
            var k = 0;
            foreach (var item in array.EnumerateArray())
            {
                var value = AsNumber(item, "constants", $"constants[{k}]");
                var text = expression.Constants[k];
                if (BitConverter.DoubleToInt64Bits(value) != BitConverter.DoubleToInt64Bits(text))
                    throw Error("constants", $"constants[{k}] is {ExpressionPrinter.FormatConstant(value)} but the expression has {ExpressionPrinter.FormatConstant(text)}");
                k++;
            }
        }

        private Taper ReadTaper(double cutoff)
        {
            var taper = Get("taper");
            if (taper.ValueKind != JsonValueKind.Object) throw Error("taper", "taper must be an object with inner and outer (Å)");
            double? inner = null, outer = null;
            foreach (var p in taper.EnumerateObject())
            {
                if (p.Name == "inner") inner = AsNumber(p.Value, "taper", "taper inner");
                else if (p.Name == "outer") outer = AsNumber(p.Value, "taper", "taper outer");
                else throw Error("taper", $"unknown taper field '{p.Name}'");
            }
            if (inner is null || outer is null) throw Error("taper", "taper needs inner and outer (Å)");
            if (!(inner >= 0) || !(inner < outer)) throw Error("taper", $"taper needs 0 ≤ inner < outer (got inner = {inner}, outer = {outer})");
            if (outer > cutoff) throw Error("taper", $"taper outer = {outer} Å exceeds the cutoff {cutoff} Å");
            return new Taper(inner.Value, outer.Value);
        }

        // "core": {"repulsion": "zbl", "width": w, "inner": {"A-B": r_in, …}}, every unordered species pair once.
        private Mtp.MtpCore ReadCore(Mtp.MtpModel model)
        {
            var core = Get("core");
            if (core.ValueKind != JsonValueKind.Object) throw Error("core", "core must be an object with repulsion, width and inner");
            string? repulsion = null;
            double? width = null;
            JsonElement? inner = null;
            foreach (var p in core.EnumerateObject())
            {
                if (p.Name == "repulsion") repulsion = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : throw Error("core", "core repulsion must be a string");
                else if (p.Name == "width") width = AsNumber(p.Value, "core", "core width");
                else if (p.Name == "inner") inner = p.Value;
                else throw Error("core", $"unknown core field '{p.Name}'");
            }
            if (repulsion is null || width is null || inner is null) throw Error("core", "core needs repulsion, width and inner");
            if (repulsion != "zbl") throw Error("core", $"core repulsion '{repulsion}' is not known (known: zbl)");
            if (inner.Value.ValueKind != JsonValueKind.Object) throw Error("core", "core inner must be an object of radii (Å) named by species pair, such as \"Li-S\"");
            var e = model.Elements;
            var s = e.Length;
            var radii = new double[s * s];
            var seen = new bool[s * s];
            foreach (var p in inner.Value.EnumerateObject())
            {
                var parts = p.Name.Split('-');
                int a = parts.Length == 2 ? Array.IndexOf(e, parts[0]) : -1, b = parts.Length == 2 ? Array.IndexOf(e, parts[1]) : -1;
                if (a < 0 || b < 0) throw Error("core", $"core inner names '{p.Name}', not a pair of the species {string.Join(", ", e)} (such as {e[0]}-{e[^1]})");
                if (seen[a * s + b]) throw Error("core", $"core inner gives the pair {p.Name} twice");
                radii[a * s + b] = radii[b * s + a] = AsNumber(p.Value, "core", $"core inner radius of {p.Name}");
                seen[a * s + b] = seen[b * s + a] = true;
            }
            for (var a = 0; a < s; a++)
                for (var b = a; b < s; b++)
                    if (!seen[a * s + b]) throw Error("core", $"core inner lacks the pair {e[a]}-{e[b]}");
            try
            {
                var result = new Mtp.MtpCore(radii, width.Value, e);
                if (result.Reach > model.Cutoff) throw Error("core", $"the core's largest inner radius {result.Reach} Å exceeds the cutoff {model.Cutoff} Å");
                return result;
            }
            catch (ArgumentException x)
            {
                throw Error("core", x.Message);
            }
        }

        private List<string> ReadSpecies()
        {
            var array = Get("species");
            if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
                throw Error("species", "species must be a non-empty list of element symbols");
            var species = new List<string>();
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String) throw Error("species", "species must be element symbols (strings)");
                var s = item.GetString()!;
                if (!Atoms.Elements.IsKnown(s)) throw Error("species", $"unknown element '{s}'");
                if (species.Contains(s)) throw Error("species", $"species '{s}' listed twice");
                species.Add(s);
            }
            return species;
        }

        private Dictionary<string, double> ReadErrors()
        {
            var obj = Get("errors");
            if (obj.ValueKind != JsonValueKind.Object) throw Error("errors", "errors must be an object of named numbers");
            var errors = new Dictionary<string, double>();
            foreach (var p in obj.EnumerateObject())
                if (!errors.TryAdd(p.Name, AsNumber(p.Value, "errors", $"error '{p.Name}'"))) throw Error("errors", $"error '{p.Name}' given twice");
            return errors;
        }

        private JsonElement Get(string field) =>
            fields.TryGetValue(field, out var f) ? f.Value : throw new DataFormatException(source, null, $"missing field '{field}'");

        private string String(string field)
        {
            var value = Get(field);
            return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Error(field, $"{field} must be a string");
        }

        private double Number(string field) => AsNumber(Get(field), field, field);

        private double AsNumber(JsonElement value, string field, string what)
        {
            if (value.ValueKind != JsonValueKind.Number) throw Error(field, $"{what} must be a number");
            if (!value.TryGetDouble(out var x) || !double.IsFinite(x)) throw Error(field, $"{what} is not a finite number");
            return x;
        }

        private DataFormatException Error(string field, string reason) => new(source, fields[field].Line, reason);
    }
}
