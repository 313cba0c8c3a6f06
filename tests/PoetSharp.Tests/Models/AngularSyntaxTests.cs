using PoetSharp.Models;
using PoetSharp.Search;

namespace PoetSharp.Tests.Models;

/// <summary>Angular densities in the syntax, the simplifier, the cost model, hashing and the search's variation.</summary>
public class AngularSyntaxTests
{
    [Theory]
    [InlineData("ang0(0.4^r)")]
    [InlineData("ang1(r^-3)")]
    [InlineData("ang2[Si](1.5*r^-2 - 0.3^r)")]
    [InlineData("sum(r^-9) - (ang0(0.5^r) + 0.7*ang2(0.5^r))^0.25")]
    [InlineData("at[Mo](ang3[W](r^-4)) + at[W](sum(r^-6))")]
    public void AngularDensitiesParseAndPrintBack(string text)
    {
        var e = ExpressionParser.ParseModel(text);
        Assert.True(e.HasAngular);
        var again = ExpressionParser.ParseModel(ExpressionPrinter.PrintExact(e));
        Assert.Equal(ExpressionHash.Exact(e), ExpressionHash.Exact(again));
        Assert.Equal(e.Nodes.ToArray(), again.Nodes.ToArray());
    }

    [Fact]
    public void TheOrderAndTheElementAreSeparateForms()
    {
        var forms = new[] { "sum(0.4^r)", "ang0(0.4^r)", "ang1(0.4^r)", "ang2(0.4^r)", "ang3(0.4^r)", "ang2[Cu](0.4^r)" }
            .Select(t => ExpressionHash.Structural(ExpressionParser.ParseModel(t))).ToArray();
        Assert.Equal(forms.Length, forms.Distinct().Count());
        var e = ExpressionParser.ParseModel("ang3(0.4^r) + sum(r)");
        Assert.Equal(2, e.SumCount);
        Assert.Equal(1, e.AngularCount);
        Assert.Equal(Level.Atom, e.RootLevel);
    }

