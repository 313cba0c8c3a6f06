using System.Numerics;
using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Properties;

/// <summary>
/// Harmonic force constants Φ_ab(i, j) = ∂²E/∂r_ia ∂r_jb (eV/Å²) of a crystal, from finite displacements of the atoms of
/// one unit cell inside an n1×n2×n3 supercell, with the images each pair interacts through (phonopy's convention: among the
/// periodic images of atom j, the ones nearest atom i, shared equally when several are equally near).
/// </summary>
public sealed class ForceConstants
{
    /// <summary>The unit cell whose phonons these are.</summary>
    public Structure Unit { get; }
    /// <summary>The supercell the forces were computed in; its first <c>Unit.Count</c> atoms are the unit cell's.</summary>
    public Structure Supercell { get; }
    public int N1 { get; }
    public int N2 { get; }
    public int N3 { get; }
    /// <summary>Displacement of the central differences (Å).</summary>
    public double Displacement { get; }
    /// <summary>Mass of each unit-cell atom (u).</summary>
    public IReadOnlyList<double> Masses { get; }
    /// <summary>Whether the acoustic sum rule Σ_j Φ(i, j) = 0 was imposed on the self terms.</summary>
    public bool AcousticSumRule { get; }

    // Φ(i, j) for unit atom i and supercell atom j as 9 numbers (row-major a, b).
    private readonly double[][] _phi;
    // For each (i, j): the shortest vectors r_j + T − r_i over supercell translations T.
    private readonly Vec3[][] _images;

    internal ForceConstants(Structure unit, Structure supercell, int n1, int n2, int n3, double displacement, double[] masses, double[][] phi, bool acousticSumRule)
    {
        Unit = unit;
        Supercell = supercell;
        N1 = n1; N2 = n2; N3 = n3;
        Displacement = displacement;
        Masses = masses;
        _phi = phi;
        AcousticSumRule = acousticSumRule;
        _images = ShortestImages(unit.Count, supercell);
    }

    /// <summary>Φ_ab between unit atom <paramref name="unitAtom"/> and supercell atom <paramref name="superAtom"/> (eV/Å²).</summary>
    public double this[int unitAtom, int superAtom, int a, int b] => _phi[unitAtom][9 * superAtom + 3 * a + b];

    /// <summary>
    /// The dynamical matrix D(q)_{ia, jb} = Σ Φ_ab(i, j) e^{i q·(r_j + T − r_i)} / √(m_i m_j) (eV/(Å² u)) at a wavevector
    /// in Cartesian Å⁻¹ (including 2π), made exactly Hermitian.
    /// </summary>
    public Complex[,] DynamicalMatrix(Vec3 q)
    {
        var nb = Unit.Count;
        var d = new Complex[3 * nb, 3 * nb];
        for (var i = 0; i < nb; i++)
        {
            var row = _phi[i];
            for (var j = 0; j < Supercell.Count; j++)
            {
                var images = _images[i * Supercell.Count + j];
                var phase = Complex.Zero;
                foreach (var r in images) phase += Complex.FromPolarCoordinates(1.0, Vec3.Dot(q, r));
                phase /= images.Length;
                var b = j % nb;
                var scale = phase / Math.Sqrt(Masses[i] * Masses[b]);
                for (var x = 0; x < 3; x++)
                    for (var y = 0; y < 3; y++)
                        d[3 * i + x, 3 * b + y] += row[9 * j + 3 * x + y] * scale;
            }
        }
        var n = 3 * nb;
        for (var r = 0; r < n; r++)
            for (var c = r; c < n; c++)
            {
                var mean = 0.5 * (d[r, c] + Complex.Conjugate(d[c, r]));
                d[r, c] = mean;
                d[c, r] = Complex.Conjugate(mean);
            }
        return d;
    }

