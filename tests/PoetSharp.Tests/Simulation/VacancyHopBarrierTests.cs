using System.Diagnostics;
using System.Globalization;
using System.Text;
using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Simulation;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;
using static PoetSharp.Tests.Properties.LammpsScript;

namespace PoetSharp.Tests.Simulation;

/// <summary>
/// Vacancy hops by climbing-image NEB in a two-element crystal (<see cref="LiTlPairModel"/>: B2 LiTl, Lennard-Jones pairs
/// per element pair): the endpoints, the symmetry of a Li hop along [100], and the same hop by LAMMPS's own neb.
/// </summary>
public class VacancyHopBarrierTests(ITestOutputHelper output)
{
    private const double A = LiTlPairModel.LatticeConstant;

    /// <summary>A 4×4×4 B2 crystal (128 atoms, 13.2 Å: more than twice the cutoff) and the Li neighbours at the origin and at a[100].</summary>
    private static (Structure Crystal, int Origin, int Neighbour) LiPair()
    {
        var crystal = LiTlPairModel.Crystal(4);
        return (crystal, LiTlPairModel.AtomAt(crystal, Vec3.Zero), LiTlPairModel.AtomAt(crystal, new Vec3(A, 0, 0)));
    }

    private static double Energy(IPotential potential, Structure s)
    {
        var list = new NeighbourList();
        list.Build(s, potential.Cutoff, half: true);
        var result = new PotentialResult();
        potential.Compute(s, list, result);
        return result.Energy;
    }

    [Theory]
    [InlineData(false)] // the hopper comes before the emptied site in the atom order
    [InlineData(true)]  // after it: its index drops by one
    public void Endpoints_empty_the_target_site_and_move_the_hopper_onto_it_keeping_the_order(bool hopperAfterTarget)
    {
        var (crystal, origin, neighbour) = LiPair();
        Assert.True(origin < neighbour);
        var (from, to) = hopperAfterTarget ? (neighbour, origin) : (origin, neighbour);
        var (initial, final) = VacancyHopBarrier.Endpoints(crystal, from, to);

        var kept = Enumerable.Range(0, crystal.Count).Where(i => i != to).ToArray();
        var hopper = Array.IndexOf(kept, from);
        Assert.Equal(hopperAfterTarget ? from - 1 : from, hopper);
        Assert.Equal(crystal.Count - 1, initial.Count);
        Assert.Equal(kept.Select(i => crystal.Species[i]), initial.Species);
        Assert.Equal(initial.Species, final.Species);
        Assert.Equal(kept.Select(i => crystal.Positions[i]), initial.Positions);
        Assert.Equal(-1, LiTlPairModel.AtomAt(initial, crystal.Positions[to])); // the vacancy
        Assert.Equal(hopper, LiTlPairModel.AtomAt(final, crystal.Positions[to])); // filled by the hopper
        Assert.Equal(-1, LiTlPairModel.AtomAt(final, crystal.Positions[from])); // whose old site is now empty
        for (var i = 0; i < initial.Count; i++)
            if (i != hopper) Assert.Equal(initial.Positions[i], final.Positions[i]);
        Assert.Same(crystal.Cell, final.Cell);
        Assert.Equal(crystal.Count, LiTlPairModel.Crystal(4).Count); // the crystal itself is untouched
        Assert.Equal(crystal.Positions[to], LiTlPairModel.Crystal(4).Positions[to]);
    }

    [Fact]
    public void Wrong_hops_are_refused_with_the_reason()
    {
        var (crystal, li, neighbour) = LiPair();
        var tl = LiTlPairModel.AtomAt(crystal, new Vec3(A / 2, A / 2, A / 2));
        string Message(Structure s, int from, int to) => Assert.Throws<ArgumentException>(() => VacancyHopBarrier.Endpoints(s, from, to)).Message;

        Assert.Contains("0–127", Message(crystal, -1, li));
        Assert.Contains("128 atoms", Message(crystal, li, 128));
        Assert.Contains("two different atoms", Message(crystal, li, li));
        var species = Message(crystal, li, tl);
        Assert.Contains("is Li but atom", species);
        Assert.Contains("2.8579 Å apart", species); // a√3/2
        var cluster = new Structure(Cell.NonPeriodic(), crystal.Positions, crystal.Species);
        Assert.Contains("no periodic direction", Message(cluster, li, neighbour));
        Assert.Contains("RelaxEndpoints", Assert.Throws<ArgumentException>(() =>
            VacancyHopBarrier.Run(LiTlPairModel.Potential(), crystal, li, neighbour, new NebSettings { RelaxEndpoints = false })).Message);
    }

