using System.Text.Json;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>`poet properties`: the property suite beside POET's DFT reference, as a table, JSON and plots.</summary>
public class PoetCliPropertiesTests
{
    private static string Reference => TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data");

    private static JsonElement Row(JsonElement root, string name, string structure) =>
        root.GetProperty("properties").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name && p.GetProperty("structure").GetString() == structure);

    [Fact]
    public void WholeSuiteOnSuttonChenPrintsEveryPropertyBesideTheReferenceAndWritesThePlots()
    {
        var folder = Path.Combine(TestData.TempDir(), "props");
        var run = CliRun.Of("properties", "--potential", "sc", "--reference", Reference, "--out", folder);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n');
        // Every reference row is paired with a computed value, with its error.
        foreach (var name in new[] { "C11", "C12", "C44", "BVRH", "Ev_f", "Edumbbell_f", "Esurf_100", "Esurf_332" })
        {
            var line = lines.Single(l => l.Contains($"│ {name} "));
            Assert.Contains("│ ok ", line);
            Assert.DoesNotContain("–", line);
        }
        // Properties the reference lacks are still shown.
        foreach (var name in new[] { "Ev_m", "gamma_isf", "gamma_usf", "nu_X3", "B0", "c0" })
            Assert.Contains(lines, l => l.Contains($"│ {name} ") && l.Contains("│ ok "));
        Assert.Contains(lines, l => l.Contains("│ a0 ") && l.Contains("3.60706") && l.Contains("3.63245"));
        // Progress on stderr, one line per task.
        Assert.Contains("poet: [1/", run.Stderr);
        Assert.Contains("vacancy migration (NEB): ok", run.Stderr);

        foreach (var file in new[] { "properties.json", "equation-of-state.png", "equation-of-state.svg", "phonon-dispersion.png",
                     "phonon-dispersion.svg", "stacking-fault.png", "stacking-fault.svg" })
            Assert.True(new FileInfo(Path.Combine(folder, file)).Length > 1000, file);
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "properties.json"))).RootElement;
        var surface = Row(json, "Esurf_111", "FCC");
        Assert.Equal(82.3208337595191, surface.GetProperty("reference").GetDouble(), 10);
        Assert.Equal(surface.GetProperty("value").GetDouble() - 82.3208337595191, surface.GetProperty("absoluteError").GetDouble(), 10);
    }

    [Fact]
    public void OnlyComputesTheChosenGroupsAndWritesJson()
    {
        var run = CliRun.Of("properties", "-p", "sc", "-r", Reference, "--only", "lattice,elastic", "--json");

        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(["lattice", "elastic"], json.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        Assert.All(json.GetProperty("properties").EnumerateArray(), p =>
        {
            Assert.Contains(p.GetProperty("group").GetString(), new[] { "lattice", "elastic" });
            Assert.Equal("ok", p.GetProperty("status").GetString());
        });
        var a0 = Row(json, "a0", "FCC");
        Assert.Equal(3.60706, a0.GetProperty("value").GetDouble(), 5);
        Assert.Equal(3.63244675155019, a0.GetProperty("reference").GetDouble(), 12);
        Assert.Equal((3.60706 - 3.63245) / 3.63245, a0.GetProperty("relativeError").GetDouble(), 4);
        Assert.Equal("GPa", Row(json, "C44", "FCC").GetProperty("unit").GetString());
        // Without all groups, reference rows outside them are not listed as missing.
        Assert.DoesNotContain(json.GetProperty("properties").EnumerateArray(), p => p.GetProperty("name").GetString() == "Ev_f");
    }

    [Fact]
    public void WithoutAReferenceTheValuesAreShownAlone()
    {
        var run = CliRun.Of("properties", "-p", "sc", "--only", "phases");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.Stdout.Split('\n'), l => l.Contains("│ delta_E0 ") && l.Contains("BCC_FCC") && l.Contains("0.0270720"));
    }

    [Fact]
    public void AnUnboundPotentialIsReportedAsNotComputedNotAsNumbers()
    {
        // A purely repulsive model has no energy minimum: no lattice constant, and nothing that rests on one.
        var run = CliRun.Of("properties", "--model", "sum(10*r^-12)", "-r", Reference, "--only", "lattice,elastic,vacancy", "--json");

        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        var rows = json.GetProperty("properties").EnumerateArray().ToList();
        Assert.Contains(rows, p => p.GetProperty("name").GetString() == "Ev_f");
        Assert.All(rows, p =>
        {
            Assert.Equal("failed", p.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, p.GetProperty("value").ValueKind);
            Assert.Equal(JsonValueKind.Null, p.GetProperty("absoluteError").ValueKind);
            Assert.Contains("no energy minimum", p.GetProperty("reason").GetString());
        });

        var table = CliRun.Of("properties", "--model", "sum(10*r^-12)", "--only", "elastic");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains(table.Stdout.Split('\n'), l => l.Contains("│ C11 ") && l.Contains("│ failed "));
        Assert.Contains("note: C11 FCC: failed: could not be computed: no fcc lattice constant:", table.Stdout);
    }

    [Fact]
    public void MissingReferenceFileIsOneLineError()
    {
        var run = CliRun.Of("properties", "-p", "sc", "-r", Path.Combine(TestData.TempDir(), "nope.data"), "--only", "lattice");
        run.AssertOneLineError(1);
        Assert.Contains("nope.data", run.Stderr);
    }

    [Fact]
    public void UnknownOnlyNameIsOneLineError()
    {
        var run = CliRun.Of("properties", "-p", "sc", "--only", "lattice,surface");
        run.AssertOneLineError(1);
        Assert.Contains("unknown property group 'surface'", run.Stderr);
        Assert.Contains("surfaces", run.Stderr);
    }

    [Fact]
    public void PotentialAndModelTogetherIsAUsageError()
    {
        var run = CliRun.Of("properties", "-p", "sc", "--model", "sum(r^-12)");
        run.AssertOneLineError(2);
    }
}
