using System.Globalization;
using System.Text;
using System.Text.Json;
using PoetSharp.Data;

namespace PoetSharp.Properties;

/// <summary>
/// A reference property with the line it was read from, and how much it counts when it is a fitting target:
/// <paramref name="Weight"/> (null: the default, see <see cref="TargetTolerances.DefaultWeights"/>) and
/// <paramref name="Tolerance"/> (the error, in the property's unit, that counts as one standard unit; null: the default
/// of <see cref="TargetTolerances.Default"/>). A point defect's reference may say the cell it was computed in
/// (<paramref name="Supercell"/> conventional cubes per direction, <paramref name="Cell"/> constant volume or zero pressure):
/// a potential's value is then computed in the same cell, so that the two compare like for like (null: the suite's own set-up).
/// </summary>
public sealed record TargetProperty(string Name, string Structure, double Value, string Unit, int Line, double? Weight = null, double? Tolerance = null,
    int? Supercell = null, Simulation.CellRelaxation? Cell = null)
{
    public PropertyValue ToValue() => new(Name, Structure, Value, Unit);

    /// <summary>"2×2×2 cubes at constant volume", or "" without a set-up of its own.</summary>
    public string DescribeSetup() =>
        string.Join(" ", new[] { Supercell is { } n ? $"{n}×{n}×{n} cubes" : null, Cell is { } c ? (c == Simulation.CellRelaxation.Fixed ? "at constant volume" : "at zero pressure") : null }
            .Where(x => x != null));
}

/// <summary>
/// Reference properties, read from either of two forms (chosen by the file's extension):
/// <list type="bullet">
/// <item>POET's <c>TargetProperties_0K.data</c> (any extension but .json): an optional first line holding a single word
/// (the reference's title, e.g. "reference_1"), then rows <c>name structure value unit</c> separated by spaces or tabs
/// (e.g. "a0 FCC 3.632 Å", "Esurf_100 FCC 91.98 meV/(Å^2)"); blank lines are skipped;</item>
/// <item>JSON (<c>.json</c>): <c>{"title": "...", "properties": [{"property": "a0", "structure": "FCC", "value": 3.632,
/// "unit": "Å", "weight": 1, "tolerance": 0.01}, ...]}</c>, where title, weight and tolerance are optional (a top-level
/// list of records is accepted too).</item>
/// </list>
/// The fcc vacancy (<c>Ev_f FCC</c>) and dumbbell (<c>Edumbbell_f FCC</c>) may name the cell their value was computed in:
/// <c>supercell=N</c> (conventional cubes per direction, 2–12) and <c>cell=constant-volume|zero-pressure</c>, as extra
/// fields after the unit in the text form ("Edumbbell_f FCC 3.549 eV supercell=2 cell=constant-volume") and as
/// <c>"supercell"</c> and <c>"cell"</c> in JSON. A formation energy from a small cell can differ from the isolated
/// defect's by tenths of an eV (docs/search.md, "The cell of a point-defect reference"); the suite then computes the potential's in that same cell.
/// A (name, structure) pair appears once. Every problem is a <see cref="DataFormatException"/> naming the file and line.
/// </summary>
public sealed class TargetProperties
{
    public string Path { get; }
    /// <summary>The title line, or "" when the file has none.</summary>
    public string Title { get; }
    public IReadOnlyList<TargetProperty> Properties { get; }

    private TargetProperties(string path, string title, IReadOnlyList<TargetProperty> properties)
    {
        Path = path;
        Title = title;
        Properties = properties;
    }

    /// <summary>The reference value of (name, structure), e.g. ("C11", "FCC"), or null.</summary>
    public TargetProperty? Find(string name, string structure) =>
        Properties.FirstOrDefault(p => p.Name == name && p.Structure == structure);

