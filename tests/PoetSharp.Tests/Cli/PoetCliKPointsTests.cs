using System.Globalization;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Tests.KPoints;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

public class PoetCliKPointsTests
{
    private static string Poscar(string crystal)
    {
        var path = Path.Combine(TestData.TempDir(), "POSCAR");
        DataFiles.Write(path, new Dataset([KPointTests.Crystal(crystal)], path));
        return path;
    }

    [NeedsFact(External.SpglibLibrary)]
    public void PrintsTheGridBesideMonkhorstPackInEachFormat()
    {
        var path = Poscar("fcc");
        var qe = CliRun.Of("kpoints", path, "--min-distance", "10", "--format", "qe");
        Assert.Equal(0, qe.ExitCode);
        Assert.Contains("space group Fm-3m (225), point group m-3m (48 operations)", qe.Stdout);
        Assert.Contains("Monkhorst–Pack 4×4×4", qe.Stdout);
        Assert.Contains("exhaustive", qe.Stdout);
        Assert.Contains("K_POINTS crystal\n", qe.Stdout);
        // The QE card: a count, then that many lines of three coordinates and an integer weight summing to the grid size.
        var lines = qe.Stdout[qe.Stdout.IndexOf("K_POINTS crystal", StringComparison.Ordinal)..].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var count = int.Parse(lines[1].Trim(), CultureInfo.InvariantCulture);
        var weights = lines.Skip(2).Take(count).Select(l => int.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(count, weights.Count);
        Assert.Contains($"│ generalized          │ {weights.Sum(),8} │ {count,11} │", qe.Stdout);

        var vasp = CliRun.Of("kpoints", path, "-r", "10", "--format", "vasp", "--gamma");
        Assert.Equal(0, vasp.ExitCode);
        var v = vasp.Stdout[vasp.Stdout.IndexOf("Generalized regular grid", StringComparison.Ordinal)..].Split('\n');
        Assert.Equal("0", v[1]);
        Assert.Equal("Reciprocal", v[2]);
        Assert.Equal("  0.0000000000 0.0000000000 0.0000000000", v[6]);

        var list = CliRun.Of("kpoints", path, "-r", "10");
        var rows = list.Stdout[list.Stdout.IndexOf("# ", StringComparison.Ordinal)..].Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => double.Parse(l.Split(' ')[3], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(1.0, rows.Sum(), 12);
    }

    [NeedsFact(External.SpglibLibrary)]
    public void DensityGivesAtLeastThatManyPointsPerAtom()
    {
        var path = Poscar("rocksalt"); // 8 atoms
        var run = CliRun.Of("kpoints", path, "--kppra", "1000");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("(from --kppra 1000: at least 125 points for 8 atoms)", run.Stdout);
        var row = run.Stdout.Split('\n').Single(l => l.StartsWith("│ generalized", StringComparison.Ordinal)).Split('│', StringSplitOptions.TrimEntries);
        Assert.True(int.Parse(row[2], CultureInfo.InvariantCulture) * 8 >= 1000, row[2]);
        CliRun.Of("kpoints", path, "--kppra", "1000", "-r", "20").AssertOneLineError(2);
        CliRun.Of("kpoints", path, "--kppra", "-5").AssertOneLineError(1);
    }

    [NeedsFact(External.SpglibLibrary)]
    public void WritesTheGridToAFile()
    {
        var path = Poscar("hcp");
        var outFile = Path.Combine(TestData.TempDir(), "KPOINTS");
        var run = CliRun.Of("kpoints", path, "-r", "20", "--format", "vasp", "--out", outFile);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"wrote {outFile}", run.Stdout);
        Assert.StartsWith("Generalized regular grid, r_min 20 A", File.ReadAllText(outFile));
        Assert.DoesNotContain("Reciprocal", run.Stdout);
    }

    [Fact]
    public void BadInputIsOneLineError()
    {
        CliRun.Of("kpoints", "/nonexistent/POSCAR", "-r", "20").AssertOneLineError(1);
        var path = Path.Combine(TestData.TempDir(), "POSCAR");
        File.WriteAllText(path, "x\n1.0\n1 0 0\n0 1 0\n");
        var truncated = CliRun.Of("kpoints", path, "-r", "20");
        truncated.AssertOneLineError(1);
        Assert.Contains(path, truncated.Stderr);
        CliRun.Of("kpoints", path, "-r", "-3").AssertOneLineError(1);
        CliRun.Of("kpoints", path, "-r", "20", "--format", "abinit").AssertOneLineError(2);
        CliRun.Of("kpoints", path).AssertOneLineError(2);
    }

    [NeedsFact(External.SpglibLibrary)]
    public void AtomsOnTopOfEachOtherAreOneLineError()
    {
        var path = Path.Combine(TestData.TempDir(), "POSCAR");
        DataFiles.Write(path, new Dataset([new Structure(Cell.Orthorhombic(3, 3, 3), [Vec3.Zero, Vec3.Zero], ["Cu", "Cu"])], path));
        var run = CliRun.Of("kpoints", path, "-r", "20");
        run.AssertOneLineError(1);
        Assert.Contains("spglib found no space group", run.Stderr);
    }
}
