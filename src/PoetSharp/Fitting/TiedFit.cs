namespace PoetSharp.Fitting;

/// <summary>
/// A constant fit with the two refinements the search and <c>poet refit</c> share: constants tied in groups (shared pair
/// functions, <see cref="TiedProblem"/>), and the amplitudes solved exactly before the optimiser starts
/// (<see cref="LinearProjection"/>).
/// </summary>
public static class TiedFit
{
    /// <summary>
    /// The optimiser's run on <paramref name="objective"/>, in the free parameters when constants are tied
    /// (<paramref name="ties"/>: for each constant its free parameter; the result is in all of them). With
    /// <paramref name="linear"/> (the model's amplitudes, <see cref="Models.LinearConstants"/>), the amplitudes are first
    /// set to their least-squares values for the start's other constants, one evaluation of the budget, and the optimiser
    /// starts from there; a free parameter is an amplitude when every constant tied to it is one.
    /// </summary>
    public static OptimizationResult Minimize(IOptimizer optimizer, ILeastSquaresProblem objective, ReadOnlySpan<double> start, int[]? ties,
        OptimizationBudget budget, bool[]? linear = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(budget);
        if (ties is null) return Projected(optimizer, objective, start.ToArray(), linear, budget);
        var tied = new TiedProblem(objective, ties);
        bool[]? freeLinear = null;
        if (linear != null)
        {
            freeLinear = Enumerable.Repeat(true, tied.ParameterCount).ToArray();
            for (var k = 0; k < ties.Length; k++) freeLinear[ties[k]] &= linear[k];
        }
        var result = Projected(optimizer, tied, tied.Reduce(start), freeLinear, budget);
        return result with { Parameters = tied.Expand(result.Parameters) };
    }

    private static OptimizationResult Projected(IOptimizer optimizer, ILeastSquaresProblem problem, double[] start, bool[]? linear, OptimizationBudget budget)
    {
        if (linear == null || Array.IndexOf(linear, true) < 0 || budget.MaxEvaluations < 2) return optimizer.Minimize(problem, start, budget);
        var (projected, _) = LinearProjection.Apply(problem, start, linear, out var used);
        var result = optimizer.Minimize(problem, projected, budget with { MaxEvaluations = budget.MaxEvaluations - used });
        return result with { Evaluations = result.Evaluations + used };
    }
}
