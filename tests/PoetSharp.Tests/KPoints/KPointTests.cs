using System.Globalization;
using System.Text.Json;
using PoetSharp.Atoms;
using PoetSharp.KPoints;
using PoetSharp.Symmetry;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.KPoints;

public class KPointTests
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static TheoryData<string> Crystals => new() { "fcc", "bcc", "hcp", "diamond", "rocksalt", "triclinic", "random-1", "random-2" };

    internal static Structure Crystal(string name) => name switch
    {
        "fcc" => Lattices.FccPrimitive("Cu", 3.615),
        "bcc" => Lattices.BccPrimitive("Fe", 2.87),
        "hcp" => Lattices.Hcp("Mg", 3.21, 5.21 / 3.21),
        "diamond" => Lattices.DiamondPrimitive("Si", 5.43),
        "rocksalt" => Lattices.B1("Na", "Cl", 5.64),
        // A random triclinic cell with two species at general positions: space group P1.
        "triclinic" => new Structure(new Cell(new(3.1, 0.2, 0.4), new(0.5, 3.7, 0.1), new(0.3, 0.6, 4.3)),
            [Vec3.Zero, new Vec3(1.3, 1.7, 2.1)], ["Si", "O"]),
        _ when name.StartsWith("random-", StringComparison.Ordinal) => RandomTriclinic(int.Parse(name[7..], Inv)),
        _ => throw new ArgumentException(name),
    };

    // Random cells (seeded): lengths 3–5 Å, angles 70–110°, one or two atoms at random positions (P-1 or P1).
    private static Structure RandomTriclinic(int seed)
    {
        var random = new Random(seed);
        double U(double lo, double hi) => lo + (hi - lo) * random.NextDouble();
        double a = U(3, 5), b = U(3, 5), c = U(3, 5);
        double alpha = U(70, 110) * Math.PI / 180, beta = U(70, 110) * Math.PI / 180, gamma = U(70, 110) * Math.PI / 180;
        var va = new Vec3(a, 0, 0);
        var vb = new Vec3(b * Math.Cos(gamma), b * Math.Sin(gamma), 0);
        var cx = c * Math.Cos(beta);
        var cy = c * (Math.Cos(alpha) - Math.Cos(beta) * Math.Cos(gamma)) / Math.Sin(gamma);
        var vc = new Vec3(cx, cy, Math.Sqrt(c * c - cx * cx - cy * cy));
        var cell = new Cell(va, vb, vc);
        var atoms = seed % 2 == 1 ? 1 : 2;
        var positions = Enumerable.Range(0, atoms).Select(_ => cell.ToCartesian(new Vec3(random.NextDouble(), random.NextDouble(), random.NextDouble()))).ToArray();
        return new Structure(cell, positions, atoms == 1 ? ["Al"] : ["Si", "O"]);
    }

    [NeedsTheory(External.SpglibLibrary | External.SpglibPython)]
    [MemberData(nameof(Crystals))]
    public void SpaceGroupEqualsPythonSpglib(string name)
    {
        var s = Crystal(name);
        var ours = Spglib.Analyze(s);
        var script = """
            import sys, json, spglib
            d = json.loads(sys.argv[1])
            ds = spglib.get_symmetry_dataset((d['lattice'], d['positions'], d['numbers']), symprec=1e-5)
            print(ds['number'], ds['international'], len(ds['rotations']))
            """;
        var answer = AsePython.Run(script, SpglibPython.CellJson(s)).Trim().Split(' ');
        Assert.Equal(int.Parse(answer[0], Inv), ours.Number);
        Assert.Equal(answer[1], ours.International);
        Assert.Equal(int.Parse(answer[2], Inv), ours.Rotations.Count);
        var expected = name switch { "fcc" => 225, "bcc" => 229, "hcp" => 194, "diamond" => 227, "rocksalt" => 225, "random-1" => 2, _ => 1 };
        Assert.Equal(expected, ours.Number);
    }

    [NeedsFact(External.SpglibLibrary)]
    public void RotationsKeepTheLatticeMetric()
    {
        // Each R (fractional basis) must be an isometry of the lattice: Rᵀ G R = G with G the metric tensor; a
        // transposed lattice in the marshalling would break this for the non-orthogonal cells.
        foreach (var name in new[] { "fcc", "hcp", "triclinic", "rocksalt" })
        {
            var s = Crystal(name);
            var a = new[] { s.Cell.A, s.Cell.B, s.Cell.C };
            foreach (var r in Spglib.Analyze(s).Rotations)
                for (var i = 0; i < 3; i++)
                    for (var j = 0; j < 3; j++)
                    {
                        var ri = r[0, i] * a[0] + r[1, i] * a[1] + r[2, i] * a[2];
                        var rj = r[0, j] * a[0] + r[1, j] * a[1] + r[2, j] * a[2];
                        Assert.Equal(Vec3.Dot(a[i], a[j]), Vec3.Dot(ri, rj), 6);
                    }
        }
    }

    [NeedsFact(External.SpglibLibrary | External.SpglibPython)]
    public void DiagonalGridCountsEqualSpglibsReduction()
    {
        var cases = new (string Name, int[] Mesh, int[] Shift)[]
        {
            ("fcc", [8, 8, 8], [0, 0, 0]), ("fcc", [6, 6, 6], [0, 0, 0]), ("bcc", [7, 7, 7], [0, 0, 0]), ("hcp", [9, 9, 5], [0, 0, 0]),
            ("hcp", [6, 6, 4], [0, 0, 1]), ("diamond", [5, 5, 5], [0, 0, 0]), ("rocksalt", [4, 4, 4], [1, 1, 1]),
            ("rocksalt", [5, 5, 5], [0, 0, 0]), ("triclinic", [5, 4, 3], [0, 0, 0]), ("triclinic", [4, 4, 3], [1, 1, 0]),
        };
        var script = """
            import sys, json, spglib, numpy as np
            d = json.loads(sys.argv[1])
            mapping, grid = spglib.get_ir_reciprocal_mesh(json.loads(sys.argv[2]), (d['lattice'], d['positions'], d['numbers']),
                                                          is_shift=json.loads(sys.argv[3]), is_time_reversal=True, symprec=1e-5)
            u, counts = np.unique(mapping, return_counts=True)
            print(len(u), ' '.join(str(c) for c in sorted(counts)))
            """;
        var compared = 0;
        foreach (var (name, mesh, shift) in cases)
        {
            var s = Crystal(name);
            var grid = KPointGenerator.Evaluate(s.Cell, Spglib.Analyze(s),
                new long[,] { { mesh[0], 0, 0 }, { 0, mesh[1], 0 }, { 0, 0, mesh[2] } }, new Vec3(shift[0] / 2.0, shift[1] / 2.0, shift[2] / 2.0));
            Assert.True(grid is not null, $"{name} {string.Join("x", mesh)} shift {string.Join(",", shift)} is not symmetric");
            var answer = AsePython.Run(script, SpglibPython.CellJson(s), JsonSerializer.Serialize(mesh), JsonSerializer.Serialize(shift)).Trim().Split(' ');
            Assert.Equal(int.Parse(answer[0], Inv), grid.Irreducible);
            Assert.Equal(answer.Skip(1).Select(x => int.Parse(x, Inv)), grid.Multiplicities.Order());
            compared++;
        }
        Assert.Equal(cases.Length, compared);
        // A half-shifted n×n×n grid in fcc's primitive reciprocal basis breaks the cubic symmetry: refused, not reduced.
        var fcc = Crystal("fcc");
        Assert.Null(KPointGenerator.Evaluate(fcc.Cell, Spglib.Analyze(fcc), new long[,] { { 6, 0, 0 }, { 0, 6, 0 }, { 0, 0, 6 } }, new Vec3(0.5, 0.5, 0.5)));
    }

    [NeedsTheory(External.SpglibLibrary)]
    [MemberData(nameof(Crystals))]
    public void GeneratedGridMeetsTheDistanceIsClosedAndBeatsMonkhorstPack(string name)
    {
        var s = Crystal(name);
        foreach (var r in new[] { 15.0, 25.0 })
            foreach (var gamma in new[] { false, true })
            {
                var search = KPointGenerator.Generate(s, r, gamma, new KPointBudget(20 * KPointBudget.DefaultWork));
                var g = search.Grid;
                Assert.True(g.MinDistance >= r - 1e-9, $"{name} r={r}: min distance {g.MinDistance}");
                Assert.Equal(g.MinDistance, BruteForceMinDistance(s.Cell, g.Superlattice, 2 * r), 6);
                Assert.True(BruteForceMinDistance(s.Cell, g.Superlattice, r * (1 - 1e-9)) >= r * (1 - 1e-9));
                if (gamma) Assert.Equal(default, g.Shift);
                Assert.Equal(1.0, g.Weights.Sum(), 12);
                Assert.Equal(g.Total, g.Multiplicities.Sum());
                AssertClosedUnderPointGroup(s, g);
                var mp = BestMonkhorstPackByHand(s, r, gamma);
                Assert.True(g.Irreducible <= mp, $"{name} r={r}: {g.Irreducible} irreducible against Monkhorst–Pack's {mp}");
                Assert.Equal(mp, search.MonkhorstPack.Irreducible);
            }
    }

    [NeedsFact(External.SpglibLibrary)]
    public void LowSymmetryCellsGetFarFewerPointsThanMonkhorstPack()
    {
        // A triclinic cell: Monkhorst–Pack must use n_i ≥ r/|a_i| along skewed axes, a generalized grid need not.
        var search = KPointGenerator.Generate(Crystal("triclinic"), 30, budget: new KPointBudget(20 * KPointBudget.DefaultWork));
        Assert.True(search.Grid.Irreducible < 0.8 * search.MonkhorstPack.Irreducible,
            $"{search.Grid.Irreducible} against {search.MonkhorstPack.Irreducible}");
        Assert.False(search.Grid.IsDiagonal);
    }

    /// <summary>
    /// The search's pruned enumeration (congruences, plane operations, distance tests) against brute force: every
    /// lower-triangular HNF of determinant N, kept when H⁻¹RH is integral for every rotation and (second pass) when its
    /// brute-force minimum distance reaches r. A pruning step that dropped a valid superlattice would show here.
    /// </summary>
    [NeedsFact(External.SpglibLibrary)]
    public void EnumerationFindsEverySymmetricSuperlatticeBruteForceFinds()
    {
        var cells = new[] { Crystal("fcc"), Crystal("bcc"), Crystal("hcp"), Crystal("rocksalt"), Lattices.FccConventional("Cu", 3.615),
            new Structure(new Cell(new(3.0, 0, 0), new(0, 3.4, 0), new(0.9, 0, 4.1)), [Vec3.Zero], ["Cu"]), // monoclinic
            new Structure(new Cell(new(3.0, 0, 0), new(0, 3.0, 0), new(0, 0, 4.4)), [Vec3.Zero], ["Cu"]) }; // tetragonal
        var checkedAny = 0;
        foreach (var s in cells)
        {
            var sym = Spglib.Analyze(s);
            var rotations = sym.PointGroupRotations();
            foreach (var n in new long[] { 1, 2, 4, 6, 8, 9, 12, 16, 27, 32 })
            {
                var brute = new List<long[,]>();
                for (long a = 1; a <= n; a++)
                    for (long c = 1; c <= n / a; c++)
                    {
                        if (n % (a * c) != 0) continue;
                        var f = n / (a * c);
                        for (long b = 0; b < c; b++)
                            for (long d = 0; d < f; d++)
                                for (long e = 0; e < f; e++)
                                {
                                    var h = new long[,] { { a, 0, 0 }, { b, c, 0 }, { d, e, f } };
                                    var inv = Invert(h);
                                    if (rotations.All(r => IsIntegral(inv, r, h))) brute.Add(h);
                                }
                    }
                string Key(long[,] h) => string.Join(",", h.Cast<long>());
                var found = KPointGenerator.SymmetricHnfs(s.Cell, sym, n, 0).Select(Key).Order().ToList();
                Assert.Equal(brute.Select(Key).Order().ToList(), found);
                if (brute.Count == 0) continue;
                // With a distance requirement: about the median of the symmetric ones' distances.
                var distances = brute.Select(h => BruteForceMinDistance(s.Cell, h, 60)).Order().ToList();
                var r = distances[distances.Count / 2];
                var far = brute.Where(h => BruteForceMinDistance(s.Cell, h, 60) >= r * (1 - 1e-9)).Select(Key).Order().ToList();
                Assert.Equal(far, KPointGenerator.SymmetricHnfs(s.Cell, sym, n, r).Select(Key).Order().ToList());
                checkedAny += brute.Count;
            }
        }
        Assert.True(checkedAny > 100, $"only {checkedAny} symmetric superlattices compared");
    }

    private static bool IsIntegral(double[,] inv, int[,] r, long[,] h)
    {
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
            {
                double x = 0;
                for (var k = 0; k < 3; k++)
                    for (var l = 0; l < 3; l++) x += inv[i, k] * r[k, l] * h[l, j];
                if (Math.Abs(x - Math.Round(x)) > 1e-9) return false;
            }
        return true;
    }

    [NeedsFact(External.SpglibLibrary)]
    public void ReducedGeneratingVectorsSpanTheSameShiftedGrid()
    {
        foreach (var (name, r) in new[] { ("triclinic", 20.0), ("fcc", 10.0), ("hcp", 20.0) })
        {
            var s = Crystal(name);
            var g = KPointGenerator.Generate(s, r).Grid;
            var (v, shift) = g.GeneratingVectors(s.Cell);
            var h = g.Superlattice;
            // Hᵀ·x for a point x of the reciprocal fractional coordinates: integral exactly on the unshifted grid's lattice.
            Vec3 Ht(Vec3 x) => new(h[0, 0] * x.X + h[1, 0] * x.Y + h[2, 0] * x.Z, h[0, 1] * x.X + h[1, 1] * x.Y + h[2, 1] * x.Z, h[0, 2] * x.X + h[1, 2] * x.Y + h[2, 2] * x.Z);
            static bool Integral(Vec3 x) => new[] { x.X, x.Y, x.Z }.All(c => Math.Abs(c - Math.Round(c)) < 1e-8);
            foreach (var x in v) Assert.True(Integral(Ht(x)), $"{name}: {x} is not in the grid's lattice");
            // Three lattice vectors spanning a cell of volume 1/N are a basis of it.
            Assert.Equal(1.0 / g.Total, Math.Abs(Vec3.Dot(v[0], Vec3.Cross(v[1], v[2]))), 12);
            // The shift: Σ s'_j v_j and the grid's own shift (Hᵀk − s integral for grid points) name the same coset.
            var sigma = shift.X * v[0] + shift.Y * v[1] + shift.Z * v[2];
            Assert.True(Integral(Ht(sigma) - g.Shift), $"{name}: shift {shift} is not the grid's {g.Shift}");
            // Short: no longer than the cell's reciprocal vectors' scale would allow for a skewed basis.
            Assert.All(v, x => Assert.True(new[] { x.X, x.Y, x.Z }.All(c => Math.Abs(c) <= 1 + 1e-9)));
        }
    }

    [Fact]
    public void ShortestVectorIsExactForSkewedBases()
    {
        // A badly skewed basis of the simple cubic lattice (edge 2): the shortest vector is 2 however it is written.
        var a = new Vec3(2, 0, 0);
        var b = new Vec3(2 * 37, 2, 0);
        var c = new Vec3(2 * 11, 2 * 29, 2);
        Assert.Equal(2.0, LatticeReduction.ShortestVector(a, b, c), 12);
        // fcc of cubic edge 4: nearest-neighbour distance 4/√2 from a skewed basis.
        var f1 = new Vec3(0, 2, 2); var f2 = new Vec3(2, 0, 2); var f3 = new Vec3(2, 2, 0);
        Assert.Equal(4 / Math.Sqrt(2), LatticeReduction.ShortestVector(f1 + 5 * f2 - 7 * f3, f2 + 3 * f3, f3), 12);
        var h = KPointGenerator.HermiteLower(new long[,] { { 2, 3, 1 }, { -1, 4, 5 }, { 0, 2, 7 } });
        Assert.Equal(0, h[0, 1]); Assert.Equal(0, h[0, 2]); Assert.Equal(0, h[1, 2]);
        Assert.Equal(Math.Abs(2 * (4 * 7 - 5 * 2) - 3 * (-7 - 0) + 1 * (-2)), h[0, 0] * h[1, 1] * h[2, 2]);
    }

    // The minimum periodic distance by brute force, independent of the lattice reduction: every lattice vector n of the
    // cell shorter than the cap (enumerated over the box the face heights allow) that lies in the superlattice (H⁻¹n integral).
    private static double BruteForceMinDistance(Cell cell, long[,] h, double cap)
    {
        var heights = cell.Heights();
        var n0 = (int)Math.Ceiling(cap / heights.X); var n1 = (int)Math.Ceiling(cap / heights.Y); var n2 = (int)Math.Ceiling(cap / heights.Z);
        var best = double.PositiveInfinity;
        var inv = Invert(h);
        for (var i = -n0; i <= n0; i++)
            for (var j = -n1; j <= n1; j++)
                for (var k = -n2; k <= n2; k++)
                {
                    if (i == 0 && j == 0 && k == 0) continue;
                    var len = (i * cell.A + j * cell.B + k * cell.C).Length;
                    if (len >= best || len > cap) continue;
                    var inSuper = true;
                    for (var row = 0; row < 3 && inSuper; row++)
                    {
                        var x = inv[row, 0] * i + inv[row, 1] * j + inv[row, 2] * k;
                        inSuper = Math.Abs(x - Math.Round(x)) < 1e-9;
                    }
                    if (inSuper) best = len;
                }
        return best;
    }

    private static double[,] Invert(long[,] m)
    {
        double det = m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0]) + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
        var inv = new double[3, 3];
        inv[0, 0] = (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) / det; inv[0, 1] = (m[0, 2] * m[2, 1] - m[0, 1] * m[2, 2]) / det; inv[0, 2] = (m[0, 1] * m[1, 2] - m[0, 2] * m[1, 1]) / det;
        inv[1, 0] = (m[1, 2] * m[2, 0] - m[1, 0] * m[2, 2]) / det; inv[1, 1] = (m[0, 0] * m[2, 2] - m[0, 2] * m[2, 0]) / det; inv[1, 2] = (m[0, 2] * m[1, 0] - m[0, 0] * m[1, 2]) / det;
        inv[2, 0] = (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]) / det; inv[2, 1] = (m[0, 1] * m[2, 0] - m[0, 0] * m[2, 1]) / det; inv[2, 2] = (m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]) / det;
        return inv;
    }

    // Applies every rotation (as a Cartesian rotation W = A·R·A⁻¹ on Cartesian k, independent of the generator's integer
    // algebra) and time reversal to the irreducible points: every image must be a grid point (Hᵀk − s integral), each
    // orbit must have the point's multiplicity, and the orbits together must be the whole grid without overlap.
    private static void AssertClosedUnderPointGroup(Structure s, KPointGrid g)
    {
        var cell = s.Cell;
        var a = new[] { cell.A, cell.B, cell.C };
        var vol = Vec3.Dot(a[0], Vec3.Cross(a[1], a[2]));
        var b = new[] { Vec3.Cross(a[1], a[2]) / vol, Vec3.Cross(a[2], a[0]) / vol, Vec3.Cross(a[0], a[1]) / vol };
        Vec3 ToCart(Vec3 k) => k.X * b[0] + k.Y * b[1] + k.Z * b[2];
        Vec3 ToFrac(Vec3 q) => new(Vec3.Dot(q, a[0]), Vec3.Dot(q, a[1]), Vec3.Dot(q, a[2]));
        var rotations = Spglib.Analyze(s).PointGroupRotations();
        Func<Vec3, Vec3> Cartesian(int[,] r) => v =>
        {
            // W v: express v in the direct basis, apply R to the fractional coordinates, back to Cartesian.
            var f = cell.ToFractional(v);
            var rf = new Vec3(r[0, 0] * f.X + r[0, 1] * f.Y + r[0, 2] * f.Z, r[1, 0] * f.X + r[1, 1] * f.Y + r[1, 2] * f.Z, r[2, 0] * f.X + r[2, 1] * f.Y + r[2, 2] * f.Z);
            return cell.ToCartesian(rf);
        };
        var ops = rotations.Select(Cartesian).SelectMany(w => new Func<Vec3, Vec3>[] { w, v => -w(v) }).ToList();
        var h = g.Superlattice;
        string Key(Vec3 k)
        {
            // Grid coordinates m = Hᵀk − s must be integers; the key is k reduced modulo the reciprocal lattice.
            var m = new[] { h[0, 0] * k.X + h[1, 0] * k.Y + h[2, 0] * k.Z - g.Shift.X, h[0, 1] * k.X + h[1, 1] * k.Y + h[2, 1] * k.Z - g.Shift.Y, h[0, 2] * k.X + h[1, 2] * k.Y + h[2, 2] * k.Z - g.Shift.Z };
            foreach (var x in m) Assert.True(Math.Abs(x - Math.Round(x)) < 1e-6, $"image {k} is not a grid point");
            static long W(double x) => (long)Math.Round((x - Math.Floor(x + 1e-9)) * 1e6) % 1_000_000;
            return $"{W(k.X)},{W(k.Y)},{W(k.Z)}";
        }
        var all = new HashSet<string>();
        for (var p = 0; p < g.Irreducible; p++)
        {
            var kc = ToCart(g.Points[p]);
            var orbit = ops.Select(op => Key(ToFrac(op(kc)))).ToHashSet();
            Assert.Equal(g.Multiplicities[p], orbit.Count);
            foreach (var k in orbit) Assert.True(all.Add(k), "two irreducible points share an orbit");
        }
        Assert.Equal(g.Total, all.Count);
    }

    // The best Monkhorst–Pack grid by plain enumeration of n1×n2×n3 (n_i ≤ ⌈r/height_i⌉ + 1), the distance by brute force.
    private static int BestMonkhorstPackByHand(Structure s, double r, bool gamma)
    {
        var sym = Spglib.Analyze(s);
        var heights = s.Cell.Heights();
        var best = int.MaxValue;
        var shifts = gamma ? [Vec3.Zero] : Enumerable.Range(0, 8).Select(i => new Vec3((i & 1) / 2.0, ((i >> 1) & 1) / 2.0, ((i >> 2) & 1) / 2.0)).ToArray();
        for (var n0 = 1; n0 <= Math.Ceiling(r / heights.X) + 1; n0++)
            for (var n1 = 1; n1 <= Math.Ceiling(r / heights.Y) + 1; n1++)
                for (var n2 = 1; n2 <= Math.Ceiling(r / heights.Z) + 1; n2++)
                {
                    var h = new long[,] { { n0, 0, 0 }, { 0, n1, 0 }, { 0, 0, n2 } };
                    if (BruteForceMinDistance(s.Cell, h, r * (1 - 1e-9)) < r * (1 - 1e-9)) continue;
                    foreach (var shift in shifts)
                        if (KPointGenerator.Evaluate(s.Cell, sym, h, shift) is { } grid) best = Math.Min(best, grid.Irreducible);
                }
        return best;
    }
}
