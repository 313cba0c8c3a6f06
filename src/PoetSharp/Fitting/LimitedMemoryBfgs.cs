namespace PoetSharp.Fitting;

/// <summary>
/// L-BFGS (Nocedal &amp; Wright, Algorithm 7.4) with a backtracking Armijo line search, for smooth objectives whose
/// evaluations are expensive. Written here rather than taken from MathNet because MathNet's minimiser takes a unit first
/// step along the raw gradient and gives up ("not a descent direction") when that step is badly scaled, as it is for
/// MTP radial coefficients whose gradient is in the thousands: this one scales its first step to the parameters, resets
/// its memory instead of failing, and always returns the best point it evaluated.
/// </summary>
public static class LimitedMemoryBfgs
{
    /// <param name="evaluate">Objective at x; writes its gradient into the second argument.</param>
    /// <param name="x0">Start (not modified).</param>
    /// <param name="maxIterations">Iterations (each one line search of one or more evaluations).</param>
    /// <param name="firstStep">Largest change of any parameter in the first step, relative to max(1, |x|∞).</param>
    /// <param name="stop">Asked before each iteration: true ends the run (a time limit, a cancellation).</param>
    public static (double[] X, double F, int Iterations, string Reason) Minimise(Func<double[], double[], double> evaluate, double[] x0, int maxIterations,
        int memory = 10, double firstStep = 0.02, double relativeTolerance = 1e-10, Func<bool>? stop = null)
    {
        var n = x0.Length;
        var x = (double[])x0.Clone();
        var g = new double[n];
        var f = evaluate(x, g);
        if (!double.IsFinite(f)) return (x, f, 0, "the objective is not finite at the start");
        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        var trial = new double[n];
        var gTrial = new double[n];
        var d = new double[n];
        var alpha = new double[memory];
        var stalled = 0;
        for (var iteration = 1; iteration <= maxIterations; iteration++)
        {
            if (stop?.Invoke() == true) return (x, f, iteration - 1, "the time limit");
            var gMax = g.Max(Math.Abs);
            if (gMax == 0) return (x, f, iteration - 1, "the gradient is zero");
            // Two-loop recursion: d = −H g, with H₀ = γI from the latest pair, or a step scaled to the parameters at first.
            Array.Copy(g, d, n);
            for (var k = s.Count - 1; k >= 0; k--)
            {
                alpha[k] = rho[k] * Dot(s[k], d);
                Axpy(-alpha[k], y[k], d);
            }
            var gamma = s.Count > 0 ? Dot(s[^1], y[^1]) / Dot(y[^1], y[^1]) : firstStep * Math.Max(1, x.Max(Math.Abs)) / gMax;
            for (var i = 0; i < n; i++) d[i] *= gamma;
            for (var k = 0; k < s.Count; k++)
            {
                var beta = rho[k] * Dot(y[k], d);
                Axpy(alpha[k] - beta, s[k], d);
            }
            for (var i = 0; i < n; i++) d[i] = -d[i];
            var slope = Dot(g, d);
            if (!(slope < 0))
            {
                // Not a descent direction (curvature information gone stale): forget it and go down the gradient.
                s.Clear(); y.Clear(); rho.Clear();
                var scale = firstStep * Math.Max(1, x.Max(Math.Abs)) / gMax;
                for (var i = 0; i < n; i++) d[i] = -scale * g[i];
                slope = Dot(g, d);
            }
            // Backtracking until f(x + t d) ≤ f + 10⁻⁴ t slope.
            var step = 1.0;
            var fTrial = double.NaN;
            var accepted = false;
            for (var tries = 0; tries < 30; tries++)
            {
                for (var i = 0; i < n; i++) trial[i] = x[i] + step * d[i];
                fTrial = evaluate(trial, gTrial);
                if (double.IsFinite(fTrial) && fTrial <= f + 1e-4 * step * slope) { accepted = true; break; }
                step *= double.IsFinite(fTrial) ? Math.Clamp(-0.5 * slope * step / (fTrial - f - slope * step), 0.1, 0.5) : 0.1;
            }
            if (!accepted) return (x, f, iteration, "the line search found no decrease");
            var sNew = new double[n];
            var yNew = new double[n];
            for (var i = 0; i < n; i++) { sNew[i] = trial[i] - x[i]; yNew[i] = gTrial[i] - g[i]; }
            var sy = Dot(sNew, yNew);
            if (sy > 1e-12 * Math.Sqrt(Dot(sNew, sNew) * Dot(yNew, yNew)))
            {
                if (s.Count == memory) { s.RemoveAt(0); y.RemoveAt(0); rho.RemoveAt(0); }
                s.Add(sNew); y.Add(yNew); rho.Add(1 / sy);
            }
            var decrease = f - fTrial;
            Array.Copy(trial, x, n);
            Array.Copy(gTrial, g, n);
            f = fTrial;
            stalled = decrease <= relativeTolerance * Math.Abs(f) ? stalled + 1 : 0;
            if (stalled >= 3) return (x, f, iteration, "the objective stopped decreasing");
        }
        return (x, f, maxIterations, "the iteration limit");
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++) y[i] += a * x[i];
    }
}
