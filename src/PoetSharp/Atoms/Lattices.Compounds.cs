namespace PoetSharp.Atoms;

/// <summary>Ordered crystal structures of binary compounds (Strukturbericht designations).</summary>
public enum CompoundStructure
{
    /// <summary>B2 (CsCl, AB): simple cubic, A at the corner, B at the body centre; 8 unlike nearest neighbours at a√3/2.</summary>
    B2,
    /// <summary>L1₂ (Cu₃Au, A₃B): fcc with B on the cube corners and A on the face centres; each B has 12 A neighbours, each A 8 A and 4 B.</summary>
    L12,
    /// <summary>L1₀ (CuAu, AB): fcc with alternating (001) planes of A and B, tetragonal (c/a may differ from 1).</summary>
    L10,
    /// <summary>B1 (NaCl, rocksalt, AB): two interpenetrating fcc lattices shifted by a/2; 6 unlike nearest neighbours at a/2.</summary>
    B1,
}

public static partial class Lattices
{
    /// <summary>The conventional B2 (CsCl) cube of edge a (Å): <paramref name="a"/> at (0,0,0), <paramref name="b"/> at (½,½,½).</summary>
    public static Structure B2(string a, string b, double latticeConstant)
    {
        RequirePositive(latticeConstant, "B2");
        var h = 0.5 * latticeConstant;
        return new Structure(Cell.Orthorhombic(latticeConstant, latticeConstant, latticeConstant), [Vec3.Zero, new(h, h, h)], [a, b], $"B2 {a}{b}");
    }

    /// <summary>
    /// The conventional L1₂ (Cu₃Au) cube of edge a (Å) of A₃B: the minority element <paramref name="b"/> at the corner
    /// (0,0,0) and the majority <paramref name="a"/> at the face centres (½,½,0), (½,0,½), (0,½,½).
    /// </summary>
    public static Structure L12(string a, string b, double latticeConstant)
    {
        RequirePositive(latticeConstant, "L12");
        var positions = FccBasis.Select(p => latticeConstant * p).ToArray();
        return new Structure(Cell.Orthorhombic(latticeConstant, latticeConstant, latticeConstant), positions, [b, a, a, a], $"L12 {a}3{b}");
    }

    /// <summary>
    /// The conventional L1₀ (CuAu) cell a × a × c (4 atoms, c = <paramref name="coverA"/>·a along z): <paramref name="a"/> on the
    /// z = 0 plane at (0,0,0), (½,½,0), <paramref name="b"/> on the z = ½ plane at (½,0,½), (0,½,½). c/a = 1 is the ordered fcc.
    /// </summary>
    public static Structure L10(string a, string b, double latticeConstant, double coverA = 1.0)
    {
        RequirePositive(latticeConstant, "L10");
        if (!(coverA > 0) || !double.IsFinite(coverA)) throw new ArgumentException("L10 needs c/a > 0");
        var c = coverA * latticeConstant;
        var h = 0.5 * latticeConstant;
        return new Structure(Cell.Orthorhombic(latticeConstant, latticeConstant, c),
            [Vec3.Zero, new(h, h, 0), new(h, 0, 0.5 * c), new(0, h, 0.5 * c)], [a, a, b, b], $"L10 {a}{b}");
    }

    /// <summary>
    /// The conventional B1 (NaCl, rocksalt) cube of edge a (Å), 8 atoms: <paramref name="a"/> on the fcc sites, <paramref name="b"/>
    /// on the fcc sites shifted by (½,0,0); atoms ordered A, B, A, B, … site by site.
    /// </summary>
    public static Structure B1(string a, string b, double latticeConstant)
    {
        RequirePositive(latticeConstant, "B1");
        var positions = new Vec3[8];
        var species = new string[8];
        for (var k = 0; k < 4; k++)
        {
            var p = FccBasis[k];
            positions[2 * k] = latticeConstant * p;
            var q = new Vec3(p.X + 0.5, p.Y, p.Z);
            positions[2 * k + 1] = latticeConstant * new Vec3(q.X - Math.Floor(q.X), q.Y, q.Z);
            (species[2 * k], species[2 * k + 1]) = (a, b);
        }
        return new Structure(Cell.Orthorhombic(latticeConstant, latticeConstant, latticeConstant), positions, species, $"B1 {a}{b}");
    }

