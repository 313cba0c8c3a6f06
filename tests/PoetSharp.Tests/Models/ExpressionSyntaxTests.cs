using PoetSharp.Models;
using PoetSharp.Potentials;
using static PoetSharp.Models.Expression;

namespace PoetSharp.Tests.Models;

public class ExpressionSyntaxTests
{
    private static readonly Expression R = Distance;

    public const string Gp1 = "sum(r^(10.21 - 5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1";
    public const string Gp2 = "7.33*sum(r^(3.98 - 3.94*r)) + (27.32 - sum(11.13 + 0.03*r^(11.74 - 2.93*r)))*sum(1)^-1";
    public const string SuttonChen = "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5";

    private static void AssertSameTree(Expression expected, Expression actual)
    {
        Assert.Equal(expected.Nodes.ToArray(), actual.Nodes.ToArray());
        Assert.Equal(expected.ConstantCount, actual.ConstantCount);
        for (var k = 0; k < expected.ConstantCount; k++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Constants[k]), BitConverter.DoubleToInt64Bits(actual.Constants[k]));
    }

    [Fact]
    public void PublishedFormsParseToTheirTrees()
    {
        var gp1 = Sum(Pow(R, 10.21 - 5.47 * R) - Pow(0.21, R)) + 0.97 * Pow(Sum(Pow(0.33, R)), -1.0);
        AssertSameTree(gp1, ExpressionParser.ParseModel(Gp1));
        AssertSameTree(gp1, ExpressionParser.ParseModel("sum(r^(10.21-5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1"));
        Assert.Equal(Gp1, ExpressionPrinter.Print(gp1));

        var gp2 = 7.33 * Sum(Pow(R, 3.98 - 3.94 * R)) + (27.32 - Sum(11.13 + 0.03 * Pow(R, 11.74 - 2.93 * R))) * Pow(Sum(1.0), -1.0);
        AssertSameTree(gp2, ExpressionParser.ParseModel(Gp2));
        Assert.Equal(Gp2, ExpressionPrinter.Print(gp2));

        var sc = ExpressionTests.SuttonChen();
        AssertSameTree(sc, ExpressionParser.ParseModel(SuttonChen));
        Assert.Equal(SuttonChen, ExpressionPrinter.Print(sc));
        Assert.Equal(sc.EvaluateAtom([2.5, 2.6, 3.7], Taper.Copper), ExpressionParser.Parse(SuttonChen).EvaluateAtom([2.5, 2.6, 3.7], Taper.Copper));
    }

    [Fact]
    public void NumbersWhitespaceAndPrecedence()
    {
        AssertSameTree(1.5e-3 + 2.0 * Pow(R, 3.0), ExpressionParser.Parse("  1.5e-3+\t2 * r ^ 3 "));
        AssertSameTree(Constant(0.5), ExpressionParser.Parse(".5"));
        AssertSameTree(Constant(2e10), ExpressionParser.Parse("2E+10"));
        AssertSameTree(Constant(-0.0), ExpressionParser.Parse("-0"));
        Assert.True(double.IsNegative(ExpressionParser.Parse("-0").Constants[0]));
        AssertSameTree(Constant(1.0) - Constant(2.0) * 3.0, ExpressionParser.Parse("1 - 2*3"));
        AssertSameTree(Constant(1.0) / 2.0 * 3.0, ExpressionParser.Parse("1/2*3"));
        AssertSameTree(Pow(2.0, -3.0) * R, ExpressionParser.Parse("2^-3*r"));
        AssertSameTree(R - 2.0, ExpressionParser.Parse("r − 2")); // U+2212
    }

    [Fact]
    public void NegativeConstantsAndUnaryMinus()
    {
        // (-2)^r: the base is the constant −2; -2^r is −(2^r), written −1·2^r.
        AssertSameTree(Pow(-2.0, R), ExpressionParser.Parse("(-2)^r"));
        AssertSameTree(-1.0 * Pow(2.0, R), ExpressionParser.Parse("-2^r"));
        Assert.Equal("(-2)^r", ExpressionPrinter.Print(Pow(-2.0, R)));
        Assert.Equal("-1*2^r", ExpressionPrinter.Print(ExpressionParser.Parse("-2^r")));
        AssertSameTree(Pow(R, -9.0), ExpressionParser.Parse("r^-9"));
        AssertSameTree(Pow(R, -1.0 * Pow(2.0, 3.0)), ExpressionParser.Parse("r^-2^3"));
        AssertSameTree(-2.0 * R, ExpressionParser.Parse("-2*r"));
        AssertSameTree(-1.0 * R + 1.0, ExpressionParser.Parse("-r + 1"));
        AssertSameTree(-1.0 * Constant(-2.0), ExpressionParser.Parse("--2"));
        AssertSameTree(R - -2.0, ExpressionParser.Parse("r - -2"));
        Assert.Equal("r + 2", ExpressionPrinter.Print(R - -2.0));
        Assert.Equal("r - (-2)", ExpressionPrinter.PrintExact(R - -2.0));
        Assert.Equal("r*(-2)", ExpressionPrinter.Print(R * -2.0));
        Assert.Equal("r + 2*r", ExpressionPrinter.Print(R - -2.0 * R));
        Assert.Equal("r - -2*r", ExpressionPrinter.PrintExact(R - -2.0 * R));
        AssertSameTree(R - -2.0 * R, ExpressionParser.Parse("r - -2*r"));
    }

    [Fact]
    public void AssociativityIsKeptByParentheses()
    {
        var (a, b, c) = (Constant(1.0), Constant(2.0), R);
        Expression[] trees =
        [
            a - (b - c), (a - b) - c, a / (b / c), (a / b) / c, a * (b * c), a + (b + c),
            Pow(Pow(a, b), c), Pow(a, Pow(b, c)), a - b * c, (a - b) * c, a / (b * c), Pow(a * b, c), Pow(a, b * c),
        ];
        string[] texts = ["1 - (2 - r)", "1 - 2 - r", "1/(2/r)", "1/2/r", "1*(2*r)", "1 + (2 + r)",
            "(1^2)^r", "1^2^r", "1 - 2*r", "(1 - 2)*r", "1/(2*r)", "(1*2)^r", "1^(2*r)"];
        for (var k = 0; k < trees.Length; k++)
        {
            Assert.Equal(texts[k], ExpressionPrinter.Print(trees[k]));
            AssertSameTree(trees[k], ExpressionParser.Parse(texts[k]));
        }
    }

    [Fact]
    public void RandomTreesRoundTripExactly()
    {
        var random = new Random(7);
        foreach (var e in RandomTrees(random, 4000))
        {
            // The exact text gives back the very tree; the readable one gives back the tree with its signs folded.
            var exact = ExpressionPrinter.PrintExact(e);
            AssertSameTree(e, ExpressionParser.Parse(exact));
            Assert.Equal(exact, ExpressionPrinter.PrintExact(ExpressionParser.Parse(exact)));
            var text = ExpressionPrinter.Print(e);
            var back = ExpressionParser.Parse(text);
            AssertSameTree(ExpressionPrinter.FoldSigns(e), back);
            Assert.Equal(text, ExpressionPrinter.Print(back));
        }
    }

    /// <summary>Random atom and pair trees, some with wide constants, some with constants across many magnitudes.</summary>
    internal static IEnumerable<Expression> RandomTrees(Random random, int count)
    {
        var wide = new RandomExpressionOptions { ConstantMin = -1e6, ConstantMax = 1e6, LeafProbability = 0.2, MaxAtomDepth = 4 };
        for (var k = 0; k < count; k++)
        {
            var e = k % 3 == 2 ? RandomExpressions.Pair(random) : RandomExpressions.Atom(random, k % 2 == 0 ? null : wide);
            yield return k % 5 == 0 ? ScaleConstants(e, random) : e;
        }
    }

    // Constants across many magnitudes (exponent notation), including −0 and integers.
    private static Expression ScaleConstants(Expression e, Random random)
    {
        var constants = e.Constants.ToArray();
        for (var k = 0; k < constants.Length; k++)
            constants[k] = random.Next(6) switch
            {
                0 => -0.0,
                1 => Math.Round(constants[k]),
                2 => constants[k] * Math.Pow(10, random.Next(-300, 300)),
                3 => double.Epsilon * random.Next(1, 100),
                _ => constants[k],
            };
        return e.WithConstants(constants);
    }

    [Fact]
    public void HandWrittenTextPrintsStably()
    {
        string[] inputs = ["-r", "--r", "-(2)", "2^-r", "-sum(r)^2", "(((r)))", "1e3*sum(-r/-2)", "r^-2^-3", "-2*-3"];
        foreach (var s in inputs)
        {
            var once = ExpressionPrinter.Print(ExpressionParser.Parse(s));
            var twice = ExpressionPrinter.Print(ExpressionParser.Parse(once));
            Assert.Equal(once, twice);
            AssertSameTree(ExpressionPrinter.FoldSigns(ExpressionParser.Parse(s)), ExpressionParser.Parse(once));
        }
    }

    [Theory]
    [InlineData("", 1, "empty expression")]
    [InlineData("   ", 4, "empty expression")]
    [InlineData("sum(r^(10.21 - 5.47*r)", 23, "expected ')'")]
    [InlineData("sum(r) + r", 10, "r outside a sum")]
    [InlineData("r*sum(r)", 1, "r outside a sum")]
    [InlineData("sum(sum(r))", 5, "sum inside a sum")]
    [InlineData("sum(r) + x", 10, "unknown identifier 'x' (expected r, sum, ang0–ang3, at or a function: exp, log, sqrt)")]
    [InlineData("sum(r) 2", 8, "unexpected '2' after the expression")]
    [InlineData("sum(r))", 7, "unmatched ')'")]
    [InlineData("1e999*sum(r)", 1, "number out of range")]
    [InlineData("NaN*sum(r)", 1, "'NaN' is not a finite number")]
    [InlineData("sum(r) + ", 10, "expected a number, r, sum( or '(' but the text ends")]
    [InlineData("sum(r) * * 2", 10, "expected a number, r, sum( or '(' but found '*'")]
    [InlineData("sum r", 5, "expected '(' after sum")]
    [InlineData("2r", 2, "unexpected 'r' after a number (missing operator?)")]
    [InlineData("sum(1.5e)", 5, "malformed number (exponent without digits)")]
    public void ErrorsNamePositionAndReason(string text, int position, string reason)
    {
        var error = Assert.Throws<ExpressionSyntaxException>(() => ExpressionParser.ParseModel(text));
        Assert.Equal(reason, error.Reason);
        Assert.Equal(position, error.Position);
        Assert.Equal($"{reason} at {position}", error.Message);
    }

    [Fact]
    public void PairExpressionsAreBuildingBlocksButNotModels()
    {
        Assert.Equal(Level.Pair, ExpressionParser.Parse("r^-6").RootLevel);
        var error = Assert.Throws<ExpressionSyntaxException>(() => ExpressionParser.ParseModel("2 + 644.52*r^-9"));
        Assert.Equal(12, error.Position);
        Assert.Equal(Level.Constant, ExpressionParser.ParseModel("3").RootLevel);
    }
}
