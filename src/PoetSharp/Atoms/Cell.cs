namespace PoetSharp.Atoms;

/// <summary>
/// A triclinic simulation cell: three lattice vectors (rows A, B, C, in Å) and periodicity per direction.
/// Positions are Cartesian; r = s0·A + s1·B + s2·C for fractional coordinates s.
/// A non-periodic direction may have a zero vector (an isolated molecule); fractional coordinates
/// are then taken in a completed basis (see <see cref="CompletedBasis"/>).
/// </summary>
public sealed class Cell
{
    public Vec3 A { get; }
    public Vec3 B { get; }
    public Vec3 C { get; }
    public bool PeriodicA { get; }
    public bool PeriodicB { get; }
    public bool PeriodicC { get; }

    // Inverse of the completed basis matrix H (rows = vectors); s = r · H⁻¹, stored as columns.
    private readonly Vec3 _inv0, _inv1, _inv2;

    public Cell(Vec3 a, Vec3 b, Vec3 c, bool periodicA = true, bool periodicB = true, bool periodicC = true)
    {
        if (!a.IsFinite || !b.IsFinite || !c.IsFinite)
            throw new ArgumentException("cell vectors must be finite numbers");
        A = a; B = b; C = c;
        PeriodicA = periodicA; PeriodicB = periodicB; PeriodicC = periodicC;
        var (basis, _) = CompleteBasis(a, b, c, periodicA, periodicB, periodicC);
        // The periodic vectors must be non-degenerate together (the completion only replaces non-periodic ones).
        if (!WellConditioned(basis))
            throw new ArgumentException("singular cell: the periodic lattice vectors are linearly dependent or zero");
        _basis = basis;
        (_inv0, _inv1, _inv2) = InvertRows(basis[0], basis[1], basis[2]);
    }

    private readonly Vec3[] _basis;

    /// <summary>A fully periodic orthorhombic cell.</summary>
    public static Cell Orthorhombic(double lx, double ly, double lz) => new(new(lx, 0, 0), new(0, ly, 0), new(0, 0, lz));

    /// <summary>A non-periodic cell (for isolated molecules or clusters); the vectors only serve as a frame.</summary>
    public static Cell NonPeriodic() => new(new(1, 0, 0), new(0, 1, 0), new(0, 0, 1), false, false, false);

    public Vec3 this[int k] => k switch { 0 => A, 1 => B, 2 => C, _ => throw new ArgumentOutOfRangeException(nameof(k)) };
    public bool IsPeriodic(int k) => k switch { 0 => PeriodicA, 1 => PeriodicB, 2 => PeriodicC, _ => throw new ArgumentOutOfRangeException(nameof(k)) };
    public bool AnyPeriodic => PeriodicA || PeriodicB || PeriodicC;
    public bool FullyPeriodic => PeriodicA && PeriodicB && PeriodicC;

    /// <summary>Volume |A·(B×C)| in Å³ (zero for a degenerate non-periodic frame).</summary>
    public double Volume => Math.Abs(Vec3.Dot(A, Vec3.Cross(B, C)));

    /// <summary>Fractional coordinates in the completed basis.</summary>
    public Vec3 ToFractional(Vec3 r) => new(Vec3.Dot(r, _inv0), Vec3.Dot(r, _inv1), Vec3.Dot(r, _inv2));

    /// <summary>Cartesian coordinates from fractional ones (in the completed basis).</summary>
    public Vec3 ToCartesian(Vec3 s) => s.X * _basis[0] + s.Y * _basis[1] + s.Z * _basis[2];

    /// <summary>
    /// The periodic image of a separation vector with its fractional coordinates wrapped into [−½, ½] along the periodic
    /// directions: the shortest image in orthogonal and moderately skewed cells (a strongly skewed cell can have a shorter
    /// image outside that range).
    /// </summary>
    public Vec3 MinimumImage(Vec3 r)
    {
        var s = ToFractional(r);
        return ToCartesian(new Vec3(PeriodicA ? s.X - Math.Round(s.X) : s.X, PeriodicB ? s.Y - Math.Round(s.Y) : s.Y, PeriodicC ? s.Z - Math.Round(s.Z) : s.Z));
    }

