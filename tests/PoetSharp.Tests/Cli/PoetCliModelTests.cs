using System.Text.Json;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>`poet eval --model`: expressions and model files, on the DFT_Cu training set.</summary>
public class PoetCliModelTests
{
    private const string Gp1 = "sum(r^(10.21-5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1";

    private static string[] Training =>
    [
        "--data", TestData.Repo("poet", "DFT_Cu"),
        "--group", "NVT_FCC_300K", "--group", "NVT_FCC_1400K", "--group", "NPT_FCC_1400K",
    ];

    private static JsonElement Overall(CliRun run)
    {
        Assert.Equal(0, run.ExitCode);
        return JsonDocument.Parse(run.Stdout).RootElement.GetProperty("overall");
    }

    [Fact]
    public void Gp1ExpressionReproducesTheAnchors()
    {
        var o = Overall(CliRun.Of(["eval", "--model", Gp1, "--json", .. Training]));
        Assert.Equal(4.83, o.GetProperty("energy").GetProperty("rmse").GetDouble(), 2);
        Assert.Equal(4.00, o.GetProperty("energy").GetProperty("mae").GetDouble(), 2);
        Assert.Equal(0.099, o.GetProperty("forces").GetProperty("rmse").GetDouble(), 3);
        Assert.Equal(0.073, o.GetProperty("forces").GetProperty("mae").GetDouble(), 3);
    }

    [Fact]
    public void ModelFileGivesTheSameErrorsAsTheExpression()
    {
        var path = Path.Combine(TestData.TempDir(), "gp1.json");
        ModelFile.Write(path, new Model("GP1", ExpressionParser.ParseModel(Gp1), 5.0, Taper.Copper, ["Cu"]));
        var fromFile = Overall(CliRun.Of(["eval", "--model", path, "--json", .. Training]));
        var fromText = Overall(CliRun.Of(["eval", "--model", Gp1, "--json", .. Training]));
        Assert.Equal(fromText.GetProperty("energy").GetProperty("rmse").GetDouble(), fromFile.GetProperty("energy").GetProperty("rmse").GetDouble(), 12);
        Assert.Equal(fromText.GetProperty("forces").GetProperty("rmse").GetDouble(), fromFile.GetProperty("forces").GetProperty("rmse").GetDouble(), 12);
    }

    [Fact]
    public void BadModelsAndOptionMixesAreClearErrors()
    {
        var syntax = CliRun.Of(["eval", "--model", "sum(r) + r", .. Training]);
        syntax.AssertOneLineError(1);
        Assert.Contains("r outside a sum at 10", syntax.Stderr);

        CliRun.Of(["eval", "--model", Gp1, "--potential", "sc", .. Training]).AssertOneLineError(2);
        CliRun.Of(["eval", "--potential", "sc", "--cutoff", "6", .. Training]).AssertOneLineError(2);
        CliRun.Of(["eval", "--model", "missing.json", "--cutoff", "6", .. Training]).AssertOneLineError(2);

        var missing = CliRun.Of(["eval", "--model", "missing-model.json", .. Training]);
        missing.AssertOneLineError(1);
        Assert.Contains("missing-model.json", missing.Stderr);

        var taper = CliRun.Of(["eval", "--model", Gp1, "--cutoff", "2", "--taper-inner", "3", .. Training]);
        taper.AssertOneLineError(1);
        Assert.Contains("taper", taper.Stderr);
    }
}
