using PoetSharp.Atoms;

namespace PoetSharp.Symmetry;

/// <summary>
/// What a crystal's space-group operations (spglib's, <see cref="Spglib.Analyze"/>) do to its atoms: the permutation
/// of the atoms by each operation, the orbits of symmetry-equivalent sites (spglib's <c>equivalent_atoms</c>), and the
/// structure made exactly symmetric. A defect calculation needs these: two vacancies are the same defect only when their
/// sites are in one orbit, and a hop between two such sites has the same barrier both ways — which holds in the
/// calculation only if the starting crystal is exactly symmetric (a DFT snapshot is not: LGPS's "relaxed" frames are
/// perturbed by about 0.02 Å, enough for two equivalent vacancies to relax into minima 0.15 eV apart).
/// </summary>
public sealed class SiteSymmetry
{
    /// <summary>The space group found (spglib, at <see cref="Tolerance"/>).</summary>
    public SpaceGroupInfo Group { get; }

    /// <summary>spglib's distance tolerance (Å) the group was found at, also the tolerance of the atom mapping.</summary>
    public double Tolerance { get; }

    /// <summary>Permutations[k][i]: the atom that operation k carries atom i onto.</summary>
    public IReadOnlyList<int[]> Permutations { get; }

    /// <summary>For every atom, the lowest-numbered atom of its orbit (spglib's <c>equivalent_atoms</c>).</summary>
    public int[] EquivalentAtoms { get; }

    private SiteSymmetry(SpaceGroupInfo group, double tolerance, IReadOnlyList<int[]> permutations, int[] equivalent)
    {
        Group = group;
        Tolerance = tolerance;
        Permutations = permutations;
        EquivalentAtoms = equivalent;
    }

    /// <summary>The most atoms × operations <see cref="Find"/> maps (the permutations' size in integers).</summary>
    public const long MaxAtomOperations = 20_000_000;

    /// <summary>True when atoms <paramref name="i"/> and <paramref name="j"/> sit on symmetry-equivalent sites.</summary>
    public bool Equivalent(int i, int j) => EquivalentAtoms[i] == EquivalentAtoms[j];

    /// <summary>The orbits, each a sorted list of atom indices, in order of their lowest atom.</summary>
    public IReadOnlyList<int[]> Orbits() =>
        EquivalentAtoms.Select((root, atom) => (root, atom)).GroupBy(x => x.root).OrderBy(g => g.Key).Select(g => g.Select(x => x.atom).ToArray()).ToArray();

