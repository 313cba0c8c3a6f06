using PoetSharp.Fitting;

namespace PoetSharp.Tests.Fitting;

/// <summary>
/// Base of the test problems: records how often the optimiser evaluated, how often the model was invalid, and the
/// lowest valid cost seen, so tests can check the optimiser's bookkeeping against the problem's own.
/// </summary>
public abstract class CountingProblem : ILeastSquaresProblem
{
    public abstract int ParameterCount { get; }
    public abstract int ResidualCount { get; }
    public int Evaluations { get; private set; }
    public int InvalidEvaluations { get; private set; }
    public double LowestCost { get; private set; } = double.PositiveInfinity;

    public bool Evaluate(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian)
    {
        Evaluations++;
        if (!Compute(parameters, residuals, jacobian))
        {
            InvalidEvaluations++;
            return false;
        }
        LowestCost = Math.Min(LowestCost, Cost(residuals));
        return true;
    }

    /// <summary>½Σr² at <paramref name="parameters"/> (∞ where invalid), without counting an evaluation.</summary>
    public double CostAt(ReadOnlySpan<double> parameters)
    {
        var residuals = new double[ResidualCount];
        return Compute(parameters, residuals, default) ? Cost(residuals) : double.PositiveInfinity;
    }

    protected abstract bool Compute(ReadOnlySpan<double> p, Span<double> r, Span<double> jacobian);

    private static double Cost(ReadOnlySpan<double> r)
    {
        double sum = 0;
        foreach (double v in r)
            sum += v * v;
        return 0.5 * sum;
    }
}

/// <summary>Rosenbrock's function as residuals (10(y − x²), 1 − x); minimum 0 at (1, 1).</summary>
public sealed class RosenbrockProblem : CountingProblem
{
    public override int ParameterCount => 2;
    public override int ResidualCount => 2;

    protected override bool Compute(ReadOnlySpan<double> p, Span<double> r, Span<double> jacobian)
    {
        double x = p[0], y = p[1];
        r[0] = 10 * (y - x * x);
        r[1] = 1 - x;
        if (!jacobian.IsEmpty)
        {
            jacobian[0] = -20 * x;
            jacobian[1] = 10;
            jacobian[2] = -1;
            jacobian[3] = 0;
        }
        return true;
    }
}

/// <summary>
/// Fit of y = a·exp(−b t) + c on t = 0, 0.2, …, 4; with <paramref name="noise"/> ≠ 0 the data carry a deterministic
/// perturbation noise·sin(7.3 i), so the minimum has nonzero residuals.
/// </summary>
public sealed class ExponentialDecayProblem : CountingProblem
{
    private readonly double[] times, values;

    public ExponentialDecayProblem(double a, double b, double c, double noise = 0, int points = 21)
    {
        times = new double[points];
        values = new double[points];
        for (int i = 0; i < points; i++)
        {
            times[i] = 0.2 * i;
            values[i] = a * Math.Exp(-b * times[i]) + c + noise * Math.Sin(7.3 * i);
        }
    }

    public override int ParameterCount => 3;
    public override int ResidualCount => times.Length;

    protected override bool Compute(ReadOnlySpan<double> p, Span<double> r, Span<double> jacobian)
    {
        double a = p[0], b = p[1], c = p[2];
        for (int i = 0; i < times.Length; i++)
        {
            double e = Math.Exp(-b * times[i]);
            r[i] = a * e + c - values[i];
            if (!jacobian.IsEmpty)
            {
                jacobian[3 * i] = e;
                jacobian[3 * i + 1] = -a * times[i] * e;
                jacobian[3 * i + 2] = 1;
            }
        }
        return true;
    }
}

/// <summary>
/// y = ln(u) + v·t fitted to data made with u = 0.001, v = 0.7: invalid for u ≤ 0, and a Gauss–Newton step from
/// u of a few hundredths overshoots to negative u, so an optimiser starting near the boundary meets invalid points.
/// </summary>
public sealed class LogarithmProblem : CountingProblem
{
    public const double U = 0.001, V = 0.7;
    private static readonly double[] Times = [0, 0.25, 0.5, 0.75, 1];

    public override int ParameterCount => 2;
    public override int ResidualCount => Times.Length;

