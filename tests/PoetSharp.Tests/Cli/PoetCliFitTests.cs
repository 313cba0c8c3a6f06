using PoetSharp.Data;
using PoetSharp.Search;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>`poet fit`, `poet front` and `--resume` on a tiny data set (8 structures) and tiny populations.</summary>
public class PoetCliFitTests
{
    private static FakeServices Services()
    {
        var fake = new FakeServices();
        var all = PoetFolder.Read(TestData.Repo("poet", "EAM_Cu", "NVT_FCC_1600K"));
        fake.Data["tiny"] = new Dataset(SearchProblem.Spread(all.Structures, 8), "tiny");
        return fake;
    }

    private static readonly string[] Small =
        ["--threads", "1", "--islands", "2", "--population", "6", "--fit-structures", "3", "--constant-evaluations", "5", "--seed", "3"];

    [Fact]
    public void FitWritesTheRunFolderAndFrontPrintsIt()
    {
        var fake = Services();
        var dir = Path.Combine(TestData.TempDir(), "run");
        var run = fake.Run(["fit", "--data", "tiny", "--generations", "2", "--out", dir, .. Small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("front after 2 generations", run.Stdout);
        // The end stage says what it is doing (on a large front with targets it takes many minutes).
        Assert.Contains("poet: polishing the constants of the", run.Stderr);
        Assert.Matches(@"poet: front model \d+ of \d+ finished \(\d+:\d\d\)", run.Stderr);
        foreach (var f in new[] { "front.json", "front.md", "front.png", "front.svg", "history.png", "history.svg", "summary.md", SearchCheckpoint.FileName })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        var front = RunOutputs.Read(dir);
        Assert.NotEmpty(front.Front);
        foreach (var e in front.Front)
        {
            Assert.True(File.Exists(Path.Combine(dir, e.ModelFile)));
            PoetSharp.Models.ModelFile.Read(Path.Combine(dir, e.ModelFile)).Validate();
            Assert.NotNull(e.Training?.EnergyRmse);
            Assert.NotNull(e.Validation?.ForceRmse);
            Assert.NotEmpty(e.Groups);
        }

        Assert.Contains("metals prior: on", run.Stdout);
        Assert.Contains("metals prior: on", File.ReadAllText(Path.Combine(dir, "summary.md")));

        var printed = fake.Run("front", dir);
        Assert.Equal(0, printed.ExitCode);
        Assert.Contains(front.Front[0].Simplified, printed.Stdout);

        // A second fit into the same folder is refused; --resume continues it.
        fake.Run(["fit", "--data", "tiny", "--generations", "2", "--out", dir, .. Small]).AssertOneLineError(1);
        // A resumed run keeps the settings it started with: --no-prior cannot turn the prior off halfway.
        fake.Run("fit", "--resume", dir, "--generations", "3", "--threads", "1", "--no-prior").AssertOneLineError(1);
        var resumed = fake.Run("fit", "--resume", dir, "--generations", "3", "--threads", "1");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("resuming", resumed.Stdout);
        Assert.Contains("front after 3 generations", resumed.Stdout);
    }

    [Fact]
    public void TheFrontIsPolishedOnMoreStructuresAndAResumedRunCanFinishAgainWithAnotherNumber()
    {
        var fake = Services();
        var dir = Path.Combine(TestData.TempDir(), "run");
        var run = fake.Run(["fit", "--data", "tiny", "--generations", "1", "--out", dir, "--no-properties", .. Small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var training = SearchCheckpoint.ReadHeader(Path.Combine(dir, SearchCheckpoint.FileName)).Settings.FinalFitStructures;
        Assert.Equal(new SearchSettings().FinalFitStructures, training);
        // The default (128) is more than the tiny set's training structures: all of them, not the 3 candidates are fitted on.
        Assert.Matches(@"front models polished at the end: 100 evaluations on [4-8] training structures", File.ReadAllText(Path.Combine(dir, "summary.md")));

        // The limit is reached, so --resume runs only the final stage again, here on the candidates' own 3 structures.
        var again = fake.Run("fit", "--resume", dir, "--threads", "1", "--final-fit-structures", "3", "--no-properties");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("front models polished at the end: 100 evaluations on 3 training structures", File.ReadAllText(Path.Combine(dir, "summary.md")));
        Assert.Equal(1, RunOutputs.Read(dir).Generations);
        // Not given again, the number stays the one the run last had (the option's default does not replace it).
        var third = fake.Run("fit", "--resume", dir, "--threads", "1", "--no-properties");
        Assert.True(third.ExitCode == 0, third.Stderr);
        Assert.Contains("front models polished at the end: 100 evaluations on 3 training structures", File.ReadAllText(Path.Combine(dir, "summary.md")));
        fake.Run("fit", "--data", "tiny", "--generations", "1", "--out", Path.Combine(TestData.TempDir(), "bad"), "--final-fit-structures", "0").AssertOneLineError(1);
    }

    [Fact]
    public void MutationWeightsAndPriorsAreOptionsAResumedRunKeeps()
    {
        var fake = Services();
        var dir = Path.Combine(TestData.TempDir(), "run");
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--mutation-weights", "hoist=x", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--mutation-weights", "graft=1", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--mutation-weights", "crossover=1,point=0,subtree=0,insertion=0,deletion=0,hoist=0,add-term=0,remove-term=0,jitter=0", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--priors", "eam=1.5", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--priors", "eam", "--out", dir, .. Small]).AssertOneLineError(1);
        // The cluster's options mean nothing without --cluster.
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--role", "worker", "--out", dir, .. Small]).AssertOneLineError(2);
        var run = fake.Run(["fit", "--data", "tiny", "--generations", "2", "--mutation-weights", "hoist=0,jitter=3", "--priors", "eam=0.5", "--no-properties", "--out", dir, .. Small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var (stored, _, _) = SearchCheckpoint.ReadHeader(Path.Combine(dir, SearchCheckpoint.FileName));
        Assert.Equal(0, stored.MutationWeights[Operator.Hoist]);
        Assert.Equal(3, stored.MutationWeights[Operator.ConstantJitter]);
        Assert.Equal(2, stored.MutationWeights[Operator.PointMutation]);
        Assert.Equal(0.5, stored.Priors.EmbeddedAtomShare);
        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains("mutation weights: ", summary);
        Assert.Contains("hoist 0", summary);
        Assert.Contains("grammar priors: embedded-atom shape 0.5", summary);
        Assert.Contains("islands evolved on one thread", summary);
        fake.Run("fit", "--resume", dir, "--generations", "3", "--threads", "1", "--priors", "eam=0.25").AssertOneLineError(1);
        fake.Run("fit", "--resume", dir, "--generations", "3", "--threads", "1", "--mutation-weights", "hoist=1").AssertOneLineError(1);
        var resumed = fake.Run("fit", "--resume", dir, "--generations", "3", "--threads", "1", "--no-properties", "--priors", "eam=0.5", "--mutation-weights", "jitter=3,hoist=0");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
    }

    [Fact]
    public void MtpLevelsPutMtpsAndClosedFormsOnOneFront()
    {
        var fake = Services();
        var dir = Path.Combine(TestData.TempDir(), "run");
        // A bad level fails at once, before any search.
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--mtp-levels", "6,x", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--mtp-time", "3s", "--out", dir, .. Small]).AssertOneLineError(2);
        Assert.False(Directory.Exists(dir));
        var run = fake.Run(["fit", "--data", "tiny", "--generations", "1", "--no-properties", "--mtp-levels", "6", "--mtp-time", "3s", "--out", dir, .. Small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("training a level-6 MTP", run.Stdout);
        Assert.Contains("one front across families", run.Stdout);
        foreach (var f in new[] { "families.json", "families.md", "families.png", "families.svg", "models/mtp-06.json", "models/mtp-06.mtp" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        var families = FamilyFront.Read(dir)!;
        var front = RunOutputs.Read(dir);
        Assert.Equal(front.Front.Count, families.Models.Count(m => m.Family == "expression"));
        var mtp = Assert.Single(families.Models, m => m.Family == "mtp");
        Assert.Equal("MTP level 6", mtp.Name);
        Assert.Equal(PoetSharp.Models.ModelFile.ReadAny(Path.Combine(dir, mtp.ModelFile!)).ParameterCount, mtp.Parameters);
        Assert.All(families.Models, m => Assert.True(m.MicrosecondsPerAtomStep > 0));
        Assert.Contains(families.Models, m => m.OnFront);
        var md = File.ReadAllText(Path.Combine(dir, "families.md"));
        Assert.Contains("| expression |", md);
        Assert.Contains("| mtp | MTP level 6 |", md);

        var printed = fake.Run("front", dir);
        Assert.Equal(0, printed.ExitCode);
        Assert.Contains("one front across families", printed.Stdout);
        Assert.Contains("MTP level 6", printed.Stdout);
    }

    [Fact]
    public void NoPriorIsAcceptedReportedAndStored()
    {
        var fake = Services();
        var dir = Path.Combine(TestData.TempDir(), "run");
        var run = fake.Run(["fit", "--data", "tiny", "--generations", "1", "--no-prior", "--out", dir, .. Small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("metals prior: off", run.Stdout);
        Assert.Contains("metals prior: off", File.ReadAllText(Path.Combine(dir, "summary.md")));
        Assert.False(SearchCheckpoint.ReadHeader(Path.Combine(dir, SearchCheckpoint.FileName)).Settings.MetalsPrior);
        // Resuming keeps it off, with or without repeating the option.
        var resumed = fake.Run("fit", "--resume", dir, "--generations", "2", "--threads", "1", "--no-prior");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("metals prior: off", resumed.Stdout);
    }

    [Fact]
    public void OperatorsAreAcceptedReportedAndStored()
    {
        var fake = Services();
        var dir = Path.Combine(TestData.TempDir(), "run");
        var run = fake.Run(["fit", "--data", "tiny", "--generations", "1", "--operators", "exp,sqrt", "--out", dir, .. Small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("operators: + - * / ^ and exp, sqrt", run.Stdout);
        Assert.Equal(["add", "sub", "mul", "div", "pow", "exp", "sqrt"],
            SearchCheckpoint.ReadHeader(Path.Combine(dir, SearchCheckpoint.FileName)).Settings.OperatorSet);
        // A resumed run keeps its operators: repeating them is fine, others are an error.
        var resumed = fake.Run("fit", "--resume", dir, "--generations", "2", "--threads", "1", "--operators", "sqrt,exp");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("operators: + - * / ^ and exp, sqrt", resumed.Stdout);
        fake.Run("fit", "--resume", dir, "--generations", "3", "--threads", "1", "--operators", "log").AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--operators", "tanh", "--out", Path.Combine(dir, "other"), .. Small]).AssertOneLineError(1);
    }

    [Fact]
    public void AngularDensitiesAreAskedForReportedStoredAndKeptOnResume()
    {
        // (What the grammar draws with them is AngularSyntaxTests'; here the option's path through the command.)
        var fake = Services();
        var dir = Path.Combine(TestData.TempDir(), "run");
        var run = fake.Run(["fit", "--data", "tiny", "--generations", "1", "--angular", "0,2", "--no-properties", "--out", dir, .. Small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("angular densities: orders 0, 2", run.Stdout);
        Assert.Contains("angular densities: orders 0, 2", File.ReadAllText(Path.Combine(dir, "summary.md")));
        Assert.Equal([0, 2], SearchCheckpoint.ReadHeader(Path.Combine(dir, SearchCheckpoint.FileName)).Settings.Angular!.Orders);
        var resumed = fake.Run("fit", "--resume", dir, "--generations", "2", "--threads", "1", "--angular", "2,0", "--no-properties");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("angular densities: orders 0, 2", resumed.Stdout);
        fake.Run("fit", "--resume", dir, "--generations", "3", "--threads", "1", "--angular", "1").AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--angular", "5", "--out", Path.Combine(dir, "other"), .. Small]).AssertOneLineError(1);
        // Without the option the settings say so (null: the radial grammar, drawn exactly as before).
        var radial = Path.Combine(TestData.TempDir(), "radial");
        Assert.Equal(0, fake.Run(["fit", "--data", "tiny", "--generations", "1", "--no-properties", "--out", radial, .. Small]).ExitCode);
        Assert.Null(SearchCheckpoint.ReadHeader(Path.Combine(radial, SearchCheckpoint.FileName)).Settings.Angular);
    }

    [Fact]
    public void ARunOfTwoElementsFromTypedDataStoresItsTypeMapForResume()
    {
        // Cu–Ni cells as an MLIP .cfg file without its species line: only a type map names the elements.
        var alloy = DataFiles.Read(TestData.Repo("alloy", "CuNi_RTS", "CuNi_RTS.xyz"));
        var folder = TestData.TempDir();
        var cfg = Path.Combine(folder, "alloy.cfg");
        DataFiles.Write(cfg, new Dataset(SearchProblem.Spread(alloy.Structures, 8)));
        static bool IsSpeciesLine(string l) => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is ["Feature", "species", ..];
        var lines = File.ReadAllLines(cfg);
        var map = string.Join(",", lines.First(IsSpeciesLine).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[2..]);
        File.WriteAllLines(cfg, lines.Where(l => !IsSpeciesLine(l)));
        var fake = new FakeServices();
        var dir = Path.Combine(folder, "run");
        fake.Run(["fit", "--data", cfg, "--generations", "1", "--out", dir, .. Small]).AssertOneLineError(1);
        var run = fake.Run(["fit", "--data", cfg, "--type-map", map, "--generations", "1", "--no-properties", "--out", dir, .. Small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("at[", File.ReadAllText(Path.Combine(dir, "front.md")));
        Assert.Equal(map.Split(','), SearchCheckpoint.ReadHeader(Path.Combine(dir, SearchCheckpoint.FileName)).Data!.TypeMap);
        // Resuming reads the data with the stored type map; another one is an error.
        var resumed = fake.Run("fit", "--resume", dir, "--generations", "2", "--threads", "1", "--no-properties");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        fake.Run("fit", "--resume", dir, "--generations", "3", "--threads", "1", "--type-map", "Cu,Ag").AssertOneLineError(1);
    }

    [Fact]
    public void TargetsScoreTheFrontAndTheRecommendationUsesThem()
    {
        var fake = Services();
        var dir = Path.Combine(TestData.TempDir(), "run");
        var targets = TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data");
        // With --mtp-levels the MTP is trained before the properties and is the reference of "what the data allow".
        var run = fake.Run(["fit", "--data", "tiny", "--generations", "1", "--targets", targets, "--ground-state", "fcc", "--target-refit-evaluations", "1", "--target-weight", "0.02",
            "--contenders", "1", "--contender-refit-evaluations", "2", "--mtp-levels", "6", "--mtp-time", "3s", "--out", dir, .. Small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("23 target properties", run.Stdout);
        var trainedAt = run.Stdout.IndexOf("training a level-6 MTP", StringComparison.Ordinal);
        Assert.True(trainedAt >= 0 && trainedAt < run.Stdout.IndexOf("What the data allow (model ", StringComparison.Ordinal), run.Stdout);
        Assert.Contains("## What the data allow", File.ReadAllText(Path.Combine(dir, "properties.md")));
        Assert.Contains(" against MTP level 6 on this run's data): model ", File.ReadAllText(Path.Combine(dir, "summary.md")));
        // The recommendation weighs the property scores with the run's own target weight.
        Assert.Contains("+ ½·0.02·(property score ", RunOutputs.Read(dir).RecommendationReason);
        Assert.Contains("then refitted on data and targets together: 1 iterations each, up to 2 for the 1 sane models of lowest joint cost", File.ReadAllText(Path.Combine(dir, "summary.md")));
        Assert.Contains("recommended", run.Stdout);
        var front = RunOutputs.Read(dir);
        Assert.All(front.Front, e => Assert.True(e.TargetFitness > 0));
        Assert.All(front.Front, e => Assert.NotNull(e.Sanity));
        Assert.NotNull(front.Recommended);
        Assert.Contains("targets term", File.ReadAllText(Path.Combine(dir, "front.md")));
        Assert.Contains("23 target properties", File.ReadAllText(Path.Combine(dir, "summary.md")));
        Assert.True(File.Exists(Path.Combine(dir, "properties.md")));
        // Each front model's property suite reports when it is done (one can take minutes).
        Assert.Matches(@"poet: \[1/\d+\] model \d+: \d+ properties in [\d.]+ s", run.Stderr);
        // The run's targets are what `poet front --properties` compares with when none are given.
        var again = fake.Run(["front", dir, "--properties", "--only", "lattice,elastic"]);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains(targets, again.Stdout + again.Stderr);
        Assert.Contains("with the run's own MTP level 6 (families.json) beside the front", again.Stderr);
        Assert.Contains("What the data allow (model ", again.Stdout);
        Assert.Contains("+ ½·0.02·(property score ", RunOutputs.Read(dir).RecommendationReason);
        Assert.Contains("then refitted on data and targets together: 1 iterations each, up to 2 for the 1 sane models of lowest joint cost", File.ReadAllText(Path.Combine(dir, "summary.md")));
    }

    [Fact]
    public void BadArgumentsGiveOneLineErrors()
    {
        var fake = Services();
        var dir = Path.Combine(TestData.TempDir(), "run");
        fake.Run(["fit", "--data", "tiny", "--time", "ten minutes", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--short-range", "maybe", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--seed-model", "r^-9", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--screen-factor", "-1", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--sanity", "maybe", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--target-mode", "both", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--ground-state", "diamond", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--targets", Path.Combine(dir, "none.data"), "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--targets", TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data"),
            "--target-weight", "0", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--contenders", "-1", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run(["fit", "--data", "tiny", "--generations", "1", "--contender-refit-evaluations", "-5", "--out", dir, .. Small]).AssertOneLineError(1);
        fake.Run("front", Path.Combine(dir, "nothing")).AssertOneLineError(1);
        Assert.Equal(2, fake.Run("fit", "--generations", "1").ExitCode);
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2m30s", 150)]
    public void DurationsParse(string text, double seconds) =>
        Assert.Equal(seconds, PoetSharp.Cli.SearchRunner.ParseDuration(text).TotalSeconds);
}