    /// <summary>Phonon frequencies (THz) at q (Cartesian Å⁻¹ with 2π), ascending; an unstable mode has a negative value, −√|ω²|.</summary>
    public double[] Frequencies(Vec3 q)
    {
        var matrix = MathNet.Numerics.LinearAlgebra.Matrix<Complex>.Build.DenseOfArray(DynamicalMatrix(q));
        var eigenvalues = matrix.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Hermitian).EigenValues;
        return eigenvalues.Select(e => Math.Sign(e.Real) * Math.Sqrt(Math.Abs(e.Real)) * Units.ThzPerSqrtEvPerA2PerAmu).OrderBy(f => f).ToArray();
    }

    /// <summary>The wavevector (Cartesian Å⁻¹, with 2π) of fractional coordinates in the unit cell's reciprocal basis (phonopy's and ASE's convention).</summary>
    public Vec3 FromReciprocalFractional(Vec3 fractional) => Phonons.ReciprocalCartesian(Unit.Cell, fractional);

    private static Vec3[][] ShortestImages(int nb, Structure supercell)
    {
        const double tolerance = 1e-5;
        var cell = supercell.Cell;
        var n = supercell.Count;
        var result = new Vec3[nb * n][];
        var candidates = new List<Vec3>(125);
        for (var i = 0; i < nb; i++)
            for (var j = 0; j < n; j++)
            {
                var s = cell.ToFractional(supercell.Positions[j] - supercell.Positions[i]);
                s = new(s.X - Math.Round(s.X), s.Y - Math.Round(s.Y), s.Z - Math.Round(s.Z));
                candidates.Clear();
                var shortest = double.MaxValue;
                for (var u = -2; u <= 2; u++)
                    for (var v = -2; v <= 2; v++)
                        for (var w = -2; w <= 2; w++)
                        {
                            var r = cell.ToCartesian(new Vec3(s.X + u, s.Y + v, s.Z + w));
                            candidates.Add(r);
                            shortest = Math.Min(shortest, r.Length);
                        }
                result[i * n + j] = candidates.Where(r => r.Length < shortest + tolerance).ToArray();
            }
        return result;
    }
}

/// <summary>A labelled wavevector (Cartesian Å⁻¹, including 2π).</summary>
public sealed record QPoint(string Label, Vec3 Q);

/// <summary>A straight piece of a band path.</summary>
public sealed record PathSegment(QPoint From, QPoint To);

/// <summary>Frequencies along a band path.</summary>
/// <param name="Distances">Cumulative path length of each point (Å⁻¹).</param>
/// <param name="QPoints">The wavevectors (Cartesian Å⁻¹).</param>
/// <param name="Frequencies">Frequencies (THz), [point][branch], ascending per point.</param>
/// <param name="Labels">High-symmetry labels at path lengths (a junction of two different points reads "A|B").</param>
public sealed record PhononDispersion(double[] Distances, Vec3[] QPoints, double[][] Frequencies, IReadOnlyList<(string Label, double Distance)> Labels)
{
    public int Branches => Frequencies.Length == 0 ? 0 : Frequencies[0].Length;
}

/// <summary>Phonon frequencies at X, L and K (THz, ascending) and the dispersion along Γ–X–K–Γ–L of an fcc crystal.</summary>
public sealed record FccPhononResult(string Element, double A, int Supercell, double Displacement, double[] X, double[] L, double[] K, PhononDispersion Dispersion)
{
    public IReadOnlyList<PropertyValue> Values()
    {
        var list = new List<PropertyValue>();
        foreach (var (point, f) in new[] { ("X", X), ("L", L), ("K", K) })
            for (var k = 0; k < f.Length; k++) list.Add(new($"nu_{point}{k + 1}", "FCC", f[k], "THz"));
        return list;
    }
}

/// <summary>Phonons by finite displacements.</summary>
public static class Phonons
{
    /// <summary>
    /// Supercell size (repetitions of the primitive fcc cell per direction) that <see cref="Fcc"/> uses by default: its width
    /// (n·a/√3) is more than twice the range of EAM force constants for copper-like cutoffs (checked by the convergence test
    /// of the phonon tests: X, L and K move by less than 0.005 THz from n = 6 to 8 on Mishin's Cu).
    /// </summary>
    public const int DefaultFccSupercell = 6;

