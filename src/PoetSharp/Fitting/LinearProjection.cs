namespace PoetSharp.Fitting;

/// <summary>
/// The best values of the parameters a least-squares problem is affine in, the others held fixed: where r(a) = r₀ + J_a
/// (a − a₀) exactly (a model's amplitudes, <see cref="Models.LinearConstants"/>; POET's residuals are affine in the
/// model's energies, forces and stresses), one evaluation of the residuals and their Jacobian at the start gives the
/// minimiser by solving the normal equations J_aᵀJ_a Δ = −J_aᵀr₀. This is the linear half of variable projection
/// (Golub and Pereyra), used once before a nonlinear optimiser starts: the optimiser then begins with amplitudes that
/// match whatever the random nonlinear constants make of the functions, instead of spending its short budget on them.
/// The columns are scaled to unit length and the scaled normal matrix gets a ridge of 1e-12, so that amplitudes the
/// residuals do not determine (a column that is zero or repeats another) stay near where they were rather than running off.
/// </summary>
public static class LinearProjection
{
    /// <summary>
    /// The start with its linear parameters replaced by their least-squares values, and the cost there (predicted
    /// exactly, since the residuals are affine in them). Returns the start itself, with its own cost, when nothing is
    /// linear, the problem is invalid at the start, it has no Jacobian, or the solve does not lower the cost.
    /// One evaluation (with the Jacobian) is spent; <paramref name="evaluations"/> says how many.
    /// </summary>
    public static (double[] Parameters, double Cost) Apply(ILeastSquaresProblem problem, ReadOnlySpan<double> start, ReadOnlySpan<bool> linear, out int evaluations)
    {
        ArgumentNullException.ThrowIfNull(problem);
        int n = problem.ParameterCount, m = problem.ResidualCount;
        if (linear.Length != n) throw new ArgumentException($"the linear mask has {linear.Length} entries for {n} parameters");
        var parameters = start.ToArray();
        evaluations = 0;
        var columns = new List<int>();
        for (var k = 0; k < n; k++) if (linear[k]) columns.Add(k);
        if (columns.Count == 0 || !problem.HasJacobian || m == 0) return (parameters, double.NaN);

        var residuals = new double[m];
        var jacobian = new double[m * n];
        evaluations = 1;
        if (!problem.Evaluate(parameters, residuals, jacobian)) return (parameters, double.PositiveInfinity);
        double cost = 0;
        foreach (var r in residuals) cost += r * r;
        cost *= 0.5;

        int p = columns.Count;
        var normal = new double[p * p];
        var rhs = new double[p];
        for (var i = 0; i < m; i++)
        {
            var row = i * n;
            for (var a = 0; a < p; a++)
            {
                var ja = jacobian[row + columns[a]];
                if (ja == 0) continue;
                rhs[a] -= ja * residuals[i];
                for (var b = 0; b <= a; b++) normal[a * p + b] += ja * jacobian[row + columns[b]];
            }
        }
        for (var a = 0; a < p; a++)
            for (var b = 0; b < a; b++) normal[b * p + a] = normal[a * p + b];
        // Columns scaled to unit length first (amplitudes differ by orders of magnitude); a column the residuals do not
        // depend on keeps its value. The ridge then acts alike on every amplitude.
        var scale = new double[p];
        var system = new double[p * p];
        for (var a = 0; a < p; a++)
        {
            var d = normal[a * p + a];
            if (!double.IsFinite(d)) return (parameters, cost);
            scale[a] = d > 0 ? 1 / Math.Sqrt(d) : 0;
        }
        for (var a = 0; a < p; a++)
        {
            for (var b = 0; b < p; b++) system[a * p + b] = normal[a * p + b] * scale[a] * scale[b];
            system[a * p + a] = scale[a] > 0 ? system[a * p + a] + 1e-12 : 1;
        }
        if (!OptimizerRun.CholeskyFactor(system, p, 1e-15)) return (parameters, cost);
        var scaledRhs = new double[p];
        for (var a = 0; a < p; a++) scaledRhs[a] = rhs[a] * scale[a];
        var step = new double[p];
        OptimizerRun.CholeskySolve(system, p, scaledRhs, step);
        for (var a = 0; a < p; a++) step[a] *= scale[a];

        // ½|r₀ + JΔ|² = cost − Δ·rhs + ½ ΔᵀJᵀJΔ (rhs = −Jᵀr₀): the true cost at the new amplitudes, ridge left out.
        double change = 0;
        for (var a = 0; a < p; a++)
        {
            double quadratic = 0;
            for (var b = 0; b < p; b++) quadratic += normal[a * p + b] * step[b];
            change += step[a] * (-rhs[a] + 0.5 * quadratic);
        }
        var projected = cost + change;
        if (!(projected < cost) || !double.IsFinite(projected)) return (parameters, cost);
        for (var a = 0; a < p; a++) parameters[columns[a]] += step[a];
        foreach (var c in parameters) if (!double.IsFinite(c)) return (start.ToArray(), cost);
        return (parameters, Math.Max(0, projected));
    }
}
