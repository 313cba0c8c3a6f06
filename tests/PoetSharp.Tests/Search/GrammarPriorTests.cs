using System.Globalization;
using System.Text.Json.Nodes;
using PoetSharp.Models;
using PoetSharp.Search;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Search;

/// <summary>
/// The grammar's priors as settings (<see cref="GrammarPriors"/>): each share governs its draws at the extremes, the
/// search's islands use the settings' priors, bad values are refused, and checkpoints keep them.
/// </summary>
public class GrammarPriorTests
{
    private static readonly string[] Elements = ["Ni", "Cu"];
    private static SearchProblem Problem => SearchEngineTests.Problem.Value;

    private static int Functions(Expression e) => e.Nodes.ToArray().Count(n => Operators.Unary.Contains(n.Kind));

    private static IReadOnlyList<NodeKind> AllFunctions()
    {
        var unary = new SearchSettings { OperatorSet = SearchSettings.ParseOperatorSet("all") }.UnaryOperators();
        Assert.NotEmpty(unary);
        return unary;
    }

    [Fact]
    public void EmbeddedAtomShareOneDrawsOnlyTheShape()
    {
        var always = new GrammarPriors { EmbeddedAtomShare = 1 };
        var random = new SearchRandom(5);
        for (var k = 0; k < 500; k++)
        {
            var e = Grammar.Atom(random, 2 + k % 2, 3, metalsPrior: true, priors: always);
            Assert.True(VariationTests.EmbeddedAtomShaped(e), ExpressionPrinter.PrintExact(e));
        }
        // With several elements, every random model has the EAM-alloy shape.
        for (var k = 0; k < 200; k++)
        {
            var e = Grammar.Model(random, 2 + k % 2, 3, true, null, Elements, priors: always);
            Assert.True(SpeciesVariationTests.AlloyShaped(e), ExpressionPrinter.PrintExact(e));
        }
    }

    [Fact]
    public void EmbeddedAtomShareZeroDrawsNoneOnPurpose()
    {
        // The general grammar reaches the shape now and then by chance, so "none" is checked exactly: with share 0 the
        // prior's coin always says no, and every tree is the one the general grammar draws from the generator after that coin.
        var never = new GrammarPriors { EmbeddedAtomShare = 0 };
        var random = new SearchRandom(5);
        var shaped = 0;
        for (var k = 0; k < 1000; k++)
        {
            var general = SearchRandom.FromState(random.State);
            general.NextDouble();
            var e = Grammar.Atom(random, 2 + k % 2, 3, metalsPrior: true, priors: never);
            Assert.Equal(ExpressionPrinter.PrintExact(Grammar.Atom(general, 2 + k % 2, 3, metalsPrior: false)), ExpressionPrinter.PrintExact(e));
            Assert.Equal(general.State, random.State);
            if (VariationTests.EmbeddedAtomShaped(e)) shaped++;
        }
        Assert.True(shaped < 100, $"{shaped} of 1000 embedded-atom shaped");
    }

    [Fact]
    public void UnaryShareZeroDrawsNoFunctions()
    {
        var unary = AllFunctions();
        var none = new GrammarPriors { UnaryShare = 0 };
        var random = new SearchRandom(7);
        var trees = Enumerable.Range(0, 500).Select(k => Grammar.Model(random, 1 + k % 3, 3 + k % 3, k % 2 == 0, unary, null, null, none)).ToList();
        Assert.All(trees, e => Assert.Equal(0, Functions(e)));
        Assert.All(Enumerable.Range(0, 200), k => Assert.Equal(0, Functions(Grammar.Pair(random, 5, unary, none))));
        // Mutations that build new nodes or subtrees create none either.
        var limits = new TreeLimits();
        var parents = trees.Where(limits.Allows).ToList();
        foreach (var op in new[] { Operator.Insertion, Operator.SubtreeReplacement, Operator.AddSumTerm })
            for (var k = 0; k < 300; k++)
                if (Variation.Apply(op, random.Pick(parents), random.Pick(parents), random, limits, true, unary, null, null, none) is { } child)
                    Assert.Equal(0, Functions(child));
    }

    [Fact]
    public void UnaryShareOneDrawsFunctionsWhereverItCan()
    {
        var unary = AllFunctions();
        var always = new GrammarPriors { UnaryShare = 1 };
        var random = new SearchRandom(7);
        var trees = Enumerable.Range(0, 500).Select(k => Grammar.Model(random, 1 + k % 3, 3 + k % 3, false, unary, null, null, always)).ToList();
        var withFunctions = trees.Count(e => Functions(e) > 0);
        Assert.True(withFunctions > 250, $"only {withFunctions} of 500 trees have a function");
        // Every insertion inserts a function.
        var limits = new TreeLimits(MaxNodes: 60, MaxDepth: 20);
        var parents = trees.Where(limits.Allows).ToList();
        var inserted = 0;
        for (var k = 0; k < 300; k++)
        {
            var parent = random.Pick(parents);
            if (Variation.Apply(Operator.Insertion, parent, parent, random, limits, false, unary, null, null, always) is not { } child) continue;
            Assert.Equal(Functions(parent) + 1, Functions(child));
            inserted++;
        }
        Assert.True(inserted > 100, $"only {inserted} insertions");
    }

