using System.Diagnostics;
using System.Globalization;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Data;

public class PoscarTests
{
    private static void AssertClose(Vec3 expected, Vec3 actual, double tol)
    {
        Assert.True((expected - actual).Length <= tol, $"expected {expected}, got {actual} (tolerance {tol})");
    }

    [Fact]
    public void EveryShippedVaspFileReads()
    {
        var files = Directory.GetFiles(TestData.Repo("poet"), "*.vasp", SearchOption.AllDirectories);
        Assert.True(files.Length >= 650, $"only {files.Length} .vasp files found");
        foreach (var f in files)
        {
            var s = Poscar.Read(f);
            Assert.Equal(Path.GetFileName(f), s.Name);
            Assert.True(s.Count > 0);
            Assert.True(s.Cell.FullyPeriodic);
            Assert.True(s.Cell.Volume > 10);
            Assert.All(s.Species, sp => Assert.Contains(sp, new[] { "Cu", "Ar" }));
            Assert.All(s.Positions, p => Assert.True(p.IsFinite));
        }
    }

    [Fact]
    public void HcpTriclinicCell()
    {
        var s = Poscar.Read(TestData.Repo("poet", "DFT_Cu", "0K", "HCP.vasp"));
        Assert.Equal(4, s.Count);
        Assert.Equal(new Vec3(1.2773989054063060, -2.2293897841519543, -0.0), s.Cell.A);
        Assert.Equal(new Vec3(0, 0, 8.4107850257231824), s.Cell.C);
        var expected = 0.3315638019740939 * s.Cell.A + 0.6684361980258989 * s.Cell.B + 0.25 * s.Cell.C;
        AssertClose(expected, s.Positions[1], 1e-14);
    }

    [Fact]
    public void ContcarWithVelocityBlockReads()
    {
        // The surface slabs are CONTCARs: a blank line and a block of velocities follow the positions.
        var s = Poscar.Read(TestData.Repo("poet", "DFT_Cu", "lowIndexSurfaces", "1.vasp"));
        Assert.Equal(8, s.Count);
        Assert.Equal(25.4168027899999984 * 0.9995104348877395, s.Positions[0].Z, 1e-12);
        Assert.Equal(1.2837424, s.Positions[1].X, 1e-12);
    }

    private const string Header = "test\n";

    [Fact]
    public void NegativeScaleIsTargetVolume()
    {
        var s = Poscar.Parse(Header + "-64\n1 0 0\n0 2 0\n0 0 4\nCu\n1\nCartesian\n0.5 0.5 0.5\n", "neg.vasp");
        Assert.Equal(64, s.Cell.Volume, 1e-10);
        // Raw volume 8, so the lengths scale by 2; Cartesian positions too.
        AssertClose(new Vec3(2, 4, 8), new Vec3(s.Cell.A.X, s.Cell.B.Y, s.Cell.C.Z), 1e-12);
        AssertClose(new Vec3(1, 1, 1), s.Positions[0], 1e-12);
    }

    [Fact]
    public void ThreeScaleFactorsActPerAxis()
    {
        var s = Poscar.Parse(Header + "2 3 4\n1 0 0\n0 1 0\n1 1 1\nCu\n2\nCartesian\n1 1 1\n0.5 0 -1\n", "axes.vasp");
        Assert.Equal(new Vec3(2, 3, 4), s.Cell.C);
        Assert.Equal(new Vec3(0, 3, 0), s.Cell.B);
        AssertClose(new Vec3(2, 3, 4), s.Positions[0], 1e-14);
        AssertClose(new Vec3(1, 0, -4), s.Positions[1], 1e-14);
    }

    [Theory]
    [InlineData("Cartesian")]
    [InlineData("cart")]
    [InlineData("K")]
    [InlineData("k")]
    public void CartesianModeIsScaled(string mode)
    {
        var s = Poscar.Parse(Header + "2.0\n3 0 0\n0 3 0\n0 0 3\nCu\n1\n" + mode + "\n1.5 0.25 -0.5\n", "c.vasp");
        AssertClose(new Vec3(6, 0, 0), s.Cell.A, 1e-15);
        AssertClose(new Vec3(3, 0.5, -1), s.Positions[0], 1e-15);
    }

    [Fact]
    public void DirectModeLowerCase()
    {
        var s = Poscar.Parse(Header + "2.0\n3 0 0\n0 3 0\n0 0 3\nCu\n1\ndirect\n0.5 0.25 0\n", "d.vasp");
        AssertClose(new Vec3(3, 1.5, 0), s.Positions[0], 1e-15);
    }

