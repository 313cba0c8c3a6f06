using System.Text.Json;
using PoetSharp.Data;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Search;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Search;

/// <summary>The recommendation rule and the property score on hand-made fronts and comparisons.</summary>
public class RecommendationTests
{
    private static FrontEntry E(int rank, int complexity, double fitness, bool shortRange = true, bool? sane = null) =>
        new(rank, $"model{rank}", $"model{rank}", complexity, 1, fitness, fitness, shortRange, "", [], [], $"models/model-{rank:D2}.json",
            sane is bool ok ? new SanityReport([new SanityCheckResult("stacking fault", ok, ok ? 40 : -3, ok ? "positive" : "negative: fcc faults by itself")]) : null);

    private static Dictionary<int, double> Scores(params (int Rank, double Score)[] scores) => scores.ToDictionary(s => s.Rank, s => s.Score);

    [Fact]
    public void SanityAndShortRangeFailuresAreNotRecommendedEvenWithTheBestNumbers()
    {
        var front = new[] { E(1, 5, 0.010, sane: false), E(2, 9, 0.011, shortRange: false, sane: true), E(3, 11, 0.012, sane: true) };
        var chosen = Recommendation.Choose(front, Scores((1, 0.1), (2, 0.2), (3, 3.0)))!;
        Assert.Equal(3, chosen.Rank);
        Assert.Contains("passes the short-range and sanity checks (1 of 3 models do)", chosen.Reason);
    }

    [Fact]
    public void ModelsFarLessAccurateOnValidationAreLeftOutWhateverTheirProperties()
    {
        // Model 2 has the best properties, and with W = 1 the best joint fitness, but a little over 4× the best
        // validation fitness (over twice its RMS errors).
        var front = new[] { E(1, 10, 0.010), E(2, 12, 0.0401), E(3, 14, 0.039) };
        var chosen = Recommendation.Choose(front, Scores((1, 2.0), (2, 0.5), (3, 1.0)), new RecommendationRule { TargetWeight = 1 })!;
        Assert.Equal(3, chosen.Rank);
        Assert.Contains("within 4× of the best such model's 0.01 (2 models)", chosen.Reason);
        Assert.Contains("lowest joint fitness 0.539 (validation fitness 0.039 + ½·1·(property score 1)²)", chosen.Reason);
    }

    [Fact]
    public void TheJointFitnessTradesAccuracyForPropertiesAtTheTargetWeight()
    {
        // At W = 0.01: model 1 is the most accurate but misses its targets by 4 tolerances on
        // average (0.010 + 0.08), model 3 meets them best but at almost 4× the fitness (0.039 + 0.005), model 2 between
        // (0.021 + 0.02) is the choice. The old rule (lowest score within 2×) would have left model 1 alone.
        var front = new[] { E(1, 10, 0.010), E(2, 12, 0.021), E(3, 14, 0.039) };
        var scores = Scores((1, 4.0), (2, 2.0), (3, 1.0));
        var w001 = new RecommendationRule { TargetWeight = 0.01 };
        var chosen = Recommendation.Choose(front, scores, w001)!;
        Assert.Equal(2, chosen.Rank);
        Assert.Contains("within 4× of the best such model's 0.01 (3 models)", chosen.Reason);
        Assert.Contains("lowest joint fitness 0.041 (validation fitness 0.021 + ½·0.01·(property score 2)²)", chosen.Reason);
        Assert.Equal(1, Recommendation.Choose(front, scores, w001 with { FitnessFactor = 2 })!.Rank);
        // The run's weight sets the exchange rate: properties count for little at W = 0.001, for much at W = 0.1.
        Assert.Equal(1, Recommendation.Choose(front, scores, new RecommendationRule { TargetWeight = 0.001 })!.Rank);
        Assert.Equal(3, Recommendation.Choose(front, scores, new RecommendationRule { TargetWeight = 0.1 })!.Rank);
    }