    /// <summary>
    /// The conventional cell of a compound of type <paramref name="type"/> with elements A = <paramref name="a"/> and
    /// B = <paramref name="b"/> (for L1₂, A is the majority: A₃B); <paramref name="coverA"/> is used by L1₀ only.
    /// </summary>
    public static Structure Compound(CompoundStructure type, string a, string b, double latticeConstant, double coverA = 1.0) => type switch
    {
        CompoundStructure.B2 => B2(a, b, latticeConstant),
        CompoundStructure.L12 => L12(a, b, latticeConstant),
        CompoundStructure.L10 => L10(a, b, latticeConstant, coverA),
        CompoundStructure.B1 => B1(a, b, latticeConstant),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown compound structure"),
    };

    /// <summary>
    /// Exact atom counts for <paramref name="sites"/> sites with the given fractions: each element gets ⌊x N⌋ sites and the
    /// sites left over go to the largest remainders (ties to the earlier element), so the counts add up to N and each is
    /// within one of x N. Fractions must be in (0, 1] and add up to 1 (to 1e-6).
    /// </summary>
    public static int[] ExactCounts(IReadOnlyList<double> fractions, int sites)
    {
        ArgumentNullException.ThrowIfNull(fractions);
        if (sites < 1) throw new ArgumentException("at least one site is needed");
        if (fractions.Count == 0) throw new ArgumentException("a composition needs at least one element");
        foreach (var x in fractions)
            if (!(x > 0 && x <= 1)) throw new ArgumentException(FormattableString.Invariant($"a fraction must lie in (0, 1], not {x}"));
        var sum = fractions.Sum();
        if (Math.Abs(sum - 1) > 1e-6) throw new ArgumentException(FormattableString.Invariant($"the fractions add up to {sum}, not 1"));
        var counts = fractions.Select(x => (int)Math.Floor(x * sites)).ToArray();
        var left = sites - counts.Sum();
        foreach (var k in Enumerable.Range(0, counts.Length).OrderByDescending(k => fractions[k] * sites - counts[k]).ThenBy(k => k).Take(left))
            counts[k]++;
        return counts;
    }

    /// <summary>
    /// A random substitutional solid solution: the n×n×n supercell of the conventional fcc (4n³ sites) or bcc (2n³ sites) cube of
    /// edge <paramref name="latticeConstant"/> (Å) with the elements placed at random on the sites in the exact numbers of
    /// <see cref="ExactCounts"/>. The shuffle (Fisher–Yates with System.Random(seed)) depends only on the seed: the same seed
    /// gives the same structure.
    /// </summary>
    public static Structure RandomSolution(CubicLattice lattice, double latticeConstant, int repeats, IReadOnlyList<(string Element, double Fraction)> composition, int seed)
    {
        ArgumentNullException.ThrowIfNull(composition);
        if (lattice == CubicLattice.Diamond) throw new ArgumentException("a random solid solution is built on fcc or bcc, not diamond");
        if (repeats < 1) throw new ArgumentException("the supercell needs at least one cube per direction");
        if (composition.Select(c => c.Element).Distinct().Count() != composition.Count) throw new ArgumentException("an element appears twice in the composition");
        var host = lattice == CubicLattice.Fcc ? Fcc(composition[0].Element, latticeConstant, repeats, repeats, repeats)
                                               : Bcc(composition[0].Element, latticeConstant, repeats, repeats, repeats);
        var counts = ExactCounts(composition.Select(c => c.Fraction).ToArray(), host.Count);
        var species = new string[host.Count];
        var n = 0;
        for (var k = 0; k < counts.Length; k++)
            for (var i = 0; i < counts[k]; i++) species[n++] = composition[k].Element;
        var random = new Random(seed);
        for (var i = species.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (species[i], species[j]) = (species[j], species[i]);
        }
        var label = string.Concat(composition.Select(c => c.Element + c.Fraction.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)));
        return new Structure(host.Cell, host.Positions, species, $"{lattice.ToString().ToLowerInvariant()} {label} {repeats}x{repeats}x{repeats} seed {seed}");
    }
}