    /// <summary>Reads the file (JSON when its extension is .json, else POET's text form).</summary>
    public static TargetProperties Read(string path)
    {
        if (string.Equals(System.IO.Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase)) return ReadJson(path);
        var text = InputFile.ReadAllText(path, "a target-properties file");
        var lines = text.Split('\n');
        var title = "";
        var properties = new List<TargetProperty>();
        var seen = new Dictionary<(string, string), int>();
        var first = true;
        for (var k = 0; k < lines.Length; k++)
        {
            var line = k + 1;
            var tokens = lines[k].Split((char[])[' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) continue;
            if (first && tokens.Length == 1)
            {
                title = tokens[0];
                first = false;
                continue;
            }
            first = false;
            if (tokens.Length < 4)
                throw new DataFormatException(path, line, $"expected 4 fields 'name structure value unit', found {tokens.Length}");
            if (!double.TryParse(tokens[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new DataFormatException(path, line, $"value '{tokens[2]}' of {tokens[0]} {tokens[1]} is not a number");
            if (!double.IsFinite(value))
                throw new DataFormatException(path, line, $"value '{tokens[2]}' of {tokens[0]} {tokens[1]} is not finite");
            int? supercell = null;
            Simulation.CellRelaxation? cell = null;
            foreach (var extra in tokens.Skip(4))
            {
                var eq = extra.IndexOf('=');
                var (key, given) = eq > 0 ? (extra[..eq], extra[(eq + 1)..]) : (extra, "");
                switch (key)
                {
                    case "supercell" when supercell is null: supercell = ParseSupercell(given, path, line); break;
                    case "cell" when cell is null: cell = ParseCell(given, path, line); break;
                    default:
                        throw new DataFormatException(path, line, $"unexpected field '{extra}' after the unit: expected 'name structure value unit' and optionally supercell=N and cell=constant-volume|zero-pressure, once each");
                }
            }
            Add(properties, seen, path, new TargetProperty(tokens[0], tokens[1], value, tokens[3], line, Supercell: supercell, Cell: cell));
        }
        if (properties.Count == 0) throw new DataFormatException(path, null, "no properties: expected rows 'name structure value unit'");
        return new TargetProperties(path, title, properties);
    }

    /// <summary>The properties whose reference may name its own cell (the point defects of fcc).</summary>
    private static readonly (string Name, string Structure)[] WithSetup = [("Ev_f", "FCC"), ("Edumbbell_f", "FCC")];

    private static int ParseSupercell(string text, string path, int line) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 2 and <= 12 ? n
            : throw new DataFormatException(path, line, $"supercell '{text}' must be a whole number of conventional cubes from 2 to 12");

    private static Simulation.CellRelaxation ParseCell(string text, string path, int line) => text switch
    {
        "constant-volume" => Simulation.CellRelaxation.Fixed,
        "zero-pressure" => Simulation.CellRelaxation.Isotropic,
        _ => throw new DataFormatException(path, line, $"cell '{text}' must be constant-volume or zero-pressure"),
    };

    /// <summary>
    /// <paramref name="setup"/> with the cells the references name (<see cref="TargetProperty.Supercell"/>,
    /// <see cref="TargetProperty.Cell"/>) in place of its own, so that a potential's vacancy or dumbbell is computed as the reference's was.
    /// </summary>
    public PropertySetup Apply(PropertySetup setup)
    {
        if (Find("Ev_f", "FCC") is { } v)
            setup = setup with { VacancySupercell = v.Supercell ?? setup.VacancySupercell, VacancyCell = v.Cell ?? setup.VacancyCell };
        if (Find("Edumbbell_f", "FCC") is { } d)
            setup = setup with { DumbbellSupercell = d.Supercell ?? setup.DumbbellSupercell, DumbbellCell = d.Cell ?? setup.DumbbellCell };
        return setup;
    }

    private static void Add(List<TargetProperty> properties, Dictionary<(string, string), int> seen, string path, TargetProperty p)
    {
        if ((p.Supercell is not null || p.Cell is not null) && !WithSetup.Contains((p.Name, p.Structure)))
            throw new DataFormatException(path, p.Line, $"{p.Name} {p.Structure} cannot name a cell (supercell, cell): only {string.Join(" and ", WithSetup.Select(w => $"{w.Name} {w.Structure}"))} can");
        if (seen.TryGetValue((p.Name, p.Structure), out var earlier))
            throw new DataFormatException(path, p.Line, $"{p.Name} {p.Structure} is given twice (first on line {earlier})");
        seen[(p.Name, p.Structure)] = p.Line;
        properties.Add(p);
    }

    private static TargetProperties ReadJson(string path)
    {
        var bytes = InputFile.ReadAllBytes(path, "a target-properties file");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            var detail = e.Message;
            var cut = detail.IndexOf(" Path:", StringComparison.Ordinal);
            if (cut > 0) detail = detail[..cut];
            throw new DataFormatException(path, e.LineNumber is long l ? (int)l + 1 : null, "invalid JSON: " + detail.Trim(), e);
        }
        using (document)
        {
            var root = document.RootElement;
            var title = "";
            JsonElement list;
            var recordDepth = 1;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("title", out var t))
                {
                    if (t.ValueKind != JsonValueKind.String) throw new DataFormatException(path, 1, "\"title\" must be a string");
                    title = t.GetString()!;
                }
                if (!root.TryGetProperty("properties", out list))
                    throw new DataFormatException(path, 1, "no \"properties\" list: expected {\"properties\": [{\"property\": ..., \"structure\": ..., \"value\": ..., \"unit\": ...}]}");
                recordDepth = 2;
            }
            else list = root;
            if (list.ValueKind != JsonValueKind.Array) throw new DataFormatException(path, 1, "the properties must be a list of records");
            var lines = RecordLines(bytes, recordDepth);
            var properties = new List<TargetProperty>();
            var seen = new Dictionary<(string, string), int>();
            var index = 0;
            foreach (var record in list.EnumerateArray())
            {
                var line = index < lines.Count ? lines[index] : 1;
                DataFormatException Error(string reason) => new(path, line, $"record {index}: {reason}");
                if (record.ValueKind != JsonValueKind.Object) throw Error("expected an object {\"property\", \"structure\", \"value\", \"unit\"}");
                string Text(string key)
                {
                    if (!record.TryGetProperty(key, out var v)) throw Error($"no \"{key}\"");
                    if (v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString())) throw Error($"\"{key}\" must be a non-empty string");
                    return v.GetString()!.Trim();
                }
                double? Number(string key, bool required, bool positive, bool nonNegative = false)
                {
                    if (!record.TryGetProperty(key, out var v))
                        return required ? throw Error($"no \"{key}\"") : null;
                    if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var x)) throw Error($"\"{key}\" must be a number");
                    if (!double.IsFinite(x)) throw Error($"\"{key}\" is not finite");
                    if (positive && !(x > 0)) throw Error($"\"{key}\" must be positive (got {x.ToString(CultureInfo.InvariantCulture)})");
                    if (nonNegative && x < 0) throw Error($"\"{key}\" cannot be negative (got {x.ToString(CultureInfo.InvariantCulture)})");
                    return x;
                }
                var name = Text("property");
                var structure = Text("structure");
                var value = Number("value", true, false)!.Value;
                var unit = record.TryGetProperty("unit", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()!.Trim() :
                    throw Error("\"unit\" must be a string (\"\" for a dimensionless property)");
                var weight = Number("weight", false, false, nonNegative: true);
                int? supercell = null;
                if (record.TryGetProperty("supercell", out var sc))
                    supercell = sc.ValueKind == JsonValueKind.Number && sc.TryGetInt32(out var n) ? ParseSupercell(n.ToString(CultureInfo.InvariantCulture), path, line)
                        : throw Error("\"supercell\" must be a whole number of conventional cubes from 2 to 12");
                Simulation.CellRelaxation? cell = null;
                if (record.TryGetProperty("cell", out var cv))
                    cell = cv.ValueKind == JsonValueKind.String ? ParseCell(cv.GetString()!, path, line) : throw Error("\"cell\" must be \"constant-volume\" or \"zero-pressure\"");
                Add(properties, seen, path, new TargetProperty(name, structure, value, unit, line, weight, Number("tolerance", false, true), supercell, cell));
                index++;
            }
            if (properties.Count == 0) throw new DataFormatException(path, null, "no properties: the list is empty");
            return new TargetProperties(path, title, properties);
        }
    }

