using PoetSharp.Atoms;
using PoetSharp.Export;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Export;

/// <summary>
/// Builds GP1, GP2 and Sutton–Chen as KIM portable models once (in parallel) and installs them into the temporary user
/// collection of the test run (<see cref="KimTestCollection"/>).
/// </summary>
public sealed class KimModelsFixture
{
    public Dictionary<string, (Model Model, string Item)> Models { get; } = [];
    public string Collection => KimTestCollection.Folder;

    public KimModelsFixture()
    {
        if (!Requirements.Available(External.Kim) || !Requirements.Available(External.Lammps)) return;
        _ = KimTestCollection.Folder;
        var sources = TestData.TempDir();
        var models = new[] { ExportCases.Gp1, ExportCases.Gp2, ExportCases.SuttonChen, ExportCases.Functions, AlloyCases.Rts, AlloyCases.Mixed };
        var items = models.Select(m => (Model: m, Item: "PoetSharpTest_" + m.Name + "_" + string.Join("", m.Species))).ToArray();
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

    public static TheoryData<string, int> AlloyCaseData()
    {
        var data = new TheoryData<string, int>();
        foreach (var model in new[] { AlloyCases.Rts.Name, AlloyCases.Mixed.Name })
            for (var s = 0; s < AlloyCases.StructureCount; s++) data.Add(model, s);
        return data;
    }

    /// <summary>Models of two elements (per-element terms, sums over one element's neighbours) on Cu–Ni cells.</summary>
    [NeedsTheory(External.Lammps | External.Kim)]
    [MemberData(nameof(AlloyCaseData))]
    public void LammpsRunsTwoElementModelsAndMatchesOurs(string name, int structure)
    {
        var (model, item) = fixture.Models[name];
        var s = AlloyCases.Structure(structure);
        var ours = new ModelPotential(model.Expression, model.Taper, model.Species).Compute(s);
        var lammps = Lammps.Compute(s, LammpsPair.Kim(item, [.. model.Species]));
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

/// <summary>Two-element models and Cu–Ni cells for the export tests.</summary>
public static class AlloyCases
{
    /// <summary>The Rafii-Tabar–Sutton Cu–Ni alloy (EAM-alloy form: per-element embedding of a species-resolved density).</summary>
    public static Model Rts { get; } = new("AlloyRTS", PoetSharp.Search.AlloyRecovery.TrueModel, 5.0, Taper.Copper, ["Cu", "Ni"]);

    /// <summary>Not of EAM form: a product of sums, a constant per element, a sum over all neighbours.</summary>
    public static Model Mixed { get; } = new("AlloyMixed", ExpressionParser.ParseModel(
        "at[Cu](0.25 + sum[Ni](2.1*0.55^r) * sum(0.4^r) - sum[Cu](30*r^-6)^0.5) + at[Ni](-0.3 + sum(900*r^-9) - (sum[Cu](20*r^-6) + 1.3*sum[Ni](25*r^-6))^0.5)"),
        5.0, Taper.Copper, ["Cu", "Ni"]);

    public const int StructureCount = 3;

    /// <summary>Two shipped alloy cells and a rattled triclinic cell of random composition.</summary>
    public static Structure Structure(int k)
    {
        var data = PoetSharp.Data.DataFiles.Read(Path.Combine(TestData.RepoRoot, "data", "alloy", "CuNi_RTS", "CuNi_RTS.xyz"));
        if (k < 2) return data[k == 0 ? 60 : 185];
        var s = Builders.Rattled(Builders.Fcc("Cu", 3.56, 2), 0.12, 11);
        var cell = new Cell(s.Cell.A + new Vec3(0, 0.4, 0.2), s.Cell.B + new Vec3(0.3, 0, 0), s.Cell.C, true, true, true);
        var random = new Random(5);
        var species = Enumerable.Range(0, s.Count).Select(_ => random.NextDouble() < 0.4 ? "Ni" : "Cu").ToArray();
        return new Structure(cell, s.Positions.Select(p => cell.ToCartesian(s.Cell.ToFractional(p))).ToArray(), species, "triclinic alloy");
    }
}
