using PoetSharp.Data;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Search;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Search;

/// <summary>Tiny searches (a few structures, small populations, a few generations): reproducibility, checkpoint and resume, Ctrl-C.</summary>
public class SearchEngineTests
{
    /// <summary>Eight structures of EAM_Cu at 1600 K, split 6/2, fitted on 3 (shared with other search tests).</summary>
    internal static readonly Lazy<SearchProblem> Problem = new(() =>
    {
        var all = PoetFolder.Read(TestData.Repo("poet", "EAM_Cu", "NVT_FCC_1600K"));
        var picked = new Dataset(SearchProblem.Spread(all.Structures, 8), "EAM_Cu 1600 K (8)");
        var split = PoetSharp.Fitting.DataSplit.Random(picked, 0.25, 1);
        return new SearchProblem(split.Training, split.Validation, Taper.Copper, maxFitStructures: 3);
    });

    internal static SearchSettings Tiny(int generations) => new()
    {
        Seed = 42,
        Islands = 2,
        Threads = 1,
        PopulationSize = 6,
        OffspringPerGeneration = 5,
        MaxGenerations = generations,
        MigrationInterval = 2,
        Migrants = 2,
        ConstantEvaluations = 6,
        MaxFitStructures = 3,
        FinalRefitEvaluations = 0,
        CheckpointInterval = TimeSpan.FromHours(1),
    };

    private static string[] Fingerprint(IEnumerable<Candidate> front) =>
        front.Select(c => $"{ExpressionPrinter.PrintExact(c.Expression)} {c.TrainingFitness:R} {c.ValidationFitness:R} {c.CostPerPair:R} {c.ShortRangePassed}").ToArray();

    [Fact]
    public void SameSeedSameFront()
    {
        var first = new SearchEngine(Problem.Value, Tiny(3)).Run();
        var second = new SearchEngine(Problem.Value, Tiny(3)).Run();
        Assert.NotEmpty(first);
        Assert.Equal(Fingerprint(first), Fingerprint(second));
        var other = new SearchEngine(Problem.Value, Tiny(3) with { Seed = 43 }).Run();
        Assert.NotEqual(Fingerprint(first), Fingerprint(other));
    }

    [Fact]
    public void ThreadsDoNotChangeAGenerationLimitedRun()
    {
        var one = new SearchEngine(Problem.Value, Tiny(3)).Run();
        var two = new SearchEngine(Problem.Value, Tiny(3) with { Threads = 2 }).Run();
        Assert.Equal(Fingerprint(one), Fingerprint(two));
    }

    [Fact]
    public void ResumeGivesTheSameFrontAsAnUninterruptedRun()
    {
        var folder = TestData.TempDir();
        var uninterrupted = new SearchEngine(Problem.Value, Tiny(5)).Run();

        var path = Path.Combine(folder, SearchCheckpoint.FileName);
        var partial = new SearchEngine(Problem.Value, Tiny(3)) { CheckpointPath = path };
        partial.Run();
        Assert.True(File.Exists(path));
        Assert.False(File.Exists(path + ".tmp"));
        var resumed = SearchCheckpoint.Resume(path, Problem.Value, Tiny(5));
        Assert.Equal(3, resumed.Generation);
        Assert.Equal(Fingerprint(uninterrupted), Fingerprint(resumed.Run()));
    }

    [Fact]
    public void TheMetalsPriorSettingChangesTheSearchAndIsResumedAsStored()
    {
        var path = Path.Combine(TestData.TempDir(), SearchCheckpoint.FileName);
        var uninterrupted = new SearchEngine(Problem.Value, Tiny(5) with { MetalsPrior = false }).Run();
        Assert.NotEqual(Fingerprint(new SearchEngine(Problem.Value, Tiny(5)).Run()), Fingerprint(uninterrupted));

        new SearchEngine(Problem.Value, Tiny(3) with { MetalsPrior = false }) { CheckpointPath = path }.Run();
        Assert.False(SearchCheckpoint.ReadHeader(path).Settings.MetalsPrior);
        // Resumed with limits from settings whose prior is on: the stored setting still governs the search.
        var resumed = SearchCheckpoint.Resume(path, Problem.Value, Tiny(5));
        Assert.False(resumed.Settings.MetalsPrior);
        Assert.Equal(Fingerprint(uninterrupted), Fingerprint(resumed.Run()));
    }

