using System.Text.Json.Nodes;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Data;

public class MlearnJsonTests
{
    private const double K = Units.KbarPerEvPerA3;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mlearn", name);

    private static string WriteTemp(string text, string name = "set.json")
    {
        var path = Path.Combine(TestData.TempDir(), name);
        File.WriteAllText(path, text);
        return path;
    }

    private static DataFormatException ReadFails(string text, int? line, string fragment)
    {
        var path = WriteTemp(text);
        var e = Assert.Throws<DataFormatException>(() => MlearnJson.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Reason, StringComparison.OrdinalIgnoreCase);
        return e;
    }

    // A one-record mlearn list: a 2-atom Cu cell; 'edit' changes the record before it is written.
    private static string OneRecord(Action<JsonObject>? edit = null)
    {
        var record = JsonNode.Parse("""
            {"structure": {"@module": "pymatgen.core.structure", "@class": "Structure", "charge": null,
               "lattice": {"matrix": [[3.6, 0.0, 0.0], [0.0, 3.6, 0.0], [0.0, 0.0, 3.6]]},
               "sites": [{"species": [{"element": "Cu", "occu": 1}], "abc": [0.0, 0.0, 0.0], "xyz": [0.0, 0.0, 0.0], "label": "Cu"},
                         {"species": [{"element": "Cu", "occu": 1}], "abc": [0.5, 0.5, 0.0], "xyz": [1.8, 1.8, 0.0], "label": "Cu"}]},
             "num_atoms": 2,
             "outputs": {"energy": -7.2, "forces": [[0.1, 0.0, 0.0], [-0.1, 0.0, 0.0]], "virial_stress": [1, 2, 3, 4, 5, 6]},
             "group": "Bulk"}
            """)!.AsObject();
        edit?.Invoke(record);
        return new JsonArray(record).ToJsonString();
    }

    /// <summary>Checks a stress in eV/Å³ against expected components in kbar (tensile positive).</summary>
    private static void AssertKbar(Stress expectedKbar, Stress actual)
    {
        for (var k = 0; k < 6; k++) Assert.Equal(expectedKbar[k], K * actual[k], 1e-9);
    }

    // ---------------------------------------------------------------- fixtures

    [Fact]
    public void ReadsSiliconFixtureWithPublishedComponentOrder()
    {
        var data = MlearnJson.Read(Fixture("Si_elastic.json"));
        Assert.Equal(4, data.Count);
        Assert.Equal(["Elastic", "AIMD-NVT", "Ground"], data.Groups);
        Assert.All(data.Structures, s => Assert.Equal(8, s.Count));

        // Record 0: the cell is tilted in xz (c = (−0.656, 0, 5.429)); the published numbers put the shear
        // (120.9 kbar, compression positive) sixth, which the VASP order reads as xz.
        var xz = data[0];
        Assert.Equal(new Vec3(-0.6562475, 0, 5.4292105), xz.Cell.C);
        Assert.Equal(-42.6527071675, xz.Energy);
        Assert.Equal(new Vec3(0, -1.14476111, 0), xz.Forces![0]);
        Assert.Equal("Si_elastic/0", xz.Name);
        var t = xz.Stress!.Value;
        Assert.Equal(-120.91573394 / K, t.Xz, 1e-15);
        Assert.Equal(0, t.Yz);
        Assert.Equal(0, t.Xy);
        Assert.Equal(-7.52813856 / K, t.Xx, 1e-15);
        Assert.Equal(-15.55438239 / K, t.Yy, 1e-15);
        Assert.Equal(-36.75914855 / K, t.Zz, 1e-15);

        // Record 1: tilted in yz; the shear is fifth, read as yz.
        var yz = data[1].Stress!.Value;
        Assert.Equal(-120.91582498 / K, yz.Yz, 1e-15);
        Assert.Equal(0, yz.Xz);

        // Record 2 gives only fractional coordinates.
        var aimd = data[2];
        Assert.Equal(new Vec3(0.012 * 5.468728, 0.996 * 5.468728, 0.007 * 5.468728), aimd.Positions[0]);
        var v = aimd.Stress!.Value;
        AssertKbar(new Stress(9.12639674, 20.1201686, 16.61862895, 1.07283031, -4.1290124, -2.65366002), v);

        // Record 3's six zeros are mlearn's filler for "no stress".
        Assert.Null(data[3].Stress);
        Assert.Contains(data.Notes, n => n.Contains("all-zero"));
        Assert.Contains(data.Notes, n => n.Contains("xx yy zz xy yz xz"));
    }

