namespace PoetSharp.Atoms;

/// <summary>
/// Bulk crystals: conventional and primitive cells of fcc, bcc, hcp and diamond, and supercells of any structure.
/// Every builder puts one atom at the origin and uses the standard orientation (cubic axes along x, y, z; hcp a along x, c along z).
/// </summary>
public static partial class Lattices
{
    private static readonly Vec3[] FccBasis = [new(0, 0, 0), new(0.5, 0.5, 0), new(0.5, 0, 0.5), new(0, 0.5, 0.5)];
    private static readonly Vec3[] BccBasis = [new(0, 0, 0), new(0.5, 0.5, 0.5)];
    private static readonly Vec3[] DiamondBasis =
    [
        new(0, 0, 0), new(0.5, 0.5, 0), new(0.5, 0, 0.5), new(0, 0.5, 0.5),
        new(0.25, 0.25, 0.25), new(0.75, 0.75, 0.25), new(0.75, 0.25, 0.75), new(0.25, 0.75, 0.75),
    ];

    /// <summary>The ideal hcp axial ratio √(8/3).</summary>
    public static readonly double IdealCoverA = Math.Sqrt(8.0 / 3.0);

    /// <summary>fcc: nx×ny×nz conventional cubes (4 atoms each) of edge a (Å), atoms ordered cube by cube as LAMMPS's create_atoms does.</summary>
    public static Structure Fcc(string element, double a, int nx, int ny, int nz) => Cubic(element, a, nx, ny, nz, FccBasis, "fcc");

    /// <summary>bcc: nx×ny×nz conventional cubes (2 atoms each) of edge a (Å).</summary>
    public static Structure Bcc(string element, double a, int nx, int ny, int nz) => Cubic(element, a, nx, ny, nz, BccBasis, "bcc");

    /// <summary>diamond: nx×ny×nz conventional cubes (8 atoms each) of edge a (Å).</summary>
    public static Structure Diamond(string element, double a, int nx, int ny, int nz) => Cubic(element, a, nx, ny, nz, DiamondBasis, "diamond");

    /// <summary>The conventional fcc cube (4 atoms) of edge a (Å).</summary>
    public static Structure FccConventional(string element, double a) => Fcc(element, a, 1, 1, 1);

    /// <summary>The conventional bcc cube (2 atoms) of edge a (Å).</summary>
    public static Structure BccConventional(string element, double a) => Bcc(element, a, 1, 1, 1);

    /// <summary>The conventional diamond cube (8 atoms) of edge a (Å).</summary>
    public static Structure DiamondConventional(string element, double a) => Diamond(element, a, 1, 1, 1);

    /// <summary>The primitive fcc cell (1 atom): vectors a/2 (0,1,1), a/2 (1,0,1), a/2 (1,1,0), as ASE's bulk(primitive).</summary>
    public static Structure FccPrimitive(string element, double a)
    {
        RequirePositive(a, "fcc");
        var h = 0.5 * a;
        return Single(new Cell(new(0, h, h), new(h, 0, h), new(h, h, 0)), [Vec3.Zero], element, $"fcc {element} primitive");
    }

    /// <summary>The primitive bcc cell (1 atom): vectors a/2 (−1,1,1), a/2 (1,−1,1), a/2 (1,1,−1).</summary>
    public static Structure BccPrimitive(string element, double a)
    {
        RequirePositive(a, "bcc");
        var h = 0.5 * a;
        return Single(new Cell(new(-h, h, h), new(h, -h, h), new(h, h, -h)), [Vec3.Zero], element, $"bcc {element} primitive");
    }

    /// <summary>The primitive diamond cell (2 atoms): the fcc primitive vectors with atoms at 0 and a/4 (1,1,1).</summary>
    public static Structure DiamondPrimitive(string element, double a)
    {
        RequirePositive(a, "diamond");
        var h = 0.5 * a;
        return Single(new Cell(new(0, h, h), new(h, 0, h), new(h, h, 0)), [Vec3.Zero, new(0.25 * a, 0.25 * a, 0.25 * a)], element, $"diamond {element} primitive");
    }

    /// <summary>
    /// The primitive hcp cell (2 atoms) with lattice constant a (Å) and axial ratio c/a: vectors a (1,0,0), a (−½,√3/2,0),
    /// c (0,0,1), atoms at the ideal positions (1/3, 2/3, 1/4) and (2/3, 1/3, 3/4), which are fixed by symmetry for any c/a.
    /// </summary>
    public static Structure Hcp(string element, double a, double coverA)
    {
        RequirePositive(a, "hcp");
        if (!(coverA > 0) || !double.IsFinite(coverA)) throw new ArgumentException("hcp needs c/a > 0");
        var cell = new Cell(new(a, 0, 0), new(-0.5 * a, 0.5 * Math.Sqrt(3) * a, 0), new(0, 0, coverA * a));
        return Single(cell, [cell.ToCartesian(new(1.0 / 3, 2.0 / 3, 0.25)), cell.ToCartesian(new(2.0 / 3, 1.0 / 3, 0.75))], element, $"hcp {element}");
    }

    /// <summary>The hcp cell with the ideal axial ratio √(8/3) (the close-packed spheres of fcc with the same nearest-neighbour distance a).</summary>
    public static Structure Hcp(string element, double a) => Hcp(element, a, IdealCoverA);

    /// <summary>The structure repeated n1×n2×n3 times along its cell vectors; atoms are ordered image by image (the first image is the original).</summary>
    public static Structure Supercell(Structure unit, int n1, int n2, int n3)
    {
        if (n1 < 1 || n2 < 1 || n3 < 1) throw new ArgumentException($"supercell repetitions must be ≥ 1, not {n1}×{n2}×{n3}");
        return Supercell(unit, new[,] { { n1, 0, 0 }, { 0, n2, 0 }, { 0, 0, n3 } });
    }

