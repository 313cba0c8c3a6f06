using PoetSharp.Export;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Export;

/// <summary>
/// Exported setfl tables against the exact model: through our EAM reader (which reproduces LAMMPS's interpolation)
/// and through /usr/bin/lmp itself.
/// </summary>
public class SetflExportTests(ITestOutputHelper log)
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var model in new[] { "GP1", "SuttonChen" })
            for (var s = 0; s < 4; s++) data.Add(model, s);
        return data;
    }

    private static Model ModelNamed(string name) => name switch
    {
        "GP1" => ExportCases.Gp1,
        "SuttonChen" => ExportCases.SuttonChen,
        _ => ExportCases.TwoEmbeddings,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TablesReadBackByOurEamReaderMatchTheModel(string name, int structure)
    {
        var model = ModelNamed(name);
        var export = SetflExport.Write(model, TestData.TempDir(), new SetflOptions());
        var s = ExportCases.Structure(structure);
        var ours = new ModelPotential(model.Expression, model.Taper).Compute(s);
        var tables = Eam.FromFile(Assert.Single(export.Files)).Compute(s);
        var d = ExportCases.Differences(ours, tables.Energy, tables.AtomEnergies, tables.Forces, tables.Stress);
        log.WriteLine($"{name} on {s.Name}: ΔE {d.Energy:E2} eV/atom, ΔE_i {d.AtomEnergy:E2} eV, ΔF {d.Force:E2} eV/Å, Δσ {d.Stress:E2} eV/Å³");
        ExportCases.AssertClose(d, $"{name} setfl on {s.Name}");
    }

    [LammpsTheory]
    [MemberData(nameof(Cases))]
    public void LammpsWithTheTablesMatchesTheModel(string name, int structure) => CompareWithLammps(ModelNamed(name), structure, finnisSinclair: false);

    [LammpsFact]
    public void LammpsWithEamFsTablesMatchesTheModel() => CompareWithLammps(ExportCases.Gp1, 3, finnisSinclair: true);

    [LammpsTheory]
    [InlineData(0)]
    [InlineData(3)]
    public void SeveralEmbeddingsRunAsHybridOverlay(int structure)
    {
        var export = CompareWithLammps(ExportCases.TwoEmbeddings, structure, finnisSinclair: false);
        Assert.Equal("hybrid/overlay eam/alloy eam/alloy", export.PairStyle);
        Assert.Equal(2, export.Files.Count);
    }

    private LammpsExport CompareWithLammps(Model model, int structure, bool finnisSinclair)
    {
        var dir = TestData.TempDir();
        var export = SetflExport.Write(model, dir, new SetflOptions { FinnisSinclair = finnisSinclair });
        var s = ExportCases.Structure(structure);
        var ours = new ModelPotential(model.Expression, model.Taper).Compute(s);
        var coeffs = export.PairCoeffsIn(dir).Select(c => c.Replace(" Cu", " {elements}")).ToArray();
        var lammps = Lammps.Compute(s, new LammpsPair(export.PairStyle, coeffs, ["Cu"]));
        var d = ExportCases.Differences(ours, lammps.Energy, lammps.AtomEnergies, lammps.Forces, lammps.Stress);
        log.WriteLine($"{model.Name} ({export.PairStyle}) in LAMMPS on {s.Name}: ΔE {d.Energy:E2} eV/atom, ΔE_i {d.AtomEnergy:E2} eV, ΔF {d.Force:E2} eV/Å, Δσ {d.Stress:E2} eV/Å³");
        ExportCases.AssertClose(d, $"{model.Name} setfl in LAMMPS on {s.Name}");
        return export;
    }

    [Fact]
    public void ANegativeDensityIsTabulatedWithItsSignFlipped()
    {
        var model = ExportCases.Create("negative", "sum(644.52*r^-9) - (0 - sum(-527.62*r^-6))^0.5");
        var export = SetflExport.Write(model, TestData.TempDir(), new SetflOptions());
        Assert.Contains(export.Notes, n => n.Contains("ρ = −Σ_j"));
        var s = ExportCases.Structure(3);
        var tables = Eam.FromFile(export.Files[0]).Compute(s);
        var ours = new ModelPotential(model.Expression, model.Taper).Compute(s);
        ExportCases.AssertClose(ExportCases.Differences(ours, tables.Energy, tables.AtomEnergies, tables.Forces, tables.Stress), "negative density");
    }

    [Fact]
    public void Gp2IsRefusedWithTheReason()
    {
        var e = Assert.Throws<ArgumentException>(() => SetflExport.Write(ExportCases.Gp2, TestData.TempDir(), new SetflOptions()));
        Assert.Contains("jointly", e.Message);
    }

    /// <summary>An angular density is a three-body term, not an EAM density: one element or several, refused with the reason.</summary>
    [Fact]
    public void AngularModelsAreRefusedWithTheReason()
    {
        foreach (var model in new[] { AngularCases.Copper, AngularCases.Alloy, ExportCases.Create("ang", "sum(644.52*r^-9) - (sum(527.62*r^-6) + ang0(r^-6))^0.5") })
        {
            Assert.False(SetflExport.CanWrite(model, out var reason), model.Name);
            Assert.Contains("angular density", reason);
            var e = Assert.Throws<ArgumentException>(() => SetflExport.Write(model, TestData.TempDir(), new SetflOptions()));
            Assert.Contains("not an EAM density", e.Message);
            Assert.Contains("--format kim", e.Message);
        }
    }

    [Fact]
    public void TheFileIsAValidSetflWithTheModelsGrid()
    {
        var export = SetflExport.Write(ExportCases.Gp1, TestData.TempDir(), new SetflOptions { DistancePoints = 2001, DensityPoints = 3001 });
        var eam = Eam.FromFile(export.Files[0]);
        Assert.Equal(EamFormat.Setfl, eam.Format);
        Assert.Equal(5.0, eam.Cutoff);
        Assert.Equal(["Cu"], eam.Species!);
        var grid = File.ReadAllLines(export.Files[0])[4].Split(' ');
        Assert.Equal(["3001", "2001", "5"], new[] { grid[0], grid[2], grid[4] });
    }
}

