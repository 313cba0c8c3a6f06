using PoetSharp.Models;
using PoetSharp.Potentials;
using Xunit.Abstractions;
using static PoetSharp.Models.Expression;

namespace PoetSharp.Tests.Models;

public class SimplifierTests(ITestOutputHelper output)
{
    private static readonly Expression R = Distance;

    /// <summary>Fully parenthesised infix, for failure messages.</summary>
    private static string Show(Expression e, int i)
    {
        var node = e.Nodes[i];
        return node.Kind switch
        {
            NodeKind.Constant => e.ConstantOf(i).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            NodeKind.Distance => "r",
            NodeKind.Sum => $"sum({Show(e, i - 1)})",
            _ => $"({Show(e, e.LeftChild(i))} {node.Kind switch { NodeKind.Add => "+", NodeKind.Sub => "-", NodeKind.Mul => "*", NodeKind.Div => "/", _ => "^" }} {Show(e, i - 1)})",
        };
    }

    private static string Show(Expression e) => Show(e, e.Length - 1);

    /// <summary>
    /// The atom energy as <see cref="Expression.EvaluateAtom"/> computes it, with a first-order running bound on its
    /// rounding error (unit roundoff u per operation, propagated through the derivatives), to tell a value that is
    /// meaningful from one that is rounding noise (x·(1/x)·x − x, or a power of such a difference).
    /// </summary>
    private static (double Value, double Error) EvaluateWithError(Expression e, ReadOnlySpan<double> distances, Taper taper)
    {
        var tapers = new double[distances.Length];
        for (var j = 0; j < tapers.Length; j++) tapers[j] = taper.Evaluate(distances[j]).Value;
        return Walk(e, e.Length - 1, double.NaN, distances.ToArray(), tapers);
    }

    private static (double Value, double Error) Walk(Expression e, int i, double r, double[] distances, double[] tapers)
    {
        const double u = 1.1102230246251565e-16;
        var node = e.Nodes[i];
        switch (node.Kind)
        {
            case NodeKind.Constant: return (e.ConstantOf(i), 0);
            case NodeKind.Distance: return (r, 0);
            case NodeKind.Sum:
            {
                double sum = 0, error = 0;
                for (var j = 0; j < distances.Length; j++)
                {
                    var (g, eg) = Walk(e, i - 1, distances[j], distances, tapers);
                    sum += g * tapers[j];
                    error += eg * tapers[j] + 2 * u * Math.Abs(sum);
                }
                return (sum, error);
            }
        }
        var (a, ea) = Walk(e, e.LeftChild(i), r, distances, tapers);
        var (b, eb) = Walk(e, i - 1, r, distances, tapers);
        switch (node.Kind)
        {
            case NodeKind.Add: { var v = a + b; return (v, ea + eb + u * Math.Abs(v)); }
            case NodeKind.Sub: { var v = a - b; return (v, ea + eb + u * Math.Abs(v)); }
            case NodeKind.Mul: { var v = a * b; return (v, Math.Abs(a) * eb + Math.Abs(b) * ea + u * Math.Abs(v)); }
            case NodeKind.Div: { var v = a / b; return (v, (ea + Math.Abs(v) * eb) / Math.Abs(b) + u * Math.Abs(v)); }
            default:
            {
                var v = Math.Pow(a, b);
                // A negative base is defined only at integer exponents: an inexact exponent may be NaN at any error.
                if (a < 0 && eb > 0) return (v, double.PositiveInfinity);
                var relative = (ea == 0 ? 0 : Math.Abs(b) * ea / Math.Abs(a)) + (eb == 0 ? 0 : Math.Abs(Math.Log(Math.Abs(a))) * eb);
                return (v, Math.Abs(v) * (relative + 2 * u));
            }
        }
    }

    private static void AssertSameTree(Expression expected, Expression actual)
    {
        Assert.Equal(expected.Nodes.ToArray(), actual.Nodes.ToArray());
        Assert.Equal(expected.Constants.ToArray(), actual.Constants.ToArray());
    }

    private static void AssertSimplifiesTo(Expression expected, Expression original) =>
        AssertSameTree(expected, Simplifier.Simplify(original));

