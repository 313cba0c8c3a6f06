using PoetSharp.Fitting;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Fitting;

/// <summary>What every gradient-based optimiser must do; <see cref="LevenbergMarquardtTests"/> and <see cref="ConjugateGradientTests"/> run it.</summary>
public abstract class GradientOptimizerTests(ITestOutputHelper output)
{
    protected abstract IOptimizer Create();
    /// <summary>The other gradient-based optimiser, to cross-check where a minimum is.</summary>
    protected abstract IOptimizer CreateOther();
    protected abstract string ExpectedName { get; }
    protected abstract OptimizationBudget Budget { get; }
    protected ITestOutputHelper Output => output;

    protected OptimizationResult Minimize(CountingProblem problem, double[] start, OptimizationBudget? budget = null)
    {
        var result = Create().Minimize(problem, start, budget ?? Budget);
        output.WriteLine($"{problem.GetType().Name}: {result.Evaluations} evaluations ({problem.InvalidEvaluations} invalid), " +
                         $"cost {result.Cost:g3}, {result.StopReason}, parameters [{string.Join(", ", result.Parameters.Select(p => p.ToString("R")))}]");
        Assert.Equal(problem.Evaluations, result.Evaluations);
        Assert.Equal(problem.LowestCost, result.Cost); // the best point seen is returned
        return result;
    }

    [Fact]
    public void HasItsName() => Assert.Equal(ExpectedName, Create().Name);

    [Fact]
    public void RosenbrockConvergesToTheMinimum()
    {
        var result = Minimize(new RosenbrockProblem(), [-1.2, 1]);
        Assert.True(result.Converged, result.StopReason);
        Assert.Equal(1, result.Parameters[0], 1e-8);
        Assert.Equal(1, result.Parameters[1], 1e-8);
    }

    [Theory]
    [InlineData(1.3, 1.3, 1.3)]
    [InlineData(0.7, 0.7, 0.7)]
    [InlineData(1.3, 0.7, 1.3)]
    [InlineData(0.7, 1.3, 0.7)]
    [InlineData(1.3, 1.3, 0.7)]
    public void ExponentialDecayFitRecoversTheParameters(double fa, double fb, double fc)
    {
        const double a = 2.5, b = 1.3, c = 0.4;
        var result = Minimize(new ExponentialDecayProblem(a, b, c), [fa * a, fb * b, fc * c]);
        Assert.True(result.Converged, result.StopReason);
        Assert.Equal(a, result.Parameters[0], 1e-8);
        Assert.Equal(b, result.Parameters[1], 1e-8);
        Assert.Equal(c, result.Parameters[2], 1e-8);
    }

    [Fact]
    public void NoisyFitMatchesTheOtherOptimiser()
    {
        // Nonzero residuals at the minimum: lm and cg must agree on where it is.
        double[] start = [2, 1, 0.5];
        var other = CreateOther().Minimize(new ExponentialDecayProblem(2.5, 1.3, 0.4, noise: 0.01), start, Budget);
        var result = Minimize(new ExponentialDecayProblem(2.5, 1.3, 0.4, noise: 0.01), start);
        Assert.True(result.Converged, result.StopReason);
        Assert.True(other.Converged, other.StopReason);
        Assert.True(result.Cost > 1e-4, $"cost {result.Cost}");
        Assert.Equal(other.Cost, result.Cost, 1e-12 * other.Cost);
        for (int k = 0; k < 3; k++)
            Assert.Equal(other.Parameters[k], result.Parameters[k], 1e-6);
    }

    [Fact]
    public void ConvergesNearTheBoundaryOfAnInvalidRegion()
    {
        var problem = new LogarithmProblem();
        var result = Minimize(problem, [0.05, 0]);
        Assert.True(problem.InvalidEvaluations > 0, "the test should make the optimiser meet invalid points");
        Assert.True(result.Converged, result.StopReason);
        Assert.Equal(LogarithmProblem.U, result.Parameters[0], 1e-11);
        Assert.Equal(LogarithmProblem.V, result.Parameters[1], 1e-8);
    }

    [Fact]
    public void EvaluationBudgetStopsTheRunWithTheBestPoint()
    {
        var problem = new RosenbrockProblem();
        var result = Minimize(problem, [-1.2, 1], new OptimizationBudget { MaxEvaluations = 5 });
        Assert.False(result.Converged);
        Assert.Contains("evaluation budget", result.StopReason);
        Assert.Equal(5, result.Evaluations);
        Assert.Equal(problem.LowestCost, result.Cost);
        Assert.Equal(problem.CostAt(result.Parameters), result.Cost);
        Assert.True(result.Cost < problem.CostAt([-1.2, 1]));
    }

    [Fact]
    public void TimeLimitStopsTheRun()
    {
        var result = Minimize(new RosenbrockProblem(), [-1.2, 1], new OptimizationBudget { MaxTime = TimeSpan.Zero });
        Assert.False(result.Converged);
        Assert.Contains("time limit", result.StopReason);
        Assert.Equal(1, result.Evaluations);
    }

    [Fact]
    public void ReportsAnInvalidStartPoint()
    {
        var result = Minimize(new AlwaysInvalidProblem(), [1]);
        Assert.False(result.Converged);
        Assert.Contains("invalid at the start", result.StopReason);
        Assert.Equal(double.PositiveInfinity, result.Cost);
        Assert.Equal([1.0], result.Parameters);
    }

    [Fact]
    public void SingularJacobianAtTheSolutionStillConverges()
    {
        var problem = new PowellSingularProblem();
        var result = Minimize(problem, [3, -1, 0, 1]);
        // The residuals are quadratic in the singular direction, so the gradient tolerance (1e-14) is met at |x| ~ 1e-5.
        Assert.True(result.Converged, result.StopReason);
        Assert.True(result.Cost < 1e-18, $"cost {result.Cost}");
        Assert.All(result.Parameters, p => Assert.True(Math.Abs(p) < 1e-4, $"parameter {p}"));
    }

    [Fact]
    public void AllocatesNothingPerIteration()
    {
        var optimizer = Create();
        double[] start = [-1.2, 1];
        var problem = new RosenbrockProblem();
        optimizer.Minimize(problem, start, Budget); // JIT and static initialisation
        long before = GC.GetAllocatedBytesForCurrentThread();
        var shortRun = optimizer.Minimize(problem, start, new OptimizationBudget { MaxEvaluations = 2 });
        long shortBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var longRun = optimizer.Minimize(problem, start, Budget);
        long longBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{shortRun.Evaluations} evaluations: {shortBytes} bytes; {longRun.Evaluations} evaluations: {longBytes} bytes");
        Assert.True(longRun.Evaluations > 5 * shortRun.Evaluations);
        // The buffers are set up once per run; only the stop-reason strings differ.
        Assert.True(longBytes <= shortBytes + 256, $"{shortBytes} vs {longBytes} bytes");
    }

    [Fact]
    public void IsDeterministic()
    {
        var first = Create().Minimize(new ExponentialDecayProblem(2.5, 1.3, 0.4), [3, 1, 0.3], Budget);
        var second = Create().Minimize(new ExponentialDecayProblem(2.5, 1.3, 0.4), [3, 1, 0.3], Budget);
        Assert.Equal(first.Parameters, second.Parameters);
        Assert.Equal(first.Evaluations, second.Evaluations);
    }

    [Fact]
    public void RejectsAStartOfTheWrongLength()
        => Assert.Throws<ArgumentException>(() => Create().Minimize(new RosenbrockProblem(), [1.0], Budget));
}
