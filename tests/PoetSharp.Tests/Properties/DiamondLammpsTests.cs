using System.Diagnostics;
using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Simulation;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;
using static PoetSharp.Tests.Properties.LammpsScript;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// The diamond vacancy and (100)/(111) surfaces against LAMMPS, two ways.
/// <list type="number">
/// <item>Our property code with one of our potentials that LAMMPS also runs (Mishin's Cu EAM, on the diamond lattice at
/// that crystal's own zero-pressure lattice constant) against LAMMPS on the same structures, written as data files, and
/// on LAMMPS's own diamond lattice for the vacancy: energies and the resulting E_f and γ agree to 1e-6 eV, unrelaxed and
/// relaxed in the ways this unstable crystal allows (along the surface normal; the vacancy's four neighbours).</item>
/// <item>Our geometry against LAMMPS's own construction (lattice diamond, oriented for (111), region, create_atoms,
/// delete_atoms), both with Stillinger–Weber silicon (Si.sw), which has the three-body (angle) term our potentials lack:
/// atoms per area and the unrelaxed γ and E_f agree to rounding; SW's relaxations are printed, and the vacancy's start
/// (neighbours moved inwards) is shown to reach SW's relaxed vacancy, which the ideal one does not.</item>
/// </list>
/// </summary>
public class DiamondLammpsTests(ITestOutputHelper output)
{
    // Mishin's Cu EAM on the diamond lattice, at that crystal's own zero-pressure lattice constant.
    private static readonly Lazy<(IPotential Eam, double A)> MishinDiamond = new(() => (MishinEam, CubicReference.LatticeConstant(MishinEam, CubicLattice.Diamond)));

    private const double SiliconA = 5.431; // Stillinger–Weber's lattice constant, Å
    private static string StillingerWeber => $"mass 1 28.0855\npair_style sw\npair_coeff * * {Lammps.Potential("Si.sw")} Si\n";

    /// <summary>LAMMPS's energy per atom of the perfect diamond crystal (one conventional cube).</summary>
    private static double LammpsBulkEnergy(double a, string pair) =>
        Run(Header + $"lattice diamond {F(a)}\nregion box block 0 1 0 1 0 1\ncreate_box 1 box\ncreate_atoms 1 box\n" + pair + "run 0\n" + Print("e", "pe/atoms"))["e"];

    /// <summary>
    /// LAMMPS's energy E0 (and atoms, area) of a structure written as a data file and, with <paramref name="relax"/>, its
    /// energy E minimised after every atom is displaced at random by up to 0.02 Å: Stillinger–Weber's ideal surfaces and
    /// vacancy are stationary (its pair term has its minimum at the bond length, its angle term is flat at the tetrahedral
    /// angle, its cutoff falls short of the second neighbours), so a minimiser started there would not move.
    /// </summary>
    private static LammpsOutput InLammps(Structure structure, string pair, bool relax) =>
        Run(Header + "read_data structure.data\n" + pair + "run 0\n" + Print("E0", "pe") + Print("N", "atoms") + Print("A", "lx*ly")
            + (relax ? "displace_atoms all random 0.02 0.02 0.02 2718 units box\n" + Minimize + Print("E", "pe") : ""),
            new Dictionary<string, string> { ["structure.data"] = DataFile(structure) });

    private static double Gamma(double energy, double atoms, double bulkPerAtom, double area) =>
        (energy - atoms * bulkPerAtom) / (2 * area) * EvPerA2InJPerM2;

    [LammpsTheory]
    [InlineData(1, 0, 0)]
    [InlineData(1, 1, 1)]
    public void UnrelaxedDiamondSurfaceEnergyMatchesLammpsOnTheSameSlab(int h, int k, int l)
    {
        var (eam, a) = MishinDiamond.Value;
        var ours = Surfaces.SurfaceEnergy(eam, a, h, k, l, CubicLattice.Diamond, relax: false);
        var slab = Surfaces.Slab("Cu", CubicLattice.Diamond, a, h, k, l);
        var bulk = LammpsBulkEnergy(a, MishinPair);
        var r = InLammps(slab, MishinPair, relax: false);
        var lammps = Gamma(r["E0"], r["N"], bulk, r["A"]);
        var area = Vec3.Cross(slab.Cell.A, slab.Cell.B).Length;
        output.WriteLine(FormattableString.Invariant(
            $"diamond Cu (a = {a:F6} Å) ({h}{k}{l}), {slab.Count} atoms: γ unrelaxed ours {ours.Value:F9}, LAMMPS {lammps:F9} J/m²; slab energy ours {eam.Energy(slab):F9}, LAMMPS {r["E0"]:F9} eV"));
        Assert.Equal(slab.Count, r["N"]);
        Assert.Equal(area, r["A"], 9);
        Assert.Equal(r["E0"], eam.Energy(slab), 1e-6);
        Assert.Equal(bulk, CubicReference.EnergyPerAtom(eam, CubicLattice.Diamond, a, "Cu"), 1e-8);
        // γ's difference as an energy per surface cell (2A γ), in eV.
        Assert.Equal(0, (ours.Value - lammps) * 2 * area / EvPerA2InJPerM2, 1e-6);
        Assert.True(ours.Converged);
        Assert.Contains("unrelaxed", ours.Details);
    }

