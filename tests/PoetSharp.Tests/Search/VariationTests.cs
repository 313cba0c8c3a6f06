using PoetSharp.Models;
using PoetSharp.Search;

namespace PoetSharp.Tests.Search;

public class VariationTests
{
    private static readonly TreeLimits Limits = new(MaxNodes: 25, MaxDepth: 8);

    /// <summary>Every variation operator (a test fails here when one is added without being tested).</summary>
    public static TheoryData<Operator> Operators() => new(Enum.GetValues<Operator>());

    private static List<Expression> Parents(SearchRandom random, int count) =>
        Enumerable.Range(0, count).Select(k => Grammar.Atom(random, 1 + k % 3, 3 + k % 2, metalsPrior: true)).Where(Limits.Allows).ToList();

    [Theory]
    [MemberData(nameof(VariationTests.Operators), MemberType = typeof(VariationTests))]
    public void EveryOperatorKeepsTypingAndLimits(Operator op)
    {
        var random = new SearchRandom(7);
        var parents = Parents(random, 200);
        var produced = 0;
        var changed = 0;
        for (var k = 0; k < 2000; k++)
        {
            var a = random.Pick(parents);
            var b = random.Pick(parents);
            var child = Variation.Apply(op, a, b, random, Limits, metalsPrior: k % 2 == 0);
            if (child == null) continue;
            produced++;
            child.RequireAtomExpression();
            Assert.Equal(Level.Atom, child.RootLevel);
            Assert.True(child.SumCount > 0);
            Assert.True(child.Length <= Limits.MaxNodes, $"{op}: {child.Length} nodes");
            Assert.True(TreeShape.DepthOf(child) <= Limits.MaxDepth);
            // The exact text form parses back to the same tree (checkpoints rely on it).
            Assert.Equal(ExpressionHash.Exact(child), ExpressionHash.Exact(ExpressionParser.ParseModel(ExpressionPrinter.PrintExact(child))));
            if (ExpressionHash.Exact(child) != ExpressionHash.Exact(a)) changed++;
        }
        Assert.True(produced > 200, $"{op} produced only {produced} children");
        Assert.True(changed > produced / 2, $"{op} changed only {changed} of {produced}");
    }

    [Fact]
    public void CrossoverCanMakePoetsExample()
    {
        // POET: Σ(1−r) + 14 and (r + 11)·Σ(3 + r) can give Σ(1−r) + Σ(3+r).
        var a = ExpressionParser.ParseModel("sum(1 - r) + 14");
        var b = ExpressionParser.ParseModel("(2 + 11) * sum(3 + r)");
        var target = ExpressionHash.Structural(ExpressionParser.ParseModel("sum(1 - r) + sum(3 + r)"));
        var random = new SearchRandom(3);
        var found = false;
        for (var k = 0; k < 500 && !found; k++)
            found = Variation.Crossover(a, b, random, Limits) is { } c && ExpressionHash.Structural(c) == target;
        Assert.True(found);
    }

    [Fact]
    public void CrossoverNeverPutsRIntoTheAtomLevelOrASumIntoASum()
    {
        var a = ExpressionParser.ParseModel("sum(r^-9) - sum(r^-6)^0.5");
        var b = ExpressionParser.ParseModel("2*sum(0.3^r) + sum(r - 1)");
        var random = new SearchRandom(5);
        for (var k = 0; k < 500; k++)
        {
            var child = Variation.Crossover(a, b, random, Limits);
            if (child == null) continue;
            var shape = new TreeShape(child);
            for (var i = 0; i < child.Length; i++)
            {
                if (child.Nodes[i].Kind == NodeKind.Distance) Assert.True(shape.InsideSum[i]);
                if (child.Nodes[i].Kind == NodeKind.Sum) Assert.False(shape.InsideSum[i]);
            }
        }
    }

    [Fact]
    public void LimitsRejectOversizedChildren()
    {
        var tight = new TreeLimits(MaxNodes: 9, MaxDepth: 5);
        var big = ExpressionParser.ParseModel("sum(r^-9) - sum(r^-6)^0.5");
        Assert.False(tight.Allows(big));
        var random = new SearchRandom(11);
        for (var k = 0; k < 300; k++)
        {
            var child = Variation.Apply(Operator.AddSumTerm, ExpressionParser.ParseModel("sum(r^-9)"), big, random, tight, metalsPrior: true);
            if (child != null) Assert.True(child.Length <= 9 && TreeShape.DepthOf(child) <= 5);
            Assert.Null(Variation.Apply(Operator.Insertion, big, big, random, tight, metalsPrior: true));
        }
    }

    [Fact]
    public void RemoveSumTermKeepsASum()
    {
        var random = new SearchRandom(2);
        Assert.Null(Variation.RemoveSumTerm(ExpressionParser.ParseModel("sum(r^-9) + 3"), random, Limits));
        var child = Variation.RemoveSumTerm(ExpressionParser.ParseModel("sum(r^-9) - sum(r^-6)^0.5"), random, Limits);
        Assert.NotNull(child);
        Assert.Equal(1, child.SumCount);
    }

