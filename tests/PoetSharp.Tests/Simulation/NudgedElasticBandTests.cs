using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Simulation;

namespace PoetSharp.Tests.Simulation;

/// <summary>
/// One atom in an analytic landscape V(x, y) = (x² − 1)² + k (y − c (1 − x²))², independent of z: minima at (±1, 0)
/// with V = 0 and a saddle at (0, c) with V = 1 on a curved valley, so a straight band must bend to find it.
/// </summary>
internal sealed class CurvedValley(double k = 2.0, double c = 0.5) : IPotential
{
    public string Name => "curved valley";
    public double Cutoff => 1.0;
    public IReadOnlyList<string>? Species => null;

    public void Compute(Structure structure, NeighbourList halfList, PotentialResult result)
    {
        result.Reset(structure.Count);
        var energy = 0.0;
        for (var i = 0; i < structure.Count; i++)
        {
            var (x, y) = (structure.Positions[i].X, structure.Positions[i].Y);
            var w = y - c * (1 - x * x);
            var e = (x * x - 1) * (x * x - 1) + k * w * w;
            result.AtomEnergies[i] = e;
            energy += e;
            var dx = 4 * x * (x * x - 1) + 2 * k * w * (2 * c * x);
            var dy = 2 * k * w;
            result.Forces[i] = new Vec3(-dx, -dy, 0);
        }
        result.Energy = energy;
    }
}

public class NudgedElasticBandTests
{
    private static Structure Atom(double x, double y) => new(Cell.NonPeriodic(), [new Vec3(x, y, 0)], ["Ar"]);

    [Fact]
    public void ClimbingImageFindsTheAnalyticSaddle()
    {
        var valley = new CurvedValley();
        var result = NudgedElasticBand.Run(valley, Atom(-0.9, 0.1), Atom(0.95, -0.05),
            new NebSettings { IntermediateImages = 6, ForceTolerance = 1e-6, SpringConstant = 1.0 });

        Assert.True(result.Converged, result.Reason);
        Assert.Equal(8, result.Images.Count);
        Assert.Equal(0, result.Energies[0], 8);    // endpoints relaxed to the minima
        Assert.Equal(0, result.Energies[^1], 8);
        Assert.Equal(1.0, result.Barrier, 8);
        var top = result.Images[result.ClimbingImage].Positions[0];
        Assert.Equal(0, top.X, 5);
        Assert.Equal(0.5, top.Y, 5);
        // The band bends off the straight line into the valley and rises monotonically to the climbing image.
        Assert.All(result.Images.Skip(1).SkipLast(1), image => Assert.True(image.Positions[0].Y > 0.05));
        for (var m = 1; m < result.Images.Count; m++)
            Assert.True(m <= result.ClimbingImage ? result.Energies[m] > result.Energies[m - 1] : result.Energies[m] < result.Energies[m - 1]);
        Assert.True(result.PathLength.Zip(result.PathLength.Skip(1)).All(t => t.Second > t.First));
    }

    [Fact]
    public void WithoutClimbingTheBarrierIsUnderestimated()
    {
        var valley = new CurvedValley();
        // An even number of intermediate images leaves no image on the saddle.
        var result = NudgedElasticBand.Run(valley, Atom(-1, 0), Atom(1, 0),
            new NebSettings { IntermediateImages = 4, Climb = false, ForceTolerance = 1e-6 });
        Assert.True(result.Converged, result.Reason);
        Assert.Equal(-1, result.ClimbingImage);
        Assert.InRange(result.Barrier, 0.5, 0.999);
    }

    [Fact]
    public void A_band_that_falls_into_a_spurious_deep_well_stops_and_says_so()
    {
        // The valley plus a narrow well 1000 eV deep just off the straight path: the middle images are pulled into it, as
        // an image of an LGPS hop fell into a hole of a machine-learned potential (docs/benchmarks.md).
        var holed = new Holed(new CurvedValley(), depth: 1000, centre: (0, -0.2), width: 0.1);
        var result = NudgedElasticBand.Run(holed, Atom(-1, 0), Atom(1, 0), new NebSettings { IntermediateImages = 5, ForceTolerance = 1e-6 });
        Assert.False(result.Converged);
        Assert.Contains("eV/atom below the endpoints", result.Reason);
        Assert.Contains("spurious deep well", result.Reason);
        Assert.True(result.Steps < 3000, $"{result.Steps} steps");
        Assert.True(result.Energies.Min() < -10);
    }

    private sealed class Holed(IPotential inner, double depth, (double X, double Y) centre, double width) : IPotential
    {
        public string Name => "valley with a hole";
        public double Cutoff => inner.Cutoff;
        public IReadOnlyList<string>? Species => null;

        public void Compute(Structure structure, NeighbourList halfList, PotentialResult result)
        {
            inner.Compute(structure, halfList, result);
            for (var i = 0; i < structure.Count; i++)
            {
                var (dx, dy) = (structure.Positions[i].X - centre.X, structure.Positions[i].Y - centre.Y);
                var e = -depth * Math.Exp(-(dx * dx + dy * dy) / (2 * width * width));
                result.Energy += e;
                result.AtomEnergies[i] += e;
                result.Forces[i] += new Vec3(e * dx / (width * width), e * dy / (width * width), 0);
            }
        }
    }

    [Fact]
    public void InterpolationTakesTheMinimumImage()
    {
        var cell = Cell.Orthorhombic(10, 10, 10);
        var a = new Structure(cell, [new Vec3(0.5, 5, 5), new Vec3(5, 5, 5)], ["Cu", "Cu"]);
        var b = new Structure(cell, [new Vec3(9.5, 5, 5), new Vec3(6, 5, 5)], ["Cu", "Cu"]);
        var band = NudgedElasticBand.Interpolate(a, b, 1);
        Assert.Equal(3, band.Length);
        Assert.True((band[1].Positions[0] - new Vec3(0, 5, 5)).Length < 1e-12);
        Assert.True((band[1].Positions[1] - new Vec3(5.5, 5, 5)).Length < 1e-12);
        Assert.True((band[2].Positions[0] - new Vec3(-0.5, 5, 5)).Length < 1e-12);
    }

    [Fact]
    public void MismatchedEndpointsAreRejected()
    {
        var cell = Cell.Orthorhombic(10, 10, 10);
        var a = new Structure(cell, [new Vec3(0.5, 5, 5)], ["Cu"]);
        var b = new Structure(cell, [new Vec3(0.5, 5, 5), new Vec3(1, 1, 1)], ["Cu", "Cu"]);
        Assert.Throws<ArgumentException>(() => NudgedElasticBand.Interpolate(a, b, 3));
        Assert.Throws<ArgumentException>(() => NudgedElasticBand.Interpolate(a, a, 0));
    }
}