    /// <summary>
    /// Force constants of <paramref name="unit"/> from the forces when each of its atoms is moved by ±<paramref name="displacement"/>
    /// along x, y and z in the n1×n2×n3 supercell (central differences, 6 computations per unit atom). Masses default to
    /// the standard atomic masses. With <paramref name="acousticSumRule"/> the self terms are set to −Σ_{j≠i} Φ(i, j), so that
    /// a uniform translation costs nothing (the acoustic branches start at zero).
    /// </summary>
    public static ForceConstants ComputeForceConstants(IPotential potential, Structure unit, int n1, int n2, int n3,
        double displacement = 0.01, bool acousticSumRule = true, IReadOnlyList<double>? masses = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(unit);
        if (!(displacement > 0 && displacement < 0.2)) throw new ArgumentException("the displacement must lie in (0, 0.2) Å");
        potential.CheckSpecies(unit);
        var supercell = Lattices.Supercell(unit, n1, n2, n3);
        var nb = unit.Count;
        var n = supercell.Count;
        var mass = masses?.ToArray() ?? unit.Species.Select(Elements.Mass).ToArray();
        if (mass.Length != nb || mass.Any(m => !(m > 0))) throw new ArgumentException("one positive mass per unit-cell atom is needed");
        var phi = new double[nb][];
        var result = new PotentialResult();
        var list = NeighbourList.Create(supercell, potential.Cutoff, half: true);
        var plus = new Vec3[n];
        for (var i = 0; i < nb; i++)
        {
            phi[i] = new double[9 * n];
            for (var a = 0; a < 3; a++)
            {
                var moved = supercell.Clone();
                var step = a == 0 ? new Vec3(displacement, 0, 0) : a == 1 ? new Vec3(0, displacement, 0) : new Vec3(0, 0, displacement);
                moved.Positions[i] = supercell.Positions[i] + step;
                list.Build(moved, potential.Cutoff, half: true);
                potential.Compute(moved, list, result);
                result.Forces.CopyTo(plus);
                moved.Positions[i] = supercell.Positions[i] - step;
                list.Build(moved, potential.Cutoff, half: true);
                potential.Compute(moved, list, result);
                var minus = result.Forces;
                for (var j = 0; j < n; j++)
                {
                    var df = plus[j] - minus[j];
                    phi[i][9 * j + 3 * a + 0] = -df.X / (2 * displacement);
                    phi[i][9 * j + 3 * a + 1] = -df.Y / (2 * displacement);
                    phi[i][9 * j + 3 * a + 2] = -df.Z / (2 * displacement);
                }
            }
            if (acousticSumRule)
                for (var ab = 0; ab < 9; ab++)
                {
                    var sum = 0.0;
                    for (var j = 0; j < n; j++) if (j != i) sum += phi[i][9 * j + ab];
                    phi[i][9 * i + ab] = -sum;
                }
        }
        return new ForceConstants(unit, supercell, n1, n2, n3, displacement, mass, phi, acousticSumRule);
    }

    /// <summary>Cartesian wavevector (Å⁻¹, with 2π) of fractional coordinates in the reciprocal basis of <paramref name="cell"/>.</summary>
    public static Vec3 ReciprocalCartesian(Cell cell, Vec3 fractional)
    {
        var v = cell.Volume;
        var sign = Math.Sign(Vec3.Dot(cell.A, Vec3.Cross(cell.B, cell.C)));
        var b1 = 2 * Math.PI * sign / v * Vec3.Cross(cell.B, cell.C);
        var b2 = 2 * Math.PI * sign / v * Vec3.Cross(cell.C, cell.A);
        var b3 = 2 * Math.PI * sign / v * Vec3.Cross(cell.A, cell.B);
        return fractional.X * b1 + fractional.Y * b2 + fractional.Z * b3;
    }

    /// <summary>Fractional coordinates in the reciprocal basis of <paramref name="cell"/> of a Cartesian wavevector (Å⁻¹, with 2π): q·a_k / 2π.</summary>
    public static Vec3 ReciprocalFractional(Cell cell, Vec3 q) =>
        new(Vec3.Dot(q, cell.A) / (2 * Math.PI), Vec3.Dot(q, cell.B) / (2 * Math.PI), Vec3.Dot(q, cell.C) / (2 * Math.PI));

