using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Properties;

public class DefectBuilderTests
{
    private static readonly IPotential SuttonChen = PotentialFactory.Create("sc");

    public static TheoryData<int, int, int> PoetFacets()
    {
        var data = new TheoryData<int, int, int>();
        foreach (var (h, k, l) in Surfaces.PoetFacets) data.Add(h, k, l);
        return data;
    }

    [Theory]
    [MemberData(nameof(PoetFacets))]
    public void FccSlabWithoutVacuumIsTheBulkCrystal(int h, int k, int l)
    {
        const double a = 3.6;
        var layers = 3 * (int)Math.Ceiling(12 / (a * DefectBuilders.PlaneSpacing(CubicLattice.Fcc, h, k, l)));
        var bulk = DefectBuilders.Slab("Cu", CubicLattice.Fcc, a, h, k, l, layers, vacuum: 0);

        // One atom per primitive volume a³/4; the bulk energy and zero forces of the perfect crystal.
        Assert.Equal(a * a * a / 4, bulk.Cell.Volume / bulk.Count, 9);
        var result = SuttonChen.Compute(bulk);
        Assert.Equal(CubicReference.EnergyPerAtom(SuttonChen, CubicLattice.Fcc, a), result.Energy / bulk.Count, 9);
        Assert.All(result.Forces.ToArray(), f => Assert.True(f.Length < 1e-9));
        // Surface cell in the xy plane, normal along z; plane spacing × area = volume per atom.
        Assert.Equal(0, bulk.Cell.A.Y);
        Assert.Equal(0, bulk.Cell.B.Z);
        var area = DefectBuilders.SurfaceCellArea(CubicLattice.Fcc, h, k, l) * a * a;
        Assert.Equal(a * a * a / 4, area * a * DefectBuilders.PlaneSpacing(CubicLattice.Fcc, h, k, l), 9);
    }

    [Theory]
    [InlineData(1, 0, 0, 2)]   // bcc (100): spacing a/2
    [InlineData(1, 1, 0, 1.4142135623730951)]
    public void BccSlabsHaveTheBccDensityAndSpacing(int h, int k, int l, double spacingFactor)
    {
        Assert.Equal(1 / spacingFactor, DefectBuilders.PlaneSpacing(CubicLattice.Bcc, h, k, l), 12);
        var slab = DefectBuilders.Slab("Fe", CubicLattice.Bcc, 2.87, h, k, l, 6, 0);
        Assert.Equal(2.87 * 2.87 * 2.87 / 2, slab.Cell.Volume / slab.Count, 9);
    }

    [Fact]
    public void LowIndexSurfaceCellsAreTheTextbookOnes()
    {
        // fcc: (100) a²/2, (111) √3a²/4, (110) √2a²/2 per atom; plane spacings a/2, a/√3, a/(2√2).
        Assert.Equal(0.5, DefectBuilders.SurfaceCellArea(CubicLattice.Fcc, 1, 0, 0), 12);
        Assert.Equal(Math.Sqrt(3) / 4, DefectBuilders.SurfaceCellArea(CubicLattice.Fcc, 1, 1, 1), 12);
        Assert.Equal(Math.Sqrt(2) / 2, DefectBuilders.SurfaceCellArea(CubicLattice.Fcc, 1, 1, 0), 12);
        Assert.Equal(1 / Math.Sqrt(3), DefectBuilders.PlaneSpacing(CubicLattice.Fcc, 1, 1, 1), 12);
        Assert.Equal(1 / (2 * Math.Sqrt(2)), DefectBuilders.PlaneSpacing(CubicLattice.Fcc, 1, 1, 0), 12);
        Assert.Throws<ArgumentException>(() => DefectBuilders.PlaneSpacing(CubicLattice.Fcc, 0, 0, 0));
    }

    [Fact]
    public void VacancyAndDumbbellChangeTheAtomCount()
    {
        var bulk = Builders.Fcc("Cu", 3.6, 2);
        var vacancy = DefectBuilders.RemoveAtom(bulk, 5);
        Assert.Equal(bulk.Count - 1, vacancy.Count);
        Assert.DoesNotContain(bulk.Positions[5], vacancy.Positions);
        var dumbbell = DefectBuilders.Dumbbell(bulk, 0, 2, 2.0);
        Assert.Equal(bulk.Count + 1, dumbbell.Count);
        Assert.Equal(new Vec3(0, 0, 2.0), dumbbell.Positions[^1] - dumbbell.Positions[^2]);
        var (initial, final) = Defects.VacancyHop("Cu", 3.6, 2);
        Assert.Single(Enumerable.Range(0, initial.Count), i => initial.Positions[i] != final.Positions[i]);
    }

    [Fact]
    public void StackingFaultCellIsPerfectAtZeroAndAFullLatticeShift()
    {
        const double a = 3.6;
        var perfect = DefectBuilders.Fcc111("Cu", a, 1, 1, 4);
        var bulkPerAtom = CubicReference.EnergyPerAtom(SuttonChen, CubicLattice.Fcc, a);
        Assert.Equal(24, perfect.Count);
        Assert.Equal(bulkPerAtom, SuttonChen.Energy(perfect) / perfect.Count, 9);
        // Three partials along [11-2] make a lattice translation (a√6/2): the crystal is perfect again.
        Assert.Equal(bulkPerAtom, SuttonChen.Energy(DefectBuilders.StackingFault(perfect, a, 3)) / perfect.Count, 9);
        // One partial makes an intrinsic fault (positive energy, lower than half-way).
        var isf = SuttonChen.Energy(DefectBuilders.StackingFault(perfect, a, 1)) - SuttonChen.Energy(perfect);
        var half = SuttonChen.Energy(DefectBuilders.StackingFault(perfect, a, 0.5)) - SuttonChen.Energy(perfect);
        Assert.True(isf > 0 && half > isf);
    }

    [Fact]
    public void AllThirteenPoetFacetsGiveRelaxedSurfaceEnergies()
    {
        var a = CubicReference.LatticeConstant(SuttonChen, CubicLattice.Fcc);
        var energies = Surfaces.PoetFacets.Select(f => Surfaces.SurfaceEnergy(SuttonChen, a, f.H, f.K, f.L, thickness: 16, vacuum: 8)).ToList();
        Assert.All(energies, e => Assert.True(e.Converged, e.Details));
        Assert.All(energies, e => Assert.InRange(e.Value, 0.3, 3.0));
        // (111) is the closest-packed, lowest-energy facet.
        Assert.Equal("Esurf_111", energies.MinBy(e => e.Value)!.Name);
        Assert.Equal(1000 * Units.EvPerA2PerJPerM2, Surfaces.MevPerA2(1.0), 12);
    }
}
