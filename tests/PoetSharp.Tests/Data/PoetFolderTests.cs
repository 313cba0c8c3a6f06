using System.Globalization;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Data;

public class PoetFolderTests
{
    private static readonly Lazy<Dataset> DftCu = new(() => PoetFolder.Read(TestData.Repo("poet", "DFT_Cu")));

    private static Structure Find(Dataset d, string name) => d.Structures.Single(s => s.Name == name);

    [Fact]
    public void DftCuReadsAllGroups()
    {
        var d = DftCu.Value;
        Assert.Equal(163, d.Count);
        Assert.Equal(new[] { "NPT_FCC_1400K", "NVT_FCC_1400K", "NVT_FCC_300K", "lowIndexSurfaces" }, d.Groups);
        Assert.Equal(new[] { 50, 50, 50, 13 }, d.SummarizeGroups().Select(g => g.Structures));
        Assert.All(d.Structures, s =>
        {
            Assert.NotNull(s.Energy);
            Assert.NotNull(s.Forces);
            Assert.NotNull(s.Stress);
            Assert.Equal(s.Count, s.Forces!.Length);
            Assert.All(s.Species, sp => Assert.Equal("Cu", sp));
            Assert.StartsWith(s.Group + "/", s.Name);
        });
        Assert.Equal(150 * 32 + 251, d.Summarize().Atoms);
        Assert.Contains(d.Notes, n => n.Contains("skipped 0K/"));
        Assert.Contains(d.Notes, n => n.Contains("NVT_FCC_300K") && n.Contains("Cartesian coordinates"));
    }

    [Fact]
    public void DftCuSpotValues()
    {
        var d = DftCu.Value;

        var first = d[0];
        Assert.Equal("NPT_FCC_1400K/1", first.Name);
        Assert.Equal(-110.07886723, first.Energy);
        // Comma-separated F_coord row 1: 7.21521,7.22172,0.55889,-0.345893,0.367751,-0.564085
        Assert.Equal(new Vec3(-0.345893, 0.367751, -0.564085), first.Forces![0]);
        // F_Cell row 1: XX YY ZZ XY YZ ZX = 53.68290 70.94125 42.91274 17.15096 -6.94552 -2.71512 (kbar, −σ)
        const double k = Units.KbarPerEvPerA3;
        var sigma = first.Stress!.Value;
        Assert.Equal(-53.68290 / k, sigma.Xx, 1e-15);
        Assert.Equal(-70.94125 / k, sigma.Yy, 1e-15);
        Assert.Equal(-42.91274 / k, sigma.Zz, 1e-15);
        Assert.Equal(-17.15096 / k, sigma.Xy, 1e-15);
        Assert.Equal(6.94552 / k, sigma.Yz, 1e-15);
        Assert.Equal(2.71512 / k, sigma.Xz, 1e-15);

        var nvt = Find(d, "NVT_FCC_300K/1");
        Assert.Equal(-119.26219814, nvt.Energy);
        Assert.Equal(new Vec3(0.99194260 * 7.31303, 0.01202750 * 7.31303, 0.00607265 * 7.31303), nvt.Positions[0]);
        Assert.Equal(new Vec3(0.127296, -0.488671, -0.253286), nvt.Forces![0]);
        Assert.Equal(7.31303 * 7.31303 * 7.31303, nvt.Cell.Volume, 1e-9);

        Assert.Equal(-111.56247474, Find(d, "NVT_FCC_1400K/50").Energy);

        // The surfaces' E0.data and F_coord.data have no final newline.
        var last = d[^1];
        Assert.Equal("lowIndexSurfaces/13", last.Name);
        Assert.Equal(36, last.Count);
        Assert.Equal(-129.4953143, last.Energy);
        Assert.Equal(new Vec3(-0.000000, -0.002856, 0.004543), last.Forces![^1]);
        Assert.Equal(-11.52537 / -k, last.Stress!.Value.Xx, 1e-15);
    }