    [LammpsFact]
    public void UnrelaxedDiamondVacancyMatchesLammpsOwnLattice()
    {
        var (eam, a) = MishinDiamond.Value;
        var n = Defects.DefaultDiamondSupercell;
        var ours = Defects.DiamondVacancyFormation(eam, a, relax: false);
        var r = Run(Header + $"lattice diamond {F(a)}\nregion box block 0 {n} 0 {n} 0 {n}\ncreate_box 1 box\ncreate_atoms 1 box\n" + MishinPair
            + "run 0\n" + Print("E0", "pe") + Print("N0", "atoms")
            + "region site sphere 0 0 0 0.1 units box\ndelete_atoms region site\nrun 0\n" + Print("E", "pe") + Print("N", "atoms"));
        var lammps = r["E"] - (r["N0"] - 1) / r["N0"] * r["E0"];
        output.WriteLine(FormattableString.Invariant($"diamond Cu vacancy, unrelaxed, {r["N0"]} sites: ours {ours.Value:F9}, LAMMPS {lammps:F9} eV"));
        Assert.Equal(8 * n * n * n, r["N0"]);
        Assert.Equal(r["N0"] - 1, r["N"]);
        Assert.Equal(lammps, ours.Value, 1e-6);
    }

    /// <summary>
    /// Relaxed, with the atoms moving along the surface normal only (in both codes), because diamond is unstable under a
    /// potential without angular forces: let free, LAMMPS's conjugate gradients break the slab's symmetry and it collapses
    /// towards a close-packed crystal (γ &lt; 0), while a relaxation that keeps the symmetry stops at the saddle point.
    /// Along z the symmetric relaxation is the only one, so both codes must find the same energy.
    /// </summary>
    [LammpsFact]
    public void DiamondSurfacesRelaxedAlongTheNormalMatchLammpsMinimize()
    {
        var (eam, a) = MishinDiamond.Value;
        var bulk = LammpsBulkEnergy(a, MishinPair);
        foreach (var (h, k, l) in Surfaces.DiamondFacets)
        {
            var slab = Surfaces.Slab("Cu", CubicLattice.Diamond, a, h, k, l);
            var sw = Stopwatch.StartNew();
            var ours = Surfaces.SurfaceEnergy(eam, a, h, k, l, CubicLattice.Diamond,
                settings: new RelaxationSettings { ForceTolerance = 1e-5, Mobility = RelaxationSettings.AlongZ(slab.Count) });
            var ms = sw.ElapsedMilliseconds;
            var r = Run(Header + "read_data slab.data\n" + MishinPair + "fix z all setforce 0.0 0.0 NULL\n" + Minimize
                + Print("E", "pe") + Print("N", "atoms") + Print("A", "lx*ly"),
                new Dictionary<string, string> { ["slab.data"] = DataFile(slab) });
            var lammps = Gamma(r["E"], r["N"], bulk, r["A"]);
            output.WriteLine(FormattableString.Invariant($"diamond Cu ({h}{k}{l}) relaxed along z: ours {ours.Value:F9}, LAMMPS {lammps:F9} J/m² ({ms} ms ours; {ours.Details})"));
            Assert.True(ours.Converged, ours.Details);
            Assert.Equal(lammps, ours.Value, 1e-6);
        }
    }

