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

    private static JsonElement CompoundRow(JsonElement root, string name, string structure) =>
        root.GetProperty("compounds").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name && p.GetProperty("structure").GetString() == structure);

    /// <summary>Compounds of Mishin's Ni–Al (NiAlH_jea.eam.alloy): the numbers are those the library gives (checked against LAMMPS in LammpsCompoundTests).</summary>
    [LammpsFact(needsExecutable: false)]
    public void CompoundsOfAMultiElementEamAreComputedAsTableAndJson()
    {
        var file = Lammps.Potential("NiAlH_jea.eam.alloy");
        var run = CliRun.Of("properties", "-p", file, "--compound", "B2:NiAl,L12:Ni3Al", "--json", "--threads", "2");
        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        // Only the compounds ran: no element suite without --only.
        Assert.Empty(json.GetProperty("elements").EnumerateArray());
        Assert.Equal(2.86298936, CompoundRow(json, "a0", "B2_NiAl").GetProperty("value").GetDouble(), 7);
        Assert.Equal(-0.52035933, CompoundRow(json, "dH_f", "B2_NiAl").GetProperty("value").GetDouble(), 7);
        Assert.Equal(3.56765323, CompoundRow(json, "a0", "L12_Ni3Al").GetProperty("value").GetDouble(), 7);
        Assert.Equal(124.1661, CompoundRow(json, "C44", "L12_Ni3Al").GetProperty("value").GetDouble(), 3);
        Assert.Equal("GPa", CompoundRow(json, "C11", "B2_NiAl").GetProperty("unit").GetString());
        Assert.All(json.GetProperty("compounds").EnumerateArray(), p => Assert.Equal("ok", p.GetProperty("status").GetString()));
        var states = json.GetProperty("referenceStates").EnumerateArray().ToList();
        Assert.Equal(["Ni", "Al"], states.Select(x => x.GetProperty("element").GetString()));
        Assert.All(states, x => Assert.Equal("FCC", x.GetProperty("structure").GetString()));

        var table = CliRun.Of("properties", "-p", file, "--compound", "B2:NiAl", "--ground-state", "Al=bcc", "--threads", "2");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains(table.Stdout.Split('\n'), l => l.Contains("│ dH_f ") && l.Contains("B2_NiAl") && l.Contains("│ ok "));
        Assert.Contains("reference state: Al: given bcc", table.Stdout);
    }

    /// <summary>A model of several elements without --element: the element suite runs for each element alone, never mixing them.</summary>
    [LammpsFact(needsExecutable: false)]
    public void SeveralElementsGetOneSuiteEachAndASolutionItsSeeds()
    {
        var file = Lammps.Potential("CuNi.eam.alloy");
        var run = CliRun.Of("properties", "-p", file, "--only", "lattice", "--solution", "fcc:Cu0.5Ni0.5", "--seeds", "2", "--solution-size", "2", "--json", "--threads", "2");
        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        var elements = json.GetProperty("elements").EnumerateArray().ToList();
        Assert.Equal(["Ni", "Cu"], elements.Select(e => e.GetProperty("element").GetString()));
        var eam = PoetSharp.Potentials.Eam.FromFile(file);
        foreach (var e in elements)
        {
            var el = e.GetProperty("element").GetString()!;
            var a0 = Row(e, "a0", "FCC").GetProperty("value").GetDouble();
            Assert.Equal(PoetSharp.Properties.Bulk.CubicLatticeConstant(eam, el, PoetSharp.Atoms.CubicLattice.Fcc).A, a0, 9);
        }
        var solution = json.GetProperty("solutions").EnumerateArray().Single();
        Assert.Equal(2, solution.GetProperty("samples").GetArrayLength());
        Assert.All(solution.GetProperty("samples").EnumerateArray(), x => Assert.Equal(32, x.GetProperty("atoms").GetInt32()));
        var mix = CompoundRow(json, "dH_mix", "FCC_Cu0.5Ni0.5").GetProperty("value").GetDouble();
        Assert.InRange(mix, 0.0, 0.05);
        Assert.True(CompoundRow(json, "dH_mix_std", "FCC_Cu0.5Ni0.5").GetProperty("value").GetDouble() >= 0);
    }

    [Theory]
    [InlineData("--compound", "X5:NiAl", "unknown structure type 'X5'")]
    [InlineData("--compound", "L12:NiAl", "L12 is A3B")]
    [InlineData("--compound", "B2:CuAl", "no parameters for element 'Al'")]
    [InlineData("--solution", "fcc:Cu1.5Ni", "must lie in (0, 1)")]
    [InlineData("--solution", "fcc:Cu0.5Zr0.5", "no parameters for element 'Zr'")]
    [InlineData("--ground-state", "Cu=diamond", "unknown crystal structure 'diamond'")]
    public void BadCompoundInputIsOneLineError(string option, string value, string message)
    {
        var model = "at[Cu](sum(10*r^-12)) + at[Ni](sum(10*r^-12))";
        var run = CliRun.Of("properties", "--model", model, option, value, "--compound", "B2:CuNi");
        run.AssertOneLineError(1);
        Assert.Contains(message, run.Stderr);
    }

    /// <summary>The library's suite refuses to guess the element of a model with several.</summary>
    [Fact]
    public void TheSuiteOfAModelWithSeveralElementsNeedsItsElement()
    {
        var model = new PoetSharp.Potentials.ModelPotential(PoetSharp.Search.AlloyRecovery.TrueModel, PoetSharp.Potentials.Taper.Copper, PoetSharp.Search.AlloyRecovery.Elements);
        var e = Assert.Throws<ArgumentException>(() => PoetSharp.Properties.PropertySuite.Run(model, new() { Only = ["lattice"] }));
        Assert.Contains("describes Cu, Ni", e.Message);
        var each = PoetSharp.Properties.PropertySuite.RunPerElement(model, new() { Only = ["lattice"] });
        Assert.Equal(["Cu", "Ni"], each.Select(x => x.Element));
        Assert.NotEqual(each[0].Find("a0", "FCC")!.Value, each[1].Find("a0", "FCC")!.Value);
    }
}
