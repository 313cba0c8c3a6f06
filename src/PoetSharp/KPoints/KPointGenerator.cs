using System.Diagnostics;
using PoetSharp.Atoms;
using PoetSharp.Symmetry;

namespace PoetSharp.KPoints;

/// <summary>A k-point grid and its irreducible points.</summary>
public sealed record KPointGrid
{
    /// <summary>The superlattice matrix H in the cell's own basis: the real-space superlattice vectors are the columns of A·H (A: a, b, c as columns).</summary>
    public required long[,] Superlattice { get; init; }

    /// <summary>The shift in units of the grid's generating vectors (each component 0 or 1/2); zero: Γ-centred.</summary>
    public required Vec3 Shift { get; init; }

    /// <summary>Points in the full grid: det H.</summary>
    public required int Total { get; init; }

    /// <summary>The superlattice's minimum periodic distance (its shortest nonzero vector, Å).</summary>
    public required double MinDistance { get; init; }

    /// <summary>Irreducible k-points in fractional coordinates of the cell's reciprocal lattice, in [0, 1).</summary>
    public required IReadOnlyList<Vec3> Points { get; init; }

    /// <summary>Weights (orbit size / N), summing to 1.</summary>
    public required IReadOnlyList<double> Weights { get; init; }

    /// <summary>Orbit sizes (integer weights), summing to <see cref="Total"/>.</summary>
    public required IReadOnlyList<int> Multiplicities { get; init; }

    public int Irreducible => Points.Count;

    /// <summary>Whether H is diagonal in the cell's basis (a Monkhorst–Pack grid n1×n2×n3).</summary>
    public bool IsDiagonal => Superlattice[0, 1] == 0 && Superlattice[0, 2] == 0 && Superlattice[1, 0] == 0 && Superlattice[1, 2] == 0 && Superlattice[2, 0] == 0 && Superlattice[2, 1] == 0;

    /// <summary>
    /// The grid's generating vectors in fractional coordinates of the cell's reciprocal lattice, LLL-reduced in the
    /// Cartesian metric of the cell (so they are short and nearly orthogonal, as a reader expects), and the shift in their
    /// units: every k-point of the grid is an integer combination of them plus the shift. Without reduction they are the
    /// rows of H⁻¹; a reduced basis G' = U·G (U unimodular) carries the shift s·U⁻¹ (mod 1).
    /// </summary>
    public (Vec3[] Vectors, Vec3 Shift) GeneratingVectors(Cell cell)
    {
        var inv = KPointGenerator.Inverse(Superlattice);
        var a = new[] { cell.A, cell.B, cell.C };
        var vol = Vec3.Dot(a[0], Vec3.Cross(a[1], a[2]));
        var b = new[] { Vec3.Cross(a[1], a[2]) / vol, Vec3.Cross(a[2], a[0]) / vol, Vec3.Cross(a[0], a[1]) / vol };
        Vec3 Cart(int row) => inv[row, 0] * b[0] + inv[row, 1] * b[1] + inv[row, 2] * b[2];
        var (_, p) = LatticeReduction.Lll(Cart(0), Cart(1), Cart(2));
        // Reduced vector j = Σ_i P[i, j]·g_i, i.e. U = Pᵀ; s' = s·U⁻¹ = s·P⁻ᵀ, so s'_j = Σ_i s_i (P⁻¹)[j, i].
        var vectors = new Vec3[3];
        for (var j = 0; j < 3; j++)
        {
            double x = 0, y = 0, z = 0;
            for (var i = 0; i < 3; i++) { x += p[i, j] * inv[i, 0]; y += p[i, j] * inv[i, 1]; z += p[i, j] * inv[i, 2]; }
            vectors[j] = new Vec3(x, y, z);
        }
        var pInv = KPointGenerator.Inverse(p);
        var s = new[] { Shift.X, Shift.Y, Shift.Z };
        var shifted = new double[3];
        for (var j = 0; j < 3; j++)
        {
            var v = s[0] * pInv[j, 0] + s[1] * pInv[j, 1] + s[2] * pInv[j, 2];
            shifted[j] = Math.Abs(v - Math.Round(v)) < 1e-9 ? 0 : v - Math.Floor(v);
        }
        return (vectors, new Vec3(shifted[0], shifted[1], shifted[2]));
    }
}

/// <summary>
/// How long the superlattice search may run. The default is a deterministic amount of work (loop steps, and the grid
/// points of every reduction counted one per eight), so the same structure always gets the same grid, on any machine:
/// the DFT oracle relies on that. A wall-clock limit may be added. When either is spent, the best grid so far is returned.
/// </summary>
public sealed record KPointBudget(long MaxWork = KPointBudget.DefaultWork, TimeSpan? TimeLimit = null)
{
    /// <summary>About 1 s of search on one core of a 2020s machine.</summary>
    public const long DefaultWork = 20_000_000;

    internal Meter Start() => new(this);

    internal sealed class Meter(KPointBudget budget)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _work;
        private bool _spent;

        public bool Spent => _spent;

        /// <summary>Counts work; true once the budget is spent (the clock is read every 4096 units).</summary>
        public bool Add(long units)
        {
            var before = _work;
            _work += units;
            if (_work > budget.MaxWork) _spent = true;
            else if (budget.TimeLimit is { } t && (before >> 12) != (_work >> 12) && _clock.Elapsed > t) _spent = true;
            return _spent;
        }
    }
}

