using System.Diagnostics;
using PoetSharp.Atoms;
using PoetSharp.Export;
using PoetSharp.Models;
using PoetSharp.Mtp;
using PoetSharp.Potentials;
using PoetSharp.Tests.Cli;
using PoetSharp.Tests.Mtp;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Export;

/// <summary>
/// Builds two moment tensor potentials as KIM portable models once (in parallel) into the test run's temporary KIM
/// collection: Zuo et al.'s level-20 copper MTP (when the shared data is present) and a random level-10 Cu–Ni MTP.
/// </summary>
public sealed class MtpKimFixture
{
    public const string Copper = "Cu_mtp";
    public const string Alloy = "CuNi_random";
    public const string Cored = "CuNi_core";

    public Dictionary<string, (MtpModel Model, string Item)> Models { get; } = [];
    /// <summary>Seconds spent writing, compiling and installing the models.</summary>
    public double BuildSeconds { get; }

    public MtpKimFixture()
    {
        if (!Requirements.Available(External.Kim) || !Requirements.Available(External.Lammps)) return;
        _ = KimTestCollection.Folder;
        var clock = Stopwatch.StartNew();
        var models = new List<(string Key, MtpModel Model)>
        {
            (Alloy, MtpModelTests.RandomModel(10, ["Cu", "Ni"], 3).WithName("CuNi random")),
            (Cored, MtpModelTests.RandomModel(10, ["Cu", "Ni"], 4).WithCore(new MtpCore([2.6, 2.5, 2.5, 2.4], 0.5, ["Cu", "Ni"])).WithName("CuNi core")),
        };
        if (Requirements.Available(External.SharedData)) models.Add((Copper, MtpFile.Read(TestData.Shared("mlearn", "Cu_mtp.mtp"), ["Cu"])));
        var sources = TestData.TempDir();
        var items = models.Select(m => (m.Key, m.Model, Item: "PoetSharpTest_MTP_" + m.Key)).ToArray();
        Parallel.ForEach(items, x => KimExport.Install(KimExport.Write(x.Model, sources, x.Item)));
        foreach (var x in items) Models[x.Key] = (x.Model, x.Item);
        BuildSeconds = clock.Elapsed.TotalSeconds;
    }
}

/// <summary>
/// Moment tensor potentials exported as KIM portable models, run by LAMMPS (kim init / kim interactions) and compared
/// with <see cref="MtpPotential"/>: energy, per-atom energies, forces, stress and virial.
/// </summary>
[Collection("KIM models")]
public class MtpKimExportTests(MtpKimFixture fixture, ITestOutputHelper log) : IClassFixture<MtpKimFixture>
{
    /// <summary>Virial W = −V·σ per atom (eV), for cells that are not fully periodic too.</summary>
    private const double VirialTolerance = 1e-6;

    /// <summary>Copper cells: a rattled 3×3×3 fcc cell, a DFT_Cu cell from NPT at 1400 K, a rattled triclinic cell.</summary>
    private static Structure CopperCell(int k) => k switch
    {
        0 => Builders.Rattled(Builders.Fcc("Cu", 3.615, 3), 0.1, 3),
        1 => ExportCases.Structure(2),
        _ => AllCopper(AlloyCases.Structure(2)),
    };

    private static Structure AllCopper(Structure s) => new(s.Cell, s.Positions, Enumerable.Repeat("Cu", s.Count).ToArray(), "triclinic Cu");

    /// <summary>Cu–Ni cells: a rattled 2×2×2 fcc cell, a rattled triclinic cell, a slab (vacuum along z).</summary>
    private static Structure AlloyCell(int k) => k switch
    {
        0 => MtpModelTests.Alloy(7),
        1 => AlloyCases.Structure(2),
        _ => Named(MtpModelTests.Alloy(8, slab: true), "alloy slab"),
    };

    private static Structure Named(Structure s, string name) => new(s.Cell, s.Positions, s.Species, name);

    public static TheoryData<int> ThreeCells => new(0, 1, 2);

