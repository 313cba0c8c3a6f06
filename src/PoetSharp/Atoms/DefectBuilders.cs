namespace PoetSharp.Atoms;

/// <summary>
/// Cubic crystals: the fcc and bcc Bravais lattices, and diamond (fcc with a two-atom basis). Slabs are built for all
/// three (diamond with its two-atom basis, cut where the fewest bonds break; see <see cref="DefectBuilders.Slab"/>).
/// </summary>
public enum CubicLattice { Fcc, Bcc, Diamond }

/// <summary>
/// Structures for defect and surface calculations: slabs of any (hkl) of fcc, bcc and diamond, vacancies, ⟨100⟩ dumbbells and the
/// {111} stacking-fault cell. Every cell here is in LAMMPS's restricted form (A ∥ x, B in the xy plane, C with z &gt; 0).
/// </summary>
public static class DefectBuilders
{
    /// <summary>
    /// A slab of <paramref name="layers"/> lattice planes (hkl) of a cubic crystal, periodic in-plane with the two shortest
    /// in-plane lattice vectors, surface normal along +z, and <paramref name="vacuum"/> Å of empty space added along z (the
    /// cell stays periodic in z, so with a vacuum wider than the potential's cutoff the two surfaces do not interact).
    /// Atoms are ordered bottom first (by height). With zero vacuum the result is the bulk crystal in the oriented cell
    /// (the natural reference for surface energies).
    /// <para>
    /// fcc and bcc hold one atom per plane per surface cell. Diamond holds two: each plane of its fcc lattice carries the
    /// atom on the lattice site and its partner of the basis, a quarter body diagonal away. Of the four bond vectors that
    /// could serve as the partner, the one is taken whose slab breaks the fewest bonds per surface cell (<see
    /// cref="BrokenBonds"/>): the ideal, bulk-terminated, unreconstructed surface with the fewest dangling bonds.
    /// (100): every termination is alike, each surface atom keeps 2 of its 4 bonds (2 dangling bonds). (111): the slab is
    /// a stack of the closely spaced bilayers (three bonds between the two planes of a bilayer) and is cut between
    /// bilayers, across the widely spaced planes, where one bond per surface atom breaks: each surface atom keeps 3 bonds.
    /// This is the termination usually called the "shuffle" set; the "glide" cut, inside a bilayer, would leave 3 dangling
    /// bonds per surface atom.
    /// </para>
    /// </summary>
    public static Structure Slab(string element, CubicLattice lattice, double a, int h, int k, int l, int layers, double vacuum)
    {
        if (!(a > 0) || layers < 1 || !(vacuum >= 0)) throw new ArgumentException("a slab needs a > 0, at least one layer and vacuum ≥ 0");
        var (v1, v2, v3) = SurfaceBasis(lattice, h, k, l);
        var basis = SlabBasis(lattice, h, k, l);
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
        // A basis atom below its lattice site (diamond (111): the lower plane of a bilayer) would sit under z = 0: lift
        // the whole slab so that the lowest atom is at z = 0.
        var rotatedBasis = basis.Select(Rotate).ToArray();
        var lift = -rotatedBasis.Min(b => b.Z);
        var positions = new List<Vec3>(layers * basis.Count);
        for (var j = 0; j < layers; j++)
            foreach (var b in rotatedBasis)
            {
                var p = j * step + b;
                var s = inPlane.ToFractional(new Vec3(p.X, p.Y, 0));
                var wrapped = inPlane.ToCartesian(new Vec3(s.X - Math.Floor(s.X + 1e-9), s.Y - Math.Floor(s.Y + 1e-9), 0));
                positions.Add(new Vec3(wrapped.X, wrapped.Y, p.Z + lift));
            }
        var ordered = positions.OrderBy(p => p.Z).ToArray(); // stable: atoms of one plane keep their order
        var perPlane = basis.Count == 1 ? "" : $" of {basis.Count} atoms";
        return new Structure(cell, ordered, Enumerable.Repeat(element, ordered.Length).ToArray(),
            $"{lattice.ToString().ToLowerInvariant()} {element} ({h}{k}{l}) slab, {layers} layers{perPlane}, {vacuum} Å vacuum");
    }

    /// <summary>Atoms per lattice plane per surface cell of the lattice's slabs: 1 for fcc and bcc, 2 for diamond.</summary>
    public static int AtomsPerPlane(CubicLattice lattice) => lattice == CubicLattice.Diamond ? 2 : 1;

    /// <summary>
    /// Bonds (nearest-neighbour pairs) a diamond slab of (hkl) breaks per surface cell on each face: 2 for (100), 1 for
    /// (111), 2 for (110). Diamond only: it is what chooses a diamond slab's termination.
    /// </summary>
    public static int BrokenBonds(CubicLattice lattice, int h, int k, int l) =>
        lattice == CubicLattice.Diamond ? DiamondPartner(h, k, l).Broken
            : throw new ArgumentException($"broken bonds are counted for diamond slabs, not {lattice}");

    /// <summary>The atoms of one lattice plane of a slab, in units of a, relative to the lattice site (the first is the site).</summary>
    private static IReadOnlyList<Vec3> SlabBasis(CubicLattice lattice, int h, int k, int l) =>
        lattice == CubicLattice.Diamond ? [Vec3.Zero, DiamondPartner(h, k, l).Offset] : [Vec3.Zero];

