using System.Globalization;
using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Properties;

/// <summary>Finite-displacement phonons of fcc Cu (Mishin's EAM) against phonopy driven by LAMMPS forces, and their own consistency.</summary>
public class PhononTests(ITestOutputHelper output)
{
    private static IPotential Mishin => PotentialFactory.Create(LammpsBulkScript.MishinCu);

    /// <summary>
    /// phonopy with forces from LAMMPS through ASE's lammpsrun calculator. Arguments: work folder, lattice constant a, supercell n,
    /// the EAM/alloy file, then fractional q-points as "qx,qy,qz". The primitive fcc cell in an n×n×n supercell, phonopy's own
    /// displacements (0.01 Å) and force constants; prints the frequencies (THz) at each q, one line each.
    /// </summary>
    private const string PhonopyScript = """
import sys, os
import numpy as np
from phonopy import Phonopy
from phonopy.structure.atoms import PhonopyAtoms
from ase import Atoms
from ase.calculators.lammpsrun import LAMMPS
folder, a, n, potential = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
qpoints = [[float(x) for x in q.split(",")] for q in sys.argv[5:]]
h = a / 2
unit = PhonopyAtoms(symbols=["Cu"], cell=[[0, h, h], [h, 0, h], [h, h, 0]], scaled_positions=[[0, 0, 0]])
ph = Phonopy(unit, supercell_matrix=np.diag([n, n, n]))
ph.generate_displacements(distance=0.01)
calc = LAMMPS(command="/usr/bin/lmp", pair_style="eam/alloy", pair_coeff=["* * %s Cu" % potential], files=[potential],
              specorder=["Cu"], tmp_dir=os.path.join(folder, "lammps"))
forces = []
for s in ph.supercells_with_displacements:
    atoms = Atoms(s.symbols, cell=s.cell, positions=s.positions, pbc=True)
    atoms.calc = calc
    forces.append(atoms.get_forces())
ph.forces = np.array(forces)
ph.produce_force_constants()
for q in qpoints:
    print(" ".join(repr(float(f)) for f in ph.get_frequencies(q)))
""";

    [NeedsFact(External.Lammps | External.Ase | External.Phonopy)]
    public void FrequenciesAtXLKMatchPhonopyWithLammpsForces()
    {
        var a = Bulk.CubicLatticeConstant(Mishin, "Cu", CubicLattice.Fcc).A;
        // 4×4×4 rather than the default 6: phonopy's symmetry set-up is several times faster, and K (not commensurate)
        // then depends more on how images are shared, which is what this compares.
        const int n = 4;
        var ours = Phonons.Fcc(Mishin, "Cu", a, n, points: 20);
        var primitive = Lattices.FccPrimitive("Cu", a);
        var points = new[] { ("X", ours.X), ("L", ours.L), ("K", ours.K) };
        var qArguments = points.Select(p =>
        {
            var f = Phonons.ReciprocalFractional(primitive.Cell, Phonons.FccPoint(p.Item1, a).Q);
            return FormattableString.Invariant($"{f.X:R},{f.Y:R},{f.Z:R}");
        });
        var reference = AsePython.Run(PhonopyScript, [TestData.TempDir(), a.ToString("R", CultureInfo.InvariantCulture),
                n.ToString(CultureInfo.InvariantCulture), LammpsBulkScript.MishinCu, .. qArguments])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        for (var k = 0; k < points.Length; k++)
        {
            var (label, f) = points[k];
            output.WriteLine($"{label}: ours {string.Join(" ", f.Select(x => x.ToString("F5", CultureInfo.InvariantCulture)))} THz; " +
                             $"phonopy {string.Join(" ", reference[k].Select(x => x.ToString("F5", CultureInfo.InvariantCulture)))} THz");
            for (var b = 0; b < 3; b++) Assert.Equal(reference[k][b], f[b], 0.05);
        }
    }