    /// <summary>
    /// The space group of <paramref name="structure"/> at spglib's tolerance <paramref name="symprec"/> (Å) and what it
    /// does to the atoms. Every operation must carry every atom onto an atom of its own element within the tolerance
    /// (spglib guarantees this for the operations it returns; a failure here means the tolerances disagree, and is said).
    /// </summary>
    public static SiteSymmetry Find(Structure structure, double symprec = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(structure);
        if (!(symprec > 0) || !double.IsFinite(symprec)) throw new ArgumentException($"symprec {symprec}: expected a positive distance in Å");
        var group = Spglib.Analyze(structure, symprec);
        var n = structure.Count;
        // Every operation's permutation is kept: atoms × operations integers. A large supercell of a symmetric crystal
        // multiplies both (fcc 8×8×8: 2,048 atoms, 98,304 operations); its sites and hops are those of the cell it repeats.
        if ((long)n * group.Rotations.Count > MaxAtomOperations)
            throw new ArgumentException($"{structure}: {n} atoms × {group.Rotations.Count} symmetry operations is too many to map every atom " +
                                        $"(limit {MaxAtomOperations:N0}); work in the cell this crystal repeats, whose sites and hops are the same");
        var cell = structure.Cell;
        var fractional = structure.Positions.Select(cell.ToFractional).ToArray();
        var grid = new AtomGrid(structure, fractional, 1.5 * symprec);
        var permutations = new List<int[]>(group.Rotations.Count);
        for (var k = 0; k < group.Rotations.Count; k++)
        {
            var perm = new int[n];
            var taken = new bool[n];
            for (var i = 0; i < n; i++)
            {
                var image = Apply(group.Rotations[k], group.Translations[k], fractional[i]);
                var j = grid.Nearest(image, structure.Species[i], out var distance);
                if (j < 0 || taken[j])
                    throw new InvalidOperationException(FormattableString.Invariant(
                        $"symmetry operation {k + 1} of {group.International} carries atom {i + 1} ({structure.Species[i]}) {(j < 0 ? (double.IsFinite(distance) ? $"{distance:G3} Å from the nearest {structure.Species[i]} atom" : $"onto no {structure.Species[i]} atom") : $"onto atom {j + 1}, already the image of another atom")} (tolerance {symprec:G3} Å)"));
                perm[i] = j;
                taken[j] = true;
            }
            permutations.Add(perm);
        }
        // Orbits by union of every atom with its images, each labelled by its lowest atom.
        var root = Enumerable.Range(0, n).ToArray();
        int Root(int a) { while (root[a] != a) a = root[a] = root[root[a]]; return a; }
        foreach (var perm in permutations)
            for (var i = 0; i < n; i++)
            {
                var (a, b) = (Root(i), Root(perm[i]));
                if (a != b) root[Math.Max(a, b)] = Math.Min(a, b);
            }
        var equivalent = Enumerable.Range(0, n).Select(Root).ToArray();
        return new SiteSymmetry(group, symprec, permutations, equivalent);
    }

    /// <summary>
    /// Whether atoms <paramref name="i"/> and <paramref name="j"/> sit on equivalent sites, and the space group, without
    /// mapping every atom (<see cref="Find"/> does that, in time growing as atoms² × operations): only atom i's images
    /// are computed, so the check stays cheap on a large, highly symmetric supercell.
    /// </summary>
    public static (bool Equivalent, SpaceGroupInfo Group) AreEquivalent(Structure structure, int i, int j, double symprec = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(structure);
        if (!(symprec > 0) || !double.IsFinite(symprec)) throw new ArgumentException($"symprec {symprec}: expected a positive distance in Å");
        var group = Spglib.Analyze(structure, symprec);
        if (structure.Species[i] != structure.Species[j]) return (false, group);
        var si = structure.Cell.ToFractional(structure.Positions[i]);
        var sj = structure.Cell.ToFractional(structure.Positions[j]);
        for (var k = 0; k < group.Rotations.Count; k++)
        {
            var d = Apply(group.Rotations[k], group.Translations[k], si) - sj;
            if (structure.Cell.ToCartesian(new Vec3(d.X - Math.Round(d.X), d.Y - Math.Round(d.Y), d.Z - Math.Round(d.Z))).Length <= 1.5 * symprec)
                return (true, group);
        }
        return (false, group);
    }

    /// <summary>
    /// The structure moved onto the nearest exactly symmetric one: every atom at the average of the images, under all
    /// operations, of the atoms they carry onto it (a projection: applied twice it changes nothing). The cell, atom order
    /// and species are kept; the cell itself is not made symmetric (a fixed-cell calculation keeps the given cell).
    /// </summary>
    public Structure Symmetrize(Structure structure)
    {
        ArgumentNullException.ThrowIfNull(structure);
        if (structure.Count != EquivalentAtoms.Length) throw new ArgumentException($"the symmetry was found for {EquivalentAtoms.Length} atoms, not {structure.Count}");
        var cell = structure.Cell;
        var fractional = structure.Positions.Select(cell.ToFractional).ToArray();
        var sum = new Vec3[structure.Count];
        for (var k = 0; k < Permutations.Count; k++)
        {
            var perm = Permutations[k];
            for (var i = 0; i < structure.Count; i++)
            {
                var j = perm[i];
                var image = Apply(Group.Rotations[k], Group.Translations[k], fractional[i]);
                // The image taken to the periodic copy nearest atom j, so that the average does not mix cells.
                var d = image - fractional[j];
                sum[j] += fractional[j] + new Vec3(d.X - Math.Round(d.X), d.Y - Math.Round(d.Y), d.Z - Math.Round(d.Z));
            }
        }
        var result = structure.Clone();
        for (var j = 0; j < structure.Count; j++) result.Positions[j] = cell.ToCartesian(sum[j] / Permutations.Count);
        result.Energy = null;
        result.Forces = null;
        result.Stress = null;
        return result;
    }

