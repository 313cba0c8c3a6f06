using PoetSharp.Fitting;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Fitting.Cma;

public class CmaEsTests(ITestOutputHelper output)
{
    private static readonly OptimizationBudget Generous = new() { MaxEvaluations = 200_000, Seed = 7 };

    private OptimizationResult Run(CountingProblem problem, double[] start, OptimizationBudget budget, CmaEs? optimizer = null)
    {
        var result = (optimizer ?? new CmaEs()).Minimize(problem, start, budget);
        output.WriteLine($"{problem.GetType().Name} n={problem.ParameterCount}: cost {result.Cost:G4}, " +
                         $"{result.Evaluations} evaluations, converged {result.Converged}, {result.StopReason}");
        Assert.Equal(problem.Calls, result.Evaluations);
        return result;
    }

    private static double[] Filled(int n, double value) => Enumerable.Repeat(value, n).ToArray();

    [Fact]
    public void IsSelectableByName()
    {
        IOptimizer optimizer = new CmaEs();
        Assert.Equal("cmaes", optimizer.Name);
    }

    [Theory]
    [InlineData(5, 1.0)]
    [InlineData(10, 1.0)]
    [InlineData(5, 1e4)]
    [InlineData(10, 1e4)]
    public void ConvergesOnSphereAndEllipsoid(int n, double condition)
    {
        var problem = new EllipsoidProblem(n, condition);
        var result = Run(problem, Filled(n, 1.0), Generous, new CmaEs { MaxRestarts = 0 });
        Assert.True(result.Converged, result.StopReason);
        Assert.True(result.Cost < 1e-8, $"cost {result.Cost}");

        // The evaluations needed just to reach the 1e-8 level, for comparison with published CMA-ES runs.
        var toTarget = Run(new EllipsoidProblem(n, condition), Filled(n, 1.0), Generous, new CmaEs { TargetCost = 1e-8 });
        Assert.True(toTarget.Cost <= 1e-8);
        Assert.True(toTarget.Evaluations < result.Evaluations);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void FindsTheRosenbrockMinimum(int n)
    {
        var start = Enumerable.Range(0, n).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();
        var result = Run(new RosenbrockProblem(n), start, Generous, new CmaEs { MaxRestarts = 0 });
        Assert.True(result.Converged, result.StopReason);
        foreach (double c in result.Parameters)
            Assert.Equal(1.0, c, 1e-6);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void RestartsEscapeRastriginLocalMinima(int n)
    {
        var start = Filled(n, 3.0);
        var single = Run(new RastriginProblem(n), start, Generous, new CmaEs { MaxRestarts = 0 });
        var restarted = Run(new RastriginProblem(n), start, Generous, new CmaEs { MaxRestarts = 8 });
        Assert.True(single.Cost > 0.5, $"single run already found the global minimum: {single.Cost}");
        Assert.True(restarted.Cost < 1e-8, $"cost {restarted.Cost}");
        Assert.Contains("restart", restarted.StopReason);
        foreach (double c in restarted.Parameters)
            Assert.Equal(0.0, c, 1e-4);
    }

    [Fact]
    public void SurvivesAnInvalidRegionAndFindsTheValidMinimum()
    {
        // The start lies at the border: about half of the first offspring have c_0 ≤ 0.
        var start = new[] { 0.01, 0.0, 0.0 };
        var result = Run(new LogarithmProblem(3), start, Generous, new CmaEs { MaxRestarts = 0 });
        Assert.True(result.Converged, result.StopReason);
        Assert.True(result.Cost < 1e-12, $"cost {result.Cost}");
        Assert.Equal(2.0, result.Parameters[0], 1e-5);
        Assert.Equal(1.0, result.Parameters[1], 1e-5);
    }

    [Fact]
    public void ReportsNoValidPointWhenInvalidEverywhere()
    {
        var start = new[] { 1.0, 2.0 };
        var result = Run(new NowhereValidProblem(2), start, Generous, new CmaEs { MaxRestarts = 1 });
        Assert.False(result.Converged);
        Assert.Equal(double.PositiveInfinity, result.Cost);
        Assert.Equal(start, result.Parameters);
        Assert.Contains("no valid offspring", result.StopReason);
    }

    [Fact]
    public void SameSeedGivesBitIdenticalResults()
    {
        var start = Filled(4, 3.0);
        var a = Run(new RastriginProblem(4), start, Generous);
        var b = Run(new RastriginProblem(4), start, Generous);
        Assert.Equal(a.Evaluations, b.Evaluations);
        Assert.Equal(BitConverter.DoubleToInt64Bits(a.Cost), BitConverter.DoubleToInt64Bits(b.Cost));
        Assert.Equal(a.Parameters.Select(BitConverter.DoubleToInt64Bits), b.Parameters.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(a.StopReason, b.StopReason);

        var other = Run(new RastriginProblem(4), start, Generous with { Seed = 8 });
        Assert.NotEqual(a.Parameters, other.Parameters);
    }

    [Fact]
    public void StopsAtTheEvaluationBudget()
    {
        var result = Run(new RosenbrockProblem(5), Filled(5, -1.0), new OptimizationBudget { MaxEvaluations = 100 });
        Assert.False(result.Converged);
        Assert.Equal(100, result.Evaluations);
        Assert.Contains("evaluation budget", result.StopReason);
        Assert.True(double.IsFinite(result.Cost));
    }

    [Fact]
    public void StopsAtTheTimeBudget()
    {
        var budget = new OptimizationBudget { MaxEvaluations = int.MaxValue, MaxTime = TimeSpan.FromMilliseconds(200) };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = Run(new SlowSphereProblem(5), Filled(5, 3.0), budget);
        Assert.False(result.Converged);
        Assert.Contains("time budget", result.StopReason);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void StopsAtTheTargetCost()
    {
        var result = Run(new EllipsoidProblem(3), Filled(3, 1.0), Generous, new CmaEs { TargetCost = 1e-4 });
        Assert.True(result.Converged);
        Assert.True(result.Cost <= 1e-4);
        Assert.Contains("target", result.StopReason);
    }

    [Fact]
    public void ReturnsTheBestPointEverSeen()
    {
        var problem = new RastriginProblem(3);
        var result = Run(problem, Filled(3, 2.0), new OptimizationBudget { MaxEvaluations = 300, Seed = 3 });
        var residuals = new double[3];
        Assert.True(problem.Evaluate(result.Parameters, residuals, Span<double>.Empty));
        Assert.Equal(result.Cost, 0.5 * residuals.Sum(r => r * r));
    }

    [Fact]
    public void RejectsAStartOfTheWrongLength()
    {
        Assert.Throws<ArgumentException>(() => new CmaEs().Minimize(new EllipsoidProblem(3), new double[2], Generous));
    }
}
