using System.Diagnostics;
using System.Globalization;
using System.Text;
using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Simulation;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;
using static PoetSharp.Tests.Properties.LammpsScript;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// Defect, surface and stacking-fault energies of the Mishin Cu EAM against LAMMPS run live on the same file: vacancy
/// and dumbbell from LAMMPS's own lattice (create_atoms, delete_atoms, minimize, box/relax), surfaces and faults from our
/// geometry relaxed by LAMMPS's minimizer (the fault tilted by change_box), the migration barrier by LAMMPS's neb on
/// 7 partitions. Tolerances as issue 5 sets them: 0.01 eV, 1 mJ/m².
/// </summary>
public class DefectLammpsTests(ITestOutputHelper output)
{
    private static readonly Lazy<(IPotential Eam, double A)> Mishin = new(() => (MishinEam, CubicReference.LatticeConstant(MishinEam, CubicLattice.Fcc)));

    private void Report(string name, double ours, double lammps, string unit, long ms) =>
        output.WriteLine(FormattableString.Invariant($"{name}: ours {ours:F5}, LAMMPS {lammps:F5}, difference {ours - lammps:E2} {unit} ({ms} ms ours)"));

    private static string Lattice(double a, int n) =>
        Header + $"lattice fcc {F(a)}\nregion box block 0 {n} 0 {n} 0 {n}\ncreate_box 1 box\ncreate_atoms 1 box\n" + MishinPair
        + "run 0\n" + Print("E0", "pe") + Print("N0", "atoms")
        + "region site sphere 0 0 0 0.1 units box\ndelete_atoms region site\n";

    [LammpsFact]
    public void VacancyFormationMatchesLammpsMinimize()
    {
        var (eam, a) = Mishin.Value;
        var sw = Stopwatch.StartNew();
        var ours = Defects.VacancyFormation(eam, a);
        var ms = sw.ElapsedMilliseconds;
        var n = Defects.DefaultSupercell;
        var r = Run(Lattice(a, n) + Minimize + Print("E", "pe") + Print("N", "atoms"));
        Assert.Equal(4 * n * n * n - 1, r["N"]);
        var lammps = r["E"] - (r["N0"] - 1) / r["N0"] * r["E0"];
        Report("vacancy formation", ours.Value, lammps, "eV", ms);
        Assert.True(ours.Converged, ours.Details);
        Assert.Equal(lammps, ours.Value, 0.01);
        Assert.Equal(lammps, ours.Value, 1e-4); // in practice both minimizers agree far closer than the issue's tolerance
    }

    [LammpsFact]
    [Trait("Category", "Slow")] // 10–25 s: 500 atoms with the cell relaxed, in both codes
    public void DumbbellFormationMatchesLammpsBoxRelax()
    {
        var (eam, a) = Mishin.Value;
        var sw = Stopwatch.StartNew();
        var ours = Defects.DumbbellFormation(eam, a);
        var ms = sw.ElapsedMilliseconds;
        var half = 0.3 * a;
        var r = Run(Lattice(a, Defects.DefaultDumbbellSupercell)
            + $"create_atoms 1 single 0 0 {F(half)} units box remap yes\ncreate_atoms 1 single 0 0 {F(-half)} units box remap yes\n"
            + "fix relax all box/relax iso 0.0 vmax 0.001\n" + Minimize + Print("E", "pe") + Print("N", "atoms") + Print("P", "press"));
        var lammps = r["E"] - (r["N0"] + 1) / r["N0"] * r["E0"];
        Report("<100> dumbbell formation (zero pressure)", ours.Value, lammps, "eV", ms);
        output.WriteLine($"LAMMPS final pressure {r["P"]:G3} bar");
        Assert.True(ours.Converged, ours.Details);
        Assert.Equal(lammps, ours.Value, 0.01);
    }

