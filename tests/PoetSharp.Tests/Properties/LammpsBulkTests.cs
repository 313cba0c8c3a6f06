using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Properties;

/// <summary>Lattice constants, energies and elastic constants of Mishin's Cu against LAMMPS (box/relax + minimize, stress–strain).</summary>
public class LammpsBulkTests(ITestOutputHelper output)
{
    private static IPotential Mishin => PotentialFactory.Create(LammpsBulkScript.MishinCu);

    /// <summary>Relaxes an n×n×n LAMMPS lattice with box/relax (iso or aniso) and prints the box edges and the energy per atom.</summary>
    private static IReadOnlyDictionary<string, double> RelaxInLammps(string lattice, double a, string couple, int nx, int ny, int nz) =>
        LammpsBulkScript.Run(
            "boundary p p p\n" +
            $"lattice {lattice} {a.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n" +
            $"region box block 0 {nx} 0 {ny} 0 {nz}\ncreate_box 1 box\ncreate_atoms 1 box\n" +
            LammpsBulkScript.MishinSetup +
            $"fix relax all box/relax {couple} 0.0 vmax 0.001\n" +
            "min_modify line quadratic\n" +
            "minimize 0.0 1.0e-10 1000 10000\n" +
            "unfix relax\nminimize 0.0 1.0e-10 1000 10000\n" +
            LammpsBulkScript.Print("lx", "lx") + LammpsBulkScript.Print("ly", "ly") + LammpsBulkScript.Print("lz", "lz") +
            LammpsBulkScript.Print("pe", "pe/atoms") + LammpsBulkScript.Print("press", "press"));

    [LammpsTheory]
    [InlineData(CubicLattice.Fcc, "fcc", 3.6)]
    [InlineData(CubicLattice.Bcc, "bcc", 2.88)]
    public void CubicLatticeConstantAndEnergyMatchLammps(CubicLattice lattice, string lammpsName, double start)
    {
        var ours = Bulk.CubicLatticeConstant(Mishin, "Cu", lattice);
        var lammps = RelaxInLammps(lammpsName, start, "iso", 4, 4, 4);
        var a = lammps["lx"] / 4;
        output.WriteLine($"{lattice}: a = {ours.A:F8} Å (LAMMPS {a:F8}, residual pressure {lammps["press"]:G3} bar), E = {ours.EnergyPerAtom:F8} eV/atom (LAMMPS {lammps["pe"]:F8}); {ours.Evaluations} evaluations");
        Assert.Equal(a, ours.A, 5e-4);
        Assert.Equal(lammps["pe"], ours.EnergyPerAtom, 1e-3);
        Assert.True(Math.Abs(ours.ResidualPressure) < 1e-6, $"residual pressure {ours.ResidualPressure} GPa");
    }

    [LammpsFact]
    public void HcpLatticeConstantsMatchLammps()
    {
        var ours = Bulk.HcpLatticeConstants(Mishin, "Cu");
        // LAMMPS's hcp lattice: orthogonal 4-atom cell a × √3 a × c at the ideal c/a; box/relax aniso lets c/a change.
        var lammps = RelaxInLammps("hcp", 2.55, "aniso", 4, 2, 2);
        double a = lammps["lx"] / 4, c = lammps["lz"] / 2;
        output.WriteLine($"hcp: a = {ours.A:F8} Å (LAMMPS {a:F8}, b/√3 {lammps["ly"] / 2 / Math.Sqrt(3):F8}), c = {ours.C:F8} Å (LAMMPS {c:F8}), c/a = {ours.CoverA:F6}, " +
                         $"E = {ours.EnergyPerAtom:F8} eV/atom (LAMMPS {lammps["pe"]:F8}); {ours.Evaluations} evaluations");
        Assert.Equal(a, ours.A, 5e-4);
        Assert.Equal(c, ours.C, 5e-4);
        Assert.Equal(lammps["pe"], ours.EnergyPerAtom, 1e-3);
    }
}