    [Fact]
    public void A_hop_longer_than_the_cutoff_runs_and_says_its_length()
    {
        // The Li at a(1,1,1) is 5.716 Å away, beyond the 5.5 Å cutoff; two band steps are enough to see the note.
        var crystal = LiTlPairModel.Crystal(3);
        var far = LiTlPairModel.AtomAt(crystal, new Vec3(A, A, A));
        var result = VacancyHopBarrier.Run(LiTlPairModel.Potential(), crystal, far, 0, new NebSettings { MaxSteps = 2, IntermediateImages = 3 });
        Assert.Equal(Math.Sqrt(3) * A, result.HopDistance, 10);
        Assert.False(result.Band.Converged);
        Assert.Contains("the hop (5.7158 Å) is longer than the potential's cutoff (5.5 Å)", result.Band.Reason);
    }

    [Fact]
    public void A_symmetric_Li_hop_has_equal_barriers_both_ways_and_its_saddle_at_the_midpoint()
    {
        // Li → vacancy along [100] in B2: the mirror plane halfway between the two sites maps the initial state onto the
        // final one, so both barriers are equal and the saddle (the Li in the face centre between four Tl) lies on it.
        var (crystal, origin, neighbour) = LiPair();
        var potential = LiTlPairModel.Potential();
        var result = VacancyHopBarrier.Run(potential, crystal, neighbour, origin, new NebSettings { IntermediateImages = 7, ForceTolerance = 1e-4 });
        var band = result.Band;
        output.WriteLine($"forward {result.ForwardBarrier:F6} eV, backward {result.BackwardBarrier:F6} eV; {band.Reason}");

        Assert.True(band.Converged, band.Reason);
        Assert.Equal("Li", result.Species);
        Assert.Equal(A, result.HopDistance, 12);
        Assert.InRange(result.ForwardBarrier, 0.3, 0.7);
        Assert.Equal(result.ForwardBarrier, result.BackwardBarrier, 1e-6);
        Assert.Equal(result.InitialEnergy, result.FinalEnergy, 1e-6);

        // Measured from the relaxed endpoints: they are the band's ends, below the unrelaxed ones (by 0.37 meV: the
        // neighbours of a vacancy barely move in this stiff B2 crystal), and force-free.
        var (initial, _) = VacancyHopBarrier.Endpoints(crystal, neighbour, origin);
        var relaxation = result.InitialEnergy - Energy(potential, initial);
        output.WriteLine($"relaxation energy of the initial state {relaxation:E3} eV");
        Assert.Equal(band.Energies[0], result.InitialEnergy);
        Assert.Equal(band.Energies[^1], result.FinalEnergy);
        Assert.True(relaxation < -2e-4);
        Assert.All(new[] { band.Images[0], band.Images[^1] }, end => Assert.True(end.Forces!.Max(f => f.Length) < 1e-4));
        Assert.Equal(band.Energies.Max() - result.InitialEnergy, result.ForwardBarrier, 12);

        // The climbing image is the middle one, with the hopper at the face centre a(½, 0, 0) and the path half done.
        Assert.Equal(4, band.ClimbingImage);
        var hopper = neighbour - 1;
        var top = band.Images[band.ClimbingImage].Positions[hopper];
        Assert.True((top - new Vec3(A / 2, 0, 0)).Length < 1e-4, $"saddle at {top}");
        Assert.Equal(0.5 * band.PathLength[^1], band.PathLength[band.ClimbingImage], 1e-4);
        for (var m = 1; m < band.Energies.Length; m++)
            Assert.True(m <= band.ClimbingImage ? band.Energies[m] > band.Energies[m - 1] : band.Energies[m] < band.Energies[m - 1]);
    }