    [Theory]
    [InlineData(nameof(GrammarPriors.EmbeddedAtomShare), -0.1)]
    [InlineData(nameof(GrammarPriors.AnyNeighbourShare), 1.5)]
    [InlineData(nameof(GrammarPriors.UnaryShare), double.NaN)]
    [InlineData(nameof(GrammarPriors.EmbeddedAtomShare), double.NaN)]
    [InlineData(nameof(GrammarPriors.AnyNeighbourShare), -0.1)]
    [InlineData(nameof(GrammarPriors.UnaryShare), 1.5)]
    public void InvalidPriorsAreRefusedByName(string prior, double value)
    {
        var priors = prior switch
        {
            nameof(GrammarPriors.EmbeddedAtomShare) => new GrammarPriors { EmbeddedAtomShare = value },
            nameof(GrammarPriors.AnyNeighbourShare) => new GrammarPriors { AnyNeighbourShare = value },
            _ => new GrammarPriors { UnaryShare = value },
        };
        var settings = SearchEngineTests.Tiny(1) with { Priors = priors };
        var e = Assert.Throws<ArgumentException>(settings.Validate);
        Assert.Contains(prior, e.Message);
        // The ends of [0, 1] are probabilities.
        (SearchEngineTests.Tiny(1) with { Priors = new GrammarPriors { EmbeddedAtomShare = 0, AnyNeighbourShare = 0, UnaryShare = 0 } }).Validate();
        (SearchEngineTests.Tiny(1) with { Priors = new GrammarPriors { EmbeddedAtomShare = 1, AnyNeighbourShare = 1, UnaryShare = 1 } }).Validate();
    }

    [Fact]
    public void IslandsDrawWithTheSettingsPriors()
    {
        // First population (random models): the embedded-atom share of the settings decides which models are drawn.
        var settings = SearchEngineTests.Tiny(1) with { Islands = 1 };
        Island Started(SearchSettings s)
        {
            var island = new Island(0, Problem, s, SearchRandom.ForStream(s.Seed, 0));
            island.Initialise([]);
            return island;
        }
        var never = Started(settings with { Priors = new GrammarPriors { EmbeddedAtomShare = 0 } });
        var always = Started(settings with { Priors = new GrammarPriors { EmbeddedAtomShare = 1 } });
        Assert.NotEqual(never.Seen.Order(), always.Seen.Order());
        // Offspring (mutations only, no fresh trees): from the same island state, the priors decide the new subtrees.
        var mutating = settings with
        {
            CrossoverProbability = 0, ImmigrantFraction = 0,
            MutationWeights = new Dictionary<Operator, double> { [Operator.SubtreeReplacement] = 1 },
        };
        var snapshot = IslandSnapshot.Of(never);
        var a = snapshot.Restore(0, Problem, mutating with { Priors = new GrammarPriors { EmbeddedAtomShare = 0 } }, "test");
        var b = snapshot.Restore(0, Problem, mutating with { Priors = new GrammarPriors { EmbeddedAtomShare = 1 } }, "test");
        Assert.True(a.Step(() => false));
        Assert.True(b.Step(() => false));
        Assert.NotEqual(a.Seen.Order(), b.Seen.Order());
    }

    [Fact]
    public void PriorsAreStoredInCheckpointsAndResumedAsStored()
    {
        var priors = new GrammarPriors { EmbeddedAtomShare = 0.6, AnyNeighbourShare = 0.1, UnaryShare = 0.4 };
        var path = Path.Combine(TestData.TempDir(), SearchCheckpoint.FileName);
        new SearchEngine(Problem, SearchEngineTests.Tiny(1) with { Priors = priors }) { CheckpointPath = path }.Run();
        Assert.Equal(priors, SearchCheckpoint.ReadHeader(path).Settings.Priors);
        // Resumed with settings of default priors, the stored priors still govern the search.
        Assert.Equal(priors, SearchCheckpoint.Resume(path, Problem, SearchEngineTests.Tiny(2)).Settings.Priors);
        // A checkpoint written before the priors were settings reads as the default.
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True(json["Settings"]!.AsObject().Remove(nameof(SearchSettings.Priors)));
        File.WriteAllText(path, json.ToJsonString());
        Assert.Equal(GrammarPriors.Default, SearchCheckpoint.ReadHeader(path).Settings.Priors);
    }

