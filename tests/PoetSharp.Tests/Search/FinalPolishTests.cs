using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Search;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Search;

/// <summary>The front's final polish on more training structures than candidates are fitted on (<see cref="SearchSettings.FinalFitStructures"/>).</summary>
public class FinalPolishTests
{
    private static SearchProblem Problem()
    {
        var all = PoetFolder.Read(TestData.Repo("poet", "EAM_Cu", "NVT_FCC_1600K"));
        return new SearchProblem(new Dataset(SearchProblem.Spread(all.Structures, 16), "EAM_Cu 1600 K (16)"), null, Taper.Copper, maxFitStructures: 3);
    }

    private static double CostOn(PairTable pairs, Expression model, SearchProblem problem, SearchSettings settings) =>
        new FittingObjective(new ModelEvaluator(new CompiledModel(model, problem.Taper), pairs), settings.Weights, problem.Scales).Cost(model.Constants);

    [Fact]
    public void TheFinalPolishFitsTheLargerSetAndOnlyWhenAskedTo()
    {
        var problem = Problem();
        var settings = new SearchSettings { MaxFitStructures = 3, FinalFitStructures = 12, FinalRefitEvaluations = 60 };
        var final = problem.FinalFitPairs(settings);
        Assert.Equal(12, final.Structures.Count);
        Assert.Same(final, problem.FinalFitPairs(settings));
        // Not more than the fitting set, or the fitting set itself: the candidates' own structures.
        Assert.Same(problem.FitPairs, problem.FinalFitPairs(settings with { FinalFitStructures = 3 }));
        Assert.Equal(16, problem.FinalFitPairs(new SearchSettings { MaxFitStructures = 3 }).Structures.Count); // the default, 128: all 16
        Assert.Equal(16, problem.FinalFitPairs(settings with { FinalFitStructures = 500 }).Structures.Count);

        // Sutton–Chen with its constants off: polished on 12 structures it fits those 12 better than when polished on the 3.
        var start = ExpressionParser.ParseModel("sum(600*r^-8.7) - sum(500*r^-6.2)^0.5");
        var onTwelve = problem.PolishFinal(start, settings);
        var onThree = problem.PolishFinal(start, settings with { FinalFitStructures = 3 });
        var before = CostOn(final, start, problem, settings);
        var twelve = CostOn(final, onTwelve, problem, settings);
        var three = CostOn(final, onThree, problem, settings);
        Assert.True(twelve < before && twelve < three, $"on the 12: {before:G4} before, {twelve:G4} polished on them, {three:G4} polished on 3");
        Assert.Equal(ExpressionPrinter.PrintExact(problem.Polish(start, settings, 60)), ExpressionPrinter.PrintExact(onThree));
        Assert.Equal(ExpressionPrinter.PrintExact(start), ExpressionPrinter.PrintExact(problem.PolishFinal(start, settings with { FinalRefitEvaluations = 0 })));
        Assert.Throws<ArgumentException>(() => (settings with { FinalFitStructures = 0 }).Validate());
    }
}
