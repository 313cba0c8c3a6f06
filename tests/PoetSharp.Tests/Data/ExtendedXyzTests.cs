using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace PoetSharp.Tests.Data;

public class ExtendedXyzTests(ITestOutputHelper output)
{
    private static string WriteTemp(string text, string name = "frames.xyz")
    {
        var path = Path.Combine(TestData.TempDir(), name);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        return path;
    }

    private static DataFormatException ReadFails(string text, int? line, string reasonFragment)
    {
        var path = WriteTemp(text);
        var e = Assert.Throws<DataFormatException>(() => ExtendedXyz.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Contains(reasonFragment, e.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith(line is int l ? $"{path}:{l}: " : $"{path}: ", e.Message);
        return e;
    }

    // ---------------------------------------------------------------- reading features

    [Fact]
    public void ReadsKeysAsAseDoes()
    {
        var path = WriteTemp("""
            2
            Lattice="4.0 0.0 0.0  0.5 4.0 0.0  0.0 0.2 5.0" Properties=species:S:1:pos:R:3:forces:R:3 energy=-7.5 config_type="bulk fcc" name=first weight=2.5 have_data pbc="T T F"
            Cu 0.1 0.2 0.3 1.0 -1.0 0.5
            Ni 2.0 2.1 2.2 -1.0 1.0 -0.5

            1
            lattice="3 0 0 0 3 0 0 0 3"  Properties = species:S:1:pos:R:3  free_energy = -3.25  config_weight=0.5
            CU 1.5 1.5 1.5
            """, "sample.xyz");
        var data = ExtendedXyz.Read(path);
        Assert.Equal(2, data.Count);

        var a = data[0];
        Assert.Equal(["Cu", "Ni"], a.Species);
        Assert.Equal(new Vec3(0.1, 0.2, 0.3), a.Positions[0]);
        Assert.Equal(new Vec3(-1.0, 1.0, -0.5), a.Forces![1]);
        Assert.Equal(-7.5, a.Energy);
        Assert.Equal("bulk fcc", a.Group);
        Assert.Equal("first", a.Name);
        Assert.Equal(2.5, a.Weight);
        Assert.Equal(new Vec3(0.5, 4.0, 0.0), a.Cell.B);
        Assert.Equal(new Vec3(0.0, 0.2, 5.0), a.Cell.C);
        Assert.True(a.Cell.PeriodicA && a.Cell.PeriodicB && !a.Cell.PeriodicC);
        Assert.Null(a.Stress);

        var b = data[1];
        Assert.Equal(["Cu"], b.Species); // capitalised as ASE does
        Assert.Equal(-3.25, b.Energy); // free_energy when energy is absent
        Assert.Equal(0.5, b.Weight);
        Assert.Equal("sample", b.Group); // file stem without config_type
        Assert.Equal("sample/1", b.Name);
        Assert.True(b.Cell.FullyPeriodic); // Lattice given, pbc absent → T T T
        Assert.Null(b.Forces);
        Assert.Contains(data.Notes, n => n.Contains("free_energy"));
    }

    [Fact]
    public void ReadsMlearnStyleHeaderWithBracketedPbcAndForceColumn()
    {
        var path = WriteTemp("""
            2
            pbc=[T, T, F] energy=-8.5 Lattice="3.6 0 0 0 3.6 0 0 0 3.6" Properties=species:S:1:pos:R:3:force:R:3:momenta:R:3:masses:R:1:Z:I:1
            Cu 0.0 0.0 0.0 0.1 0.2 0.3 0 0 0 63.546 29
            Cu 1.8 1.8 0.0 -0.1 -0.2 -0.3 0 0 0 63.546 29
            """);
        var s = ExtendedXyz.Read(path)[0];
        Assert.Equal(new Vec3(-0.1, -0.2, -0.3), s.Forces![1]);
        Assert.Equal(new Vec3(1.8, 1.8, 0.0), s.Positions[1]);
        Assert.True(s.Cell.PeriodicB);
        Assert.False(s.Cell.PeriodicC);
    }

    [Fact]
    public void WithoutLatticeTheStructureIsNonPeriodic()
    {
        var s = ExtendedXyz.Read(WriteTemp("""
            3
            Properties=species:S:1:pos:R:3 energy=-14.2
            O 0.0 0.0 0.0
            H 0.76 0.59 0.0
            H -0.76 0.59 0.0
            """))[0];
        Assert.False(s.Cell.AnyPeriodic);
        Assert.Equal(["O", "H", "H"], s.Species);
    }

    [Fact]
    public void PlainXyzCommentDefaultsToSpeciesAndPositions()
    {
        var s = ExtendedXyz.Read(WriteTemp("""
            2
            just a title
            Ar 0 0 0
            Ar 3.8 0 0
            """))[0];
        Assert.Equal(new Vec3(3.8, 0, 0), s.Positions[1]);
        Assert.Null(s.Energy);
    }

    [Fact]
    public void SpeciesFromAtomicNumbersWhenThereIsNoStringColumn()
    {
        var s = ExtendedXyz.Read(WriteTemp("""
            2
            Lattice="3 0 0 0 3 0 0 0 3" Properties=Z:I:1:pos:R:3
            29 0 0 0
            28 1.5 1.5 0
            """))[0];
        Assert.Equal(["Cu", "Ni"], s.Species);
    }

    [Fact]
    public void StressIn9Or6ValuesAndVirialConvertedAsAseDoes()
    {
        var data = ExtendedXyz.Read(WriteTemp("""
            1
            Lattice="2 0 0 0 3 0 0 0 4" Properties=species:S:1:pos:R:3 stress="0.1 0.6 0.5 0.6 0.2 0.4 0.5 0.4 0.3"
            Cu 0 0 0
            1
            Lattice="2 0 0 0 3 0 0 0 4" Properties=species:S:1:pos:R:3 stress="0.1 0.2 0.3 0.4 0.5 0.6"
            Cu 0 0 0
            1
            Lattice="2 0 0 0 3 0 0 0 4" Properties=species:S:1:pos:R:3 virial="-2.4 -14.4 -12 -14.4 -4.8 -9.6 -12 -9.6 -7.2"
            Cu 0 0 0
            1
            Lattice="2 0 0 0 3 0 0 0 4" Properties=species:S:1:pos:R:3 virial="-2.4 -4.8 -7.2 -9.6 -12 -14.4"
            Cu 0 0 0
            """));
        var expected = new Stress(0.1, 0.2, 0.3, 0.4, 0.5, 0.6);
        Assert.Equal(expected, data[0].Stress);
        Assert.Equal(expected, data[1].Stress);
        // volume 24 Å³: stress = −virial / V
        AssertStress(expected, data[2].Stress!.Value, 1e-15);
        AssertStress(expected, data[3].Stress!.Value, 1e-15);
        Assert.Contains(data.Notes, n => n.Contains("virial"));
    }

    [Fact]
    public void EscapedQuotesAndEqualsInValues()
    {
        var s = ExtendedXyz.Read(WriteTemp("""
            1
            Properties=species:S:1:pos:R:3 name="a \"quoted\" name" config_type={x=1 y=2}
            He 0 0 0
            """))[0];
        Assert.Equal("a \"quoted\" name", s.Name);
        Assert.Equal("x=1 y=2", s.Group);
    }

    [Fact]
    public void EnergyKeyWinsOverFreeEnergy()
    {
        var data = ExtendedXyz.Read(WriteTemp("""
            1
            Properties=species:S:1:pos:R:3 free_energy=-2.0 energy=-1.0
            He 0 0 0
            """));
        Assert.Equal(-1.0, data[0].Energy);
        Assert.DoesNotContain(data.Notes, n => n.Contains("free_energy"));
    }

    // ---------------------------------------------------------------- bad input

    [Fact]
    public void MissingFile()
    {
        var path = Path.Combine(TestData.TempDir(), "absent.xyz");
        var e = Assert.Throws<DataFormatException>(() => ExtendedXyz.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Null(e.Line);
        Assert.Contains("no such file", e.Reason);
    }

    [Fact]
    public void EmptyFile() => ReadFails("\n\n", null, "no frames");

    [Fact]
    public void TruncatedFrame() => ReadFails("""
        3
        Lattice="3 0 0 0 3 0 0 0 3" Properties=species:S:1:pos:R:3
        Cu 0 0 0
        Cu 1.5 1.5 0
        """, 4, "ends after 2 of 3 atom lines");

    [Fact]
    public void FileEndsAfterCount() => ReadFails("1\n", 1, "comment line is missing");

    [Theory]
    [InlineData("2.5")]
    [InlineData("two")]
    [InlineData("-1")]
    [InlineData("2 atoms")]
    public void NonIntegerAtomCount(string count) => ReadFails($"""
        1
        Properties=species:S:1:pos:R:3
        He 0 0 0
        {count}
        Properties=species:S:1:pos:R:3
        He 0 0 0
        He 1 0 0
        """, 4, "expected the number of atoms of frame 1");

    [Fact]
    public void VecLinesAreRefusedClearly() =>
        ReadFails("1\nProperties=species:S:1:pos:R:3\nCu 0 0 0\nVEC1 3 0 0\n", 4, "VEC lines");

    [Fact]
    public void ZeroAtoms() => ReadFails("0\nProperties=species:S:1:pos:R:3\n", 1, "no atoms");

    [Theory]
    [InlineData("He nan 0 0", 3, "not a finite number")]
    [InlineData("He 0 inf 0", 3, "not a finite number")]
    [InlineData("He 0 0 1,5", 3, "not a finite number")]
    [InlineData("He 0 0 x", 3, "not a finite number")]
    public void NonNumericPositions(string atomLine, int line, string fragment) =>
        ReadFails($"1\nProperties=species:S:1:pos:R:3\n{atomLine}\n", line, fragment);

    [Theory]
    [InlineData("energy=NaN")]
    [InlineData("energy=abc")]
    [InlineData("energy=\"1 2\"")]
    [InlineData("stress=\"1 2 3 4 5 nan\"")]
    [InlineData("weight=-1")]
    public void BadHeaderValues(string pair) =>
        ReadFails($"1\nProperties=species:S:1:pos:R:3 {pair}\nHe 0 0 0\n", 2, pair.Split('=')[0]);

    [Fact]
    public void NaNForce() => ReadFails("""
        1
        Lattice="3 0 0 0 3 0 0 0 3" Properties=species:S:1:pos:R:3:forces:R:3
        Cu 0 0 0 0.1 NaN 0.0
        """, 3, "force component 'NaN'");

    [Theory]
    [InlineData("3 0 0 0 3 0 0 0", "8 numbers")]
    [InlineData("3 0 0 0 3 0 0 0 3 0", "10 numbers")]
    public void WrongLatticeLength(string lattice, string fragment) =>
        ReadFails($"1\nLattice=\"{lattice}\" Properties=species:S:1:pos:R:3\nCu 0 0 0\n", 2, fragment);

    [Fact]
    public void SingularLattice() =>
        ReadFails("1\nLattice=\"3 0 0 3 0 0 0 0 3\" Properties=species:S:1:pos:R:3\nCu 0 0 0\n", 2, "singular");

    [Theory]
    [InlineData("Cu 0 0", "3 columns, but Properties gives 4")]
    [InlineData("Cu 0 0 0 7", "more than 4 columns")]
    public void ColumnCountNotMatchingProperties(string atomLine, string fragment) =>
        ReadFails($"2\nLattice=\"3 0 0 0 3 0 0 0 3\" Properties=species:S:1:pos:R:3\nCu 1 1 1\n{atomLine}\n", 4, fragment);

    [Fact]
    public void UnknownElement() =>
        ReadFails("2\nProperties=species:S:1:pos:R:3\nCu 0 0 0\nXx 1 1 1\n", 4, "unknown element 'Xx'");

    [Fact]
    public void SpeciesDisagreeingWithZ() =>
        ReadFails("1\nProperties=species:S:1:pos:R:3:Z:I:1\nCu 0 0 0 28\n", 3, "disagrees with Z = 28");

    [Fact]
    public void PositionsColumnMayBeCalledPositions()
    {
        var s = ExtendedXyz.Read(WriteTemp("1\nProperties=symbols:S:1:positions:R:3:Z:I:1\nAl 1 2 3 13\n"))[0];
        Assert.Equal(["Al"], s.Species);
        Assert.Equal(new Vec3(1, 2, 3), s.Positions[0]);
    }

    [Fact]
    public void UnknownAtomicNumber() =>
        ReadFails("1\nProperties=Z:I:1:pos:R:3\n200 0 0 0\n", 3, "atomic number 200");

    [Theory]
    [InlineData("Properties=species:S:1", "no 'pos'")]
    [InlineData("Properties=species:S:1:pos:R:2", "'pos' is R:2")]
    [InlineData("Properties=species:S:1:pos:R:3:forces:R", "triples")]
    [InlineData("Properties=species:S:1:pos:Q:3", "type 'Q'")]
    [InlineData("Properties=species:S:1:pos:R:x", "column count 'x'")]
    [InlineData("Properties=species:S:1:pos:R:3 name=\"open", "unclosed")]
    [InlineData("Properties=species:S:1:pos:R:3 pbc=\"T T T\"", "no Lattice")]
    [InlineData("Properties=species:S:1:pos:R:3 Lattice=\"3 0 0 0 3 0 0 0 3\" pbc=\"T X T\"", "pbc value 'X'")]
    [InlineData("Properties=species:S:1:pos:R:3 Lattice=\"3 0 0 0 3 0 0 0 3\" stress=\"1 2 3 4 5\"", "5 values")]
    [InlineData("Properties=species:S:1:pos:R:3 virial=\"1 2 3 4 5 6\"", "fully periodic")]
    [InlineData("=5 Properties=species:S:1:pos:R:3", "without a key")]
    public void BadCommentLine(string comment, string fragment) =>
        ReadFails($"1\n{comment}\nHe 0 0 0\n", 2, fragment);

    // ---------------------------------------------------------------- writing

    [Fact]
    public void WriteThenReadGivesTheSameStructures()
    {
        var structures = SampleStructures();
        var path = Path.Combine(TestData.TempDir(), "roundtrip.xyz");
        ExtendedXyz.Write(path, structures);
        var back = ExtendedXyz.Read(path);
        Assert.Equal(structures.Length, back.Count);
        for (var k = 0; k < structures.Length; k++)
        {
            var (a, b) = (structures[k], back[k]);
            Assert.Equal(a.Species, b.Species);
            Assert.Equal(a.Positions, b.Positions); // exact: numbers are written in round-trip form
            Assert.Equal(a.Forces, b.Forces);
            Assert.Equal(a.Energy, b.Energy);
            Assert.Equal(a.Stress, b.Stress);
            Assert.Equal(a.Name.Length > 0 ? a.Name : $"roundtrip/{k}", b.Name);
            Assert.Equal(a.Group.Length > 0 ? a.Group : "roundtrip", b.Group);
            Assert.Equal(a.Weight, b.Weight);
            for (var v = 0; v < 3; v++)
            {
                Assert.Equal(a.Cell[v], b.Cell[v]);
                Assert.Equal(a.Cell.IsPeriodic(v), b.Cell.IsPeriodic(v));
            }
        }
    }

    [Fact]
    public void WrittenHeaderLooksLikeAses()
    {
        var s = new Structure(Cell.Orthorhombic(3, 4, 5), [new Vec3(0, 0.5, 1)], ["Cu"], "", "bulk")
        {
            Energy = -3.5,
            Forces = [new Vec3(0.1, 0, 0)],
            Stress = new Stress(1, 2, 3, 4, 5, 6),
        };
        var path = Path.Combine(TestData.TempDir(), "one.xyz");
        ExtendedXyz.Write(path, [s]);
        var lines = File.ReadAllLines(path);
        Assert.Equal("1", lines[0]);
        Assert.Equal("Lattice=\"3 0 0 0 4 0 0 0 5\" Properties=species:S:1:pos:R:3:forces:R:3 energy=-3.5 stress=\"1 6 5 6 2 4 5 4 3\" config_type=bulk pbc=\"T T T\"", lines[1]);
        Assert.Equal("Cu 0 0.5 1 0.1 0 0", lines[2]);
    }

    [Fact]
    public void WriteRefusesNonFiniteValues()
    {
        var s = new Structure(Cell.Orthorhombic(3, 3, 3), [new Vec3(0, 0, 0)], ["Cu"]) { Energy = double.NaN };
        Assert.Throws<ArgumentException>(() => ExtendedXyz.Write(Path.Combine(TestData.TempDir(), "bad.xyz"), [s]));
        var named = new Structure(Cell.Orthorhombic(3, 3, 3), [new Vec3(0, 0, 0)], ["Cu"], "two\nlines");
        Assert.Throws<ArgumentException>(() => ExtendedXyz.Write(Path.Combine(TestData.TempDir(), "bad.xyz"), [named]));
    }

    // ---------------------------------------------------------------- ASE interoperability

    // Prints what ASE reads from a file: symbols, positions, cell, pbc, info, and the calculator's energy, forces and stress (Voigt).
    private const string AseDump = """
        import sys, json
        from ase.io import read

        def dump(path):
            out = []
            for a in read(path, index=':', format='extxyz'):
                d = {'symbols': a.get_chemical_symbols(), 'positions': a.positions.tolist(),
                     'cell': a.cell.array.tolist(), 'pbc': [bool(p) for p in a.pbc],
                     'info': {k: str(v) for k, v in a.info.items()}}
                r = a.calc.results if a.calc is not None else {}
                if 'energy' in r: d['energy'] = float(a.get_potential_energy())
                if 'forces' in r: d['forces'] = a.get_forces().tolist()
                if 'stress' in r: d['stress'] = a.get_stress().tolist()
                out.append(d)
            print(json.dumps(out))

        """;

    [NeedsFact(External.Ase)]
    public void AseReadsOurFilesBack()
    {
        var structures = SampleStructures();
        var path = Path.Combine(TestData.TempDir(), "for_ase.xyz");
        ExtendedXyz.Write(path, structures);
        using var doc = JsonDocument.Parse(AsePython.Run(AseDump + "dump(sys.argv[1])\n", path));
        var frames = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(structures.Length, frames.Length);
        for (var k = 0; k < structures.Length; k++)
        {
            var (s, f) = (structures[k], frames[k]);
            Assert.Equal(s.Species, f.GetProperty("symbols").EnumerateArray().Select(e => e.GetString()!).ToArray());
            Assert.Equal(s.Positions, Vectors(f.GetProperty("positions")));
            Assert.Equal([s.Cell.A, s.Cell.B, s.Cell.C], Vectors(f.GetProperty("cell")));
            Assert.Equal([s.Cell.PeriodicA, s.Cell.PeriodicB, s.Cell.PeriodicC], f.GetProperty("pbc").EnumerateArray().Select(e => e.GetBoolean()).ToArray());
            var info = f.GetProperty("info");
            if (s.Group.Length > 0) Assert.Equal(s.Group, info.GetProperty("config_type").GetString());
            if (s.Name.Length > 0) Assert.Equal(s.Name, info.GetProperty("name").GetString());
            // Exact comparisons: both sides parse the same shortest round-trip decimal text.
            if (s.Energy is double e) Assert.Equal(e, f.GetProperty("energy").GetDouble());
            else Assert.False(f.TryGetProperty("energy", out _));
            if (s.Forces != null) Assert.Equal(s.Forces, Vectors(f.GetProperty("forces")));
            else Assert.False(f.TryGetProperty("forces", out _));
            if (s.Stress is Stress t)
                Assert.Equal(t.ToVoigt(), f.GetProperty("stress").EnumerateArray().Select(x => x.GetDouble()).ToArray());
            else Assert.False(f.TryGetProperty("stress", out _));
        }
    }

    [NeedsFact(External.Ase)]
    public void WeReadFilesAseWrites()
    {
        var dir = TestData.TempDir();
        var path = Path.Combine(dir, "from_ase.xyz");
        var script = AseDump + """
            import numpy as np
            from ase import Atoms
            from ase.calculators.singlepoint import SinglePointCalculator
            from ase.io import write
            rng = np.random.default_rng(11)
            images = []
            a = Atoms('Cu3Ni', positions=rng.random((4, 3)) * 3.5,
                      cell=[[3.61, 0.12, -0.05], [0.21, 3.55, 0.08], [0.04, 0.33, 3.72]], pbc=True)
            a.set_momenta(rng.normal(size=(4, 3)))
            a.set_masses([63.546, 63.546, 63.546, 58.6934])
            a.set_tags([1, 2, 3, 4])
            a.new_array('label', np.array(['p', 'q', 'r', 's']))
            a.info['config_type'] = 'bulk'
            a.calc = SinglePointCalculator(a, energy=-14.123456789012345, forces=rng.normal(size=(4, 3)),
                                           stress=rng.normal(size=6) * 0.01)
            images.append(a)
            b = Atoms('Ni2', positions=[[0.1, 0.2, 5.0], [1.3, 1.2, 6.4]], cell=[2.49, 2.49, 20.0], pbc=[True, True, False])
            b.info['name'] = 'slab 1'
            b.calc = SinglePointCalculator(b, energy=-9.87, forces=[[0.01, -0.02, 0.3], [-0.01, 0.02, -0.3]])
            images.append(b)
            c = Atoms('Cu2', positions=[[0, 0, 0], [0, 0, 2.22]])
            c.calc = SinglePointCalculator(c, energy=-3.1)
            images.append(c)
            write(sys.argv[1], images, format='extxyz')
            dump(sys.argv[1])
            """;
        using var doc = JsonDocument.Parse(AsePython.Run(script, path));
        output.WriteLine(File.ReadAllText(path));
        var expected = doc.RootElement.EnumerateArray().ToArray();
        var data = ExtendedXyz.Read(path);
        Assert.Equal(expected.Length, data.Count);
        for (var k = 0; k < data.Count; k++)
        {
            var (s, f) = (data[k], expected[k]);
            Assert.Equal(f.GetProperty("symbols").EnumerateArray().Select(e => e.GetString()!).ToArray(), s.Species);
            Assert.Equal(Vectors(f.GetProperty("positions")), s.Positions);
            Assert.Equal(f.GetProperty("pbc").EnumerateArray().Select(e => e.GetBoolean()).ToArray(), new[] { s.Cell.PeriodicA, s.Cell.PeriodicB, s.Cell.PeriodicC });
            if (s.Cell.AnyPeriodic) Assert.Equal(Vectors(f.GetProperty("cell")), new[] { s.Cell.A, s.Cell.B, s.Cell.C });
            Assert.Equal(f.GetProperty("energy").GetDouble(), s.Energy);
            if (f.TryGetProperty("forces", out var forces)) Assert.Equal(Vectors(forces), s.Forces);
            else Assert.Null(s.Forces);
            if (f.TryGetProperty("stress", out var stress))
                Assert.Equal(stress.EnumerateArray().Select(x => x.GetDouble()).ToArray(), s.Stress!.Value.ToVoigt());
            else Assert.Null(s.Stress);
        }
        Assert.Equal("bulk", data[0].Group);
        Assert.Equal("slab 1", data[1].Name);
        Assert.Equal("from_ase/2", data[2].Name);
        Assert.False(data[2].Cell.AnyPeriodic);
    }

    // ---------------------------------------------------------------- real data

    [NeedsTheory(External.SharedData)]
    [InlineData("Cu_train.xyz", 262, 27416, -426.29982847, 10.863788, "Cu", 10.72089660, 0.02908236, 3.74682271, 0.66566644, -1.15457477, -1.39804032, -442.85044355)]
    [InlineData("Ni_train.xyz", 263, 27420, -604.26225029, 10.524109, "Ni", 0.09325413, 0.13645560, 3.59680368, -0.19281780, -1.87931786, -0.66374007, -624.26494312)]
    public void ReadsMlearnTrainingSets(string file, int structures, int atoms, double firstEnergy, double firstA, string element,
        double x, double y, double z, double fx, double fy, double fz, double lastEnergy)
    {
        var path = TestData.Shared("mlearn", file);
        var data = ExtendedXyz.Read(path);
        Assert.Equal(structures, data.Count);
        Assert.Equal(atoms, data.Structures.Sum(s => s.Count));
        var (countedFrames, countedAtoms) = CountFramesInText(path);
        Assert.Equal((countedFrames, countedAtoms), (data.Count, data.Structures.Sum(s => s.Count)));

        var first = data[0];
        Assert.Equal(107, first.Count);
        Assert.Equal(firstEnergy, first.Energy);
        Assert.Equal(new Vec3(firstA, 0, 0), first.Cell.A);
        Assert.Equal(new Vec3(0, 0, firstA), first.Cell.C);
        Assert.Equal(new Vec3(x, y, z), first.Positions[0]);
        Assert.Equal(new Vec3(fx, fy, fz), first.Forces![0]);
        Assert.Equal(lastEnergy, data[^1].Energy);

        var stem = Path.GetFileNameWithoutExtension(file);
        Assert.All(data.Structures, s =>
        {
            Assert.All(s.Species, sp => Assert.Equal(element, sp));
            Assert.NotNull(s.Forces);
            Assert.NotNull(s.Energy);
            Assert.Null(s.Stress);
            Assert.True(s.Cell.FullyPeriodic);
            Assert.Equal(stem, s.Group);
        });
        Assert.Equal($"{stem}/{data.Count - 1}", data[^1].Name);
        var summary = data.Summarize();
        Assert.Equal(structures, summary.WithForces);
        Assert.Equal(6, summary.MinAtomsPerStructure);
        Assert.Equal(108, summary.MaxAtomsPerStructure);
    }

    // ---------------------------------------------------------------- helpers

    private static (int Frames, int Atoms) CountFramesInText(string path)
    {
        // Independent of the reader: walk count lines and skip the frames' bodies.
        var lines = File.ReadAllLines(path);
        int frames = 0, atoms = 0;
        for (var i = 0; i < lines.Length;)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) { i++; continue; }
            var n = int.Parse(lines[i].Trim(), CultureInfo.InvariantCulture);
            frames++;
            atoms += n;
            i += n + 2;
        }
        return (frames, atoms);
    }

    private static Structure[] SampleStructures()
    {
        var triclinic = Builders.RandomTriclinic(5, 4.3, seed: 3);
        var rng = new Random(5);
        double R() => 2 * rng.NextDouble() - 1;
        var species = new[] { "Cu", "Ni", "Cu", "Al", "Ni" };
        var t = new Structure(triclinic.Cell, triclinic.Positions, species, "tri \"one\" = 1", "random triclinic")
        {
            Energy = -17.000000000000004,
            Forces = Enumerable.Range(0, 5).Select(_ => new Vec3(R(), R() * 1e-7, R() * 1e5)).ToArray(),
            Stress = new Stress(R() * 1e-3, R(), R() * 1e-12, R(), R(), R()),
            Weight = 0.25,
        };
        var slab = new Structure(new Cell(new Vec3(2.5, 0, 0), new Vec3(1.25, 2.165, 0), new Vec3(0, 0, 20), true, true, false),
            [new Vec3(0, 0, 5), new Vec3(1.25, 0.72, 7.04)], ["Ni", "Ni"], "slab")
        {
            Energy = -9.5,
        };
        var molecule = new Structure(Cell.NonPeriodic(), [new Vec3(0, 0, 0), new Vec3(0, 0, 1.1)], ["C", "O"]);
        var fcc = Builders.Fcc("Cu", 3.615, 1);
        fcc.Energy = -14.9;
        fcc.Forces = new Vec3[fcc.Count];
        fcc.Stress = new Stress(0.01, 0.01, 0.01, 0, 0, 0);
        fcc.Group = "fcc";
        return [t, slab, molecule, fcc];
    }

    private static Vec3[] Vectors(JsonElement rows) =>
        rows.EnumerateArray().Select(r => new Vec3(r[0].GetDouble(), r[1].GetDouble(), r[2].GetDouble())).ToArray();

    private static void AssertStress(Stress expected, Stress actual, double tol)
    {
        for (var k = 0; k < 6; k++) Assert.Equal(expected[k], actual[k], tol);
    }
}
