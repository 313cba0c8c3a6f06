using PoetSharp.Models;
using PoetSharp.Search;

namespace PoetSharp.Tests.Search;

/// <summary>The pieces the cluster builds on: the epoch function, island snapshots, mutation weights as settings, reasons for rejection.</summary>
public sealed class IslandExecutorTests
{
    private static SearchProblem Problem => SearchEngineTests.Problem.Value;

    [Fact]
    public void AnIslandRestoredFromItsSnapshotEvolvesExactlyAsTheOriginal()
    {
        var settings = SearchEngineTests.Tiny(2);
        var original = new Island(0, Problem, settings, SearchRandom.ForStream(settings.Seed, 0));
        original.Initialise([]);
        Assert.True(IslandEpoch.Run(original, new EpochTask(1, null), () => false));
        var copy = IslandSnapshot.Of(original).Restore(0, Problem, settings, "test");
        Assert.True(IslandEpoch.Run(original, new EpochTask(3, null), () => false));
        Assert.True(IslandEpoch.Run(copy, new EpochTask(3, null), () => false));
        Assert.Equal(3, copy.Generation);
        Assert.Equal(Json(IslandSnapshot.Of(original)), Json(IslandSnapshot.Of(copy)));
    }

    [Fact]
    public void AnEpochStopsAtItsDeadlineBetweenGenerations()
    {
        var settings = SearchEngineTests.Tiny(2);
        var island = new Island(0, Problem, settings, SearchRandom.ForStream(settings.Seed, 0));
        island.Initialise([]);
        var before = Json(IslandSnapshot.Of(island));
        Assert.False(IslandEpoch.Run(island, new EpochTask(5, DateTime.UtcNow.AddSeconds(-1)), () => false));
        Assert.Equal(before, Json(IslandSnapshot.Of(island)));
        var calls = 0;
        Assert.False(IslandEpoch.Run(island, new EpochTask(5, null), () => ++calls > 3));
        // Stopped inside a generation: rolled back to a whole one.
        Assert.Equal(0, island.Generation);
        Assert.Equal(before, Json(IslandSnapshot.Of(island)));
    }

    [Fact]
    public void MutationWeightsAreSettings()
    {
        // Only constant jitter, no crossover, no immigrants: every offspring has a parent's form.
        var settings = SearchEngineTests.Tiny(3) with
        {
            Islands = 1, CrossoverProbability = 0, ImmigrantFraction = 0,
            MutationWeights = new Dictionary<Operator, double> { [Operator.ConstantJitter] = 1, [Operator.Hoist] = 0 },
        };
        var island = new Island(0, Problem, settings, SearchRandom.ForStream(settings.Seed, 0));
        island.Initialise([]);
        // A form up to the signs of its addends: a fit may turn an amplitude negative (the amplitude solve often does),
        // and the simplifier then writes a + (−c)·x as a − c·x.
        static ulong Form(Candidate c) => ExpressionHash.Structural(new Expression(
            c.Expression.Nodes.ToArray().Select(n => n.Kind == NodeKind.Sub ? n with { Kind = NodeKind.Add } : n).ToArray(), c.Expression.Constants));
        var forms = island.Population.Select(Form).ToHashSet();
        IslandEpoch.Run(island, new EpochTask(3, null), () => false);
        Assert.All(island.Population, c => Assert.Contains(Form(c), forms));
        // The default weights do make new forms.
        var free = new Island(0, Problem, settings with { MutationWeights = SearchSettings.DefaultMutationWeights }, SearchRandom.ForStream(settings.Seed, 0));
        free.Initialise([]);
        IslandEpoch.Run(free, new EpochTask(3, null), () => false);
        Assert.Contains(free.Population, c => !forms.Contains(Form(c)));
    }

    [Theory]
    [InlineData(Operator.Crossover, 1.0, "not a mutation")]
    [InlineData(Operator.Hoist, -1.0, "non-negative")]
    [InlineData(Operator.Hoist, double.NaN, "non-negative")]
    public void BadMutationWeightsAreRefused(Operator op, double weight, string message)
    {
        var settings = SearchEngineTests.Tiny(1) with { MutationWeights = new Dictionary<Operator, double> { [Operator.PointMutation] = 1, [op] = weight } };
        Assert.Contains(message, Assert.Throws<ArgumentException>(settings.Validate).Message);
        var none = SearchEngineTests.Tiny(1) with { MutationWeights = new Dictionary<Operator, double> { [Operator.PointMutation] = 0 } };
        Assert.Contains("positive weight", Assert.Throws<ArgumentException>(none.Validate).Message);
    }

    [Fact]
    public void CandidatesThatFailSayWhy()
    {
        var settings = SearchEngineTests.Tiny(1);
        var evaluator = new CandidateEvaluator(Problem, settings with { ShortRange = ShortRangePolicy.Reject });
        // Attractive at short range: rejected under --short-range reject, with that reason.
        var attractive = evaluator.Evaluate(ExpressionParser.ParseModel("sum(r)"), 0);
        Assert.Null(attractive.Candidate);
        Assert.Equal(CandidateOutcome.ShortRangeRejected, attractive.Rejected);
        var nan = evaluator.Evaluate(ExpressionParser.ParseModel("sum(r/(r - r))"), 0);
        Assert.Null(nan.Candidate);
        Assert.Equal(CandidateOutcome.NotFinite, nan.Rejected);
        var fine = new CandidateEvaluator(Problem, settings).Evaluate(ExpressionParser.ParseModel("sum(2*r^-6)"), 0);
        Assert.NotNull(fine.Candidate);
        Assert.Null(fine.Rejected);
        // A whole search counts them by reason.
        var engine = new SearchEngine(Problem, settings with { MaxGenerations = 2 });
        engine.Run();
        Assert.Equal(engine.Invalid, engine.InvalidReasons.Sum(r => r.Count));
    }

    private static string Json(IslandSnapshot s) => System.Text.Json.JsonSerializer.Serialize(s);
}
