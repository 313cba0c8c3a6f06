using System.Text.Json;
using PoetSharp.Data;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>`poet md` and `poet arrhenius` end to end on small copper crystals.</summary>
public class PoetCliMdTests
{
    [Fact]
    public void Md_prints_thermo_writes_a_trajectory_and_a_restart_that_continues()
    {
        var dir = TestData.TempDir();
        var trajectory = Path.Combine(dir, "traj.xyz");
        var restart = Path.Combine(dir, "run.restart");
        var run = CliRun.Of("md", "--potential", "sc", "--build", "fcc:Cu:3.61:3x3x3", "--ensemble", "nvt", "--temperature", "600",
            "--steps", "100", "--thermo", "50", "--trajectory", trajectory, "--trajectory-every", "25", "--write-restart", restart);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("108 atoms; NVT Nosé–Hoover chain at 600 K", run.Stdout);
        Assert.Contains("drift of the conserved energy", run.Stdout);
        var frames = ExtendedXyz.Read(trajectory);
        Assert.Equal(5, frames.Count); // steps 0, 25, 50, 75, 100
        Assert.All(frames.Structures, f => { Assert.NotNull(f.Energy); Assert.NotNull(f.Forces); Assert.NotNull(f.Stress); });

        var more = CliRun.Of("md", "--potential", "sc", "--restart", restart, "--steps", "50", "--json");
        Assert.True(more.ExitCode == 0, more.Stderr);
        using var summary = JsonDocument.Parse(more.Stdout);
        Assert.Equal(50, summary.RootElement.GetProperty("steps").GetInt64());
        Assert.Equal("NoseHoover", summary.RootElement.GetProperty("ensemble").GetString());
        Assert.InRange(summary.RootElement.GetProperty("mean_temperature_K").GetDouble(), 300, 900);
    }

    [Fact]
    public void Arrhenius_runs_every_temperature_and_writes_the_fit_and_plots()
    {
        // 32 atoms far above melting diffuse fast enough to give a fit in seconds: this checks the command's wiring;
        // the physics of vacancy diffusion is checked in the simulation tests.
        var dir = TestData.TempDir();
        var run = CliRun.Of("arrhenius", "--potential", "sc", "--build", "fcc:Cu:3.61:2x2x2", "--temperatures", "3000,4000,5000",
            "--equilibrate", "1000", "--steps", "3000", "--timestep", "1", "--sample-every", "10", "--blocks", "3", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("activation energy Ea =", run.Stdout);
        Assert.Contains("NVT Nosé–Hoover chain at 3000, 4000, 5000 K", run.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "arrhenius.json")));
        Assert.Equal(3, doc.RootElement.GetProperty("runs").GetArrayLength());
        Assert.True(doc.RootElement.GetProperty("activation_energy_eV").GetDouble() > 0);
        Assert.True(File.Exists(Path.Combine(dir, "arrhenius.png")));
        System.Xml.Linq.XDocument.Load(Path.Combine(dir, "arrhenius.svg"));
    }

    [Fact]
    public void Bad_md_options_are_one_line_errors()
    {
        CliRun.Of("md", "--potential", "sc", "--steps", "10").AssertOneLineError(2);
        CliRun.Of("md", "--potential", "sc", "--build", "fcc:Cu:3.61:2x2x2", "--steps", "10", "--ensemble", "npe").AssertOneLineError(2);
        CliRun.Of("md", "--potential", "sc", "--build", "fcc:Cu:-3:2x2x2", "--steps", "10").AssertOneLineError(1);
        CliRun.Of("md", "--potential", "sc", "--build", "hex:Cu:3.6:2x2x2", "--steps", "10").AssertOneLineError(1);
        CliRun.Of("md", "--potential", "sc", "--build", "fcc:Cu:3.6:2x2", "--steps", "10").AssertOneLineError(1);
        CliRun.Of("md", "--potential", "sc", "--restart", "/nonexistent/run.restart", "--steps", "10").AssertOneLineError(1);
        CliRun.Of("md", "--potential", "sc", "--build", "fcc:Cu:3.61:2x2x2", "--steps", "10", "--timestep", "0").AssertOneLineError(1);
        CliRun.Of("arrhenius", "--potential", "sc", "--build", "fcc:Cu:3.61:2x2x2", "--temperatures", "1000,abc", "--steps", "10").AssertOneLineError(1);
    }
}
