using System.Globalization;
using System.Text.Json;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Potentials;
using PoetSharp.Simulation;
using PoetSharp.Symmetry;
using PoetSharp.Tests.Simulation;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Symmetry;

/// <summary>
/// Site symmetry (<see cref="SiteSymmetry"/>) and the distinct vacancy hops built on it (<see cref="VacancyHops"/>):
/// orbits against python spglib's <c>equivalent_atoms</c>, the symmetrizing projection, hop classes against a brute-force
/// count, and on the ordered Li10GeP2S12 cell of the shared data against python spglib and distances.
/// </summary>
public class SiteSymmetryTests
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // B2 LiTl 2×2×2 with one Tl replaced by Li: the Li sites split by their distance to the substituted site.
    private static Structure Substituted()
    {
        var s = LiTlPairModel.Crystal(2);
        var tl = Array.IndexOf(s.Species, "Tl");
        s.Species[tl] = "Li";
        return s;
    }

    public static TheoryData<string> Crystals => new() { "fcc", "hcp", "diamond", "B2", "substituted" };

    private static Structure Crystal(string name) => name switch
    {
        "fcc" => Lattices.Supercell(Lattices.FccConventional("Cu", 3.61), 2, 1, 1),
        "hcp" => Lattices.Supercell(Lattices.Hcp("Mg", 3.21, 1.624), 2, 2, 1),
        "diamond" => Lattices.DiamondConventional("Si", 5.43),
        "B2" => LiTlPairModel.Crystal(2),
        "substituted" => Substituted(),
        _ => throw new ArgumentException(name),
    };

    private const string EquivalentAtomsScript = """
        import sys, json, spglib
        d = json.loads(sys.argv[1])
        ds = spglib.get_symmetry_dataset((d['lattice'], d['positions'], d['numbers']), symprec=float(sys.argv[2]))
        print(ds['international'], ' '.join(str(int(x)) for x in ds['equivalent_atoms']))
        """;

    [NeedsTheory(External.SpglibLibrary | External.SpglibPython)]
    [MemberData(nameof(Crystals))]
    public void Equivalent_atoms_equal_python_spglibs(string name)
    {
        var s = Crystal(name);
        var ours = SiteSymmetry.Find(s, 1e-3);
        var answer = AsePython.Run(EquivalentAtomsScript, SpglibPython.CellJson(s), "1e-3").Trim().Split(' ');
        Assert.Equal(answer[0], ours.Group.International);
        Assert.Equal(answer.Skip(1).Select(x => int.Parse(x, Inv)), ours.EquivalentAtoms);
        // Every operation permutes the atoms and keeps each atom's element.
        foreach (var perm in ours.Permutations)
        {
            Assert.Equal(Enumerable.Range(0, s.Count), perm.Order());
            for (var i = 0; i < s.Count; i++) Assert.Equal(s.Species[i], s.Species[perm[i]]);
        }
        Assert.Equal(s.Count, ours.Orbits().Sum(o => o.Length));
        if (name == "substituted") Assert.True(ours.Orbits().Count(o => s.Species[o[0]] == "Li") > 1); // the Li sites split
        // The cheap pairwise check agrees with the orbits for every pair of atoms.
        for (var i = 0; i < s.Count; i++)
            for (var j = 0; j < s.Count; j++)
                Assert.Equal(ours.Equivalent(i, j), SiteSymmetry.AreEquivalent(s, i, j, 1e-3).Equivalent);
    }

    [NeedsFact(External.SpglibLibrary)]
    public void Symmetrize_projects_a_perturbed_crystal_onto_its_space_group()
    {
        var exact = LiTlPairModel.Crystal(2);
        var perturbed = Builders.Rattled(exact, 0.02, 7);
        Assert.Equal("P1", Spglib.Analyze(perturbed, 1e-4).International);
        var symmetry = SiteSymmetry.Find(perturbed, 0.1);
        Assert.Equal("Pm-3m", symmetry.Group.International);
        var symmetric = symmetry.Symmetrize(perturbed);

        // Exactly symmetric again (at a tolerance far below the perturbation), atoms moved no further than they were pushed.
        Assert.Equal("Pm-3m", Spglib.Analyze(symmetric, 1e-8).International);
        for (var i = 0; i < exact.Count; i++)
            Assert.True((symmetric.Positions[i] - perturbed.Positions[i]).Length <= 0.02 * Math.Sqrt(3) + 1e-12);
        // A projection: a second pass changes nothing, and the symmetric B2 crystal feels no force (every atom on an inversion centre).
        var again = SiteSymmetry.Find(symmetric, 0.1).Symmetrize(symmetric);
        for (var i = 0; i < exact.Count; i++) Assert.True((again.Positions[i] - symmetric.Positions[i]).Length < 1e-12);
        var forces = Forces(LiTlPairModel.Potential(), symmetric);
        Assert.True(forces.Max(f => f.Length) < 1e-10, $"largest force {forces.Max(f => f.Length)} eV/Å");
        Assert.True(Forces(LiTlPairModel.Potential(), perturbed).Max(f => f.Length) > 1e-2); // the perturbed one does feel forces
        Assert.Null(symmetric.Energy);

        Assert.Throws<ArgumentException>(() => SiteSymmetry.Find(exact, 0));
        Assert.Throws<ArgumentException>(() => SiteSymmetry.Find(exact, double.NaN));
        Assert.Throws<ArgumentException>(() => symmetry.Symmetrize(LiTlPairModel.Crystal(1)));
    }

    private static Vec3[] Forces(IPotential potential, Structure s)
    {
        var list = new NeighbourList();
        list.Build(s, potential.Cutoff, half: true);
        var result = new PotentialResult();
        potential.Compute(s, list, result);
        return result.Forces.ToArray();
    }

    [NeedsFact(External.SpglibLibrary)]
    public void Hop_classes_of_B2_are_the_cube_edges_and_face_diagonals()
    {
        var s = LiTlPairModel.Crystal(3); // 27 Li, 54 atoms
        var symmetry = SiteSymmetry.Find(s, 1e-3);
        var edges = VacancyHops.Distinct(s, "Li", 3.4, symmetry);
        var single = Assert.Single(edges);
        Assert.Equal(LiTlPairModel.LatticeConstant, single.Distance, 10);
        Assert.True(single.Symmetric);
        Assert.Equal(27 * 3, single.Count); // each Li has 6 Li at a, each pair counted once
        var two = VacancyHops.Distinct(s, "Li", 4.7, symmetry);
        Assert.Equal(2, two.Count);
        Assert.Equal(LiTlPairModel.LatticeConstant * Math.Sqrt(2), two[1].Distance, 10);
        Assert.Equal(27 * 6, two[1].Count);
        Assert.Equal(two[1].Distance, two[1].Vector.Length, 12);

        Assert.Contains("a hop needs two", Assert.Throws<ArgumentException>(() => VacancyHops.Distinct(s, "Cu", 4, symmetry)).Message);
        // A large supercell: mapping every atom is refused with the way out; the pairwise check still answers.
        var big = Lattices.Fcc("Cu", 3.61, 8, 8, 8);
        Assert.Contains("work in the cell this crystal repeats", Assert.Throws<ArgumentException>(() => SiteSymmetry.Find(big, 1e-3)).Message);
        Assert.True(SiteSymmetry.AreEquivalent(big, 0, 1000, 1e-3).Equivalent);
        Assert.Throws<ArgumentException>(() => VacancyHops.Distinct(s, "Li", 0, symmetry));
        Assert.Throws<ArgumentException>(() => VacancyHops.Distinct(LiTlPairModel.Crystal(2), "Li", 4, symmetry));
    }

    [NeedsFact(External.SpglibLibrary)]
    public void Hop_classes_partition_every_pair_and_keep_distance_and_sites()
    {
        var s = Substituted();
        var symmetry = SiteSymmetry.Find(s, 1e-3);
        var classes = VacancyHops.Distinct(s, "Li", 5.0, symmetry);
        var li = Enumerable.Range(0, s.Count).Where(i => s.Species[i] == "Li").ToArray();
        var pairs = li.SelectMany(i => li.Where(j => j > i).Select(j => (i, j))).Where(p => VacancyHops.MinimumImage(s, p.i, p.j).Length <= 5.0).ToArray();
        Assert.Equal(pairs.Length, classes.Sum(c => c.Count));
        Assert.Contains(classes, c => !c.Symmetric);
        Assert.Contains(classes, c => c.Symmetric);
        // Pairs of one class share their length and their (unordered) pair of sites: count them that way, independently.
        var byKey = pairs.GroupBy(p => (Math.Round(VacancyHops.MinimumImage(s, p.i, p.j).Length, 6),
                Math.Min(symmetry.EquivalentAtoms[p.i], symmetry.EquivalentAtoms[p.j]), Math.Max(symmetry.EquivalentAtoms[p.i], symmetry.EquivalentAtoms[p.j])))
            .ToDictionary(g => g.Key, g => g.Count());
        var ours = classes.GroupBy(c => (Math.Round(c.Distance, 6), Math.Min(c.FromSite, c.ToSite), Math.Max(c.FromSite, c.ToSite)))
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        Assert.Equal(byKey.OrderBy(k => k.Key), ours.OrderBy(k => k.Key));
    }

    /// <summary>
    /// The ordered Li10GeP2S12 model of the shared LGPS data (the lowest-energy frame of its initial set: a DFT-relaxed
    /// cell perturbed by about 0.02 Å), repeated 2×2×1: P4₂mc at 0.1 Å, four Li sites; the Li hop classes up to 4 Å
    /// against python spglib's orbits and numpy distances, and symmetrizing it leaves one group at a tight tolerance.
    /// </summary>
    [NeedsFact(External.SpglibLibrary | External.SpglibPython | External.SharedData)]
    public void Li_hops_of_ordered_LGPS_agree_with_python_spglib()
    {
        var system = TestData.Shared("lgps", "LiGePS-init.system");
        var frames = DataFiles.Read(system, ["Li", "Ge", "P", "S"]);
        var lowest = frames.Structures.OrderBy(f => f.Energy!.Value).First();
        var crystal = Lattices.Supercell(lowest, 2, 2, 1);
        var symmetry = SiteSymmetry.Find(crystal, 0.1);
        Assert.Equal("P4_2mc", symmetry.Group.International);
        var answer = AsePython.Run(EquivalentAtomsScript, SpglibPython.CellJson(crystal), "0.1").Trim().Split(' ');
        Assert.Equal(answer[0], symmetry.Group.International);
        Assert.Equal(answer.Skip(1).Select(x => int.Parse(x, Inv)), symmetry.EquivalentAtoms);
        Assert.Equal(4, symmetry.Orbits().Count(o => crystal.Species[o[0]] == "Li"));

        var symmetric = symmetry.Symmetrize(crystal);
        Assert.Equal("P4_2mc", Spglib.Analyze(symmetric, 1e-6).International);
        var classes = VacancyHops.Distinct(symmetric, "Li", 4.0, SiteSymmetry.Find(symmetric, 1e-4));
        // Python: every Li pair within 4 Å of the symmetric crystal by (sites, distance to 1 mÅ).
        var script = """
            import sys, json, numpy as np, spglib
            d = json.loads(sys.argv[1])
            L, f, n = np.array(d['lattice']), np.array(d['positions']), np.array(d['numbers'])
            eq = spglib.get_symmetry_dataset((L, f, n), symprec=1e-4)['equivalent_atoms']
            li = [i for i in range(len(n)) if n[i] == 1]
            out = {}
            for a, i in enumerate(li):
                for j in li[a + 1:]:
                    x = f[j] - f[i]; x -= np.round(x); r = float(np.linalg.norm(x @ L))
                    if r <= 4.0:
                        k = f'{r:.3f} {min(eq[i], eq[j])} {max(eq[i], eq[j])}'
                        out[k] = out.get(k, 0) + 1
            print(json.dumps(out))
            """;
        var expected = JsonSerializer.Deserialize<Dictionary<string, int>>(AsePython.Run(script, SpglibPython.CellJson(symmetric)))!;
        var ours = classes.GroupBy(c => FormattableString.Invariant($"{c.Distance:F3} {Math.Min(c.FromSite, c.ToSite)} {Math.Max(c.FromSite, c.ToSite)}"))
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        Assert.Equal(expected.OrderBy(k => k.Key), ours.OrderBy(k => k.Key));
        Assert.Equal(7, classes.Count);
        Assert.Equal(2, classes.Count(c => c.Symmetric)); // the in-plane hops between like sites
    }
}
