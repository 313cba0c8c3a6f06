namespace PoetSharp.Properties;

/// <summary>One-dimensional root finding and minimisation on a bracket, for the small searches of the bulk properties.</summary>
internal static class Roots
{
    /// <summary>
    /// A root of <paramref name="f"/> in [lo, hi] where f changes sign, by the Illinois variant of false position
    /// (superlinear, never leaves the bracket), to |hi − lo| ≤ xTolerance or an exact zero.
    /// </summary>
    public static double Bracketed(Func<double, double> f, double lo, double hi, double xTolerance, int maxIterations = 200)
    {
        double flo = f(lo), fhi = f(hi);
        if (flo == 0) return lo;
        if (fhi == 0) return hi;
        if (!double.IsFinite(flo) || !double.IsFinite(fhi) || Math.Sign(flo) == Math.Sign(fhi))
            throw new InvalidOperationException(FormattableString.Invariant($"no sign change on [{lo:G8}, {hi:G8}]: f = {flo:G6}, {fhi:G6}"));
        var side = 0;
        for (var iteration = 0; iteration < maxIterations && Math.Abs(hi - lo) > xTolerance; iteration++)
        {
            var x = (lo * fhi - hi * flo) / (fhi - flo);
            // Fall back to bisection when the secant lands on (or, by rounding, outside) the bracket ends.
            if (!(x > Math.Min(lo, hi) && x < Math.Max(lo, hi))) x = 0.5 * (lo + hi);
            var fx = f(x);
            if (!double.IsFinite(fx)) throw new InvalidOperationException(FormattableString.Invariant($"non-finite value at {x:G8}"));
            if (fx == 0) return x;
            if (Math.Sign(fx) == Math.Sign(fhi))
            {
                hi = x; fhi = fx;
                if (side == -1) flo *= 0.5;
                side = -1;
            }
            else
            {
                lo = x; flo = fx;
                if (side == 1) fhi *= 0.5;
                side = 1;
            }
        }
        return Math.Abs(flo) < Math.Abs(fhi) ? lo : hi;
    }

    /// <summary>
    /// Index of the smallest finite value of f on the grid, which must be an interior point (a minimum inside the range);
    /// throws with <paramref name="what"/> otherwise.
    /// </summary>
    public static int InteriorMinimum(double[] grid, Func<double, double> f, string what, out double[] values)
    {
        values = grid.Select(f).ToArray();
        var best = -1;
        for (var i = 0; i < values.Length; i++)
            if (double.IsFinite(values[i]) && (best < 0 || values[i] < values[best])) best = i;
        if (best <= 0 || best >= grid.Length - 1)
            throw new InvalidOperationException(FormattableString.Invariant(
                $"{what}: no energy minimum inside the scanned range {grid[0]:G4}–{grid[^1]:G4}"));
        return best;
    }

    public static double[] Linspace(double from, double to, int count) =>
        Enumerable.Range(0, count).Select(i => from + (to - from) * i / (count - 1)).ToArray();
}
