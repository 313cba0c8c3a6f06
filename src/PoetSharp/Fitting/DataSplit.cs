using PoetSharp.Atoms;
using PoetSharp.Data;

namespace PoetSharp.Fitting;

/// <summary>
/// A division of a data set into training and validation structures (whole structures, never atoms, since a
/// structure's forces are correlated). Both parts keep the data set's order.
/// </summary>
public sealed class DataSplit
{
    private DataSplit(Dataset training, Dataset validation)
    {
        Training = training;
        Validation = validation;
    }

    public Dataset Training { get; }
    public Dataset Validation { get; }

    /// <summary>
    /// A random split: round(fraction · n) structures, drawn with a seeded generator, go to validation; the same data,
    /// fraction and seed always give the same split. A positive fraction of a set of at least two structures leaves at
    /// least one structure in each part.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not in [0, 1).</exception>
    public static DataSplit Random(Dataset data, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "the validation fraction must lie in [0, 1)");
        var n = data.Count;
        var count = (int)Math.Round(validationFraction * n, MidpointRounding.AwayFromZero);
        if (validationFraction > 0 && n >= 2) count = Math.Clamp(count, 1, n - 1);

        // Partial Fisher–Yates: the first `count` entries of the permutation are the validation indices.
        var order = Enumerable.Range(0, n).ToArray();
        var random = new System.Random(seed);
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, n);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var validation = new bool[n];
        for (var i = 0; i < count; i++) validation[order[i]] = true;
        return Split(data, s => validation[s]);
    }

    /// <summary>The structures of the named groups go to validation, all others to training.</summary>
    /// <exception cref="ArgumentException">A named group does not occur in the data (the message lists those that do).</exception>
    public static DataSplit ByGroups(Dataset data, IEnumerable<string> validationGroups)
    {
        ArgumentNullException.ThrowIfNull(data);
        var groups = validationGroups.ToHashSet(StringComparer.Ordinal);
        var known = data.Groups;
        var unknown = groups.Where(g => !known.Contains(g)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"no structure belongs to group(s) {string.Join(", ", unknown.Select(g => $"'{g}'"))}; " +
                $"the groups are {string.Join(", ", known.Select(g => $"'{g}'"))}");
        return Split(data, s => groups.Contains(data[s].Group));
    }

    private static DataSplit Split(Dataset data, Func<int, bool> isValidation)
    {
        var training = new List<Structure>();
        var validation = new List<Structure>();
        for (var s = 0; s < data.Count; s++) (isValidation(s) ? validation : training).Add(data[s]);
        var result = new DataSplit(new Dataset(training, data.Source), new Dataset(validation, data.Source));
        result.Training.Notes.AddRange(data.Notes);
        result.Validation.Notes.AddRange(data.Notes);
        return result;
    }
}
