using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Potentials;
using PoetSharp.Simulation;
using PoetSharp.Tests.Support;
using Xunit;

namespace PoetSharp.Tests.Simulation;

/// <summary>Restart files, mean-squared displacement and diffusivity, g(r), and the Arrhenius fit.</summary>
public class MdAnalysisTests
{
    private static readonly IPotential Copper = SuttonChen.CopperPoet();

    [Theory]
    [InlineData(Ensemble.Langevin)]
    [InlineData(Ensemble.NoseHoover)]
    [InlineData(Ensemble.NptAnisotropic)]
    public void A_restarted_run_continues_bit_for_bit(Ensemble ensemble)
    {
        var settings = new MdSettings { Ensemble = ensemble, Temperature = 900, Seed = 21 };
        var path = Path.Combine(TestData.TempDir(), "run.restart");
        var first = new MolecularDynamics(Copper, Builders.Fcc("Cu", 3.61, 3), settings);
        first.Run(40);
        first.SaveRestart(path);
        first.Run(60);

        var second = MolecularDynamics.Restore(Copper, path);
        Assert.Equal(40, second.Step);
        second.Run(60);
        Assert.Equal(first.Step, second.Step);
        for (var i = 0; i < first.Structure.Count; i++)
        {
            Assert.Equal(first.Structure.Positions[i], second.Structure.Positions[i]);
            Assert.Equal(first.Velocities[i], second.Velocities[i]);
        }
        Assert.Equal(first.ConservedEnergy, second.ConservedEnergy);
        Assert.Equal(first.Structure.Cell.Volume, second.Structure.Cell.Volume);
    }

    [Fact]
    public void Broken_restart_files_are_reported_with_the_file_name()
    {
        var folder = TestData.TempDir();
        var good = Path.Combine(folder, "good.restart");
        new MolecularDynamics(Copper, Builders.Fcc("Cu", 3.61, 2), new MdSettings()).SaveRestart(good);
        var text = File.ReadAllText(good);

        void Broken(string name, string content, string expected)
        {
            var path = Path.Combine(folder, name);
            File.WriteAllText(path, content);
            var e = Assert.Throws<DataFormatException>(() => MolecularDynamics.Restore(Copper, path));
            Assert.Contains(name, e.Message);
            Assert.Contains(expected, e.Message);
        }
        Broken("truncated.restart", text[..(text.Length / 2)], "not a PoetSharp restart file");
        Broken("text.restart", "hello", "not a PoetSharp restart file");
        Broken("nan.restart", text.Replace("\"Positions\":[[0,0,0]", "\"Positions\":[[\"NaN\",0,0]"), "not a PoetSharp restart file");
        Broken("count.restart", text.Replace("\"Species\":[\"Cu\",", "\"Species\":[\"Cu\",\"Cu\","), "species");
        var missing = Assert.Throws<DataFormatException>(() => MolecularDynamics.Restore(Copper, Path.Combine(folder, "none.restart")));
        Assert.Contains("no such file", missing.Message);
        Assert.Contains("Lennard", Assert.Throws<ArgumentException>(() => MolecularDynamics.Restore(new LennardJones(0.01, 3.4, 8.5), good)).Message);
    }

    [Fact]
    public void Diffusivity_of_a_random_walk_is_recovered_within_its_error_bar()
    {
        // 200 walkers taking Gaussian steps of variance 2·D·Δt per component: MSD = 6 D t exactly on average.
        const double d = 0.004, dt = 10; // Å²/fs, fs
        var structure = new Structure(Cell.Orthorhombic(50, 50, 50), new Vec3[200], Enumerable.Repeat("Ar", 200).ToArray());
        var recorder = new DisplacementRecorder(structure, dt);
        var random = new Random(3);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var positions = new Vec3[200];
        var width = Math.Sqrt(2 * d * dt);
        for (var frame = 0; frame < 2000; frame++)
        {
            recorder.Add(positions);
            for (var i = 0; i < positions.Length; i++) positions[i] += width * new Vec3(Normal(), Normal(), Normal());
        }
        var result = recorder.Diffusivity(100, 1000, blocks: 5);
        Assert.True(Math.Abs(result.Value - d) < 4 * result.StandardError, $"D = {result.Value} ± {result.StandardError}, true {d}");
        Assert.InRange(result.StandardError / d, 0.002, 0.1);
        Assert.Equal(d * 0.1, result.InSquareCentimetresPerSecond, 1);
    }