    [Fact]
    public void ConstantFactorsLeaveTheSumAndMerge() =>
        AssertSimplifiesTo(6.0 * Sum(R), Sum(2.0 * (3.0 * R)));

    [Fact]
    public void ConstantsFold()
    {
        AssertSimplifiesTo(10.0, Constant(2.0) * 3.0 + 4.0);
        AssertSimplifiesTo(8.0, Pow(2.0, 3.0));
        AssertSimplifiesTo(Sum(5.0 + R), Sum(R + 10.0 * 0.5));
    }

    [Fact]
    public void NonFiniteFoldsAreLeftAlone()
    {
        var e = Sum(R) + Constant(1.0) / 0.0;
        AssertSimplifiesTo(e, e);
        AssertSimplifiesTo(Sum(R) * Pow(-2.0, 0.5), Sum(R) * Pow(-2.0, 0.5));
    }

    [Fact]
    public void ASumOfAConstantDependsOnTheStructureAndIsKept()
    {
        AssertSimplifiesTo(Sum(3.0), Sum(3.0));
        AssertSimplifiesTo(Sum(6.0), Sum(Constant(2.0) * 3.0));
        AssertSimplifiesTo(0.0, Sum(0.0));
        AssertSimplifiesTo(Pow(Sum(1.0), -1.0), Pow(Sum(1.0), -1.0));
    }

    [Fact]
    public void NeutralAndAbsorbingElements()
    {
        var x = Sum(Pow(R, -6.0));
        AssertSimplifiesTo(x, x + 0.0);
        AssertSimplifiesTo(x, 0.0 + x);
        AssertSimplifiesTo(x, x - 0.0);
        AssertSimplifiesTo(x, x * 1.0);
        AssertSimplifiesTo(x, 1.0 * x);
        AssertSimplifiesTo(x, x / 1.0);
        AssertSimplifiesTo(x, Pow(x, 1.0));
        AssertSimplifiesTo(1.0, Pow(x, 0.0));
        AssertSimplifiesTo(1.0, Pow(1.0, x));
        AssertSimplifiesTo(0.0, 0.0 * x);
        AssertSimplifiesTo(0.0, x * 0.0);
        AssertSimplifiesTo(0.0, 0.0 / x);
        AssertSimplifiesTo(0.0, x - x);
        AssertSimplifiesTo(1.0, x / x);
        AssertSimplifiesTo(Sum(R), Sum(R * 1.0 + 0.0));
        AssertSimplifiesTo(0.0 - x, 0.0 - x); // no unary minus to write it with
    }

    [Fact]
    public void SignedZerosAreKept()
    {
        // ±0·x and 0/x are ±0 with the sign of x, so they fold only when x is known non-negative (never −0).
        var s = Sum(R - 3.0);
        AssertSimplifiesTo(Constant(0.0) * s, Constant(0.0) * s);
        AssertSimplifiesTo(Constant(0.0) / s, Constant(0.0) / s);
        AssertSimplifiesTo(Constant(-0.0), Constant(-0.0) * Sum(R)); // a sum of r is never −0
        Assert.True(double.IsNegative(Simplifier.Simplify(Constant(-0.0) * Sum(R)).Constants[0]));
        AssertSimplifiesTo(0.0, Sum(-0.0 * R));                 // sum(−0) is +0
        AssertSimplifiesTo(Sum(Constant(0.0) * s.Subtree(s.Length - 2)), Sum(Constant(0.0) * (R - 3.0))); // 0 stays inside
        // x + 0 is x except at x = −0: kept where x may be −0 (a product), dropped for a sum.
        var product = Sum(R) * Sum(R - 3.0);
        AssertSimplifiesTo(0.0 + product, product + 0.0);
        AssertSimplifiesTo(product, product - 0.0);
        AssertSimplifiesTo(s, s + 0.0);
    }

