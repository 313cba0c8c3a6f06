using PoetSharp.Evaluation;
using PoetSharp.Export;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Search;
using PoetSharp.Tests.Evaluation;

namespace PoetSharp.Tests.Models;

/// <summary>The unary operators exp, log and sqrt end to end: syntax, levels, simplifier, cost, C++, search and the evaluator's contract.</summary>
public class FunctionOperatorTests
{
    private static readonly Expression R = Expression.Distance;

    [Theory]
    [InlineData("sum(exp(-2*r))", "sum(exp(-2*r))")]
    [InlineData("sqrt( sum(r^-6) )", "sqrt(sum(r^-6))")]
    [InlineData("log(1 + sum(exp(r)))^2", "log(1 + sum(exp(r)))^2")]
    [InlineData("sum(r^exp(-r)) - exp(sum(r))/2", "sum(r^exp(-1*r)) - exp(sum(r))/2")]
    public void FunctionsParseAndPrint(string text, string printed)
    {
        var e = ExpressionParser.ParseModel(text);
        Assert.Equal(printed, ExpressionPrinter.Print(e));
        Assert.Equal(e.Nodes.ToArray(), ExpressionParser.Parse(ExpressionPrinter.PrintExact(e)).Nodes.ToArray());
    }

    [Fact]
    public void LatexWritesFunctions()
    {
        Assert.Equal(@"\sum_j \exp\left(-2 r_{ij}\right) f(r_{ij})", LatexPrinter.Print(ExpressionParser.Parse("sum(exp(-2*r))")));
        Assert.Equal(@"\sqrt{\sum_j r_{ij}^{-6} f(r_{ij})} + \ln\left(\sum_j r_{ij} f(r_{ij})\right)",
            LatexPrinter.Print(ExpressionParser.Parse("sqrt(sum(r^-6)) + log(sum(r))")));
    }

    [Fact]
    public void FunctionsHaveTheirOperandsLevel()
    {
        Assert.Equal(Level.Pair, Expression.Exp(R).RootLevel);
        Assert.Equal(Level.Atom, Expression.Sqrt(Expression.Sum(R)).RootLevel);
        Assert.Equal(Level.Constant, Expression.Log(2.0).RootLevel);
        var error = Assert.Throws<ExpressionSyntaxException>(() => ExpressionParser.ParseModel("sum(r) + exp(r)"));
        Assert.Contains("r outside a sum", error.Message);
        Assert.Throws<ExpressionSyntaxException>(() => ExpressionParser.Parse("sum(exp(sum(r)))"));
        Assert.Throws<ExpressionSyntaxException>(() => ExpressionParser.Parse("exp r"));
        Assert.Throws<ArgumentException>(() => Expression.Sum(Expression.Exp(Expression.Sum(R))));
    }

    [Fact]
    public void ReferenceValuesAreTheFunctions()
    {
        var e = ExpressionParser.ParseModel("sum(exp(-r)) + sqrt(sum(r)) - log(sum(r^2))");
        double[] d = [2.4, 3.1];
        var taper = Taper.Copper;
        double f0 = taper.Evaluate(2.4).Value, f1 = taper.Evaluate(3.1).Value;
        var expected = (Math.Exp(-2.4) * f0 + Math.Exp(-3.1) * f1) + Math.Sqrt(2.4 * f0 + 3.1 * f1) - Math.Log(2.4 * 2.4 * f0 + 3.1 * 3.1 * f1);
        Assert.Equal(expected, e.EvaluateAtom(d, taper), 12);
    }

    [Fact]
    public void SimplifierFoldsFunctionsOfConstantsAndKeepsNonFiniteOnes()
    {
        Assert.Equal(ExpressionPrinter.PrintExact(Expression.Constant(Math.Exp(2)) * Expression.Sum(R)),
            ExpressionPrinter.PrintExact(Simplifier.Simplify(Expression.Exp(2.0) * Expression.Sum(R))));
        Assert.Equal("2*sum(r)", ExpressionPrinter.Print(Simplifier.Simplify(ExpressionParser.Parse("sum(sqrt(4)*r)"))));
        // log(−1) is NaN: no NaN constant is made.
        var unfolded = Simplifier.Simplify(ExpressionParser.Parse("sum(r) + log(-1)"));
        Assert.Contains(unfolded.Nodes.ToArray(), n => n.Kind == NodeKind.Log);
    }

    [Fact]
    public void SimplifierCancelsExpOfLogOnlyWhereSafe()
    {
        // x cannot be −0 (a sum, or a difference of sums): exp(log x) → x.
        Assert.Equal("sum(r)", ExpressionPrinter.Print(Simplifier.Simplify(ExpressionParser.Parse("exp(log(sum(r)))"))));
        Assert.Equal("sum(r) - 1", ExpressionPrinter.Print(Simplifier.Simplify(ExpressionParser.Parse("exp(log(sum(r) - 1))"))));
        // A product may be −0, where exp(log(−0)) = +0: kept. log(exp x) overflows where x is large: kept.
        Assert.Contains(Simplifier.Simplify(ExpressionParser.Parse("exp(log(-2*sum(r)))")).Nodes.ToArray(), n => n.Kind == NodeKind.Exp);
        Assert.Contains(Simplifier.Simplify(ExpressionParser.Parse("log(exp(sum(r)))")).Nodes.ToArray(), n => n.Kind == NodeKind.Log);
    }