    /// <summary>
    /// The supercell whose vectors are integer combinations of the unit cell's: row i of <paramref name="matrix"/> gives
    /// new vector i = Σ_j M_ij a_j (phonopy's and ASE's make_supercell convention). Its determinant must be positive;
    /// the supercell holds det(M) images of every atom, wrapped into the new cell and ordered image by image
    /// (translations sorted lexicographically, the zero translation first).
    /// </summary>
    public static Structure Supercell(Structure unit, int[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (matrix.GetLength(0) != 3 || matrix.GetLength(1) != 3) throw new ArgumentException("a supercell matrix is 3×3");
        if (!unit.Cell.FullyPeriodic) throw new ArgumentException("a supercell needs a fully periodic cell");
        long det = (long)matrix[0, 0] * (matrix[1, 1] * matrix[2, 2] - matrix[1, 2] * matrix[2, 1])
                 - (long)matrix[0, 1] * (matrix[1, 0] * matrix[2, 2] - matrix[1, 2] * matrix[2, 0])
                 + (long)matrix[0, 2] * (matrix[1, 0] * matrix[2, 1] - matrix[1, 1] * matrix[2, 0]);
        if (det <= 0) throw new ArgumentException($"supercell matrix has determinant {det}; it must be positive");
        var unitCell = unit.Cell;
        var rows = new Vec3[3];
        for (var i = 0; i < 3; i++) rows[i] = matrix[i, 0] * unitCell.A + matrix[i, 1] * unitCell.B + matrix[i, 2] * unitCell.C;
        var cell = new Cell(rows[0], rows[1], rows[2]);

        // Lattice translations inside the supercell: search the box spanned by the corners of the matrix.
        var lo = new int[3];
        var hi = new int[3];
        for (var j = 0; j < 3; j++)
            for (var corner = 0; corner < 8; corner++)
            {
                var sum = 0;
                for (var i = 0; i < 3; i++) if ((corner >> i & 1) == 1) sum += matrix[i, j];
                lo[j] = Math.Min(lo[j], sum);
                hi[j] = Math.Max(hi[j], sum);
            }
        const double tol = 1e-8;
        var translations = new List<(int, int, int)>();
        for (var i = lo[0]; i <= hi[0]; i++)
            for (var j = lo[1]; j <= hi[1]; j++)
                for (var k = lo[2]; k <= hi[2]; k++)
                {
                    var s = cell.ToFractional(i * unitCell.A + j * unitCell.B + k * unitCell.C);
                    if (s.X > -tol && s.X < 1 - tol && s.Y > -tol && s.Y < 1 - tol && s.Z > -tol && s.Z < 1 - tol) translations.Add((i, j, k));
                }
        if (translations.Count != det) throw new InvalidOperationException($"found {translations.Count} lattice translations in a supercell of determinant {det}");
        var ordered = translations.OrderBy(t => t != (0, 0, 0)).ThenBy(t => t).ToArray();

        var positions = new Vec3[det * unit.Count];
        var species = new string[positions.Length];
        var n = 0;
        foreach (var (i, j, k) in ordered)
        {
            var shift = i * unitCell.A + j * unitCell.B + k * unitCell.C;
            for (var a = 0; a < unit.Count; a++)
            {
                var s = cell.ToFractional(unit.Positions[a] + shift);
                s = new(Wrap(s.X), Wrap(s.Y), Wrap(s.Z));
                positions[n] = cell.ToCartesian(s);
                species[n++] = unit.Species[a];
            }
        }
        var name = IsDiagonal(matrix) ? $"{matrix[0, 0]}x{matrix[1, 1]}x{matrix[2, 2]}" : $"det {det}";
        return new Structure(cell, positions, species, $"{unit.Name} supercell {name}".Trim(), unit.Group);
    }

    // Keeps atoms that sit on a face (to rounding) at 0 rather than 1.
    private static double Wrap(double s)
    {
        var w = s - Math.Floor(s);
        return w > 1 - 1e-12 ? 0 : w;
    }

    private static bool IsDiagonal(int[,] m) => m[0, 1] == 0 && m[0, 2] == 0 && m[1, 0] == 0 && m[1, 2] == 0 && m[2, 0] == 0 && m[2, 1] == 0;

    private static void RequirePositive(double a, string kind)
    {
        if (!(a > 0) || !double.IsFinite(a)) throw new ArgumentException($"{kind} needs a lattice constant a > 0");
    }

    private static Structure Single(Cell cell, Vec3[] positions, string element, string name) =>
        new(cell, positions, Enumerable.Repeat(element, positions.Length).ToArray(), name);

    private static Structure Cubic(string element, double a, int nx, int ny, int nz, Vec3[] basis, string kind)
    {
        if (!(a > 0) || nx < 1 || ny < 1 || nz < 1) throw new ArgumentException($"{kind} needs a > 0 and repetitions ≥ 1");
        var positions = new Vec3[nx * ny * nz * basis.Length];
        var n = 0;
        for (var k = 0; k < nz; k++)
            for (var j = 0; j < ny; j++)
                for (var i = 0; i < nx; i++)
                    foreach (var b in basis)
                        positions[n++] = a * new Vec3(i + b.X, j + b.Y, k + b.Z);
        return new Structure(Cell.Orthorhombic(nx * a, ny * a, nz * a), positions, Enumerable.Repeat(element, n).ToArray(), $"{kind} {element} {nx}x{ny}x{nz}");
    }
}
