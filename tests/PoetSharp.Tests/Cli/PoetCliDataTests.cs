using System.Text.Json;
using PoetSharp.Data;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>End-to-end runs of `poet` on the shipped data with the real readers, writers and potentials.</summary>
public class PoetCliDataTests
{
    [Fact]
    public void DataInfoOnSuttonChenData()
    {
        var run = CliRun.Of("data", "info", TestData.Repo("poet", "EAM_Cu"));
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        Assert.Contains("400 structures, 12,800 atoms (Cu 12,800)", run.Stdout);
        foreach (var group in new[] { "300K", "1600K", "3800K", "20kK" }) Assert.Contains(group, run.Stdout);
        Assert.Contains("energy per atom", run.Stdout);
        Assert.Contains("force components", run.Stdout);
        // The Sutton–Chen snapshots come with energies and forces but no stress.
        Assert.Matches(@"all\s+│\s+400\s+│\s+12,800\s+│\s+32\s+│\s+Cu 12,800\s+│\s+400\s+│\s+400\s+│\s+0\s", run.Stdout);
    }

    [Fact]
    public void TypeMapOptionNamesTheSpeciesOfAnMlipCfg()
    {
        var dir = TestData.TempDir();
        var cfg = Path.Combine(dir, "train.cfg");
        File.WriteAllText(cfg, "BEGIN_CFG\n Size\n 2\n Supercell\n 4 0 0\n 0 4 0\n 0 0 4\n AtomData: id type cartes_x cartes_y cartes_z\n" +
                               " 1 0 0 0 0\n 2 1 2 2 2\n Energy\n -3.5\nEND_CFG\n");
        var without = CliRun.Of("data", "info", cfg);
        without.AssertOneLineError(1);
        Assert.Contains("give a type map", without.Stderr);

        var run = CliRun.Of("data", "info", "--type-map", "Li,S", cfg);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("1 structure, 2 atoms (Li 1, S 1)", run.Stdout);

        // convert takes it too, and the written .cfg records the species.
        var xyz = Path.Combine(dir, "out.xyz");
        Assert.Equal(0, CliRun.Of("data", "convert", cfg, xyz, "--type-map", "Li,S").ExitCode);
        Assert.Equal(["Li", "S"], DataFiles.Read(xyz)[0].Species);

        var bad = CliRun.Of("data", "info", "--type-map", "Li,,S", cfg);
        bad.AssertOneLineError(2);
        Assert.Contains("--type-map", bad.Stderr);
    }

    [Fact]
    public void DataInfoOnDftData()
    {
        var run = CliRun.Of("data", "info", TestData.Repo("poet", "DFT_Cu"));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("163 structures, 5,051 atoms (Cu 5,051)", run.Stdout);
        Assert.Contains("6–36", run.Stdout);
        Assert.Contains("stress components", run.Stdout);
        Assert.Contains("note: ", run.Stdout);
    }

    [Fact]
    public void EvalSuttonChenOnArgonIsASpeciesError()
    {
        var run = CliRun.Of("eval", "--potential", "sc", "--data", TestData.Repo("poet", "LJ_Ar"));
        run.AssertOneLineError(1);
        Assert.Contains("'Ar'", run.Stderr);
    }

    [Fact]
    public void EvalSuttonChenReproducesItsOwnData()
    {
        var run = CliRun.Of("eval", "--potential", "sc", "--data", TestData.Repo("poet", "EAM_Cu"), "--json");
        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(400, root.GetProperty("overall").GetProperty("structures").GetInt32());
        Assert.Equal(400, root.GetProperty("overall").GetProperty("energy").GetProperty("structures").GetInt32());
        Assert.Equal(4, root.GetProperty("perGroup").GetArrayLength());
        // The shipped data were generated with Sutton–Chen and POET's taper: at 300 K it reproduces them to
        // about 0.012 eV per 32-atom cell and 7e-4 eV/Å (data/poet/README.md); bounds leave room above that.
        var cold = root.GetProperty("perGroup").EnumerateArray().Single(g => g.GetProperty("name").GetString()!.Contains("300K"));
        Assert.True(cold.GetProperty("energy").GetProperty("rmse").GetDouble() < 2.0, cold.ToString());
        Assert.True(cold.GetProperty("forces").GetProperty("rmse").GetDouble() < 5e-3, cold.ToString());
    }

    [Fact]
    public void EvalTableOnSuttonChenData()
    {
        var run = CliRun.Of("eval", "--potential", "sc", "--data", TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K"));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("100 structures", run.Stdout);
        Assert.Contains("energy shift c = ", run.Stdout);
    }

    [Fact]
    public void ConvertPoetFolderToExtendedXyzRoundTrips()
    {
        var output = Path.Combine(TestData.TempDir(), "sc300.xyz");
        var run = CliRun.Of("data", "convert", TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K"), output);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("wrote 100 structures (3,200 atoms; 100 with energy, 100 with forces, 0 with stress)", run.Stdout);
        var back = DataFiles.Read(output);
        Assert.Equal(100, back.Count);
        Assert.NotNull(back[0].Energy);
    }

    [Fact]
    public void ConvertPoscarToPoscar()
    {
        var output = Path.Combine(TestData.TempDir(), "POSCAR");
        var run = CliRun.Of("data", "convert", TestData.Repo("poet", "DFT_Cu", "0K", "FCC.vasp"), output);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("wrote 1 structure", run.Stdout);
        Assert.True(File.Exists(output));
    }

    [Fact]
    public void ConvertManyStructuresToPoscarIsAnError()
    {
        var output = Path.Combine(TestData.TempDir(), "out.vasp");
        var run = CliRun.Of("data", "convert", TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K"), output);
        run.AssertOneLineError(1);
        Assert.Contains("one structure", run.Stderr);
    }
}
