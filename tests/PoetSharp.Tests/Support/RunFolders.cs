using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Search;

namespace PoetSharp.Tests.Support;

/// <summary>Run folders made by hand: a front.json of chosen entries and their model files, without a search.</summary>
internal static class RunFolders
{
    public const string Gp1 = "sum(r^(10.21-5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1";
    public const string SuttonChen = "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5";

    /// <summary>A front entry with the expression's own complexity and no per-set errors.</summary>
    public static FrontEntry Entry(int rank, string expression, double validationFitness, bool shortRange = true, SanityReport? sanity = null) =>
        new(rank, expression, expression, ExpressionParser.ParseModel(expression).Complexity, 10, validationFitness, validationFitness,
            shortRange, shortRange ? "repulsive" : "falls at short range", [], [], $"models/model-{rank:D2}.json", sanity);

    /// <summary>Writes front.json, front.md and models/model-NN.json ("front model N", copper, POET's taper) into a fresh folder.</summary>
    public static string Create(IReadOnlyList<FrontEntry> entries, bool recommend = true)
    {
        var dir = TestData.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "models"));
        foreach (var e in entries)
            ModelFile.Write(Path.Combine(dir, e.ModelFile), new Model($"front model {e.Rank}", ExpressionParser.ParseModel(e.Expression), 5, Taper.Copper, ["Cu"]));
        var front = new FrontFile("hand-made", 1, 1, 1, 1, entries, []);
        RunOutputs.WriteFront(dir, recommend ? Recommendation.Apply(front) : front);
        return dir;
    }
}
