namespace PoetSharp.Fitting;

/// <summary>
/// The best values of the parameters a least-squares problem is affine in, the others held fixed: where r(a) = r₀ + J_a
/// (a − a₀) exactly (a model's amplitudes, <see cref="Models.LinearConstants"/>; POET's residuals are affine in the
/// model's energies, forces and stresses), one evaluation of the residuals and their Jacobian at the start gives the
/// minimiser by solving the normal equations J_aᵀJ_a Δ = −J_aᵀr₀. This is the linear half of variable projection
/// (Golub and Pereyra), used once before a nonlinear optimiser starts: the optimiser then begins with amplitudes that
/// match whatever the random nonlinear constants make of the functions, instead of spending its short budget on them.
/// <para>
/// The solve keeps each amplitude's sign (an amplitude may reach zero, not cross it; one that starts at zero is free):
/// the signs of a drawn form carry physics the data often cannot check, a repulsive pair term and an attractive
/// embedding, and an unconstrained solve on NbMoTaW turned pair terms attractive wherever that fitted the data slightly
/// better, so that no front model stayed repulsive at short range. The optimiser that follows is not bound by signs.
/// </para>
/// The columns are scaled to unit length and the scaled normal matrix gets a ridge of 1e-12, so that amplitudes the
/// residuals do not determine (a column that is zero or repeats another) stay near where they were rather than running off.
/// </summary>
public static class LinearProjection
{
    /// <summary>
    /// The start with its linear parameters replaced by their least-squares values within their signs, and the cost there (predicted
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
        var scaledRhs = new double[p];
        for (var a = 0; a < p; a++) scaledRhs[a] = rhs[a] * scale[a];
        // Bounds of the scaled step x (Δ = scale·x) that keep each amplitude's sign: a₀ + scale·x stays ≥ 0 (or ≤ 0).
        var lower = new double[p];
        var upper = new double[p];
        for (var a = 0; a < p; a++)
        {
            var a0 = parameters[columns[a]];
            (lower[a], upper[a]) = scale[a] == 0 ? (0.0, 0.0)
                : a0 > 0 ? (-a0 / scale[a], double.PositiveInfinity)
                : a0 < 0 ? (double.NegativeInfinity, -a0 / scale[a])
                : (double.NegativeInfinity, double.PositiveInfinity);
        }
        var x = BoundedSolve(system, scaledRhs, lower, upper, p);
        if (x == null) return (parameters, cost);
        var step = new double[p];
        for (var a = 0; a < p; a++) step[a] = x[a] * scale[a];

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
        for (var a = 0; a < p; a++)
            parameters[columns[a]] = scale[a] > 0 && (x[a] == lower[a] || x[a] == upper[a]) ? 0 : parameters[columns[a]] + step[a];
        foreach (var c in parameters) if (!double.IsFinite(c)) return (start.ToArray(), cost);
        return (parameters, Math.Max(0, projected));
    }

    /// <summary>
    /// min ½ xᵀQx − gᵀx with lower ≤ x ≤ upper (each bound infinite or including 0, so that x = 0 is feasible), by a
    /// primal active-set method: from x = 0, solve on the free variables; where that leaves the box, step to the first
    /// bound and fix the variable there; when the solution is inside, free a fixed variable whose gradient points into the
    /// box, and stop when none does. Each step lowers the cost. Null when a subsystem cannot be factorised.
    /// </summary>
    private static double[]? BoundedSolve(double[] q, double[] g, double[] lower, double[] upper, int p)
    {
        var x = new double[p];
        var fixedAt = new bool[p];
        for (var a = 0; a < p; a++) fixedAt[a] = lower[a] == upper[a];
        for (var iteration = 0; iteration < 4 * p + 4; iteration++)
        {
            var free = Enumerable.Range(0, p).Where(a => !fixedAt[a]).ToArray();
            var z = (double[])x.Clone();
            if (free.Length > 0)
            {
                int f = free.Length;
                var sub = new double[f * f];
                var b = new double[f];
                for (var i = 0; i < f; i++)
                {
                    b[i] = g[free[i]];
                    for (var k = 0; k < p; k++) if (fixedAt[k]) b[i] -= q[free[i] * p + k] * x[k];
                    for (var j = 0; j < f; j++) sub[i * f + j] = q[free[i] * p + free[j]];
                }
                if (!OptimizerRun.CholeskyFactor(sub, f, 1e-15)) return null;
                var solution = new double[f];
                OptimizerRun.CholeskySolve(sub, f, b, solution);
                for (var i = 0; i < f; i++) z[free[i]] = solution[i];
            }
            // The largest step towards z that stays in the box.
            double alpha = 1;
            foreach (var a in free)
            {
                if (z[a] < lower[a]) alpha = Math.Min(alpha, (lower[a] - x[a]) / (z[a] - x[a]));
                else if (z[a] > upper[a]) alpha = Math.Min(alpha, (upper[a] - x[a]) / (z[a] - x[a]));
            }
            if (alpha < 1)
            {
                foreach (var a in free)
                {
                    x[a] += alpha * (z[a] - x[a]);
                    if (x[a] <= lower[a]) (x[a], fixedAt[a]) = (lower[a], true);
                    else if (x[a] >= upper[a]) (x[a], fixedAt[a]) = (upper[a], true);
                }
                continue;
            }
            x = z;
            // Inside the box: free the fixed variable whose gradient most wants it back inside, if any.
            int release = -1;
            double best = 0;
            for (var a = 0; a < p; a++)
            {
                if (!fixedAt[a] || lower[a] == upper[a]) continue;
                double gradient = -g[a];
                for (var k = 0; k < p; k++) gradient += q[a * p + k] * x[k];
                var inward = x[a] == lower[a] ? -gradient : gradient; // > 0: moving off the bound lowers the cost
                if (inward > best + 1e-12) (best, release) = (inward, a);
            }
            if (release < 0) return x;
            fixedAt[release] = false;
        }
        return x;
    }
}
