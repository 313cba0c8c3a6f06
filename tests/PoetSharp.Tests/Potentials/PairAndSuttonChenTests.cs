using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Potentials;

public class TaperTests
{
    [Fact]
    public void TaperIsOneInsideZeroOutsideAndSmooth()
    {
        var t = Taper.Copper;
        Assert.Equal((1.0, 0.0), t.Evaluate(2.0));
        Assert.Equal((0.0, 0.0), t.Evaluate(5.5));
        // Value and slope continuous at both radii.
        Assert.Equal(1.0, t.Evaluate(3.0 + 1e-9).Value, 7);
        Assert.Equal(0.0, t.Evaluate(5.0 - 1e-9).Value, 7);
        Assert.Equal(0.0, t.Evaluate(3.0 + 1e-9).Derivative, 6);
        Assert.Equal(0.0, t.Evaluate(5.0 - 1e-9).Derivative, 6);
        for (var r = 3.05; r < 5.0; r += 0.1)
        {
            const double h = 1e-6;
            var numeric = (t.Evaluate(r + h).Value - t.Evaluate(r - h).Value) / (2 * h);
            Assert.Equal(numeric, t.Evaluate(r).Derivative, 8);
        }
        // Midpoint value from the formula by hand: (2·16 − 27 + 25)(25 − 16)² / 16³ at r = 4.
        Assert.Equal(30.0 * 81.0 / 4096.0, t.Evaluate(4.0).Value, 14);
    }
}

public class LennardJonesTests
{
    [Fact]
    public void DimerAtTheMinimumHasEnergyMinusEpsilonAndNoForce()
    {
        var lj = new LennardJones(0.0104, 3.4, 10.0);
        var r0 = Math.Pow(2, 1.0 / 6) * 3.4;
        var dimer = new Structure(Cell.NonPeriodic(), [Vec3.Zero, new Vec3(r0, 0, 0)], ["Ar", "Ar"]);
        var res = lj.Compute(dimer);
        Assert.Equal(-0.0104, res.Energy, 14);
        Assert.True(res.Forces[0].Length < 1e-14);
        Assert.Equal(-0.0052, res.AtomEnergies[1], 14);
    }

    [Fact]
    public void ShiftedPotentialVanishesAtTheCutoff()
    {
        var lj = new LennardJones(0.0104, 3.4, 8.5, shifted: true);
        Assert.Equal(0.0, lj.Pair(8.5).Value, 15);
        Assert.Equal(new LennardJones(0.0104, 3.4, 8.5).Pair(4.0).Value - new LennardJones(0.0104, 3.4, 8.5).Pair(8.5).Value, lj.Pair(4.0).Value, 15);
    }

    public static IEnumerable<object[]> Variants() =>
    [
        [new LennardJones(0.0104, 3.4, 8.5)],
        [new LennardJones(0.0104, 3.4, 8.5, shifted: true)],
        [new LennardJones(0.0104, 3.4, 0, taper: new Taper(6.0, 8.5))],
    ];

    [Theory]
    [MemberData(nameof(Variants))]
    public void ForcesAndStressMatchFiniteDifferences(LennardJones lj)
    {
        var fcc = Builders.Rattled(Builders.Fcc("Ar", 5.3, 2), 0.2, 3);
        FiniteDifference.AssertForces(lj, fcc, maxAtoms: 6, atol: 1e-8, rtol: 1e-6);
        FiniteDifference.AssertStress(lj, fcc, atol: 1e-9);
        // A one-cube cell (thinner than the cutoff: many images), strongly rattled; and a sheared copy of it.
        var small = Builders.Rattled(Builders.Fcc("Ar", 5.3, 1), 0.3, 5);
        FiniteDifference.AssertStress(lj, small, atol: 1e-9);
        var sheared = FiniteDifference.Deformed(FiniteDifference.Deformed(small, 0, 1, 0.2), 2, 0, -0.15);
        FiniteDifference.AssertForces(lj, sheared, atol: 1e-8);
        FiniteDifference.AssertStress(lj, sheared, atol: 1e-9);
        FiniteDifference.AssertAtomEnergiesSum(lj, fcc);
    }
}