    [Fact]
    public void A_thermal_snapshot_gives_the_barrier_of_its_relaxed_crystal()
    {
        // The crystal is relaxed before the vacancy is made, and both endpoints come from it: a rattled snapshot of the
        // B2 crystal (as an MD frame would be) gives the perfect crystal's symmetric barrier, its endpoints differing only
        // by the hop and the relaxation around it.
        var (crystal, origin, neighbour) = LiPair();
        var potential = LiTlPairModel.Potential();
        var settings = new NebSettings { IntermediateImages = 5, ForceTolerance = 1e-4 };
        var perfect = VacancyHopBarrier.Run(potential, crystal, neighbour, origin, settings);
        var snapshot = VacancyHopBarrier.Run(potential, PoetSharp.Tests.Support.Builders.Rattled(crystal, 0.08, 11), neighbour, origin, settings);
        Assert.True(snapshot.Band.Converged, snapshot.Band.Reason);
        Assert.Equal(perfect.ForwardBarrier, snapshot.ForwardBarrier, 1e-4);
        Assert.Equal(snapshot.ForwardBarrier, snapshot.BackwardBarrier, 1e-4);
        Assert.Equal(perfect.Band.PathLength[^1], snapshot.Band.PathLength[^1], 1e-3);
    }

    // ------------------------------------------------------------------ LAMMPS's neb as the independent reference

    /// <summary>
    /// The pair lines of <see cref="LiTlPairModel"/> in LAMMPS: lj/charmm/coul/charmm switches the Lennard-Jones pairs
    /// with CHARMM's function, which is POET's taper, between the same radii; the charges are zero, so its Coulomb part is.
    /// </summary>
    private static string Pair()
    {
        string Coeff(int i, int j, (double Epsilon, double Sigma) p) => $"pair_coeff {i} {j} {F(p.Epsilon)} {F(p.Sigma)}\n";
        return $"pair_style lj/charmm/coul/charmm {F(LiTlPairModel.TaperInner)} {F(LiTlPairModel.Cutoff)}\n"
            + Coeff(1, 1, LiTlPairModel.LiLi) + Coeff(1, 2, LiTlPairModel.LiTl) + Coeff(2, 2, LiTlPairModel.TlTl);
    }

    private const string ChargeHeader = "units metal\natom_style charge\natom_modify map array\nboundary p p p\n";

    /// <summary>A LAMMPS data file (atom_style charge, all charges zero) of an orthorhombic Li–Tl structure: type 1 Li, type 2 Tl.</summary>
    private static string DataFile(Structure s)
    {
        var (a, b, c) = (s.Cell.A, s.Cell.B, s.Cell.C);
        Assert.True(a.Y == 0 && a.Z == 0 && b.X == 0 && b.Z == 0 && c.X == 0 && c.Y == 0, "orthorhombic cell expected");
        var sb = new StringBuilder("Li-Tl vacancy hop written by the PoetSharp tests\n\n");
        sb.Append($"{s.Count} atoms\n2 atom types\n\n0 {F(a.X)} xlo xhi\n0 {F(b.Y)} ylo yhi\n0 {F(c.Z)} zlo zhi\n\n");
        sb.Append($"Masses\n\n1 {F(Elements.Mass("Li"))}\n2 {F(Elements.Mass("Tl"))}\n\nAtoms # charge\n\n");
        for (var i = 0; i < s.Count; i++)
            sb.Append($"{i + 1} {(s.Species[i] == "Li" ? 1 : 2)} 0 {F(s.Positions[i].X)} {F(s.Positions[i].Y)} {F(s.Positions[i].Z)}\n");
        return sb.ToString();
    }