    [Fact]
    public void ModelsMeetingEveryTargetComeFirstWithinTheWindow()
    {
        // Model 1 has the lowest joint fitness but misses a target; model 3 meets every one at a higher joint fitness and is
        // chosen; model 4 meets every one too but is beyond 4× the best fitness, so it is not.
        var front = new[] { E(1, 10, 0.010), E(2, 12, 0.021), E(3, 14, 0.030), E(4, 9, 0.050) };
        var scores = Scores((1, 1.2), (2, 2.0), (3, 0.8), (4, 0.1));
        var w001 = new RecommendationRule { TargetWeight = 0.01 };
        Assert.Equal(1, Recommendation.Choose(front, scores, w001)!.Rank);
        var chosen = Recommendation.Choose(front, scores, w001, new HashSet<int> { 3, 4 })!;
        Assert.Equal(3, chosen.Rank);
        Assert.Contains("meets every target within its tolerance (1 of these 3 models do, the rest are not considered)", chosen.Reason);
        Assert.Contains("lowest joint fitness 0.0332 (validation fitness 0.03 + ½·0.01·(property score 0.8)²)", chosen.Reason);
        // None in the window meets every target (or none is known to): the joint fitness alone decides, as before.
        Assert.Equal(1, Recommendation.Choose(front, scores, w001, new HashSet<int> { 4 })!.Rank);
        Assert.DoesNotContain("meets every target", Recommendation.Choose(front, scores, w001, new HashSet<int>())!.Reason);
    }

    [Fact]
    public void ThePropertyScoreSaysWhetherEveryTargetIsMet()
    {
        PropertyComparison Row(string name, double computed, double target) =>
            PropertyComparison.Of(SuiteProperty.Ok("elastic", new PropertyValue(name, "FCC", computed, "GPa")), new TargetProperty(name, "FCC", target, "GPa", 1));
        // C11 within 5 %, C12 at 4.9 %: every target met; C44 at 5.1 %: not.
        Assert.True(PropertyScore.Of([Row("C11", 180, 176), Row("C12", 129.1, 123.1)])!.MeetsEvery);
        Assert.False(PropertyScore.Of([Row("C11", 180, 176), Row("C44", 80.6, 76.7)])!.MeetsEvery);
    }

    [Fact]
    public void NearTiesGoToTheSimplerModelAndRealDifferencesDoNot()
    {
        // At W = 0.01, joint fitness 0.015 against 0.0154 (2.7 % apart): a tie; against 0.0166 (10.7 %): not.
        var front = new[] { E(1, 20, 0.010), E(2, 12, 0.010) };
        var w001 = new RecommendationRule { TargetWeight = 0.01 };
        var tie = Recommendation.Choose(front, Scores((1, 1.00), (2, 1.04)), w001)!;
        Assert.Equal(2, tie.Rank);
        Assert.Contains("joint fitness 0.0154 (validation fitness 0.01 + ½·0.01·(property score 1.04)²), within 5 % of the lowest (0.015, model 1 with 20 nodes), and simpler", tie.Reason);
        Assert.Equal(1, Recommendation.Choose(front, Scores((1, 1.00), (2, 1.15)), w001)!.Rank);

        // Without property scores the same rule runs on validation fitness.
        Assert.Equal(2, Recommendation.Choose([E(1, 20, 0.0100), E(2, 12, 0.0104)])!.Rank);
        var byFitness = Recommendation.Choose([E(1, 20, 0.0100), E(2, 12, 0.0110)])!;
        Assert.Equal(1, byFitness.Rank);
        Assert.Contains("lowest validation fitness 0.01 (no property scores)", byFitness.Reason);
    }

    [Fact]
    public void WhenNoModelPassesTheChecksAllAreConsideredAndTheReasonSaysSo()
    {
        var front = new[] { E(1, 10, 0.02, shortRange: false), E(2, 12, 0.01, sane: false) };
        var chosen = Recommendation.Choose(front)!;
        Assert.Equal(2, chosen.Rank);
        Assert.StartsWith("model 2 (12 nodes): no model passes the short-range and sanity checks, so all 2 were considered", chosen.Reason);
        Assert.Null(Recommendation.Choose([]));
    }

