using PoetSharp.Data;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Models;

public class ModelFileTests
{
    private static Model Gp1() =>
        new("GP1", ExpressionParser.ParseModel(ExpressionSyntaxTests.Gp1), 5.0, Taper.Copper, ["Cu"])
        {
            Provenance = "Hernandez et al., npj Comput. Mater. 5, 112 (2019); DFT_Cu",
            Errors = new Dictionary<string, double> { ["energy_rmse_meV_per_atom"] = 4.83, ["force_rmse_eV_per_A"] = 0.099 },
        };

    private static void AssertSameModel(Model expected, Model actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Expression.Nodes.ToArray(), actual.Expression.Nodes.ToArray());
        Assert.Equal(expected.Expression.Constants.ToArray().Select(BitConverter.DoubleToInt64Bits),
            actual.Expression.Constants.ToArray().Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(expected.Cutoff, actual.Cutoff);
        Assert.Equal(expected.Taper, actual.Taper);
        Assert.Equal(expected.Species, actual.Species);
        Assert.Equal(expected.Provenance, actual.Provenance);
        Assert.Equal(expected.Errors.OrderBy(p => p.Key), actual.Errors.OrderBy(p => p.Key));
    }

    [Fact]
    public void Gp1RoundTripsThroughAFile()
    {
        var path = Path.Combine(TestData.TempDir(), "gp1.json");
        ModelFile.Write(path, Gp1());
        var text = File.ReadAllText(path);
        Assert.Contains("\"expression\": \"sum(r^(10.21 - 5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1\"", text);
        Assert.Contains("\"format\": \"PoetSharp model\"", text);
        AssertSameModel(Gp1(), ModelFile.Read(path));
    }

    [Fact]
    public void RandomModelsRoundTripBitExactly()
    {
        var random = new Random(3);
        for (var k = 0; k < 300; k++)
        {
            var e = RandomExpressions.Atom(random);
            var constants = e.Constants.ToArray();
            for (var c = 0; c < constants.Length; c++)
                constants[c] = (c % 4) switch
                {
                    0 => constants[c] * Math.Pow(10, random.Next(-300, 300)),
                    1 => -0.0,
                    2 => double.Epsilon * random.Next(1, 1000),
                    _ => constants[c],
                };
            var model = new Model($"m{k}", e.WithConstants(constants), 5.5, new Taper(2.5 + random.NextDouble(), 5.5), ["Cu", "Ag"]);
            // The file holds the tree with its signs folded (the same value bit for bit): that is what comes back.
            var folded = model with { Expression = ExpressionPrinter.FoldSigns(model.Expression) };
            var json = ModelFile.ToJson(model);
            AssertSameModel(folded, ModelFile.Parse(json, "mem.json"));
            Assert.DoesNotContain("- -", json);
            Assert.DoesNotContain("+ -", json);
        }
    }

    [Fact]
    public void HandWrittenMinimalFileIsRead()
    {
        const string json = """
            {"format": "PoetSharp model", "version": 1,
             "expression": "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5",
             "cutoff": 5, "taper": {"inner": 3, "outer": 5}, "species": ["Cu"]}
            """;
        var model = ModelFile.Parse(json, "/tmp/sutton-chen.json");
        Assert.Equal("sutton-chen", model.Name);
        Assert.Equal([644.52, -9, 527.62, -6, 0.5], model.Expression.Constants.ToArray());
        Assert.Empty(model.Errors);
        Assert.Equal("", model.Provenance);
    }

    private const string Good = """
        {
          "format": "PoetSharp model",
          "version": 1,
          "name": "x",
          "expression": "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5",
          "constants": [644.52, -9, 527.62, -6, 0.5],
          "cutoff": 5,
          "taper": {"inner": 3, "outer": 5},
          "species": ["Cu"],
          "errors": {"energy_rmse_meV_per_atom": 4.83}
        }
        """;