    [LammpsFact]
    [Trait("Category", "Slow")] // LAMMPS's neb on 7 oversubscribed MPI processes
    public void The_barrier_agrees_with_LAMMPS_neb_on_the_same_pair_potential()
    {
        // LAMMPS relaxes the same unrelaxed endpoints itself (cg), then runs its climbing-image neb on 7 replicas
        // (5 intermediate images, as ours), spring 1 eV/Å² between neighbours, max per-atom force 1e-4 eV/Å in both codes.
        var (crystal, origin, neighbour) = LiPair();
        var potential = LiTlPairModel.Potential();
        var sw = Stopwatch.StartNew();
        var ours = VacancyHopBarrier.Run(potential, crystal, neighbour, origin, new NebSettings { IntermediateImages = 5, ForceTolerance = 1e-4 });
        var ms = sw.ElapsedMilliseconds;

        var (initial, final) = VacancyHopBarrier.Endpoints(crystal, neighbour, origin);
        var hopper = neighbour - 1;
        var target = final.Positions[hopper];
        const string minimize = "min_style cg\nminimize 0 1e-12 100000 1000000\n";
        var ends = Run(ChargeHeader + "read_data initial.data\n" + Pair() + "run 0\n" + Print("E0", "pe") + minimize + Print("Ei", "pe")
            + "write_data initial_relaxed.data nocoeff\n"
            + $"set atom {hopper + 1} x {F(target.X)} y {F(target.Y)} z {F(target.Z)}\n" + minimize + Print("Ef", "pe")
            + "write_dump all custom final.dump id x y z modify sort id format float %.17g\n",
            new Dictionary<string, string> { ["initial.data"] = DataFile(initial) });
        var atoms = File.ReadAllLines(Path.Combine(ends.Folder, "final.dump"))
            .SkipWhile(line => !line.StartsWith("ITEM: ATOMS", StringComparison.Ordinal)).Skip(1).ToArray();
        var finalCoords = new StringBuilder().AppendLine(atoms.Length.ToString(CultureInfo.InvariantCulture));
        foreach (var line in atoms) finalCoords.AppendLine(line);

        const int replicas = 7;
        var neb = Run(ChargeHeader + "read_data initial.data\n" + Pair() + "fix band all neb 1.0\nmin_style fire\nmin_modify norm max\ntimestep 0.002\n"
            + "neb 0.0 1e-4 20000 20000 100 final final.txt\n",
            new Dictionary<string, string> { ["initial.data"] = File.ReadAllText(Path.Combine(ends.Folder, "initial_relaxed.data")), ["final.txt"] = finalCoords.ToString() },
            partitions: replicas, expectResult: false);
        // The universe log's last line: Step MaxReplicaForce MaxAtomForce GradV0 GradV1 GradVc EBF EBR RDT RD1 PE1 …
        var last = File.ReadLines(Path.Combine(neb.Folder, "log.lammps"))
            .Where(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 9 + 2 * replicas } t && int.TryParse(t[0], out _))
            .Last().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double At(int k) => double.Parse(last[k], CultureInfo.InvariantCulture);
        var (forward, backward, maxAtomForce, steps) = (At(6), At(7), At(2), At(0));

        output.WriteLine(FormattableString.Invariant($"unrelaxed initial energy: ours {Energy(potential, initial):F9}, LAMMPS {ends["E0"]:F9} eV"));
        output.WriteLine(FormattableString.Invariant($"relaxed endpoints: ours {ours.InitialEnergy:F9} / {ours.FinalEnergy:F9}, LAMMPS {ends["Ei"]:F9} / {ends["Ef"]:F9} eV"));
        output.WriteLine(FormattableString.Invariant($"forward barrier: ours {ours.ForwardBarrier:F7}, LAMMPS {forward:F7}, difference {ours.ForwardBarrier - forward:E2} eV"));
        output.WriteLine(FormattableString.Invariant($"backward barrier: ours {ours.BackwardBarrier:F7}, LAMMPS {backward:F7}, difference {ours.BackwardBarrier - backward:E2} eV"));
        output.WriteLine(FormattableString.Invariant($"ours: {ours.Band.Reason} ({ms} ms); LAMMPS: {steps} steps, final max atom force {maxAtomForce:G3} eV/Å"));

