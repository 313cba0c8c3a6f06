using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// The diamond slabs and vacancy cell, checked by counting bonds: every bulk atom has 4 neighbours at a√3/4, surface
/// atoms of the ideal (100) keep 2 and of (111) keep 3, and nothing comes closer than the bond length.
/// </summary>
public class DiamondBuilderTests
{
    private const double A = 5.431; // silicon, Å
    private static readonly double Bond = A * Math.Sqrt(3) / 4;
    private static readonly IPotential SuttonChen = PotentialFactory.Create("sc");

    /// <summary>Neighbours of each atom within a cutoff between the first (a√3/4) and second (a/√2) neighbour shells.</summary>
    private static int[] Coordination(Structure s)
    {
        var list = NeighbourList.Create(s, 0.5 * A, half: false);
        return Enumerable.Range(0, s.Count).Select(list.NeighbourCount).ToArray();
    }

    private static double ShortestDistance(Structure s)
    {
        var list = NeighbourList.Create(s, 0.5 * A, half: false);
        var shortest = double.PositiveInfinity;
        for (var i = 0; i < s.Count; i++)
            for (var p = list.Offsets[i]; p < list.Offsets[i + 1]; p++)
                shortest = Math.Min(shortest, list.Displacement(s.Positions, i, p).Length);
        return shortest;
    }

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(1, 1, 0)]
    [InlineData(1, 1, 1)]
    [InlineData(2, 1, 1)]
    public void DiamondSlabWithoutVacuumIsTheBulkCrystal(int h, int k, int l)
    {
        const int layers = 6;
        var bulk = DefectBuilders.Slab("Si", CubicLattice.Diamond, A, h, k, l, layers, vacuum: 0);

        Assert.Equal(2 * layers, bulk.Count);
        Assert.Equal(A * A * A / 8, bulk.Cell.Volume / bulk.Count, 9);
        Assert.All(Coordination(bulk), c => Assert.Equal(4, c));
        Assert.Equal(Bond, ShortestDistance(bulk), 9);
        // The same crystal as the conventional cube: energy per atom and zero forces (Sutton–Chen only as a smooth function
        // of the geometry that sees far beyond the first shell; it describes Cu, so the atoms are called Cu).
        var copper = DefectBuilders.Slab("Cu", CubicLattice.Diamond, A, h, k, l, layers, vacuum: 0);
        var result = SuttonChen.Compute(copper);
        Assert.Equal(CubicReference.EnergyPerAtom(SuttonChen, CubicLattice.Diamond, A, "Cu"), result.Energy / bulk.Count, 9);
        Assert.All(result.Forces.ToArray(), f => Assert.True(f.Length < 1e-9, $"force {f.Length}"));
        // Diamond's lattice planes are fcc's, each with two atoms.
        Assert.Equal(DefectBuilders.PlaneSpacing(CubicLattice.Fcc, h, k, l), DefectBuilders.PlaneSpacing(CubicLattice.Diamond, h, k, l), 12);
        Assert.Equal(DefectBuilders.SurfaceCellArea(CubicLattice.Fcc, h, k, l), DefectBuilders.SurfaceCellArea(CubicLattice.Diamond, h, k, l), 12);
    }

    [Theory]
    [InlineData(1, 0, 0, 2, 0.5)]                  // (100): a²/2 per surface atom, two dangling bonds each
    [InlineData(1, 1, 1, 1, 0.4330127018922193)]   // (111): √3a²/4, one dangling bond (cut between bilayers)
    [InlineData(1, 1, 0, 2, 0.7071067811865476)]   // (110): √2a²/2, two surface atoms with one each
    public void IdealSurfacesHaveTheTextbookDanglingBonds(int h, int k, int l, int brokenBonds, double areaPerA2)
    {
        var slab = Surfaces.Slab("Si", CubicLattice.Diamond, A, h, k, l, thickness: 16, vacuum: 10);
        var coordination = Coordination(slab);

        Assert.Equal(brokenBonds, DefectBuilders.BrokenBonds(CubicLattice.Diamond, h, k, l));
        Assert.Equal(areaPerA2 * A * A, Vec3.Cross(slab.Cell.A, slab.Cell.B).Length, 9);
        // Every bond the cut breaks leaves one dangling bond on each face.
        Assert.Equal(2 * brokenBonds, coordination.Sum(c => 4 - c));
        Assert.Equal(Bond, ShortestDistance(slab), 9);
        // LAMMPS's restricted form: A along x, B in the xy plane, C straight up (the vacuum).
        Assert.Equal((0.0, 0.0, 0.0), (slab.Cell.A.Y, slab.Cell.A.Z, slab.Cell.B.Z));
        Assert.Equal((0.0, 0.0), (slab.Cell.C.X, slab.Cell.C.Y));
        // Bottom first: heights never decrease, the lowest atom at z = 0, vacuum above the top one.
        Assert.True(slab.Positions.Zip(slab.Positions.Skip(1)).All(p => p.Second.Z >= p.First.Z));
        Assert.Equal(0, slab.Positions[0].Z, 12);
        Assert.True(slab.Cell.C.Z - slab.Positions[^1].Z >= 10);
    }

    [Fact]
    public void Surface100AtomsKeepTwoBondsAndSurface111AtomsThree()
    {
        var s100 = Surfaces.Slab("Si", CubicLattice.Diamond, A, 1, 0, 0, thickness: 12, vacuum: 10);
        var c100 = Coordination(s100);
        Assert.Equal(2, c100[0]);
        Assert.Equal(2, c100[^1]);
        Assert.All(c100[1..^1], c => Assert.Equal(4, c));
        // (100) atomic planes a/4 apart.
        Assert.Equal(A / 4, s100.Positions[1].Z - s100.Positions[0].Z, 12);

        var s111 = Surfaces.Slab("Si", CubicLattice.Diamond, A, 1, 1, 1, thickness: 12, vacuum: 10);
        var c111 = Coordination(s111);
        Assert.Equal(3, c111[0]);
        Assert.Equal(3, c111[^1]);
        Assert.All(c111[1..^1], c => Assert.Equal(4, c));
        // Bilayers: the two planes of one are d/4 apart (three bonds between them), bilayers 3d/4 apart (one bond), d = a/√3.
        var d = A / Math.Sqrt(3);
        Assert.Equal(d / 4, s111.Positions[1].Z - s111.Positions[0].Z, 12);
        Assert.Equal(3 * d / 4, s111.Positions[2].Z - s111.Positions[1].Z, 12);
        Assert.Equal(d / 4, s111.Positions[^1].Z - s111.Positions[^2].Z, 12);
        Assert.Equal(0, s111.Count % 2);
    }

    [Fact]
    public void DiamondVacancyCellHas215AtomsAndFourThreefoldNeighbours()
    {
        var perfect = Lattices.Diamond("Si", A, Defects.DefaultDiamondSupercell, Defects.DefaultDiamondSupercell, Defects.DefaultDiamondSupercell);
        Assert.Equal(216, perfect.Count);
        Assert.All(Coordination(perfect), c => Assert.Equal(4, c));
        var vacancy = DefectBuilders.RemoveAtom(perfect, 0);
        var coordination = Coordination(vacancy);
        Assert.Equal(215, vacancy.Count);
        Assert.Equal(4, coordination.Count(c => c == 3));
        Assert.Equal(211, coordination.Count(c => c == 4));
    }

    [Fact]
    public void OnlyDiamondSlabsHaveATwoAtomBasis()
    {
        Assert.Throws<ArgumentException>(() => DefectBuilders.BrokenBonds(CubicLattice.Fcc, 1, 1, 1));
        Assert.Equal(2 * 5, DefectBuilders.Slab("Si", CubicLattice.Diamond, A, 1, 1, 1, 5, 8).Count);
        Assert.Equal(5, DefectBuilders.Slab("Cu", CubicLattice.Fcc, 3.6, 1, 1, 1, 5, 8).Count);
        Assert.Equal(1, DefectBuilders.AtomsPerPlane(CubicLattice.Fcc));
        Assert.Equal(2, DefectBuilders.AtomsPerPlane(CubicLattice.Diamond));
        Assert.Equal(Surfaces.PoetFacets, Surfaces.FacetsOf(CubicLattice.Fcc));
        Assert.Throws<ArgumentException>(() => Surfaces.FacetsOf(CubicLattice.Bcc));
    }
}