    [Theory]
    [InlineData("\"expression\": \"sum(644.52*r^-9) - sum(527.62*r^-6)^0.5\"", "\"expression\": \"sum(644.52*r^-9 - sum(527.62*r^-6)^0.5\"", 5, "expression: sum inside a sum at 19")]
    [InlineData("\"expression\": \"sum(644.52*r^-9) - sum(527.62*r^-6)^0.5\"", "\"expression\": \"sum(644.52*r^-9) - r\"", 5, "expression: r outside a sum at 20")]
    [InlineData("\"expression\": \"sum(644.52*r^-9) - sum(527.62*r^-6)^0.5\"", "\"expression\": \"sum(644.52*r^-9\"", 5, "expression: expected ')' at 16")]
    [InlineData("[644.52, -9, 527.62, -6, 0.5]", "[644.52, -9, 527.62, -6]", 6, "4 constants for an expression with 5")]
    [InlineData("[644.52, -9, 527.62, -6, 0.5]", "[644.52, -9, 527.62, -6, 0.25]", 6, "constants[4] is 0.25 but the expression has 0.5")]
    [InlineData("[644.52, -9, 527.62, -6, 0.5]", "[644.52, -9, 527.62, -6, \"NaN\"]", 6, "constants[4] must be a number")]
    [InlineData("[644.52, -9, 527.62, -6, 0.5]", "[644.52, -9, 527.62, -6, 1e999]", 6, "constants[4] is not a finite number")]
    [InlineData("{\"inner\": 3, \"outer\": 5}", "{\"inner\": 5, \"outer\": 5}", 8, "taper needs 0 ≤ inner < outer (got inner = 5, outer = 5)")]
    [InlineData("{\"inner\": 3, \"outer\": 5}", "{\"inner\": 3, \"outer\": 6}", 8, "taper outer = 6 Å exceeds the cutoff 5 Å")]
    [InlineData("{\"inner\": 3, \"outer\": 5}", "{\"inner\": 3}", 8, "taper needs inner and outer (Å)")]
    [InlineData("[\"Cu\"]", "[\"Qq\"]", 9, "unknown element 'Qq'")]
    [InlineData("[\"Cu\"]", "[]", 9, "species must be a non-empty list of element symbols")]
    [InlineData("\"version\": 1", "\"version\": 4", 3, "version 4 is newer than this program reads (3)")]
    [InlineData("\"format\": \"PoetSharp model\"", "\"format\": \"other\"", 2, "format is 'other', expected 'PoetSharp model'")]
    [InlineData("\"name\": \"x\"", "\"nmae\": \"x\"", 4, "unknown field 'nmae'")]
    [InlineData("\"name\": \"x\"", "\"cutoff\": 6", 7, "field 'cutoff' given twice")]
    [InlineData("{\"energy_rmse_meV_per_atom\": 4.83}", "{\"energy_rmse_meV_per_atom\": true}", 10, "error 'energy_rmse_meV_per_atom' must be a number")]
    public void BadFieldsNameTheLine(string find, string replace, int line, string reason)
    {
        Assert.Contains(find, Good);
        var error = Assert.Throws<DataFormatException>(() => ModelFile.Parse(Good.Replace(find, replace), "bad.json"));
        Assert.Equal("bad.json", error.FilePath);
        Assert.Equal(reason, error.Reason);
        Assert.Equal(line, error.Line);
    }

    [Theory]
    [InlineData("\"cutoff\": 5,\n", "missing field 'cutoff'")]
    [InlineData("\"expression\": \"sum(644.52*r^-9) - sum(527.62*r^-6)^0.5\",\n", "missing field 'expression'")]
    public void MissingFieldsAreNamed(string remove, string reason)
    {
        var error = Assert.Throws<DataFormatException>(() => ModelFile.Parse(Good.Replace("  " + remove, ""), "bad.json"));
        Assert.Equal(reason, error.Reason);
        Assert.Null(error.Line);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("[1, 2]", 1)]
    [InlineData("{\"format\": \"PoetSharp model\",\n \"cutoff\": NaN}", 2)]
    [InlineData("{\"format\": \"PoetSharp model\",\n \"cutoff\": 5", 2)]
    [InlineData("{\"format\": \"PoetSharp model\"} {}", 1)]
    public void BrokenJsonIsADataFormatException(string json, int? line)
    {
        var error = Assert.Throws<DataFormatException>(() => ModelFile.Parse(json, "broken.json"));
        if (line is not null) Assert.Equal(line, error.Line);
    }

    [Fact]
    public void MissingFileAndUnsavableModels()
    {
        var missing = Path.Combine(TestData.TempDir(), "none.json");
        Assert.Equal("no such file", Assert.Throws<DataFormatException>(() => ModelFile.Read(missing)).Reason);
        var pair = new Model("p", ExpressionParser.Parse("r^-6"), 5, Taper.Copper, ["Cu"]);
        Assert.Throws<ArgumentException>(() => ModelFile.ToJson(pair));
        var nan = Gp1() with { Expression = Gp1().Expression.WithConstants([1, 2, double.NaN, 4, 5, 6]) };
        Assert.Throws<ArgumentException>(() => ModelFile.ToJson(nan));
        Assert.Throws<ArgumentException>(() => ModelFile.ToJson(Gp1() with { Taper = new Taper(5, 3) }));
    }
}
