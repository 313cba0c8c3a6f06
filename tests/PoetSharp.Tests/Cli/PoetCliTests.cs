using System.Text.Json;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Potentials;
using PoetSharp.Tests.Evaluation;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>The commands' wiring, exit codes and messages, with in-memory data and a test potential.</summary>
public class PoetCliTests
{
    /// <summary>Two groups of rattled fcc Cu labelled by the spring potential with noise, so that the errors are not zero.</summary>
    private static Dataset Labelled(string source, int count = 6, int seed = 0)
    {
        IPotential potential = new SpringPotential();
        var rng = new Random(seed);
        var structures = new List<Structure>();
        for (var i = 0; i < count; i++)
        {
            var s = Builders.Rattled(Builders.Fcc("Cu", 3.61, 1), 0.05, seed: seed + i);
            s.Name = $"{source}-{i}";
            s.Group = i % 2 == 0 ? "even" : "odd";
            var r = potential.Compute(s);
            s.Energy = r.Energy + 0.1 * s.Count + 0.01 * (rng.NextDouble() - 0.5);
            s.Forces = r.Forces.ToArray().Select(f => f + new Vec3(0.01 * rng.NextDouble(), 0, 0)).ToArray();
            s.Stress = r.Stress;
            structures.Add(s);
        }
        var d = new Dataset(structures, source);
        d.Notes.Add($"{source} was made in a test");
        return d;
    }

    [Fact]
    public void EvalJsonParsesAndMatchesTheLibrary()
    {
        var fake = new FakeServices();
        fake.Data["a.xyz"] = Labelled("a.xyz");
        var run = fake.Run("eval", "--potential", "springs", "--data", "a.xyz", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);

        var expected = PotentialErrors.Evaluate(new SpringPotential(), fake.Data["a.xyz"]);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal("springs", root.GetProperty("potential").GetString());
        Assert.Equal(expected.EnergyShift, root.GetProperty("energyShift").GetDouble(), 1e-12);
        var overall = root.GetProperty("overall");
        Assert.Equal(6, overall.GetProperty("structures").GetInt32());
        Assert.Equal(expected.Overall.Energy!.Rmse, overall.GetProperty("energy").GetProperty("rmse").GetDouble(), 1e-12);
        Assert.Equal(expected.Overall.Forces!.Mae, overall.GetProperty("forces").GetProperty("mae").GetDouble(), 1e-12);
        Assert.Equal(6, overall.GetProperty("stress").GetProperty("structures").GetInt32());
        Assert.Equal(["even", "odd"], root.GetProperty("perGroup").EnumerateArray().Select(g => g.GetProperty("name").GetString()));
        Assert.Equal("meV/atom", root.GetProperty("units").GetProperty("energy").GetString());
        Assert.Contains("same overall shift", root.GetProperty("energyShiftNote").GetString());
    }

    [Fact]
    public void EvalTableShowsOverallGroupsAndShift()
    {
        var fake = new FakeServices();
        fake.Data["a.xyz"] = Labelled("a.xyz");
        var run = fake.Run("eval", "-p", "springs", "-d", "a.xyz");
        Assert.Equal(0, run.ExitCode);
        var expected = PotentialErrors.Evaluate(new SpringPotential(), fake.Data["a.xyz"]);
        Assert.Contains("springs", run.Stdout);
        Assert.Contains("6 structures", run.Stdout);
        Assert.Contains("even", run.Stdout);
        Assert.Contains("odd", run.Stdout);
        Assert.Contains("meV/atom", run.Stdout);
        Assert.Contains("energy shift c = ", run.Stdout);
        Assert.Contains("same overall shift", run.Stdout);
        Assert.Contains(Cli_Sig(expected.Overall.Energy!.Rmse), run.Stdout);
        Assert.Contains("note: a.xyz was made in a test", run.Stdout);
        Assert.DoesNotContain("\u001b[", run.Stdout); // no ANSI codes when not a terminal
    }

    private static string Cli_Sig(double x) => PoetSharp.Cli.CliOutput.Sig(x);

