using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Search;

namespace PoetSharp.Tests.Search;

public class ShortRangeCheckTests
{
    // fcc copper: a = 3.615 Å, nearest neighbours at a/√2.
    private static readonly ShortRangeCheck Check = new(Taper.Copper, 3.615 / Math.Sqrt(2));

    [Fact]
    public void SuttonChenPasses()
    {
        var result = Check.Check(ExpressionParser.ParseModel("sum(644.52*r^-9) - sum(527.62*r^-6)^0.5"));
        Assert.True(result.Passed, result.Detail);
    }

    [Fact]
    public void Gp1Fails()
    {
        // GP1's pair term turns attractive below 0.8 Å (shared/reference/anchors.md).
        var result = Check.Check(ExpressionParser.ParseModel("sum(r^(10.21-5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1"));
        Assert.False(result.Passed);
        Assert.Contains("falls", result.Detail);
    }

    [Fact]
    public void AttractiveOnlyPairFailsAndNonFiniteFails()
    {
        Assert.False(Check.Check(ExpressionParser.ParseModel("sum(-1*r^-6)")).Passed);
        Assert.False(Check.Check(ExpressionParser.ParseModel("sum((r - 1)^-2)")).Passed);
        // Lennard-Jones with its minimum at 2.3 Å (r⁶ = 2·74) passes; one with the minimum at 1.12 Å would not (the
        // dimer scan starts at 0.75 of the copper neighbour distance, 1.92 Å, where that one still attracts).
        Assert.True(Check.Check(ExpressionParser.ParseModel("sum(74*r^-12) - sum(r^-6)")).Passed);
        Assert.False(Check.Check(ExpressionParser.ParseModel("sum(r^-12) - sum(r^-6)")).Passed);
    }
}

public class ParetoTests
{
    [Fact]
    public void SortFindsFrontsAndCrowdingKeepsExtremes()
    {
        double[][] points = [[1, 5], [2, 4], [3, 3], [2, 5], [4, 4], [5, 5], [1.5, 4.5]];
        var fronts = Pareto.Sort(points);
        Assert.Equal([0, 1, 2, 6], fronts[0].Order());
        Assert.Equal([3, 4], fronts[1].Order());
        Assert.Equal([5], fronts[2]);
        var crowding = Pareto.Crowding(points, fronts[0]);
        Assert.True(double.IsPositiveInfinity(crowding[fronts[0].IndexOf(0)]));
        Assert.True(double.IsPositiveInfinity(crowding[fronts[0].IndexOf(2)]));
        Assert.True(double.IsFinite(crowding[fronts[0].IndexOf(1)]));
        var chosen = Pareto.Select(points, 5);
        Assert.Equal(5, chosen.Count);
        Assert.Contains(0, chosen);
        Assert.Contains(2, chosen);
        Assert.DoesNotContain(5, chosen);
    }

    [Fact]
    public void ArchiveKeepsOnlyNonDominatedModels()
    {
        var archive = new Archive(10);
        Candidate Make(string e, double fitness) => new(ExpressionParser.ParseModel(e), fitness, fitness, CostModel.PerPair(ExpressionParser.ParseModel(e)), true, "", 0);
        Assert.True(archive.Offer(Make("sum(1*r^-9) - sum(r^-6)^0.5", 1e-3)));
        Assert.True(archive.Offer(Make("sum(r^-9)", 1e-1)));
        // Dominated: larger, costlier and less accurate than the first.
        Assert.False(archive.Offer(Make("sum(r^-9) - sum(r^-6)^0.5 + sum(r^-3)", 1e-2)));
        // Same form, better constants: replaces the first.
        Assert.True(archive.Offer(Make("sum(2*r^-9) - sum(r^-6)^0.5", 1e-4)));
        Assert.Equal(2, archive.Members.Count);
        Assert.Equal(1e-4, archive.Members.Max(m => m.Complexity == 13 ? m.ValidationFitness : 0), 12);
    }

    [Fact]
    public void RandomStateRoundTrips()
    {
        var a = new SearchRandom(5);
        for (var k = 0; k < 10; k++) a.NextUInt64();
        var b = SearchRandom.FromState(a.State);
        for (var k = 0; k < 100; k++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.InRange(new SearchRandom(1).NextDouble(), 0, 1);
    }
}

public class SuttonChenRecoveryTests
{
    [Theory]
    [InlineData("sum(644.52*r^-9) - sum(527.62*r^-6)^0.5", true)]
    [InlineData("644.52*sum(r^-9) - 22.9700674*sum(r^-6)^0.5", true)]
    [InlineData("sum(644.52*r^-9) - 22.9700674*sum(r^-5/r)^0.5 + 3", true)]
    [InlineData("sum(660*r^-9) - sum(527.62*r^-6)^0.5", false)]
    [InlineData("sum(644.52*r^-9) - sum(527.62*r^-7)^0.5", false)]
    [InlineData("sum(644.52*r^-9) - sum(527.62*r^-6)^0.6", false)]
    [InlineData("sum(r^-12) - sum(r^-6)", false)]
    public void JudgesFormAndConstants(string model, bool found)
    {
        var verdict = SuttonChenRecovery.Check(ExpressionParser.ParseModel(model), Taper.Copper);
        Assert.True(found == verdict.Found, verdict.Detail);
    }
}

public class LennardJonesRecoveryCheckTests
{
    // A = 2εσ¹² = 49,303.06 and B = 2εσ⁶ = 34.8742 for σ = 3.35013 Å, ε = 0.012334 eV.
    [Theory]
    [InlineData("sum(49303.06*r^-12 - 34.8742*r^-6)", true)]
    [InlineData("49303.06*sum(r^-12) - 34.8742*sum(r^-6) + 0.2", true)]
    [InlineData("sum((222.04292*r^-6)^2 - 34.8742*r^-3/r^3)", true)]
    [InlineData("sum(49303.06*r^-12 - 36*r^-6)", false)]   // ε 6 % and σ 0.5 % off
    [InlineData("sum(49303.06*r^-11 - 34.8742*r^-6)", false)]
    [InlineData("sum(644.52*r^-9) - sum(527.62*r^-6)^0.5", false)]
    public void JudgesFormAndConstants(string model, bool found)
    {
        var verdict = LennardJonesRecovery.Check(ExpressionParser.ParseModel(model), LennardJonesRecovery.Taper);
        Assert.True(found == verdict.Found, verdict.Detail);
    }

    [Fact]
    public void ReferenceConstantsAreTheFittedOnes()
    {
        Assert.Equal(49303.06, LennardJonesRecovery.A, 0.01);
        Assert.Equal(34.8742, LennardJonesRecovery.B, 1e-4);
    }
}