    /// <summary>
    /// The vacancy with only its four neighbours free (both codes, from the same start: the neighbours moved inwards as
    /// our property code starts them): let every atom move and this unstable crystal collapses (E_f ≈ −174 eV, a
    /// different collapse in each code); the four neighbours alone, pulled along their bonds by symmetry, relax the same
    /// way in both.
    /// </summary>
    [LammpsFact]
    public void DiamondVacancyWithItsNeighboursRelaxedMatchesLammpsMinimize()
    {
        var (eam, a) = MishinDiamond.Value;
        var n = Defects.DefaultDiamondSupercell;
        var perfect = Lattices.Diamond("Cu", a, n, n, n);
        var vacancy = DefectBuilders.RemoveAtom(perfect, 0);
        // The four atoms a√3/4 from the empty site at the origin (through the periodic boundary for three of them).
        var neighbours = Enumerable.Range(0, vacancy.Count)
            .Where(i =>
            {
                var f = vacancy.Cell.ToFractional(vacancy.Positions[i] - perfect.Positions[0]);
                return vacancy.Cell.ToCartesian(new Vec3(f.X - Math.Round(f.X), f.Y - Math.Round(f.Y), f.Z - Math.Round(f.Z))).Length < 0.5 * a;
            }).ToArray();
        Assert.Equal(4, neighbours.Length);
        var mobility = RelaxationSettings.FixedAtoms(Enumerable.Range(0, vacancy.Count).Select(i => !neighbours.Contains(i)).ToArray());
        var ours = Defects.DiamondVacancyFormation(eam, a, settings: new RelaxationSettings { ForceTolerance = 1e-5, Mobility = mobility });
        var unrelaxed = Defects.DiamondVacancyFormation(eam, a, relax: false).Value;
        var start = DefectBuilders.Vacancy(perfect, 0, Defects.DiamondNeighbourShift * a * Math.Sqrt(3) / 4);
        Assert.Equal(vacancy.Count, start.Count);
        Assert.Equal(4, Enumerable.Range(0, start.Count).Count(i => start.Positions[i] != vacancy.Positions[i]));
        var r = Run(Header + "read_data vacancy.data\n" + MishinPair
            + $"group shell id {string.Join(" ", neighbours.Select(i => i + 1))}\ngroup rest subtract all shell\nfix hold rest setforce 0.0 0.0 0.0\n"
            + Minimize + Print("E", "pe"),
            new Dictionary<string, string> { ["vacancy.data"] = DataFile(start) });
        var lammps = r["E"] - (perfect.Count - 1.0) / perfect.Count * eam.Energy(perfect);
        output.WriteLine(FormattableString.Invariant($"diamond Cu vacancy, neighbours relaxed: ours {ours.Value:F9}, LAMMPS {lammps:F9} eV (unrelaxed {unrelaxed:F6}; {ours.Details})"));
        Assert.True(ours.Converged, ours.Details);
        Assert.True(lammps < unrelaxed - 1e-3, "the neighbours relax");
        Assert.Equal(lammps, ours.Value, 1e-6);
    }

    /// <summary>
    /// LAMMPS's own slab: (100) from the cubic lattice, (111) from the lattice oriented x = [1−10], y = [11−2], z = [111],
    /// cut at heights between the widely spaced planes (mid-way between a plane of lattice sites, z = j d, and the basis
    /// atoms a quarter body diagonal above it, z = j d + 3d/4), in a periodic box with vacuum above and below.
    /// </summary>
    private static string LammpsOwnSlab(int h, int k, int l, int planes)
    {
        var a = SiliconA;
        if ((h, k, l) == (1, 0, 0))
            // Atomic planes a/4 apart from z = 0: 2 atoms per plane in the a × a cell.
            return Header + $"lattice diamond {F(a)}\nregion box block 0 {F(a)} 0 {F(a)} -10 {F(planes * a / 4 + 10)} units box\ncreate_box 1 box\n"
                + $"region slab block INF INF INF INF -0.01 {F((planes - 0.5) * a / 4)} units box\ncreate_atoms 1 region slab\n";
        var d = a / Math.Sqrt(3);
        var bilayers = planes / 2;
        return Header + $"lattice diamond {F(a)} orient x 1 -1 0 orient y 1 1 -2 orient z 1 1 1\n"
            + $"region box block 0 {F(a * Math.Sqrt(2))} 0 {F(a * Math.Sqrt(6) / 2)} -10 {F((bilayers + 1) * d + 10)} units box\ncreate_box 1 box\n"
            + $"region slab block INF INF INF INF {F(0.5 * d)} {F((bilayers + 0.5) * d)} units box\ncreate_atoms 1 region slab\n";
    }