public class SuttonChenTests
{
    [Fact]
    public void FccCopperWithALongCutoffHasTheKnownLatticeConstantAndCohesiveEnergy()
    {
        // Sutton & Chen (1990) give a = 3.61 Å for Cu, and the cohesive energy ≈ 3.50 eV, from full lattice sums.
        var sc = SuttonChen.Copper(cutoff: 30.0);
        double EnergyPerAtom(double a) => sc.Energy(Builders.Fcc("Cu", a, 1)) / 4;
        // Golden-section search for the minimum of E(a).
        double lo = 3.4, hi = 3.8;
        var g = (Math.Sqrt(5) - 1) / 2;
        double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), f1 = EnergyPerAtom(x1), f2 = EnergyPerAtom(x2);
        while (hi - lo > 1e-7)
        {
            if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = EnergyPerAtom(x1); }
            else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = EnergyPerAtom(x2); }
        }
        var a0 = 0.5 * (lo + hi);
        Assert.Equal(3.610, a0, 3);
        Assert.Equal(-3.50, EnergyPerAtom(a0), 2);
        // At the minimum the stress vanishes.
        var stress = sc.Compute(Builders.Fcc("Cu", a0, 1)).Stress;
        Assert.True(Math.Abs(stress.Xx) < 1e-6, $"stress at a0: {stress}");
    }

    public static IEnumerable<object[]> Variants() =>
    [
        [SuttonChen.CopperPoet()],
        [SuttonChen.Copper(6.5)],
    ];

    [Theory]
    [MemberData(nameof(Variants))]
    public void ForcesAndStressMatchFiniteDifferences(SuttonChen sc)
    {
        var fcc = Builders.Rattled(Builders.Fcc("Cu", 3.615, 2), 0.15, 7);
        FiniteDifference.AssertForces(sc, fcc, maxAtoms: 8, atol: 1e-7);
        FiniteDifference.AssertStress(sc, fcc, atol: 1e-8);
        FiniteDifference.AssertAtomEnergiesSum(sc, fcc);
        // A triclinic cell thinner than the cutoff, and a slab (non-periodic along c).
        var tri = new Structure(new Cell(new(2.556, 0, 0), new(1.278, 2.2136, 0), new(1.278, 0.7379, 2.0871)), [Vec3.Zero], ["Cu"]);
        var tri2 = Builders.Rattled(new Structure(tri.Cell.Transform([2, 0, 0, 0, 2, 0, 0, 0, 2]),
            [Vec3.Zero, new(2.556, 0, 0), new(1.278, 2.2136, 0), new(1.278, 0.7379, 2.0871)], ["Cu", "Cu", "Cu", "Cu"]), 0.1, 2);
        FiniteDifference.AssertForces(sc, tri2, atol: 1e-7);
        FiniteDifference.AssertStress(sc, tri2, atol: 1e-8);
        var slabCell = new Cell(new(7.23, 0, 0), new(0, 7.23, 0), new(0, 0, 0), true, true, false);
        var slab = new Structure(slabCell, fcc.Positions, fcc.Species);
        FiniteDifference.AssertForces(sc, slab, maxAtoms: 8, atol: 1e-7);
    }

    [Fact]
    public void WithTheTaperItReproducesTheShippedSuttonChenData()
    {
        // POET's EAM_Cu data were made with Sutton–Chen and the taper (r_in 3 Å, r_out 5 Å).
        var data = PoetFolder.Read(TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K"));
        var sc = SuttonChen.CopperPoet();
        var offsets = new List<double>();
        double maxForceError = 0;
        foreach (var s in data.Structures)
        {
            var r = sc.Compute(s);
            offsets.Add(s.Energy!.Value - r.Energy);
            for (var i = 0; i < s.Count; i++) maxForceError = Math.Max(maxForceError, (r.Forces[i] - s.Forces![i]).Length);
        }
        var mean = offsets.Average();
        var maxEnergyError = offsets.Max(o => Math.Abs(o - mean));
        Assert.True(maxForceError < 1e-3, $"max force error {maxForceError} eV/Å");
        Assert.True(maxEnergyError < 0.02, $"max energy error per cell after the constant shift {maxEnergyError} eV");
    }
}

public class PotentialFactoryTests
{
    [Fact]
    public void BuiltInsParseWithOptions()
    {
        var sc = Assert.IsType<SuttonChen>(PotentialFactory.Create("sc"));
        Assert.Equal(5.0, sc.Cutoff);
        Assert.NotNull(sc.Taper);
        var plain = Assert.IsType<SuttonChen>(PotentialFactory.Create("sc:taper=none,cutoff=12"));
        Assert.Null(plain.Taper);
        Assert.Equal(12.0, plain.Cutoff);
        var lj = Assert.IsType<LennardJones>(PotentialFactory.Create("lj:epsilon=0.01,sigma=3.3,cutoff=9,shift=true"));
        Assert.Equal(0.01, lj.Epsilon);
        Assert.True(lj.Shifted);
        var ljt = Assert.IsType<LennardJones>(PotentialFactory.Create("lj:rin=7,rout=8.5"));
        Assert.Equal(8.5, ljt.Cutoff);
    }

    [Theory]
    [InlineData("sc:bogus=1")]
    [InlineData("lj:sigma=abc")]
    [InlineData("lj:sigma")]
    [InlineData("morse")]
    [InlineData("nothere.txt")]
    [InlineData("")]
    public void BadSpecificationsGiveAClearError(string spec)
    {
        var e = Assert.ThrowsAny<Exception>(() => PotentialFactory.Create(spec));
        Assert.True(e is ArgumentException or DataFormatException, e.GetType().Name);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }
}
