namespace PoetSharp.Atoms;

/// <summary>Simple crystal supercells built from conventional cubic cells.</summary>
public static class Lattices
{
    private static readonly Vec3[] FccBasis = [new(0, 0, 0), new(0.5, 0.5, 0), new(0.5, 0, 0.5), new(0, 0.5, 0.5)];
    private static readonly Vec3[] BccBasis = [new(0, 0, 0), new(0.5, 0.5, 0.5)];

    /// <summary>fcc: nx×ny×nz conventional cubes (4 atoms each) of edge a (Å), atoms ordered cube by cube as LAMMPS's create_atoms does.</summary>
    public static Structure Fcc(string element, double a, int nx, int ny, int nz) => Cubic(element, a, nx, ny, nz, FccBasis, "fcc");

    /// <summary>bcc: nx×ny×nz conventional cubes (2 atoms each) of edge a (Å).</summary>
    public static Structure Bcc(string element, double a, int nx, int ny, int nz) => Cubic(element, a, nx, ny, nz, BccBasis, "bcc");

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