    [Fact]
    public void SimplifierKnowsTheSignsOfFunctions()
    {
        // 0·x → 0 needs x non-negative: exp(x) is, and √x of a non-negative x; log is not.
        Assert.Equal("0", ExpressionPrinter.Print(Simplifier.Simplify(ExpressionParser.Parse("0*exp(sum(r))"))));
        Assert.Equal("0", ExpressionPrinter.Print(Simplifier.Simplify(ExpressionParser.Parse("0*sqrt(sum(r))"))));
        Assert.Equal(5, Simplifier.Simplify(ExpressionParser.Parse("0*log(sum(r))")).Length);
    }

    [Fact]
    public void CostsAreThoseOfTheFunctions()
    {
        Assert.Equal(CostModel.Exp + CostModel.Multiply + 2 * CostModel.Multiply, CostModel.PairTerms(ExpressionParser.Parse("sum(exp(-2*r))")), 12);
        Assert.Equal(CostModel.Log + CostModel.SquareRoot, CostModel.AtomTerms(ExpressionParser.Parse("log(sqrt(sum(r)))")), 12);
    }

    [Fact]
    public void CppWriterEmitsFunctionsAndTheirDerivatives()
    {
        var e = ExpressionParser.ParseModel("sqrt(sum(exp(-2*r) + log(r)))");
        var pair = CppExpressionWriter.Pair(e, e.Length - 3, ""); // sqrt ← sum ← the pair expression
        Assert.Contains("std::exp(", pair);
        Assert.Contains("std::log(r)", pair);
        Assert.Contains("derivative = ", pair);
        var atom = CppExpressionWriter.Atom(e, "");
        Assert.Contains("std::sqrt(s[0])", atom);
        Assert.Contains("dEds[0] = d", atom);
    }

    [Fact]
    public void NegativeArgumentsGiveNonFiniteResultsNotExceptions()
    {
        var table = new PairTable(ModelEvaluatorTests.SmallStructures(), Taper.Copper);
        foreach (var text in new[] { "sum(log(r - 3))", "sum(sqrt(2.6 - r))", "sqrt(sum(r) - 1000)", "log(-sum(r))" })
        {
            var evaluator = new ModelEvaluator(new CompiledModel(ExpressionParser.ParseModel(text), Taper.Copper), table) { MaxDegreeOfParallelism = 1 };
            Assert.True(evaluator.Evaluate(withEnergyJacobian: true) > 0, text);
            evaluator.Evaluate(evaluator.Model.DefaultConstants.ToArray(), EvaluationOutputs.ForceAndStressJacobian);
            Assert.Contains(false, evaluator.Finite.ToArray());
        }
    }

    [Fact]
    public void ShortRangeCheckEvaluatesFunctions()
    {
        var check = new ShortRangeCheck(Taper.Copper, 2.55);
        Assert.True(check.Check(ExpressionParser.ParseModel("sum(5000*exp(-4*r)) - sqrt(sum(exp(-2*r)))")).Passed);
        var result = check.Check(ExpressionParser.ParseModel("sum(-log(r - 1.2))")); // −∞ at 1.2 Å
        Assert.False(result.Passed);
        Assert.Contains("not finite", result.Detail);
    }

    [Fact]
    public void TheSearchUsesFunctionsOnlyWhenAsked()
    {
        Assert.Equal(["add", "sub", "mul", "div", "pow"], new SearchSettings().OperatorSet);
        Assert.Empty(new SearchSettings().UnaryOperators());
        var set = SearchSettings.ParseOperatorSet("sqrt, exp");
        Assert.Equal(["add", "sub", "mul", "div", "pow", "exp", "sqrt"], set);
        Assert.Equal([NodeKind.Exp, NodeKind.Sqrt], new SearchSettings { OperatorSet = set }.UnaryOperators());
        Assert.Equal(Operators.Unary, new SearchSettings { OperatorSet = SearchSettings.ParseOperatorSet("all") }.UnaryOperators());
        Assert.Throws<ArgumentException>(() => SearchSettings.ParseOperatorSet("tanh"));
        Assert.Throws<ArgumentException>(() => new SearchSettings { MaxGenerations = 1, OperatorSet = ["add", "exp"] }.Validate());
        new SearchSettings { MaxGenerations = 1, OperatorSet = set }.Validate();

        // Without functions the grammar draws as it always did; with them, trees and mutations contain them.
        var plain = new SearchRandom(7);
        var explicitNone = new SearchRandom(7);
        for (var k = 0; k < 200; k++)
            Assert.Equal(ExpressionPrinter.PrintExact(Grammar.Atom(plain, 3, 5, true)), ExpressionPrinter.PrintExact(Grammar.Atom(explicitNone, 3, 5, true, [])));
        var random = new SearchRandom(11);
        var seen = new HashSet<NodeKind>();
        var limits = new TreeLimits(60, 14);
        var parent = ExpressionParser.ParseModel("sum(r^-6) - sum(0.3^r)^0.5");
        for (var k = 0; k < 400; k++)
        {
            var tree = Grammar.Atom(random, 3, 5, false, Operators.Unary);
            tree.RequireAtomExpression();
            foreach (var node in tree.Nodes) seen.Add(node.Kind);
            foreach (var op in Enum.GetValues<Operator>())
            {
                var child = Variation.Apply(op, parent, tree, random, limits, false, Operators.Unary);
                if (child is null) continue;
                child.RequireAtomExpression();
                Assert.True(child.SumCount > 0);
                foreach (var node in child.Nodes) seen.Add(node.Kind);
                // Deletion and point mutation reach function nodes too.
                parent = child.Length < 40 ? child : parent;
            }
        }
        foreach (var function in Operators.Unary) Assert.Contains(function, seen);
    }
}
