using PoetSharp.Fitting;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Fitting;

public class ConjugateGradientTests(ITestOutputHelper output) : GradientOptimizerTests(output)
{
    protected override IOptimizer Create() => new ConjugateGradient();
    protected override IOptimizer CreateOther() => new LevenbergMarquardt();
    protected override string ExpectedName => "cg";
    protected override OptimizationBudget Budget { get; } = new() { MaxEvaluations = 20000 };

    [Fact]
    public void BadlyScaledQuadraticConverges()
    {
        // Scales 1 … 1000: the Hessian's condition number is 10⁶. Conjugacy is lost to rounding on such a problem and the
        // steps stagnate well before the gradient vanishes, so only the gradient test is left to stop the run.
        var budget = Budget with { ParameterTolerance = 0, RelativeCostTolerance = 0 };
        var result = Minimize(new ScaledQuadraticProblem(5, 1000), new double[5], budget);
        Assert.True(result.Converged, result.StopReason);
        Assert.All(result.Parameters, p => Assert.Equal(1, p, 1e-8));
    }

    [Fact]
    public void RedundantParametersStillFitTheData()
    {
        var result = Minimize(new RedundantParameterProblem(2.5, 1.3, 0.4), [1, 1, 1, 0.3]);
        Assert.True(result.Converged, result.StopReason);
        Assert.True(result.Cost < 1e-20, $"cost {result.Cost}");
        Assert.Equal(2.5, result.Parameters[0] + result.Parameters[1], 1e-8);
        Assert.Equal(1.3, result.Parameters[2], 1e-8);
        Assert.Equal(0.4, result.Parameters[3], 1e-8);
    }
}