    [Fact]
    public void SinglePoetFolderIsOneGroup()
    {
        var path = TestData.Repo("poet", "DFT_Cu", "NPT_FCC_1400K");
        foreach (var p in new[] { path, path + Path.DirectorySeparatorChar })
        {
            var d = PoetFolder.Read(p);
            Assert.Equal(50, d.Count);
            Assert.Equal(new[] { "NPT_FCC_1400K" }, d.Groups);
            Assert.Equal("NPT_FCC_1400K/50", d[49].Name);
            // Row 2 of the comma-separated F_coord: 4.23730,7.45339,0.76052,-0.194759,-0.868390,0.711785
            Assert.Equal(new Vec3(-0.194759, -0.868390, 0.711785), d[0].Forces![1]);
        }
    }

    [Fact]
    public void IsPoetFolder()
    {
        Assert.True(PoetFolder.IsPoetFolder(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_300K")));
        Assert.True(PoetFolder.IsPoetFolder(TestData.Repo("poet", "LJ_Ar", "liquidNPT100K")));
        Assert.False(PoetFolder.IsPoetFolder(TestData.Repo("poet", "DFT_Cu")));
        Assert.False(PoetFolder.IsPoetFolder(TestData.Repo("poet", "DFT_Cu", "0K")));
        Assert.False(PoetFolder.IsPoetFolder(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_300K", "E0.data")));
        Assert.False(PoetFolder.IsPoetFolder(Path.Combine(TestData.TempDir(), "absent")));
    }

    [Fact]
    public void EamCuReadsWithFractionalCoordinatesAndAtomEnergies()
    {
        var d = PoetFolder.Read(TestData.Repo("poet", "EAM_Cu"));
        Assert.Equal(new[] { "NVT_FCC_1600K", "NVT_FCC_20kK", "NVT_FCC_300K", "NVT_FCC_3800K" }, d.Groups);
        Assert.All(d.SummarizeGroups(), g => Assert.Equal(100, g.Structures));
        Assert.All(d.Structures, s =>
        {
            Assert.Equal(32, s.Count);
            Assert.NotNull(s.Energy);
            Assert.NotNull(s.Forces);
            Assert.Null(s.Stress);
        });
        Assert.Contains(d.Notes, n => n.StartsWith("NVT_FCC_300K:") && n.Contains("fractional coordinates"));
        Assert.Contains(d.Notes, n => n.StartsWith("NVT_FCC_300K:") && n.Contains("F.data agrees"));
        Assert.Contains(d.Notes, n => n.StartsWith("NVT_FCC_1600K:") && n.Contains("forces F.data"));

        // Column 7 of F_coord (per-atom energies) sums to E0 for structure 1: a check that rows and structures line up.
        var folder = TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K");
        var atomEnergies = File.ReadLines(Path.Combine(folder, "F_coord.data")).Take(32)
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[6], CultureInfo.InvariantCulture));
        var s1 = Find(d, "NVT_FCC_300K/1");
        Assert.Equal(-102.131296819064, s1.Energy);
        Assert.Equal(s1.Energy!.Value, atomEnergies.Sum(), 1e-9);
        Assert.Equal(new Vec3(-0.198849769074163, 0.558070225007541, -0.346856557344473), s1.Forces![0]);
        Assert.Equal(new Vec3(-0.00834223645536034, 0.241018751891782, 0.261254674850381) * 7.2138770667614, s1.Positions[0]);
    }

    [Fact]
    public void LjArReadsWithForceComponentFile()
    {
        var d = PoetFolder.Read(TestData.Repo("poet", "LJ_Ar"));
        Assert.Equal(75, d.Count);
        Assert.Equal(new[] { "FCC", "NVT20kK", "liquid", "liquidNPT100K", "liquidNVT100K" }, d.Groups);
        Assert.All(d.SummarizeGroups(), g => Assert.Equal(15, g.Structures));
        Assert.All(d.Structures, s =>
        {
            Assert.All(s.Species, sp => Assert.Equal("Ar", sp));
            Assert.NotNull(s.Forces);
            Assert.NotNull(s.Stress);
        });
        var fcc1 = Find(d, "FCC/1");
        Assert.Equal(-2.38398208778017, fcc1.Energy);
        Assert.Equal(new Vec3(0.0909054299447097, 0.0575223468485132, -0.135671615429574), fcc1.Forces![0]);
        Assert.Equal(0.12771807772069121 / Units.KbarPerEvPerA3, fcc1.Stress!.Value.Xx, 1e-18);
        // liquidNPT100K also holds a 0.vasp that no E0 line belongs to.
        Assert.Contains(d.Notes, n => n.StartsWith("liquidNPT100K:") && n.Contains("ignored 0.vasp"));
    }

    [Fact]
    public void MissingOrNonPoetPathsAreDataFormatErrors()
    {
        var absent = Path.Combine(TestData.TempDir(), "absent");
        var e = Assert.Throws<DataFormatException>(() => PoetFolder.Read(absent));
        Assert.Contains("no such folder", e.Message);

        var e0K = Assert.Throws<DataFormatException>(() => PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "0K")));
        Assert.Contains("not a POET data folder", e0K.Message);
        Assert.Throws<DataFormatException>(() => PoetFolder.Read(TestData.TempDir()));
        Assert.Throws<DataFormatException>(() => PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_300K", "E0.data")));
    }

    /// <summary>A copy of a shipped POET folder under a fresh temporary folder (same folder name).</summary>
    private static string CopyOf(params string[] parts)
    {
        var source = TestData.Repo(["poet", .. parts]);
        var target = Path.Combine(TestData.TempDir(), Path.GetFileName(source));
        Directory.CreateDirectory(target);
        foreach (var f in Directory.GetFiles(source)) File.Copy(f, Path.Combine(target, Path.GetFileName(f)));
        return target;
    }

    private static void EditLines(string path, Func<List<string>, List<string>> edit) =>
        File.WriteAllLines(path, edit(File.ReadAllLines(path).ToList()));

    private static string ShiftFirstColumn(string line, double delta)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        f[0] = (double.Parse(f[0], CultureInfo.InvariantCulture) + delta).ToString("R", CultureInfo.InvariantCulture);
        return string.Join(" ", f);
    }

