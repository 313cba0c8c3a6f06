using PoetSharp.Models;

namespace PoetSharp.Tests.Models;

public class CostModelTests
{
    private static double PairCost(string text) => CostModel.PairTerms(ExpressionParser.Parse(text));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 2)]
    [InlineData(6, 3)]
    [InlineData(9, 4)]
    [InlineData(15, 6)]
    [InlineData(16, 4)]
    public void BinaryExponentiationCounts(int n, int multiplications) => Assert.Equal(multiplications, CostModel.Multiplications(n));

    [Fact]
    public void PowersCostByTheirExponent()
    {
        const double m = CostModel.Multiply, d = CostModel.Divide;
        Assert.Equal(4 * m + d, PairCost("r^-9"), 12);
        Assert.Equal(3 * m, PairCost("r^6"), 12);
        Assert.Equal(3 * m, PairCost("r^(2*3)"), 12); // a constant exponent subtree is folded
        Assert.Equal(CostModel.SquareRoot, PairCost("r^0.5"), 12);
        Assert.Equal(CostModel.SquareRoot + 2 * m + d, PairCost("r^-2.5"), 12);
        Assert.Equal(CostModel.Exp + m, PairCost("0.33^r"), 12);
        Assert.Equal(CostModel.Pow, PairCost("r^0.3"), 12);
        Assert.Equal(CostModel.Pow + 2 * m, PairCost("r^(10.21 - 5.47*r)"), 12);
        Assert.Equal(CostModel.Pow, PairCost("r^17"), 12);
        Assert.True(PairCost("r^12") < PairCost("r^12.1"));
        Assert.True(PairCost("r^-16") < PairCost("0.5^r"));
        Assert.True(PairCost("r/2") > PairCost("r*2"));
        Assert.Equal(0, PairCost("2^3 + 1"));
    }

    [Fact]
    public void PublishedModelsRankAsExpected()
    {
        var gp1 = ExpressionParser.ParseModel(ExpressionSyntaxTests.Gp1);
        var gp2 = ExpressionParser.ParseModel(ExpressionSyntaxTests.Gp2);
        var sc = ExpressionParser.ParseModel(ExpressionSyntaxTests.SuttonChen);
        // Sutton–Chen: pair terms 644.52·r⁻⁹ (×, 4×, ÷) and 527.62·r⁻⁶ (×, 3×, ÷) and two multiply-adds;
        // atom part: − and a square root, spread over 21 pairs.
        const double m = CostModel.Multiply, d = CostModel.Divide;
        Assert.Equal(13 * m + 2 * d, CostModel.PairTerms(sc), 12);
        Assert.Equal(m + CostModel.SquareRoot, CostModel.AtomTerms(sc), 12);
        Assert.Equal(13 * m + 2 * d + (m + CostModel.SquareRoot) / 21, CostModel.PerPair(sc), 12);
        Assert.True(CostModel.PerPair(gp1) > 5 * CostModel.PerPair(sc));
        Assert.True(CostModel.PerPair(gp2) > CostModel.PerPair(sc));
        // GP1: one general pow and two exponentials per pair dominate.
        Assert.InRange(CostModel.PerPair(gp1), CostModel.Pow + 2 * CostModel.Exp, CostModel.Pow + 2 * CostModel.Exp + 3);
        Assert.True(CostModel.PerPair(gp1, pairsPerAtom: 1) > CostModel.PerPair(gp1));
    }
}
