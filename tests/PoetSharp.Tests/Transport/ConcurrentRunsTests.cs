using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Simulation;
using PoetSharp.Tests.Models;
using PoetSharp.Tests.Support;
using PoetSharp.Transport;
using Xunit;

namespace PoetSharp.Tests.Transport;

public class ConcurrentRunsTests
{
    [Fact]
    public void Temperatures_run_side_by_side_repeat_the_runs_made_one_at_a_time_bit_for_bit()
    {
        // poet diffusion runs its temperatures at once on one potential. NPT makes every run depend on the virial, so
        // any sum whose order follows the thread schedule would show here as differing diffusivities and volumes.
        var potential = new TabulatedModelPotential(ExpressionParser.Parse(ExpressionSyntaxTests.Gp1), Taper.Copper) { ParallelThreshold = 1 };
        var structure = Builders.Rattled(Builders.Fcc("Cu", 3.62, 7), 0.05, 5); // 1,372 atoms: two chunks of pairs;
        var md = new MdSettings { Ensemble = Ensemble.NptAnisotropic, TimeStep = 2, Seed = 7 };
        IonicTransportResult Run(int parallelism) => IonicTransport.Run(potential, structure, [900, 1100, 1300], md, new IonicTransportSettings
        {
            Species = "Cu", EquilibrationSteps = 500, ProductionSteps = 500, SampleEvery = 10, MaxDegreeOfParallelism = parallelism,
        });
        var together = Run(-1);
        var alone = Run(1);
        var again = Run(-1);
        foreach (var other in new[] { alone, again })
            for (var k = 0; k < 3; k++)
            {
                Assert.Equal(together.Runs[k].Volume, other.Runs[k].Volume);
                Assert.Equal(together.Runs[k].Tracer.InSquareCentimetresPerSecond, other.Runs[k].Tracer.InSquareCentimetresPerSecond);
                Assert.Equal(together.Runs[k].Run.MeanTemperature, other.Runs[k].Run.MeanTemperature);
            }
    }
}