    [NeedsTheory(External.Lammps | External.Kim | External.SharedData)]
    [MemberData(nameof(ThreeCells))]
    public void LammpsRunsTheCopperMtpAsAKimModelAndMatchesOurs(int cell) =>
        Compare(MtpKimFixture.Copper, CopperCell(cell));

    [NeedsTheory(External.Lammps | External.Kim)]
    [MemberData(nameof(ThreeCells))]
    public void LammpsRunsATwoSpeciesMtpAsAKimModelAndMatchesOurs(int cell) =>
        Compare(MtpKimFixture.Alloy, AlloyCell(cell));

    /// <summary>Compressed Cu–Ni (a = 3.1 Å, pairs at 1.9–2.5 Å, inside the core and in its switch), periodic and as a slab.</summary>
    [NeedsTheory(External.Lammps | External.Kim)]
    [InlineData(false)]
    [InlineData(true)]
    public void LammpsRunsAnMtpWithACoreAsAKimModelAndMatchesOurs(bool slab) =>
        Compare(MtpKimFixture.Cored, Named(MtpModelTests.Alloy(9, slab, a: 3.1), slab ? "compressed slab" : "compressed cell"));

    private void Compare(string key, Structure s)
    {
        var (model, item) = fixture.Models[key];
        Assert.True(KimTestCollection.Installed(item), $"{item} not installed in the test collection");
        var ours = new MtpPotential(model).Compute(s);
        var clock = Stopwatch.StartNew();
        var lammps = Lammps.Compute(s, LammpsPair.Kim(item, model.Elements));
        var seconds = clock.Elapsed.TotalSeconds;
        var d = ExportCases.Differences(ours, lammps.Energy, lammps.AtomEnergies, lammps.Forces, lammps.Stress);
        var a = ours.Virial.ToVoigt();
        var b = lammps.Virial.ToVoigt();
        var virial = Enumerable.Range(0, 6).Max(k => Math.Abs(a[k] - b[k])) / s.Count;
        log.WriteLine($"{model.Name} KIM in LAMMPS on {s.Name} ({s.Count} atoms, LAMMPS {seconds:F1} s; models built in {fixture.BuildSeconds:F1} s): " +
                      $"ΔE {d.Energy:E2} eV/atom, ΔE_i {d.AtomEnergy:E2} eV, ΔF {d.Force:E2} eV/Å, Δσ {d.Stress:E2} eV/Å³, ΔW {virial:E2} eV/atom");
        ExportCases.AssertClose(d, $"{model.Name} KIM on {s.Name}");
        Assert.True(virial < VirialTolerance, $"{model.Name} KIM on {s.Name}: virial differs by {virial:E2} eV/atom");
        // Not a vacuous comparison: the forces are far from zero.
        Assert.True(ours.Forces.ToArray().Max(f => f.Length) > 0.01, "the forces of the test cell are all nearly zero");
    }
}

/// <summary>The generated MTP source and the command line, without building anything.</summary>
public class MtpKimSourceTests
{
    [Fact]
    public void TheSourceHoldsTheModelsArraysAndTheKimEntryPoints()
    {
        var model = MtpModelTests.RandomModel(8, ["Cu", "Ni"], 2).WithName("test mtp");
        var folder = KimExport.Write(model, TestData.TempDir());
        Assert.EndsWith("PoetSharp_test_mtp_CuNi", folder);
        var source = File.ReadAllText(Path.Combine(folder, "model.cpp"));
        Assert.Contains("extern \"C\" int model_create(", source);
        Assert.Contains("KIM::SpeciesName(\"Cu\"), 0)", source);
        Assert.Contains("KIM::SpeciesName(\"Ni\"), 1)", source);
        Assert.Contains($"int const kBasic = {model.Basis.BasicCount};", source);
        Assert.Contains($"int const kProducts = {model.Basis.Products.Length};", source);
        Assert.Contains($"int const kScalars = {model.Basis.ScalarCount};", source);
        Assert.Contains($"double const kMaxDist = {CppExpressionWriter.Literal(model.Cutoff)};", source);
        // Every coefficient is written at full precision.
        foreach (var c in model.RadialCoefficients.Concat(model.MomentCoefficients).Concat(model.SpeciesCoefficients))
            Assert.Contains(CppExpressionWriter.Literal(c), source);
        var cmake = File.ReadAllText(Path.Combine(folder, "CMakeLists.txt"));
        Assert.Contains("project(PoetSharp_test_mtp_CuNi", cmake);
        Assert.Contains("-O2", cmake);
    }