    [Fact]
    public void ConstantsMergeThroughChains()
    {
        var x = Sum(R);
        AssertSimplifiesTo(6.0 * x, 2.0 * (3.0 * x));
        AssertSimplifiesTo(6.0 * x, x * 2.0 * 3.0);
        AssertSimplifiesTo(6.0 * x, 12.0 * x / 2.0);
        AssertSimplifiesTo(5.0 + x, 2.0 + (3.0 + x));
        AssertSimplifiesTo(5.0 + x, x + 2.0 + 3.0);
        AssertSimplifiesTo(1.0 + x, x - 2.0 + 3.0);
        AssertSimplifiesTo(-1.0 - x, 2.0 - (x + 3.0));
        AssertSimplifiesTo(x, 3.0 + x - 3.0);
        AssertSimplifiesTo(x - 2.0, x - 2.0); // stays: rewriting it as −2 + x would not simplify anything
        var y = Sum(Pow(R, -1.0));
        AssertSimplifiesTo(5.0 + (x + y), (2.0 + x) + (3.0 + y));
        AssertSimplifiesTo(-1.0 + (x - y), (2.0 + x) - (3.0 + y));
        AssertSimplifiesTo(2.0 * (x / y), (4.0 * x) / (2.0 * y));
        AssertSimplifiesTo(2.0 / (x * y), (4.0 / x) / (2.0 * y));
        AssertSimplifiesTo(3.0 + (x + y), x + (3.0 + y)); // a constant moves up the chain, same size
    }

    [Fact]
    public void LikeTermsCombine()
    {
        var x = Sum(Pow(R, -6.0));
        AssertSimplifiesTo(5.0 * x, 2.0 * x + 3.0 * x);
        AssertSimplifiesTo(2.0 * x - 3.0 * x, 2.0 * x - 3.0 * x); // x may be 0: +0 before, −1·(+0) = −0 after
        AssertSimplifiesTo(-1.0 * Sum(R), Sum(2.0 * R - 3.0 * R));  // r is never 0
        AssertSimplifiesTo(3.0 * x, x + 2.0 * x);
        AssertSimplifiesTo(2.0 * x, x + x);
        AssertSimplifiesTo(Pow(x, 2.0), x * x);
    }

    [Fact]
    public void NegativeCoefficientsFlipTheOperator()
    {
        var a = Sum(R);
        var x = Sum(Pow(R, -6.0));
        AssertSimplifiesTo(a + 2.0 * x, a - -2.0 * x);
        AssertSimplifiesTo(a - 2.0 * x, a + -2.0 * x);
        AssertSimplifiesTo(3.0 + a, a - -3.0);
        AssertSimplifiesTo(a - 2.0 * x, a - 2.0 * x); // nothing to flip
    }

    [Fact]
    public void PowersOfPowersCombineOnlyWhereValid()
    {
        AssertSimplifiesTo(Sum(Pow(R, 6.0)), Sum(Pow(Pow(R, 2.0), 3.0)));       // r > 0: always
        AssertSimplifiesTo(Sum(Pow(R, 1.5)), Sum(Pow(Pow(R, 3.0), 0.5)));
        var s = Sum(R - 3.0);                                                    // may be negative
        AssertSimplifiesTo(Pow(s, 6.0), Pow(Pow(s, 2.0), 3.0));                  // integer outer exponent
        AssertSimplifiesTo(Pow(Pow(s, 2.0), 0.5), Pow(Pow(s, 2.0), 0.5));        // ((−2)²)^½ = 2 ≠ −2
        AssertSimplifiesTo(Pow(Pow(s, 3.0), 0.5), Pow(Pow(s, 3.0), 0.5));        // s³ may underflow to −0: 0 ≠ NaN
        var positive = Sum(Pow(R, -6.0));                                        // a sum of non-negative terms
        AssertSimplifiesTo(positive, Pow(Pow(positive, 2.0), 0.5));             // and then x^1 → x
    }

    [Fact]
    public void PublishedModelsStayAsTheyAre()
    {
        // GP1 and GP2 (anchors.md) have nothing to simplify but the scale of GP2's first sum, which is already out.
        var gp1 = Sum(Pow(R, 10.21 - 5.47 * R) - Pow(0.21, R)) + 0.97 * Pow(Sum(Pow(0.33, R)), -1.0);
        var gp2 = 7.33 * Sum(Pow(R, 3.98 - 3.94 * R))
                  + (27.32 - Sum(11.13 + 0.03 * Pow(R, 11.74 - 2.93 * R))) * Pow(Sum(1.0), -1.0);
        AssertSimplifiesTo(gp1, gp1);
        AssertSimplifiesTo(gp2, gp2);
        // GP2 written the way a random search finds it, with the scale inside the sum and redundant operations.
        var found = Sum(Pow(R, 3.98 - 3.94 * R * 1.0) * 7.33)
                    + (27.32 - Sum(11.13 + Pow(Pow(R, 11.74 - 2.93 * R), 1.0) / (1 / 0.03))) / Pow(Sum(1.0), 1.0);
        var simplified = Simplifier.Simplify(found);
        Assert.True(simplified.Complexity < found.Complexity);
        double[] distances = [2.4, 2.5, 2.6, 3.5, 3.6, 4.4, 4.9];
        Assert.Equal(gp2.EvaluateAtom(distances, Taper.Copper), simplified.EvaluateAtom(distances, Taper.Copper), 9);
    }