    /// <summary>
    /// The basis partner of a diamond slab's lattice site: one of the four bond vectors a/4 (1,1,1), (1,−1,−1),
    /// (−1,1,−1), (−1,−1,1), the one that breaks the fewest bonds (first in that order on a tie).
    /// A site at R bonds to the partners at R + b_i; with the partner offset o, the one at R + b_i belongs to the site
    /// R + b_i − o, an fcc lattice vector (b_i − o) away, which lies |(b_i − o)·n| / (plane step · n) planes up or down.
    /// Each such bond crosses that many cuts between planes, so a cut breaks Σ_i |(b_i − o)·n| / (step · n) bonds per cell.
    /// </summary>
    private static (Vec3 Offset, int Broken) DiamondPartner(int h, int k, int l)
    {
        var (_, _, v3) = SurfaceBasis(CubicLattice.Diamond, h, k, l);
        var n = new Vec3(h, k, l);
        var planeStep = Vec3.Dot(v3, n);
        Vec3[] bonds = [new(0.25, 0.25, 0.25), new(0.25, -0.25, -0.25), new(-0.25, 0.25, -0.25), new(-0.25, -0.25, 0.25)];
        return bonds.Select(o => (Offset: o, Broken: (int)Math.Round(bonds.Sum(b => Math.Abs(Vec3.Dot(b - o, n))) / planeStep)))
            .MinBy(c => c.Broken);
    }

    /// <summary>
    /// Distance between neighbouring (hkl) lattice planes with a = 1: the repeat of a slab's layers (for diamond, the
    /// planes of its fcc lattice, each holding two atoms at different heights).
    /// </summary>
    public static double PlaneSpacing(CubicLattice lattice, int h, int k, int l)
    {
        var (_, _, v3) = SurfaceBasis(lattice, h, k, l);
        return Vec3.Dot(v3, new Vec3(h, k, l)) / new Vec3(h, k, l).Length;
    }

    /// <summary>Area of the slab's surface cell for a = 1 (one lattice site per plane; <see cref="AtomsPerPlane"/> atoms).</summary>
    public static double SurfaceCellArea(CubicLattice lattice, int h, int k, int l)
    {
        var (v1, v2, _) = SurfaceBasis(lattice, h, k, l);
        return Vec3.Cross(v1, v2).Length;
    }

    /// <summary>
    /// Lattice vectors (in units of a) adapted to the (hkl) planes: v1, v2 the two shortest in-plane vectors (a basis of
    /// the plane's 2D lattice), v3 a vector to the next plane, together a primitive cell (of the fcc lattice for diamond).
    /// </summary>
    internal static (Vec3 V1, Vec3 V2, Vec3 V3) SurfaceBasis(CubicLattice lattice, int h, int k, int l)
    {
        if (h == 0 && k == 0 && l == 0) throw new ArgumentException("Miller indices (000) name no plane");
        if (lattice is not (CubicLattice.Fcc or CubicLattice.Bcc or CubicLattice.Diamond)) throw new ArgumentException($"no slabs for {lattice}");
        // Diamond's lattice is fcc (its basis is added by the slab builder).
        var fcc = lattice != CubicLattice.Bcc;
        // Lattice vectors in units of a/2: fcc has u+v+w even; bcc has u, v, w all even or all odd.
        bool IsLatticePoint(int u, int v, int w) => fcc
            ? ((u + v + w) & 1) == 0
            : ((u & 1) == (v & 1)) && ((v & 1) == (w & 1));
        var primitiveVolume = fcc ? 2 : 4; // a³/4, a³/2 in (a/2)³
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
    /// A vacancy whose nearest neighbours start <paramref name="inwardShift"/> Å closer to the empty site: a copy of the
    /// structure without atom <paramref name="index"/>, each atom of its nearest-neighbour shell (minimum image, within
    /// 1e-3 Å of the shortest distance) moved along its bond towards the site. A relaxation started from the ideal
    /// vacancy can stay there when it is a local minimum, as in Stillinger–Weber silicon, where the ideal vacancy feels
    /// no force at all (4.34 eV) yet the relaxed one lies 1.6 eV lower; moved inwards by a fifth of the bond, its
    /// neighbours relax to it.
    /// </summary>
    public static Structure Vacancy(Structure structure, int index, double inwardShift)
    {
        if (index < 0 || index >= structure.Count) throw new ArgumentOutOfRangeException(nameof(index));
        if (!(inwardShift >= 0)) throw new ArgumentException("the inward shift of a vacancy's neighbours cannot be negative");
        if (!structure.Cell.FullyPeriodic) throw new ArgumentException("a vacancy's neighbour shell is found in a fully periodic crystal");
        // A cutoff that reaches the first shell of any crystal: 1.5 × the edge of the cube holding one atom.
        var list = NeighbourList.Create(structure, 1.5 * Math.Cbrt(structure.Cell.Volume / structure.Count), half: false);
        var bonds = new List<(int Atom, Vec3 Bond)>();
        for (var p = list.Offsets[index]; p < list.Offsets[index + 1]; p++)
            bonds.Add((list.Neighbours[p], list.Displacement(structure.Positions, index, p)));
        if (bonds.Count == 0) throw new ArgumentException("the vacancy's site has no neighbours");
        var nearest = bonds.Min(b => b.Bond.Length);
        var moved = (Vec3[])structure.Positions.Clone();
        foreach (var (atom, bond) in bonds.Where(b => b.Bond.Length < nearest + 1e-3))
            moved[atom] -= inwardShift / bond.Length * bond;
        var start = new Structure(structure.Cell, moved, structure.Species, structure.Name, structure.Group);
        return RemoveAtom(start, index);
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
