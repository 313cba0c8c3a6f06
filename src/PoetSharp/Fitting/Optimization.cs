namespace PoetSharp.Fitting;

/// <summary>
/// A nonlinear least-squares problem: minimise ½ Σ r_i(c)² over parameters c. POET's objective (standardised energy,
/// force and stress residuals) is one; optimisers see only this interface.
/// </summary>
public interface ILeastSquaresProblem
{
    int ParameterCount { get; }
    int ResidualCount { get; }

    /// <summary>
    /// Evaluates the residuals at <paramref name="parameters"/> into <paramref name="residuals"/> and, when
    /// <paramref name="jacobian"/> is not empty, ∂r_i/∂c_k into it (row-major: jacobian[i·ParameterCount + k]).
    /// Returns false when the model is invalid there (NaN or ∞ anywhere); the outputs are then undefined.
    /// </summary>
    bool Evaluate(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian);

    /// <summary>
    /// Whether <see cref="Evaluate"/> can fill a Jacobian. Derivative-free problems say false: the gradient-based
    /// optimisers then refuse them, and CMA-ES does without the Gauss–Newton start it otherwise takes.
    /// </summary>
    bool HasJacobian => true;
}

/// <summary>Helpers over any <see cref="ILeastSquaresProblem"/>.</summary>
public static class LeastSquares
{
    /// <summary>½ Σ r² of <paramref name="problem"/> at <paramref name="parameters"/> (∞ when the model is invalid there).</summary>
    public static double Cost(ILeastSquaresProblem problem, ReadOnlySpan<double> parameters)
    {
        var residuals = new double[problem.ResidualCount];
        if (!problem.Evaluate(parameters, residuals, Span<double>.Empty)) return double.PositiveInfinity;
        var sum = 0.0;
        foreach (var r in residuals) sum += r * r;
        return double.IsFinite(sum) ? 0.5 * sum : double.PositiveInfinity;
    }
}

/// <summary>When an optimiser stops: whichever limit comes first.</summary>
public sealed record OptimizationBudget
{
    /// <summary>Maximum number of problem evaluations (with or without Jacobian).</summary>
    public int MaxEvaluations { get; init; } = 1000;
    /// <summary>Wall-clock limit, if any.</summary>
    public TimeSpan? MaxTime { get; init; }
    /// <summary>Stop when the relative decrease of the cost over an iteration falls below this.</summary>
    public double RelativeCostTolerance { get; init; } = 1e-12;
    /// <summary>Stop when the relative change of the parameters over an iteration falls below this.</summary>
    public double ParameterTolerance { get; init; } = 1e-12;
    /// <summary>Seed for stochastic optimisers (CMA-ES).</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>The outcome of a minimisation.</summary>
/// <param name="Parameters">The best parameters found.</param>
/// <param name="Cost">½ Σ r² at <paramref name="Parameters"/> (∞ if no valid point was found).</param>
/// <param name="Evaluations">Problem evaluations used.</param>
/// <param name="Converged">True when a convergence criterion (not a budget limit) stopped the run.</param>
/// <param name="StopReason">Why it stopped, in words.</param>
public sealed record OptimizationResult(double[] Parameters, double Cost, int Evaluations, bool Converged, string StopReason);

/// <summary>A minimiser of least-squares problems, selectable by name (lm, cg, cmaes).</summary>
public interface IOptimizer
{
    string Name { get; }
    OptimizationResult Minimize(ILeastSquaresProblem problem, ReadOnlySpan<double> start, OptimizationBudget budget);
}
