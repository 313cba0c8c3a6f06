using PoetSharp.Models;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>`poet refit` end to end: a perturbed Sutton–Chen form refitted on Sutton–Chen data.</summary>
public class PoetCliRefitTests
{
    [Fact]
    public void RefitLowersTheErrorsAndWritesTheModelAndPlots()
    {
        var dir = TestData.TempDir();
        var run = CliRun.Of("refit", "--model", "sum(700*r^-9) - sum(480*r^-6)^0.5",
            "--data", TestData.Repo("poet", "EAM_Cu", "NVT_FCC_3800K"), "--split", "0.2", "--seed", "5", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("80 training structures and 20 validation structures", run.Stdout);
        Assert.Contains("before:", run.Stdout);
        Assert.Contains("after:", run.Stdout);
        var model = ModelFile.Read(Path.Combine(dir, "model.json"));
        // The data were made with 644.52 and 527.62.
        Assert.Equal(644.52, model.Expression.Constants[0], 0);
        Assert.Equal(527.62, model.Expression.Constants[2], 0);
        Assert.True(model.Errors["training_force_rmse_eV_per_A"] < 0.01, $"force RMSE {model.Errors["training_force_rmse_eV_per_A"]}");
        Assert.True(model.Errors.ContainsKey("validation_force_rmse_eV_per_A"));
        foreach (var png in new[] { "parity-energy.png", "parity-forces.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(dir, png));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes.Take(4).ToArray());
        }
        foreach (var svg in new[] { "parity-energy.svg", "parity-forces.svg" })
        {
            // Well-formed XML with an <svg> root in the SVG namespace, holding the plotted points.
            var document = System.Xml.Linq.XDocument.Load(Path.Combine(dir, svg));
            Assert.Equal("svg", document.Root!.Name.LocalName);
            Assert.Equal("http://www.w3.org/2000/svg", document.Root.Name.NamespaceName);
            Assert.True(document.Descendants().Count() > 100, $"{svg} has only {document.Descendants().Count()} elements");
        }
    }

    [Fact]
    public void RefitJsonReportsTheModelTheErrorsAndTheFiles()
    {
        var dir = TestData.TempDir();
        // A negative coefficient on a subtracted-looking term: the printed forms fold its sign.
        var run = CliRun.Of("refit", "--model", "sum(700*r^-9) + -1*sum(480*r^-6)^0.5", "--data", TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K"),
            "--split", "0.25", "--seed", "2", "--max-evaluations", "60", "--out", dir, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("", run.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal("sum(700*r^-9) + -1*sum(480*r^-6)^0.5", root.GetProperty("model").GetString());
        Assert.Equal(75, root.GetProperty("trainingStructures").GetInt32());
        Assert.Equal(25, root.GetProperty("validationStructures").GetInt32());
        Assert.Equal("sum(700*r^-9) - 1*sum(480*r^-6)^0.5", root.GetProperty("start").GetProperty("expression").GetString());
        Assert.Equal([700.0, -9, 1, 480, -6, 0.5], root.GetProperty("start").GetProperty("constants").EnumerateArray().Select(c => c.GetDouble()));

        // The fitted expression, its constants (in the order of the text) and the model file agree.
        var fitted = root.GetProperty("fitted");
        var text = fitted.GetProperty("expression").GetString()!;
        Assert.DoesNotContain("- -", text);
        Assert.DoesNotContain("+ -", text);
        var constants = fitted.GetProperty("constants").EnumerateArray().Select(c => c.GetDouble()).ToArray();
        Assert.Equal(ExpressionParser.ParseModel(text).Constants.ToArray(), constants);
        var files = root.GetProperty("files");
        var model = ModelFile.Read(files.GetProperty("model").GetString()!);
        Assert.Equal(Path.Combine(dir, "model.json"), files.GetProperty("model").GetString());
        Assert.Equal(constants, model.Expression.Constants.ToArray());
        Assert.Equal(4, files.GetProperty("plots").GetArrayLength());
        foreach (var plot in files.GetProperty("plots").EnumerateArray()) Assert.True(File.Exists(plot.GetString()), plot.GetString());

        // Errors before and after, on both sets, with the fields of `poet eval --json`; the refit lowers the training error.
        double ForceRmse(string when, string set) =>
            root.GetProperty(when).GetProperty(set).GetProperty("overall").GetProperty("forces").GetProperty("rmse").GetDouble();
        Assert.True(ForceRmse("after", "training") < ForceRmse("before", "training"));
        Assert.True(ForceRmse("after", "validation") > 0);
        Assert.Equal(model.Errors["training_force_rmse_eV_per_A"], ForceRmse("after", "training"), 12);
        Assert.Equal("meV/atom", root.GetProperty("units").GetProperty("energy").GetString());
        Assert.True(root.GetProperty("optimizer").GetProperty("evaluations").GetInt32() <= 60 + 1);
        Assert.Equal("lm", root.GetProperty("optimizer").GetProperty("name").GetString());
    }

    [Fact]
    public void BadOptionsAreClearErrors()
    {
        var data = TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K");
        CliRun.Of("refit", "--model", "sum(r^-9)", "--data", data, "--optimizer", "newton").AssertOneLineError(1);
        CliRun.Of("refit", "--model", "sum(r^-9)", "--data", data, "--weights", "1,2").AssertOneLineError(1);
        CliRun.Of("refit", "--model", "sum(r^-9)", "--data", data, "--split", "0.2", "--validation-group", "x").AssertOneLineError(2);
        CliRun.Of("refit", "--model", "r^-9", "--data", data).AssertOneLineError(1);
    }

    [Fact]
    public void TargetsAreFittedWithTheDataAndReportedBeforeAndAfter()
    {
        var dir = TestData.TempDir();
        var targets = Path.Combine(dir, "targets.json");
        // Sutton–Chen copper's lattice constant is about 3.61 Å; the target asks for 1 % more, and C44 for what it is.
        File.WriteAllText(targets, """{"properties": [{"property": "a0", "structure": "FCC", "value": 3.65, "unit": "Å"}, {"property": "BVRH", "structure": "FCC", "value": 137, "unit": "GPa", "weight": 0}]}""");
        var data = TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K");
        var run = CliRun.Of("refit", "--model", "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5", "--data", data,
            "--targets", targets, "--target-weight", "1", "--max-evaluations", "12", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("with 1 target property (lattice; weight 1)", run.Stdout);
        Assert.Contains("target properties (screening set-ups; weight 1):", run.Stdout);
        Assert.Matches(@"targets met: 0/1 before, [01]/1 after; target term [0-9.e+-]+ → [0-9.e+-]+", run.Stdout);

        var json = CliRun.Of("refit", "--model", "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5", "--data", data,
            "--targets", targets, "--target-weight", "1", "--max-evaluations", "12", "--out", dir, "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        using var document = System.Text.Json.JsonDocument.Parse(json.Stdout);
        var t = document.RootElement.GetProperty("targets");
        Assert.Equal(1.0, t.GetProperty("weight").GetDouble());
        var a0 = t.GetProperty("properties").EnumerateArray().Single();
        Assert.Equal("a0", a0.GetProperty("name").GetString());
        double before = a0.GetProperty("before").GetDouble(), after = a0.GetProperty("after").GetDouble();
        Assert.InRange(before, 3.60, 3.62);
        Assert.True(after > before + 0.01, $"a0 {before} → {after}: not pulled towards 3.65");
        Assert.Equal(Math.Abs(after - 3.65) <= a0.GetProperty("tolerance").GetDouble(), a0.GetProperty("metAfter").GetBoolean());
        Assert.True(t.GetProperty("termAfter").GetDouble() < t.GetProperty("termBefore").GetDouble());
        // The model file holds the jointly fitted constants.
        var model = ModelFile.Read(Path.Combine(dir, "model.json"));
        Assert.Equal(document.RootElement.GetProperty("fitted").GetProperty("constants").EnumerateArray().Select(c => c.GetDouble()),
            PoetSharp.Models.ExpressionPrinter.FoldSigns(model.Expression).Constants.ToArray());
    }

    [Fact]
    public void BadTargetsAreClearErrors()
    {
        var dir = TestData.TempDir();
        var data = TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K");
        var bad = Path.Combine(dir, "bad.json");
        File.WriteAllText(bad, "{\"properties\": [\n {\"property\": \"a0\", \"structure\": \"FCC\", \"value\": \"x\", \"unit\": \"Å\"}]}");
        var run = CliRun.Of("refit", "--model", "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5", "--data", data, "--targets", bad);
        run.AssertOneLineError(1);
        Assert.Contains("bad.json:2: record 0: \"value\" must be a number", run.Stderr);
        CliRun.Of("refit", "--model", "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5", "--data", data, "--targets", Path.Combine(dir, "missing.json")).AssertOneLineError(1);
        CliRun.Of("refit", "--model", "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5", "--data", TestData.Repo("alloy", "CuNi_RTS", "CuNi_RTS.xyz"),
            "--targets", TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data")).AssertOneLineError(1);
        CliRun.Of("refit", "--model", "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5", "--data", data,
            "--targets", TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data"), "--target-weight", "0").AssertOneLineError(1);
    }
}