    [Fact]
    public void ConstantJitterKeepsTheForm()
    {
        var e = ExpressionParser.ParseModel("sum(644.52*r^-9) - sum(527.62*r^-6)^0.5");
        var child = Variation.ConstantJitter(e, new SearchRandom(4))!;
        Assert.Equal(ExpressionHash.Structural(e), ExpressionHash.Structural(child));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GrammarTreesAreModels(bool metalsPrior)
    {
        var random = new SearchRandom(9);
        for (var k = 0; k < 500; k++)
        {
            var e = Grammar.Atom(random, 1 + k % 3, 3 + k % 3, metalsPrior);
            e.RequireAtomExpression();
            Assert.True(e.SumCount > 0);
        }
    }

    /// <summary>Σg ± c·(Σh)^p or Σg − (Σh)^p at the root: the embedded-atom shape (shared with <see cref="GrammarPriorTests"/>).</summary>
    internal static bool EmbeddedAtomShaped(Expression e)
    {
        if (e.Root.Kind is not (NodeKind.Add or NodeKind.Sub) || e.Nodes[e.LeftChild(e.Length - 1)].Kind != NodeKind.Sum) return false;
        var right = e.Subtree(e.Length - 2);
        if (right.Root.Kind == NodeKind.Mul && right.Nodes[right.LeftChild(right.Length - 1)].Kind == NodeKind.Constant) right = right.Subtree(right.Length - 2);
        return right.Root.Kind == NodeKind.Pow && right.Nodes[right.LeftChild(right.Length - 1)].Kind == NodeKind.Sum;
    }

    [Fact]
    public void TheMetalsPriorDrawsEmbeddedAtomShapesAndOnlyItDoes()
    {
        // A quarter of deep random trees with the prior, rare without it (the general grammar reaches the shape only by chance).
        double Share(bool prior)
        {
            var random = new SearchRandom(5);
            return Enumerable.Range(0, 2000).Count(k => EmbeddedAtomShaped(Grammar.Atom(random, 2 + k % 2, 3, prior))) / 2000.0;
        }
        var (on, off) = (Share(true), Share(false));
        Assert.True(on > 0.8 * GrammarPriors.Default.EmbeddedAtomShare, $"with the prior {on:P1}");
        Assert.True(off < 0.1, $"without the prior {off:P1}");
    }

    [Fact]
    public void EmbeddedAtomTreesAreAPairSumPlusAPowerOfASum()
    {
        var random = new SearchRandom(11);
        for (var k = 0; k < 200; k++)
        {
            var e = Grammar.EmbeddedAtom(random);
            e.RequireAtomExpression();
            Assert.Equal(2, e.SumCount);
            var (_, atomExponents) = RecoveryChecks.PowerExponents(e);
            Assert.NotEmpty(atomExponents);
        }
    }
}

/// <summary>Random models and variation with several elements: one expression per element, always a valid model.</summary>
public class SpeciesVariationTests
{
    private static readonly string[] Elements = ["Ni", "Cu"];
    private static readonly TreeLimits Limits = new();

    [Theory]
    [MemberData(nameof(VariationTests.Operators), MemberType = typeof(VariationTests))]
    public void EveryOperatorKeepsOneExpressionPerElement(Operator op)
    {
        var random = new SearchRandom(11);
        var parents = Enumerable.Range(0, 200).Select(k => Grammar.Model(random, 1 + k % 3, 3 + k % 2, true, null, Elements))
            .Where(Limits.Allows).ToList();
        Assert.True(parents.Count > 100);
        int produced = 0, elementChanges = 0;
        for (var k = 0; k < 1500; k++)
        {
            var a = random.Pick(parents);
            var child = Variation.Apply(op, a, random.Pick(parents), random, Limits, metalsPrior: true, null, Elements);
            if (child == null) continue;
            produced++;
            // A valid model of both elements: one at[..] term each, every named element one of the data's.
            new Model("child", child, 5, PoetSharp.Potentials.Taper.Copper, Elements).Validate();
            Assert.Equal(2, child.CentralTerms.Length);
            Assert.True(Limits.Allows(child));
            if (op == Operator.PointMutation && SumElements(child).SequenceEqual(SumElements(a)) == false) elementChanges++;
        }
        Assert.True(produced > 300, $"{op}: only {produced} children");
        if (op == Operator.PointMutation) Assert.True(elementChanges > 10, $"only {elementChanges} sums changed their element");
    }

    /// <summary>The alloy prior's shape: every element's density a sum over one function per neighbour element (two elements).</summary>
    internal static bool AlloyShaped(Expression e) => e.CentralTerms.ToArray().All(t =>
        e.Subtree(t.Node - 1).Nodes.ToArray().Count(n => n.Kind == NodeKind.Sum && n.Element != 0) >= 4);

    private static byte[] SumElements(Expression e) => e.Nodes.ToArray().Where(n => n.Kind == NodeKind.Sum).Select(n => n.Element).ToArray();

    [Fact]
    public void RandomModelsUseSpeciesResolvedSumsAndTheAlloyPrior()
    {
        var random = new SearchRandom(3);
        var models = Enumerable.Range(0, 2000).Select(k => Grammar.Model(random, 2 + k % 2, 3, true, null, Elements)).ToList();
        var sums = models.SelectMany(SumElements).ToList();
        var resolved = sums.Count(z => z != 0) / (double)sums.Count;
        Assert.InRange(resolved, 0.5, 0.9); // 70 % of new sums run over one element's neighbours
        var alloy = models.Count(AlloyShaped) / 2000.0;
        Assert.True(alloy > 0.8 * GrammarPriors.Default.EmbeddedAtomShare, $"alloy-shaped {alloy:P1}");
        // Without the prior, none is drawn that way on purpose.
        var plain = Enumerable.Range(0, 2000).Select(k => Grammar.Model(random, 2 + k % 2, 3, false, null, Elements)).Count(AlloyShaped) / 2000.0;
        Assert.True(plain < 0.5 * alloy, $"without the prior {plain:P1}");
    }
}