    /// <summary>
    /// The ⟨100⟩ dumbbell in small cubes at constant volume, the cell a small DFT reference is often computed in: n = 2
    /// (33 atoms) is 0.52 eV above the zero-pressure limit with Mishin's EAM (3.587 against 3.064 eV). ASE's own EAM
    /// calculator (BFGS to 1e-3 eV/Å, a = 3.615 Å) gives 3.5857, 3.1995 and 3.1216 eV for n = 2, 3, 4.
    /// </summary>
    [LammpsTheory]
    [InlineData(2)]
    [InlineData(3)]
    public void ConstantVolumeDumbbellMatchesLammpsMinimize(int n)
    {
        var (eam, a) = Mishin.Value;
        var ours = Defects.DumbbellFormation(eam, a, n, cell: PoetSharp.Simulation.CellRelaxation.Fixed);
        var half = 0.3 * a;
        var r = Run(Lattice(a, n)
            + $"create_atoms 1 single 0 0 {F(half)} units box remap yes\ncreate_atoms 1 single 0 0 {F(-half)} units box remap yes\n"
            + Minimize + Print("E", "pe") + Print("N", "atoms"));
        Assert.Equal(4 * n * n * n + 1, r["N"]);
        var lammps = r["E"] - (r["N0"] + 1) / r["N0"] * r["E0"];
        Report($"<100> dumbbell formation, {n}x{n}x{n} at constant volume", ours.Value, lammps, "eV", 0);
        Assert.True(ours.Converged, ours.Details);
        Assert.Contains("constant volume", ours.Details);
        Assert.Equal(lammps, ours.Value, 1e-3);
        if (n == 2) Assert.InRange(ours.Value, 3.55, 3.62);
    }

    [LammpsTheory]
    [InlineData(1, 0, 0)]
    [InlineData(1, 1, 0)]
    [InlineData(1, 1, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 3, 2)]
    public void SurfaceEnergyMatchesLammpsMinimize(int h, int k, int l)
    {
        var (eam, a) = Mishin.Value;
        var sw = Stopwatch.StartNew();
        var ours = Surfaces.SurfaceEnergy(eam, a, h, k, l);
        var ms = sw.ElapsedMilliseconds;
        var slab = Surfaces.Slab("Cu", CubicLattice.Fcc, a, h, k, l);
        var bulk = Run(Header + $"lattice fcc {F(a)}\nregion box block 0 1 0 1 0 1\ncreate_box 1 box\ncreate_atoms 1 box\n" + MishinPair
            + "run 0\n" + Print("e", "pe/atoms"));
        var r = Run(Header + "read_data slab.data\n" + MishinPair + Minimize + Print("E", "pe") + Print("N", "atoms") + Print("A", "lx*ly"),
            new Dictionary<string, string> { ["slab.data"] = DataFile(slab) });
        var lammps = (r["E"] - r["N"] * bulk["e"]) / (2 * r["A"]) * EvPerA2InJPerM2;
        Report($"surface ({h}{k}{l})", 1000 * ours.Value, 1000 * lammps, "mJ/m²", ms);
        Assert.True(ours.Converged, ours.Details);
        Assert.Equal(1000 * lammps, 1000 * ours.Value, 1.0);
    }

    private LammpsOutput FaultInLammps(double a, double fraction)
    {
        var perfect = DefectBuilders.Fcc111("Cu", a, 1, 1, StackingFaults.DefaultRepeats);
        var u = fraction * a / Math.Sqrt(6);
        return Run(Header + "read_data perfect.data\n" + MishinPair + "run 0\n" + Print("E0", "pe")
            + $"change_box all xz final {F(u)} units box\nfix z all setforce 0.0 0.0 NULL\n" + Minimize
            + Print("E", "pe") + Print("A", "lx*ly"),
            new Dictionary<string, string> { ["perfect.data"] = DataFile(perfect) });
    }

    private static double Gamma(LammpsOutput r) => 1000 * (r["E"] - r["E0"]) / r["A"] * EvPerA2InJPerM2;

    [LammpsFact]
    public void IntrinsicStackingFaultMatchesLammps()
    {
        var (eam, a) = Mishin.Value;
        var sw = Stopwatch.StartNew();
        var ours = StackingFaults.Intrinsic(eam, a);
        var ms = sw.ElapsedMilliseconds;
        var lammps = Gamma(FaultInLammps(a, 1.0));
        Report("intrinsic stacking fault", ours.Value, lammps, "mJ/m²", ms);
        Assert.True(ours.Converged, ours.Details);
        Assert.Equal(lammps, ours.Value, 1.0);
    }