    [Fact]
    public void AModelThatFailsOnValidationDataOutsideTheSearchSampleIsNotRecommended()
    {
        // Model 3 has the best sampled fitness (as NbMoTaW's 0.176) but fails on the whole validation set.
        FrontEntry Full(int rank, int complexity, double sampled, double full) => E(rank, complexity, sampled) with { FullValidationFitness = full };
        var front = new[] { Full(1, 30, 0.25, 0.30), Full(2, 40, 0.21, 0.26), Full(3, 50, 0.176, 2289) };
        var chosen = Recommendation.Choose(front)!;
        Assert.Equal(2, chosen.Rank);
        Assert.Contains("fitness on all validation data within 4× of the best such model's 0.26 (2 models)", chosen.Reason);
        Assert.Contains("lowest fitness on all validation data 0.26", chosen.Reason);

        // A front without the figure (written before it existed) is judged on the sampled fitness, all of it alike.
        var old = front.Select(e => e with { FullValidationFitness = null }).ToArray();
        Assert.Equal(3, Recommendation.Choose(old)!.Rank);
        Assert.Contains("lowest validation fitness 0.176", Recommendation.Choose(old)!.Reason);
        // Within a run's front, a model whose whole-set fitness is not finite (written as null) is never the choice.
        Assert.Equal(2, Recommendation.Choose([front[0], front[1], old[2]])!.Rank);
        Assert.Equal(1, Recommendation.Choose([front[0], old[1] with { ValidationFitness = 0.001 }])!.Rank);
    }

    [Fact]
    public void ARunJudgesEveryFrontModelOnTheWholeValidationSet()
    {
        // 16 structures split in half; candidates are scored on a sample of 4 of the 8 validation structures.
        var all = PoetFolder.Read(TestData.Repo("poet", "EAM_Cu", "NVT_FCC_1600K"));
        var split = PoetSharp.Fitting.DataSplit.Random(new Dataset(SearchProblem.Spread(all.Structures, 16), "EAM_Cu 1600 K (16)"), 0.5, 1);
        var problem = new SearchProblem(split.Training, split.Validation, Taper.Copper, maxFitStructures: 2);
        Assert.Equal(8, problem.Validation!.Count);
        Assert.Equal(4, problem.ValidationPairs!.Structures.Count);
        var engine = new SearchEngine(problem, SearchEngineTests.Tiny(2));
        engine.Run();
        var dir = TestData.TempDir();
        var front = RunOutputs.Write(dir, engine, problem, "EAM_Cu 1600 K (16)");
        Assert.NotEmpty(front.Front);
        var sampleDiffers = false;
        foreach (var e in front.Front)
        {
            // The figure is the search's fitness, recomputed here from the model file on all 8 validation structures.
            var model = ModelFile.Read(Path.Combine(dir, e.ModelFile)).Expression;
            var expected = new PoetSharp.Fitting.FittingObjective(model, Taper.Copper, problem.Validation.Structures, engine.Settings.Weights, problem.Scales).Cost(model.Constants);
            Assert.NotNull(e.FullValidationFitness);
            Assert.Equal(expected, e.FullValidationFitness!.Value, expected * 1e-9);
            sampleDiffers |= Math.Abs(e.FullValidationFitness.Value - e.ValidationFitness) > 1e-6 * expected;
        }
        Assert.True(sampleDiffers, "the whole validation set gave the sampled fitness for every model");
        Assert.Contains("fitness on all validation data", front.RecommendationReason);
        Assert.Equal(front.Front.Select(e => e.FullValidationFitness), RunOutputs.Read(dir).Front.Select(e => e.FullValidationFitness));
        Assert.Contains("fitness (all valid.)", File.ReadAllText(Path.Combine(dir, "front.md")));
    }

    [Fact]
    public void ModelsWithoutAScoreDoNotCompeteWhenOthersHaveOne()
    {
        var chosen = Recommendation.Choose([E(1, 5, 0.010), E(2, 9, 0.011)], Scores((2, 4.0)))!;
        Assert.Equal(2, chosen.Rank);
        Assert.Contains("1 model(s) without a property score not considered", chosen.Reason);
    }