    /// <summary>fcc high-symmetry points for conventional lattice constant a, in units of 2π/a: Γ (0,0,0), X (0,0,1), K (¾,¾,0), L (½,½,½), W (1,½,0), U (¼,1,¼).</summary>
    public static QPoint FccPoint(string label, double a)
    {
        var k = 2 * Math.PI / a;
        return label switch
        {
            "Γ" or "G" => new("Γ", Vec3.Zero),
            "X" => new("X", k * new Vec3(0, 0, 1)),
            "K" => new("K", k * new Vec3(0.75, 0.75, 0)),
            "L" => new("L", k * new Vec3(0.5, 0.5, 0.5)),
            "W" => new("W", k * new Vec3(1, 0.5, 0)),
            "U" => new("U", k * new Vec3(0.25, 1, 0.25)),
            _ => throw new ArgumentException($"unknown fcc point '{label}' (expected Γ, X, K, L, W or U)"),
        };
    }

    /// <summary>
    /// The classic fcc path Γ–X–K–Γ–L: Γ→X along [001]; X→K→Γ along [110] from (1,1,0) 2π/a, which is equivalent to X
    /// (they differ by the reciprocal lattice vector (1,1,−1) 2π/a), so the path is continuous; Γ→L along [111].
    /// </summary>
    public static IReadOnlyList<PathSegment> FccPath(double a)
    {
        var k = 2 * Math.PI / a;
        var gamma = FccPoint("Γ", a);
        var kPoint = FccPoint("K", a);
        return
        [
            new(gamma, FccPoint("X", a)),
            new(new QPoint("X", k * new Vec3(1, 1, 0)), kPoint),
            new(kPoint, gamma),
            new(gamma, FccPoint("L", a)),
        ];
    }

    /// <summary>Frequencies along the path at about <paramref name="points"/> wavevectors in all, spread in proportion to segment length (ends included).</summary>
    public static PhononDispersion Dispersion(ForceConstants forceConstants, IReadOnlyList<PathSegment> path, int points = 200)
    {
        if (path.Count == 0) throw new ArgumentException("an empty band path");
        var total = path.Sum(s => (s.To.Q - s.From.Q).Length);
        if (!(total > 0)) throw new ArgumentException("the band path has zero length");
        var distances = new List<double>();
        var qs = new List<Vec3>();
        var labels = new List<(string, double)>();
        var position = 0.0;
        string? previous = null;
        foreach (var segment in path)
        {
            var length = (segment.To.Q - segment.From.Q).Length;
            labels.Add((previous == null || previous == segment.From.Label ? segment.From.Label : $"{previous}|{segment.From.Label}", position));
            var count = Math.Max(2, (int)Math.Round(points * length / total));
            for (var k = 0; k < count; k++)
            {
                var t = (double)k / (count - 1);
                qs.Add(segment.From.Q + t * (segment.To.Q - segment.From.Q));
                distances.Add(position + t * length);
            }
            position += length;
            previous = segment.To.Label;
        }
        labels.Add((previous!, position));
        var frequencies = new double[qs.Count][];
        Parallel.For(0, qs.Count, k => frequencies[k] = forceConstants.Frequencies(qs[k]));
        return new PhononDispersion(distances.ToArray(), qs.ToArray(), frequencies, labels);
    }

    /// <summary>
    /// Phonons of the fcc crystal at its equilibrium lattice constant: force constants of the primitive cell in an n×n×n
    /// supercell (default <see cref="DefaultFccSupercell"/>), frequencies at X, L and K and the dispersion along Γ–X–K–Γ–L.
    /// </summary>
    public static FccPhononResult Fcc(IPotential potential, string element, int supercell = DefaultFccSupercell, double displacement = 0.01, int points = 200)
    {
        var crystal = Bulk.CubicLatticeConstant(potential, element, CubicLattice.Fcc);
        return Fcc(potential, element, crystal.A, supercell, displacement, points);
    }

    /// <summary>Phonons of fcc at a given lattice constant (Å).</summary>
    public static FccPhononResult Fcc(IPotential potential, string element, double a, int supercell, double displacement = 0.01, int points = 200)
    {
        var fc = ComputeForceConstants(potential, Lattices.FccPrimitive(element, a), supercell, supercell, supercell, displacement);
        return new FccPhononResult(element, a, supercell, displacement,
            fc.Frequencies(FccPoint("X", a).Q), fc.Frequencies(FccPoint("L", a).Q), fc.Frequencies(FccPoint("K", a).Q),
            Dispersion(fc, FccPath(a), points));
    }
}
