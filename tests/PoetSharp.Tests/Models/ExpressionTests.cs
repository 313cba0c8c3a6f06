using PoetSharp.Models;
using PoetSharp.Potentials;
using static PoetSharp.Models.Expression;

namespace PoetSharp.Tests.Models;

public class ExpressionTests
{
    private static readonly Expression R = Distance;

    /// <summary>Sutton–Chen as POET writes it: Σ 644.52 r⁻⁹ − (Σ 527.62 r⁻⁶)^0.5.</summary>
    public static Expression SuttonChen() => Sum(644.52 * Pow(R, -9.0)) - Pow(Sum(527.62 * Pow(R, -6.0)), 0.5);

    [Fact]
    public void BuildersMakeWellFormedPostfixTreesWithConstantsInOrder()
    {
        var e = SuttonChen();
        Assert.Equal(15, e.Complexity); // sum(c·r^c): 6 nodes; sum(c·r^c)^c: 8; and the minus
        Assert.Equal([644.52, -9.0, 527.62, -6.0, 0.5], e.Constants.ToArray());
        Assert.Equal(NodeKind.Sub, e.Root.Kind);
        Assert.Equal(15, e.Root.Size);
        Assert.Equal(2, e.SumCount);
        Assert.Equal(Level.Atom, e.LevelOf(e.Length - 1));
        // Left child of the root is the first sum (nodes 0..5).
        Assert.Equal(5, e.LeftChild(e.Length - 1));
        Assert.Equal(NodeKind.Sum, e.Nodes[5].Kind);
    }

    [Fact]
    public void ReferenceEvaluationMatchesTheFormula()
    {
        var e = SuttonChen();
        double[] r = [2.5, 2.6, 3.5, 4.2];
        var taper = Taper.Copper;
        double pair = 0, rho = 0;
        foreach (var x in r)
        {
            var f = taper.Evaluate(x).Value;
            pair += 644.52 * Math.Pow(x, -9) * f;
            rho += 527.62 * Math.Pow(x, -6) * f;
        }
        Assert.Equal(pair - Math.Sqrt(rho), e.EvaluateAtom(r, taper), 12);
    }

    [Fact]
    public void TypeErrorsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => (R + 1.0).RequireAtomExpression()); // r outside a sum
        Assert.Equal(Level.Pair, (R + 1.0).RootLevel);                      // fine as a building block
        Assert.Equal(Level.Atom, SuttonChen().RequireAtomExpression().RootLevel);
        Assert.Throws<ArgumentException>(() => Sum(R) * R);                 // r outside a sum, next to a sum
        Assert.Throws<ArgumentException>(() => Sum(Sum(R)));                // a sum inside a sum
        Assert.Throws<ArgumentException>(() => new Expression([new Node(NodeKind.Add, 1)], []));
        Assert.Throws<ArgumentException>(() => new Expression([new Node(NodeKind.Constant, 1, 0)], []));
    }

    [Fact]
    public void ReplaceAndSubtreeKeepTheInvariants()
    {
        var e = SuttonChen();
        var firstSum = 5;
        var sub = e.Subtree(firstSum);
        Assert.Equal(6, sub.Complexity);
        Assert.Equal([644.52, -9.0], sub.Constants.ToArray());
        var replaced = e.Replace(firstSum, Sum(3.0 - R));
        Assert.Equal(e.Complexity - 6 + 4, replaced.Complexity);
        Assert.Equal([3.0, 527.62, -6.0, 0.5], replaced.Constants.ToArray());
        double[] r = [2.5, 3.0];
        var expected = (3 - 2.5) + (3 - 3.0) - Math.Sqrt(527.62 * (Math.Pow(2.5, -6) + Math.Pow(3.0, -6)));
        Assert.Equal(expected, replaced.EvaluateAtom(r, Taper.Copper), 12);
    }

    [Fact]
    public void RandomTreesAreWellTypedAndVaried()
    {
        var random = new Random(42);
        var sizes = new HashSet<int>();
        for (var k = 0; k < 500; k++)
        {
            var e = RandomExpressions.Atom(random);
            Assert.True(e.SumCount >= 1);
            sizes.Add(e.Complexity);
            // Re-validating through the constructor must succeed.
            _ = new Expression(e.Nodes, e.Constants);
        }
        Assert.True(sizes.Count > 15, $"only {sizes.Count} distinct sizes");
    }
}
