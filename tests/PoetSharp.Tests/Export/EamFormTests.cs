using PoetSharp.Export;
using PoetSharp.Models;

namespace PoetSharp.Tests.Export;

public class EamFormTests
{
    [Fact]
    public void Gp1IsAPairTermAndOneEmbedding()
    {
        var form = EamForm.TryCreate(ExportCases.Gp1.Expression, out _)!;
        Assert.Equal(0, form.Constant);
        Assert.Single(form.PairSums);
        Assert.Single(form.Embeddings);
        Assert.Equal(Math.Pow(2.5, 10.21 - 5.47 * 2.5) - Math.Pow(0.21, 2.5), form.PairFunction(2.5), 14);
        Assert.Equal(Math.Pow(0.33, 2.5), form.Density(0, 2.5), 14);
        Assert.Equal(0.97 / 0.8, form.Embeddings[0].F(0.8), 14);
    }

    [Fact]
    public void SuttonChenEmbedsTheSquareRoot()
    {
        var form = EamForm.TryCreate(ExportCases.SuttonChen.Expression, out _)!;
        Assert.Single(form.Embeddings);
        Assert.Equal(644.52 * Math.Pow(3, -9), form.PairFunction(3), 14);
        Assert.Equal(-Math.Sqrt(2.0), form.Embeddings[0].F(2.0), 14);
    }

    [Fact]
    public void ConstantFactorsAndTermsAreCarriedThrough()
    {
        var form = EamForm.TryCreate(ExpressionParser.ParseModel("2 + 3*(sum(r^-6) - 1) + sum(r)/4 + sum(0.5^r)^2*5"), out _)!;
        Assert.Equal(-1, form.Constant, 14);
        Assert.Equal(2, form.PairSums.Count);
        Assert.Equal(3 * Math.Pow(2, -6) + 2 / 4.0, form.PairFunction(2), 14);
        Assert.Equal(5 * 0.09, Assert.Single(form.Embeddings).F(0.3), 14);
    }

    [Fact]
    public void AnEmbeddingWithANegativeTermDescribesItWithAMinus()
    {
        var form = EamForm.TryCreate(ExpressionParser.ParseModel("sum(r^-9) - 2*sum(0.5^r)^0.5 + 3*sum(0.5^r)^2"), out _)!;
        var embedding = Assert.Single(form.Embeddings);
        Assert.Equal(-2 * Math.Sqrt(0.3) + 3 * 0.09, embedding.F(0.3), 14);
        var text = embedding.Describe();
        Assert.StartsWith("-2*(", text);
        Assert.Contains(") + 3*(", text);
        Assert.DoesNotContain("+ -", text);

        var flipped = EamForm.TryCreate(ExpressionParser.ParseModel("sum(r^-9) + 3*sum(0.5^r)^2 - 2*sum(0.5^r)^0.5"), out _)!;
        var flippedText = Assert.Single(flipped.Embeddings).Describe();
        Assert.StartsWith("3*(", flippedText);
        Assert.Contains(") - 2*(", flippedText);
        Assert.DoesNotContain("+ -", flippedText);
    }

    [Fact]
    public void RepeatedSumsAreOneDensity()
    {
        var form = EamForm.TryCreate(ExpressionParser.ParseModel("sum(0.3^r)^2 - sum(0.3^r)"), out _)!;
        var embedding = Assert.Single(form.Embeddings);
        Assert.Empty(form.PairSums);
        Assert.Equal(0.25 - 0.5, embedding.F(0.5), 14);
    }

    [Fact]
    public void SeveralEmbeddingsAreKeptApart()
    {
        var form = EamForm.TryCreate(ExportCases.TwoEmbeddings.Expression, out _)!;
        Assert.Equal(2, form.Embeddings.Count);
        Assert.Equal(0.1, form.Constant, 14);
    }

    [Fact]
    public void Gp2HasNoEamFormAndTheReasonSaysWhy()
    {
        Assert.Null(EamForm.TryCreate(ExportCases.Gp2.Expression, out var reason));
        Assert.Contains("2 neighbour sums jointly", reason);
        Assert.Contains("sum(1)", reason);
        Assert.Contains("--format kim", reason);
    }
}