    /// <summary>
    /// Continuous random constants almost never hit 0, 1 or integer exponents; constants drawn from a few special values
    /// exercise the neutral elements, integer powers, 0/0 and the like, and folds to non-finite values.
    /// </summary>
    private static readonly double[] SpecialConstants = [0, 1, -1, 2, -2, 0.5, -0.5, 3, 1.5, -0.0];

    [Theory]
    [InlineData(false, 20240531)]
    [InlineData(false, 1)]
    [InlineData(true, 7)]
    [InlineData(true, 1)]
    public void RandomTreesKeepTheirValuesShrinkAndReachAFixedPoint(bool specialConstants, int seed)
    {
        const int trees = 5000;
        var taper = Taper.Copper;
        var random = new Random(seed);
        long sizeBefore = 0, sizeAfter = 0;
        int compared = 0, nonFinite = 0, illConditioned = 0, illConditionedDiffering = 0, shrunk = 0;
        var failures = new List<string>();
        for (var k = 0; k < trees; k++)
        {
            var e = RandomExpressions.Atom(random);
            if (specialConstants)
            {
                var constants = new double[e.ConstantCount];
                for (var c = 0; c < constants.Length; c++) constants[c] = SpecialConstants[random.Next(SpecialConstants.Length)];
                e = e.WithConstants(constants);
            }
            var s = Simplifier.Simplify(e);
            sizeBefore += e.Complexity;
            sizeAfter += s.Complexity;
            if (s.Complexity < e.Complexity) shrunk++;
            Assert.True(s.Complexity <= e.Complexity, $"tree {k} grew from {e.Complexity} to {s.Complexity}");
            Assert.NotEqual(Level.Pair, s.RootLevel);
            AssertSameTree(s, Simplifier.Simplify(s));
            for (var set = 0; set < 4; set++)
            {
                var distances = new double[random.Next(5, 41)];
                for (var j = 0; j < distances.Length; j++) distances[j] = 1.8 + 3.7 * random.NextDouble();
                var expected = e.EvaluateAtom(distances, taper);
                if (!double.IsFinite(expected)) { nonFinite++; continue; }
                // Compare where the original means something: its own rounding-error bound well below the tolerance.
                var (value, error) = EvaluateWithError(e, distances, taper);
                Assert.Equal(expected, value);
                var actual = s.EvaluateAtom(distances, taper);
                if (!(error <= 1e-11 * Math.Abs(expected)))
                {
                    illConditioned++;
                    if (!(Math.Abs(actual - expected) <= 1e-9 * Math.Abs(expected))) illConditionedDiffering++;
                    continue;
                }
                compared++;
                // A finite original must stay finite and equal: NaN or ±∞ fail this comparison.
                if (!(Math.Abs(actual - expected) <= 1e-9 * Math.Abs(expected)) && failures.Count < 20)
                    failures.Add($"tree {k} set {set}: {expected:R} became {actual:R} (sizes {e.Complexity} → {s.Complexity})\n  {Show(e)}\n  {Show(s)}");
            }
        }
        output.WriteLine($"{trees} trees: {compared} evaluations compared, {nonFinite} non-finite and {illConditioned} ill-conditioned originals skipped " +
                         $"({illConditionedDiffering} of them differing); " +
                         $"{shrunk} trees shrank; mean size {(double)sizeBefore / trees:F2} → {(double)sizeAfter / trees:F2} " +
                         $"({100.0 * (sizeBefore - sizeAfter) / sizeBefore:F1} % fewer nodes)");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
