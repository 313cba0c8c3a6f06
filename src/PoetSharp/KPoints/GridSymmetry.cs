namespace PoetSharp.KPoints;

/// <summary>
/// A k-point grid given by an integer superlattice matrix H (lower-triangular Hermite normal form) of a lattice with point
/// group G (integer rotations R in the lattice's basis), and its reduction to irreducible points.
/// <para>
/// The real-space superlattice is S = A·H (A: lattice vectors as columns); the grid is S's reciprocal lattice modulo A's, so
/// in A's reciprocal (fractional) coordinates k = H⁻ᵀ(m + s), m ∈ ℤ³ modulo Hᵀℤ³ (N = det H points), s a shift in the
/// grid's own basis. S is preserved by R iff H⁻¹RH is an integer matrix; k transforms as k' = R⁻ᵀk (and −k under time
/// reversal), so on m the operation acts as the integer matrix M = ±(H⁻¹R⁻¹H)ᵀ plus the integer vector M·s − s. Because G
/// is a group, the set {R⁻¹} is G itself, and we may use (H⁻¹RH)ᵀ for every R.
/// </para>
/// </summary>
internal sealed class GridSymmetry
{
    private readonly long[][,] _kOps; // the rotations acting on k (in the lattice's reciprocal basis), with −1 · them if no inversion

    public int Order => _kOps.Length;

    /// <param name="rotations">The point group's rotations in the lattice basis (s' = R s).</param>
    public GridSymmetry(IReadOnlyList<long[,]> rotations)
    {
        var ops = new List<long[,]>(rotations);
        var hasInversion = rotations.Any(r => IsScalar(r, -1));
        // Time reversal: E(k) = E(−k) even without inversion, so the k-point group is G ∪ (−G).
        if (!hasInversion) ops.AddRange(rotations.Select(r => Scale(r, -1)));
        _kOps = ops.ToArray();
    }

    /// <summary>Whether r is k times the identity (the identity for k = 1, the inversion for k = −1).</summary>
    internal static bool IsScalar(long[,] r, long k)
    {
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                if (r[i, j] != (i == j ? k : 0)) return false;
        return true;
    }

    /// <summary>s·r.</summary>
    internal static long[,] Scale(long[,] r, long s)
    {
        var m = new long[3, 3];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++) m[i, j] = s * r[i, j];
        return m;
    }

    /// <summary>H⁻¹·X for lower-triangular H by forward substitution, or null when the result is not an integer matrix.</summary>
    internal static long[,]? SolveLower(long[,] h, long[,] x)
    {
        var y = new long[3, 3];
        for (var col = 0; col < 3; col++)
            for (var i = 0; i < 3; i++)
            {
                var v = x[i, col];
                for (var j = 0; j < i; j++) v -= h[i, j] * y[j, col];
                if (v % h[i, i] != 0) return null;
                y[i, col] = v / h[i, i];
            }
        return y;
    }

    internal static long[,] Multiply(long[,] a, long[,] b)
    {
        var m = new long[3, 3];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                m[i, j] = a[i, 0] * b[0, j] + a[i, 1] * b[1, j] + a[i, 2] * b[2, j];
        return m;
    }

    /// <summary>Whether R maps the superlattice H onto itself for every R (H⁻¹RH integer).</summary>
    public bool Preserves(long[,] h) => _kOps.All(r => SolveLower(h, Multiply(r, h)) is not null);

    /// <summary>
    /// The operations on grid coordinates m (and their integer offsets) for superlattice H and doubled shift s2 (s = s2/2),
    /// or null when the shifted grid is not symmetric.
    /// </summary>
    public (long[,] M, long[] T)[]? GridOperations(long[,] h, long[] s2)
    {
        var result = new (long[,], long[])[_kOps.Length];
        for (var g = 0; g < _kOps.Length; g++)
        {
            var y = SolveLower(h, Multiply(_kOps[g], h));
            if (y is null) return null;
            var m = new long[3, 3];
            for (var i = 0; i < 3; i++)
                for (var j = 0; j < 3; j++) m[i, j] = y[j, i];
            // M(m + s) = m' + s ⇒ m' = M m + (M s − s), which must be integer for the shifted set to be invariant.
            var t = new long[3];
            for (var i = 0; i < 3; i++)
            {
                var v = m[i, 0] * s2[0] + m[i, 1] * s2[1] + m[i, 2] * s2[2] - s2[i];
                if (v % 2 != 0) return null;
                t[i] = v / 2;
            }
            result[g] = (m, t);
        }
        return result;
    }

    /// <summary>
    /// Orbits of the N grid points under the operations: representatives (as m) and orbit sizes. Cost O(N) after the
    /// first image of each representative (every point is reached |G|/|orbit| times). Stops early, returning null, once
    /// more than <paramref name="limit"/> orbits are found.
    /// </summary>
    public static (long[][] Representatives, int[] Sizes)? Orbits(long[,] h, (long[,] M, long[] T)[] ops, int limit, bool[]? scratch = null)
    {
        long a = h[0, 0], c = h[1, 1], f = h[2, 2];
        long b = h[1, 0], d = h[2, 0], e = h[2, 1];
        var n = checked((int)(a * c * f));
        var seen = scratch is not null && scratch.Length >= n ? scratch : new bool[n];
        Array.Clear(seen, 0, n);
        var reps = new List<long[]>();
        var sizes = new List<int>();
        var m = new long[3];
        for (var idx = 0; idx < n; idx++)
        {
            if (seen[idx]) continue;
            if (reps.Count >= limit) return null;
            long m0 = idx % a, m1 = idx / a % c, m2 = idx / (a * c);
            var size = 0;
            foreach (var (op, t) in ops)
            {
                m[0] = op[0, 0] * m0 + op[0, 1] * m1 + op[0, 2] * m2 + t[0];
                m[1] = op[1, 0] * m0 + op[1, 1] * m1 + op[1, 2] * m2 + t[1];
                m[2] = op[2, 0] * m0 + op[2, 1] * m1 + op[2, 2] * m2 + t[2];
                // Reduce modulo Hᵀℤ³ (upper triangular, columns (a,0,0), (b,c,0), (d,e,f)) into the box [0,a)×[0,c)×[0,f).
                var q = FloorDiv(m[2], f);
                m[2] -= q * f; m[1] -= q * e; m[0] -= q * d;
                q = FloorDiv(m[1], c);
                m[1] -= q * c; m[0] -= q * b;
                m[0] -= FloorDiv(m[0], a) * a;
                var j = (int)(m[0] + a * (m[1] + c * m[2]));
                if (!seen[j]) { seen[j] = true; size++; }
            }
            reps.Add([m0, m1, m2]);
            sizes.Add(size);
        }
        return (reps.ToArray(), sizes.ToArray());
    }

    internal static long FloorDiv(long x, long y)
    {
        var q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) q--;
        return q;
    }
}
