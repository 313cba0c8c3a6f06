namespace PoetSharp.Atoms;

/// <summary>Cubic crystals: the fcc and bcc Bravais lattices, and diamond (fcc with a two-atom basis; bulk properties only, no slabs).</summary>
public enum CubicLattice { Fcc, Bcc, Diamond }

/// <summary>
/// Structures for defect and surface calculations: slabs of any (hkl) of fcc/bcc, vacancies, ⟨100⟩ dumbbells and the
/// {111} stacking-fault cell. Every cell here is in LAMMPS's restricted form (A ∥ x, B in the xy plane, C with z &gt; 0).
/// </summary>
public static class DefectBuilders
{
    /// <summary>
    /// A slab of <paramref name="layers"/> atomic planes (hkl) of a cubic Bravais lattice (one atom per plane per surface
    /// cell), periodic in-plane with the two shortest in-plane lattice vectors, surface normal along +z, and
    /// <paramref name="vacuum"/> Å of empty space added along z (the cell stays periodic in z, so with a vacuum wider than
    /// the potential's cutoff the two surfaces do not interact). Atoms are ordered bottom plane first.
    /// With zero vacuum the result is the bulk crystal in the oriented cell (the natural reference for surface energies).
    /// </summary>
    public static Structure Slab(string element, CubicLattice lattice, double a, int h, int k, int l, int layers, double vacuum)
    {
        if (!(a > 0) || layers < 1 || !(vacuum >= 0)) throw new ArgumentException("a slab needs a > 0, at least one layer and vacuum ≥ 0");
        var (v1, v2, v3) = SurfaceBasis(lattice, h, k, l);
        var normal = new Vec3(h, k, l) / new Vec3(h, k, l).Length;
        // Frame: x along v1, z along the normal, y = z × x.
        var e1 = v1 / v1.Length;
        var e3 = normal;
        var e2 = Vec3.Cross(e3, e1);
        Vec3 Rotate(Vec3 v) => a * new Vec3(Vec3.Dot(v, e1), Vec3.Dot(v, e2), Vec3.Dot(v, e3));
        var a1 = Rotate(v1);
        var a2 = Rotate(v2);
        var a3 = Rotate(v3);
        if (a2.Y < 0) a2 = -a2; // keep the in-plane pair right-handed with +z
        // Planes stack along v3; shift the in-plane offset of v3 into the first 2D cell to keep positions tidy.
        var step = a3;
        var height = layers * step.Z;
        // With vacuum the C vector can be straight up; without, it must be a lattice vector to keep the crystal perfect.
        var cell = vacuum > 0
            ? new Cell(new(a1.X, 0, 0), new(a2.X, a2.Y, 0), new(0, 0, height + vacuum))
            : new Cell(new(a1.X, 0, 0), new(a2.X, a2.Y, 0), layers * step);
        var inPlane = new Cell(new(a1.X, 0, 0), new(a2.X, a2.Y, 0), new(0, 0, 1));
        var positions = new Vec3[layers];
        for (var j = 0; j < layers; j++)
        {
            var p = j * step;
            var s = inPlane.ToFractional(new Vec3(p.X, p.Y, 0));
            var wrapped = inPlane.ToCartesian(new Vec3(s.X - Math.Floor(s.X + 1e-9), s.Y - Math.Floor(s.Y + 1e-9), 0));
            positions[j] = new Vec3(wrapped.X, wrapped.Y, p.Z);
        }
        return new Structure(cell, positions, Enumerable.Repeat(element, layers).ToArray(),
            $"{lattice.ToString().ToLowerInvariant()} {element} ({h}{k}{l}) slab, {layers} layers, {vacuum} Å vacuum");
    }

    /// <summary>Distance between neighbouring (hkl) atomic planes of the lattice with a = 1.</summary>
    public static double PlaneSpacing(CubicLattice lattice, int h, int k, int l)
    {
        var (_, _, v3) = SurfaceBasis(lattice, h, k, l);
        return Vec3.Dot(v3, new Vec3(h, k, l)) / new Vec3(h, k, l).Length;
    }

    /// <summary>Area of the slab's surface cell for a = 1 (one atom per plane).</summary>
    public static double SurfaceCellArea(CubicLattice lattice, int h, int k, int l)
    {
        var (v1, v2, _) = SurfaceBasis(lattice, h, k, l);
        return Vec3.Cross(v1, v2).Length;
    }