/// <summary>The outcome of a search: the best generalized grid, the best Monkhorst–Pack grid and how the search went.</summary>
public sealed record KPointSearch(
    KPointGrid Grid,
    KPointGrid MonkhorstPack,
    SpaceGroupInfo Symmetry,
    double MinDistance,
    /// <summary>True when every superlattice that could beat the result was examined; false when the budget ran out first.</summary>
    bool Exhaustive,
    int LargestDeterminantSearched,
    long SuperlatticesExamined,
    TimeSpan Elapsed);

/// <summary>
/// Generalized regular k-point grids (Wisesa, McGill &amp; Mueller, PRB 93, 155109 (2016); Wang et al., arXiv:1907.13610):
/// among all superlattices S = A·H of the cell that keep its point group, with minimum periodic distance ≥ r_min, the one
/// whose k-point grid (S's reciprocal lattice, Γ-centred or shifted by half a generating vector) has the fewest irreducible
/// points. See docs/kpoints.md for the search and its cost.
/// </summary>
public static class KPointGenerator
{
    private const double Tolerance = 1e-9;

    public static KPointSearch Generate(Structure structure, double minDistance, bool gammaOnly = false, KPointBudget? budget = null, double symprec = 1e-5)
    {
        var sym = Spglib.Analyze(structure, symprec);
        return Generate(structure.Cell, sym, minDistance, gammaOnly, budget);
    }

    public static KPointSearch Generate(Cell cell, SpaceGroupInfo symmetry, double minDistance, bool gammaOnly = false, KPointBudget? budget = null)
    {
        if (!(minDistance > 0) || !double.IsFinite(minDistance)) throw new ArgumentException($"the minimum distance must be positive (got {minDistance} Å)");
        if (!cell.FullyPeriodic) throw new ArgumentException("k-point grids need a cell periodic in all three directions");
        var clock = Stopwatch.StartNew();
        var limit = (budget ?? new KPointBudget()).Start();
        var rotations = symmetry.PointGroupRotations().Select(ToLong).ToList();
        var a = new[] { cell.A, cell.B, cell.C };
        var shifts = gammaOnly ? [new long[3]] : AllHalfShifts();

        var mp = BestMonkhorstPack(a, rotations, minDistance, shifts);

        // Search in an LLL-reduced basis with the shortest vector last: the pruning below uses |f·a3| ≥ r_min and the 2D
        // sublattice spanned by a2, a3, which cut hardest when a2 and a3 are short. Rotations follow: R' = P⁻¹RP.
        var (reduced, p0) = LatticeReduction.Lll(a[0], a[1], a[2]);
        var p = new long[3, 3];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++) p[i, j] = p0[i, 2 - j];
        var basis = new[] { reduced[2], reduced[1], reduced[0] };
        var pInv = InverseUnimodular(p);
        var rotReduced = rotations.Select(r => GridSymmetry.Multiply(pInv, GridSymmetry.Multiply(r, p))).ToList();
        var symReduced = new GridSymmetry(rotReduced);
        var generators = Generators(rotReduced);
        // Operations that map the plane x1 = 0 (spanned by a2, a3) onto itself must keep the superlattice's intersection
        // with that plane, a 2D lattice fixed by c, e, f alone: a strong test before b and d are chosen.
        var planeOps = rotReduced.Where(r => r[0, 1] == 0 && r[0, 2] == 0 && !IsIdentity(r)).ToList();