    [Fact]
    public void CancellationMidGenerationRollsBackAndResumesExactly()
    {
        var folder = TestData.TempDir();
        var path = Path.Combine(folder, SearchCheckpoint.FileName);
        var uninterrupted = new SearchEngine(Problem.Value, Tiny(4)).Run();

        using var cancel = new CancellationTokenSource();
        var reports = 0;
        var engine = new SearchEngine(Problem.Value, Tiny(4)) { CheckpointPath = path };
        // Cancel as Ctrl-C would, from the progress callback after the third generation of any island.
        engine.Run(cancel.Token, new SyncProgress(_ => { if (++reports == 3) cancel.Cancel(); }));
        Assert.True(engine.Generation < 4);
        Assert.True(File.Exists(path));
        var resumed = SearchCheckpoint.Resume(path, Problem.Value, Tiny(4));
        Assert.Equal(Fingerprint(uninterrupted), Fingerprint(resumed.Run()));
    }

    [Fact]
    public void FrontIsNonDominatedAndSeedModelsEnter()
    {
        var settings = Tiny(2) with { SeedModels = ["sum(644.52*r^-9) - sum(527.62*r^-6)^0.5"] };
        var front = new SearchEngine(Problem.Value, settings).Run();
        foreach (var a in front)
            foreach (var b in front)
                Assert.False(Pareto.Dominates(a.ArchiveObjectives(), b.ArchiveObjectives()));
        // The true form fits this data (generated with it) exactly, so it stays on the front (models with extra terms can
        // tie with it on these few structures, so it need not be the single most accurate one).
        Assert.Contains(front, c => SuttonChenRecovery.Check(c.Expression, Taper.Copper).Found);
    }

    [Fact]
    public void DuplicateFormsAreNotFittedTwice()
    {
        var engine = new SearchEngine(Problem.Value, Tiny(3));
        engine.Run();
        Assert.True(engine.Duplicates > 0);
        foreach (var island in engine.Islands)
        {
            var hashes = island.Population.Select(c => c.Hash).ToList();
            Assert.Equal(hashes.Count, hashes.Distinct().Count());
        }
    }

    private sealed class SyncProgress(Action<SearchProgress> action) : IProgress<SearchProgress>
    {
        public void Report(SearchProgress value) => action(value);
    }

    [Fact]
    public void PruningDropsAVestigialTermAndKeepsSuttonChen()
    {
        var model = ExpressionParser.ParseModel("sum(644.52*r^-9 - 1e-6*0.2^r) - sum(527.62*r^-6)^0.5 + 1e-5*sum(r^-2)");
        var pruned = Problem.Value.Prune(model, Tiny(1), 30);
        Assert.Equal(2, pruned.SumCount);
        Assert.True(SuttonChenRecovery.Check(pruned, Problem.Value.Taper).Found, pruned.ToString());
        Assert.DoesNotContain("0.2", pruned.ToString());
    }

    [Fact]
    public void PruningKeepsTheSignOfASubtractedPart()
    {
        var model = ExpressionParser.ParseModel("sum(1e-9) - (22.97*sum(r^-6)^0.5 - 644.52*sum(r^-9))");
        var pruned = Problem.Value.Prune(model, Tiny(1), 30);
        Assert.Equal(2, pruned.SumCount);
        Assert.True(SuttonChenRecovery.Check(pruned, Problem.Value.Taper).Found, pruned.ToString());
    }
}