    // r^(a − b·r): a power of r whose exponent is a constant minus a constant times r.
    private static bool PowerDecay(Expression e)
    {
        var text = ExpressionPrinter.PrintExact(e);
        return text.StartsWith("r^(", StringComparison.Ordinal) && text.EndsWith("*r)", StringComparison.Ordinal) && text.Contains(" - ", StringComparison.Ordinal);
    }

    [Fact]
    public void PowerDecayShareDrawsRToALinearExponentAndZeroDrawsNothing()
    {
        var always = new GrammarPriors { PowerDecayShare = 1 };
        var random = new SearchRandom(9);
        for (var k = 0; k < 300; k++)
        {
            var e = Grammar.PairTerm(random, always);
            Assert.True(PowerDecay(e), ExpressionPrinter.PrintExact(e));
            Assert.Equal(2, e.ConstantCount);
            var c = e.Constants.ToArray();
            Assert.InRange(c[0], 3, 12);
            Assert.InRange(c[1], 1, 6);
        }
        // Share 0 (the default) draws exactly what the grammar drew before the prior existed: same terms, same stream.
        var plain = new SearchRandom(11);
        var gated = new SearchRandom(11);
        for (var k = 0; k < 300; k++)
        {
            Assert.Equal(ExpressionPrinter.PrintExact(Grammar.PairTerm(plain)), ExpressionPrinter.PrintExact(Grammar.PairTerm(gated, GrammarPriors.Default)));
            Assert.Equal(plain.State, gated.State);
        }
        Assert.Equal(0.2, GrammarPriors.Parse("power-decay=0.2").PowerDecayShare);
        Assert.Equal(0, GrammarPriors.Default.PowerDecayShare);
        Assert.Contains("power-decay", Assert.Throws<ArgumentException>(() => GrammarPriors.Parse("decay=0.2")).Message);
        Assert.Throws<ArgumentException>(() => GrammarPriors.Parse("power-decay=1.5"));
        // With the prior, the embedded-atom shape draws it too: GP1's pair term becomes reachable in one draw.
        var rng = new SearchRandom(3);
        var found = Enumerable.Range(0, 400).Count(_ => ExpressionPrinter.PrintExact(Grammar.EmbeddedAtom(rng, priors: new GrammarPriors { PowerDecayShare = 0.5 }))
            .Contains("r^(", StringComparison.Ordinal));
        Assert.True(found > 100, $"{found} of 400");
    }

    [Fact]
    public void InverseEmbeddingShareAddsABoundedInverseTermOfTheSameDensityAndZeroDrawsNothing()
    {
        var always = new GrammarPriors { InverseEmbeddingShare = 1 };
        var random = new SearchRandom(5);
        for (var k = 0; k < 200; k++)
        {
            var e = Grammar.EmbeddedAtom(random, priors: always);
            var text = ExpressionPrinter.PrintExact(e);
            // The last term is a·(b + Σh)^(−q): find the bracket the final power closes, and read a, b and the density.
            var close = text.LastIndexOf(")^-", StringComparison.Ordinal);
            Assert.True(close > 0, text);
            var open = close;
            for (var depth = 0; ; open--)
            {
                if (text[open] == ')') depth++;
                else if (text[open] == '(' && --depth == 0) break;
            }
            var inner = text[(open + 1)..close];
            var head = text[..open];
            Assert.EndsWith("*", head);
            var a = double.Parse(head[(head.LastIndexOf(' ') + 1)..^1], CultureInfo.InvariantCulture);
            Assert.InRange(a, 0.1, 2.1);
            var plus = inner.IndexOf(" + ", StringComparison.Ordinal);
            Assert.InRange(double.Parse(inner[..plus], CultureInfo.InvariantCulture), 0.05, 1);
            Assert.InRange(double.Parse(text[(close + 2)..], CultureInfo.InvariantCulture), -2.5, -0.5);
            // The same density as the embedding's: it appears earlier in the tree too.
            var density = inner[(plus + 3)..];
            Assert.True(head.Contains(density, StringComparison.Ordinal), text);
        }
        // Share 0 (the default) draws exactly what the grammar drew before the prior existed: same shapes, same stream.
        var plain = new SearchRandom(13);
        var gated = new SearchRandom(13);
        for (var k = 0; k < 300; k++)
        {
            Assert.Equal(ExpressionPrinter.PrintExact(Grammar.EmbeddedAtom(plain)), ExpressionPrinter.PrintExact(Grammar.EmbeddedAtom(gated, priors: GrammarPriors.Default)));
            Assert.Equal(plain.State, gated.State);
        }
        Assert.Equal(0.3, GrammarPriors.Parse("inverse-embedding=0.3").InverseEmbeddingShare);
        Assert.Equal(0, GrammarPriors.Default.InverseEmbeddingShare);
        Assert.Contains("inverse-embedding", Assert.Throws<ArgumentException>(() => GrammarPriors.Parse("inverse=0.2")).Message);
        Assert.Throws<ArgumentException>(() => GrammarPriors.Parse("inverse-embedding=-0.1"));
    }
}
