using PoetSharp.Models;
using PoetSharp.Search;

namespace PoetSharp.Tests.Search;

/// <summary>The front without repeats: algebraic rewrites of one model collapse to the simplest, distinct models stay.</summary>
public class FrontCollapseTests
{
    private static Lazy<SearchProblem> Problem => SearchEngineTests.Problem;

    private static Candidate Of(string text, double fitness)
    {
        var e = ExpressionParser.ParseModel(text);
        return new Candidate(e, fitness, fitness, CostModel.PerPair(e), true, "", 0);
    }

    private static string[] Texts(IEnumerable<Candidate> front) => front.Select(c => ExpressionPrinter.PrintExact(c.Expression)).ToArray();

    [Fact]
    public void AlgebraicFormsOfOneModelCollapseToTheSimplest()
    {
        Candidate[] front =
        [
            Of("sum(0.3^r)*2", 1.0),
            Of("2*sum(0.3^r)", 1.1),
            Of("2*sum(0.3^r) + 1", 1.0),             // the same up to a constant energy per atom
            Of("sum(0.4^r + 0.2^r)", 2.0),
            Of("sum(0.4^r) + sum(0.2^r)", 1.9),       // more nodes, though fitted a little better
            Of("2.000001*sum(0.3^r)", 1.0),           // 5e-7 apart: another model
            Of("sum(644.52*r^-9) - sum(527.62*r^-6)^0.5", 0.1),
        ];
        // Of the two five-node forms, the lower cost wins, then the lower fitness.
        var first = front[0].CostPerPair <= front[1].CostPerPair ? front[0] : front[1];

        var distinct = FrontCollapse.Distinct(front, Problem.Value);

        Assert.Equal(Texts([first, front[3], front[5], front[6]]), Texts(distinct));
    }

    [Fact]
    public void DistinctModelsAllStay()
    {
        Candidate[] front =
        [
            Of("sum(r^-9)", 1.0),
            Of("sum(r^-9) - sum(r^-6)^0.5", 0.5),
            Of("sum(r^-9) - sum(r^-6)^0.51", 0.4),
            Of("sum(0.3^r)^2", 0.7),
        ];
        Assert.Equal(Texts(front), Texts(FrontCollapse.Distinct(front, Problem.Value)));
    }

    [Fact]
    public void AModelThatIsNotFiniteOnTheDataIsNeverMerged()
    {
        // (−1)^Σr is NaN for any non-integer sum: both are kept, and a finite model beside them is untouched.
        Candidate[] front = [Of("(-1)^sum(r)", 1.0), Of("(-1)^sum(r)*1", 1.0), Of("sum(r^-9)", 2.0)];
        Assert.Equal(3, FrontCollapse.Distinct(front, Problem.Value).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => FrontCollapse.Distinct(front, Problem.Value, -1));
    }
}