        var volume = cell.Volume;
        var best = (Irr: mp.Irreducible, Dist: mp.MinDistance, H: (long[,]?)null, S2: (long[]?)null);
        // The densest lattice packing (fcc) bounds the volume of a lattice with minimum distance r: V ≥ r³/√2.
        bool[]? scratch = null;
        var nLow = Math.Max(1, (long)Math.Ceiling(Math.Pow(minDistance, 3) / (Math.Sqrt(2) * volume) * (1 - 1e-9)));
        var order = symReduced.Order;
        // Low symmetry (triclinic: the point group is 1 or -1, so every superlattice is symmetric): the exhaustive scan
        // below visits ~N² HNFs per determinant and is slow for large r_min. Seed it with near-ideal superlattices first:
        // the densest lattice of minimum distance r is fcc, so round fcc bases of edge ≈ r in many orientations onto the
        // cell's lattice and keep the smallest determinant that still reaches r_min. This bound prunes the scan, and if
        // the budget ends the scan, the seed is what is returned.
        if (rotReduced.Count <= 2)
        {
            foreach (var (h, dist) in RoundedFccSeeds(basis, minDistance, nLow))
                foreach (var s2 in shifts)
                {
                    var ops = symReduced.GridOperations(h, s2);
                    if (ops is null) continue;
                    var orbits = GridSymmetry.Orbits(h, ops, best.Irr, scratch ??= new bool[(int)(h[0, 0] * h[1, 1] * h[2, 2])]);
                    if (orbits is null) continue;
                    var irr = orbits.Value.Sizes.Length;
                    if (irr < best.Irr || (irr == best.Irr && dist > best.Dist + Tolerance)) best = (irr, dist, h, s2);
                }
            scratch = null;
        }
        // Any symmetry: scaled copies of small symmetric superlattices. If H keeps the point group, so does n·H, and its
        // minimum distance is n times H's; so every symmetric H of determinant ≤ 64 (found by the same enumeration with no
        // distance requirement) gives a candidate n·H with the smallest n reaching r_min. These include the sc, fcc and bcc
        // superlattices of cubic cells and the centred ones of the others: the shapes good grids have. Their bound prunes
        // the exhaustive scan below, and stands if the budget ends it.
        if (rotReduced.Count > 2)
        {
            var unlimited = new KPointBudget(long.MaxValue / 4).Start();
            for (long m = 1; m <= 64; m++)
                foreach (var small in SymmetricSuperlattices(m, basis, generators, planeOps, 0, unlimited).ToList())
                {
                    var d0 = MinDistanceOf(basis, small);
                    var scale = Math.Max(1, (long)Math.Ceiling(minDistance / d0 * (1 - 1e-12)));
                    if (MinDistanceOf(basis, Scale(small, scale)) < minDistance * (1 - Tolerance)) scale++;
                    var total = scale * scale * scale * m;
                    if ((total + order - 1) / order >= best.Irr || total > int.MaxValue / 4) continue;
                    var h = Scale(small, scale);
                    var dist = MinDistanceOf(basis, h);
                    foreach (var s2 in shifts)
                    {
                        var ops = symReduced.GridOperations(h, s2);
                        if (ops is null) continue;
                        if (scratch is null || scratch.Length < total) scratch = new bool[total];
                        var orbits = GridSymmetry.Orbits(h, ops, best.Irr, scratch);
                        if (orbits is null) continue;
                        var irr = orbits.Value.Sizes.Length;
                        if (irr < best.Irr || (irr == best.Irr && dist > best.Dist + Tolerance)) best = (irr, dist, h, s2);
                    }
                }
        }
        var exhaustive = true;
        long examined = 0;
        var n = nLow;
        for (; ; n++)
        {
            // No grid of N points can have fewer than N/|G| irreducible points (G with time reversal).
            if ((n + order - 1) / order >= best.Irr) break;
            if (limit.Spent) { exhaustive = false; break; }
            if (n > int.MaxValue / 2) { exhaustive = false; break; }
            scratch ??= new bool[Math.Max(1024, (int)Math.Min(int.MaxValue / 2, 4 * n))];
            if (scratch.Length < n) scratch = new bool[(int)(2 * n)];
            foreach (var h in SymmetricSuperlattices(n, basis, generators, planeOps, minDistance, limit))
            {
                examined++;
                var dist = MinDistanceOf(basis, h);
                foreach (var s2 in shifts)
                {
                    var ops = symReduced.GridOperations(h, s2);
                    if (ops is null) continue;
                    limit.Add(n / 8 + 1);
                    var orbits = GridSymmetry.Orbits(h, ops, best.Irr, scratch);
                    if (orbits is null) continue;
                    var irr = orbits.Value.Sizes.Length;
                    if (irr < best.Irr || (irr == best.Irr && dist > best.Dist + Tolerance))
                        best = (irr, dist, h, s2);
                }
            }
            if (limit.Spent) { exhaustive = false; break; }
        }