    /// <summary>
    /// The basis used for fractional coordinates: periodic vectors as given, non-periodic vectors replaced
    /// (only when degenerate) by unit vectors orthogonal to the periodic ones. Any non-singular completion works
    /// because non-periodic directions are never wrapped.
    /// </summary>
    public Vec3[] CompletedBasis() => (Vec3[])_basis.Clone();

    /// <summary>The completed basis without a copy (for hot paths).</summary>
    public ReadOnlySpan<Vec3> Basis => _basis;

    /// <summary>Distances between opposite faces of the (completed) cell: V / |b×c| etc. Images up to ceil(cutoff/height) cells away can be within the cutoff.</summary>
    public Vec3 Heights()
    {
        var b = _basis;
        var vol = Math.Abs(Vec3.Dot(b[0], Vec3.Cross(b[1], b[2])));
        return new(vol / Vec3.Cross(b[1], b[2]).Length, vol / Vec3.Cross(b[2], b[0]).Length, vol / Vec3.Cross(b[0], b[1]).Length);
    }

    /// <summary>A new cell with every vector transformed by the row-major 3×3 matrix m acting on row vectors: v' = v·m (used for strains).</summary>
    public Cell Transform(ReadOnlySpan<double> m) =>
        new(Times(A, m), Times(B, m), Times(C, m), PeriodicA, PeriodicB, PeriodicC);

    private static Vec3 Times(Vec3 v, ReadOnlySpan<double> m) =>
        new(v.X * m[0] + v.Y * m[3] + v.Z * m[6], v.X * m[1] + v.Y * m[4] + v.Z * m[7], v.X * m[2] + v.Y * m[5] + v.Z * m[8]);

    public Cell WithVectors(Vec3 a, Vec3 b, Vec3 c) => new(a, b, c, PeriodicA, PeriodicB, PeriodicC);

    private static (Vec3[] basis, int nPeriodic) CompleteBasis(Vec3 a, Vec3 b, Vec3 c, bool pa, bool pb, bool pc)
    {
        var v = new[] { a, b, c };
        var per = new[] { pa, pb, pc };
        // Keep a non-periodic vector if the full set is already well conditioned.
        if (WellConditioned(v)) return (v, per.Count(x => x));
        var kept = new List<Vec3>();
        for (var k = 0; k < 3; k++) if (per[k]) kept.Add(v[k]);
        var added = Orthonormal(kept);
        var basis = new Vec3[3];
        var next = 0;
        for (var k = 0; k < 3; k++) basis[k] = per[k] ? v[k] : added[next++];
        return (basis, kept.Count);
    }

    private static bool WellConditioned(Vec3[] v)
    {
        var vol = Math.Abs(Vec3.Dot(v[0], Vec3.Cross(v[1], v[2])));
        var scale = v[0].Length * v[1].Length * v[2].Length;
        return scale > 0 && vol / scale > 1e-10;
    }

    // Unit vectors completing the given (1 or 2, or 0) periodic vectors to a basis; with 3 periodic vectors nothing is added.
    private static List<Vec3> Orthonormal(List<Vec3> kept)
    {
        var result = new List<Vec3>();
        switch (kept.Count)
        {
            case 0:
                result.AddRange([new(1, 0, 0), new(0, 1, 0), new(0, 0, 1)]);
                break;
            case 1:
            {
                var u = kept[0] / Math.Max(kept[0].Length, 1e-300);
                var trial = Math.Abs(u.X) < 0.9 ? new Vec3(1, 0, 0) : new Vec3(0, 1, 0);
                var w = Vec3.Cross(u, trial); w /= w.Length;
                result.Add(w);
                result.Add(Vec3.Cross(u, w));
                break;
            }
            case 2:
            {
                var n = Vec3.Cross(kept[0], kept[1]);
                result.Add(n / Math.Max(n.Length, 1e-300));
                break;
            }
        }
        return result;
    }

    private static (Vec3, Vec3, Vec3) InvertRows(Vec3 a, Vec3 b, Vec3 c)
    {
        // H has rows a,b,c; H⁻¹ columns are (b×c, c×a, a×b)/det.
        var det = Vec3.Dot(a, Vec3.Cross(b, c));
        if (det == 0 || !double.IsFinite(det)) throw new ArgumentException("singular cell");
        return (Vec3.Cross(b, c) / det, Vec3.Cross(c, a) / det, Vec3.Cross(a, b) / det);
    }
}
