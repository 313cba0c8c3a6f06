using PoetSharp.Models;

namespace PoetSharp.Tests.Models;

public class ExpressionHashTests
{
    [Fact]
    public void SameFormDifferentConstantsShareTheStructuralHashOnly()
    {
        var a = ExpressionParser.Parse("sum(r^(10.21 - 5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1");
        var b = ExpressionParser.Parse("sum(r^(9 - 5*r) - 0.3^r) + 1.5*sum(0.25^r)^-2");
        Assert.Equal(ExpressionHash.Structural(a), ExpressionHash.Structural(b));
        Assert.NotEqual(ExpressionHash.Exact(a), ExpressionHash.Exact(b));
        Assert.Equal(ExpressionHash.Exact(a), ExpressionHash.Exact(ExpressionParser.Parse(ExpressionPrinter.Print(a))));

        // One constant, one ulp apart; and the sign of zero.
        var constants = a.Constants.ToArray();
        constants[3] = Math.BitIncrement(constants[3]);
        Assert.NotEqual(ExpressionHash.Exact(a), ExpressionHash.Exact(a.WithConstants(constants)));
        Assert.NotEqual(ExpressionHash.Exact(ExpressionParser.Parse("sum(r)*0")), ExpressionHash.Exact(ExpressionParser.Parse("sum(r)*-0")));
    }

    [Fact]
    public void FormsThatDifferHashDifferently()
    {
        string[] forms = ["sum(r) + 1", "1 + sum(r)", "sum(r) - 1", "sum(r)*1", "sum(r)/1", "sum(r)^1", "sum(r + 1)", "sum(r)",
            "sum(1 - (1 - r))", "sum(1 - 1 - r)", "sum(r^1^1)", "sum((r^1)^1)"];
        var hashes = forms.Select(f => ExpressionHash.Structural(ExpressionParser.Parse(f))).ToHashSet();
        Assert.Equal(forms.Length, hashes.Count);
    }

    [Fact]
    public void NoCollisionsAmongThousandsOfRandomForms()
    {
        var random = new Random(11);
        var byForm = new Dictionary<string, ulong>();
        var byTree = new Dictionary<string, ulong>();
        for (var k = 0; k < 20000; k++)
        {
            var e = RandomExpressions.Atom(random);
            var form = string.Join(",", e.Nodes.ToArray().Select(n => $"{(int)n.Kind}:{n.Size}"));
            var h = ExpressionHash.Structural(e);
            if (byForm.TryGetValue(form, out var seen)) Assert.Equal(seen, h);
            else byForm[form] = h;
            var tree = form + "|" + string.Join(",", e.Constants.ToArray().Select(BitConverter.DoubleToInt64Bits));
            byTree[tree] = ExpressionHash.Exact(e);
        }
        Assert.True(byForm.Count > 3000, $"only {byForm.Count} distinct forms");
        Assert.Equal(byForm.Count, byForm.Values.Distinct().Count());
        Assert.True(byTree.Count > 15000, $"only {byTree.Count} distinct trees");
        Assert.Equal(byTree.Count, byTree.Values.Distinct().Count());
    }

    [Fact]
    public void HashesAreFixedValues()
    {
        // Pinned so that a change of the function (which would invalidate stored hashes) is noticed.
        var sc = ExpressionParser.Parse("sum(644.52*r^-9) - sum(527.62*r^-6)^0.5");
        Assert.Equal(8881936716567532367UL, ExpressionHash.Structural(sc));
        Assert.Equal(15867207767864321937UL, ExpressionHash.Exact(sc));
    }
}
