using System.Globalization;
using System.Text.Json;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Tests.Simulation;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>
/// `poet diffusion` end to end on a small two-element system (<see cref="LiTlPairModel"/>, 3×3×3 B2 LiTl with a vacancy)
/// hot enough that Li diffuses within picoseconds: the report folder, its numbers, and bad input.
/// </summary>
public class PoetCliDiffusionTests
{
    private static readonly string Cutoff = LiTlPairModel.Cutoff.ToString(CultureInfo.InvariantCulture);
    private static readonly string Inner = LiTlPairModel.TaperInner.ToString(CultureInfo.InvariantCulture);

    private static string Poscar()
    {
        var path = Path.Combine(TestData.TempDir(), "LiTl.vasp");
        DataFiles.Write(path, new Dataset([LiTlPairModel.Crystal(3)], path));
        return path;
    }

    private static CliRun Diffusion(string structure, params string[] more) => Diffusion("Li", structure, more);

    private static CliRun Diffusion(string species, string structure, string[] more) =>
        CliRun.Of(["diffusion", "--model", LiTlPairModel.Expression, "--cutoff", Cutoff, "--taper-inner", Inner, "--structure", structure,
            "--species", species, "--equilibrate", "300", "--sample-every", "10", "--timestep", "1", .. more]);

    [Fact]
    public void Diffusion_writes_the_report_with_diffusivities_fits_conductivity_hops_and_barrier()
    {
        var path = Poscar();
        var read = DataFiles.Read(path)[0];
        var li = Enumerable.Range(0, read.Count).Where(i => read.Species[i] == "Li").ToArray();
        // Two Li one lattice constant apart (a vacancy hop along [100]), numbered from 1 as in the file.
        var neighbour = Array.FindIndex(read.Positions, p => (p - (read.Positions[li[0]] + new Vec3(LiTlPairModel.LatticeConstant, 0, 0))).Length < 1e-6);
        var dir = TestData.TempDir();
        var run = Diffusion(path, "--vacancy", "--temperatures", "2500,3500,5000", "--steps", "4000", "--barrier", $"{neighbour + 1},{li[0] + 1}", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Contains("the temperatures run in parallel", run.Stdout);
        Assert.Contains("tracer: Ea = ", run.Stdout);
        Assert.Contains("conductivity at 300 K:", run.Stdout);
        Assert.Contains("Nernst–Einstein with the tracer diffusivity", run.Stdout);
        Assert.Contains("NEB barrier", run.Stdout);
        foreach (var file in new[] { "summary.md", "arrhenius.png", "arrhenius.svg", "msd.png", "msd.svg", "transport.csv", "hops.csv", "transitions.csv", "sites.txt", "report.json", "barrier.png", "barrier.svg" })
            Assert.True(File.Exists(Path.Combine(dir, file)) && new FileInfo(Path.Combine(dir, file)).Length > 0, file);
        System.Xml.Linq.XDocument.Load(Path.Combine(dir, "arrhenius.svg"));

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
        var root = doc.RootElement;
        Assert.Equal("Li", root.GetProperty("species").GetString());
        var runs = root.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(3, runs.Length);
        var d = runs.Select(r => r.GetProperty("tracer_cm2_per_s").GetDouble()).ToArray();
        Assert.True(d[0] > 0 && d[0] < d[2], $"D* = {string.Join(", ", d)}");
        Assert.All(runs, r => Assert.InRange(r.GetProperty("mean_temperature_K").GetDouble() / r.GetProperty("temperature_K").GetDouble(), 0.9, 1.1));
        var ea = root.GetProperty("arrhenius").GetProperty("tracer").GetProperty("activation_energy_eV").GetDouble();
        Assert.True(ea > 0, $"Ea = {ea}");
        var sigma = root.GetProperty("conductivity");
        Assert.Equal("tracer", sigma.GetProperty("from").GetString());
        Assert.True(sigma.GetProperty("low_S_per_cm").GetDouble() < sigma.GetProperty("S_per_cm").GetDouble());
        Assert.True(root.GetProperty("barrier").GetProperty("forward_eV").GetDouble() > 0);
        Assert.True(runs[2].GetProperty("hops").GetInt32() > 0);

        var csv = File.ReadAllLines(Path.Combine(dir, "transport.csv"));
        Assert.Equal(4, csv.Length);
        Assert.StartsWith("temperature_K,", csv[0]);
        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        foreach (var section in new[] { "## Diffusivities", "## Arrhenius fits", "## Conductivity", "## Sites and hops", "## Barrier", "Haven ratio" })
            Assert.Contains(section, summary);
        // The sites file the run wrote is read back as given sites.
        var again = Diffusion(path, "--vacancy", "--temperatures", "3500,5000", "--steps", "2000", "--sites", Path.Combine(dir, "sites.txt"), "--conductivity-from", "collective", "--out", TestData.TempDir());
        Assert.True(again.ExitCode == 0, again.Stderr + again.Stdout);
    }

    [Fact]
    public void Bad_input_is_one_clear_error()
    {
        var path = Poscar();
        var sites = Path.Combine(TestData.TempDir(), "sites.txt");
        File.WriteAllText(sites, "A 0 0 0\nB 0.5 oops 0.5\n");
        var na = Diffusion("Na", path, ["--temperatures", "900,1200", "--steps", "100"]);
        Assert.True(na.ExitCode != 0);
        Assert.Contains("has no Na (it has ", na.Stderr);
        var cases = new (string[] Args, string Message)[]
        {
            (["--temperatures", "900,x", "--steps", "100"], "'x' is not a positive temperature"),
            (["--temperatures", "900", "--steps", "100"], "at least two temperatures"),
            (["--temperatures", "900,1200", "--steps", "100", "--conductivity-from", "both"], "neither tracer nor collective"),
            (["--temperatures", "900,1200", "--steps", "100", "--sites", sites], "sites.txt:2"),
            (["--temperatures", "900,1200", "--steps", "100", "--barrier", "1,2"], "--barrier 1,2"),
        };
        foreach (var (args, message) in cases)
        {
            var run = Diffusion(path, args);
            Assert.True(run.ExitCode != 0, string.Join(' ', args));
            Assert.Contains(message, run.Stderr);
            Assert.DoesNotContain("   at ", run.Stderr);
        }
    }
}