        KPointGrid grid;
        if (best.H is null) grid = mp;
        else
        {
            // Back to the cell's basis: S = A'·H' = A·(P·H'), and k = P⁻ᵀ k' for fractional reciprocal coordinates.
            grid = Build(basis, best.H, best.S2!, symReduced, p, pInv);
        }
        return new KPointSearch(grid, mp, symmetry, minDistance, exhaustive, (int)Math.Min(int.MaxValue, n), examined, clock.Elapsed);
    }

    /// <summary>
    /// The grid of a given superlattice H (lower triangular, in the cell's basis; a diagonal n1×n2×n3 is a Monkhorst–Pack
    /// grid) and shift (each component 0 or 1/2 of a generating vector) with its irreducible points, or null when the
    /// point group does not keep the grid.
    /// </summary>
    public static KPointGrid? Evaluate(Cell cell, SpaceGroupInfo symmetry, long[,] superlattice, Vec3 shift)
    {
        for (var i = 0; i < 3; i++)
        {
            if (superlattice[i, i] < 1) throw new ArgumentException("the superlattice's diagonal must be positive");
            for (var j = i + 1; j < 3; j++)
                if (superlattice[i, j] != 0) throw new ArgumentException("the superlattice must be lower triangular");
        }
        var s2 = new[] { shift.X, shift.Y, shift.Z }.Select(x => 2 * x).ToArray();
        if (s2.Any(x => x != 0 && x != 1)) throw new ArgumentException("shift components must be 0 or 1/2");
        var sym = new GridSymmetry(symmetry.PointGroupRotations().Select(ToLong).ToList());
        var shift2 = s2.Select(x => (long)x).ToArray();
        if (sym.GridOperations(superlattice, shift2) is null) return null;
        return Build([cell.A, cell.B, cell.C], superlattice, shift2, sym, Identity(), Identity());
    }

    /// <summary>
    /// The minimum distance that stands for a k-point density given as k-points per reciprocal atom (KPPRA: points in the
    /// full grid times atoms in the cell): r = (√2·V·KPPRA/atoms)^⅓, the distance of the densest lattice (fcc) of N =
    /// KPPRA/atoms points per cell. Every superlattice reaching r has at least that many points (the bound of the search),
    /// so a grid for this r_min always meets the density.
    /// </summary>
    public static double MinDistanceForDensity(Cell cell, int atoms, double kppra)
    {
        if (!(kppra > 0) || !double.IsFinite(kppra)) throw new ArgumentException($"the k-point density must be positive (got {kppra})");
        if (atoms < 1) throw new ArgumentException("the k-point density needs at least one atom");
        return Math.Cbrt(Math.Sqrt(2) * cell.Volume * kppra / atoms);
    }

    /// <summary>
    /// The search's enumeration in the cell's own basis (tests): every lower-triangular HNF of determinant n that keeps the
    /// point group and whose superlattice has minimum distance ≥ r (0: no distance requirement).
    /// </summary>
    internal static List<long[,]> SymmetricHnfs(Cell cell, SpaceGroupInfo symmetry, long n, double r)
    {
        var rotations = symmetry.PointGroupRotations().Select(ToLong).ToList();
        var planeOps = rotations.Where(x => x[0, 1] == 0 && x[0, 2] == 0 && !IsIdentity(x)).ToList();
        return SymmetricSuperlattices(n, [cell.A, cell.B, cell.C], Generators(rotations), planeOps, r, new KPointBudget(long.MaxValue / 4).Start()).ToList();
    }

    /// <summary>The Monkhorst–Pack grid n1×n2×n3 (with the same shifts allowed) with the fewest irreducible points whose superlattice diag(n)·A has minimum distance ≥ r_min.</summary>
    public static KPointGrid BestMonkhorstPack(Cell cell, SpaceGroupInfo symmetry, double minDistance, bool gammaOnly = false) =>
        BestMonkhorstPack([cell.A, cell.B, cell.C], symmetry.PointGroupRotations().Select(ToLong).ToList(), minDistance, gammaOnly ? [new long[3]] : AllHalfShifts());

    private static KPointGrid BestMonkhorstPack(Vec3[] a, List<long[,]> rotations, double minDistance, long[][] shifts)
    {
        var sym = new GridSymmetry(rotations);
        var vol = Math.Abs(Vec3.Dot(a[0], Vec3.Cross(a[1], a[2])));
        var lo = new long[3];
        var hi = new long[3];
        for (var i = 0; i < 3; i++)
        {
            // n_i·a_i is a superlattice vector, so n_i ≥ r/|a_i|; and n_i ≥ r/height_i suffices along i (any vector with a
            // nonzero i-th coefficient is at least n_i·height_i long), so larger n_i only add points.
            var height = vol / Vec3.Cross(a[(i + 1) % 3], a[(i + 2) % 3]).Length;
            lo[i] = Math.Max(1, (long)Math.Ceiling(minDistance / a[i].Length - Tolerance));
            hi[i] = Math.Max(lo[i], (long)Math.Ceiling(minDistance / height - Tolerance));
        }
        var candidates = new List<long[]>();
        for (var n0 = lo[0]; n0 <= hi[0]; n0++)
            for (var n1 = lo[1]; n1 <= hi[1]; n1++)
                for (var n2 = lo[2]; n2 <= hi[2]; n2++) candidates.Add([n0, n1, n2]);
        // n·I commutes with every rotation, so n×n×n is always symmetric: the fallback when the symmetry ties axes whose
        // ranges above share no value (a cell whose rotations mix a, b, c with different lengths).
        for (var n = lo.Min(); n <= hi.Max(); n++) candidates.Add([n, n, n]);
        KPointGrid? best = null;
        foreach (var c in candidates.OrderBy(c => c[0] * c[1] * c[2]))
        {
            var total = c[0] * c[1] * c[2];
            if (best is not null && (total + sym.Order - 1) / sym.Order >= best.Irreducible) break;
            var h = new long[,] { { c[0], 0, 0 }, { 0, c[1], 0 }, { 0, 0, c[2] } };
            if (!sym.Preserves(h)) continue;
            var dist = MinDistanceOf(a, h);
            if (dist < minDistance * (1 - Tolerance)) continue;
            foreach (var s2 in shifts)
            {
                if (sym.GridOperations(h, s2) is null) continue;
                var g = Build(a, h, s2, sym, Identity(), Identity());
                if (best is null || g.Irreducible < best.Irreducible || (g.Irreducible == best.Irreducible && g.MinDistance > best.MinDistance + Tolerance))
                    best = g;
            }
        }
        // Every lattice keeps its point group under n·I, so a symmetric Γ-centred grid always exists; the loop finds one.
        return best ?? throw new InvalidOperationException("no Monkhorst–Pack grid found (cannot happen for a valid cell)");
    }

    /// <summary>A grid with its irreducible points, the superlattice given in <paramref name="basis"/>; p maps that basis to the cell's (A_cell·P = basis).</summary>
    private static KPointGrid Build(Vec3[] basis, long[,] h, long[] s2, GridSymmetry sym, long[,] p, long[,] pInv)
    {
        var ops = sym.GridOperations(h, s2) ?? throw new InvalidOperationException("grid is not symmetric");
        var (reps, sizes) = GridSymmetry.Orbits(h, ops, int.MaxValue)!.Value;
        var n = (int)(h[0, 0] * h[1, 1] * h[2, 2]);
        var hInv = Inverse(h);
        var points = new Vec3[reps.Length];
        for (var k = 0; k < reps.Length; k++)
        {
            // k' = H⁻ᵀ(m + s) in the search basis's reciprocal coordinates, then k = P⁻ᵀk' in the cell's.
            var m = new[] { reps[k][0] + s2[0] / 2.0, reps[k][1] + s2[1] / 2.0, reps[k][2] + s2[2] / 2.0 };
            var kp = new double[3];
            for (var i = 0; i < 3; i++) kp[i] = hInv[0, i] * m[0] + hInv[1, i] * m[1] + hInv[2, i] * m[2];
            var kc = new double[3];
            for (var i = 0; i < 3; i++) kc[i] = pInv[0, i] * kp[0] + pInv[1, i] * kp[1] + pInv[2, i] * kp[2];
            points[k] = new Vec3(Wrap(kc[0]), Wrap(kc[1]), Wrap(kc[2]));
        }
        // In the cell's basis the superlattice is P·H; report its Hermite form H₂ = P·H·U (U unimodular). The generating
        // vectors (rows of the inverse) change by U⁻¹, so the shift in their units becomes Uᵀs (mod 1).
        var hCell = HermiteLower(GridSymmetry.Multiply(p, h));
        var hCellInv = Inverse(GridSymmetry.Multiply(p, h));
        var u = new long[3, 3];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                u[i, j] = (long)Math.Round(hCellInv[i, 0] * hCell[0, j] + hCellInv[i, 1] * hCell[1, j] + hCellInv[i, 2] * hCell[2, j]);
        var shift = new double[3];
        for (var j = 0; j < 3; j++)
        {
            var x = (u[0, j] * s2[0] + u[1, j] * s2[1] + u[2, j] * s2[2]) / 2.0;
            shift[j] = x - Math.Floor(x);
        }
        return new KPointGrid
        {
            Superlattice = hCell,
            Shift = new Vec3(shift[0], shift[1], shift[2]),
            Total = n,
            MinDistance = MinDistanceOf(basis, h),
            Points = points,
            Multiplicities = sizes,
            Weights = sizes.Select(s => (double)s / n).ToArray(),
        };
    }

    private static double Wrap(double x)
    {
        var w = x - Math.Floor(x);
        // Values within rounding of 1 are 0.
        return w > 1 - 1e-12 ? 0 : Math.Abs(w) < 1e-12 ? 0 : w;
    }

    /// <summary>The minimum periodic distance of the superlattice with vectors the columns of basis·H.</summary>
    public static double MinDistanceOf(Vec3[] basis, long[,] h)
    {
        Vec3 Col(int j) => h[0, j] * basis[0] + h[1, j] * basis[1] + h[2, j] * basis[2];
        return LatticeReduction.ShortestVector(Col(0), Col(1), Col(2));
    }

    /// <summary>
    /// Lower-triangular Hermite normal forms H = [[a,0,0],[b,c,0],[d,e,f]] of determinant n (0 ≤ b &lt; c, 0 ≤ d, e &lt; f) that the
    /// point group preserves and whose superlattice has minimum distance ≥ r. The loops run a, c, f → e → b → d, and each
    /// condition "R·h_j lies in HZ³" for a generator R and column h_j is tested as soon as its variables are fixed
    /// (membership is forward substitution: x1 = v1/a, x2 = (v2 − b·x1)/c, x3 = (v3 − d·x1 − e·x2)/f must be integers).
    /// The conditions on d are linear congruences, solved rather than looped over. Distances prune too: |f·a3| ≥ r, the 2D
    /// sublattice of h2, h3 must have minimum distance ≥ r, and the layer of h1 must be able to stay r away from it.
    /// </summary>
    private static IEnumerable<long[,]> SymmetricSuperlattices(long n, Vec3[] basis, List<long[,]> gens, List<long[,]> planeOps, double r, KPointBudget.Meter limit)
    {
        var rr = r * (1 - Tolerance);
        var volume = Math.Abs(Vec3.Dot(basis[0], Vec3.Cross(basis[1], basis[2])));
        var a3 = basis[2].Length;
        var divisors = Divisors(n);
        foreach (var a in divisors)
        {
            var m = n / a;
            foreach (var c in divisors)
            {
                if (c > m || m % c != 0) continue;
                var f = m / c;
                if (f * a3 < rr) continue;
                var diagOk = true;
                foreach (var g in gens) if (f * g[0, 2] % a != 0) { diagOk = false; break; }
                foreach (var g in planeOps) if (g[1, 2] * f % c != 0) { diagOk = false; break; }
                if (!diagOk) continue;
                // Linear congruences in e: generators, g02·e ≡ −c·g01 (mod a); plane operations, R12·e ≡ 0 (mod c) and
                // (R12·f/c)·e ≡ 0 (mod f) (images of (0, c, e) and (0, 0, f) in the plane lattice).
                long e0 = 0, eStep = 1;
                foreach (var g in gens)
                    if (!Restrict(ref e0, ref eStep, g[0, 2], -c * g[0, 1], a)) { diagOk = false; break; }
                if (diagOk)
                    foreach (var g in planeOps)
                        if (!Restrict(ref e0, ref eStep, g[1, 2], 0, c) || !Restrict(ref e0, ref eStep, g[1, 2] * f / c, 0, f)) { diagOk = false; break; }
                if (!diagOk) continue;
                var h3 = f * basis[2];
                for (var e = e0 % eStep; e < f; e += eStep)
                {
                    if (limit.Add(4)) yield break;
                    if (!EConditions(gens, planeOps, a, c, e, f)) continue;
                    // The conditions on b are linear congruences mod c (col 3: x1·b ≡ f·R12; col 2: x1·b ≡ c·R11 + e·R12),
                    // solved rather than looped over.
                    long b0 = 0, bStep = 1;
                    var bOk = true;
                    foreach (var g in gens)
                    {
                        if (!Restrict(ref b0, ref bStep, f * g[0, 2] / a, f * g[1, 2], c) ||
                            !Restrict(ref b0, ref bStep, (c * g[0, 1] + e * g[0, 2]) / a, c * g[1, 1] + e * g[1, 2], c)) { bOk = false; break; }
                    }
                    if (!bOk) continue;
                    var h2 = c * basis[1] + e * basis[2];
                    var (shortest2, u, v) = LatticeReduction.Gauss(h2, h3);
                    if (shortest2 < rr) continue;
                    // The layer containing h1 lies at height NV/|h2×h3| above the plane of h2, h3; its points can be no
                    // farther in-plane from the 2D lattice than its covering radius, the circumradius of the acute
                    // triangle 0, u, ±v of the reduced basis. If even that is too close, no choice of b, d can work.
                    var area = Vec3.Cross(h2, h3).Length;
                    var height = n * volume / area;
                    if (Vec3.Dot(u, v) < 0) v = -v;
                    var coverR = u.Length * v.Length * (u - v).Length / (2 * Vec3.Cross(u, v).Length);
                    if (height * height + coverR * coverR * (1 + 1e-6) < rr * rr) continue;
                    for (var b = b0 % bStep; b < c; b += bStep)
                    {
                        if (limit.Add(2)) yield break;
                        var ok = true;
                        // d ≡ r0 (mod step): the congruences in d from columns 3 and 2 (mod f) and column 1's first row (mod a).
                        long r0 = 0, step = 1;
                        foreach (var g in gens)
                        {
                            var x13 = f * g[0, 2] / a;
                            var x23 = (f * g[1, 2] - b * x13) / c;
                            if (!Restrict(ref r0, ref step, x13, f * g[2, 2] - e * x23, f)) { ok = false; break; }
                            var x12 = (c * g[0, 1] + e * g[0, 2]) / a;
                            var x22 = (c * g[1, 1] + e * g[1, 2] - b * x12) / c;
                            if (!Restrict(ref r0, ref step, x12, c * g[2, 1] + e * g[2, 2] - e * x22, f)) { ok = false; break; }
                            if (!Restrict(ref r0, ref step, g[0, 2], -(b * g[0, 1]), a)) { ok = false; break; }
                        }
                        if (!ok) continue;
                        var inPlaneNeed2 = rr * rr - height * height;
                        for (var d = r0 % step; d < f; d += step)
                        {
                            if (limit.Add(2)) yield break;
                            var h1 = a * basis[0] + b * basis[1] + d * basis[2];
                            if (inPlaneNeed2 > 0 && !LayerClear(h1, u, v, inPlaneNeed2)) continue;
                            // Exact: every vector is k·h1 plus a vector of the plane lattice; layer k lies at height k·height,
                            // so only layers with k·height < r can hold a short vector, each checked like the first.
                            var layers = (long)Math.Floor(rr / height);
                            var clear = true;
                            for (long k = 2; k <= layers && clear; k++)
                            {
                                if (limit.Add(4)) yield break;
                                clear = LayerClear(k * h1, u, v, rr * rr - k * k * height * height);
                            }
                            if (!clear) continue;
                            // The full symmetry test last: it allocates, and the distance tests above reject far more.
                            if (limit.Add(20)) yield break;
                            var h = new long[,] { { a, 0, 0 }, { b, c, 0 }, { d, e, f } };
                            if (!gens.All(g => GridSymmetry.SolveLower(h, GridSymmetry.Multiply(g, h)) is not null)) continue;
                            yield return h;
                        }
                    }
                }
            }
        }
    }

    // The conditions fixed once a, c, e, f are: R·h2 has an integer first coordinate over a (generators), and every
    // operation keeping the plane x1 = 0 keeps its 2D lattice with basis (0, c, e), (0, 0, f).
    private static bool EConditions(List<long[,]> gens, List<long[,]> planeOps, long a, long c, long e, long f)
    {
        foreach (var g in gens)
            if ((c * g[0, 1] + e * g[0, 2]) % a != 0) return false;
        foreach (var g in planeOps)
        {
            // Images of (0, c, e) and (0, 0, f): (y2, y3) = (R11·c + R12·e, R21·c + R22·e) and (R12·f, R22·f).
            if (!InPlane(g[1, 1] * c + g[1, 2] * e, g[2, 1] * c + g[2, 2] * e, c, e, f)) return false;
            if (!InPlane(g[1, 2] * f, g[2, 2] * f, c, e, f)) return false;
        }
        return true;
    }

    private static bool InPlane(long y2, long y3, long c, long e, long f)
    {
        if (y2 % c != 0) return false;
        return (y3 - y2 / c * e) % f == 0;
    }

    /// <summary>
    /// Superlattices near an ideal fcc lattice of nearest-neighbour distance r·(1 + ε): its basis in a random orientation,
    /// rounded to the cell's lattice (in fractional coordinates), made Hermite; those with minimum distance ≥ r, the
    /// smallest determinants first (deterministic: a fixed seed).
    /// </summary>
    private static IEnumerable<(long[,] H, double Dist)> RoundedFccSeeds(Vec3[] basis, double r, long nLow)
    {
        var random = new Random(12345);
        var found = new Dictionary<string, (long[,] H, double Dist, long N)>();
        var aCols = basis;
        Vec3 Frac(Vec3 x)
        {
            // Solve A·s = x with A's columns the basis vectors (Cramer's rule).
            var d = Vec3.Dot(aCols[0], Vec3.Cross(aCols[1], aCols[2]));
            return new Vec3(Vec3.Dot(x, Vec3.Cross(aCols[1], aCols[2])) / d, Vec3.Dot(aCols[0], Vec3.Cross(x, aCols[2])) / d, Vec3.Dot(aCols[0], Vec3.Cross(aCols[1], x)) / d);
        }
        long bestN = long.MaxValue;
        for (var trial = 0; trial < 10000; trial++)
        {
            var q = RandomRotation(random);
            var scale = r / Math.Sqrt(2) * (1 + 0.12 * random.NextDouble());
            var fcc = new[] { new Vec3(0, 1, 1), new Vec3(1, 0, 1), new Vec3(1, 1, 0) };
            var m = new long[3, 3];
            for (var j = 0; j < 3; j++)
            {
                var v = Frac(scale * Rotate(q, fcc[j]));
                m[0, j] = (long)Math.Round(v.X); m[1, j] = (long)Math.Round(v.Y); m[2, j] = (long)Math.Round(v.Z);
            }
            var det = Math.Abs(Det(m));
            if (det < nLow || (bestN < long.MaxValue && det > 2 * bestN) || det > int.MaxValue / 4) continue;
            var h = HermiteLower(m);
            var dist = MinDistanceOf(basis, h);
            if (dist < r * (1 - Tolerance)) continue;
            bestN = Math.Min(bestN, det);
            found.TryAdd(Key(h), (h, dist, det));
        }
        return found.Values.OrderBy(x => x.N).Take(20).Select(x => (x.H, x.Dist));
    }

    private static double[] RandomRotation(Random random)
    {
        // A uniformly random unit quaternion (Shoemake).
        double u1 = random.NextDouble(), u2 = 2 * Math.PI * random.NextDouble(), u3 = 2 * Math.PI * random.NextDouble();
        double s1 = Math.Sqrt(1 - u1), s2 = Math.Sqrt(u1);
        return [s1 * Math.Sin(u2), s1 * Math.Cos(u2), s2 * Math.Sin(u3), s2 * Math.Cos(u3)];
    }

    private static Vec3 Rotate(double[] q, Vec3 v)
    {
        double x = q[0], y = q[1], z = q[2], w = q[3];
        var u = new Vec3(x, y, z);
        var t = 2 * Vec3.Cross(u, v);
        return v + w * t + Vec3.Cross(u, t);
    }

    /// <summary>The lower-triangular Hermite normal form of M under column operations (same lattice M·ℤ³): positive diagonal, 0 ≤ H[i,j] &lt; H[i,i] for j &lt; i.</summary>
    public static long[,] HermiteLower(long[,] matrix)
    {
        var m = (long[,])matrix.Clone();
        void ColumnCombine(int i, int j, long x, long y, long u, long v)
        {
            // (col_i, col_j) ← (x·col_i + y·col_j, u·col_i + v·col_j)
            for (var k = 0; k < 3; k++)
            {
                var ci = m[k, i]; var cj = m[k, j];
                m[k, i] = x * ci + y * cj;
                m[k, j] = u * ci + v * cj;
            }
        }
        for (var i = 0; i < 3; i++)
        {
            for (var j = i + 1; j < 3; j++)
            {
                if (m[i, j] == 0) continue;
                var (g, x, y) = ExtendedGcd(m[i, i], m[i, j]);
                ColumnCombine(i, j, x, y, -m[i, j] / g, m[i, i] / g);
            }
            if (m[i, i] == 0) throw new ArgumentException("singular superlattice matrix");
            if (m[i, i] < 0)
                for (var k = 0; k < 3; k++) m[k, i] = -m[k, i];
        }
        for (var i = 1; i < 3; i++)
            for (var j = 0; j < i; j++)
            {
                var q = GridSymmetry.FloorDiv(m[i, j], m[i, i]);
                if (q == 0) continue;
                for (var k = 0; k < 3; k++) m[k, j] -= q * m[k, i];
            }
        return m;
    }

    private static (long G, long X, long Y) ExtendedGcd(long a, long b)
    {
        long oldR = a, r = b, oldS = 1, s = 0, oldT = 0, t = 1;
        while (r != 0)
        {
            var q = oldR / r;
            (oldR, r) = (r, oldR - q * r);
            (oldS, s) = (s, oldS - q * s);
            (oldT, t) = (t, oldT - q * t);
        }
        return (oldR, oldS, oldT);
    }

    private static List<long> Divisors(long n)
    {
        var small = new List<long>();
        var large = new List<long>();
        for (long d = 1; d * d <= n; d++)
        {
            if (n % d != 0) continue;
            small.Add(d);
            if (d * d != n) large.Add(n / d);
        }
        large.Reverse();
        small.AddRange(large);
        return small;
    }

    private static bool IsIdentity(long[,] r) => GridSymmetry.IsScalar(r, 1);

    // Whether the in-plane component of h1 is at least √need2 from every point of the 2D lattice (u, v): a necessary
    // condition for the layer at height one (its closest points to the origin are h1 + lattice vectors).
    private static bool LayerClear(Vec3 h1, Vec3 u, Vec3 v, double need2)
    {
        if (need2 <= 0) return true;
        var normal = Vec3.Cross(u, v);
        var nn = normal.LengthSquared;
        var inPlane = h1 - Vec3.Dot(h1, normal) / nn * normal;
        // Coordinates in (u, v), then the 4×4 lattice points around them: for a Gauss-reduced basis (angle 60°–120°) the
        // closest lattice point is a corner of the cell containing the point, well inside that neighbourhood.
        var uu = Vec3.Dot(u, u); var uv = Vec3.Dot(u, v); var vv = Vec3.Dot(v, v);
        var det = uu * vv - uv * uv;
        var pu = Vec3.Dot(inPlane, u); var pv = Vec3.Dot(inPlane, v);
        var x = (vv * pu - uv * pv) / det;
        var y = (uu * pv - uv * pu) / det;
        var fx = Math.Floor(x); var fy = Math.Floor(y);
        for (var i = -1; i <= 2; i++)
            for (var j = -1; j <= 2; j++)
                if ((inPlane - (fx + i) * u - (fy + j) * v).LengthSquared < need2) return false;
        return true;
    }

    // Intersects d ≡ r0 (mod step) with α·d ≡ β (mod m); false when no d satisfies both.
    private static bool Restrict(ref long r0, ref long step, long alpha, long beta, long m)
    {
        if (m == 1) return true;
        // α(r0 + step·k) ≡ β ⇒ (α·step)k ≡ β − α·r0 (mod m).
        var A = Mod(alpha * step, m);
        var B = Mod(beta - alpha * r0, m);
        var g = Gcd(A, m);
        if (B % g != 0) return false;
        var mg = m / g;
        var k0 = mg == 1 ? 0 : Mod(B / g * ModInverse(A / g % mg, mg), mg);
        r0 += step * k0;
        step *= mg;
        r0 = Mod(r0, step);
        return true;
    }

    private static long Mod(long x, long m) { var r = x % m; return r < 0 ? r + m : r; }
    private static long Gcd(long a, long b) { while (b != 0) (a, b) = (b, a % b); return Math.Abs(a); }

    private static long ModInverse(long a, long m)
    {
        long t = 0, newT = 1, r = m, newR = Mod(a, m);
        while (newR != 0)
        {
            var q = r / newR;
            (t, newT) = (newT, t - q * newT);
            (r, newR) = (newR, r - q * newR);
        }
        return Mod(t, m);
    }

    /// <summary>A generating set of the group (greedy: add a rotation when the group generated so far lacks it), so the symmetry tests in the loops check few matrices.</summary>
    private static List<long[,]> Generators(List<long[,]> group)
    {
        var gens = new List<long[,]>();
        var closure = new HashSet<string> { Key(Identity()) };
        foreach (var r in group)
        {
            if (closure.Contains(Key(r))) continue;
            gens.Add(r);
            var members = closure.Select(Parse).ToList();
            var queue = new Queue<long[,]>(members);
            while (queue.Count > 0)
            {
                var x = queue.Dequeue();
                foreach (var gen in gens)
                {
                    var y = GridSymmetry.Multiply(gen, x);
                    if (closure.Add(Key(y))) queue.Enqueue(y);
                }
            }
        }
        return gens;
    }

    private static string Key(long[,] m) => string.Join(",", m.Cast<long>());

    private static long[,] Parse(string key)
    {
        var v = key.Split(',').Select(long.Parse).ToArray();
        return new long[,] { { v[0], v[1], v[2] }, { v[3], v[4], v[5] }, { v[6], v[7], v[8] } };
    }

    private static long[][] AllHalfShifts()
    {
        var list = new List<long[]>();
        for (var i = 0; i < 8; i++) list.Add([i & 1, (i >> 1) & 1, (i >> 2) & 1]);
        return list.ToArray();
    }

    private static long[,] ToLong(int[,] r)
    {
        var m = new long[3, 3];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++) m[i, j] = r[i, j];
        return m;
    }

    private static long[,] Scale(long[,] h, long k) => GridSymmetry.Scale(h, k);

    private static long[,] Identity() => new long[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };

    private static long Det(long[,] m) =>
        m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0]) + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);

    private static long[,] InverseUnimodular(long[,] m)
    {
        var det = Det(m);
        if (Math.Abs(det) != 1) throw new InvalidOperationException("change of basis is not unimodular");
        var inv = new long[3, 3];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
            {
                int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
                inv[i, j] = (m[i1, j1] * m[i2, j2] - m[i1, j2] * m[i2, j1]) * det;
            }
        return inv;
    }

    internal static double[,] Inverse(long[,] m)
    {
        double det = Det(m);
        var inv = new double[3, 3];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
            {
                int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
                inv[i, j] = (m[i1, j1] * m[i2, j2] - m[i1, j2] * m[i2, j1]) / det;
            }
        return inv;
    }
}
