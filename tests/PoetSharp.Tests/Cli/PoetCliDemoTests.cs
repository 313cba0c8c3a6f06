using PoetSharp.Cli;
using PoetSharp.Data;
using PoetSharp.Search;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>`poet demo`: its options, where it finds the shipped data, what it reports.</summary>
public class PoetCliDemoTests
{
    [Fact]
    public void DemoWithoutThePriorFindsItsDataFromAnotherWorkingFolder()
    {
        // A working folder outside the repository: the data are found above the program instead.
        var elsewhere = TestData.TempDir();
        var fake = new FakeServices { WorkingFolder = elsewhere };
        var shipped = Path.GetFullPath(TestData.Repo("poet", "LJ_Ar"));
        // The search itself is tested elsewhere; a few of the shipped structures keep this run short.
        var all = DataFiles.Read(shipped);
        fake.Data[shipped] = new Dataset(SearchProblem.Spread(all.Structures, 5), shipped);
        var dir = Path.Combine(elsewhere, "demo-run");

        var run = fake.Run("demo", "--target", "lj", "--no-prior", "--time", "1s", "--threads", "1", "--out", dir);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"from {shipped}:", run.Stdout);
        Assert.Contains("metals prior: off", run.Stdout);
        Assert.Contains("\nprior: off", run.Stdout.ReplaceLineEndings("\n"));
        Assert.Contains("\nfound: ", run.Stdout.ReplaceLineEndings("\n"));
        Assert.Contains("metals prior: off", File.ReadAllText(Path.Combine(dir, "summary.md")));
        Assert.False(SearchCheckpoint.ReadHeader(Path.Combine(dir, SearchCheckpoint.FileName)).Settings.MetalsPrior);
        Assert.NotEmpty(RunOutputs.Read(dir).Front);
    }

    [Fact]
    public void TheDataAreLookedForAboveEachStartingFolder()
    {
        var elsewhere = TestData.TempDir();
        var shipped = Path.GetFullPath(TestData.Repo("poet", "EAM_Cu"));
        Assert.Equal(shipped, DemoCommand.FindData("poet/EAM_Cu", elsewhere, AppContext.BaseDirectory));
        Assert.Equal(shipped, DemoCommand.FindData("poet/EAM_Cu", Path.Combine(TestData.RepoRoot, "src", "PoetSharp")));

        var missing = Assert.Throws<ArgumentException>(() => DemoCommand.FindData("poet/EAM_Cu", elsewhere, Path.Combine(elsewhere, "bin")));
        Assert.Contains("data/poet/EAM_Cu", missing.Message);
        Assert.Contains(elsewhere, missing.Message);
        Assert.Contains("--data", missing.Message);
    }

    [Fact]
    public void BadDemoOptionsAreClearErrors()
    {
        CliRun.Of("demo", "--target", "morse", "--time", "1s").AssertOneLineError(1);
        CliRun.Of("demo", "--no-prior", "yes-please").AssertOneLineError(2);
    }
}
