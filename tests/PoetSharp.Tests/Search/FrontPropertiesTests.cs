using System.Globalization;
using System.Text.Json;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Search;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Search;

/// <summary>
/// FrontProperties on a hand-made run folder (GP1 and a Sutton–Chen-form model, Sutton–Chen itself for comparison) with
/// the cheap groups: the files it writes, their numbers against PropertySuite.Run, the charts and the new recommendation.
/// </summary>
public class FrontPropertiesTests
{
    private static readonly string[] Cheap = ["lattice", "elastic", "phases"];
    private static string Targets => TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data");

    private static readonly SanityReport FailedSanity = new([
        new SanityCheckResult("ground state", true, -0.0046, "fcc lowest"),
        new SanityCheckResult("stacking fault", false, -3.3, "intrinsic stacking-fault energy -3.3 mJ/m²: fcc would fault by itself"),
    ]);

    [Fact]
    public void WritesEveryModelsPropertiesChartsAndTheRecommendation()
    {
        // GP1 has the best validation fitness but fails a sanity check: the Sutton–Chen-form model is recommended.
        var dir = RunFolders.Create([RunFolders.Entry(1, RunFolders.SuttonChen, 0.02), RunFolders.Entry(2, RunFolders.Gp1, 0.01, sanity: FailedSanity)]);
        var summary = Path.Combine(dir, "summary.md");
        File.WriteAllText(summary, "# PoetSharp search\n\n- seed 7, facts of the run\n\n## Front\n\nold table\n");
        var progress = new List<string>();
        var targets = TargetProperties.Read(Targets);
        var result = FrontProperties.Write(dir, new FrontPropertiesOptions
        {
            Only = Cheap, Targets = targets, Compare = [PotentialFactory.Create("sc")], MaxParallelism = 2, Progress = progress.Add,
        });

        Assert.Equal(3, progress.Count);
        Assert.Equal("Cu", result.Element);
        Assert.Equal(Cheap, result.Groups);
        Assert.Equal([1, 2], result.Models.Select(m => m.Entry!.Rank));
        Assert.StartsWith("Sutton–Chen", Assert.Single(result.Comparisons).Label);
        Assert.Equal(1, result.Recommendation!.Rank);
        Assert.Contains("passes the short-range and sanity checks (1 of 2 models do)", result.Recommendation.Reason);
        Assert.Equal(["lattice", "elastic", "phases"], result.ChartGroups);

        // Each model's numbers are those of the suite run on its model file alone.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, FrontProperties.JsonFile)));
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("recommended").GetInt32());
        Assert.Equal(targets.Path, root.GetProperty("targets").GetProperty("path").GetString());
        var models = root.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(2, models.Count);
        foreach (var (m, entry) in models.Zip(result.Models.Select(r => r.Entry!)))
        {
            Assert.Equal(entry.Rank, m.GetProperty("rank").GetInt32());
            Assert.Equal(entry.Expression, m.GetProperty("expression").GetString());
            Assert.Equal(entry.Complexity, m.GetProperty("complexity").GetInt32());
            var model = ModelFile.Read(Path.Combine(dir, entry.ModelFile));
            var alone = PropertySuite.Run(new ModelPotential(model.Expression, model.Taper, model.Species), new PropertySuiteOptions { Only = Cheap, MaxParallelism = 1 });
            var rows = alone.Compare(targets);
            var written = m.GetProperty("properties").EnumerateArray().ToList();
            Assert.Equal(rows.Count, written.Count);
            foreach (var (w, row) in written.Zip(rows))
            {
                Assert.Equal(row.Name, w.GetProperty("name").GetString());
                Assert.Equal(row.Structure, w.GetProperty("structure").GetString());
                Assert.Equal(row.Unit, w.GetProperty("unit").GetString());
                Assert.Equal(PropertyReportRow.StatusText(row.Computed!.Status), w.GetProperty("status").GetString());
                if (row.Computed.IsOk) Assert.Equal(row.Computed.Value!.Value, w.GetProperty("value").GetDouble());
                else Assert.Equal(JsonValueKind.Null, w.GetProperty("value").ValueKind);
                if (row.RelativeError is double rel) Assert.Equal(rel, w.GetProperty("relativeError").GetDouble());
                if (PropertyScore.Ratio(row) is double ratio) Assert.Equal(ratio, w.GetProperty("errorPerTolerance").GetDouble());
                else Assert.False(w.TryGetProperty("errorPerTolerance", out _));
            }
            Assert.Equal(PropertyScore.Of(rows)!.Value, m.GetProperty("propertyScore").GetProperty("value").GetDouble());
        }
        Assert.Equal(JsonValueKind.Null, models[0].GetProperty("sanity").ValueKind);
        Assert.False(models[1].GetProperty("sanity").GetProperty("passed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("comparisons")[0].GetProperty("rank").ValueKind);

        // The Markdown table: a row per property, a column per target, model and comparison potential.
        var md = File.ReadAllText(Path.Combine(dir, FrontProperties.MarkdownFile));
        var gp1 = result.Models[1].Suite.Find("a0", "FCC")!.Value!.Value;
        var gp1Error = (gp1 - targets.Find("a0", "FCC")!.Value) / targets.Find("a0", "FCC")!.Value;
        Assert.Contains($"| property | structure | unit | target | tolerance | 1 ★ ({result.Models[0].Entry!.Complexity} nodes) | 2 ({result.Models[1].Entry!.Complexity} nodes) | Sutton–Chen", md);
        Assert.Contains($"| a0 | FCC | Å | {targets.Find("a0", "FCC")!.Value.ToString("G6", CultureInfo.InvariantCulture)} | 0.3 % |", md);
        Assert.Contains($" {gp1.ToString("G6", CultureInfo.InvariantCulture)} (**{(100 * gp1Error).ToString("F2", CultureInfo.InvariantCulture)} %**) ", md);
        Assert.Contains("| delta_E0 | HCP_FCC | eV/atom | 0.00461094 | 0.002 eV/atom |", md);
        Assert.Contains("| **property score** |", md);
        Assert.Contains("| phases error (mean, meV/atom) |", md);
        Assert.Contains("★ recommended: model 1", md);
        Assert.Contains("## Sanity checks", md);
        Assert.Contains("### model 2: fails", md);
        Assert.Contains("| stacking fault | fails | -3.3 | intrinsic stacking-fault energy -3.3 mJ/m²: fcc would fault by itself |", md);
        Assert.DoesNotContain("### model 1", md);

        // One chart per group with a target, PNG and SVG.
        foreach (var group in result.ChartGroups)
        {
            var png = File.ReadAllBytes(Path.Combine(dir, $"{FrontProperties.ChartPrefix}{group}.png"));
            Assert.True(png.Length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', group);
            var svg = File.ReadAllText(Path.Combine(dir, $"{FrontProperties.ChartPrefix}{group}.svg"));
            Assert.Contains("<svg", svg);
            Assert.Contains("complexity (nodes)", svg);
        }
        Assert.All(result.Files, f => Assert.True(File.Exists(f), f));

        // The recommendation went into front.json, front.md and summary.md, whose facts above the front are kept.
        var front = RunOutputs.Read(dir);
        Assert.Equal(1, front.Recommended);
        Assert.Equal(result.Recommendation.Reason, front.RecommendationReason);
        Assert.Contains("| 1 ★ |", File.ReadAllText(Path.Combine(dir, "front.md")));
        var text = File.ReadAllText(summary);
        Assert.StartsWith("# PoetSharp search\n\n- seed 7, facts of the run\n\n## Front\n", text.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("old table", text);
        Assert.Contains("★ recommended: model 1", text);
        Assert.Contains("Properties of every front model and of Sutton–Chen", text);
    }

    [Fact]
    public void WithoutTargetsThereAreValuesButNoErrorsScoresOrCharts()
    {
        var dir = RunFolders.Create([RunFolders.Entry(1, RunFolders.SuttonChen, 0.02), RunFolders.Entry(2, RunFolders.Gp1, 0.01)]);
        var result = FrontProperties.Write(dir, new FrontPropertiesOptions { Only = ["elastic"], MaxParallelism = 1 });
        Assert.Empty(result.ChartGroups);
        Assert.All(result.Models, m => Assert.Null(m.Score));
        Assert.Equal(2, result.Recommendation!.Rank);
        Assert.Contains("lowest validation fitness", result.Recommendation.Reason);
        Assert.Empty(Directory.GetFiles(dir, FrontProperties.ChartPrefix + "*"));
        var md = File.ReadAllText(Path.Combine(dir, FrontProperties.MarkdownFile));
        Assert.Contains("- no targets: values only", md);
        Assert.Contains($"| C11 | FCC | GPa | – | – | {result.Models[0].Suite.Find("C11", "FCC")!.Value!.Value.ToString("G6", CultureInfo.InvariantCulture)} |", md);
    }

    [Fact]
    public void AComparisonPotentialForAnotherElementFailsBeforeTheComputation()
    {
        var dir = RunFolders.Create([RunFolders.Entry(1, RunFolders.SuttonChen, 0.02)]);
        var e = Assert.Throws<ArgumentException>(() => FrontProperties.Write(dir, new FrontPropertiesOptions
        {
            Only = ["lattice"], Compare = [new ModelPotential(ExpressionParser.ParseModel(RunFolders.SuttonChen), Taper.Copper, ["Ni"], "a nickel model")],
        }));
        Assert.Contains("Cu", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, FrontProperties.JsonFile)));
        Assert.Throws<ArgumentException>(() => FrontProperties.Write(dir, new FrontPropertiesOptions { Only = ["nonsense"] }));
    }
}