/// <summary>Setfl files of models of two elements (the per-element terms read as EAM): our EAM reader and LAMMPS against the exact model.</summary>
public class AlloySetflExportTests(ITestOutputHelper log)
{
    /// <summary>EAM form with densities that differ per element pair (not proportional): eam/fs.</summary>
    public static Model FinnisSinclair { get; } = new("AlloyFS", ExpressionParser.ParseModel(
        "at[Cu](sum[Cu](700*r^-9) + sum[Ni](650*r^-9) - (sum[Cu](500*r^-6) + sum[Ni](300*r^-6))^0.5) + " +
        "at[Ni](0.1 + sum(650*r^-9) - (sum[Cu](200*r^-6) + 0.8*sum[Ni](900*r^-6))^0.5)"), 5.0, Taper.Copper, ["Cu", "Ni"]);

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var model in new[] { "AlloyRTS", "AlloyFS" })
            for (var s = 0; s < AlloyCases.StructureCount; s++) data.Add(model, s);
        return data;
    }

    private static Model Named(string name) => name == "AlloyRTS" ? AlloyCases.Rts : FinnisSinclair;

    [Fact]
    public void TheRtsAlloyIsWrittenAsEamAlloyAndTheOtherAsEamFs()
    {
        Assert.Equal("eam/alloy", SetflExport.Write(AlloyCases.Rts, TestData.TempDir(), new SetflOptions()).PairStyle);
        var fs = SetflExport.Write(FinnisSinclair, TestData.TempDir(), new SetflOptions());
        Assert.Equal("eam/fs", fs.PairStyle);
        Assert.Contains(fs.Notes, n => n.Contains("not proportional"));
        var refused = Assert.Throws<ArgumentException>(() => SetflExport.Write(AlloyCases.Mixed, TestData.TempDir(), new SetflOptions()));
        Assert.Contains("--format kim", refused.Message);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TablesReadBackByOurEamReaderMatchTheModel(string name, int structure)
    {
        var model = Named(name);
        var export = SetflExport.Write(model, TestData.TempDir(), new SetflOptions());
        var s = AlloyCases.Structure(structure);
        var ours = new ModelPotential(model.Expression, model.Taper, model.Species).Compute(s);
        var tables = Eam.FromFile(Assert.Single(export.Files)).Compute(s);
        var d = ExportCases.Differences(ours, tables.Energy, tables.AtomEnergies, tables.Forces, tables.Stress);
        log.WriteLine($"{name} ({export.PairStyle}) read back on {s.Name}: ΔE {d.Energy:E2} eV/atom, ΔE_i {d.AtomEnergy:E2} eV, ΔF {d.Force:E2} eV/Å, Δσ {d.Stress:E2} eV/Å³");
        ExportCases.AssertClose(d, $"{name} setfl on {s.Name}");
    }

    [LammpsTheory]
    [MemberData(nameof(Cases))]
    public void LammpsWithTheTablesMatchesTheModel(string name, int structure)
    {
        var model = Named(name);
        var dir = TestData.TempDir();
        var export = SetflExport.Write(model, dir, new SetflOptions());
        var s = AlloyCases.Structure(structure);
        var ours = new ModelPotential(model.Expression, model.Taper, model.Species).Compute(s);
        var coeffs = export.PairCoeffsIn(dir).Select(c => c.Replace(" Cu Ni", " {elements}")).ToArray();
        var lammps = Lammps.Compute(s, new LammpsPair(export.PairStyle, coeffs, ["Cu", "Ni"]));
        var d = ExportCases.Differences(ours, lammps.Energy, lammps.AtomEnergies, lammps.Forces, lammps.Stress);
        log.WriteLine($"{name} ({export.PairStyle}) in LAMMPS on {s.Name}: ΔE {d.Energy:E2} eV/atom, ΔE_i {d.AtomEnergy:E2} eV, ΔF {d.Force:E2} eV/Å, Δσ {d.Stress:E2} eV/Å³");
        ExportCases.AssertClose(d, $"{name} setfl in LAMMPS on {s.Name}");
    }
}
