using PoetSharp.Atoms;
using PoetSharp.Simulation;
using PoetSharp.Transport;
using PoetSharp.Tests.Support;
using Xunit;

namespace PoetSharp.Tests.Transport;

/// <summary>Diffusivities per species and direction, collective diffusion and the Haven ratio, Nernst–Einstein, and the Arrhenius extrapolation band.</summary>
public class IonicTransportTests
{
    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>
    /// A two-species box: <paramref name="walkers"/> Li atoms taking Gaussian steps with variance 2·D_a·Δt along axis a,
    /// and S atoms that stay put (the host framework). Frames every <paramref name="dt"/> fs.
    /// </summary>
    private static DisplacementRecorder RandomWalk(Vec3 d, int walkers, int frames, double dt, int seed, Func<int, Vec3[], Random, Vec3[]>? steps = null)
    {
        const int hosts = 20;
        var cell = Cell.Orthorhombic(40, 40, 40);
        var random = new Random(seed);
        var positions = new Vec3[walkers + hosts];
        for (var i = 0; i < positions.Length; i++) positions[i] = new Vec3(40 * random.NextDouble(), 40 * random.NextDouble(), 40 * random.NextDouble());
        var species = Enumerable.Range(0, walkers + hosts).Select(i => i < walkers ? "Li" : "S").ToArray();
        var recorder = new DisplacementRecorder(new Structure(cell, positions, species), dt, "Li");
        var width = new Vec3(Math.Sqrt(2 * d.X * dt), Math.Sqrt(2 * d.Y * dt), Math.Sqrt(2 * d.Z * dt));
        for (var frame = 0; frame < frames; frame++)
        {
            recorder.Add(positions, cell);
            var step = steps?.Invoke(frame, positions, random)
                ?? Enumerable.Range(0, walkers).Select(_ => new Vec3(width.X * Normal(random), width.Y * Normal(random), width.Z * Normal(random))).ToArray();
            for (var i = 0; i < walkers; i++) positions[i] += step[i];
        }
        return recorder;
    }

    [Fact]
    public void Random_walk_diffusivities_are_recovered_per_species_and_per_direction()
    {
        // Anisotropic walk: fast along z as in LGPS's c channels. D = (Dx + Dy + Dz)/3 overall; the host does not count.
        var d = new Vec3(0.001, 0.002, 0.006); // Å²/fs
        var recorder = RandomWalk(d, walkers: 150, frames: 3000, dt: 10, seed: 5);
        Assert.Equal(150, recorder.AtomCount);
        Assert.Equal(20, recorder.HostAtoms.Count);
        var total = recorder.Diffusivity(100, 1000, 5);
        var expected = (d.X + d.Y + d.Z) / 3;
        Assert.True(Math.Abs(total.Value - expected) < 4 * total.StandardError, $"D = {total.Value} ± {total.StandardError}, true {expected}");
        for (var axis = 0; axis < 3; axis++)
        {
            var along = recorder.Diffusivity(100, 1000, 5, DisplacementKind.Tracer, axis);
            Assert.True(Math.Abs(along.Value - d[axis]) < 4 * along.StandardError && along.StandardError < 0.1 * d[axis],
                $"axis {axis}: D = {along.Value} ± {along.StandardError}, true {d[axis]}");
        }
    }

    [Fact]
    public void Independent_walkers_have_a_Haven_ratio_of_one()
    {
        var recorder = RandomWalk(new Vec3(0.003, 0.003, 0.003), walkers: 60, frames: 20000, dt: 10, seed: 11);
        var tracer = recorder.Diffusivity(100, 1000, 5);
        var collective = recorder.Diffusivity(100, 1000, 5, DisplacementKind.Collective);
        var haven = tracer.Value / collective.Value;
        var error = haven * Math.Sqrt(Math.Pow(tracer.StandardError / tracer.Value, 2) + Math.Pow(collective.StandardError / collective.Value, 2));
        Assert.True(Math.Abs(haven - 1) < 3 * error && error < 0.15, $"H = {haven} ± {error}");
    }

    [Fact]
    public void Walkers_that_move_together_have_a_collective_diffusivity_N_times_the_tracer()
    {
        // Perfectly concerted motion (every walker takes the same step): ⟨|ΣΔr|²⟩/N = N⟨|Δr|²⟩, so H = 1/N.
        const int walkers = 8;
        var recorder = RandomWalk(new Vec3(0.002, 0.002, 0.002), walkers, frames: 2000, dt: 10, seed: 2, steps: (_, _, random) =>
        {
            var width = Math.Sqrt(2 * 0.002 * 10);
            var step = new Vec3(width * Normal(random), width * Normal(random), width * Normal(random));
            return Enumerable.Repeat(step, walkers).ToArray();
        });
        var tracer = recorder.Diffusivity(100, 1000, 5);
        var collective = recorder.Diffusivity(100, 1000, 5, DisplacementKind.Collective);
        Assert.Equal(walkers, collective.Value / tracer.Value, 6);
    }

