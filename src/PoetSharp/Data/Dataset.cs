using PoetSharp.Atoms;

namespace PoetSharp.Data;

/// <summary>A list of (labelled) structures, e.g. a training set, with summary statistics overall and per group.</summary>
public sealed class Dataset
{
    private readonly List<Structure> _structures;

    public Dataset(IEnumerable<Structure> structures, string source = "")
    {
        _structures = structures.ToList();
        Source = source;
    }

    /// <summary>Where the data came from (a path), for messages.</summary>
    public string Source { get; }

    /// <summary>Facts a reader records about the data (e.g. which of several energies a file gives was kept).</summary>
    public List<string> Notes { get; } = new();
    public IReadOnlyList<Structure> Structures => _structures;
    public int Count => _structures.Count;
    public Structure this[int index] => _structures[index];

    /// <summary>Group names in order of first appearance.</summary>
    public IReadOnlyList<string> Groups => _structures.Select(s => s.Group).Distinct().ToArray();

    public Dataset Where(Func<Structure, bool> predicate) => new(_structures.Where(predicate), Source);
    public Dataset Group(string group) => Where(s => s.Group == group);

    public static Dataset Concat(string source, params Dataset[] parts)
    {
        var d = new Dataset(parts.SelectMany(p => p.Structures), source);
        foreach (var p in parts) d.Notes.AddRange(p.Notes);
        return d;
    }

    public DatasetSummary Summarize() => DatasetSummary.Of(_structures, "all");

    /// <summary>One summary per group (in order of first appearance).</summary>
    public IReadOnlyList<DatasetSummary> SummarizeGroups() =>
        Groups.Select(g => DatasetSummary.Of(_structures.Where(s => s.Group == g).ToList(), g)).ToArray();
}

/// <summary>A closed range of values with mean and standard deviation (population).</summary>
public readonly record struct ValueRange(int Count, double Min, double Max, double Mean, double StdDev)
{
    public static ValueRange? Of(IEnumerable<double> values)
    {
        int n = 0; double min = double.PositiveInfinity, max = double.NegativeInfinity, mean = 0, m2 = 0;
        foreach (var v in values)
        {
            n++;
            if (v < min) min = v;
            if (v > max) max = v;
            var d = v - mean; mean += d / n; m2 += d * (v - mean); // Welford: stable for large sets
        }
        return n == 0 ? null : new ValueRange(n, min, max, mean, Math.Sqrt(m2 / n));
    }
}

/// <summary>Summary statistics of a set of structures (what `poet data info` prints).</summary>
public sealed record DatasetSummary(
    string Name,
    int Structures,
    int Atoms,
    IReadOnlyDictionary<string, int> AtomsPerSpecies,
    int MinAtomsPerStructure,
    int MaxAtomsPerStructure,
    int WithEnergy,
    int WithForces,
    int WithStress,
    ValueRange? EnergyPerAtom,
    ValueRange? ForceComponents,
    ValueRange? StressComponents)
{
    public static DatasetSummary Of(IReadOnlyList<Structure> structures, string name)
    {
        var species = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in structures)
            foreach (var sp in s.Species)
                species[sp] = species.GetValueOrDefault(sp) + 1;
        return new DatasetSummary(
            name,
            structures.Count,
            structures.Sum(s => s.Count),
            species,
            structures.Count == 0 ? 0 : structures.Min(s => s.Count),
            structures.Count == 0 ? 0 : structures.Max(s => s.Count),
            structures.Count(s => s.Energy.HasValue),
            structures.Count(s => s.Forces != null),
            structures.Count(s => s.Stress.HasValue),
            ValueRange.Of(structures.Where(s => s.Energy.HasValue).Select(s => s.Energy!.Value / s.Count)),
            ValueRange.Of(structures.Where(s => s.Forces != null).SelectMany(s => s.Forces!.SelectMany(f => new[] { f.X, f.Y, f.Z }))),
            ValueRange.Of(structures.Where(s => s.Stress.HasValue).SelectMany(s => s.Stress!.Value.ToVoigt())));
    }
}
