using PoetSharp.Data;
using PoetSharp.Models;
using PoetSharp.Mtp;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Mtp;

/// <summary>Model files of family "mtp" (version 3), and the common model seam.</summary>
public class MtpModelFileTests
{
    [Fact]
    public void MtpModelFileRoundTripsAndRunsAsAPotential()
    {
        var model = MtpModelTests.RandomModel(10, ["Cu", "Ni"], 4);
        var path = Path.Combine(TestData.TempDir(), "mtp.json");
        ModelFile.Write(path, model, "test", new Dictionary<string, double> { ["training_force_rmse_eV_per_A"] = 0.01 });
        var read = Assert.IsType<MtpModel>(ModelFile.ReadAny(path));
        Assert.Equal(model.Elements, read.Elements);
        Assert.Equal(model.Parameters(), read.Parameters());
        var s = MtpModelTests.Alloy(3);
        var direct = new MtpPotential(model).Compute(s);
        var viaFactory = PotentialFactory.CreateModel(path, new Taper(3, 5)).Compute(s);
        Assert.Equal(direct.Energy, viaFactory.Energy);
        // The expression reader refuses it with a clear message rather than misreading it.
        var e = Assert.Throws<DataFormatException>(() => ModelFile.Read(path));
        Assert.Contains("family 'mtp'", e.Message);
    }

    [Fact]
    public void BothFamiliesGoThroughTheParametricSeam()
    {
        IParametricModel[] models =
        [
            new Model("SC", ExpressionParser.ParseModel("sum(644.52*r^-9) - sum(527.62*r^-6)^0.5"), 5, new Taper(3, 5), ["Cu"]),
            MtpModelTests.RandomModel(8, ["Cu", "Ni"], 2),
        ];
        var s = MtpModelTests.Alloy(5);
        foreach (var m in models)
        {
            var p = m.Parameters();
            Assert.Equal(m.ParameterCount, p.Length);
            var same = m.WithParameters(p);
            Assert.Equal(m.CreatePotential().Compute(Cu(s, m)).Energy, same.CreatePotential().Compute(Cu(s, m)).Energy);
            p[0] *= 1.01;
            Assert.NotEqual(m.CreatePotential().Compute(Cu(s, m)).Energy, m.WithParameters(p).CreatePotential().Compute(Cu(s, m)).Energy);
        }
    }

    // The alloy cell, all copper for a one-element model.
    private static PoetSharp.Atoms.Structure Cu(PoetSharp.Atoms.Structure s, IParametricModel m) =>
        m.Species.Count == 1 ? new PoetSharp.Atoms.Structure(s.Cell, s.Positions, s.Species.Select(_ => "Cu").ToArray(), s.Name) : s;

    [Theory]
    [InlineData("\"family\": \"mtp\", \"expression\": \"sum(r)\",", "expression", "belongs to expression models")]
    [InlineData("\"family\": \"quantum\",", "family", "not a closed-form")]
    public void MisfiledFieldsAreClearErrors(string extra, string field, string fragment)
    {
        var model = MtpModelTests.RandomModel(6, ["Cu"], 4);
        var path = Path.Combine(TestData.TempDir(), "m.json");
        ModelFile.Write(path, model);
        var text = File.ReadAllText(path).Replace("\"family\": \"mtp\",", extra);
        File.WriteAllText(path, text);
        var line = text.Split('\n').ToList().FindIndex(l => l.Contains($"\"{field}\"")) + 1;
        var e = Assert.Throws<DataFormatException>(() => ModelFile.ReadAny(path));
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void CutoffThatDisagreesWithTheMtpIsAnError()
    {
        var model = MtpModelTests.RandomModel(6, ["Cu"], 4);
        var path = Path.Combine(TestData.TempDir(), "m.json");
        ModelFile.Write(path, model);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"cutoff\": 4.6", "\"cutoff\": 5"));
        var e = Assert.Throws<DataFormatException>(() => ModelFile.ReadAny(path));
        Assert.Contains("max_dist", e.Message);
    }
}