    private static Vec3 Apply(int[,] r, Vec3 t, Vec3 s) => new(
        r[0, 0] * s.X + r[0, 1] * s.Y + r[0, 2] * s.Z + t.X,
        r[1, 0] * s.X + r[1, 1] * s.Y + r[1, 2] * s.Z + t.Y,
        r[2, 0] * s.X + r[2, 1] * s.Y + r[2, 2] * s.Z + t.Z);

    /// <summary>
    /// Atoms binned on a grid of fractional coordinates with bins at least the tolerance wide, so that finding the atom
    /// under an operation's image of another looks at 27 bins, not at every atom: mapping all atoms under all operations
    /// of a large supercell (thousands of operations) then takes atoms × operations, not atoms² × operations.
    /// </summary>
    private sealed class AtomGrid
    {
        private readonly Structure _structure;
        private readonly Vec3[] _fractional;
        private readonly double _tolerance;
        private readonly int[] _size = new int[3];
        private readonly Dictionary<(int, int, int), List<int>> _bins = new();

        public AtomGrid(Structure structure, Vec3[] fractional, double tolerance)
        {
            (_structure, _fractional, _tolerance) = (structure, fractional, tolerance);
            var heights = structure.Cell.Heights();
            _size[0] = Bins(heights.X);
            _size[1] = Bins(heights.Y);
            _size[2] = Bins(heights.Z);
            for (var i = 0; i < fractional.Length; i++)
            {
                var key = Bin(fractional[i]);
                if (!_bins.TryGetValue(key, out var list)) _bins[key] = list = new List<int>();
                list.Add(i);
            }
        }

        private int Bins(double height) => Math.Clamp((int)Math.Floor(height / _tolerance), 1, 64);

        private (int, int, int) Bin(Vec3 s) => (Index(s.X, 0), Index(s.Y, 1), Index(s.Z, 2));

        private int Index(double x, int axis) => Math.Min(_size[axis] - 1, (int)Math.Floor((x - Math.Floor(x)) * _size[axis]));

        // The bins along one axis to look in: the point's and its two neighbours (all of them when there are three or fewer).
        private IEnumerable<int> Around(int b, int axis) =>
            _size[axis] <= 3 ? Enumerable.Range(0, _size[axis]) : [(b - 1 + _size[axis]) % _size[axis], b, (b + 1) % _size[axis]];

        /// <summary>The atom of the given element nearest the fractional point (minimum image), or −1 when none lies within the tolerance.</summary>
        public int Nearest(Vec3 point, string species, out double nearest)
        {
            var best = -1;
            nearest = double.PositiveInfinity;
            var (bx, by, bz) = Bin(point);
            foreach (var x in Around(bx, 0))
                foreach (var y in Around(by, 1))
                    foreach (var z in Around(bz, 2))
                    {
                        if (!_bins.TryGetValue((x, y, z), out var list)) continue;
                        foreach (var j in list)
                        {
                            if (_structure.Species[j] != species) continue;
                            var d = point - _fractional[j];
                            var distance = _structure.Cell.ToCartesian(new Vec3(d.X - Math.Round(d.X), d.Y - Math.Round(d.Y), d.Z - Math.Round(d.Z))).Length;
                            if (distance < nearest) { nearest = distance; best = j; }
                        }
                    }
            return nearest <= _tolerance ? best : -1;
        }
    }
}
