using PoetSharp.Atoms;

namespace PoetSharp.KPoints;

/// <summary>
/// Lattice reduction in three dimensions: LLL (Lenstra–Lenstra–Lovász, δ = 0.99) with the integer change of basis, and
/// the exact shortest nonzero vector (the minimum periodic distance of a lattice) by bounded enumeration over a reduced basis.
/// </summary>
public static class LatticeReduction
{
    /// <summary>
    /// LLL-reduces the basis (b0, b1, b2) and returns it with the unimodular integer matrix P (row-major) such that
    /// reduced_j = Σ_i P[i, j] b_i, i.e. the reduced vectors are the columns of B·P with B's columns b0, b1, b2.
    /// </summary>
    public static (Vec3[] Basis, long[,] P) Lll(Vec3 b0, Vec3 b1, Vec3 b2)
    {
        var b = new[] { b0, b1, b2 };
        var p = new long[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        const double delta = 0.99;
        var k = 1;
        var guard = 0;
        while (k < 3)
        {
            if (++guard > 100_000) throw new InvalidOperationException("LLL reduction did not terminate (degenerate lattice?)");
            var (mu, bstar2) = GramSchmidt(b);
            for (var j = k - 1; j >= 0; j--)
            {
                var q = Math.Round(mu[k, j]);
                if (q == 0) continue;
                b[k] -= q * b[j];
                for (var i = 0; i < 3; i++) p[i, k] -= (long)q * p[i, j];
                (mu, bstar2) = GramSchmidt(b);
            }
            if (bstar2[k] >= (delta - mu[k, k - 1] * mu[k, k - 1]) * bstar2[k - 1]) k++;
            else
            {
                (b[k], b[k - 1]) = (b[k - 1], b[k]);
                for (var i = 0; i < 3; i++) (p[i, k], p[i, k - 1]) = (p[i, k - 1], p[i, k]);
                k = Math.Max(k - 1, 1);
            }
        }
        return (b, p);
    }

    private static (double[,] Mu, double[] Bstar2) GramSchmidt(Vec3[] b)
    {
        var mu = new double[3, 3];
        var star = new Vec3[3];
        var n2 = new double[3];
        for (var i = 0; i < 3; i++)
        {
            var v = b[i];
            for (var j = 0; j < i; j++)
            {
                mu[i, j] = Vec3.Dot(b[i], star[j]) / n2[j];
                v -= mu[i, j] * star[j];
            }
            star[i] = v;
            n2[i] = v.LengthSquared;
        }
        return (mu, n2);
    }

    /// <summary>
    /// The length of the shortest nonzero vector of the lattice spanned by b0, b1, b2: exact. After LLL reduction the
    /// shortest reduced vector bounds the answer λ, and any vector v = Σ x_i b_i with |v| ≤ λ has |x_i| = |v·d_i| ≤ λ|d_i|
    /// for the dual basis d_i, so enumerating that box finds it.
    /// </summary>
    public static double ShortestVector(Vec3 b0, Vec3 b1, Vec3 b2)
    {
        var (b, _) = Lll(b0, b1, b2);
        return ShortestVectorOfReduced(b[0], b[1], b[2]);
    }

    /// <summary>As <see cref="ShortestVector"/> for a basis that is already (roughly) reduced; exact for any basis, only slower for a poor one.</summary>
    public static double ShortestVectorOfReduced(Vec3 b0, Vec3 b1, Vec3 b2)
    {
        var best2 = Math.Min(b0.LengthSquared, Math.Min(b1.LengthSquared, b2.LengthSquared));
        var vol = Vec3.Dot(b0, Vec3.Cross(b1, b2));
        var d0 = Vec3.Cross(b1, b2) / vol;
        var d1 = Vec3.Cross(b2, b0) / vol;
        var d2 = Vec3.Cross(b0, b1) / vol;
        var lambda = Math.Sqrt(best2);
        var n0 = (int)Math.Floor(lambda * d0.Length + 1e-9);
        var n1 = (int)Math.Floor(lambda * d1.Length + 1e-9);
        var n2 = (int)Math.Floor(lambda * d2.Length + 1e-9);
        // Half the box suffices: v and −v have the same length (first nonzero coefficient positive).
        for (var x0 = 0; x0 <= n0; x0++)
            for (var x1 = x0 == 0 ? 0 : -n1; x1 <= n1; x1++)
                for (var x2 = x0 == 0 && x1 == 0 ? 1 : -n2; x2 <= n2; x2++)
                {
                    var l2 = (x0 * b0 + x1 * b1 + x2 * b2).LengthSquared;
                    if (l2 < best2) best2 = l2;
                }
        return Math.Sqrt(best2);
    }

    /// <summary>The shortest nonzero vector of a 2D lattice (u, v) by Gauss (Lagrange) reduction: exact; returns the reduced pair too.</summary>
    public static (double Shortest, Vec3 U, Vec3 V) Gauss(Vec3 u, Vec3 v)
    {
        if (u.LengthSquared > v.LengthSquared) (u, v) = (v, u);
        for (var guard = 0; guard < 10_000; guard++)
        {
            var q = Math.Round(Vec3.Dot(u, v) / u.LengthSquared);
            v -= q * u;
            if (v.LengthSquared >= u.LengthSquared) break;
            (u, v) = (v, u);
        }
        return (u.Length, u, v);
    }
}
