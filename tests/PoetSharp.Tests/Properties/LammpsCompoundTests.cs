using System.Globalization;
using System.Text;
using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// Compound and alloy properties of published multi-element EAMs read by our <see cref="Eam"/> against LAMMPS with the same
/// setfl files: Mishin's Ni–Al (NiAlH_jea.eam.alloy, Angelo–Moody–Baskes) for B2 NiAl, L1₂ Ni₃Al and L1₀ NiAl, and Onat–Durukanoglu's
/// Cu–Ni (CuNi.eam.alloy) for a random fcc Cu₀.₅Ni₀.₅. LAMMPS relaxes each crystal with fix box/relax and minimize, takes each
/// element's lowest of fcc, bcc and hcp for the formation energies, and differences its pressure tensor over ±1e-4 strains with
/// minimised positions for the elastic constants (as LAMMPS's examples/ELASTIC does).
/// </summary>
public class LammpsCompoundTests(ITestOutputHelper output)
{
    private static string NiAl => Lammps.Potential("NiAlH_jea.eam.alloy");
    private static string CuNi => Lammps.Potential("CuNi.eam.alloy");
    private const double Strain = 1e-4;

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A LAMMPS data file of an orthorhombic structure with atom types numbered as in <paramref name="types"/>.</summary>
    private static string DataFile(Structure s, IReadOnlyList<string> types)
    {
        var (a, b, c) = (s.Cell.A, s.Cell.B, s.Cell.C);
        if (a.Y != 0 || a.Z != 0 || b.X != 0 || b.Z != 0 || c.X != 0 || c.Y != 0) throw new ArgumentException("orthorhombic cells only");
        var sb = new StringBuilder("written by the PoetSharp compound tests\n\n");
        sb.Append($"{s.Count} atoms\n{types.Count} atom types\n\n0 {F(a.X)} xlo xhi\n0 {F(b.Y)} ylo yhi\n0 {F(c.Z)} zlo zhi\n\nMasses\n\n");
        for (var t = 0; t < types.Count; t++) sb.Append($"{t + 1} {F(Elements.Mass(types[t]))}\n");
        sb.Append("\nAtoms # atomic\n\n");
        for (var i = 0; i < s.Count; i++)
            sb.Append($"{i + 1} {IndexOf(types, s.Species[i]) + 1} {F(s.Positions[i].X)} {F(s.Positions[i].Y)} {F(s.Positions[i].Z)}\n");
        return sb.ToString();
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == item) return i;
        throw new ArgumentException($"no type for {item}");
    }

    /// <summary>
    /// Relaxes the structure (replicated n×n×n) in LAMMPS with box/relax (<paramref name="couple"/>) and minimize, prints the box and
    /// the energy per atom; with <paramref name="elastic"/> then the pressure tensors of the ±strained, minimised boxes.
    /// </summary>
    private static LammpsOutput Relax(Structure s, string file, IReadOnlyList<string> types, int n, string couple, bool elastic = false)
    {
        var sb = new StringBuilder(LammpsScript.Header);
        sb.Append("read_data data.lmp\n");
        sb.Append($"pair_style eam/alloy\npair_coeff * * {file} {string.Join(" ", types)}\n");
        if (n > 1) sb.Append($"replicate {n} {n} {n}\n");
        sb.Append("thermo_style custom step pe press pxx pyy pzz pyz pxz pxy lx ly lz\n");
        if (couple == "tri") sb.Append("change_box all triclinic\n");
        sb.Append($"fix relax all box/relax {couple} 0.0 vmax 0.001\nmin_modify line quadratic\nminimize 0.0 1.0e-12 10000 100000\nunfix relax\n");
        sb.Append($"fix relax all box/relax {couple} 0.0 vmax 0.0001\nminimize 0.0 1.0e-12 10000 100000\nunfix relax\n");
        sb.Append("minimize 0.0 1.0e-12 10000 100000\n");
        foreach (var q in new[] { "lx", "ly", "lz", "press", "pxx", "pyy", "pzz" }) sb.Append(LammpsScript.Print(q, q));
        sb.Append(LammpsScript.Print("pe", "pe/atoms"));
        if (elastic)
        {
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
                    sb.Append("minimize 0.0 1.0e-12 10000 100000\n");
                    for (var i = 0; i < 6; i++) sb.Append(LammpsScript.Print($"{tag}{j}_{i}", pressures[i]));
                    sb.Append($"change_box all {string.Format(CultureInfo.InvariantCulture, deform[j], undo)} remap units box\n");
                }
        }
        return LammpsScript.Run(sb.ToString(), new Dictionary<string, string> { ["data.lmp"] = DataFile(s, types) });
    }

    /// <summary>C_ij (GPa) from the printed pressures (bar, compression positive).</summary>
    private static double[,] Constants(LammpsOutput o)
    {
        var c = new double[6, 6];
        for (var i = 0; i < 6; i++)
            for (var j = 0; j < 6; j++)
                c[i, j] = -(o[$"p{j}_{i}"] - o[$"m{j}_{i}"]) / (2 * Strain) / 1e4;
        return c;
    }

    /// <summary>The element's lowest relaxed energy per atom (eV/atom) in LAMMPS among fcc, bcc and hcp, with the structure's name.</summary>
    private (string Structure, double Energy) LammpsGroundState(string file, IReadOnlyList<string> types, string element, double fccA)
    {
        var found = new List<(string, double)>();
        foreach (var (name, cell, couple) in new[]
                 {
                     ("FCC", Lattices.Fcc(element, fccA, 1, 1, 1), "iso"),
                     ("BCC", Lattices.Bcc(element, fccA / Math.Pow(2, 1.0 / 3), 1, 1, 1), "iso"),
                     ("HCP", HcpOrthogonal(element, fccA / Math.Sqrt(2)), "aniso"),
                 })
        {
            var o = Relax(cell, file, types, name == "HCP" ? 3 : 4, couple);
            output.WriteLine($"LAMMPS {element} {name}: {o["pe"]:F8} eV/atom (pressure {o["press"]:G3} bar)");
            found.Add((name, o["pe"]));
        }
        return found.MinBy(f => f.Item2);
    }

    /// <summary>The orthogonal 4-atom hcp cell a × √3 a × c at the ideal c/a (LAMMPS's lattice hcp).</summary>
    private static Structure HcpOrthogonal(string element, double a)
    {
        var c = Lattices.IdealCoverA * a;
        var b = Math.Sqrt(3) * a;
        Vec3[] basis = [new(0, 0, 0), new(0.5, 0.5, 0), new(0.5, 5.0 / 6, 0.5), new(0, 1.0 / 3, 0.5)];
        return new Structure(Cell.Orthorhombic(a, b, c), basis.Select(p => new Vec3(p.X * a, p.Y * b, p.Z * c)).ToArray(),
            Enumerable.Repeat(element, 4).ToArray(), "hcp orthogonal");
    }

    [LammpsTheory]
    [InlineData("B2:NiAl")]
    [InlineData("L12:Ni3Al")]
    public void CubicNiAlCompoundsMatchLammps(string text)
    {
        var eam = Eam.FromFile(NiAl);
        var types = eam.Species!.ToArray();
        var spec = CompoundSpec.Parse(text);
        var ours = Compounds.Compute(eam, spec);
        foreach (var (v, details) in ours.Values()) output.WriteLine($"ours {v}  [{details}]");

        var lammps = Relax(spec.Cell(ours.Lattice.A * 1.01), NiAl, types, 3, "aniso", elastic: true);
        var a = lammps["lx"] / 3;
        var groundNi = LammpsGroundState(NiAl, types, "Ni", 3.52);
        var groundAl = LammpsGroundState(NiAl, types, "Al", 4.05);
        var (xA, xB) = (spec.Composition[0].Fraction, spec.Composition[1].Fraction);
        var formation = lammps["pe"] - xA * groundNi.Energy - xB * groundAl.Energy;
        var c = Constants(lammps);
        double C11 = (c[0, 0] + c[1, 1] + c[2, 2]) / 3, C12 = (c[0, 1] + c[0, 2] + c[1, 2] + c[1, 0] + c[2, 0] + c[2, 1]) / 6, C44 = (c[3, 3] + c[4, 4] + c[5, 5]) / 3;
        var e = ours.Elastic!;
        output.WriteLine(FormattableString.Invariant(
            $"{text}: a {ours.Lattice.A:F8} (LAMMPS {a:F8}, ly/3 {lammps["ly"] / 3:F8}, lz/3 {lammps["lz"] / 3:F8}) Å; E0 {ours.Lattice.EnergyPerAtom:F8} (LAMMPS {lammps["pe"]:F8}) eV/atom; ΔH_f {ours.FormationEnergy:F8} (LAMMPS {formation:F8}) eV/atom, references ours {ours.References[0].Structure}/{ours.References[1].Structure}, LAMMPS {groundNi.Structure}/{groundAl.Structure}; C11 {e.C11:F4} ({C11:F4}) C12 {e.C12:F4} ({C12:F4}) C44 {e.C44:F4} ({C44:F4}) GPa"));
        Assert.Equal(groundNi.Structure, ours.References[0].Structure);
        Assert.Equal(groundAl.Structure, ours.References[1].Structure);
        Assert.Equal(a, ours.Lattice.A, 1e-7);
        Assert.Equal(lammps["ly"] / 3, ours.Lattice.A, 1e-7);
        Assert.Equal(lammps["pe"], ours.Lattice.EnergyPerAtom, 1e-7);
        Assert.Equal(formation, ours.FormationEnergy, 1e-7);
        Assert.Equal(C11, e.C11, 0.01);
        Assert.Equal(C12, e.C12, 0.01);
        Assert.Equal(C44, e.C44, 0.01);
    }

    /// <summary>
    /// B1 (rocksalt) NiAl: a cubic crystal this EAM holds only as a saddle (an internal displacement lowers its energy), so
    /// its lattice constant and energy are compared with LAMMPS (atoms stay on their sites by symmetry in both), and its
    /// elastic constants are refused with the reason rather than reported for a crystal that would not stay.
    /// </summary>
    [LammpsFact]
    public void RocksaltNiAlLatticeMatchesLammpsAndItsUnstableElasticConstantsAreRefused()
    {
        var eam = Eam.FromFile(NiAl);
        var types = eam.Species!.ToArray();
        var spec = CompoundSpec.Parse("B1:NiAl");
        var ours = Compounds.Compute(eam, spec, elastic: false);
        var lammps = Relax(spec.Cell(ours.Lattice.A * 1.01), NiAl, types, 3, "iso");
        output.WriteLine(FormattableString.Invariant(
            $"B1 NiAl: a {ours.Lattice.A:F8} (LAMMPS {lammps["lx"] / 3:F8}) Å; E0 {ours.Lattice.EnergyPerAtom:F8} (LAMMPS {lammps["pe"]:F8}) eV/atom"));
        Assert.Equal(lammps["lx"] / 3, ours.Lattice.A, 1e-7);
        Assert.Equal(lammps["pe"], ours.Lattice.EnergyPerAtom, 1e-7);
        var refused = Assert.Throws<InvalidOperationException>(() => Compounds.Compute(eam, spec));
        Assert.Contains("not at an internal minimum", refused.Message);
    }

    /// <summary>L1₀ NiAl: tetragonal, so a and c relax separately (LAMMPS box/relax aniso; ours the c/a search).</summary>
    [LammpsFact]
    public void TetragonalL10NiAlMatchesLammps()
    {
        var eam = Eam.FromFile(NiAl);
        var types = eam.Species!.ToArray();
        var spec = CompoundSpec.Parse("L10:NiAl");
        var full = Compounds.Compute(eam, spec);
        var ours = full.Lattice;
        var lammps = Relax(spec.Cell(ours.A * 1.01, ours.CoverA * 0.99), NiAl, types, 3, "aniso", elastic: true);
        double a = lammps["lx"] / 3, c = lammps["lz"] / 3;
        output.WriteLine(FormattableString.Invariant(
            $"L10 NiAl: a {ours.A:F8} (LAMMPS {a:F8}) c {ours.C:F8} (LAMMPS {c:F8}) c/a {ours.CoverA:F8} (LAMMPS {c / a:F8}); E0 {ours.EnergyPerAtom:F8} (LAMMPS {lammps["pe"]:F8}) eV/atom; residual {ours.ResidualStress:G3} GPa"));
        Assert.Equal(a, ours.A, 1e-6);
        Assert.Equal(c, ours.C, 1e-6);
        Assert.Equal(lammps["pe"], ours.EnergyPerAtom, 1e-7);
        Assert.True(Math.Abs(ours.CoverA - 1) > 0.01, $"c/a = {ours.CoverA}: L10 NiAl should be tetragonal");
        // The six independent constants of a tetragonal crystal, as the report gives them, against LAMMPS's stress–strain differences.
        var lc = Constants(lammps);
        var reported = full.Values().Select(v => v.Value).Where(v => v.Name.StartsWith('C')).ToDictionary(v => v.Name, v => v.Value);
        var expected = new Dictionary<string, double>
        {
            ["C11"] = 0.5 * (lc[0, 0] + lc[1, 1]), ["C12"] = 0.5 * (lc[0, 1] + lc[1, 0]), ["C13"] = 0.25 * (lc[0, 2] + lc[1, 2] + lc[2, 0] + lc[2, 1]),
            ["C33"] = lc[2, 2], ["C44"] = 0.5 * (lc[3, 3] + lc[4, 4]), ["C66"] = lc[5, 5],
        };
        foreach (var (name, value) in expected)
        {
            output.WriteLine(FormattableString.Invariant($"L10 NiAl {name}: ours {reported[name]:F4}, LAMMPS {value:F4} GPa"));
            Assert.Equal(value, reported[name], 0.01);
        }
    }

    /// <summary>
    /// A random fcc Cu₀.₅Ni₀.₅ (108 atoms, seed 1) of Onat–Durukanoglu's Cu–Ni: ours relaxed by FIRE with the full cell, LAMMPS's the same
    /// starting structure by box/relax tri and minimize; the mixing energy against each side's own element ground states.
    /// </summary>
    [LammpsFact]
    public void RandomCuNiSolutionMixingEnergyMatchesLammps()
    {
        var eam = Eam.FromFile(CuNi);
        var types = eam.Species!.ToArray();
        var spec = SolutionSpec.Parse("fcc:Cu0.5Ni0.5");
        var options = new SolutionOptions
        {
            Seeds = 1,
            Relaxation = new SolutionOptions().Relaxation with { ForceTolerance = 1e-6, StressTolerance = 1e-8 },
        };
        var ours = Compounds.Solution(eam, spec, options);
        foreach (var (v, details) in ours.Values()) output.WriteLine($"ours {v}  [{details}]");
        var vegard = 0.5 * (ours.SameLattice[0].A + ours.SameLattice[1].A);
        var start = Lattices.RandomSolution(CubicLattice.Fcc, vegard, 3, spec.Composition, seed: 1);
        var lammps = Relax(start, CuNi, types, 1, "tri");
        var groundCu = LammpsGroundState(CuNi, types, "Cu", 3.61);
        var groundNi = LammpsGroundState(CuNi, types, "Ni", 3.52);
        var mixing = lammps["pe"] - 0.5 * groundCu.Energy - 0.5 * groundNi.Energy;
        var sample = ours.Samples[0];
        output.WriteLine(FormattableString.Invariant(
            $"fcc Cu0.5Ni0.5 seed 1: E {sample.EnergyPerAtom:F8} (LAMMPS {lammps["pe"]:F8}) eV/atom; V {sample.VolumePerAtom:F6} (LAMMPS {lammps["lx"] * lammps["ly"] * lammps["lz"] / 108:F6}) Å³/atom; ΔH_mix {sample.MixingEnergy:F8} (LAMMPS {mixing:F8}) eV/atom; {sample.Relaxation}"));
        Assert.True(sample.Converged);
        Assert.Equal(lammps["pe"], sample.EnergyPerAtom, 1e-7);
        Assert.Equal(mixing, sample.MixingEnergy, 1e-7);
        // Onat's Cu–Ni mixes with a small positive heat, as measured.
        Assert.InRange(sample.MixingEnergy, 0.0, 0.05);
    }
}