    [Fact]
    public void SelectiveDynamicsAndExtraColumns()
    {
        const string text = "#Converted-from-LAMMPS\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu Ni\n1 2\nSelective dynamics\nDirect\n" +
                            "0 0 0 T T T Cu\n0.5 0.5 0 F F T Ni\n0.5 0 0.5 F F F ! Ni\n";
        var s = Poscar.Parse(text, "/some/dir/CONTCAR");
        Assert.Equal("CONTCAR", s.Name);
        Assert.Equal(new[] { "Cu", "Ni", "Ni" }, s.Species);
        AssertClose(new Vec3(2, 0, 2), s.Positions[2], 1e-15);

        var lower = Poscar.Parse(text.Replace("Selective dynamics", "s"), "x");
        Assert.Equal(s.Positions, lower.Positions);
    }

    [Fact]
    public void PotcarStyleSymbolsAndFortranExponents()
    {
        var s = Poscar.Parse(Header + "1.0D0\n4 0 0\n0 4 0\n0 0 4\nCu_pv Ni/7f3a\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n", "p.vasp");
        Assert.Equal(new[] { "Cu", "Ni" }, s.Species);
        Assert.Equal(4, s.Cell.A.X);
    }

    [Fact]
    public void CrLfLineEnds()
    {
        var s = Poscar.Parse("c\r\n1.0\r\n4 0 0\r\n0 4 0\r\n0 0 4\r\nAr\r\n1\r\nDirect\r\n0.5 0.5 0.5\r\n", "w.vasp");
        AssertClose(new Vec3(2, 2, 2), s.Positions[0], 0);
    }

