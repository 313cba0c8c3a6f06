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
        // The lowest point at an end of the range (e.g. a file's tabulation going wrong at short distances): fall back to the
        // lowest interior local minimum, the bound basin inside the range, when there is one.
        if (best <= 0 || best >= grid.Length - 1)
        {
            var local = LocalMinima(values);
            if (local.Count > 0)
            {
                var v = values;
                return local.MinBy(i => v[i]);
            }
        }
        if (best <= 0 || best >= grid.Length - 1)
            throw new InvalidOperationException(FormattableString.Invariant(
                $"{what}: no energy minimum inside the scanned range {grid[0]:G4}–{grid[^1]:G4}"));
        return best;
    }

    /// <summary>
    /// A minimum of <paramref name="f"/> in [lo, hi] by golden-section search to a bracket narrower than <paramref name="xTolerance"/>
    /// (f must be unimodal there; near a minimum f is flat, so xTolerance below about √ε·|x| gains nothing).
    /// </summary>
    public static double GoldenMinimum(Func<double, double> f, double lo, double hi, double xTolerance, int maxIterations = 200)
    {
        var r = 0.5 * (Math.Sqrt(5) - 1);
        double x1 = hi - r * (hi - lo), x2 = lo + r * (hi - lo);
        double f1 = f(x1), f2 = f(x2);
        for (var i = 0; i < maxIterations && Math.Abs(hi - lo) > xTolerance; i++)
        {
            if (f1 <= f2)
            {
                hi = x2; x2 = x1; f2 = f1;
                x1 = hi - r * (hi - lo); f1 = f(x1);
            }
            else
            {
                lo = x1; x1 = x2; f1 = f2;
                x2 = lo + r * (hi - lo); f2 = f(x2);
            }
        }
        return f1 <= f2 ? x1 : x2;
    }

    /// <summary>Indices of the interior grid points whose finite value is below the previous one and not above the next.</summary>
    public static List<int> LocalMinima(double[] values)
    {
        var list = new List<int>();
        for (var i = 1; i < values.Length - 1; i++)
            if (double.IsFinite(values[i]) && double.IsFinite(values[i - 1]) && double.IsFinite(values[i + 1]) && values[i] < values[i - 1] && values[i] <= values[i + 1])
                list.Add(i);
        return list;
    }

    public static double[] Linspace(double from, double to, int count) =>
        Enumerable.Range(0, count).Select(i => from + (to - from) * i / (count - 1)).ToArray();
}