    private static DataFormatException BrokenRead(string folder, string file, int? line, string reasonPart)
    {
        var e = Assert.Throws<DataFormatException>(() => PoetFolder.Read(folder));
        Assert.Equal(Path.Combine(folder, file), e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Contains(reasonPart, e.Reason);
        Assert.Contains(file + (line is int l ? $":{l}:" : ":"), e.Message);
        return e;
    }

    [Fact]
    public void CopiedFolderReads()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        Assert.Equal(50, PoetFolder.Read(folder).Count);
    }

    [Fact]
    public void TruncatedForceCoordFile()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        EditLines(Path.Combine(folder, "F_coord.data"), l => l.Take(1595).ToList());
        BrokenRead(folder, "F_coord.data", 1596, "ends after 1595 rows");
    }

    [Fact]
    public void NaNEnergy()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        EditLines(Path.Combine(folder, "E0.data"), l => { l[6] = "  NaN"; return l; });
        BrokenRead(folder, "E0.data", 7, "not a finite number");
    }

    [Fact]
    public void NonNumericStressField()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        EditLines(Path.Combine(folder, "F_Cell.data"), l => { l[2] = l[2].Replace("2.37908", "2.3x908"); return l; });
        BrokenRead(folder, "F_Cell.data", 3, "'2.3x908' (column 2)");
    }

    [Fact]
    public void MissingStructureInSequence()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        File.Delete(Path.Combine(folder, "3.vasp"));
        BrokenRead(folder, "3.vasp", null, "missing");
    }

    [Fact]
    public void ExtraEnergyLine()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        EditLines(Path.Combine(folder, "E0.data"), l => [.. l, "  -119.0"]);
        BrokenRead(folder, "E0.data", 51, "extra row");
    }

    [Fact]
    public void TooFewEnergyLines()
    {
        var folder = CopyOf("DFT_Cu", "lowIndexSurfaces");
        EditLines(Path.Combine(folder, "E0.data"), l => l.Take(12).ToList());
        BrokenRead(folder, "E0.data", 13, "expected 13");
    }

    [Fact]
    public void BlankLineInsideEnergies()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        EditLines(Path.Combine(folder, "E0.data"), l => { l.Insert(4, ""); return l; });
        BrokenRead(folder, "E0.data", 5, "empty line");
    }

    [Fact]
    public void CoordinatesThatDoNotMatchThePoscar()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        // Line 40 is atom 8 of structure 2; moving it by 0.5 Å breaks the Cartesian match there only.
        EditLines(Path.Combine(folder, "F_coord.data"), l => { l[39] = ShiftFirstColumn(l[39], 0.5); return l; });
        var e = BrokenRead(folder, "F_coord.data", 40, "do not match atom 8 of NVT_FCC_300K/2");
        Assert.Contains("neither as Cartesian nor as fractional", e.Reason);
    }

    [Fact]
    public void FractionalCoordinatesThatDoNotMatch()
    {
        var folder = CopyOf("EAM_Cu", "NVT_FCC_300K");
        // Line 70 is atom 6 of structure 3; the EAM file's coordinates are fractional.
        EditLines(Path.Combine(folder, "F_coord.data"), l => { l[69] = ShiftFirstColumn(l[69], 0.3); return l; });
        BrokenRead(folder, "F_coord.data", 70, "atom 6 of NVT_FCC_300K/3");
    }

    [Fact]
    public void WrongColumnCount()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        EditLines(Path.Combine(folder, "F_coord.data"), l => { l[9] = string.Join(" ", l[9].Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(5)); return l; });
        BrokenRead(folder, "F_coord.data", 10, "5 columns");
    }

    [Fact]
    public void ForceComponentFileWithExtraRow()
    {
        var folder = CopyOf("LJ_Ar", "FCC");
        EditLines(Path.Combine(folder, "F.data"), l => [.. l, "0.1"]);
        BrokenRead(folder, "F.data", 1441, "extra row");
    }

    [Fact]
    public void ForceComponentFileDisagreeingWithForceCoordFile()
    {
        var folder = CopyOf("EAM_Cu", "NVT_FCC_300K");
        EditLines(Path.Combine(folder, "F.data"), l => { l[100] = "1.5"; return l; });
        BrokenRead(folder, "F.data", 101, "disagrees with F_coord.data");
    }

    [Fact]
    public void StressFileShort()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        EditLines(Path.Combine(folder, "F_Cell.data"), l => l.Take(49).ToList());
        BrokenRead(folder, "F_Cell.data", 50, "expected 50");
    }

    [Fact]
    public void BrokenPoscarInsideFolder()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        EditLines(Path.Combine(folder, "5.vasp"), l => l.Take(20).ToList());
        BrokenRead(folder, "5.vasp", 21, "atom 13 of 32");
    }

    [Fact]
    public void BrokenSubfolderFailsTheWholeRead()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        File.Delete(Path.Combine(folder, "F_Cell.data"));
        EditLines(Path.Combine(folder, "E0.data"), l => { l[0] = "-119.2 extra"; return l; });
        var parent = Path.GetDirectoryName(folder)!;
        var e = Assert.Throws<DataFormatException>(() => PoetFolder.Read(parent));
        Assert.Equal(Path.Combine(folder, "E0.data"), e.FilePath);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void FolderWithoutOptionalFilesHasEnergiesOnly()
    {
        var folder = CopyOf("DFT_Cu", "NVT_FCC_300K");
        File.Delete(Path.Combine(folder, "F_coord.data"));
        File.Delete(Path.Combine(folder, "F_Cell.data"));
        var d = PoetFolder.Read(folder);
        Assert.All(d.Structures, s => { Assert.NotNull(s.Energy); Assert.Null(s.Forces); Assert.Null(s.Stress); });
    }
}
