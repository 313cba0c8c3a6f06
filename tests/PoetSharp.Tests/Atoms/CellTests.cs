using PoetSharp.Atoms;

namespace PoetSharp.Tests.Atoms;

public class CellTests
{
    [Fact]
    public void FractionalAndCartesianAreInverse()
    {
        var cell = new Cell(new(4, 0.3, -0.2), new(1.1, 5, 0.4), new(-0.7, 0.9, 6));
        var r = new Vec3(1.2, -3.4, 5.6);
        var back = cell.ToCartesian(cell.ToFractional(r));
        Assert.True((back - r).Length < 1e-12);
        Assert.True((cell.ToCartesian(new Vec3(1, 0, 0)) - cell.A).Length < 1e-14);
    }

    [Fact]
    public void VolumeAndHeightsOfATriclinicCell()
    {
        var cell = new Cell(new(3, 0, 0), new(1, 2, 0), new(0.5, 0.5, 4));
        Assert.Equal(24.0, cell.Volume, 12);
        var h = cell.Heights();
        Assert.Equal(24.0 / Vec3.Cross(cell.B, cell.C).Length, h.X, 12);
        Assert.Equal(4.0, h.Z, 12);
    }

    [Fact]
    public void SingularPeriodicCellIsRejected()
    {
        Assert.Throws<ArgumentException>(() => new Cell(new(1, 0, 0), new(2, 0, 0), new(0, 0, 1)));
        Assert.Throws<ArgumentException>(() => new Cell(new(1, 0, 0), new(0, 1, 0), new(0, 0, 0)));
        Assert.Throws<ArgumentException>(() => new Cell(new(double.NaN, 0, 0), new(0, 1, 0), new(0, 0, 1)));
    }

    [Fact]
    public void ZeroVectorsAreAllowedAlongNonPeriodicDirections()
    {
        var slab = new Cell(new(3, 0, 0), new(0, 3, 0), new(0, 0, 0), true, true, false);
        var r = new Vec3(1, 2, 7);
        Assert.True((slab.ToCartesian(slab.ToFractional(r)) - r).Length < 1e-12);
        var cluster = new Cell(Vec3.Zero, Vec3.Zero, Vec3.Zero, false, false, false);
        Assert.True((cluster.ToCartesian(cluster.ToFractional(r)) - r).Length < 1e-12);
    }
}
