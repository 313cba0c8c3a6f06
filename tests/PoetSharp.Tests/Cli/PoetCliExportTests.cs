using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

public class PoetCliExportTests
{
    private const string Gp1 = "sum(r^(10.21 - 5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1";
    private const string Gp2 = "7.33*sum(r^(3.98 - 3.94*r)) + (27.32 - sum(11.13 + 0.03*r^(11.74 - 2.93*r)))*sum(1)^-1";

    [Fact]
    public void WritesSetflKimAndAModelCardWithTheLammpsCommands()
    {
        var dir = TestData.TempDir();
        var run = CliRun.Of("export", "--model", Gp1, "--name", "GP1", "--format", "setfl", "--format", "kim", "--out", dir);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("pair_style eam/alloy", run.Stdout);
        Assert.True(File.Exists(Path.Combine(dir, "GP1_Cu.eam.alloy")));
        Assert.True(File.Exists(Path.Combine(dir, "PoetSharp_GP1_Cu", "model.cpp")));
        Assert.True(File.Exists(Path.Combine(dir, "PoetSharp_GP1_Cu", "CMakeLists.txt")));
        var card = File.ReadAllText(Path.Combine(dir, "MODEL.md"));
        Assert.Contains("# GP1", card);
        Assert.Contains("E_i = " + Gp1, card);
        Assert.Contains(@"\sum_j", card);
        Assert.Contains("| cutoff | 5 Å |", card);
        Assert.Contains("pair_style eam/alloy\npair_coeff * * GP1_Cu.eam.alloy Cu\n", card);
        Assert.Contains("kim init PoetSharp_GP1_Cu metal", card);
        Assert.Contains("kim interactions Cu\nmass 1 63.546", card);
        Assert.Contains("kim-api-collections-management install user PoetSharp_GP1_Cu", card);
    }

    [Fact]
    public void TheCardCarriesTheModelFilesProvenanceAndErrors()
    {
        var dir = TestData.TempDir();
        var file = Path.Combine(dir, "gp1.json");
        ModelFile.Write(file, new Model("GP1", ExpressionParser.ParseModel(Gp1), 5, Taper.Copper, ["Cu"])
        {
            Provenance = "Hernandez et al. 2019, DFT_Cu",
            Errors = new Dictionary<string, double> { ["energy_rmse_meV_per_atom"] = 4.83 },
        });
        var out_ = Path.Combine(dir, "out");
        var run = CliRun.Of("export", "-m", file, "-f", "eam-fs", "-o", out_);
        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(out_, "GP1_Cu.eam.fs")));
        var card = File.ReadAllText(Path.Combine(out_, "MODEL.md"));
        Assert.Contains("Hernandez et al. 2019, DFT_Cu", card);
        Assert.Contains("| energy_rmse_meV_per_atom | 4.83 |", card);
        Assert.Contains("pair_style eam/fs\npair_coeff * * GP1_Cu.eam.fs Cu", card);
    }

    [Fact]
    public void Gp2AsSetflIsAOneLineErrorThatSaysWhy()
    {
        var run = CliRun.Of("export", "-m", Gp2, "-f", "setfl", "-o", TestData.TempDir());
        run.AssertOneLineError(1);
        Assert.Contains("jointly", run.Stderr);
        Assert.Contains("--format kim", run.Stderr);
    }

    [Fact]
    public void Gp2AsKimNotesInTheCardWhySetflIsMissing()
    {
        var dir = TestData.TempDir();
        var run = CliRun.Of("export", "-m", Gp2, "--name", "GP2", "-f", "kim", "-o", dir);
        Assert.Equal(0, run.ExitCode);
        var card = File.ReadAllText(Path.Combine(dir, "MODEL.md"));
        Assert.Contains("No setfl table:", card);
        Assert.Contains("kim init PoetSharp_GP2_Cu metal", card);
    }

    [Fact]
    public void SeveralEmbeddingsGiveHybridOverlayCommands()
    {
        var dir = TestData.TempDir();
        var run = CliRun.Of("export", "-m", "sum(r^-9) - sum(r^-6)^0.5 + sum(0.33^r)^-1", "--name", "two", "-f", "setfl", "-o", dir);
        Assert.Equal(0, run.ExitCode);
        var card = File.ReadAllText(Path.Combine(dir, "MODEL.md"));
        Assert.Contains("pair_style hybrid/overlay eam/alloy eam/alloy\npair_coeff * * eam/alloy 1 two_Cu_1.eam.alloy Cu\npair_coeff * * eam/alloy 2 two_Cu_2.eam.alloy Cu\n", card);
    }

    [Theory]
    [InlineData("unknown export format 'lammps'", "-f", "lammps")]
    [InlineData("--install applies to --format kim", "-f", "setfl", "--install")]
    [InlineData("--element applies to expressions only", "-f", "kim", "-e", "Ag")]
    public void MistakesAreOneLineErrors(string message, params string[] args)
    {
        var dir = TestData.TempDir();
        var model = message.Contains("--element") ? WriteModelFile(dir) : Gp1;
        var run = CliRun.Of(["export", "-m", model, "-o", dir, .. args]);
        run.AssertOneLineError(1);
        Assert.Contains(message, run.Stderr);
    }

    private static string WriteModelFile(string dir)
    {
        var file = Path.Combine(dir, "m.json");
        ModelFile.Write(file, new Model("m", ExpressionParser.ParseModel(Gp1), 5, Taper.Copper, ["Cu"]));
        return file;
    }
}
