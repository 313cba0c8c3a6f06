namespace PoetSharp.Potentials;

/// <summary>
/// The tabulation arithmetic of LAMMPS's pair_style eam family (29 Sep 2021), reproduced operation by operation
/// so that energies agree to rounding: node slopes from finite differences, one cubic per interval, and the
/// 4-point Lagrange re-gridding used for funcfl files.
///
/// A fitted table of n nodes (spacing δ) is a flat array of 7 coefficients per node, node m (1-based, as LAMMPS
/// numbers them) at offset 7(m−1). With p ∈ [0, 1] the position within interval m:
///   value      = ((c3·p + c4)·p + c5)·p + c6
///   derivative = (c0·p + c1)·p + c2        (already divided by δ)
/// </summary>
internal static class EamSpline
{
    public const int Stride = 7;

    /// <summary>Fits a cubic per interval to n ≥ 4 equally spaced values; writes 7·n coefficients to dest.</summary>
    public static void Fit(ReadOnlySpan<double> f, double delta, Span<double> dest)
    {
        var n = f.Length;
        if (n < 4) throw new ArgumentException("a table needs at least 4 values", nameof(f));
        if (dest.Length < Stride * n) throw new ArgumentException("destination too short", nameof(dest));

        // Work with LAMMPS's 1-based node numbers: coefficient c of node m is dest[7(m−1) + c].
        ref double C(Span<double> d, int m, int c) => ref d[Stride * (m - 1) + c];

        for (var m = 1; m <= n; m++) C(dest, m, 6) = f[m - 1];

        // Slopes (per interval, i.e. times δ): 4th-order central differences inside, 2nd-order next to the ends,
        // one-sided at the ends.
        C(dest, 1, 5) = C(dest, 2, 6) - C(dest, 1, 6);
        C(dest, 2, 5) = 0.5 * (C(dest, 3, 6) - C(dest, 1, 6));
        C(dest, n - 1, 5) = 0.5 * (C(dest, n, 6) - C(dest, n - 2, 6));
        C(dest, n, 5) = C(dest, n, 6) - C(dest, n - 1, 6);
        for (var m = 3; m <= n - 2; m++)
            C(dest, m, 5) = ((C(dest, m - 2, 6) - C(dest, m + 2, 6)) + 8.0 * (C(dest, m + 1, 6) - C(dest, m - 1, 6))) / 12.0;

        // Hermite cubic on each interval from the end values and slopes.
        for (var m = 1; m <= n - 1; m++)
        {
            var rise = C(dest, m + 1, 6) - C(dest, m, 6);
            C(dest, m, 4) = 3.0 * rise - 2.0 * C(dest, m, 5) - C(dest, m + 1, 5);
            C(dest, m, 3) = C(dest, m, 5) + C(dest, m + 1, 5) - 2.0 * rise;
        }
        C(dest, n, 4) = 0.0;
        C(dest, n, 3) = 0.0;

        // Derivative coefficients with respect to the abscissa.
        for (var m = 1; m <= n; m++)
        {
            C(dest, m, 2) = C(dest, m, 5) / delta;
            C(dest, m, 1) = 2.0 * C(dest, m, 4) / delta;
            C(dest, m, 0) = 3.0 * C(dest, m, 3) / delta;
        }
    }

    /// <summary>Fits and returns a new coefficient array.</summary>
    public static double[] Fit(ReadOnlySpan<double> f, double delta)
    {
        var dest = new double[Stride * f.Length];
        Fit(f, delta, dest);
        return dest;
    }

    /// <summary>
    /// Resamples a table (values at x = 0, δ_old, 2δ_old, …) at x = 0, δ_new, …, (count−1)·δ_new by 4-point Lagrange
    /// interpolation, as LAMMPS does when it brings funcfl files to a common grid: the stencil is clamped to the
    /// table (so points past its end are extrapolated from the last four values) and the local coordinate to ≤ 2.
    /// </summary>
    public static double[] Regrid(ReadOnlySpan<double> old, double oldDelta, int count, double newDelta)
    {
        var n = old.Length;
        if (n < 4) throw new ArgumentException("a table needs at least 4 values", nameof(old));
        const double sixth = 1.0 / 6.0;
        var result = new double[count];
        for (var m = 1; m <= count; m++)
        {
            var x = (m - 1) * newDelta;
            var p = x / oldDelta + 1.0;
            var k = (int)p;
            k = Math.Min(k, n - 2);
            k = Math.Max(k, 2);
            p -= k;
            p = Math.Min(p, 2.0);
            var w1 = -sixth * p * (p - 1.0) * (p - 2.0);
            var w2 = 0.5 * (p * p - 1.0) * (p - 2.0);
            var w3 = -0.5 * p * (p + 1.0) * (p - 2.0);
            var w4 = sixth * p * (p * p - 1.0);
            // old is 0-based; LAMMPS's 1-based node k is old[k − 1].
            result[m - 1] = w1 * old[k - 2] + w2 * old[k - 1] + w3 * old[k] + w4 * old[k + 1];
        }
        return result;
    }
}
