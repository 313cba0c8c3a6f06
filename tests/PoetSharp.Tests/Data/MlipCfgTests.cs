using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Data;

public class MlipCfgTests
{
    private const string Example = """
        BEGIN_CFG
         Size
            2
         Supercell
            3.0 0.0 0.0
            0.0 3.0 0.0
            0.0 0.0 3.0
         AtomData:  id type       cartes_x      cartes_y      cartes_z           fx          fy          fz
                     1    0       0.0  0.0 0.0   0.1 0.2 0.3
                     2    1       1.5  1.5 1.5  -0.1 -0.2 -0.3
         Energy
                -7.5
         PlusStress:  xx          yy          zz          yz          xz          xy
                 2.7 5.4 8.1 0.27 0.0 -0.54
         Feature   EFS_by	VASP
        END_CFG

        """;

    private static string WriteTemp(string text, string name = "train.cfg")
    {
        var path = Path.Combine(TestData.TempDir(), name);
        File.WriteAllText(path, text);
        return path;
    }

    private static DataFormatException ReadFails(string text, int? line, string fragment, IReadOnlyList<string>? map = null)
    {
        var path = WriteTemp(text);
        var e = Assert.Throws<DataFormatException>(() => MlipCfg.Read(path, map ?? ["Li", "S"]));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Reason, StringComparison.OrdinalIgnoreCase);
        return e;
    }

    [Fact]
    public void ReadsTheExampleWithATypeMap()
    {
        var path = WriteTemp(Example);
        var data = MlipCfg.Read(path, ["Li", "S"]);
        var s = Assert.Single(data.Structures);
        Assert.Equal(["Li", "S"], s.Species);
        Assert.True(s.Cell.FullyPeriodic);
        Assert.Equal(new Vec3(0, 3, 0), s.Cell.B);
        Assert.Equal(new Vec3(1.5, 1.5, 1.5), s.Positions[1]);
        Assert.Equal(new Vec3(-0.1, -0.2, -0.3), s.Forces![1]);
        Assert.Equal(-7.5, s.Energy);
        Assert.Equal("train/0", s.Name);
        Assert.Equal("train", s.Group);
        // σ = −PlusStress / V, V = 27 Å³; components named by the header (yz fourth, xy sixth).
        var t = s.Stress!.Value;
        Assert.Equal(-0.1, t.Xx, 1e-15);
        Assert.Equal(-0.2, t.Yy, 1e-15);
        Assert.Equal(-0.3, t.Zz, 1e-15);
        Assert.Equal(-0.01, t.Yz, 1e-15);
        Assert.Equal(0.02, t.Xy, 1e-15);
        Assert.Contains(data.Notes, n => n.Contains("σ = −PlusStress / V"));
        Assert.Contains(data.Notes, n => n.Contains("Feature EFS_by VASP (1 configurations"));
        Assert.Contains(data.Notes, n => n.Contains("given type map: 0 = Li, 1 = S"));
        // Through DataFiles with the type map.
        Assert.Equal(["Li", "S"], DataFiles.Read(path, ["Li", "S"])[0].Species);
    }

    [Fact]
    public void ColumnsInAnyOrderDirectCoordinatesNoForcesAndSeveralConfigurations()
    {
        var text = Example + """
            BEGIN_CFG
             Size
                1
             Supercell
                2.0 0.0 0.0
                0.0 2.0 0.0
                0.0 0.0 4.0
             AtomData:  direct_z direct_y direct_x type id
                0.5 0.25 0.5 1 1
             Energy
                -1.0
            END_CFG
            """;
        var data = MlipCfg.Read(WriteTemp(text), ["Li", "S"]);
        Assert.Equal(2, data.Count);
        var s = data[1];
        Assert.Equal("train/1", s.Name);
        Assert.Equal(["S"], s.Species);
        Assert.Equal(new Vec3(1.0, 0.5, 2.0), s.Positions[0]);
        Assert.Null(s.Forces);
        Assert.Null(s.Stress);
    }

    [Theory]
    [InlineData(0, false, false, false)]
    [InlineData(1, true, false, false)]
    [InlineData(2, true, true, false)]
    public void FewerSupercellVectorsAreNonPeriodicDirections(int vectors, bool a, bool b, bool c)
    {
        var lattice = string.Concat(new[] { "    5 0 0\n", "    0 5 0\n" }.Take(vectors));
        var text = "BEGIN_CFG\n Size\n 1\n" + (vectors > 0 ? " Supercell\n" + lattice : "") +
                   " AtomData: id type cartes_x cartes_y cartes_z\n 1 0 1 2 3\n Energy\n -1\nEND_CFG\n";
        var s = MlipCfg.Read(WriteTemp(text), ["Cu"])[0];
        Assert.Equal((a, b, c), (s.Cell.PeriodicA, s.Cell.PeriodicB, s.Cell.PeriodicC));
        Assert.Equal(new Vec3(1, 2, 3), s.Positions[0]);
    }

    [Fact]
    public void RoundTripKeepsStructuresAndRecordsTheSpeciesOrder()
    {
        var cell = new Cell(new Vec3(4.1, 0.05, 0), new Vec3(0.2, 3.9, 0), new Vec3(0.1, -0.3, 5.2));
        var a = new Structure(cell, [new Vec3(0.1, 0.2, 0.3), new Vec3(2.0 / 3, 1.9, 2.5), new Vec3(3.3, 0.7, 4.4)], ["Ge", "Li", "Ge"], "first", "bulk")
        {
            Energy = -12.345678901234567,
            Forces = [new Vec3(0.1, -0.2, 0.3), new Vec3(1e-7, 0, -0.5), new Vec3(-0.1, 0.2, 0.2)],
            Stress = new Stress(0.01, -0.02, 0.03, 0.004, -0.005, 0.006),
            Weight = 2.5,
        };
        var b = new Structure(new Cell(new Vec3(6, 0, 0), new Vec3(0, 6, 0), new Vec3(0, 0, 0), true, true, false),
            [new Vec3(1, 1, 1), new Vec3(2, 2, 1.5)], ["S", "Li"], "slab 2", "surface") { Energy = -3.0 };
        var path = Path.Combine(TestData.TempDir(), "out.cfg");
        DataFiles.Write(path, new Dataset([a, b]));
        Assert.Contains("Feature   species\tGe Li S", File.ReadAllText(path));

        var back = DataFiles.Read(path); // the species line names the types: no type map needed
        Assert.Equal(2, back.Count);
        var r = back[0];
        Assert.Equal(a.Species, r.Species);
        Assert.Equal(a.Positions, r.Positions);
        Assert.Equal(a.Forces, r.Forces);
        Assert.Equal(a.Energy, r.Energy);
        Assert.Equal((a.Cell.A, a.Cell.B, a.Cell.C), (r.Cell.A, r.Cell.B, r.Cell.C));
        Assert.Equal(("first", "bulk", 2.5), (r.Name, r.Group, r.Weight));
        var (t, u) = (a.Stress!.Value.ToVoigt(), r.Stress!.Value.ToVoigt());
        for (var k = 0; k < 6; k++) Assert.Equal(t[k], u[k], 1e-15);
        var q = back[1];
        Assert.Equal(b.Species, q.Species);
        Assert.Equal(b.Positions, q.Positions);
        Assert.Null(q.Forces);
        Assert.Null(q.Stress);
        Assert.Equal((true, true, false), (q.Cell.PeriodicA, q.Cell.PeriodicB, q.Cell.PeriodicC));
        Assert.Equal(("slab 2", "surface"), (q.Name, q.Group));
        Assert.Contains(back.Notes, n => n.Contains("'Feature species' line"));

        // A given type map replaces the species line.
        Assert.Equal(["Si", "C", "Si"], DataFiles.Read(path, ["Si", "C", "O"])[0].Species);
    }

    [Fact]
    public void WritingACellPeriodicOnlyAlongCIsRefused()
    {
        var s = new Structure(new Cell(new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, 3), false, false, true), [new Vec3(0, 0, 0)], ["Cu"]);
        Assert.Throws<ArgumentException>(() => MlipCfg.Write(new StringWriter(), [s]));
    }

    // ---------------------------------------------------------------- bad input

    [Fact]
    public void NoTypeMap()
    {
        var path = WriteTemp(Example);
        var e = Assert.Throws<DataFormatException>(() => MlipCfg.Read(path));
        Assert.Equal(1, e.Line);
        Assert.Contains("give a type map", e.Reason);
    }

    [Fact]
    public void TypeOutOfRange() => ReadFails(Example, 10, "type 1 is out of range: the given type map has 1 types", ["Li"]);

    [Fact]
    public void UnknownElementInTheGivenTypeMap() => ReadFails(Example, null, "unknown element 'Zz'", ["Li", "Zz"]);

    [Fact]
    public void Truncated()
    {
        var lines = Example.Split('\n');
        ReadFails(string.Join('\n', lines[..9]), 9, "the file ends after 1 of 2 AtomData rows");
        ReadFails(string.Join('\n', lines[..11]), 11, "the file ends after Energy");
    }

    [Fact]
    public void MissingEndCfg() => ReadFails(Example.Replace("END_CFG", ""), 16, "no END_CFG");

    [Fact]
    public void BeginInsideAConfiguration() => ReadFails(Example.Replace("END_CFG", "") + Example, 17, "missing END_CFG");

    [Fact]
    public void NonNumeric() => ReadFails(Example.Replace("1.5  1.5 1.5", "1.5  x 1.5"), 10, "'x' (cartes_y) is not a finite number");

    [Fact]
    public void NaN()
    {
        ReadFails(Example.Replace("-7.5", "NaN"), 12, "Energy 'NaN' is not a finite number");
        ReadFails(Example.Replace("0.1 0.2 0.3", "nan 0.2 0.3"), 9, "'nan' (fx)");
        ReadFails(Example.Replace("2.7 5.4", "2.7 nan"), 14, "PlusStress yy 'nan'");
    }

    [Fact]
    public void WrongAtomCount()
    {
        ReadFails(Example.Replace("    2\n", "    3\n"), 11, "AtomData has 2 rows but Size is 3");
        ReadFails(Example.Replace("    2\n", "    1\n"), 10, "more AtomData rows than Size (1)");
        ReadFails(Example.Replace("    2\n", "    two\n"), 3, "Size 'two' is not a positive integer");
    }

    [Fact]
    public void UnknownColumn() => ReadFails(Example.Replace("fz\n", "fz  magmom\n").Replace("0.1 0.2 0.3", "0.1 0.2 0.3 1").Replace("-0.1 -0.2 -0.3", "-0.1 -0.2 -0.3 1"), 8, "unknown AtomData column 'magmom'");

    [Fact]
    public void ColumnProblems()
    {
        ReadFails(Example.Replace(" fz\n", "\n").Replace("0.1 0.2 0.3", "0.1 0.2").Replace("-0.1 -0.2 -0.3", "-0.1 -0.2"), 8, "some but not all of fx fy fz");
        ReadFails(Example.Replace("0.1 0.2 0.3", "0.1 0.2"), 9, "7 values, but AtomData names 8 columns");
        ReadFails(Example.Replace("   2    1 ", "   3    1 "), 10, "id 3; expected 2");
        ReadFails(Example.Replace("   2    1 ", "   2    0.5 "), 10, "type 0.5 is not a non-negative integer");
    }

    [Fact]
    public void UnknownFieldAndDeprecatedStress()
    {
        ReadFails(Example.Replace(" Energy\n", " Energie\n"), 11, "unknown field 'Energie'");
        ReadFails(Example.Replace("PlusStress:", "Stress:"), 13, "deprecated");
        ReadFails(Example.Replace("yz          xz", "yz          yz"), 13, "must name the six components");
    }

    [Fact]
    public void PlusStressWithoutAVolume()
    {
        var text = Example.Replace(" Supercell\n    3.0 0.0 0.0\n    0.0 3.0 0.0\n    0.0 0.0 3.0\n", "");
        Assert.DoesNotContain("Supercell", text);
        ReadFails(text, 10, "PlusStress needs three Supercell vectors");
    }

    [Fact]
    public void NotACfgFile() => ReadFails("Hello\n", 1, "expected BEGIN_CFG");

    [Fact]
    public void EmptyFile() => ReadFails("\n\n", null, "no configurations");
}
