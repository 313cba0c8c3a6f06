using System.Diagnostics;

namespace PoetSharp.Fitting;

/// <summary>
/// Bookkeeping shared by the gradient-based optimisers: counts evaluations, checks the budget, turns an invalid or
/// non-finite evaluation into cost +∞, and the small dense vector kernels they need (all on caller-owned buffers).
/// </summary>
internal sealed class OptimizerRun
{
    private readonly ILeastSquaresProblem problem;
    private readonly OptimizationBudget budget;
    private readonly long startTimestamp;

    public OptimizerRun(ILeastSquaresProblem problem, ReadOnlySpan<double> start, OptimizationBudget budget)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(budget);
        if (problem.ParameterCount < 1)
            throw new ArgumentException("The problem has no parameters.", nameof(problem));
        if (problem.ResidualCount < 1)
            throw new ArgumentException("The problem has no residuals.", nameof(problem));
        if (start.Length != problem.ParameterCount)
            throw new ArgumentException($"The start point has {start.Length} parameters, the problem {problem.ParameterCount}.", nameof(start));
        if (!problem.HasJacobian)
            throw new ArgumentException("The problem provides no Jacobian, which this optimiser needs; use cmaes.", nameof(problem));
        if (budget.MaxEvaluations < 1)
            throw new ArgumentException("MaxEvaluations must be at least 1.", nameof(budget));
        this.problem = problem;
        this.budget = budget;
        startTimestamp = Stopwatch.GetTimestamp();
    }

    public int ParameterCount => problem.ParameterCount;
    public int ResidualCount => problem.ResidualCount;
    public int Evaluations { get; private set; }
    public OptimizationBudget Budget => budget;

    /// <summary>Evaluates residuals and Jacobian; returns ½Σr², or +∞ where the model is invalid or not finite.</summary>
    public double Evaluate(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian)
    {
        Evaluations++;
        if (!problem.Evaluate(parameters, residuals, jacobian))
            return double.PositiveInfinity;
        double cost = 0.5 * Dot(residuals, residuals);
        if (!double.IsFinite(cost) || !AllFinite(jacobian))
            return double.PositiveInfinity;
        return cost;
    }

    /// <summary>True (with the reason in words) when no further evaluation may be made.</summary>
    public bool Exhausted(out string reason)
    {
        if (Evaluations >= budget.MaxEvaluations)
        {
            reason = $"evaluation budget exhausted ({Evaluations} of {budget.MaxEvaluations} evaluations)";
            return true;
        }
        if (budget.MaxTime is TimeSpan limit && Stopwatch.GetElapsedTime(startTimestamp) >= limit)
        {
            reason = $"time limit of {limit.TotalSeconds:0.###} s reached after {Evaluations} evaluations";
            return true;
        }
        reason = "";
        return false;
    }

    /// <summary>Relative parameter-change test: ‖step‖ ≤ tol·(‖x‖ + tol).</summary>
    public bool StepNegligible(ReadOnlySpan<double> step, ReadOnlySpan<double> x)
    {
        double tol = budget.ParameterTolerance;
        return Math.Sqrt(Dot(step, step)) <= tol * (Math.Sqrt(Dot(x, x)) + tol);
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }

    public static double MaxAbs(ReadOnlySpan<double> a)
    {
        double max = 0;
        foreach (double v in a)
            max = Math.Max(max, Math.Abs(v));
        return max;
    }

    private static bool AllFinite(ReadOnlySpan<double> a)
    {
        foreach (double v in a)
            if (!double.IsFinite(v))
                return false;
        return true;
    }

    /// <summary>gradient = Jᵀ r for a row-major m×n Jacobian.</summary>
    public static void Gradient(ReadOnlySpan<double> jacobian, ReadOnlySpan<double> residuals, Span<double> gradient)
    {
        int n = gradient.Length;
        gradient.Clear();
        for (int i = 0; i < residuals.Length; i++)
        {
            double ri = residuals[i];
            ReadOnlySpan<double> row = jacobian.Slice(i * n, n);
            for (int k = 0; k < n; k++)
                gradient[k] += row[k] * ri;
        }
    }

    /// <summary>
    /// In-place Cholesky factorisation of the lower triangle of the n×n row-major <paramref name="a"/>. False when a
    /// pivot is not clearly positive (below <paramref name="relativePivot"/> times its diagonal entry): the matrix is
    /// then numerically singular or badly conditioned.
    /// </summary>
    public static bool CholeskyFactor(Span<double> a, int n, double relativePivot)
    {
        for (int j = 0; j < n; j++)
        {
            double diagonal = a[j * n + j];
            double sum = diagonal;
            for (int k = 0; k < j; k++)
                sum -= a[j * n + k] * a[j * n + k];
            if (!(sum > relativePivot * diagonal))
                return false;
            double pivot = Math.Sqrt(sum);
            a[j * n + j] = pivot;
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++)
                    s -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = s / pivot;
            }
        }
        return true;
    }

    /// <summary>Solves L Lᵀ x = b with the factor from <see cref="CholeskyFactor"/> (x may be b's storage).</summary>
    public static void CholeskySolve(ReadOnlySpan<double> factor, int n, ReadOnlySpan<double> b, Span<double> x)
    {
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++)
                s -= factor[i * n + k] * x[k];
            x[i] = s / factor[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int k = i + 1; k < n; k++)
                s -= factor[k * n + i] * x[k];
            x[i] = s / factor[i * n + i];
        }
    }

    /// <summary>The Gauss–Newton matrix JᵀJ (n×n, row-major, both triangles) of a row-major m×n Jacobian.</summary>
    public static void NormalMatrix(ReadOnlySpan<double> jacobian, int n, Span<double> normal)
    {
        normal.Slice(0, n * n).Clear();
        int m = jacobian.Length / n;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<double> row = jacobian.Slice(i * n, n);
            for (int a = 0; a < n; a++)
            {
                double ja = row[a];
                if (ja == 0)
                    continue;
                for (int b = 0; b <= a; b++)
                    normal[a * n + b] += ja * row[b];
            }
        }
        for (int a = 0; a < n; a++)
            for (int b = 0; b < a; b++)
                normal[b * n + a] = normal[a * n + b];
    }

    /// <summary>‖J v‖² for a row-major m×n Jacobian.</summary>
    public static double JacobianProductNormSquared(ReadOnlySpan<double> jacobian, ReadOnlySpan<double> v)
    {
        int n = v.Length;
        int m = jacobian.Length / n;
        double sum = 0;
        for (int i = 0; i < m; i++)
        {
            double s = Dot(jacobian.Slice(i * n, n), v);
            sum += s * s;
        }
        return sum;
    }
}