    [LammpsFact]
    public void UnstableStackingFaultMatchesLammps()
    {
        var (eam, a) = Mishin.Value;
        var sw = Stopwatch.StartNew();
        var ours = StackingFaults.Unstable(eam, a);
        var ms = sw.ElapsedMilliseconds;
        var at = double.Parse(ours.Details.Split(' ')[2], CultureInfo.InvariantCulture);
        var lammps = Gamma(FaultInLammps(a, at));
        Report($"unstable stacking fault (at {at} a/√6)", ours.Value, lammps, "mJ/m²", ms);
        // LAMMPS agrees that it is the maximum: lower on either side.
        var before = Gamma(FaultInLammps(a, at - 0.05));
        var after = Gamma(FaultInLammps(a, at + 0.05));
        output.WriteLine($"LAMMPS at ±0.05: {before:F3}, {after:F3} mJ/m²");
        Assert.True(ours.Converged, ours.Details);
        Assert.Equal(lammps, ours.Value, 1.0);
        Assert.True(before < lammps && after < lammps);
    }

    [LammpsFact]
    [Trait("Category", "Slow")] // 10–20 s: LAMMPS's neb on 7 oversubscribed MPI processes
    public void VacancyMigrationBarrierMatchesLammpsNeb()
    {
        var (eam, a) = Mishin.Value;
        var sw = Stopwatch.StartNew();
        var ours = Defects.VacancyMigration(eam, a);
        var ms = sw.ElapsedMilliseconds;

        // Endpoints relaxed by LAMMPS, then its climbing-image NEB with 7 replicas (5 intermediate, as ours).
        var (initial, final) = Defects.VacancyHop("Cu", a, Defects.DefaultMigrationSupercell);
        var hopper = Enumerable.Range(0, initial.Count).First(i => initial.Positions[i] != final.Positions[i]);
        var target = final.Positions[hopper];
        var ends = Run(Header + "read_data initial.data\n" + MishinPair + Minimize + Print("Ei", "pe") + "write_data initial_relaxed.data\n"
            + $"set atom {hopper + 1} x {F(target.X)} y {F(target.Y)} z {F(target.Z)}\n" + Minimize + Print("Ef", "pe")
            + "write_dump all custom final.dump id x y z modify sort id format float %.17g\n",
            new Dictionary<string, string> { ["initial.data"] = DataFile(initial) });
        var dump = File.ReadAllLines(Path.Combine(ends.Folder, "final.dump"));
        var atoms = dump.SkipWhile(line => !line.StartsWith("ITEM: ATOMS", StringComparison.Ordinal)).Skip(1).ToArray();
        var finalCoords = new StringBuilder().AppendLine(atoms.Length.ToString(CultureInfo.InvariantCulture));
        foreach (var line in atoms) finalCoords.AppendLine(line);
        var relaxedData = File.ReadAllText(Path.Combine(ends.Folder, "initial_relaxed.data"));

        const int replicas = 7;
        var neb = Run(Header + "read_data initial.data\n" + MishinPair + "fix band all neb 1.0\nmin_style fire\ntimestep 0.002\n"
            + "neb 0.0 1e-3 5000 5000 100 final final.txt\n",
            new Dictionary<string, string> { ["initial.data"] = relaxedData, ["final.txt"] = finalCoords.ToString() },
            partitions: replicas, expectResult: false);
        // The universe log's last line: Step MaxReplicaForce MaxAtomForce GradV0 GradV1 GradVc EBF EBR RDT RD1 PE1 …
        var last = File.ReadLines(Path.Combine(neb.Folder, "log.lammps"))
            .Where(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 9 + 2 * replicas } t && int.TryParse(t[0], out _))
            .Last().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var barrier = double.Parse(last[6], CultureInfo.InvariantCulture);
        var maxForce = double.Parse(last[2], CultureInfo.InvariantCulture);
        Report("vacancy migration barrier", ours.Value, barrier, "eV", ms);
        output.WriteLine($"LAMMPS endpoints {ends["Ei"]:F6} {ends["Ef"]:F6} eV, final max atom force {maxForce:G3} eV/Å; ours: {ours.Details}");
        Assert.True(ours.Converged, ours.Details);
        Assert.Equal(barrier, ours.Value, 0.01);
    }
}