    [Fact]
    public void Rigid_translation_of_the_crystal_is_not_diffusion()
    {
        var crystal = Builders.Fcc("Cu", 3.61, 2);
        var recorder = new DisplacementRecorder(crystal, 1);
        var positions = (Vec3[])crystal.Positions.Clone();
        for (var frame = 0; frame < 20; frame++)
        {
            recorder.Add(positions);
            for (var i = 0; i < positions.Length; i++) positions[i] += new Vec3(0.3, -0.1, 0.2);
        }
        Assert.All(recorder.MeanSquaredDisplacement(10), m => Assert.True(m < 1e-20));
    }

    [Fact]
    public void Radial_distribution_of_fcc_counts_twelve_nearest_neighbours_at_a_over_root_two()
    {
        var crystal = Builders.Rattled(Builders.Fcc("Cu", 3.61, 4), 0.05, 1);
        var rdf = new RadialDistribution(4.0, 400);
        rdf.Add(crystal);
        var (r, g) = rdf.Result();
        var density = crystal.Count / crystal.Cell.Volume;
        double count = 0;
        var peak = 0;
        for (var b = 0; b < r.Length && r[b] < 3.1; b++)
        {
            count += 4 * Math.PI * r[b] * r[b] * rdf.BinWidth * density * g[b];
            if (g[b] > g[peak]) peak = b;
        }
        Assert.Equal(12, count, 0.5);
        Assert.Equal(3.61 / Math.Sqrt(2), r[peak], 0.1);
    }

    [Fact]
    public void Arrhenius_fit_returns_the_activation_energy_and_prefactor()
    {
        const double ea = 0.71, d0 = 0.05;
        var exact = new[] { 900.0, 1000, 1100, 1250 }.Select(t => new ArrheniusPoint(t, d0 * Math.Exp(-ea / (Units.BoltzmannEvPerK * t)), 0)).ToArray();
        var fit = ArrheniusFit.Fit(exact);
        Assert.Equal(ea, fit.ActivationEnergy, 10);
        Assert.Equal(d0, fit.Prefactor, 10);
        Assert.True(fit.ActivationEnergyError < 1e-8);

        // With 10 % errors on each point the error of Ea follows from the spread of 1/kT: about 0.1 / (Δ(1/kT)·√…).
        var noisy = exact.Select((p, i) => p with { Value = p.Value * (1 + 0.1 * (i % 2 == 0 ? 1 : -1)), StandardError = 0.1 * p.Value }).ToArray();
        var weighted = ArrheniusFit.Fit(noisy);
        Assert.True(Math.Abs(weighted.ActivationEnergy - ea) < 3 * weighted.ActivationEnergyError);
        Assert.InRange(weighted.ActivationEnergyError, 0.01, 0.1);

        var png = Path.Combine(TestData.TempDir(), "arrhenius.png");
        var svg = Path.ChangeExtension(png, ".svg");
        weighted.Plot(png);
        weighted.Plot(svg);
        Assert.True(new FileInfo(png).Length > 1000);
        System.Xml.Linq.XDocument.Load(svg);

        Assert.Throws<ArgumentException>(() => ArrheniusFit.Fit([new ArrheniusPoint(1000, 1e-5, 0)]));
        Assert.Throws<ArgumentException>(() => ArrheniusFit.Fit([new ArrheniusPoint(1000, 1e-5, 0), new ArrheniusPoint(1100, -1, 0)]));
    }
}