    [Theory]
    [InlineData("ang4(r)", "unknown identifier 'ang4'")]
    [InlineData("sum(ang2(r))", "ang2 inside a sum")]
    [InlineData("ang2(sum(r))", "sum inside a sum")]
    [InlineData("ang1(r) + r", "r outside a sum")]
    [InlineData("ang2[Xx](r)", "Xx")]
    public void MalformedAngularDensitiesAreRejectedWithAReason(string text, string reason)
    {
        var error = Assert.Throws<ExpressionSyntaxException>(() => ExpressionParser.ParseModel(text));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void TheLatexFormNamesTheOrderAndTheElement()
    {
        var latex = LatexPrinter.Print(ExpressionParser.ParseModel("2*ang2[Si](r^-3)"));
        Assert.Contains(@"\rho_{2}^{\mathrm{Si}}", latex);
    }

    [Fact]
    public void AConstantFactorLeavesAnAngularDensitySquared()
    {
        var simplified = Simplifier.Simplify(ExpressionParser.ParseModel("ang2(3*r^-2)"));
        Assert.Equal("9*ang2(r^-2)", simplified.ToString());
        Assert.Equal("0", Simplifier.Simplify(ExpressionParser.ParseModel("ang1(0)")).ToString());
        // Non-negative: √ρ_2 − 0·ρ_2 loses its zero product (the absorbing rule needs a non-negative operand).
        Assert.Equal("0", Simplifier.Simplify(ExpressionParser.ParseModel("0*ang3(r^-2)")).ToString());
    }

    [Fact]
    public void AngularDensitiesCostMoreThanSumsAndHigherOrdersMore()
    {
        var costs = new[] { "sum(r^-2)", "ang0(r^-2)", "ang1(r^-2)", "ang2(r^-2)", "ang3(r^-2)" }
            .Select(t => CostModel.PerPair(ExpressionParser.ParseModel(t))).ToArray();
        for (var k = 1; k < costs.Length; k++) Assert.True(costs[k] > costs[k - 1], string.Join(", ", costs));
        // ang3 keeps 10 moment components: its moment work alone is over twelve multiply-adds per pair.
        Assert.True(costs[4] - costs[0] > 12 * CostModel.Multiply);
    }

    [Fact]
    public void TheSearchDrawsAngularDensitiesOnlyWhenAsked()
    {
        var radial = new SearchRandom(11);
        for (var t = 0; t < 300; t++)
            Assert.False(Grammar.Model(radial, 3, 4, metalsPrior: true, unary: null, elements: null).HasAngular);
        var random = new SearchRandom(11);
        var angular = new AngularSearch { Orders = [1, 2] };
        var drawn = new HashSet<NodeKind>();
        var meamLike = 0;
        for (var t = 0; t < 300; t++)
        {
            var e = Grammar.Model(random, 3, 4, metalsPrior: true, unary: null, elements: null, angular);
            foreach (var node in e.Nodes) if (Nodes.IsAngular(node.Kind)) drawn.Add(node.Kind);
            if (e.Nodes.ToArray().Any(n => n.Kind == NodeKind.Angular0)) meamLike++;
        }
        // Orders 1 and 2 from the grammar; ang0 only from the MEAM-like prior, which holds it as ρ_0².
        Assert.Contains(NodeKind.Angular1, drawn);
        Assert.Contains(NodeKind.Angular2, drawn);
        Assert.DoesNotContain(NodeKind.Angular3, drawn);
        Assert.InRange(meamLike, 20, 150);
    }

    [Fact]
    public void APointMutationSwitchesBetweenSumsAndAngularDensities()
    {
        var model = ExpressionParser.ParseModel("sum(r^-6) - sum(0.5^r)^0.5");
        var random = new SearchRandom(5);
        var angular = new AngularSearch();
        var seen = new HashSet<string>();
        for (var t = 0; t < 400; t++)
            if (Variation.PointMutation(model, random, new TreeLimits(), null, null, angular) is { } child)
                foreach (var node in child.Nodes) if (Nodes.IsAngular(node.Kind)) seen.Add(Nodes.SumName(node.Kind));
        Assert.Equal(["ang0", "ang1", "ang2", "ang3"], seen.Order().ToArray());
    }

    [Theory]
    [InlineData("1,2", new[] { 1, 2 })]
    [InlineData("3, 0, 3", new[] { 0, 3 })]
    [InlineData("all", new[] { 0, 1, 2, 3 })]
    public void OrdersAreReadFromAList(string text, int[] expected) => Assert.Equal(expected, AngularSearch.ParseOrders(text));

    [Theory]
    [InlineData("4")]
    [InlineData("-1")]
    [InlineData("two")]
    [InlineData(",")]
    public void BadOrdersAreRejected(string text) => Assert.Throws<ArgumentException>(() => AngularSearch.ParseOrders(text));
}

/// <summary>The short-range check of models with angular densities (their sums recomputed from each neighbourhood).</summary>
public class AngularShortRangeTests
{
    // ang0(g) = (Σ g f)², so ang0(g)^0.5 is Σ g f and ang0(g)^0.25 is its square root: the same energies by another path.
    [Theory]
    [InlineData("sum(1000*r^-12) - sum(r^-6)^0.5", "sum(1000*r^-12) - ang0(r^-6)^0.25")]
    [InlineData("-sum(r^-6)", "-ang0(r^-6)^0.5")]
    [InlineData("sum(0.2*r^-1) - sum(30*r^-12)", "ang0(0.2*r^-1)^0.5 - sum(30*r^-12)")]
    public void AngularAndPlainFormsOfOneModelGetTheSameVerdict(string plain, string angular)
    {
        var check = new ShortRangeCheck(PoetSharp.Potentials.Taper.Copper, 2.55);
        var a = check.Check(ExpressionParser.ParseModel(plain));
        var b = check.Check(ExpressionParser.ParseModel(angular));
        Assert.Equal(a.Passed, b.Passed);
        Assert.Equal(a.Detail, b.Detail);
    }
}

/// <summary>What the run summary says about angular densities on a front.</summary>
public class AngularFrontNoteTests
{
    private static FrontEntry Entry(int rank, string expression, double fitness) =>
        new(rank, expression, expression, 5, 3.0, fitness, fitness, true, "", [], [], $"models/model-{rank:00}.json");

    [Fact]
    public void TheNoteCountsAngularModelsAndComparesTheBestWithAndWithout()
    {
        var note = RunOutputs.AngularNote([Entry(1, "sum(r^-6)", 0.4), Entry(2, "sum(r^-9) - ang3(0.5^r)", 0.2), Entry(3, "ang1(r^-2) + ang3(r^-3)", 0.3)]);
        Assert.Equal("Angular densities: 2 of 3 front models hold them (orders 1, 3); best validation fitness with them 0.2 (model 2, 5 nodes, 3.0 ns/pair), " +
                     "without 0.4 (model 1, 5 nodes, 3.0 ns/pair).", note);
        Assert.Null(RunOutputs.AngularNote([Entry(1, "sum(r^-6)", 0.4)]));
    }
}