    [Fact]
    public void BothComponentOrdersGiveTheSameStressWhenNamed()
    {
        var vasp = MlearnJson.Read(Fixture("Cu_vasp_order.json"));
        var lammps = MlearnJson.Read(Fixture("Cu_lammps_order.json"), VirialStressOrder.Lammps);
        Assert.Equal(2, vasp.Count);
        for (var k = 0; k < vasp.Count; k++)
        {
            Assert.Equal(vasp[k].Stress, lammps[k].Stress);
            Assert.Equal(vasp[k].Positions, lammps[k].Positions);
            Assert.Equal(vasp[k].Energy, lammps[k].Energy);
        }
        var s = vasp[0].Stress!.Value;
        // [12.48316571, -3.90517342, 7.11902834, xy 1.84217609, yz -0.61748213, xz 2.93001576] kbar
        AssertKbar(new Stress(-12.48316571, 3.90517342, -7.11902834, 0.61748213, -2.93001576, -1.84217609), s);

        // Reading the LAMMPS-ordered file with the default order swaps yz and xz.
        var wrong = MlearnJson.Read(Fixture("Cu_lammps_order.json"))[0].Stress!.Value;
        Assert.Equal(s.Yz, wrong.Xz);
        Assert.Equal(s.Xz, wrong.Yz);
    }

    [Fact]
    public void VoigtOrderOption()
    {
        var path = WriteTemp(OneRecord());
        var s = MlearnJson.Read(path, VirialStressOrder.Voigt)[0].Stress!.Value;
        AssertKbar(new Stress(-1, -2, -3, -4, -5, -6), s);
        var d = MlearnJson.Read(path)[0].Stress!.Value;
        AssertKbar(new Stress(-1, -2, -3, -5, -6, -4), d);
    }

    [Fact]
    public void CuFixtureDetails()
    {
        var data = MlearnJson.Read(Fixture("Cu_vasp_order.json"));
        var a = data[0];
        Assert.Equal("AIMD-NVT", a.Group);
        Assert.Equal("Cu_vasp_order/0", a.Name);
        Assert.Equal(new Vec3(3.633, 0.004, -0.003), a.Cell.A);
        Assert.True(a.Cell.FullyPeriodic);
        Assert.Equal(-14.80962213, a.Energy);
        Assert.Equal(new Vec3(-0.33518744, 0.28077135, -0.05871224), a.Forces![1]);
        // xyz in the file equals abc · matrix
        for (var i = 0; i < a.Count; i++)
        {
            var frac = a.Cell.ToFractional(a.Positions[i]);
            Assert.True((a.Cell.ToCartesian(frac) - a.Positions[i]).Length < 1e-12);
        }
        Assert.Equal("Elastic", data[1].Group);
    }

    [Fact]
    public void GroupFallsBackToConfigTypeThenFileStem()
    {
        var ct = MlearnJson.Read(WriteTemp(OneRecord(r => { r.Remove("group"); r["config_type"] = "md"; })));
        Assert.Equal("md", ct[0].Group);
        var none = MlearnJson.Read(WriteTemp(OneRecord(r => r.Remove("group")), "Ni_test.json"));
        Assert.Equal("Ni_test", none[0].Group);
    }

    [Fact]
    public void MissingForcesAndStressAreAbsentLabels()
    {
        var s = MlearnJson.Read(WriteTemp(OneRecord(r =>
        {
            r["outputs"]!.AsObject().Remove("forces");
            r["outputs"]!.AsObject().Remove("virial_stress");
        })))[0];
        Assert.Null(s.Forces);
        Assert.Null(s.Stress);
        Assert.Equal(-7.2, s.Energy);
    }

    [Fact]
    public void LatticePbcFromNewerPymatgen()
    {
        var s = MlearnJson.Read(WriteTemp(OneRecord(r => r["structure"]!["lattice"]!["pbc"] = JsonNode.Parse("[true, true, false]"))))[0];
        Assert.True(s.Cell.PeriodicA && s.Cell.PeriodicB);
        Assert.False(s.Cell.PeriodicC);
        ReadFails(OneRecord(r => r["structure"]!["lattice"]!["pbc"] = JsonNode.Parse("[1, 1, 1]")), 1, "3 booleans");
    }

    [Fact]
    public void ReadsThroughDataFiles()
    {
        var data = DataFiles.Read(Fixture("Si_elastic.json"));
        Assert.Equal(4, data.Count);
    }

