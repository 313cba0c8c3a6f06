using PoetSharp.Atoms;
using PoetSharp.Simulation;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Simulation;

/// <summary>
/// The IDPP starting band (<see cref="IdppInterpolation"/>): each image is a stationary point of its own objective (so the
/// hand-written gradient is the objective's), two atoms that swap places go round each other instead of through each
/// other, and a NEB started from IDPP finds the same saddle as one started from straight lines.
/// </summary>
public class IdppInterpolationTests
{
    [Fact]
    public void Each_image_minimises_its_objective_below_the_straight_lines()
    {
        var initial = Builders.Rattled(Lattices.Fcc("Cu", 3.61, 1, 1, 2), 0.05, 3);
        var final = Builders.Rattled(initial, 0.4, 4);
        var linear = NudgedElasticBand.Interpolate(initial, final, 3);
        var idpp = IdppInterpolation.Interpolate(initial, final, 3, maxSteps: 5000, tolerance: 1e-6);
        Assert.Equal(5, idpp.Length);
        Assert.Equal(initial.Positions, idpp[0].Positions);
        Assert.Equal(linear[^1].Positions, idpp[^1].Positions);
        for (var m = 1; m <= 3; m++)
        {
            var t = m / 4.0;
            var s = IdppInterpolation.Objective(initial, final, idpp[m], t);
            Assert.True(s < IdppInterpolation.Objective(initial, final, linear[m], t), $"image {m}");
            // A stationary point of S: central differences of the objective itself vanish at every coordinate.
            const double h = 1e-5;
            for (var i = 0; i < idpp[m].Count; i++)
                for (var k = 0; k < 3; k++)
                {
                    var plus = idpp[m].Clone();
                    var minus = idpp[m].Clone();
                    var e = k switch { 0 => new Vec3(h, 0, 0), 1 => new Vec3(0, h, 0), _ => new Vec3(0, 0, h) };
                    plus.Positions[i] += e;
                    minus.Positions[i] -= e;
                    var gradient = (IdppInterpolation.Objective(initial, final, plus, t) - IdppInterpolation.Objective(initial, final, minus, t)) / (2 * h);
                    Assert.True(Math.Abs(gradient) < 1e-4, $"image {m}, atom {i}, coordinate {k}: dS/dx = {gradient}");
                }
        }
    }

    [Fact]
    public void Two_atoms_that_swap_places_go_round_each_other()
    {
        // A pair 2.5 Å apart in a large box turns end over end: straight lines take both through the midpoint.
        var cell = Cell.Orthorhombic(20, 20, 20);
        var initial = new Structure(cell, [new Vec3(8.75, 10, 10), new Vec3(11.25, 10, 10), new Vec3(10, 10.2, 13)], ["Cu", "Cu", "Cu"]);
        var final = new Structure(cell, [new Vec3(11.25, 10, 10), new Vec3(8.75, 10, 10), new Vec3(10, 10.2, 13)], ["Cu", "Cu", "Cu"]);
        double Closest(Structure s) => (s.Positions[1] - s.Positions[0]).Length;
        var linear = NudgedElasticBand.Interpolate(initial, final, 5);
        var idpp = IdppInterpolation.Interpolate(initial, final, 5);
        Assert.True(Closest(linear[3]) < 1e-9); // the two meet
        Assert.All(idpp, image => Assert.InRange(Closest(image), 2.3, 2.7));
    }

    [Fact]
    public void A_band_started_from_idpp_finds_the_same_barrier()
    {
        var potential = LiTlPairModel.Potential();
        var crystal = LiTlPairModel.Crystal(3);
        var (origin, neighbour) = (LiTlPairModel.AtomAt(crystal, Vec3.Zero), LiTlPairModel.AtomAt(crystal, new Vec3(LiTlPairModel.LatticeConstant, 0, 0)));
        var settings = new NebSettings { IntermediateImages = 5, ForceTolerance = 1e-4 };
        var linear = VacancyHopBarrier.Run(potential, crystal, neighbour, origin, settings);
        var idpp = VacancyHopBarrier.Run(potential, crystal, neighbour, origin, settings with { Interpolation = BandInterpolation.Idpp });
        Assert.True(linear.Band.Converged && idpp.Band.Converged, linear.Band.Reason + " / " + idpp.Band.Reason);
        Assert.Equal(linear.ForwardBarrier, idpp.ForwardBarrier, 1e-5);
        Assert.Throws<ArgumentException>(() => IdppInterpolation.Interpolate(crystal, crystal, 3, maxSteps: 0));
    }
}
