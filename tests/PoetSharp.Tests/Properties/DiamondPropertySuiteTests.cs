using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Simulation;
using PoetSharp.Tests.Cli;
using PoetSharp.Tests.Support;
using System.Text.Json;

namespace PoetSharp.Tests.Properties;

/// <summary>How the property suite, the fitting targets and `poet properties` choose the diamond vacancy and surfaces.</summary>
public class DiamondPropertySuiteTests
{
    // Lennard-Jones describes any element; σ puts its diamond bond near silicon's.
    private static readonly IPotential Lj = PotentialFactory.Create("lj:epsilon=0.1,sigma=2.1,cutoff=6");

    private static readonly PropertySetup Small = PropertySetup.Screening with { DiamondVacancySupercell = 2, MaxRelaxationSteps = 300 };

    [Fact]
    public void SiliconGetsTheDiamondVacancyAndSurfacesAtTheDiamondLatticeConstant()
    {
        var suite = PropertySuite.Run(Lj, new PropertySuiteOptions { Element = "Si", Only = ["lattice", "vacancy", "surfaces"], Setup = Small, MaxParallelism = 1 });

        Assert.Equal(CubicLattice.Diamond, PropertySuite.CrystalOf("Si"));
        var a = suite.Find("a0", "DIAMOND");
        Assert.NotNull(a);
        Assert.Equal(PropertyStatus.Ok, a.Status);
        var expectedA = Bulk.CubicLatticeConstant(Lj, "Si", CubicLattice.Diamond, Small.Lattice);
        Assert.Equal(expectedA.A, a.Value!.Value, 12);
        Assert.Equal(expectedA.EnergyPerAtom, suite.Find("E0", "DIAMOND")!.Value!.Value, 12);
        // Instead of fcc's vacancy and 13 facets: the diamond vacancy and (100), (111), each as the library computes it.
        Assert.Equal(["Esurf_100", "Esurf_111"], suite.Properties.Where(p => p.Group == "surfaces").Select(p => p.Name));
        Assert.All(suite.Properties.Where(p => p.Group is "surfaces" or "vacancy"), p => Assert.Equal("DIAMOND", p.Structure));
        Assert.Null(suite.Find("Ev_f", "FCC"));
        var settings = new RelaxationSettings { ForceTolerance = Small.ForceTolerance!.Value, StressTolerance = Small.StressTolerance!.Value, MaxSteps = Small.MaxRelaxationSteps!.Value };
        var surface = Surfaces.SurfaceEnergy(Lj, expectedA.A, 1, 1, 1, CubicLattice.Diamond, Small.SurfaceThickness, Small.SurfaceVacuum, "Si", settings);
        Assert.Equal(Surfaces.MevPerA2(surface.Value), suite.Find("Esurf_111", "DIAMOND")!.Value!.Value, 9);
        Assert.Equal("meV/Å²", suite.Find("Esurf_111", "DIAMOND")!.Unit);
        var vacancy = Defects.DiamondVacancyFormation(Lj, expectedA.A, 2, "Si", settings: settings with { MaxSteps = Small.MaxRelaxationSteps!.Value });
        var row = suite.Find("Ev_f", "DIAMOND")!;
        Assert.Equal(vacancy.Value, row.Value!.Value, 9);
        Assert.Contains("64-site diamond supercell", row.Reason);
    }

    [Fact]
    public void CopperStaysFccUnlessDiamondIsAskedFor()
    {
        Assert.Equal(CubicLattice.Fcc, PropertySuite.CrystalOf("Cu"));
        var fcc = PropertySuite.Run(Lj, new PropertySuiteOptions { Element = "Cu", Only = ["surfaces"], Setup = Small });
        Assert.Equal(13, fcc.Properties.Count);
        Assert.All(fcc.Properties, p => Assert.Equal("FCC", p.Structure));
        var diamond = PropertySuite.Run(Lj, new PropertySuiteOptions { Element = "Cu", Only = ["surfaces"], Setup = Small, Crystal = CubicLattice.Diamond });
        Assert.Equal(["Esurf_100", "Esurf_111"], diamond.Properties.Select(p => p.Name));
        // Without the lattice group the diamond lattice constant is computed but not reported.
        Assert.Null(diamond.Find("a0", "DIAMOND"));
        Assert.Throws<ArgumentException>(() => PropertySuite.Run(Lj, new PropertySuiteOptions { Element = "Fe", Only = ["surfaces"], Crystal = CubicLattice.Bcc }));
    }

    [Fact]
    public void DiamondRowsAreKnownToTheSuiteAndChooseTheCrystalOfTheTargets()
    {
        Assert.Equal(("vacancy", "eV"), PropertySuite.Describe("Ev_f", "DIAMOND"));
        Assert.Equal(("surfaces", "meV/Å²"), PropertySuite.Describe("Esurf_111", "DIAMOND"));
        Assert.Equal(("lattice", "Å"), PropertySuite.Describe("a0", "DIAMOND"));
        Assert.Null(PropertySuite.Describe("Esurf_110", "DIAMOND"));

        var folder = TestData.TempDir();
        var silicon = Path.Combine(folder, "si.data");
        File.WriteAllText(silicon, "silicon\na0 DIAMOND 5.43 Å\nEv_f DIAMOND 3.6 eV\nEsurf_111 DIAMOND 100 meV/Å²\n");
        var objective = new TargetObjective(TargetProperties.Read(silicon), "Si");
        Assert.Equal(CubicLattice.Diamond, objective.SuiteOptions.Crystal);
        Assert.Equal(["lattice", "vacancy", "surfaces"], objective.Groups);

        var copper = Path.Combine(folder, "cu.data");
        File.WriteAllText(copper, "copper\nEv_f FCC 1.07 eV\n");
        Assert.Equal(CubicLattice.Fcc, new TargetObjective(TargetProperties.Read(copper), "Si").SuiteOptions.Crystal);

        var mixed = Path.Combine(folder, "mixed.data");
        File.WriteAllText(mixed, "mixed\nEsurf_100 FCC 90 meV/Å²\nEv_f DIAMOND 3.6 eV\n");
        var e = Assert.Throws<ArgumentException>(() => new TargetObjective(TargetProperties.Read(mixed), "Si"));
        Assert.Contains("Esurf_100 FCC beside DIAMOND targets", e.Message);
    }

    [Fact]
    public void PoetPropertiesTakesTheLattice()
    {
        var run = CliRun.Of("properties", "--potential", "lj:epsilon=0.1,sigma=2.1,cutoff=6", "--element", "Cu", "--lattice", "diamond", "--only", "surfaces", "--json");
        Assert.Equal(0, run.ExitCode);
        var rows = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("properties").EnumerateArray()
            .Select(p => (p.GetProperty("name").GetString(), p.GetProperty("structure").GetString())).ToList();
        Assert.Equal([("Esurf_100", "DIAMOND"), ("Esurf_111", "DIAMOND")], rows);
        Assert.Contains("diamond surface (111)", run.Stderr);

        var bad = CliRun.Of("properties", "--potential", "sc", "--lattice", "bcc", "--only", "surfaces");
        bad.AssertOneLineError(1);
        Assert.Contains("--lattice 'bcc': choose fcc or diamond", bad.Stderr);
    }
}