    [LammpsTheory]
    [InlineData(1, 0, 0)]
    [InlineData(1, 1, 1)]
    public void StillingerWeberSurfaceOfOurSlabEqualsLammpsOwnSlab(int h, int k, int l)
    {
        var bulk = LammpsBulkEnergy(SiliconA, StillingerWeber);
        var slab = Surfaces.Slab("Si", CubicLattice.Diamond, SiliconA, h, k, l);
        var ours = InLammps(slab, StillingerWeber, relax: true);
        var planes = slab.Count; // one atom per atomic plane per surface cell
        var theirs = Run(LammpsOwnSlab(h, k, l, planes) + StillingerWeber + "run 0\n" + Print("E0", "pe") + Print("N", "atoms") + Print("A", "lx*ly"));
        double oursUnrelaxed = Gamma(ours["E0"], ours["N"], bulk, ours["A"]), theirsUnrelaxed = Gamma(theirs["E0"], theirs["N"], bulk, theirs["A"]);
        var oursRelaxed = Gamma(ours["E"], ours["N"], bulk, ours["A"]);
        output.WriteLine(FormattableString.Invariant(
            $"Si.sw ({h}{k}{l}), {planes} planes: our slab {ours["N"]} atoms on {ours["A"]:F4} Å², LAMMPS's {theirs["N"]} on {theirs["A"]:F4} Å²"));
        output.WriteLine(FormattableString.Invariant(
            $"  unrelaxed γ {oursUnrelaxed:F6} (ours) / {theirsUnrelaxed:F6} (LAMMPS's) J/m² ({Surfaces.MevPerA2(oursUnrelaxed):F4} meV/Å²)"));
        output.WriteLine(FormattableString.Invariant(
            $"  relaxed from a 0.02 Å rattle in the 1×1 cell (no reconstruction): γ {oursRelaxed:F6} J/m² ({Surfaces.MevPerA2(oursRelaxed):F4} meV/Å²)"));
        // The same crystal: same atoms per area (LAMMPS's cell holds a whole number of ours), same unrelaxed γ.
        Assert.Equal(ours["N"] / ours["A"], theirs["N"] / theirs["A"], 12);
        Assert.Equal(0, Math.IEEERemainder(theirs["A"] / ours["A"], 1), 9);
        Assert.Equal(theirsUnrelaxed, oursUnrelaxed, 1e-9);
        // The rattle costs energy that the minimiser takes back, down to the ideal surface or below it.
        Assert.True(oursRelaxed <= oursUnrelaxed + 1e-6, $"relaxed γ {oursRelaxed} above the unrelaxed {oursUnrelaxed}");
    }

    [LammpsFact]
    public void StillingerWeberVacancyOfOurCellEqualsLammpsOwn()
    {
        var n = Defects.DefaultDiamondSupercell;
        var perfect = Lattices.Diamond("Si", SiliconA, n, n, n);
        var bulk = InLammps(perfect, StillingerWeber, relax: false);
        var vacancy = InLammps(DefectBuilders.RemoveAtom(perfect, 0), StillingerWeber, relax: true);
        // The start our property code relaxes from: the four neighbours a fifth of the bond closer to the empty site.
        var start = InLammps(DefectBuilders.Vacancy(perfect, 0, Defects.DiamondNeighbourShift * SiliconA * Math.Sqrt(3) / 4), StillingerWeber, relax: true);
        var theirs = Run(Header + $"lattice diamond {F(SiliconA)}\nregion box block 0 {n} 0 {n} 0 {n}\ncreate_box 1 box\ncreate_atoms 1 box\n" + StillingerWeber
            + "run 0\n" + Print("E0", "pe") + Print("N0", "atoms")
            + "region site sphere 0 0 0 0.1 units box\ndelete_atoms region site\nrun 0\n" + Print("E1", "pe") + Print("N1", "atoms"));
        var ratio = (perfect.Count - 1.0) / perfect.Count;
        double oursUnrelaxed = vacancy["E0"] - ratio * bulk["E0"], theirsUnrelaxed = theirs["E1"] - ratio * theirs["E0"];
        double rattled = vacancy["E"] - ratio * bulk["E0"], relaxed = start["E"] - ratio * bulk["E0"];
        output.WriteLine(FormattableString.Invariant(
            $"Si.sw vacancy, {perfect.Count} sites: unrelaxed {oursUnrelaxed:F6} (our cell) / {theirsUnrelaxed:F6} (LAMMPS's) eV"));
        output.WriteLine(FormattableString.Invariant($"  minimised from a 0.02 Å rattle {rattled:F6} eV, from our start {relaxed:F6} eV"));
        Assert.Equal(theirs["N0"], perfect.Count);
        Assert.Equal(theirs["N1"], vacancy["N"]);
        Assert.Equal(theirsUnrelaxed, oursUnrelaxed, 1e-8);
        // The ideal vacancy is a local minimum of Stillinger–Weber; from our start the relaxation gets out of it.
        Assert.Equal(oursUnrelaxed, rattled, 1e-4);
        Assert.True(relaxed < oursUnrelaxed - 1, $"from our start the vacancy relaxes to {relaxed} eV");
    }
}