    /// <summary>
    /// Lattice vectors (in units of a) adapted to the (hkl) planes: v1, v2 the two shortest in-plane vectors (a basis of
    /// the plane's 2D lattice), v3 a vector to the next plane, together a primitive cell.
    /// </summary>
    internal static (Vec3 V1, Vec3 V2, Vec3 V3) SurfaceBasis(CubicLattice lattice, int h, int k, int l)
    {
        if (h == 0 && k == 0 && l == 0) throw new ArgumentException("Miller indices (000) name no plane");
        if (lattice is not (CubicLattice.Fcc or CubicLattice.Bcc)) throw new ArgumentException($"slabs are built for fcc and bcc only, not {lattice}");
        // Lattice vectors in units of a/2: fcc has u+v+w even; bcc has u, v, w all even or all odd.
        bool IsLatticePoint(int u, int v, int w) => lattice == CubicLattice.Fcc
            ? ((u + v + w) & 1) == 0
            : ((u & 1) == (v & 1)) && ((v & 1) == (w & 1));
        var primitiveVolume = lattice == CubicLattice.Fcc ? 2 : 4; // a³/4, a³/2 in (a/2)³
        var range = 2 * (Math.Abs(h) + Math.Abs(k) + Math.Abs(l)) + 2;
        var inPlane = new List<(int U, int V, int W)>();
        (int U, int V, int W)? up = null;
        int upDot = int.MaxValue, upLen = int.MaxValue;
        for (var u = -range; u <= range; u++)
            for (var v = -range; v <= range; v++)
                for (var w = -range; w <= range; w++)
                {
                    if ((u | v | w) == 0 || !IsLatticePoint(u, v, w)) continue;
                    var dot = h * u + k * v + l * w;
                    var len = u * u + v * v + w * w;
                    if (dot == 0) inPlane.Add((u, v, w));
                    else if (dot > 0 && (dot < upDot || (dot == upDot && len < upLen))) { up = (u, v, w); upDot = dot; upLen = len; }
                }
        static int Len((int U, int V, int W) t) => t.U * t.U + t.V * t.V + t.W * t.W;
        static (int, int, int) Cross((int U, int V, int W) p, (int U, int V, int W) q) =>
            (p.V * q.W - p.W * q.V, p.W * q.U - p.U * q.W, p.U * q.V - p.V * q.U);
        // Deterministic order: by length, then lexicographically descending (prefers positive components).
        var sorted = inPlane.OrderBy(Len).ThenByDescending(t => t.U).ThenByDescending(t => t.V).ThenByDescending(t => t.W).ToList();
        var b1 = sorted[0];
        var b2 = sorted.First(t => Cross(b1, t) != (0, 0, 0));
        if (up is null) throw new InvalidOperationException($"no lattice vector leaves the ({h}{k}{l}) plane within the search range");
        var b3 = up.Value;
        var (cx, cy, cz) = Cross(b1, b2);
        var det = Math.Abs(cx * b3.U + cy * b3.V + cz * b3.W);
        if (det != primitiveVolume)
            throw new InvalidOperationException($"({h}{k}{l}) surface cell is not primitive (volume {det} instead of {primitiveVolume})");
        static Vec3 ToVec((int U, int V, int W) t) => 0.5 * new Vec3(t.U, t.V, t.W);
        // Orient the pair so that v1 × v2 points along +normal.
        var normal = new Vec3(h, k, l);
        var v1 = ToVec(b1);
        var v2 = ToVec(b2);
        if (Vec3.Dot(Vec3.Cross(v1, v2), normal) < 0) v2 = -v2;
        return (v1, v2, ToVec(b3));
    }

    /// <summary>A copy of the structure without atom <paramref name="index"/> (a vacancy).</summary>
    public static Structure RemoveAtom(Structure structure, int index)
    {
        if (index < 0 || index >= structure.Count) throw new ArgumentOutOfRangeException(nameof(index));
        var pos = structure.Positions.Where((_, i) => i != index).ToArray();
        var species = structure.Species.Where((_, i) => i != index).ToArray();
        return new Structure(structure.Cell, pos, species, structure.Name + " vacancy", structure.Group);
    }