    [Fact]
    public void The_drift_of_the_host_framework_is_not_diffusion()
    {
        // Every atom, host included, translates together: relative to the host nothing moves.
        var cell = Cell.Orthorhombic(20, 20, 20);
        var structure = new Structure(cell, [new(1, 1, 1), new(5, 5, 5), new(9, 9, 9)], ["Li", "S", "S"]);
        var moving = new DisplacementRecorder(structure, 1, "Li");
        var positions = (Vec3[])structure.Positions.Clone();
        for (var frame = 0; frame < 20; frame++)
        {
            moving.Add(positions, cell);
            for (var i = 0; i < positions.Length; i++) positions[i] += new Vec3(0.3, -0.1, 0.2);
        }
        Assert.All(moving.MeanSquaredDisplacement(10), m => Assert.True(m < 1e-20));
    }

    [Fact]
    public void Convergence_time_is_short_for_a_steady_walk_and_not_shown_when_the_rate_changes()
    {
        var steady = RandomWalk(new Vec3(0.003, 0.003, 0.003), walkers: 60, frames: 2000, dt: 10, seed: 8);
        var d = steady.Diffusivity(100, 600, 5);
        var (after, converged) = IonicTransport.ConvergedAfter(steady, 100, 600, d);
        Assert.True(converged);
        Assert.InRange(after, 600, 0.5 * 1999 * 10);

        // The walkers speed up fourfold for the last tenth of the run: D of every shorter run is 20 % below the whole run's.
        var width = Math.Sqrt(2 * 0.003 * 10);
        var changing = RandomWalk(new Vec3(0.003, 0.003, 0.003), walkers: 60, frames: 2000, dt: 10, seed: 8, steps: (frame, _, random) =>
            Enumerable.Range(0, 60).Select(_ => (frame < 1800 ? 1 : 2) * width * new Vec3(Normal(random), Normal(random), Normal(random))).ToArray());
        var whole = changing.Diffusivity(100, 600, 5);
        Assert.False(IonicTransport.ConvergedAfter(changing, 100, 600, whole).Converged);
    }

    [Fact]
    public void Nernst_Einstein_matches_a_hand_calculation()
    {
        // n = 1e22 cm⁻³ (10 ions in 1000 Å³), D = 1e-6 cm²/s, T = 300 K: σ = n e² D / k_B T = 0.0619750 S/cm.
        var sigma = NernstEinstein.Conductivity(10, 1000, 1, 1e-6, 300);
        Assert.Equal(0.06197496, sigma, 7);
        Assert.Equal(4 * sigma, NernstEinstein.Conductivity(10, 1000, 2, 1e-6, 300), 12);
        Assert.Throws<ArgumentException>(() => NernstEinstein.Conductivity(0, 1000, 1, 1e-6, 300));
    }

    [Fact]
    public void The_extrapolation_band_matches_the_scatter_of_refits_to_perturbed_data()
    {
        // Points on an exact Arrhenius line with 10 % errors; refit many perturbed copies and compare the spread of
        // ln D(300 K) with the band the covariance predicts.
        const double ea = 0.25, d0 = 1e-3;
        var temperatures = new[] { 500.0, 600, 700, 800, 900, 1000 };
        var exact = temperatures.Select(t => new ArrheniusPoint(t, d0 * Math.Exp(-ea / (Units.BoltzmannEvPerK * t)), 0)).ToArray();
        var fit = ArrheniusFit.Fit(exact.Select(p => p with { StandardError = 0.1 * p.Value }).ToArray());
        Assert.Equal(ea, fit.ActivationEnergy, 9);
        var predicted = fit.LogStandardErrorAt(300);
        var random = new Random(4);
        var samples = Enumerable.Range(0, 4000).Select(_ =>
        {
            var perturbed = exact.Select(p =>
            {
                var value = p.Value * Math.Exp(0.1 * Normal(random));
                return p with { Value = value, StandardError = 0.1 * value };
            }).ToArray();
            return Math.Log(ArrheniusFit.Fit(perturbed).At(300));
        }).ToArray();
        var mean = samples.Average();
        var spread = Math.Sqrt(samples.Sum(s => (s - mean) * (s - mean)) / (samples.Length - 1));
        Assert.InRange(spread / predicted, 0.93, 1.07);
        // The band is narrowest inside the fitted range and widens away from it.
        Assert.True(fit.LogStandardErrorAt(700) < fit.LogStandardErrorAt(300));
        var (value, low, high) = fit.BandAt(300);
        Assert.True(low < value && value < high);
    }
}