    protected override bool Compute(ReadOnlySpan<double> p, Span<double> r, Span<double> jacobian)
    {
        double u = p[0], v = p[1];
        if (!(u > 0))
            return false;
        for (int i = 0; i < Times.Length; i++)
        {
            r[i] = Math.Log(u) + v * Times[i] - (Math.Log(U) + V * Times[i]);
            if (!jacobian.IsEmpty)
            {
                jacobian[2 * i] = 1 / u;
                jacobian[2 * i + 1] = Times[i];
            }
        }
        return true;
    }
}

/// <summary>Powell's singular function: minimum 0 at the origin, where the Jacobian is singular (rank 2).</summary>
public sealed class PowellSingularProblem : CountingProblem
{
    public override int ParameterCount => 4;
    public override int ResidualCount => 4;

    protected override bool Compute(ReadOnlySpan<double> p, Span<double> r, Span<double> jacobian)
    {
        double x1 = p[0], x2 = p[1], x3 = p[2], x4 = p[3];
        double s5 = Math.Sqrt(5), s10 = Math.Sqrt(10);
        r[0] = x1 + 10 * x2;
        r[1] = s5 * (x3 - x4);
        r[2] = (x2 - 2 * x3) * (x2 - 2 * x3);
        r[3] = s10 * (x1 - x4) * (x1 - x4);
        if (!jacobian.IsEmpty)
        {
            jacobian.Clear();
            jacobian[0] = 1;
            jacobian[1] = 10;
            jacobian[4 + 2] = s5;
            jacobian[4 + 3] = -s5;
            jacobian[8 + 1] = 2 * (x2 - 2 * x3);
            jacobian[8 + 2] = -4 * (x2 - 2 * x3);
            jacobian[12 + 0] = 2 * s10 * (x1 - x4);
            jacobian[12 + 3] = -2 * s10 * (x1 - x4);
        }
        return true;
    }
}

/// <summary>Residuals s_k (x_k − 1) with scales s_k from 1 to <paramref name="maxScale"/>: a badly scaled quadratic.</summary>
public sealed class ScaledQuadraticProblem(int dimension, double maxScale) : CountingProblem
{
    public override int ParameterCount => dimension;
    public override int ResidualCount => dimension;

    private double Scale(int k) => Math.Pow(maxScale, k / (double)(dimension - 1));

    protected override bool Compute(ReadOnlySpan<double> p, Span<double> r, Span<double> jacobian)
    {
        if (!jacobian.IsEmpty)
            jacobian.Clear();
        for (int k = 0; k < dimension; k++)
        {
            r[k] = Scale(k) * (p[k] - 1);
            if (!jacobian.IsEmpty)
                jacobian[k * dimension + k] = Scale(k);
        }
        return true;
    }
}

/// <summary>A model invalid everywhere, to check how an invalid start point is reported.</summary>
public sealed class AlwaysInvalidProblem : CountingProblem
{
    public override int ParameterCount => 1;
    public override int ResidualCount => 1;
    protected override bool Compute(ReadOnlySpan<double> p, Span<double> r, Span<double> jacobian) => false;
}

/// <summary>
/// The exponential-decay fit with the amplitude split into two parameters, a = p₀ + p₁: JᵀJ is exactly singular, so only
/// the damping keeps the step equations solvable.
/// </summary>
public sealed class RedundantParameterProblem(double a, double b, double c) : CountingProblem
{
    private readonly ExponentialDecayProblem inner = new(a, b, c);
    private readonly double[] innerJacobian = new double[3 * 21];

    public override int ParameterCount => 4;
    public override int ResidualCount => inner.ResidualCount;

    protected override bool Compute(ReadOnlySpan<double> p, Span<double> r, Span<double> jacobian)
    {
        Span<double> q = [p[0] + p[1], p[2], p[3]];
        if (!inner.Evaluate(q, r, jacobian.IsEmpty ? default : innerJacobian))
            return false;
        if (!jacobian.IsEmpty)
            for (int i = 0; i < ResidualCount; i++)
            {
                jacobian[4 * i] = innerJacobian[3 * i];
                jacobian[4 * i + 1] = innerJacobian[3 * i];
                jacobian[4 * i + 2] = innerJacobian[3 * i + 1];
                jacobian[4 * i + 3] = innerJacobian[3 * i + 2];
            }
        return true;
    }
}
