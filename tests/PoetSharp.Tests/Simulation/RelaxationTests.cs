using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Simulation;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Simulation;

public class RelaxationTests
{
    private static IPotential SuttonChen => PotentialFactory.Create("sc");

    [Fact]
    public void RattledFccReturnsToThePerfectLattice()
    {
        var sc = SuttonChen;
        var a = CubicReference.LatticeConstant(sc, CubicLattice.Fcc);
        var perfect = Builders.Fcc("Cu", a, 3);
        var rattled = Builders.Rattled(perfect, 0.15, seed: 4);
        var result = Relaxation.Run(sc, rattled, new RelaxationSettings { ForceTolerance = 1e-6 });

        Assert.True(result.Converged, result.Reason);
        Assert.True(result.MaxForce < 1e-6);
        Assert.Equal(sc.Energy(perfect), result.Energy, 8);
        // Back on the lattice up to a common translation.
        var shift = result.Structure.Positions[0] - perfect.Positions[0];
        for (var i = 0; i < perfect.Count; i++)
            Assert.True((result.Structure.Positions[i] - shift - perfect.Positions[i]).Length < 1e-4, $"atom {i} off its site");
        // The input is not modified.
        Assert.Equal(Builders.Rattled(perfect, 0.15, seed: 4).Positions, rattled.Positions);
    }

    [Theory]
    [InlineData(CellRelaxation.Isotropic)]
    [InlineData(CellRelaxation.Anisotropic)]
    [InlineData(CellRelaxation.Full)]
    public void CellRelaxationOfStrainedFccRecoversTheLatticeConstant(CellRelaxation mode)
    {
        var sc = SuttonChen;
        var a0 = CubicReference.LatticeConstant(sc, CubicLattice.Fcc);
        // Strain the cube: isotropic 3 %; otherwise unequal normal strains and (full) a shear.
        var start = Builders.Fcc("Cu", a0, 2);
        double[] m = mode switch
        {
            CellRelaxation.Isotropic => [1.03, 0, 0, 0, 1.03, 0, 0, 0, 1.03],
            CellRelaxation.Anisotropic => [1.03, 0, 0, 0, 0.98, 0, 0, 0, 1.01],
            _ => [1.03, 0.01, 0, 0.01, 0.98, 0.02, 0, 0.02, 1.01],
        };
        var cell = start.Cell.Transform(m);
        var positions = start.Positions.Select(p => cell.ToCartesian(start.Cell.ToFractional(p))).ToArray();
        var strained = Builders.Rattled(new Structure(cell, positions, start.Species), 0.05, 1);

        var result = Relaxation.Run(sc, strained, new RelaxationSettings { Cell = mode, ForceTolerance = 1e-6, StressTolerance = 1e-8 });

        Assert.True(result.Converged, result.Reason);
        var relaxed = result.Structure.Cell;
        // Volume per atom of the zero-pressure crystal, and (anisotropic, full) a cubic cell again.
        Assert.Equal(a0 * a0 * a0 / 4, relaxed.Volume / result.Structure.Count, 6);
        if (mode != CellRelaxation.Isotropic)
        {
            Assert.Equal(2 * a0, relaxed.A.Length, 5);
            Assert.Equal(2 * a0, relaxed.B.Length, 5);
            Assert.Equal(2 * a0, relaxed.C.Length, 5);
            Assert.Equal(0, Vec3.Dot(relaxed.A, relaxed.B) / (4 * a0 * a0), 6);
        }
        Assert.Equal(CubicReference.EnergyPerAtom(sc, CubicLattice.Fcc, a0) * result.Structure.Count, result.Energy, 7);
    }

    [Fact]
    public void LatticeConstantIsTheMinimumOfAOneDimensionalScan()
    {
        var sc = SuttonChen;
        var a0 = CubicReference.LatticeConstant(sc, CubicLattice.Fcc);
        var scan = Enumerable.Range(-20, 41).Select(i => a0 + 1e-4 * i).ToArray();
        var energies = scan.Select(a => CubicReference.EnergyPerAtom(sc, CubicLattice.Fcc, a)).ToArray();
        Assert.Equal(20, Array.IndexOf(energies, energies.Min()));
        // Sutton–Chen with a = 3.61 Å parameters: equilibrium close to 3.61.
        Assert.InRange(a0, 3.55, 3.67);
    }

    [Fact]
    public void MobilityMaskKeepsFixedComponents()
    {
        var sc = SuttonChen;
        var a0 = CubicReference.LatticeConstant(sc, CubicLattice.Fcc);
        var rattled = Builders.Rattled(Builders.Fcc("Cu", a0, 2), 0.1, 7);
        var mask = RelaxationSettings.AlongZ(rattled.Count);
        mask[0] = Vec3.Zero;
        var result = Relaxation.Run(sc, rattled, new RelaxationSettings { Mobility = mask, ForceTolerance = 1e-6 });

        Assert.True(result.Converged, result.Reason);
        Assert.Equal(rattled.Positions[0], result.Structure.Positions[0]);
        for (var i = 0; i < rattled.Count; i++)
        {
            Assert.Equal(rattled.Positions[i].X, result.Structure.Positions[i].X);
            Assert.Equal(rattled.Positions[i].Y, result.Structure.Positions[i].Y);
            if (i > 0) Assert.True(Math.Abs(result.Structure.Forces![i].Z) < 1e-6);
        }
    }

    [Fact]
    public void FailureIsReportedWithAReason()
    {
        var sc = SuttonChen;
        var rattled = Builders.Rattled(Builders.Fcc("Cu", 3.6, 2), 0.2, 3);
        var result = Relaxation.Run(sc, rattled, new RelaxationSettings { MaxSteps = 5 });
        Assert.False(result.Converged);
        Assert.Contains("not converged after 5 steps", result.Reason);
        Assert.Throws<ArgumentException>(() => Relaxation.Run(sc, rattled, new RelaxationSettings { Mobility = new Vec3[3] }));
    }

    // A model attractive at every distance has no stable state: the cell would shrink without end, each
    // neighbour-list rebuild holding more pairs, until memory ran out. The relaxation stops and says why instead.
    [Theory]
    [InlineData(CellRelaxation.Isotropic)]
    [InlineData(CellRelaxation.Full)]
    public void ACollapseStopsTheRelaxationWithAReason(CellRelaxation mode)
    {
        var attractive = Properties.TargetObjectiveTests.Model("-1*sum(r^-1)");
        var result = Relaxation.Run(attractive, Builders.Fcc("Cu", 3.6, 2), new RelaxationSettings { Cell = mode, MaxSteps = 200000 });
        Assert.False(result.Converged);
        Assert.Contains("the cell collapsed", result.Reason);
        Assert.True(result.Steps < 20000, result.Reason);
    }
}
