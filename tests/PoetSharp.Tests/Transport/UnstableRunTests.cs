using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Simulation;
using PoetSharp.Transport;
using PoetSharp.Tests.Simulation;
using PoetSharp.Tests.Support;
using Xunit;

namespace PoetSharp.Tests.Transport;

/// <summary>Runs that blow up stop with the step and the reason, and one failed temperature does not cost the others.</summary>
public class UnstableRunTests
{
    /// <summary>
    /// A potential whose results are altered from one force call on: NaN energies stand in for a potential driven outside
    /// its data; an energy dropped by a huge constant (forces unchanged) for a fall into a spurious well whose temperature
    /// spike a thermostat has already crushed.
    /// </summary>
    private sealed class AlteredAfter(IPotential inner, long firstBadCall, Action<Structure, PotentialResult> alter) : IPotential
    {
        private long _calls;
        public string Name => inner.Name;
        public double Cutoff => inner.Cutoff;
        public IReadOnlyList<string>? Species => inner.Species;
        public void Compute(Structure structure, NeighbourList halfList, PotentialResult result)
        {
            inner.Compute(structure, halfList, result);
            if (Interlocked.Increment(ref _calls) > firstBadCall) alter(structure, result);
        }
    }

    private static AlteredAfter FailingAfter(IPotential inner, long firstBadCall) => new(inner, firstBadCall, (_, r) => r.Energy = double.NaN);

    private static AlteredAfter WellAfter(IPotential inner, long firstBadCall) => new(inner, firstBadCall, (s, r) => r.Energy -= 1e3 * s.Count);

    [Fact]
    public void A_potential_energy_that_falls_into_a_deep_well_stops_the_run_even_at_a_normal_temperature()
    {
        var md = new MolecularDynamics(WellAfter(LiTlPairModel.Potential(), 101), LiTlPairModel.Crystal(2),
            new MdSettings { Ensemble = Ensemble.NoseHoover, Temperature = 300, TimeStep = 1 });
        var e = Assert.Throws<MdInstabilityException>(() => md.Run(1000));
        Assert.Equal(101, e.Step); // call 1 is the start, call 102 the force call of step 101
        Assert.Contains("eV/atom below its start", e.Message);
        // A healthy run of the same crystal never trips it.
        new MolecularDynamics(LiTlPairModel.Potential(), LiTlPairModel.Crystal(2), new MdSettings { Ensemble = Ensemble.NoseHoover, Temperature = 300, TimeStep = 1 }).Run(1000);
    }

    [Fact]
    public void A_purely_attractive_potential_collapses_and_the_run_stops_with_the_step()
    {
        // Nothing holds the atoms apart: they fall together and the temperature runs away.
        var collapse = PotentialFactory.CreateModel("sum(-2*r^-6)", new Taper(3, 5));
        var md = new MolecularDynamics(collapse, Builders.Fcc("Cu", 3.61, 2), new MdSettings { Ensemble = Ensemble.NoseHoover, Temperature = 300, TimeStep = 2 });
        var e = Assert.Throws<MdInstabilityException>(() => md.Run(20000));
        Assert.True(e.Step > 0 && e.Step < 20000);
        Assert.Contains("became unstable at step", e.Message);
    }

    [Fact]
    public void A_crystal_that_boils_off_under_the_barostat_stops_before_its_cell_grows_without_bound()
    {
        // B2 LiTl of Lennard-Jones pairs at 3000 K and zero pressure evaporates: the barostat swells the cell.
        var md = new MolecularDynamics(LiTlPairModel.Potential(), LiTlPairModel.Crystal(3),
            new MdSettings { Ensemble = Ensemble.NptAnisotropic, Temperature = 3000, TimeStep = 1, Seed = 3 });
        var e = Assert.Throws<MdInstabilityException>(() => md.Run(50000));
        Assert.Contains("times its starting volume", e.Message);
        Assert.InRange(md.Volume / LiTlPairModel.Crystal(3).Cell.Volume, 3.9, 4.2);
    }

    [Fact]
    public void A_temperature_that_blows_up_is_reported_and_left_out_of_the_fits()
    {
        var structure = LiTlPairModel.Crystal(3);
        const long equilibration = 200, production = 2000;
        // Sequential runs (one at a time): the third temperature's calls start after 2 × (1 + 200 + 2000).
        var potential = FailingAfter(LiTlPairModel.Potential(), 2 * (1 + equilibration + production) + 500);
        var settings = new IonicTransportSettings
        {
            Species = "Li", EquilibrationSteps = equilibration, ProductionSteps = production, SampleEvery = 10, MaxDegreeOfParallelism = 1,
        };
        var md = new MdSettings { Ensemble = Ensemble.NoseHoover, TimeStep = 1 };
        var result = IonicTransport.Run(potential, structure, [3500, 5000, 4000], md, settings);
        Assert.Equal([3500.0, 5000.0], result.Runs.Select(r => r.Temperature));
        var (t, reason) = Assert.Single(result.Failed);
        Assert.Equal(4000, t);
        Assert.Contains("became unstable", reason);
        Assert.Equal(2, result.Tracer.Points.Length);

        var none = FailingAfter(LiTlPairModel.Potential(), 2 * (1 + equilibration + production) - 1000);
        var e = Assert.Throws<ArgumentException>(() => IonicTransport.Run(none, structure, [3500, 5000, 4000], md, settings));
        Assert.Contains("fewer than two temperatures ran to the end", e.Message);
    }
}