    [Fact]
    public void DefaultSupercellIsConverged()
    {
        var a = Bulk.CubicLatticeConstant(Mishin, "Cu", CubicLattice.Fcc).A;
        var results = new[] { 4, 6, 8 }.Select(n => Phonons.Fcc(Mishin, "Cu", a, n, points: 20)).ToArray();
        foreach (var r in results)
            output.WriteLine(FormattableString.Invariant(
                $"n = {r.Supercell}: X {r.X[0]:F4} {r.X[2]:F4}  L {r.L[0]:F4} {r.L[2]:F4}  K {r.K[0]:F4} {r.K[1]:F4} {r.K[2]:F4} THz"));
        var (six, eight) = (results[1], results[2]);
        foreach (var (p, q) in new[] { (six.X, eight.X), (six.L, eight.L), (six.K, eight.K) })
            for (var b = 0; b < 3; b++) Assert.Equal(q[b], p[b], 0.005);
    }

    [Fact]
    public void AcousticSumRuleAndPathAreConsistent()
    {
        var a = 3.615;
        var withRule = Phonons.ComputeForceConstants(Mishin, Lattices.FccPrimitive("Cu", a), 4, 4, 4);
        var gamma = withRule.Frequencies(Vec3.Zero);
        Assert.All(gamma, f => Assert.True(Math.Abs(f) < 1e-5, $"Γ frequency {f} THz with the sum rule"));
        // The self term is then minus the sum of the others.
        for (var x = 0; x < 3; x++)
            for (var y = 0; y < 3; y++)
                Assert.Equal(0, Enumerable.Range(0, withRule.Supercell.Count).Sum(j => withRule[0, j, x, y]), 1e-10);

        var dispersion = Phonons.Dispersion(withRule, Phonons.FccPath(a), 60);
        Assert.Equal(["Γ", "X", "K", "Γ", "L"], dispersion.Labels.Select(l => l.Label));
        // X at (0,0,1) and (1,1,0) 2π/a are the same point, so the path is continuous there.
        var x1 = withRule.Frequencies(Phonons.FccPoint("X", a).Q);
        var x2 = withRule.Frequencies(2 * Math.PI / a * new Vec3(1, 1, 0));
        for (var b = 0; b < 3; b++) Assert.Equal(x1[b], x2[b], 1e-9);
        // Transverse branches along Γ–X and Γ–L are degenerate by symmetry; frequencies are real everywhere.
        Assert.Equal(x1[0], x1[1], 1e-9);
        Assert.All(dispersion.Frequencies.SelectMany(f => f), f => Assert.True(f > -1e-5));
        Assert.Equal(dispersion.Distances.Length, dispersion.Frequencies.Length);
    }

    /// <summary>The dynamical matrix summed over a supercell at its commensurate q equals the one from a bigger supercell, where images do not matter.</summary>
    [Fact]
    public void ConventionalCellFoldsThePrimitiveBranches()
    {
        var a = 3.615;
        var primitive = Phonons.ComputeForceConstants(Mishin, Lattices.FccPrimitive("Cu", a), 6, 6, 6);
        var conventional = Phonons.ComputeForceConstants(Mishin, Lattices.FccConventional("Cu", a), 3, 3, 3);
        // X (0,0,1) 2π/a is Γ of the conventional cell: its 12 modes are Γ and the three X points of the primitive cell.
        var folded = conventional.Frequencies(Vec3.Zero);
        var expected = new[] { new Vec3(0, 0, 1), new Vec3(0, 1, 0), new Vec3(1, 0, 0) }
            .SelectMany(q => primitive.Frequencies(2 * Math.PI / a * q)).Concat(primitive.Frequencies(Vec3.Zero)).OrderBy(f => f).ToArray();
        output.WriteLine(string.Join(" ", folded.Select(f => f.ToString("F4", CultureInfo.InvariantCulture))));
        for (var k = 0; k < 12; k++) Assert.Equal(expected[k], folded[k], 0.01);
    }
}