    [Fact]
    public void OldFrontFilesWithoutARecommendationStillRead()
    {
        var dir = RunFolders.Create([RunFolders.Entry(1, RunFolders.SuttonChen, 0.02), RunFolders.Entry(2, RunFolders.Gp1, 0.01)], recommend: false);
        var path = Path.Combine(dir, RunOutputs.FrontJson);
        var json = File.ReadAllText(path);
        Assert.DoesNotContain("\"recommended\": 1", json);
        // A file from before the fields existed lacks them altogether.
        var old = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;
        old.Remove("recommended");
        old.Remove("recommendation_reason");
        File.WriteAllText(path, JsonSerializer.Serialize(old));
        var front = RunOutputs.Read(dir);
        Assert.Null(front.Recommended);
        Assert.Null(front.RecommendationReason);

        // Such a folder stands for its lowest validation fitness; a recommended one for its recommendation.
        var taken = Recommendation.ModelOf(dir);
        Assert.Equal(2, taken.Entry.Rank);
        Assert.Equal(Path.Combine(dir, "models/model-02.json"), taken.ModelPath);
        Assert.Contains("no recommendation recorded, so the lowest validation fitness", taken.Description);
        RunOutputs.WriteFront(dir, front with { Recommended = 1, RecommendationReason = "model 1 (11 nodes): chosen by hand" });
        Assert.Equal(1, Recommendation.ModelOf(dir).Entry.Rank);
        Assert.Contains("the recommended model: model 1 (11 nodes): chosen by hand", Recommendation.ModelOf(dir).Description);
        Assert.Contains("| 1 ★ |", File.ReadAllText(Path.Combine(dir, "front.md")));

        File.Delete(Path.Combine(dir, "models/model-01.json"));
        Assert.Contains("model-01.json) is missing", Assert.Throws<ArgumentException>(() => Recommendation.ModelOf(dir)).Message);
        Assert.Throws<ArgumentException>(() => Recommendation.ModelOf(TestData.TempDir()));
    }

    private static PropertyComparison Row(string group, string name, string structure, double? value, double target, string unit,
        PropertyStatus status = PropertyStatus.Ok) =>
        PropertyComparison.Of(new SuiteProperty(group, name, structure, value, unit, status, ""), new TargetProperty(name, structure, target, unit, 1));

    [Fact]
    public void ThePropertyScoreDividesByTolerancesCapsAndWeighsGroupsEqually()
    {
        // a0 off by 0.6 % = 2 tolerances; C11 off by 5 % = 1; hcp−fcc off by 4 meV = 2; a failed C12 = the cap (10).
        Assert.Equal(2, PropertyScore.Ratio(Row("lattice", "a0", "FCC", 3.6 * 1.006, 3.6, "Å"))!.Value, 9);
        Assert.Equal(1, PropertyScore.Ratio(Row("elastic", "C11", "FCC", 185, 176.19047619047619, "GPa"))!.Value, 9);
        Assert.Equal(2, PropertyScore.Ratio(Row("phases", "delta_E0", "HCP_FCC", 0.0086, 0.0046, "eV/atom"))!.Value, 9);
        Assert.Equal(0.5, PropertyScore.Ratio(Row("vacancy", "Ev_f", "FCC", 1.12, 1.07, "eV"))!.Value, 9);
        Assert.Equal(PropertyScore.Cap, PropertyScore.Ratio(Row("elastic", "C12", "FCC", null, 123, "GPa", PropertyStatus.Failed)));
        Assert.Equal(PropertyScore.Cap, PropertyScore.Ratio(Row("surfaces", "Esurf_100", "FCC", 500, 92, "meV/Å²")));
        // Rows without a target or in another unit do not count.
        Assert.Null(PropertyScore.Ratio(PropertyComparison.Of(new SuiteProperty("eos", "B0", "FCC", 140, "GPa", PropertyStatus.Ok, ""), null)));
        Assert.Null(PropertyScore.Ratio(Row("elastic", "C44", "FCC", 70, 76, "GPa") with { Note = "different units" }));

        // Thirteen surfaces one tolerance off weigh as much as one hcp−fcc difference three tolerances off: √((1 + 9)/2).
        var rows = Enumerable.Range(0, 13).Select(k => Row("surfaces", $"Esurf_{k}", "FCC", 110, 100, "meV/Å²"))
            .Append(Row("phases", "delta_E0", "HCP_FCC", 0.0106, 0.0046, "eV/atom")).ToList();
        var score = PropertyScore.Of(rows)!;
        Assert.Equal(Math.Sqrt(5), score.Value, 9);
        Assert.Equal(14, score.Properties);
        Assert.Equal(2, score.Groups);
        Assert.Null(PropertyScore.Of([]));
    }
}
