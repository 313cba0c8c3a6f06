using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Tests.Models;

/// <summary>
/// Printed models never double a sign (issue 12): negative constants at every level print without "- -", "+ -", "--"
/// or "+-", in the plain text and in LaTeX, and the plain text still parses back to the same value, bit for bit.
/// </summary>
public class PrintedSignsTests
{
    private static readonly string[] Doubled = ["- -", "+ -", "--", "+-"];

    // Neighbour sets inside the 3–5 Å taper and beyond its inner radius.
    private static readonly double[][] Environments = [[2.3, 2.55, 3.6], [2.1, 4.2], [2.9, 3.1, 3.3, 4.8, 4.95]];

    public static TheoryData<string, string> Cases => new()
    {
        // atom level (the example)
        { "sum(-0.0761) - -4627.49*sum(0.0119^r)", "sum(-0.0761) + 4627.49*sum(0.0119^r)" },
        { "sum(r^-9) + -3", "sum(r^-9) - 3" },
        { "sum(r^-9) - (-3)", "sum(r^-9) + 3" },
        // inside sums
        { "sum(r - -2*r^-6)", "sum(r + 2*r^-6)" },
        { "sum(0.5^r + -1.5*r)", "sum(0.5^r - 1.5*r)" },
        // in exponents
        { "sum(r^(10.21 - -5.47*r))", "sum(r^(10.21 + 5.47*r))" },
        { "sum(r^-9)^(0.5 + -1)", "sum(r^-9)^(0.5 - 1)" },
        { "sum(r)^-1 - -2*sum(r^-6)^-0.5", "sum(r)^-1 + 2*sum(r^-6)^-0.5" },
        // a negative power base keeps its parentheses and its sign: (−2)^x is not −(2^x)
        { "sum((-2)^r) - (-2)^2*sum(r)", "sum((-2)^r) - (-2)^2*sum(r)" },
        { "sum(r) + (-0.5)^sum(r)", "sum(r) + (-0.5)^sum(r)" },
        // a leading negative constant
        { "-2*sum(r^-6) - -3*sum(r^-9)", "-2*sum(r^-6) + 3*sum(r^-9)" },
        { "-0.25 + sum(r)", "-0.25 + sum(r)" },
        // products and quotients with negative factors, on either side and in pairs
        { "sum(r) - sum(r^-6)*(-2)", "sum(r) + sum(r^-6)*2" },
        { "sum(r) + sum(r^-6)/(-2)", "sum(r) - sum(r^-6)/2" },
        { "sum(r) - -2/sum(r^-6)", "sum(r) + 2/sum(r^-6)" },
        { "sum(r) - (-2)*sum(r^-6)/(-4)", "sum(r) - 2*sum(r^-6)/4" },
        { "sum(r) - -2*sum(r)*(-3)*(-5)", "sum(r) + 2*sum(r)*3*5" },
        // signed zero
        { "sum(r) - -0*sum(r)", "sum(r) + 0*sum(r)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void NegativeConstantsPrintWithoutDoubledSigns(string input, string expected)
    {
        var e = ExpressionParser.ParseModel(input);
        var text = ExpressionPrinter.Print(e);
        Assert.Equal(expected, text);
        AssertClean(text);
        var back = ExpressionParser.ParseModel(text);
        foreach (var r in Environments) AssertSameBits(e.EvaluateAtom(r, Taper.Copper), back.EvaluateAtom(r, Taper.Copper));
        Assert.Equal(text, ExpressionPrinter.Print(back));
        Assert.Equal(text, back.ToString());

        var latex = LatexPrinter.Print(e);
        Assert.DoesNotContain("- -", latex);
        Assert.DoesNotContain("+ -", latex);
    }

    [Fact]
    public void FoldingKeepsTheShapeAndTheValue()
    {
        var e = ExpressionParser.ParseModel("sum(r) - -2*sum(r^-6)");
        var folded = ExpressionPrinter.FoldSigns(e);
        Assert.Equal(e.Length, folded.Length);
        Assert.Equal(NodeKind.Add, folded.Root.Kind);
        Assert.Equal([-2.0, -6.0], e.Constants.ToArray());
        Assert.Equal([2.0, -6.0], folded.Constants.ToArray());
        Assert.Equal(e.Nodes.ToArray()[..^1], folded.Nodes.ToArray()[..^1]);
        // A clean tree is returned as it is.
        var clean = ExpressionParser.ParseModel(ExpressionSyntaxTests.Gp1);
        Assert.Same(clean, ExpressionPrinter.FoldSigns(clean));
    }

    [Fact]
    public void RandomTreesPrintCleanlyAndParseBackToTheSameValue()
    {
        var random = new Random(11);
        var checkedNegative = 0;
        foreach (var e in ExpressionSyntaxTests.RandomTrees(random, 3000))
        {
            var text = ExpressionPrinter.Print(e);
            AssertClean(text);
            var latex = LatexPrinter.Print(e);
            Assert.DoesNotContain("- -", latex);
            Assert.DoesNotContain("+ -", latex);
            var back = ExpressionParser.Parse(text);
            if (e.RootLevel == Level.Pair)
                foreach (var r in new[] { 0.7, 2.3, 4.1 }) AssertSameBits(e.EvaluatePair(e.Length - 1, r), back.EvaluatePair(back.Length - 1, r));
            else
                foreach (var r in Environments) AssertSameBits(e.EvaluateAtom(r, Taper.Copper), back.EvaluateAtom(r, Taper.Copper));
            if (ExpressionPrinter.PrintExact(e) != text) checkedNegative++;
        }
        // The trees exercise the folding: many had a sign to fold.
        Assert.True(checkedNegative > 300, $"only {checkedNegative} trees had a sign to fold");
    }

    private static void AssertClean(string text)
    {
        foreach (var d in Doubled) Assert.False(text.Contains(d, StringComparison.Ordinal), $"'{text}' contains '{d}'");
    }

    // Bit for bit, NaN equal to NaN (its payload is not part of the value).
    private static void AssertSameBits(double expected, double actual)
    {
        if (double.IsNaN(expected) && double.IsNaN(actual)) return;
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));
    }
}
