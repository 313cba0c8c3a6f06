using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Data;

public class DeepmdSystemTests
{
    private static readonly string[] LgpsMap = ["Li", "Ge", "P", "S"];

    // ---------------------------------------------------------------- helpers

    /// <summary>Writes a .npy file (format 1.0 unless <paramref name="major"/>), little-endian unless the dtype says otherwise.</summary>
    internal static void WriteNpy(string path, double[] values, int[] shape, string descr = "<f8", bool fortran = false, int major = 1, string? header = null)
    {
        var shapeText = "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + (shape.Length == 1 ? ",)" : ")");
        header ??= $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shapeText}, }}";
        var prefix = major == 1 ? 10 : 12;
        var pad = 64 - (prefix + header.Length + 1) % 64;
        header = header + new string(' ', pad % 64) + "\n";
        using var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        var h = Encoding.ASCII.GetBytes(header);
        Span<byte> len = stackalloc byte[4];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)h.Length);
            ms.Write(len[..2]);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)h.Length);
            ms.Write(len);
        }
        ms.Write(h);
        Span<byte> buf = stackalloc byte[8];
        foreach (var v in values)
        {
            switch (descr)
            {
                case "<f4": BinaryPrimitives.WriteSingleLittleEndian(buf, (float)v); ms.Write(buf[..4]); break;
                case ">f8": BinaryPrimitives.WriteDoubleBigEndian(buf, v); ms.Write(buf); break;
                case "<i4": BinaryPrimitives.WriteInt32LittleEndian(buf, (int)v); ms.Write(buf[..4]); break;
                case "<i8": BinaryPrimitives.WriteInt64LittleEndian(buf, (long)v); ms.Write(buf); break;
                default: BinaryPrimitives.WriteDoubleLittleEndian(buf, v); ms.Write(buf); break;
            }
        }
        File.WriteAllBytes(path, ms.ToArray());
    }

    private const double L = 4.0;

    /// <summary>A 2-atom system (Li at the origin, S at the centre) with two frames in set.000; npy float64 unless raw.</summary>
    private static string MakeSystem(string? root = null, string name = "sys", bool raw = false, bool typeMap = true, bool virial = true)
    {
        root ??= TestData.TempDir();
        var dir = Path.Combine(root, name);
        var set = Path.Combine(dir, "set.000");
        Directory.CreateDirectory(set);
        File.WriteAllText(Path.Combine(dir, "type.raw"), "0\n1\n");
        if (typeMap) File.WriteAllText(Path.Combine(dir, "type_map.raw"), "Li\nS\n");
        double[] box = [L, 0, 0, 0, L, 0, 0, 0, L, L + 0.1, 0, 0, 0, L, 0, 0, 0, L];
        double[] coord = [0, 0, 0, 2, 2, 2, 0.1, 0, 0, 2, 2.1, 2];
        double[] energy = [-3.5, -3.25];
        double[] force = [0.5, 0, 0, -0.5, 0, 0, 0, 0.25, 0, 0, -0.25, 0];
        // virial (eV), XX XY XZ YX YY YZ ZX ZY ZZ: frame 0 symmetric, frame 1 a pure xy shear.
        double[] vir = [6.4, 0, 0, 0, 3.2, 0, 0, 0, -1.6, 0, 1.0, 0, 1.0, 0, 0, 0, 0, 0];
        Write(set, "box", box, 9, raw);
        Write(set, "coord", coord, 6, raw);
        Write(set, "energy", energy, 1, raw);
        Write(set, "force", force, 6, raw);
        if (virial) Write(set, "virial", vir, 9, raw);
        return dir;
    }

    private static void Write(string folder, string name, double[] values, int width, bool raw)
    {
        if (raw)
        {
            var sb = new StringBuilder();
            for (var f = 0; f < values.Length / width; f++)
                sb.AppendLine(string.Join(" ", values.Skip(f * width).Take(width).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
            File.WriteAllText(Path.Combine(folder, name + ".raw"), sb.ToString());
        }
        else WriteNpy(Path.Combine(folder, name + ".npy"), values, width == 1 ? [values.Length] : [values.Length / width, width]);
    }

    private static DataFormatException Fails(string folder, string file, int? line, string fragment, IReadOnlyList<string>? map = null)
    {
        var e = Assert.Throws<DataFormatException>(() => DeepmdSystem.Read(folder, map));
        Assert.Equal(file, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Reason, StringComparison.OrdinalIgnoreCase);
        return e;
    }

    // ---------------------------------------------------------------- reading

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsASystemInNpyAndRawLayouts(bool raw)
    {
        var dir = MakeSystem(raw: raw);
        var data = DeepmdSystem.Read(dir);
        Assert.Equal(2, data.Count);
        var s = data[0];
        Assert.Equal(["Li", "S"], s.Species);
        Assert.Equal("sys/set.000/0", s.Name);
        Assert.Equal("sys", s.Group);
        Assert.True(s.Cell.FullyPeriodic);
        Assert.Equal(new Vec3(L, 0, 0), s.Cell.A);
        Assert.Equal(new Vec3(2, 2, 2), s.Positions[1]);
        Assert.Equal(-3.5, s.Energy);
        Assert.Equal(new Vec3(-0.5, 0, 0), s.Forces![1]);
        // σ = −virial / V with V = 64 Å³.
        var t = s.Stress!.Value;
        Assert.Equal(-0.1, t.Xx, 1e-15);
        Assert.Equal(-0.05, t.Yy, 1e-15);
        Assert.Equal(0.025, t.Zz, 1e-15);
        var shear = data[1].Stress!.Value;
        Assert.Equal(-1.0 / ((L + 0.1) * L * L), shear.Xy, 1e-15);
        Assert.Equal(0, shear.Xx);
        Assert.Equal(new Vec3(L + 0.1, 0, 0), data[1].Cell.A);
        Assert.Contains(data.Notes, n => n.Contains(raw ? "(raw)" : "(npy float64)") && n.Contains("σ = −virial/V"));
    }

    [Fact]
    public void RawFilesAtTheSystemRoot()
    {
        var dir = MakeSystem(raw: true);
        foreach (var f in Directory.GetFiles(Path.Combine(dir, "set.000"))) File.Move(f, Path.Combine(dir, Path.GetFileName(f)));
        Directory.Delete(Path.Combine(dir, "set.000"));
        var data = DeepmdSystem.Read(dir);
        Assert.Equal(2, data.Count);
        Assert.Equal("sys/1", data[1].Name);
        Assert.Equal(-3.25, data[1].Energy);
    }

    [Fact]
    public void Float32AndSeveralSetsAndOptionalVirial()
    {
        var dir = MakeSystem(virial: false);
        var set1 = Path.Combine(dir, "set.001");
        Directory.CreateDirectory(set1);
        WriteNpy(Path.Combine(set1, "box.npy"), [L, 0, 0, 0, L, 0, 0, 0, L], [1, 9], "<f4");
        WriteNpy(Path.Combine(set1, "coord.npy"), [0, 0, 0, 2, 2, 2.2], [1, 6], "<f4");
        WriteNpy(Path.Combine(set1, "energy.npy"), [-3.1], [1], "<f4");
        WriteNpy(Path.Combine(set1, "force.npy"), [0.1, 0, 0, -0.1, 0, 0], [1, 6], "<f4");
        var data = DeepmdSystem.Read(dir);
        Assert.Equal(3, data.Count);
        Assert.Equal("sys/set.001/0", data[2].Name);
        Assert.Equal((double)2.2f, data[2].Positions[1].Z);
        Assert.Equal((double)-3.1f, data[2].Energy);
        Assert.All(data.Structures, s => Assert.Null(s.Stress));
        Assert.Contains(data.Notes, n => n.Contains("npy float32") && n.Contains("npy float64") && n.Contains("no virial"));
    }

    [Fact]
    public void GivenTypeMapReplacesTypeMapRaw()
    {
        var dir = MakeSystem();
        var data = DeepmdSystem.Read(dir, ["Na", "Cl"]);
        Assert.Equal(["Na", "Cl"], data[0].Species);
        Assert.Contains(data.Notes, n => n.Contains("given type map: 0 = Na, 1 = Cl"));
    }

    [Fact]
    public void FolderOfSystemsIsOneDataSetWithOneGroupPerSystem()
    {
        var root = TestData.TempDir();
        MakeSystem(root, "b");
        MakeSystem(Path.Combine(root, "deeper"), "a", raw: true);
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        var data = DataFiles.Read(root);
        Assert.Equal(4, data.Count);
        Assert.Equal(["b", "deeper/a"], data.Groups);
        Assert.Equal("deeper/a/set.000/1", data[3].Name);
        // A single system through DataFiles too.
        Assert.Equal(2, DataFiles.Read(Path.Combine(root, "b")).Count);
    }

    [Fact]
    public void PoetFoldersStillReadThroughDataFiles()
    {
        var root = TestData.TempDir();
        var poet = Path.Combine(root, "bulk");
        Directory.CreateDirectory(poet);
        File.WriteAllText(Path.Combine(poet, "1.vasp"), "Cu\n1.0\n3.6 0 0\n0 3.6 0\n0 0 3.6\nCu\n1\nCartesian\n0 0 0\n");
        File.WriteAllText(Path.Combine(poet, "E0.data"), "-3.7\n");
        var data = DataFiles.Read(root);
        Assert.Single(data.Structures);
        Assert.Equal("bulk", data[0].Group);
        var e = Assert.Throws<DataFormatException>(() => DataFiles.Read(TestData.TempDir()));
        Assert.Contains("DeePMD", e.Reason);
    }

    [Fact]
    public void NpyVersions2And3AndIntegerDtypes()
    {
        var dir = TestData.TempDir();
        var p2 = Path.Combine(dir, "a.npy");
        WriteNpy(p2, [1, 2, 3], [3], "<f8", major: 2);
        Assert.Equal([1.0, 2, 3], NpyFile.Read(p2).Values);
        WriteNpy(p2, [1, -2], [2], "<i4", major: 3);
        Assert.Equal([1.0, -2], NpyFile.Read(p2).Values);
        WriteNpy(p2, [7, 8], [1, 2], "<i8");
        var a = NpyFile.Read(p2);
        Assert.Equal([1, 2], a.Shape);
        Assert.Equal("<i8", a.Dtype);
    }

    // ---------------------------------------------------------------- real data

    [NeedsFact(External.SharedData)]
    public void ReadsTheLgpsData()
    {
        var root = TestData.Shared("lgps");
        var data = DataFiles.Read(root, LgpsMap);
        // Counted with numpy: 17 systems, 3,860 frames, 403,000 atoms.
        Assert.Equal(3860, data.Count);
        Assert.Equal(403000, data.Structures.Sum(s => s.Count));
        Assert.Equal(17, data.Groups.Count);
        Assert.Equal(590, data.Structures.Count(s => s.Group == "LiGePS-init.system"));
        Assert.Equal(150, data.Structures.Count(s => s.Group == "LiGePS-iter.000004-data.004"));
        Assert.All(data.Structures, s => Assert.True(s.Cell.FullyPeriodic));
        Assert.Equal(3860 - 590, data.Structures.Count(s => s.Stress != null));

        var big = data.Structures.First(s => s.Group == "LiGePS-iter.000004-data.004");
        Assert.Equal(400, big.Count);
        Assert.Equal((160, 16, 32, 192), (big.Species.Count(x => x == "Li"), big.Species.Count(x => x == "Ge"),
            big.Species.Count(x => x == "P"), big.Species.Count(x => x == "S")));
        Assert.Equal("Li", big.Species[0]);
        Assert.Equal("S", big.Species[^1]);

        // float64 system (numpy: energy[0], energy[-1], force[0][0]).
        var init = data.Structures.Where(s => s.Group == "LiGePS-init.system").ToList();
        Assert.Equal(-215.4699337, init[0].Energy);
        Assert.Equal(-215.70933925, init[^1].Energy);
        Assert.Equal(0.07344, init[0].Forces![0].X);
        Assert.Null(init[0].Stress);

        // float32 system, frame 7 (numpy values of the float32 arrays, as doubles).
        var s7 = data.Structures.Single(s => s.Name == "LiGePS-iter.000002-data.002/set.000/7");
        Assert.Equal(-204.6704864501953, s7.Energy);
        Assert.Equal(0.1349010020494461, s7.Forces![5].Y);
        Assert.Equal(8.563079833984375, s7.Positions[49].Z);
        Assert.Equal(new Vec3(9.316784858703613, 0, 0), s7.Cell.A);
        Assert.Equal(13.419706344604492, s7.Cell.C.Z);
        Assert.Equal(1164.8637929705856, s7.Cell.Volume, 1e-9);
        // numpy: s = −(v + vᵀ)/2 / |det(box)| in Voigt order.
        double[] expected = [0.00591264402533045, 0.00820625538107741, 0.002686875878532691, -0.003912396723119803, 0.0009474798925511124, -0.0027594837458137693];
        var got = s7.Stress!.Value.ToVoigt();
        for (var k = 0; k < 6; k++) Assert.Equal(expected[k], got[k], 1e-14);
    }

    [NeedsFact(External.SharedData)]
    public void LgpsWithoutATypeMapSaysSo()
    {
        var root = TestData.Shared("lgps");
        var e = Assert.Throws<DataFormatException>(() => DataFiles.Read(root));
        Assert.Equal(Path.Combine(root, "LiGePS-init.system", "type.raw"), e.FilePath);
        Assert.Contains("no type_map.raw; give a type map", e.Reason);
    }

    // ---------------------------------------------------------------- bad input

    [Fact]
    public void TruncatedNpy()
    {
        var dir = MakeSystem();
        var path = Path.Combine(dir, "set.000", "force.npy");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        Fails(dir, path, null, "truncated");
        File.WriteAllBytes(path, bytes[..9]);
        Fails(dir, path, null, "truncated");
        File.WriteAllBytes(path, bytes[..40]);
        Fails(dir, path, null, "truncated");
    }

    [Fact]
    public void WrongNpyHeader()
    {
        var dir = MakeSystem();
        var path = Path.Combine(dir, "set.000", "energy.npy");
        File.WriteAllText(path, "energy -3.5\n");
        Fails(dir, path, null, "not a NumPy .npy file");
        WriteNpy(path, [-3.5, -3.25], [2], header: "{'descr': '<f8', 'fortran_order': False}");
        Fails(dir, path, null, "no 'shape'");
        WriteNpy(path, [-3.5, -3.25], [2], header: "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,)}");
        Fails(dir, path, null, "fortran_order must be True or False");
        WriteNpy(path, [-3.5, -3.25], [2], major: 4);
        Fails(dir, path, null, "version 4.0");
    }

    [Theory]
    [InlineData(">f8", "big-endian")]
    [InlineData("|O", "object dtype")]
    [InlineData("<c16", "unsupported dtype '<c16'")]
    [InlineData("<f2", "unsupported dtype '<f2'")]
    public void BadDtype(string descr, string fragment)
    {
        var dir = MakeSystem();
        var path = Path.Combine(dir, "set.000", "energy.npy");
        WriteNpy(path, [-3.5, -3.25], [2], descr);
        Fails(dir, path, null, fragment);
    }

    [Fact]
    public void FortranOrder()
    {
        var dir = MakeSystem();
        var path = Path.Combine(dir, "set.000", "box.npy");
        WriteNpy(path, new double[18], [2, 9], fortran: true);
        Fails(dir, path, null, "Fortran");
    }

    [Theory]
    [InlineData("energy", 1, 0)]
    [InlineData("coord", 6, 4)]
    [InlineData("force", 6, 0)]
    [InlineData("box", 9, 8)]
    [InlineData("virial", 9, 1)]
    public void NaNInNpy(string name, int width, int index)
    {
        var dir = MakeSystem();
        var path = Path.Combine(dir, "set.000", name + ".npy");
        var values = NpyFile.Read(path).Values;
        values[width + index] = double.NaN;
        WriteNpy(path, values, width == 1 ? [2] : [2, width]);
        var e = Fails(dir, path, null, "not a finite number");
        Assert.Contains($"frame 1, value {index + 1}", e.Reason);
    }

    [Fact]
    public void NaNInRawNamesTheLine()
    {
        var dir = MakeSystem(raw: true);
        var path = Path.Combine(dir, "set.000", "energy.raw");
        File.WriteAllText(path, "-3.5\nnan\n");
        Fails(dir, path, 2, "'nan' (column 1) is not a finite number");
    }

    [Fact]
    public void NonNumericInRaw()
    {
        var dir = MakeSystem(raw: true);
        var path = Path.Combine(dir, "set.000", "coord.raw");
        File.WriteAllText(path, "0 0 0 2 2 2\n0.1 0 zero 2 2.1 2\n");
        Fails(dir, path, 2, "'zero' (column 3)");
    }

    [Fact]
    public void CoordLengthNotThreeN()
    {
        var dir = MakeSystem();
        var path = Path.Combine(dir, "set.000", "coord.npy");
        WriteNpy(path, new double[10], [2, 5]);
        Fails(dir, path, null, "5 values per frame; expected 6 (3 × 2 atoms)");
        WriteNpy(path, new double[10], [10]);
        Fails(dir, path, null, "not a whole number of frames of 6");
        var rawDir = MakeSystem(raw: true);
        var raw = Path.Combine(rawDir, "set.000", "coord.raw");
        File.WriteAllText(raw, "0 0 0 2 2 2\n0.1 0 0 2 2.1\n");
        Fails(rawDir, raw, 2, "5 values; expected 6");
    }

    [Theory]
    [InlineData("box", 9)]
    [InlineData("energy", 1)]
    [InlineData("force", 6)]
    [InlineData("virial", 9)]
    public void FrameCountsDisagree(string name, int width)
    {
        var dir = MakeSystem();
        var path = Path.Combine(dir, "set.000", name + ".npy");
        WriteNpy(path, new double[3 * width], width == 1 ? [3] : [3, width]);
        Fails(dir, path, null, "3 frames, but coord.npy has 2");
    }

    [Fact]
    public void FrameCountsDisagreeInRawNamesTheLine()
    {
        var dir = MakeSystem(raw: true);
        var path = Path.Combine(dir, "set.000", "energy.raw");
        File.WriteAllText(path, "-3.5\n-3.25\n-3.0\n");
        Fails(dir, path, 3, "3 frames, but coord.raw has 2");
    }

    [Fact]
    public void TypeOutOfRange()
    {
        var dir = MakeSystem();
        File.WriteAllText(Path.Combine(dir, "type.raw"), "0\n2\n");
        Fails(dir, Path.Combine(dir, "type.raw"), 2, "type 2 of atom 2 is out of range: type_map.raw has 2 types");
        Fails(dir, Path.Combine(dir, "type.raw"), 2, "the given type map has 1 types", ["Li"]);
    }

    [Fact]
    public void BadTypeRaw()
    {
        var dir = MakeSystem();
        File.WriteAllText(Path.Combine(dir, "type.raw"), "0\n-1\n");
        Fails(dir, Path.Combine(dir, "type.raw"), 2, "'-1' is not an atom type");
    }

    [Fact]
    public void UnknownElementInTypeMap()
    {
        var dir = MakeSystem();
        File.WriteAllText(Path.Combine(dir, "type_map.raw"), "Li\nXx\n");
        Fails(dir, Path.Combine(dir, "type_map.raw"), 2, "unknown element 'Xx'");
        Fails(dir, dir, null, "unknown element 'Qq'", ["Li", "Qq"]);
    }

    [Fact]
    public void NoTypeMap()
    {
        var dir = MakeSystem(typeMap: false);
        Fails(dir, Path.Combine(dir, "type.raw"), null, "no type_map.raw; give a type map");
    }

    [Fact]
    public void MissingTypeRaw()
    {
        var dir = MakeSystem();
        File.Delete(Path.Combine(dir, "type.raw"));
        Fails(dir, dir, null, "no type.raw");
    }

    [Fact]
    public void MissingSetFolders()
    {
        var dir = MakeSystem();
        Directory.Delete(Path.Combine(dir, "set.000"), recursive: true);
        Fails(dir, dir, null, "no set.* folders");
    }

    [Fact]
    public void MissingCoord()
    {
        var dir = MakeSystem();
        File.Delete(Path.Combine(dir, "set.000", "coord.npy"));
        Fails(dir, Path.Combine(dir, "set.000", "coord.npy"), null, "no such file (nor coord.raw)");
    }

    [Fact]
    public void SingularBox()
    {
        var dir = MakeSystem(raw: true);
        var path = Path.Combine(dir, "set.000", "box.raw");
        File.WriteAllText(path, "4 0 0 0 4 0 0 0 4\n4 0 0 8 0 0 0 0 4\n");
        Fails(dir, path, 2, "frame 1: singular");
    }

    [Fact]
    public void NonPeriodicSystemIsRefused()
    {
        var dir = MakeSystem();
        File.WriteAllText(Path.Combine(dir, "nopbc"), "");
        Fails(dir, Path.Combine(dir, "nopbc"), null, "non-periodic");
    }
}
