using System.Text.Json;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Search;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Search;

/// <summary>
/// Which of a model's target misses the data allow: the verdict of every combination of "meets / misses, which side"
/// for a model and a data-trained reference, and the report FrontProperties writes with one.
/// </summary>
public class TargetAttributionTests
{
    private static PropertyComparison Row(string group, string name, string structure, string unit, double target, double? computed) =>
        PropertyComparison.Of(
            computed is double v
                ? new SuiteProperty(group, name, structure, v, unit, PropertyStatus.Ok, "")
                : new SuiteProperty(group, name, structure, null, unit, PropertyStatus.Failed, "relaxation did not converge"),
            new TargetProperty(name, structure, target, unit, 1));

    [Fact]
    public void EachVerdictFollowsWhoMeetsTheTargetAndOnWhichSide()
    {
        // Tolerances: Cij 5 %, surfaces 10 %, hcp−fcc 2 meV/atom, vacancy 0.1 eV (TargetTolerances).
        PropertyComparison[] model =
        [
            Row("elastic", "C11", "FCC", "GPa", 176.19, 190.0),          // +7.8 %: missed
            Row("elastic", "C12", "FCC", "GPa", 123.13, 125.0),          // met
            Row("elastic", "C44", "FCC", "GPa", 76.71, 91.0),            // +18.6 %: missed
            Row("surfaces", "Esurf_111", "FCC", "meV/Å²", 82.32, 80.0),   // met
            Row("phases", "delta_E0", "HCP_FCC", "eV/atom", 0.00461, 0.0003), // −4.3 meV: missed below
            Row("vacancy", "Ev_f", "FCC", "eV", 1.073, null),             // not computed
            Row("lattice", "a0", "FCC", "Å", 3.6325, 3.6330),             // met; the reference has no such row
        ];
        PropertyComparison[] reference =
        [
            Row("elastic", "C11", "FCC", "GPa", 176.19, 178.1),
            Row("elastic", "C12", "FCC", "GPa", 123.13, 123.0),
            Row("elastic", "C44", "FCC", "GPa", 76.71, 90.0),
            Row("surfaces", "Esurf_111", "FCC", "meV/Å²", 82.32, 63.8),
            Row("phases", "delta_E0", "HCP_FCC", "eV/atom", 0.00461, 0.00775), // +3.1 meV: missed above
            Row("vacancy", "Ev_f", "FCC", "eV", 1.073, 1.075),
        ];
        var report = TargetAttribution.Compare("model 7", model, "MTP level 16 on this run's data", reference);

        Assert.Equal(["C11", "C12", "C44", "Esurf_111", "delta_E0", "Ev_f"], report.Rows.Select(r => r.Name));
        Assert.Equal([AttributionVerdict.FormLimit, AttributionVerdict.Met, AttributionVerdict.BothMissSameSide,
            AttributionVerdict.MetBeyondReference, AttributionVerdict.BothMissOppositeSides, AttributionVerdict.NotComputed],
            report.Rows.Select(r => r.Verdict));
        var c11 = report.Rows[0];
        Assert.Equal(0.05 * 176.19, c11.Tolerance, 12);
        Assert.Equal(190.0 - 176.19, c11.ModelError!.Value, 12);
        Assert.Equal((190.0 - 176.19) / (0.05 * 176.19), c11.ModelRatio!.Value, 12);
        Assert.Equal(178.1, c11.Reference);
        Assert.Equal(0.002, report.Rows[4].Tolerance, 15);
        Assert.Null(report.Rows[5].Model);
        Assert.Equal(1.075, report.Rows[5].Reference);

        var sentence = report.Sentence();
        Assert.Contains("model 7 meets 2 of 6 targets, the reference 3.", sentence);
        Assert.Contains("Missed by the model but met by the reference, so the data allow them: C11.", sentence);
        Assert.Contains("Missed by both on the same side, so the data do not ask for them (or both extrapolate alike): C44.", sentence);
        Assert.Contains("Met by the model, not by the reference: Esurf_111.", sentence);
        var md = report.Markdown();
        Assert.Contains("## What the data allow", md);
        Assert.Contains("| C11 | FCC | GPa | 176.19 | 8.8095 | 190 | 1.57 | 178.1 | 0.22 | **the form's limit**: the reference meets it on the same data |", md);
        Assert.Contains("| Ev_f | FCC | eV | 1.073 | 0.1 | – | – | 1.075 | 0.02 | not computed |", md);
    }

    [Fact]
    public void AModelThatMeetsEveryTargetSaysSo()
    {
        PropertyComparison[] rows = [Row("elastic", "C11", "FCC", "GPa", 176.19, 177.0)];
        var report = TargetAttribution.Compare("model 1", rows, "MTP level 8 on this run's data", rows);
        Assert.Equal(AttributionVerdict.Met, Assert.Single(report.Rows).Verdict);
        Assert.EndsWith("The model meets every target.", report.Sentence());
    }

    [Fact]
    public void FrontPropertiesReportsTheRecommendedModelAgainstItsDataReference()
    {
        // Sutton–Chen stands in for a model trained on the run's data: the report is the same function of the two suites.
        var dir = RunFolders.Create([RunFolders.Entry(1, RunFolders.SuttonChen, 0.02), RunFolders.Entry(2, RunFolders.Gp1, 0.01)]);
        File.WriteAllText(Path.Combine(dir, "summary.md"), "# PoetSharp search\n\n## Front\n\nold table\n");
        var targets = TargetProperties.Read(TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data"));
        string[] groups = ["lattice", "elastic"];
        var reference = PotentialFactory.Create("sc");
        var result = FrontProperties.Write(dir, new FrontPropertiesOptions
        {
            Only = groups, Targets = targets, DataReferences = [reference], MaxParallelism = 2,
        });

        var label = FrontProperties.DataReferenceLabel(reference);
        Assert.EndsWith(" on this run's data", label);
        Assert.Equal(label, Assert.Single(result.Comparisons).Label);
        var attribution = result.Attribution!;
        var recommended = result.Models.Single(m => m.Entry!.Rank == result.Front.Recommended);
        var expected = TargetAttribution.Compare($"model {recommended.Entry!.Rank}", recommended.Rows, label, result.Comparisons[0].Rows);
        Assert.Equal(expected.Rows, attribution.Rows);
        Assert.Equal(["a0", "a0", "C11", "C12", "C44", "BVRH"], attribution.Rows.Select(r => r.Name));

        var md = File.ReadAllText(Path.Combine(dir, FrontProperties.MarkdownFile));
        Assert.Contains("## What the data allow", md);
        Assert.Contains(attribution.Sentence(), md);
        Assert.Contains(attribution.Sentence(), File.ReadAllText(Path.Combine(dir, "summary.md")));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, FrontProperties.JsonFile)));
        var written = json.RootElement.GetProperty("attribution");
        Assert.Equal(label, written.GetProperty("reference").GetString());
        var verdicts = written.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("verdict").GetString()).ToList();
        Assert.Equal(attribution.Rows.Select(r => r.Verdict.ToString()), verdicts);

        // Groups without a target, or no data reference: no such section.
        Assert.Null(FrontProperties.Write(dir, new FrontPropertiesOptions { Only = ["stacking"], Targets = targets, DataReferences = [reference], MaxParallelism = 2 }).Attribution);
        var plain = FrontProperties.Write(dir, new FrontPropertiesOptions { Only = groups, Targets = targets, MaxParallelism = 2 });
        Assert.Null(plain.Attribution);
        Assert.DoesNotContain("What the data allow", File.ReadAllText(Path.Combine(dir, FrontProperties.MarkdownFile)));
    }
}
