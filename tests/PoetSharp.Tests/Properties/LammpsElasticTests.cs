using System.Globalization;
using System.Text;
using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// Elastic constants of Mishin's Cu against LAMMPS: relax the box, then, as LAMMPS's examples/ELASTIC does, deform the box by
/// ±strain along each Voigt direction (change_box … remap; shears as tilts), minimise the positions, and difference the
/// pressure tensor. Our side uses symmetric strains; the difference (a rotation) does not change the constants of a stress-free crystal.
/// </summary>
public class LammpsElasticTests(ITestOutputHelper output)
{
    private static IPotential Mishin => PotentialFactory.Create(LammpsBulkScript.MishinCu);
    private const double Strain = 1e-4;

    private static double[,] LammpsConstants(string lattice, double a, string couple, int nx, int ny, int nz)
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append($"boundary p p p\nlattice {lattice} {F(a)}\nregion box block 0 {nx} 0 {ny} 0 {nz}\ncreate_box 1 box\ncreate_atoms 1 box\n");
        sb.Append(LammpsBulkScript.MishinSetup);
        // The pressure tensor printed after each minimisation must be one that thermo output has just computed.
        sb.Append("thermo_style custom step pe pxx pyy pzz pyz pxz pxy\n");
        sb.Append($"fix relax all box/relax {couple} 0.0 vmax 0.001\nmin_modify line quadratic\nminimize 0.0 1.0e-10 1000 10000\nunfix relax\n");
        sb.Append("change_box all triclinic\n");
        sb.Append("variable lx0 equal $(lx)\nvariable ly0 equal $(ly)\nvariable lz0 equal $(lz)\n");
        sb.Append($"variable d equal {F(Strain)}\n");
        string[] deform =
        [
            "x delta 0 $({0}v_d*v_lx0)", "y delta 0 $({0}v_d*v_ly0)", "z delta 0 $({0}v_d*v_lz0)",
            "yz delta $({0}v_d*v_lz0)", "xz delta $({0}v_d*v_lz0)", "xy delta $({0}v_d*v_ly0)",
        ];
        string[] pressures = ["pxx", "pyy", "pzz", "pyz", "pxz", "pxy"];
        for (var j = 0; j < 6; j++)
            foreach (var (sign, undo, tag) in new[] { ("", "-", "p"), ("-", "", "m") })
            {
                sb.Append($"change_box all {string.Format(CultureInfo.InvariantCulture, deform[j], sign)} remap units box\n");
                sb.Append("minimize 0.0 1.0e-12 1000 10000\n");
                for (var i = 0; i < 6; i++) sb.Append(LammpsBulkScript.Print($"{tag}{j}_{i}", pressures[i]));
                sb.Append($"change_box all {string.Format(CultureInfo.InvariantCulture, deform[j], undo)} remap units box\n");
            }
        var values = LammpsBulkScript.Run(sb.ToString());
        var c = new double[6, 6];
        for (var i = 0; i < 6; i++)
            for (var j = 0; j < 6; j++)
                // Pressure is compression positive, in bar (1 GPa = 10⁴ bar).
                c[i, j] = -(values[$"p{j}_{i}"] - values[$"m{j}_{i}"]) / (2 * Strain) / 1e4;
        for (var i = 0; i < 6; i++)
            for (var j = i + 1; j < 6; j++)
                c[i, j] = c[j, i] = 0.5 * (c[i, j] + c[j, i]);
        return c;
    }

    private void Compare(ElasticConstantsResult ours, double[,] lammps)
    {
        var worst = 0.0;
        for (var i = 0; i < 6; i++)
        {
            output.WriteLine(string.Join("  ", Enumerable.Range(0, 6).Select(j => FormattableString.Invariant($"{ours.C[i, j],9:F3} ({lammps[i, j],9:F3})"))));
            for (var j = 0; j < 6; j++) worst = Math.Max(worst, Math.Abs(ours.C[i, j] - lammps[i, j]));
        }
        output.WriteLine($"largest difference {worst:G3} GPa; asymmetry before symmetrising {ours.MaxAsymmetry:G3} GPa");
        for (var i = 0; i < 6; i++)
            for (var j = 0; j < 6; j++)
                Assert.True(Math.Abs(ours.C[i, j] - lammps[i, j]) < 0.5, $"C{i + 1}{j + 1}: ours {ours.C[i, j]} GPa, LAMMPS {lammps[i, j]} GPa");
    }

    [LammpsFact]
    public void FccElasticConstantsMatchLammps()
    {
        var ours = Elastic.Cubic(Mishin, "Cu");
        output.WriteLine($"C11 {ours.C11:F3}  C12 {ours.C12:F3}  C44 {ours.C44:F3}  BVRH {ours.BulkHill:F3} GPa");
        Compare(ours, LammpsConstants("fcc", 3.615, "iso", 3, 3, 3));
    }

    [LammpsFact]
    public void BccElasticConstantsMatchLammps()
    {
        var ours = Elastic.Cubic(Mishin, "Cu", CubicLattice.Bcc);
        output.WriteLine($"C11 {ours.C11:F3}  C12 {ours.C12:F3}  C44 {ours.C44:F3} GPa");
        Compare(ours, LammpsConstants("bcc", 2.868, "iso", 4, 4, 4));
    }

    /// <summary>hcp needs the internal relaxation: its atoms are not centres of inversion, so shears move the two sublattices.</summary>
    [LammpsFact]
    public void HcpElasticConstantsWithRelaxedPositionsMatchLammps()
    {
        var hcp = Bulk.HcpLatticeConstants(Mishin, "Cu");
        var relaxed = Elastic.Compute(Mishin, hcp.Cell(), relaxPositions: TestRelaxer.Fire(Mishin), structureName: "HCP");
        var unrelaxed = Elastic.Compute(Mishin, hcp.Cell(), structureName: "HCP");
        output.WriteLine($"unrelaxed C11 {unrelaxed[1, 1]:F3} C12 {unrelaxed[1, 2]:F3} C66 {unrelaxed[6, 6]:F3}; relaxed C11 {relaxed[1, 1]:F3} C12 {relaxed[1, 2]:F3} C66 {relaxed[6, 6]:F3}");
        Compare(relaxed, LammpsConstants("hcp", 2.556, "aniso", 3, 2, 2));
        Assert.True(Math.Abs(relaxed[1, 1] - unrelaxed[1, 1]) > 0.5, "internal relaxation should lower hcp's C11");
    }
}
