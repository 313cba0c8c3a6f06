using PoetSharp.Export;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Export;

/// <summary>
/// Builds GP1, GP2 and Sutton–Chen as KIM portable models once (in parallel) and installs them into a temporary user
/// collection: a KIM API configuration file in a temporary folder, named by KIM_API_CONFIGURATION_FILE for this
/// process and the programs it starts (the real ~/.kim-api collection is left alone).
/// </summary>
public sealed class KimModelsFixture
{
    public Dictionary<string, (Model Model, string Item)> Models { get; } = [];
    public string Collection { get; }

    public KimModelsFixture()
    {
        Collection = TestData.TempDir();
        if (!Requirements.Available(External.Kim) || !Requirements.Available(External.Lammps)) return;
        foreach (var folder in new[] { "model-drivers", "portable-models", "simulator-models" }) Directory.CreateDirectory(Path.Combine(Collection, folder));
        var config = Path.Combine(Collection, "config");
        File.WriteAllText(config,
            $"model-drivers-dir = {Path.Combine(Collection, "model-drivers")}\n" +
            $"portable-models-dir = {Path.Combine(Collection, "portable-models")}\n" +
            $"simulator-models-dir = {Path.Combine(Collection, "simulator-models")}\n");
        Environment.SetEnvironmentVariable("KIM_API_CONFIGURATION_FILE", config);
        var sources = TestData.TempDir();
        var models = new[] { ExportCases.Gp1, ExportCases.Gp2, ExportCases.SuttonChen, ExportCases.Functions };
        var items = models.Select(m => (Model: m, Item: "PoetSharpTest_" + m.Name + "_Cu")).ToArray();
        Parallel.ForEach(items, x => KimExport.Install(KimExport.Write(x.Model, sources, x.Item)));
        foreach (var x in items) Models[x.Model.Name] = x;
    }
}

[Collection("KIM models")]
public class KimExportTests(KimModelsFixture fixture, ITestOutputHelper log) : IClassFixture<KimModelsFixture>
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var model in new[] { "GP1", "GP2", "SuttonChen", "Functions" })
            for (var s = 0; s < 4; s++) data.Add(model, s);
        return data;
    }

    [NeedsTheory(External.Lammps | External.Kim)]
    [MemberData(nameof(Cases))]
    public void LammpsRunsTheInstalledModelAndMatchesOurs(string name, int structure)
    {
        var (model, item) = fixture.Models[name];
        Assert.True(File.Exists(Path.Combine(fixture.Collection, "portable-models", item, "libkim-api-portable-model.so")), $"{item} not installed in the test collection");
        var s = ExportCases.Structure(structure);
        var ours = new ModelPotential(model.Expression, model.Taper).Compute(s);
        var lammps = Lammps.Compute(s, LammpsPair.Kim(item, "Cu"));
        var d = ExportCases.Differences(ours, lammps.Energy, lammps.AtomEnergies, lammps.Forces, lammps.Stress);
        log.WriteLine($"{name} KIM in LAMMPS on {s.Name}: ΔE {d.Energy:E2} eV/atom, ΔE_i {d.AtomEnergy:E2} eV, ΔF {d.Force:E2} eV/Å, Δσ {d.Stress:E2} eV/Å³");
        ExportCases.AssertClose(d, $"{name} KIM on {s.Name}");
    }

}

/// <summary>The generated files, without building them.</summary>
public class KimSourceTests
{
    [Fact]
    public void TheSourceHasTheModelsFunctionsAndTheKimEntryPoints()
    {
        var folder = KimExport.Write(ExportCases.Gp2, TestData.TempDir(), "PoetSharp_GP2_Cu");
        Assert.EndsWith("PoetSharp_GP2_Cu", folder);
        var source = File.ReadAllText(Path.Combine(folder, "model.cpp"));
        Assert.Contains("extern \"C\" int model_create(", source);
        Assert.Contains("inline void Pair2(", source);
        Assert.Contains("KIM::SpeciesName(\"Cu\")", source);
        var cmake = File.ReadAllText(Path.Combine(folder, "CMakeLists.txt"));
        Assert.Contains("project(PoetSharp_GP2_Cu", cmake);
        Assert.Contains("add_kim_api_model_library(", cmake);
    }

    [Theory]
    [InlineData("1model")]
    [InlineData("Poet-Sharp")]
    [InlineData("name with spaces")]
    public void ItemNamesMustBeIdentifiers(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => KimExport.Write(ExportCases.Gp1, TestData.TempDir(), name));
        Assert.Contains("not allowed", e.Message);
    }
}

[CollectionDefinition("KIM models", DisableParallelization = true)]
public class KimModelsCollection;