    [Fact]
    public void SeveralDataPathsAreConcatenated()
    {
        var fake = new FakeServices();
        fake.Data["a.xyz"] = Labelled("a.xyz", 4);
        fake.Data["b.xyz"] = Labelled("b.xyz", 3, seed: 50);
        var run = fake.Run("eval", "--potential", "springs", "--data", "a.xyz", "--data", "b.xyz", "--json");
        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(7, json.RootElement.GetProperty("overall").GetProperty("structures").GetInt32());
        Assert.Equal(["a.xyz", "b.xyz"], json.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void GroupOptionSelectsGroups()
    {
        var fake = new FakeServices();
        fake.Data["a.xyz"] = Labelled("a.xyz");
        var run = fake.Run("eval", "--potential", "springs", "--data", "a.xyz", "--group", "odd", "--json");
        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(3, json.RootElement.GetProperty("overall").GetProperty("structures").GetInt32());
        Assert.Equal(["odd"], json.RootElement.GetProperty("perGroup").EnumerateArray().Select(g => g.GetProperty("name").GetString()));
    }

    [Fact]
    public void UnknownGroupIsAnErrorListingTheGroups()
    {
        var fake = new FakeServices();
        fake.Data["a.xyz"] = Labelled("a.xyz");
        var run = fake.Run("eval", "--potential", "springs", "--data", "a.xyz", "--group", "warm");
        run.AssertOneLineError(1);
        Assert.Contains("'warm'", run.Stderr);
        Assert.Contains("'even'", run.Stderr);
    }

    [Fact]
    public void SpeciesThePotentialDoesNotDescribeIsAnError()
    {
        var fake = new FakeServices();
        var argon = Builders.Fcc("Ar", 5.26, 1);
        argon.Name = "solid argon";
        fake.Data["ar.xyz"] = new Dataset([argon], "ar.xyz");
        var run = fake.Run("eval", "--potential", "springs", "--data", "ar.xyz");
        run.AssertOneLineError(1);
        Assert.Contains("solid argon", run.Stderr);
        Assert.Contains("'Ar'", run.Stderr);
    }

    [Fact]
    public void NaNPredictionsAreWarnedAbout()
    {
        var fake = new FakeServices();
        var data = Labelled("a.xyz");
        data[1].Name = "nan"; // the spring potential returns NaN for it
        fake.Data["a.xyz"] = data;
        var run = fake.Run("eval", "--potential", "springs", "--data", "a.xyz", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("poet: warning: 1 structure gave non-finite predictions", run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(1, json.RootElement.GetProperty("overall").GetProperty("invalid").GetInt32());
        Assert.Single(json.RootElement.GetProperty("invalidStructures").EnumerateArray());
    }

    [Fact]
    public void DataInfoMentionsCountsLabelsAndGroups()
    {
        var fake = new FakeServices();
        fake.Data["a.xyz"] = Labelled("a.xyz");
        fake.Data["a.xyz"][0].Stress = null;
        var run = fake.Run("data", "info", "a.xyz");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("a.xyz: 6 structures, 24 atoms (Cu 24)", run.Stdout);
        Assert.Contains("with energy", run.Stdout);
        Assert.Contains("even", run.Stdout);
        Assert.Contains("energy per atom", run.Stdout);
        Assert.Contains("eV/Å", run.Stdout);
        Assert.Contains("GPa", run.Stdout);
        Assert.Contains("note: a.xyz was made in a test", run.Stdout);
        var allRow = run.Stdout.Split('\n').First(l => l.Contains(" all "));
        Assert.Matches(@"all\s+│\s+6\s+│\s+24\s+│\s+4\s+│\s+Cu 24\s+│\s+6\s+│\s+6\s+│\s+5\s", allRow);
    }

    [Fact]
    public void DataInfoOnSeveralPathsDescribesEach()
    {
        var fake = new FakeServices();
        fake.Data["a.xyz"] = Labelled("a.xyz", 2);
        fake.Data["b.xyz"] = Labelled("b.xyz", 3);
        var run = fake.Run("data", "info", "a.xyz", "b.xyz");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("a.xyz: 2 structures", run.Stdout);
        Assert.Contains("b.xyz: 3 structures", run.Stdout);
    }

    [Fact]
    public void ConvertWritesAndSaysWhat()
    {
        var fake = new FakeServices();
        fake.Data["in.json"] = Labelled("in.json", 3);
        var run = fake.Run("data", "convert", "in.json", "out.xyz");
        Assert.Equal(0, run.ExitCode);
        Assert.Same(fake.Data["in.json"], fake.Written["out.xyz"]);
        Assert.Contains("wrote 3 structures (12 atoms; 3 with energy, 3 with forces, 3 with stress) from in.json to out.xyz as extended XYZ", run.Stdout);
    }

    [Fact]
    public void ConvertToPoscarSaysLabelsAreDropped()
    {
        var fake = new FakeServices();
        fake.Data["in.json"] = Labelled("in.json", 1);
        var run = fake.Run("data", "convert", "in.json", "POSCAR");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("as POSCAR", run.Stdout);
        Assert.Contains("labels were not written", run.Stdout);
    }

    [Fact]
    public void MissingPathIsAnErrorNamingThePath()
    {
        var missing = Path.Combine(TestData.TempDir(), "nothing-here.xyz");
        var run = CliRun.Of("data", "info", missing);
        run.AssertOneLineError(1);
        Assert.Contains(missing, run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void MissingDataForEvalIsAnErrorNamingThePath()
    {
        var fake = new FakeServices();
        var run = fake.Run("eval", "--potential", "springs", "--data", "no/such/folder");
        run.AssertOneLineError(1);
        Assert.Contains("no/such/folder", run.Stderr);
    }

    [Fact]
    public void UnknownFormatIsAnError()
    {
        var path = Path.Combine(TestData.TempDir(), "data.txt");
        File.WriteAllText(path, "1 2 3\n");
        var run = CliRun.Of("data", "info", path);
        run.AssertOneLineError(1);
        Assert.Contains("unknown data format", run.Stderr);
    }

    [Fact]
    public void UnknownPotentialSpecIsAnError()
    {
        // The real factory: needs PotentialFactory (written by the lead).
        var run = CliRun.Of("eval", "--potential", "no-such-potential", "--data", TestData.Repo("poet", "EAM_Cu"));
        run.AssertOneLineError(1);
        Assert.Contains("no-such-potential", run.Stderr);
        Assert.DoesNotContain("internal error", run.Stderr);
    }

    [Theory]
    [InlineData("eval", "--potential", "sc", "--data", "x", "--bogus")]
    [InlineData("eval", "--data", "x")]
    [InlineData("data", "convert", "only-one")]
    [InlineData("frobnicate")]
    [InlineData]
    public void UsageErrorsExitWithTwo(params string[] args)
    {
        var run = CliRun.Of(args);
        run.AssertOneLineError(2);
        Assert.Contains("--help", run.Stderr);
    }

    [Fact]
    public void HelpListsTheCommands()
    {
        var run = CliRun.Of("--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("data", run.Stdout);
        Assert.Contains("eval", run.Stdout);
        var eval = CliRun.Of("eval", "--help");
        Assert.Equal(0, eval.ExitCode);
        Assert.Contains("--potential", eval.Stdout);
        Assert.Contains("--json", eval.Stdout);
    }

    [Theory]
    [InlineData(-0.00001, 4, "0.0000")]
    [InlineData(-0.5, 4, "-0.5000")]
    [InlineData(2.0, 2, "2.00")]
    public void FixedNeverPrintsNegativeZero(double x, int decimals, string expected) =>
        Assert.Equal(expected, PoetSharp.Cli.CliOutput.Fixed(x, decimals));

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(0.6608282, "0.6608")]
    [InlineData(215.24, "215.2")]
    [InlineData(0.00013702, "1.370e-4")]
    [InlineData(-0.0040137, "-0.004014")]
    public void SigKeepsFourSignificantDigits(double x, string expected) =>
        Assert.Equal(expected, PoetSharp.Cli.CliOutput.Sig(x));

    [Fact]
    public void UnexpectedExceptionsAreOneLineToo()
    {
        var services = new FakeServices().Services with { ReadData = _ => throw new InvalidOperationException("boom") };
        var run = CliRun.Run(["data", "info", "x"], services);
        run.AssertOneLineError(1);
        Assert.Contains("internal error (InvalidOperationException): boom", run.Stderr);
    }
}
