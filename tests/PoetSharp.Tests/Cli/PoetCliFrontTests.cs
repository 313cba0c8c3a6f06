using System.Text.Json;
using PoetSharp.Search;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>`poet front` (the recommendation, --properties) and run folders standing for their recommended model in `poet export` and `poet md`.</summary>
public class PoetCliFrontTests
{
    private static string Targets => TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data");

    // GP1 is the more accurate on validation but fails the short-range check, so the Sutton–Chen-form model 1 is recommended.
    private static string RunFolder(bool recommend = true) =>
        RunFolders.Create([RunFolders.Entry(1, RunFolders.SuttonChen, 0.02), RunFolders.Entry(2, RunFolders.Gp1, 0.01, shortRange: false)], recommend);

    [Fact]
    public void FrontMarksTheRecommendedModelAndChoosesOneForOldFronts()
    {
        var run = CliRun.Of("front", RunFolder());
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains(RunFolders.Gp1, run.Stdout);
        Assert.Contains("★ recommended: model 1 (", run.Stdout);

        var old = CliRun.Of("front", RunFolder(recommend: false));
        Assert.True(old.ExitCode == 0, old.Stderr);
        Assert.Contains("★ recommended (chosen now; front.json records none): model 1 (", old.Stdout);
    }

    [Fact]
    public void FrontPropertiesWritesTheFilesAndPrintsTheSummaryTable()
    {
        var dir = RunFolder();
        var run = CliRun.Of("front", dir, "--properties", "--only", "lattice,phases", "--targets", Targets, "--compare", "sc", "--threads", "2");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("poet: computing lattice, phases for the front of", run.Stderr);
        Assert.Contains("poet: [3/3]", run.Stderr);
        Assert.Contains("properties (lattice, phases) of 2 front models in", run.Stdout);
        Assert.Contains("phases (meV/atom)", run.Stdout);
        Assert.Contains("model 1 ★", run.Stdout);
        Assert.Contains("★ recommended: model 1 (", run.Stdout);
        foreach (var f in new[] { "properties.json", "properties.md", "property-errors-lattice.png", "property-errors-phases.svg" })
        {
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
            Assert.Contains(Path.Combine(dir, f), run.Stdout);
        }
        Assert.NotNull(RunOutputs.Read(dir).RecommendationReason);
        // No checkpoint in this folder: the search's default target weight.
        Assert.Contains("lowest joint fitness", RunOutputs.Read(dir).RecommendationReason);
        Assert.Contains("+ ½·0.03·(property score ", RunOutputs.Read(dir).RecommendationReason);
    }

    [Fact]
    public void FrontOptionsAreCheckedInOneLine()
    {
        var dir = RunFolder();
        var usage = CliRun.Of("front", dir, "--compare", "sc");
        usage.AssertOneLineError(2);
        Assert.Contains("--compare applies with --properties only", usage.Stderr);
        CliRun.Of("front", dir, "--properties", "--only", "lattice,nonsense").AssertOneLineError(1);
        CliRun.Of("front", dir, "--properties", "--targets", Path.Combine(dir, "missing.data")).AssertOneLineError(1);
        CliRun.Of("front", dir, "--properties", "--compare", "no-such-potential").AssertOneLineError(1);
        CliRun.Of("front", TestData.TempDir(), "--properties").AssertOneLineError(1);
    }

    [Fact]
    public void ExportTakesARunFolderAsItsRecommendedModel()
    {
        var dir = RunFolder();
        var outDir = TestData.TempDir();
        var run = CliRun.Of("export", "--model", dir, "--format", "kim", "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"poet: using model 1 of {dir} (models/model-01.json), the recommended model: model 1 (", run.Stderr);
        var card = File.ReadAllText(Path.Combine(outDir, "MODEL.md"));
        Assert.Contains("# front model 1", card);
        Assert.Contains("E_i = " + RunFolders.SuttonChen, card);

        // A model file's taper is its own; so is a run folder's.
        CliRun.Of("properties", "--model", dir, "--cutoff", "6", "--only", "elastic").AssertOneLineError(2);
        CliRun.Of("export", "--model", TestData.TempDir(), "--format", "kim", "--out", outDir).AssertOneLineError(1);
    }

    [Fact]
    public void MdTakesARunFolderAsItsRecommendedModelOrElseTheMostAccurate()
    {
        var run = CliRun.Of("md", "--model", RunFolder(), "--build", "fcc:Cu:3.61:3x3x3", "--steps", "2", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("poet: using model 1 of", run.Stderr);
        using (var json = JsonDocument.Parse(run.Stdout))
            Assert.StartsWith("front model 1", json.RootElement.GetProperty("potential").GetString());

        var old = CliRun.Of("md", "--model", RunFolder(recommend: false), "--build", "fcc:Cu:3.61:3x3x3", "--steps", "2", "--json");
        Assert.True(old.ExitCode == 0, old.Stderr);
        Assert.Contains("poet: using model 2 of", old.Stderr);
        Assert.Contains("no recommendation recorded, so the lowest validation fitness", old.Stderr);
        using (var json = JsonDocument.Parse(old.Stdout))
            Assert.StartsWith("front model 2", json.RootElement.GetProperty("potential").GetString());
    }
}