    /// <summary>
    /// A ⟨100⟩ split interstitial (dumbbell): atom <paramref name="index"/> is replaced by two atoms at its site ± ½
    /// <paramref name="separation"/> along <paramref name="axis"/> (0 = x, 1 = y, 2 = z). The two atoms are the last two.
    /// The relaxed separation for Cu is about 0.6 a; any start between 0.4 a and 0.7 a relaxes to it.
    /// </summary>
    public static Structure Dumbbell(Structure structure, int index, int axis, double separation)
    {
        if (index < 0 || index >= structure.Count) throw new ArgumentOutOfRangeException(nameof(index));
        if (axis is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(axis));
        var direction = axis switch { 0 => new Vec3(1, 0, 0), 1 => new Vec3(0, 1, 0), _ => new Vec3(0, 0, 1) };
        var site = structure.Positions[index];
        var pos = structure.Positions.Where((_, i) => i != index)
            .Append(site - 0.5 * separation * direction).Append(site + 0.5 * separation * direction).ToArray();
        var species = structure.Species.Where((_, i) => i != index).Append(structure.Species[index]).Append(structure.Species[index]).ToArray();
        return new Structure(structure.Cell, pos, species, structure.Name + " <100> dumbbell", structure.Group);
    }

    /// <summary>
    /// fcc crystal with x = [1 1 −2], y = [−1 1 0], z = [1 1 1] (right-handed): nx × ny × nz
    /// orthogonal cells of a√6/2 × a√2/2 × a√3, each with 6 atoms in 3 close-packed {111} planes (ABC), 2 atoms per
    /// plane. Atoms are ordered plane by plane from the bottom.
    /// </summary>
    public static Structure Fcc111(string element, double a, int nx, int ny, int nz)
    {
        if (!(a > 0) || nx < 1 || ny < 1 || nz < 1) throw new ArgumentException("the {111} cell needs a > 0 and repetitions ≥ 1");
        double lx = a * Math.Sqrt(6) / 2, ly = a * Math.Sqrt(2) / 2, lz = a * Math.Sqrt(3);
        // In one orthogonal cell: plane p (0, 1, 2) at height p·lz/3, shifted in-plane by p·(a/√6 along x) (ABC stacking);
        // each plane holds (0,0) and (lx/2, ly/2).
        var pos = new List<Vec3>();
        for (var kz = 0; kz < nz; kz++)
            for (var p = 0; p < 3; p++)
            {
                var z = (3 * kz + p) * lz / 3;
                var shift = p * lx / 3;
                for (var ky = 0; ky < ny; ky++)
                    for (var kx = 0; kx < nx; kx++)
                    {
                        foreach (var (fx, fy) in new[] { (0.0, 0.0), (0.5, 0.5) })
                        {
                            var x = (kx + fx) * lx + shift;
                            x -= Math.Floor(x / (nx * lx)) * nx * lx;
                            pos.Add(new Vec3(x, (ky + fy) * ly, z));
                        }
                    }
            }
        return new Structure(Cell.Orthorhombic(nx * lx, ny * ly, nz * lz), pos.ToArray(), Enumerable.Repeat(element, pos.Count).ToArray(),
            $"fcc {element} (111) {nx}x{ny}x{nz}");
    }

    /// <summary>
    /// A point on the generalized stacking-fault path: the <see cref="Fcc111"/> cell with its C vector tilted by
    /// <paramref name="fraction"/> · a/√6 along x = [11̄2] (the atoms keep their Cartesian positions). The periodic image
    /// above the top plane is then shifted, so the cell holds exactly one fault, between its top and bottom planes.
    /// fraction = 1 is the intrinsic stacking fault (ABC|BCA…); the unstable fault lies between 0 and 1.
    /// </summary>
    public static Structure StackingFault(Structure fcc111, double a, double fraction)
    {
        var c = fcc111.Cell.C + fraction * a / Math.Sqrt(6) * new Vec3(1, 0, 0);
        var tilted = new Cell(fcc111.Cell.A, fcc111.Cell.B, c);
        return new Structure(tilted, (Vec3[])fcc111.Positions.Clone(), (string[])fcc111.Species.Clone(), $"{fcc111.Name} fault {fraction:G4}", fcc111.Group);
    }
}
