using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Simulation;
using Xunit;

namespace PoetSharp.Tests.Simulation;

/// <summary>
/// Vacancy-mediated self-diffusion in Sutton–Chen copper: with one vacancy in the cell, the atoms' diffusivity follows
/// D ∝ exp(−E_m/k_B T), E_m the vacancy migration barrier. The Arrhenius fit of MD diffusivities must find the
/// barrier the climbing-image NEB computes on the same potential.
/// </summary>
public class VacancyDiffusionTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void Arrhenius_activation_energy_of_vacancy_diffusion_is_the_NEB_migration_barrier()
    {
        var sc = SuttonChen.CopperPoet();
        var a = CubicReference.LatticeConstant(sc, CubicLattice.Fcc);
        var barrier = Defects.VacancyMigration(sc, a);
        Assert.True(barrier.Converged, barrier.Details);

        var crystal = Lattices.Fcc("Cu", a, 3, 3, 3);
        var vacancy = new Structure(crystal.Cell, crystal.Positions[1..], crystal.Species[1..]);
        var settings = new MdSettings { Ensemble = Ensemble.NoseHoover, TimeStep = 2, ThermostatTime = 100, Seed = 17 };
        // 80 ps per temperature: ~10 vacancy hops at 1000 K, ~40 at 1300 K; lags of 2–6 ps span several hops. The
        // hop counts are Poisson-limited, hence an error of ~0.2 eV on Ea (a 1 ns run would bring it to ~0.07 eV).
        var result = ArrheniusRun.Execute(sc, vacancy, [1000, 1150, 1300], settings, equilibrationSteps: 2000, productionSteps: 40000,
            sampleEvery: 50, window: (2000, 6000), blocks: 4);
        var fit = result.Fit;
        Assert.True(fit.ActivationEnergyError < 0.25, $"Ea = {fit.ActivationEnergy:F3} ± {fit.ActivationEnergyError:F3} eV: too uncertain to test");
        Console.WriteLine(FormattableString.Invariant($"vacancy diffusion: Ea = {fit.ActivationEnergy:F3} ± {fit.ActivationEnergyError:F3} eV, NEB {barrier.Value:F3} eV"));
        Assert.True(Math.Abs(fit.ActivationEnergy - barrier.Value) < Math.Max(3 * fit.ActivationEnergyError, 0.1),
            $"Arrhenius Ea = {fit.ActivationEnergy:F3} ± {fit.ActivationEnergyError:F3} eV, NEB barrier {barrier.Value:F3} eV");
    }
}