    /// <summary>
    /// The 1-based line on which each element of the records' list starts, in order (for messages): the top-level list,
    /// or the list under "properties" of a top-level object (<paramref name="depth"/> 2).
    /// </summary>
    private static List<int> RecordLines(ReadOnlySpan<byte> json, int depth)
    {
        var lines = new List<int>();
        var reader = new Utf8JsonReader(json);
        var line = 1;
        var scanned = 0;
        var inList = depth == 1;
        while (reader.Read())
        {
            if (!inList)
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("properties"u8))
                {
                    reader.Read();
                    inList = reader.TokenType == JsonTokenType.StartArray;
                }
                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth == 1) reader.Skip();
                continue;
            }
            if (reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth - 1) break;
            if (reader.CurrentDepth != depth) continue;
            var at = (int)reader.TokenStartIndex;
            for (; scanned < at; scanned++)
                if (json[scanned] == (byte)'\n') line++;
            lines.Add(line);
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
        }
        return lines;
    }

    /// <summary>The properties in the JSON form (weights and tolerances written where set).</summary>
    public static string ToJson(string title, IEnumerable<TargetProperty> properties)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("title", title);
            w.WriteStartArray("properties");
            foreach (var p in properties)
            {
                w.WriteStartObject();
                w.WriteString("property", p.Name);
                w.WriteString("structure", p.Structure);
                w.WriteNumber("value", p.Value);
                w.WriteString("unit", p.Unit);
                if (p.Weight is { } weight) w.WriteNumber("weight", weight);
                if (p.Tolerance is { } tol) w.WriteNumber("tolerance", tol);
                if (p.Supercell is { } n) w.WriteNumber("supercell", n);
                if (p.Cell is { } cell) w.WriteString("cell", cell == Simulation.CellRelaxation.Fixed ? "constant-volume" : "zero-pressure");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
