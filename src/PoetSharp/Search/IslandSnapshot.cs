using PoetSharp.Data;
using PoetSharp.Models;

namespace PoetSharp.Search;

/// <summary>
/// The whole state of one island as plain data: generator state, generation, counters, forms seen, population and
/// archive (expressions in their exact text form, constants bit for bit). It is what a checkpoint stores per island and
/// what travels to a cluster worker and back (<see cref="Cluster"/>): an island restored from its snapshot evolves
/// exactly as the original would have. Only strings, numbers and lists: nothing here names a type to create.
/// </summary>
public sealed class IslandSnapshot
{
    public int Generation { get; set; }
    public ulong[]? Random { get; set; }
    public long Evaluations { get; set; }
    public long Candidates { get; set; }
    public long Duplicates { get; set; }
    public long Invalid { get; set; }
    /// <summary>Why candidates were invalid, with counts (older checkpoints: none).</summary>
    public Dictionary<string, long>? InvalidReasons { get; set; }
    public ulong[]? Seen { get; set; }
    public List<CandidateSnapshot>? Population { get; set; }
    public List<CandidateSnapshot>? Archive { get; set; }

    internal static IslandSnapshot Of(Island island) => new()
    {
        Generation = island.Generation,
        Random = island.Random.State,
        Evaluations = island.Evaluations,
        Candidates = island.Candidates,
        Duplicates = island.Duplicates,
        Invalid = island.Invalid,
        InvalidReasons = island.InvalidReasons.Count == 0 ? null : new Dictionary<string, long>(island.InvalidReasons),
        Seen = island.Seen.Order().ToArray(),
        Population = island.Population.Select(CandidateSnapshot.Of).ToList(),
        Archive = island.Archive.Members.Select(CandidateSnapshot.Of).ToList(),
    };

    /// <summary>
    /// The island in this state (island <paramref name="index"/> of a search over <paramref name="problem"/>).
    /// <paramref name="source"/> names where the snapshot came from, for errors about unreadable content.
    /// </summary>
    internal Island Restore(int index, SearchProblem problem, SearchSettings settings, string source)
    {
        if (Random is not { Length: 4 } || Seen is null || Population is null || Archive is null)
            throw new DataFormatException(source, null, $"island {index}: incomplete state (generator, forms seen, population and archive are needed)");
        var island = new Island(index, problem, settings, SearchRandom.FromState(Random))
        {
            Generation = Generation,
            Evaluations = Evaluations,
            Candidates = Candidates,
            Duplicates = Duplicates,
            Invalid = Invalid,
        };
        if (InvalidReasons != null) foreach (var (reason, count) in InvalidReasons) island.InvalidReasons[reason] = count;
        foreach (var h in Seen) island.Seen.Add(h);
        island.Population.AddRange(Population.Select(c => c.ToCandidate(source)));
        // Archive members were accepted in this order before; offering them again rebuilds the same set.
        foreach (var c in Archive) island.Archive.Offer(c.ToCandidate(source));
        return island;
    }
}

/// <summary>A scored candidate as plain data (see <see cref="IslandSnapshot"/>).</summary>
public sealed class CandidateSnapshot
{
    public string Expression { get; set; } = "";
    public double TrainingFitness { get; set; }
    public double ValidationFitness { get; set; }
    public double CostPerPair { get; set; }
    public bool ShortRangePassed { get; set; }
    public string ShortRangeDetail { get; set; } = "";
    public int Generation { get; set; }
    public double TargetFitness { get; set; }
    public PhysicsStatus Physics { get; set; }
    public bool SanityPassed { get; set; } = true;
    public string SanityDetail { get; set; } = "";
    public bool TargetObjective { get; set; }

    public static CandidateSnapshot Of(Candidate c) => new()
    {
        // The exact text: the readable one folds signs, and a restored island must hold the very same trees.
        Expression = ExpressionPrinter.PrintExact(c.Expression),
        TrainingFitness = c.TrainingFitness,
        ValidationFitness = c.ValidationFitness,
        CostPerPair = c.CostPerPair,
        ShortRangePassed = c.ShortRangePassed,
        ShortRangeDetail = c.ShortRangeDetail,
        Generation = c.Generation,
        TargetFitness = c.TargetFitness,
        Physics = c.Physics,
        SanityPassed = c.SanityPassed,
        SanityDetail = c.SanityDetail,
        TargetObjective = c.TargetObjective,
    };

    public Candidate ToCandidate(string source)
    {
        Expression e;
        try
        {
            e = ExpressionParser.ParseModel(Expression);
        }
        catch (ExpressionSyntaxException x)
        {
            throw new DataFormatException(source, null, $"unreadable expression '{Expression}': {x.Message}");
        }
        return new Candidate(e, TrainingFitness, ValidationFitness, CostPerPair, ShortRangePassed, ShortRangeDetail, Generation,
            TargetFitness, Physics, SanityPassed, SanityDetail, TargetObjective);
    }
}