    [Fact]
    public void SnapStressKeyIsReadLikeVirialStress()
    {
        var data = MlearnJson.Read(WriteTemp(OneRecord(r =>
        {
            var o = r["outputs"]!.AsObject();
            o.Remove("virial_stress");
            o["stress"] = JsonNode.Parse("[1, 2, 3, 4, 5, 6]");
        })));
        AssertKbar(new Stress(-1, -2, -3, -5, -6, -4), data[0].Stress!.Value);
        Assert.Contains(data.Notes, n => n.StartsWith("outputs.stress read in 1 of 1 records as kbar, compression positive, in xx yy zz xy yz xz order"));
        Assert.DoesNotContain(data.Notes, n => n.Contains("virial_stress"));
    }

    [Fact]
    public void BothStressKeysAgreeingAreReadOnce()
    {
        var data = MlearnJson.Read(WriteTemp(OneRecord(r => r["outputs"]!["stress"] = JsonNode.Parse("[1, 2, 3, 4, 5, 6]"))));
        AssertKbar(new Stress(-1, -2, -3, -5, -6, -4), data[0].Stress!.Value);
        Assert.Contains(data.Notes, n => n.Contains("have both outputs.virial_stress and outputs.stress; they agree"));
    }

    [Fact]
    public void BothStressKeysDisagreeing() =>
        ReadFails(OneRecord(r => r["outputs"]!["stress"] = JsonNode.Parse("[1, 2, 3, 4, 5, 7]")), 1, "outputs.virial_stress and outputs.stress disagree (component 5");

    [Fact]
    public void NoStressKeyIsNoted()
    {
        var data = MlearnJson.Read(WriteTemp(OneRecord(r => r["outputs"]!.AsObject().Remove("virial_stress"))));
        Assert.Contains(data.Notes, n => n.Contains("no record has outputs.virial_stress or outputs.stress"));
    }

    [NeedsFact(External.SharedData)]
    public void ReadsSnapNbMoTaWStresses()
    {
        var data = DataFiles.Read(TestData.Shared("alloys", "NbMoTaW", "MoTa_SS.json"));
        Assert.Equal(658, data.Count);
        Assert.Equal(10528, data.Structures.Sum(s => s.Count));
        Assert.All(data.Structures, s => Assert.NotNull(s.Stress));
        var first = data[0];
        Assert.Equal("Ta-Mo", first.Group);
        Assert.Equal(-183.34101704, first.Energy);
        Assert.Equal(new Vec3(-0.44868771, -0.48518525, -0.00869809), first.Forces![0]);
        // [-131.35854675, -135.30883323, -137.7695191, xy 0.41898051, yz -2.70398796, zx -2.98567454] kbar, compression positive
        AssertKbar(new Stress(131.35854675, 135.30883323, 137.7695191, 2.70398796, 2.98567454, -0.41898051), first.Stress!.Value);
        Assert.Contains(data.Notes, n => n.StartsWith("outputs.stress read in 658 of 658 records"));
    }

    [NeedsFact(External.SharedData)]
    public void SnapElasticCellsConfirmTheSignAndOrder()
    {
        // bcc Mo, a = 3.169 Å: squeezed along x (tensile stress negative), an xy tilt (shear in xy only).
        var data = MlearnJson.Read(TestData.Shared("alloys", "NbMoTaW", "Mo_Elastic.json"));
        var squeezed = data.Structures.Single(s => Math.Abs(s.Cell.A.X - 2.852) < 1e-3 && s.Cell.B.Y > 3.16 && s.Cell.C.Z > 3.16);
        Assert.True(squeezed.Stress!.Value.Xx < -0.3);
        var tiltXy = data.Structures.Where(s => Math.Abs(s.Cell.B.X) > 0.25).ToList();
        Assert.NotEmpty(tiltXy);
        Assert.All(tiltXy, s =>
        {
            var t = s.Stress!.Value;
            Assert.True(Math.Abs(t.Xy) > 10 * (Math.Abs(t.Yz) + Math.Abs(t.Xz) + 1e-6));
            Assert.Equal(Math.Sign(s.Cell.B.X), Math.Sign(t.Xy));
        });
    }

    // ---------------------------------------------------------------- bad input

    [Fact]
    public void StressOfSevenNumbers() =>
        ReadFails(OneRecord(r => r["outputs"]!["stress"] = JsonNode.Parse("[1,2,3,4,5,6,7]")), 1, "outputs.stress must be a list of 6 numbers, found a list of 7");

