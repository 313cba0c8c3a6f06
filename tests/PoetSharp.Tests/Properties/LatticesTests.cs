using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Tests.Properties;

public class LatticesTests
{
    private static double[] NeighbourDistances(Structure s, int atom, double cutoff)
    {
        var list = NeighbourList.Create(s, cutoff, half: false);
        var d = new List<double>();
        for (var k = list.Offsets[atom]; k < list.Offsets[atom + 1]; k++) d.Add(list.Displacement(s.Positions, atom, k).Length);
        return d.OrderBy(x => x).ToArray();
    }

    [Theory]
    [InlineData("fcc", 12, 0.7071067811865476, 0.25)]
    [InlineData("bcc", 8, 0.8660254037844386, 0.5)]
    [InlineData("diamond", 4, 0.4330127018922193, 0.125)]
    public void PrimitiveAndConventionalCellsAgree(string kind, int coordination, double neighbourPerA, double volumePerAtom)
    {
        const double a = 3.6;
        var (primitive, conventional) = kind switch
        {
            "fcc" => (Lattices.FccPrimitive("Cu", a), Lattices.FccConventional("Cu", a)),
            "bcc" => (Lattices.BccPrimitive("Cu", a), Lattices.BccConventional("Cu", a)),
            _ => (Lattices.DiamondPrimitive("Si", a), Lattices.DiamondConventional("Si", a)),
        };
        Assert.Equal(volumePerAtom * a * a * a, primitive.Cell.Volume / primitive.Count, 1e-10);
        Assert.Equal(volumePerAtom * a * a * a, conventional.Cell.Volume / conventional.Count, 1e-10);
        foreach (var s in new[] { primitive, conventional })
            for (var i = 0; i < s.Count; i++)
            {
                var d = NeighbourDistances(s, i, neighbourPerA * a * 1.05);
                Assert.Equal(coordination, d.Length);
                Assert.All(d, x => Assert.Equal(neighbourPerA * a, x, 1e-10));
            }
    }

    [Theory]
    [InlineData(1.633)]
    [InlineData(1.5)]
    public void HcpHasSixInPlaneNeighboursAndSixAcross(double coverA)
    {
        var s = Lattices.Hcp("Cu", 2.5, coverA);
        Assert.Equal(2, s.Count);
        var across = Math.Sqrt(2.5 * 2.5 / 3 + Math.Pow(coverA * 2.5 / 2, 2));
        foreach (var i in new[] { 0, 1 })
        {
            var d = NeighbourDistances(s, i, Math.Max(2.5, across) + 0.01);
            Assert.Equal(6, d.Count(x => Math.Abs(x - 2.5) < 1e-10));
            Assert.Equal(6, d.Count(x => Math.Abs(x - across) < 1e-10));
        }
        // At the ideal ratio hcp is close packed like fcc: all 12 neighbours at a.
        var ideal = NeighbourDistances(Lattices.Hcp("Cu", 2.5), 0, 2.6);
        Assert.Equal(12, ideal.Length);
    }

    [Fact]
    public void SupercellsRepeatTheEnergyPerAtom()
    {
        var sc = PotentialFactory.Create("sc");
        var unit = Lattices.Hcp("Cu", 2.56, 1.62);
        var perAtom = sc.Energy(unit) / unit.Count;
        var diagonal = Lattices.Supercell(unit, 2, 3, 1);
        Assert.Equal(12, diagonal.Count);
        Assert.Equal(0, (unit.Positions[0] - diagonal.Positions[0]).Length, 1e-12);
        Assert.Equal(perAtom, sc.Energy(diagonal) / diagonal.Count, 1e-12);
        Assert.Equal(6 * unit.Cell.Volume, diagonal.Cell.Volume, 1e-9);

        // The conventional fcc cube as the primitive cell times the matrix [[-1,1,1],[1,-1,1],[1,1,-1]].
        var cube = Lattices.Supercell(Lattices.FccPrimitive("Cu", 3.6), new[,] { { -1, 1, 1 }, { 1, -1, 1 }, { 1, 1, -1 } });
        Assert.Equal(4, cube.Count);
        Assert.Equal(new Vec3(3.6, 0, 0).X, cube.Cell.A.X, 1e-12);
        Assert.Equal(sc.Energy(Lattices.FccConventional("Cu", 3.6)), sc.Energy(cube), 1e-10);
        var skewed = Lattices.Supercell(unit, new[,] { { 2, 1, 0 }, { -1, 2, 1 }, { 1, 0, 2 } });
        Assert.Equal(11 * unit.Count, skewed.Count);
        Assert.Equal(perAtom, sc.Energy(skewed) / skewed.Count, 1e-12);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => Lattices.FccPrimitive("Cu", -1));
        Assert.Throws<ArgumentException>(() => Lattices.Hcp("Cu", 2.5, 0));
        Assert.Throws<ArgumentException>(() => Lattices.Supercell(Lattices.FccPrimitive("Cu", 3.6), 0, 1, 1));
        Assert.Throws<ArgumentException>(() => Lattices.Supercell(Lattices.FccPrimitive("Cu", 3.6), new[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, -1 } }));
    }
}
