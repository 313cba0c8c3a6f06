using System.Globalization;
using PoetSharp.Data;

namespace PoetSharp.Properties;

/// <summary>A reference property with the line it was read from.</summary>
public sealed record TargetProperty(string Name, string Structure, double Value, string Unit, int Line)
{
    public PropertyValue ToValue() => new(Name, Structure, Value, Unit);
}

/// <summary>
/// POET's reference property file (<c>TargetProperties_0K.data</c>): an optional first line holding a single word (the
/// reference's title, e.g. "reference_1"), then rows <c>name structure value unit</c> separated by spaces or tabs
/// (e.g. "a0 FCC 3.632 Å", "Esurf_100 FCC 91.98 meV/(Å^2)"). Blank lines are skipped. A (name, structure) pair appears once.
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

    /// <summary>Reads the file; every problem is a <see cref="DataFormatException"/> naming the file and line.</summary>
    public static TargetProperties Read(string path)
    {
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
            if (tokens.Length != 4)
                throw new DataFormatException(path, line, $"expected 4 fields 'name structure value unit', found {tokens.Length}");
            if (!double.TryParse(tokens[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new DataFormatException(path, line, $"value '{tokens[2]}' of {tokens[0]} {tokens[1]} is not a number");
            if (!double.IsFinite(value))
                throw new DataFormatException(path, line, $"value '{tokens[2]}' of {tokens[0]} {tokens[1]} is not finite");
            if (seen.TryGetValue((tokens[0], tokens[1]), out var earlier))
                throw new DataFormatException(path, line, $"{tokens[0]} {tokens[1]} is given twice (first on line {earlier})");
            seen[(tokens[0], tokens[1])] = line;
            properties.Add(new TargetProperty(tokens[0], tokens[1], value, tokens[3], line));
        }
        if (properties.Count == 0) throw new DataFormatException(path, null, "no properties: expected rows 'name structure value unit'");
        return new TargetProperties(path, title, properties);
    }
}