    private static Structure MixedTriclinic()
    {
        var s = Builders.RandomTriclinic(7, 6.3, seed: 11);
        var species = new[] { "Cu", "Cu", "Ni", "Ni", "Ni", "Cu", "Al" };
        return new Structure(s.Cell, s.Positions, species, "mixed triclinic");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WriteReadRoundTrip(bool direct)
    {
        var s = MixedTriclinic();
        var back = Poscar.Parse(Poscar.Format(s, direct), "round.vasp");
        Assert.Equal(s.Species, back.Species);
        for (var k = 0; k < 3; k++) Assert.Equal(s.Cell[k], back.Cell[k]); // exact: shortest round-trip numbers
        for (var i = 0; i < s.Count; i++) AssertClose(s.Positions[i], back.Positions[i], 1e-12 * 6.3);
        if (!direct) Assert.Equal(s.Positions, back.Positions);
    }

    [Fact]
    public void WriterKeepsSpeciesRunsAndComment()
    {
        var text = Poscar.Format(MixedTriclinic());
        var lines = text.Split('\n');
        Assert.Equal("mixed triclinic", lines[0]);
        Assert.Equal("1.0", lines[1]);
        Assert.Equal(new[] { "Cu", "Ni", "Cu", "Al" }, lines[5].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(new[] { "2", "3", "1", "1" }, lines[6].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("Direct", lines[7]);

        var unnamed = new Structure(Cell.Orthorhombic(3, 3, 3), [Vec3.Zero, new(1, 1, 1)], ["Ar", "Ar"]);
        Assert.StartsWith("Ar2\n", Poscar.Format(unnamed));
    }

    [Fact]
    public void WriteAndReadFileNamesStructureAfterFile()
    {
        var path = Path.Combine(TestData.TempDir(), "POSCAR_out");
        Poscar.Write(path, MixedTriclinic(), direct: false);
        var s = Poscar.Read(path);
        Assert.Equal("POSCAR_out", s.Name);
        Assert.Contains("Cartesian", File.ReadAllText(path));
    }

    [Fact]
    public void WriterRejectsDegenerateCell()
    {
        var s = new Structure(new Cell(new(10, 0, 0), Vec3.Zero, Vec3.Zero, true, false, false), [Vec3.Zero], ["Cu"]);
        Assert.Throws<ArgumentException>(() => Poscar.Format(s));
    }

    private const string Good = "c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu Ni\n1 2\nDirect\n0 0 0\n0.5 0.5 0\n0.5 0 0.5\n";

    [Theory]
    [InlineData("", 1, "end of file")]
    [InlineData("c\n", 2, "scale")]
    [InlineData("c\nabc\n", 2, "scale")]
    [InlineData("c\n0\n", 2, "scale factor 0")]
    [InlineData("c\n1 2 -3\n", 2, "positive")]
    [InlineData("c\n1.0\n4 0 0\n0 4\n", 4, "three numbers")]
    [InlineData("c\n1.0\n4 0 0\n0 4 x\n", 4, "'x'")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\n1 2\n", 6, "VASP 4")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu Xx\n1 2\n", 6, "unknown element 'Xx'")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu Ni\n3\nDirect\n", 7, "1 atom count(s) for 2 element(s)")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu Ni\n1 2 3\nDirect\n", 7, "3 atom count(s) for 2")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu Ni\n1 -2\nDirect\n", 7, "negative")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu Ni\nx y\nDirect\n", 7, "atom counts")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu\n1\n0 0 0\n", 8, "'Direct' or 'Cartesian'")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu\n1\nSelective\n0 0 0\n", 9, "'Direct' or 'Cartesian'")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu Ni\n1 2\nDirect\n0 0 0\n0.5 0.5 0\n", 11, "atom 3 of 3")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu Ni\n1 2\nDirect\n0 0 0\n\n0.5 0 0.5\n", 10, "empty line")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu Ni\n1 2\nDirect\n0 0 0\n0.5 NaN 0\n0.5 0 0.5\n", 10, "'NaN'")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu Ni\n1 2\nDirect\n0 0 0\n0.5 0.5 Infinity\n0.5 0 0.5\n", 10, "not a finite number")]
    [InlineData("c\n1.0\n4 0 0\n0 4 0\n0 0 4\nCu Ni\n1 2\nDirect\n0 0 0\n0.5 0.5 T\n0.5 0 0.5\n", 10, "'T'")]
    [InlineData("c\n1.0\n4 0 0\n8 0 0\n0 0 4\nCu Ni\n1 2\nDirect\n0 0 0\n0.5 0.5 0\n0.5 0 0.5\n", 3, "singular lattice")]
    [InlineData("c\n-10\n4 0 0\n8 0 0\n0 0 4\nCu Ni\n1 2\nDirect\n0 0 0\n0.5 0.5 0\n0.5 0 0.5\n", 3, "singular lattice")]
    public void BadInputNamesFileAndLine(string text, int line, string reasonPart)
    {
        var e = Assert.Throws<DataFormatException>(() => Poscar.Parse(text, "bad.vasp"));
        Assert.Equal("bad.vasp", e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Contains(reasonPart, e.Reason);
        Assert.StartsWith($"bad.vasp:{line}: ", e.Message);
    }

    [Fact]
    public void GoodTextOfTheBadInputTestsReads()
    {
        Assert.Equal(3, Poscar.Parse(Good, "good.vasp").Count);
    }

    [Fact]
    public void MissingFileIsDataFormatError()
    {
        var path = Path.Combine(TestData.TempDir(), "nothing.vasp");
        var e = Assert.Throws<DataFormatException>(() => Poscar.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("no such file", e.Message);
        Assert.Throws<DataFormatException>(() => Poscar.Read(TestData.TempDir()));
    }

    [NeedsTheory(External.Ase)]
    [InlineData(true)]
    [InlineData(false)]
    public void AseReadsWhatWeWrite(bool direct)
    {
        const string python = "/usr/bin/python3";
        // ASE is the independent reference; .ci/run installs it (Debian's python3-ase).
        Assert.True(File.Exists(python) && Run(python, "-c", "import ase").ExitCode == 0, "ASE is not installed: apt-get install -y python3-ase");

        var s = MixedTriclinic();
        var path = Path.Combine(TestData.TempDir(), "ase_check.vasp");
        Poscar.Write(path, s, direct);
        const string script = "import sys, ase.io; a = ase.io.read(sys.argv[1], format='vasp'); " +
                              "print(' '.join(a.get_chemical_symbols())); " +
                              "[print(' '.join(repr(float(x)) for x in v)) for v in a.cell]; " +
                              "[print(' '.join(repr(float(x)) for x in p)) for p in a.positions]; print(all(a.pbc))";
        var (code, output, error) = Run(python, "-c", script, path);
        Assert.True(code == 0, "ASE failed: " + error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(s.Species, lines[0].Split(' '));
        Vec3 Parse(string line)
        {
            var v = line.Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            return new Vec3(v[0], v[1], v[2]);
        }
        for (var k = 0; k < 3; k++) Assert.Equal(s.Cell[k], Parse(lines[1 + k]));
        for (var i = 0; i < s.Count; i++) AssertClose(s.Positions[i], Parse(lines[4 + i]), 1e-12);
        Assert.Equal("True", lines[4 + s.Count].Trim());
    }

    private static (int ExitCode, string Output, string Error) Run(string exe, params string[] arguments)
    {
        var info = new ProcessStartInfo(exe, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }
}