    [Fact]
    public void NonNumericStress() =>
        ReadFails(OneRecord(r => { r["outputs"]!.AsObject().Remove("virial_stress"); r["outputs"]!["stress"] = JsonNode.Parse("[1,2,\"x\",4,5,6]"); }), 1, "outputs.stress[2] is a string, not a number");

    [Fact]
    public void MissingFile()
    {
        var path = Path.Combine(TestData.TempDir(), "training.json");
        var e = Assert.Throws<DataFormatException>(() => MlearnJson.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("no such file", e.Reason);
    }

    [Fact]
    public void MissingEnergy() =>
        ReadFails(OneRecord(r => r["outputs"]!.AsObject().Remove("energy")), 1, "record 0: missing 'outputs.energy'");

    [Fact]
    public void MissingOutputs() => ReadFails(OneRecord(r => r.Remove("outputs")), 1, "missing 'outputs'");

    [Fact]
    public void ForcesCountNotMatchingSites() =>
        ReadFails(OneRecord(r => r["outputs"]!["forces"] = JsonNode.Parse("[[0.1, 0, 0]]")), 1, "1 rows but the structure has 2 sites");

    [Fact]
    public void ForceRowOfTwoNumbers() =>
        ReadFails(OneRecord(r => r["outputs"]!["forces"] = JsonNode.Parse("[[0.1, 0], [0, 0, 0]]")), 1, "outputs.forces[0] must be a list of 3 numbers");

    [Fact]
    public void NaNLiteralIsASyntaxErrorWithItsLine()
    {
        var text = OneRecord().Replace("\"energy\":-7.2", "\"energy\":NaN");
        Assert.Contains("NaN", text);
        ReadFails("\n\n" + text, 3, "NaN");
    }

    [Fact]
    public void NaNAsStringIsNotANumber() =>
        ReadFails(OneRecord(r => r["outputs"]!["energy"] = "NaN"), 1, "'outputs.energy' is a string; expected a number");

    [Fact]
    public void OverflowingNumberIsNotFinite() =>
        ReadFails(OneRecord().Replace("[1,2,3,4,5,6]", "[1,2,3,4,5,1e999]"), 1, "virial_stress[5] = 1e999 is not a finite number");

    [Fact]
    public void TruncatedJson()
    {
        var text = OneRecord();
        ReadFails(text[..(text.Length / 2)], 1, "truncated");
        ReadFails(text[..^1], 1, "truncated");
    }

    [Fact]
    public void SyntaxErrorLineIsOneBased() => ReadFails("[\n{\"structure\": }\n]", 2, "invalid JSON");

    [Fact]
    public void UnknownElement() =>
        ReadFails(OneRecord(r => r["structure"]!["sites"]![1]!["species"]![0]!["element"] = "Qq"), 1, "structure.sites[1]: unknown element 'Qq'");

    [Fact]
    public void SingularLattice() =>
        ReadFails(OneRecord(r => r["structure"]!["lattice"]!["matrix"] = JsonNode.Parse("[[3.6,0,0],[7.2,0,0],[0,0,3.6]]")), 1, "singular");

    [Fact]
    public void PartialOccupancy() =>
        ReadFails(OneRecord(r => r["structure"]!["sites"]![0]!["species"]![0]!["occu"] = 0.5), 1, "occupancy 0.5");

    [Fact]
    public void VirialStressOfFiveNumbers() =>
        ReadFails(OneRecord(r => r["outputs"]!["virial_stress"] = JsonNode.Parse("[1,2,3,4,5]")), 1, "list of 6 numbers");

    [Fact]
    public void NumAtomsDisagreeing() => ReadFails(OneRecord(r => r["num_atoms"] = 3), 1, "num_atoms is 3");

    [Fact]
    public void SiteWithoutCoordinates() =>
        ReadFails(OneRecord(r => { var site = r["structure"]!["sites"]![0]!.AsObject(); site.Remove("xyz"); site.Remove("abc"); }), 1, "neither 'xyz' nor 'abc'");

    [Fact]
    public void NotAList() => ReadFails("{\"structure\": {}}", 1, "expected a JSON list");

    [Fact]
    public void EmptyList() => ReadFails("[]", null, "empty");

    [Fact]
    public void ErrorNamesTheRecordAndTheLineItStartsOn()
    {
        // Pretty-printed: record 1 starts on line 3.
        var good = OneRecord();
        var bad = OneRecord(r => r["outputs"]!.AsObject().Remove("energy"));
        var text = "[\n" + good[1..^1] + ",\n" + bad[1..^1] + "\n]";
        var e = ReadFails(text, 3, "record 1:");
        Assert.Contains("outputs.energy", e.Message);
    }
}
