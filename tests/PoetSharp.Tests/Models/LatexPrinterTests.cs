using PoetSharp.Models;

namespace PoetSharp.Tests.Models;

public class LatexPrinterTests
{
    [Fact]
    public void Gp1ReadsAsPublished()
    {
        var gp1 = ExpressionParser.ParseModel(ExpressionSyntaxTests.Gp1);
        Assert.Equal(
            @"\sum_j \left(r_{ij}^{10.21 - 5.47 r_{ij}} - 0.21^{r_{ij}}\right) f(r_{ij}) + 0.97 \left(\sum_j 0.33^{r_{ij}} f(r_{ij})\right)^{-1}",
            LatexPrinter.Print(gp1));
        Assert.Equal(
            @"\sum_j \left(r_{ij}^{10 - 5 r_{ij}} - 0.2^{r_{ij}}\right) f(r_{ij}) + 1 \left(\sum_j 0.3^{r_{ij}} f(r_{ij})\right)^{-1}",
            LatexPrinter.Print(gp1, significantDigits: 1));
    }

    [Fact]
    public void SuttonChenAndOtherShapes()
    {
        Assert.Equal(@"\sum_j 644.5 r_{ij}^{-9} f(r_{ij}) - \left(\sum_j 527.6 r_{ij}^{-6} f(r_{ij})\right)^{0.5}",
            LatexPrinter.Print(ExpressionParser.Parse(ExpressionSyntaxTests.SuttonChen)));
        Assert.Equal(@"\frac{\sum_j \frac{1}{r_{ij}} f(r_{ij})}{2 \cdot 3}", LatexPrinter.Print(ExpressionParser.Parse("sum(1/r)/(2*3)")));
        Assert.Equal(@"\left(-2\right)^{r_{ij}} + 1", LatexPrinter.Print(ExpressionParser.Parse("(-2)^r - (-1)")));
        Assert.Equal(@"\left(\sum_j r_{ij} f(r_{ij})\right) \cdot 2", LatexPrinter.Print(ExpressionParser.Parse("sum(r)*2")));
        Assert.Equal(@"\left(r_{ij}^{2}\right)^{3}", LatexPrinter.Print(ExpressionParser.Parse("(r^2)^3")));
    }

    [Theory]
    [InlineData(12345.678, 4, "12350")]
    [InlineData(0.00012345, 3, "0.000123")]
    [InlineData(6.02214e23, 3, @"6.02 \times 10^{23}")]
    [InlineData(-1.5e-7, 2, @"-1.5 \times 10^{-7}")]
    [InlineData(-9.0, 4, "-9")]
    public void ConstantsToSignificantDigits(double value, int digits, string expected) =>
        Assert.Equal(expected, LatexPrinter.FormatConstant(value, digits));
}
