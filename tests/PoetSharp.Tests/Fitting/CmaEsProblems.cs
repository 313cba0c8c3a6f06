using PoetSharp.Fitting;

namespace PoetSharp.Tests.Fitting.Cma;

/// <summary>Small least-squares problems for the CMA-ES tests; each counts its evaluations.</summary>
internal abstract class CountingProblem(int parameterCount, int residualCount) : ILeastSquaresProblem
{
    public int ParameterCount { get; } = parameterCount;
    public int ResidualCount { get; } = residualCount;
    public int Calls { get; private set; }
    public bool HasJacobian => false;

    public bool Evaluate(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian)
    {
        Calls++;
        Assert.True(jacobian.IsEmpty);
        return Residuals(parameters, residuals);
    }

    protected abstract bool Residuals(ReadOnlySpan<double> c, Span<double> r);
}

/// <summary>½ Σ (a_i c_i)² with a_i² spread geometrically over [1, condition].</summary>
internal sealed class EllipsoidProblem(int n, double condition = 1) : CountingProblem(n, n)
{
    protected override bool Residuals(ReadOnlySpan<double> c, Span<double> r)
    {
        for (int i = 0; i < c.Length; i++)
            r[i] = Math.Pow(condition, 0.5 * i / Math.Max(1, c.Length - 1)) * c[i];
        return true;
    }
}

/// <summary>Rosenbrock's function as residuals 10(c_{i+1} − c_i²) and 1 − c_i; minimum 0 at (1, …, 1).</summary>
internal sealed class RosenbrockProblem(int n) : CountingProblem(n, 2 * (n - 1))
{
    protected override bool Residuals(ReadOnlySpan<double> c, Span<double> r)
    {
        for (int i = 0; i + 1 < c.Length; i++)
        {
            r[2 * i] = 10 * (c[i + 1] - c[i] * c[i]);
            r[2 * i + 1] = 1 - c[i];
        }
        return true;
    }
}

/// <summary>Rastrigin's function 10n + Σ (c_i² − 10 cos 2πc_i) as ½ Σ r², with many local minima; global 0 at 0.</summary>
internal sealed class RastriginProblem(int n) : CountingProblem(n, n)
{
    protected override bool Residuals(ReadOnlySpan<double> c, Span<double> r)
    {
        for (int i = 0; i < c.Length; i++)
            r[i] = Math.Sqrt(2 * Math.Max(0, 10 + c[i] * c[i] - 10 * Math.Cos(2 * Math.PI * c[i])));
        return true;
    }
}

/// <summary>Residuals ln c_0 − ln 2 and c_i − 1: invalid (NaN) wherever c_0 ≤ 0; minimum at (2, 1, …, 1).</summary>
internal sealed class LogarithmProblem(int n) : CountingProblem(n, n)
{
    protected override bool Residuals(ReadOnlySpan<double> c, Span<double> r)
    {
        r[0] = Math.Log(c[0]) - Math.Log(2);
        for (int i = 1; i < c.Length; i++)
            r[i] = c[i] - 1;
        return double.IsFinite(r[0]);
    }
}

/// <summary>Invalid everywhere.</summary>
internal sealed class NowhereValidProblem(int n) : CountingProblem(n, 1)
{
    protected override bool Residuals(ReadOnlySpan<double> c, Span<double> r) => false;
}

/// <summary>A sphere that takes about a millisecond per evaluation, for wall-clock limits.</summary>
internal sealed class SlowSphereProblem(int n) : CountingProblem(n, n)
{
    protected override bool Residuals(ReadOnlySpan<double> c, Span<double> r)
    {
        Thread.Sleep(1);
        c.CopyTo(r);
        return true;
    }
}
