using PoetSharp.Fitting;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Fitting;

public class LevenbergMarquardtTests(ITestOutputHelper output) : GradientOptimizerTests(output)
{
    protected override IOptimizer Create() => new LevenbergMarquardt();
    protected override IOptimizer CreateOther() => new ConjugateGradient();
    protected override string ExpectedName => "lm";
    protected override OptimizationBudget Budget { get; } = new() { MaxEvaluations = 2000 };

    [Fact]
    public void BadlyScaledQuadraticConverges()
    {
        // Scales 1 … 1000 over ten parameters: the Hessian's condition number is 10⁶.
        var result = Minimize(new ScaledQuadraticProblem(10, 1000), new double[10]);
        Assert.True(result.Converged, result.StopReason);
        Assert.All(result.Parameters, p => Assert.Equal(1, p, 1e-8));
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e-16)] // damping too small for Cholesky of the singular JᵀJ: the SVD fallback solves the steps
    public void RedundantParametersStillFitTheData(double initialDamping)
    {
        var problem = new RedundantParameterProblem(2.5, 1.3, 0.4);
        var result = new LevenbergMarquardt { InitialDamping = initialDamping }.Minimize(problem, [1, 1, 1, 0.3], Budget);
        Output.WriteLine($"{result.Evaluations} evaluations, cost {result.Cost:g3}, {result.StopReason}");
        Assert.True(result.Converged, result.StopReason);
        Assert.True(result.Cost < 1e-20, $"cost {result.Cost}");
        Assert.Equal(2.5, result.Parameters[0] + result.Parameters[1], 1e-8);
        Assert.Equal(1.3, result.Parameters[2], 1e-8);
        Assert.Equal(0.4, result.Parameters[3], 1e-8);
    }

    [Fact]
    public void OverflowingNormalEquationsStopWithAReasonInsteadOfThrowing()
    {
        // Finite residuals with a derivative so steep (as √x near 0) that JᵀJ overflows: neither Cholesky nor the SVD can
        // solve for the step; the search met this as an exception from the SVD. Now the fit stops and says why.
        var result = new LevenbergMarquardt().Minimize(new InfiniteSlopeProblem(), [0.0], Budget);
        Assert.False(result.Converged);
        Assert.Contains("cannot be solved", result.StopReason);
        Assert.True(double.IsFinite(result.Cost));
    }

    private sealed class InfiniteSlopeProblem : ILeastSquaresProblem
    {
        public int ParameterCount => 1;
        public int ResidualCount => 2;

        public bool Evaluate(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian)
        {
            residuals[0] = Math.Sqrt(Math.Abs(parameters[0])) - 1;
            residuals[1] = parameters[0] - 1;
            if (!jacobian.IsEmpty)
            {
                jacobian[0] = parameters[0] == 0 ? 1e200 : 0.5 / Math.Sqrt(Math.Abs(parameters[0]));
                jacobian[1] = 1;
            }
            return true;
        }
    }
}