    [Fact]
    public void AModelFileOfFamilyMtpExportsAsKim()
    {
        var dir = TestData.TempDir();
        var file = Path.Combine(dir, "model.json");
        ModelFile.Write(file, MtpModelTests.RandomModel(6, ["Ni", "Cu"], 4).WithName("NiCu"));
        var run = CliRun.Of("export", "--model", file, "--format", "kim", "--out", Path.Combine(dir, "out"));
        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(dir, "out", "PoetSharp_NiCu_NiCu", "model.cpp")));
        var card = File.ReadAllText(Path.Combine(dir, "out", "MODEL.md"));
        Assert.Contains("moment tensor potential", card);
        Assert.Contains("kim init PoetSharp_NiCu_NiCu metal", card);
        Assert.Contains("kim interactions Ni Cu\nmass 1 58.69", card);
    }

    [Fact]
    public void AnMtpFileExportsWithItsTypeMap()
    {
        var dir = TestData.TempDir();
        var file = Path.Combine(dir, "cu.mtp");
        MtpFile.Write(file, MtpModelTests.RandomModel(6, ["Cu"], 5));
        var run = CliRun.Of("--type-map", "Cu", "export", "--potential", file, "--format", "kim", "--kim-name", "CuMtp", "--out", dir);
        Assert.Equal(0, run.ExitCode);
        var source = File.ReadAllText(Path.Combine(dir, "CuMtp", "model.cpp"));
        Assert.Contains("KIM::SpeciesName(\"Cu\"), 0)", source);
        // --model takes an .mtp file as well.
        var again = CliRun.Of("--type-map", "Cu", "export", "-m", file, "-f", "kim", "-o", Path.Combine(dir, "again"));
        Assert.Equal(0, again.ExitCode);
    }

    [Fact]
    public void AnMtpFileWithoutATypeMapIsAOneLineError()
    {
        var dir = TestData.TempDir();
        var file = Path.Combine(dir, "cu.mtp");
        MtpFile.Write(file, MtpModelTests.RandomModel(6, ["Cu"], 5));
        var run = CliRun.Of("export", "-p", file, "-f", "kim", "-o", dir);
        run.AssertOneLineError(1);
        Assert.Contains("--type-map", run.Stderr);
    }

    [Theory]
    [InlineData("setfl")]
    [InlineData("eam-fs")]
    public void AnMtpAsSetflIsAOneLineErrorThatSaysWhy(string format)
    {
        var dir = TestData.TempDir();
        var file = Path.Combine(dir, "model.json");
        ModelFile.Write(file, MtpModelTests.RandomModel(6, ["Cu"], 6));
        var run = CliRun.Of("export", "-m", file, "-f", format, "-f", "kim", "-o", Path.Combine(dir, "out"));
        run.AssertOneLineError(1);
        Assert.Contains("not of EAM form", run.Stderr);
        Assert.Contains("--format kim", run.Stderr);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }

    [Fact]
    public void ModelAndPotentialTogetherOrNeitherIsAnError()
    {
        var dir = TestData.TempDir();
        CliRun.Of("export", "-f", "kim", "-o", dir).AssertOneLineError(1);
        CliRun.Of("--type-map", "Cu", "export", "-m", "sum(r^-6)", "-p", "x.mtp", "-f", "kim", "-o", dir).AssertOneLineError(1);
    }
}
