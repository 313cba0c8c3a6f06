using PoetSharp.Atoms;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Search;

namespace PoetSharp.Tests.Search;

/// <summary>
/// What a search over several elements can reach: the EAM-alloy prior draws the Rafii-Tabar–Sutton form itself (so the
/// constant fit alone can finish the job), the default size limits hold that form for any number of elements, and the
/// candidates' fitting set holds every group of the data.
/// </summary>
public class AlloyPriorTests
{
    [Fact]
    public void TheAlloyPriorDrawsTheRafiiTabarSuttonFormAndItsConstantsMakeItTheTrueModel()
    {
        var truth = Simplifier.Simplify(AlloyRecovery.TrueModel);
        var shape = ExpressionHash.Structural(truth);
        var random = new SearchRandom(11);
        var elements = AlloyRecovery.Elements; // the true model's order of terms (the search's is a permutation of it)
        Expression? found = null;
        for (var k = 0; k < 20_000 && found is null; k++)
        {
            var drawn = Simplifier.Simplify(Grammar.EmbeddedAtomAlloy(random, elements));
            if (ExpressionHash.Structural(drawn) == shape) found = drawn;
        }
        Assert.NotNull(found);
        // Same shape, so the true constants slot in: the drawn form with them is the true potential.
        var model = found!.WithConstants(truth.Constants);
        var cell = AlloyRecovery.Cells(2)[1];
        var taper = Taper.Copper;
        var exact = new ModelPotential(truth, taper).Compute(cell);
        var fitted = new ModelPotential(model, taper).Compute(cell);
        Assert.Equal(exact.Energy, fitted.Energy, 1e-9);
        for (var i = 0; i < cell.Count; i++) Assert.True((exact.Forces[i] - fitted.Forces[i]).Length < 1e-9);
    }

    [Fact]
    public void EachNeighbourElementGetsItsOwnAmplitudes()
    {
        var random = new SearchRandom(3);
        for (var k = 0; k < 200; k++)
        {
            var e = Grammar.EmbeddedAtomAlloy(random, ["Nb", "Mo", "Ta"]);
            // Densities are positive where neighbours are: every element's, 2.5 Å from each kind of neighbour (a dimer),
            // so that roots of them are real.
            var simplified = Simplifier.Simplify(e);
            foreach (var a in new[] { "Nb", "Mo", "Ta" })
                foreach (var b in new[] { "Nb", "Mo", "Ta" })
                    Assert.True(double.IsFinite(new ModelPotential(simplified, Taper.Copper).Compute(Dimer(a, b)).Energy), ExpressionPrinter.PrintExact(simplified));
            foreach (var (_, node) in e.CentralTerms.ToArray())
            {
                var body = e.Subtree(node - 1);
                // Every species-resolved sum is scaled by a constant of its own: c·sum[B](…).
                var nodes = body.Nodes.ToArray();
                var sums = Enumerable.Range(0, nodes.Length).Where(i => nodes[i].Kind == NodeKind.Sum).ToArray();
                Assert.Equal(6, sums.Length);
                var scaled = body.Constants.Length;
                Assert.True(scaled >= 6 + 1, ExpressionPrinter.PrintExact(e));
            }
        }
    }

    private static Structure Dimer(string a, string b) => new(Cell.NonPeriodic(), [new Vec3(0, 0, 0), new Vec3(2.5, 0, 0)], [a, b]);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void DefaultLimitsHoldTheAlloyFormForAnyNumberOfElements(int count)
    {
        var elements = new[] { "Nb", "Mo", "Ta", "W", "V", "Cr" }[..count];
        var limits = TreeLimits.ForElements(count);
        var random = new SearchRandom((ulong)(100 + count));
        for (var k = 0; k < 300; k++)
        {
            var drawn = Grammar.EmbeddedAtomAlloy(random, elements);
            Assert.NotNull(Variation.Finish(Simplifier.Simplify(drawn), limits));
        }
        // The Rafii-Tabar–Sutton form over every pair of elements (the NbMoTaW benchmark's baseline for four) fits too.
        var rts = ExpressionParser.ParseModel(string.Join(" + ", elements.Select(a =>
            $"at[{a}]({string.Join(" + ", elements.Select(b => $"sum[{b}](1000*r^-9)"))} - ({string.Join(" + ", elements.Select(b => $"sum[{b}](1000*r^-6)"))})^0.5)")));
        Assert.True(limits.Allows(Simplifier.Simplify(rts)));
        if (count >= 4) Assert.False(new TreeLimits().Allows(Simplifier.Simplify(rts))); // what the fixed limits refused
    }

    [Fact]
    public void OneOrTwoElementsKeepTheLongStandingLimits()
    {
        Assert.Equal(new TreeLimits(), TreeLimits.ForElements(1));
        Assert.Equal(new TreeLimits(), TreeLimits.ForElements(2));
        Assert.True(TreeLimits.ForElements(5).MaxNodes > TreeLimits.ForElements(4).MaxNodes);
    }

    private static List<Structure> Grouped(params int[] sizes)
    {
        var all = new List<Structure>();
        for (var g = 0; g < sizes.Length; g++)
            for (var k = 0; k < sizes[g]; k++)
            {
                var s = Lattices.Fcc("Cu", 3.6, 1, 1, 1);
                s.Name = $"{g}-{k}";
                s.Group = $"group {g}";
                all.Add(s);
            }
        return all;
    }

    [Fact]
    public void TheFittingSetHoldsEveryGroup()
    {
        var all = Grouped(100, 3, 50, 1, 20);
        // Evenly spaced positions would miss the small groups.
        Assert.True(SearchProblem.Spread(all, 4).Select(s => s.Group).Distinct().Count() < 5);
        var four = SearchProblem.SpreadOverGroups(all, 4);
        Assert.Equal(5, four.Count);
        Assert.Equal(5, four.Select(s => s.Group).Distinct().Count());
        var sixteen = SearchProblem.SpreadOverGroups(all, 16);
        Assert.Equal(16, sixteen.Count);
        Assert.Equal(5, sixteen.Select(s => s.Group).Distinct().Count());
        Assert.Equal(sixteen.Count, sixteen.Distinct().Count());
        // The largest group gets the largest share, a group of one its one structure.
        var shares = sixteen.GroupBy(s => s.Group).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(shares.Values.Max(), shares["group 0"]);
        Assert.Equal(1, shares["group 3"]);
        // Asking for more than there are gives them all.
        Assert.Equal(all.Count, SearchProblem.SpreadOverGroups(all, 500).Count);
    }

    [Fact]
    public void WhereEvenSpacingReachesEveryGroupNothingChanges()
    {
        var even = Grouped(50, 50, 50);
        Assert.Equal(SearchProblem.Spread(even, 16), SearchProblem.SpreadOverGroups(even, 16));
        var one = Grouped(80);
        Assert.Equal(SearchProblem.Spread(one, 7), SearchProblem.SpreadOverGroups(one, 7));
    }
}