        // The same potential: one energy to rounding (analytic on both sides).
        Assert.Equal(ends["E0"], Energy(potential, initial), 1e-8);
        Assert.Equal(ends["Ei"], ours.InitialEnergy, 1e-6);
        Assert.Equal(ends["Ef"], ours.FinalEnergy, 1e-6);
        Assert.True(ours.Band.Converged, ours.Band.Reason);
        Assert.True(maxAtomForce < 1e-3, $"LAMMPS's band did not converge (max atom force {maxAtomForce} eV/Å)");
        // Measured: 6e-8 eV apart (both bands converged far below the tolerance's effect on the saddle energy).
        Assert.Equal(forward, ours.ForwardBarrier, 1e-5);
        Assert.Equal(backward, ours.BackwardBarrier, 1e-5);
    }

    [NeedsFact(External.SpglibLibrary)]
    public void With_a_symmetry_tolerance_the_result_says_whether_the_two_sites_are_equivalent()
    {
        var potential = LiTlPairModel.Potential();
        var crystal = LiTlPairModel.Crystal(3);
        var (origin, neighbour) = (LiTlPairModel.AtomAt(crystal, Vec3.Zero), LiTlPairModel.AtomAt(crystal, new Vec3(A, 0, 0)));
        var symmetric = VacancyHopBarrier.Run(potential, crystal, neighbour, origin, new NebSettings { IntermediateImages = 3, ForceTolerance = 1e-3 }, symprec: 1e-3);
        Assert.True(symmetric.EquivalentSites);
        Assert.Equal("Pm-3m", symmetric.SpaceGroup);
        Assert.Equal(1e-3, symmetric.SymmetryTolerance);
        Assert.True(symmetric.Band.Converged, symmetric.Band.Reason);
        Assert.Equal(symmetric.InitialEnergy, symmetric.FinalEnergy, 1e-6);
        Assert.DoesNotContain("another minimum", symmetric.Band.Reason);

        // A Tl next to the origin (the body centre at −a/2(1,1,1)) made Li: the origin's site is no longer like a[100]'s.
        var substituted = crystal.Clone();
        var centre = LiTlPairModel.AtomAt(substituted, new Vec3(-A / 2, -A / 2, -A / 2));
        Assert.Equal("Tl", substituted.Species[centre]);
        substituted.Species[centre] = "Li";
        var inequivalent = VacancyHopBarrier.Run(potential, substituted, neighbour, origin, new NebSettings { IntermediateImages = 3, MaxSteps = 2 }, symprec: 1e-3);
        Assert.False(inequivalent.EquivalentSites);
        Assert.Equal("Pm-3m", inequivalent.SpaceGroup); // one substitution keeps the cubic group of the supercell about the substituted site

        // Without a tolerance, nothing is said about the symmetry.
        var unchecked_ = VacancyHopBarrier.Run(potential, crystal, neighbour, origin, new NebSettings { IntermediateImages = 3, MaxSteps = 2 });
        Assert.Null(unchecked_.EquivalentSites);
        Assert.Null(unchecked_.SpaceGroup);
    }

    [Fact]
    public void Endpoint_displacements_name_the_atoms_that_move_with_the_hopper_in_the_crystals_numbering()
    {
        // A made-up band of 4 atoms (crystal of 5, atom 1 emptied): the hopper (crystal atom 3 = endpoint index 2)
        // moves 2.5 Å, crystal atom 4 (endpoint 3) 0.8 Å across the periodic boundary, crystal atom 0 by 0.2 Å.
        var cell = Cell.Orthorhombic(10, 10, 10);
        var initial = new Structure(cell, [new Vec3(1, 1, 1), new Vec3(3, 1, 1), new Vec3(5, 1, 1), new Vec3(9.7, 1, 1)], ["Li", "Li", "Li", "Li"]);
        var final = new Structure(cell, [new Vec3(1.2, 1, 1), new Vec3(3, 1, 1), new Vec3(2.5, 1, 1), new Vec3(0.5, 1, 1)], ["Li", "Li", "Li", "Li"]);
        var band = new NebResult([initial, final], [0, 0], [0, 1], 0, -1, 0, 1, true, "made up");
        var result = new VacancyHopResult(band, FromAtom: 3, ToAtom: 1, "Li", 2.5, 0, 0, 0, 0);
        Assert.Equal(2, VacancyHopBarrier.HopperIndex(result));
        var d = VacancyHopBarrier.EndpointDisplacements(result);
        Assert.Equal([0.2, 0, 2.5, 0.8], d.Select(x => Math.Round(x, 12)));
        Assert.Equal([4], VacancyHopBarrier.MovingWithHopper(result, 0.5));
        Assert.Equal([4, 0], VacancyHopBarrier.MovingWithHopper(result, 0.1));
    }
}
