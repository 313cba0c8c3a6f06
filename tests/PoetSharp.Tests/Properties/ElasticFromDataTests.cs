using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Tests.Cli;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// The elastic constants measured by strained cells in the data, against the property suite's stress–strain constants of
/// the potential that labelled them (the suite is checked against LAMMPS in LammpsElasticTests), and on the mlearn copper
/// set against bench/data-elastic.py, a NumPy implementation written apart from ours.
/// </summary>
public class ElasticFromDataTests
{
    private static readonly IPotential SuttonChen = PotentialFactory.Create("sc");

    /// <summary>A labelled copy of <paramref name="s"/> under the Voigt strain (energy, forces and stress from Sutton–Chen).</summary>
    private static Structure Labelled(Structure s, double[] voigt)
    {
        var strained = Elastic.Strained(s, voigt);
        var result = SuttonChen.Compute(strained);
        strained.Energy = result.Energy;
        strained.Forces = result.Forces.ToArray();
        strained.Stress = result.Stress;
        strained.Name = string.Join(",", voigt);
        return strained;
    }

    /// <summary>Uniaxial and shear strains of ±0.1, 0.2 and 0.5 %, and (with <paramref name="mixed"/>) biaxial and volumetric ones.</summary>
    private static List<Structure> StrainSet(Structure crystal, bool mixed)
    {
        var cells = new List<Structure> { Labelled(crystal, new double[6]) };
        foreach (var amount in Amounts)
        {
            for (var k = 0; k < 6; k++)
            {
                var v = new double[6];
                v[k] = amount;
                cells.Add(Labelled(crystal, v));
            }
            if (!mixed) continue;
            cells.Add(Labelled(crystal, [amount, amount, 0, 0, 0, 0]));
            cells.Add(Labelled(crystal, [0, amount, amount, 0, 0, 0]));
            cells.Add(Labelled(crystal, [amount, amount, amount, 0, 0, 0]));
        }
        return cells;
    }

    private static readonly double[] Amounts = [-0.005, -0.002, -0.001, 0.001, 0.002, 0.005];

    private static Structure FccAt(double a) => Lattices.Fcc("Cu", a, 2, 2, 2);

    [Fact]
    public void StrainsOfASuttonChenCrystalGiveItsElasticConstants()
    {
        var equilibrium = Bulk.CubicLatticeConstant(SuttonChen, "Cu", CubicLattice.Fcc);
        var expected = Elastic.Cubic(SuttonChen, "Cu");
        var families = ElasticFromData.Find(StrainSet(FccAt(equilibrium.A), mixed: true));

        var family = Assert.Single(families);
        Assert.Null(family.NotEstimated);
        Assert.Equal(CrystalStructure.Fcc, family.Crystal);
        Assert.Equal(equilibrium.A, family.LatticeConstant!.Value, 6);
        Assert.Equal("Cu32", family.Formula);
        Assert.Equal(0, family.Pressure!.Value, 2);
        // Strains of 0.1–0.5 %: within 0.3 %. The fourth-order terms the fit leaves out grow as the strain squared; this
        // tapered Sutton–Chen has large ones (at 1 % C44 is 1 % off, at 2 % C11 0.6 %).
        Assert.Equal(expected.C11, family.Constant("C11")!.Value!.Value, expected.C11 * 3e-3);
        Assert.Equal(expected.C12, family.Constant("C12")!.Value!.Value, expected.C12 * 3e-3);
        Assert.Equal(expected.C44, family.Constant("C44")!.Value!.Value, expected.C44 * 3e-3);
        Assert.All(family.Constants, c => Assert.True(c.StandardError < 0.5, c.ToString()));
        // The stresses, fitted on their own, give the same constants and pressure.
        var stress = family.Stress!;
        Assert.Equal(0, stress.Pressure!.Value, 2);
        Assert.Equal(expected.C11, stress.Constant("C11")!.Value!.Value, expected.C11 * 3e-3);
        Assert.Equal(expected.C12, stress.Constant("C12")!.Value!.Value, expected.C12 * 3e-3);
        Assert.Equal(expected.C44, stress.Constant("C44")!.Value!.Value, expected.C44 * 3e-3);
    }

    [Fact]
    public void UniaxialAndShearStrainsAloneLeaveC12Undetermined()
    {
        var equilibrium = Bulk.CubicLatticeConstant(SuttonChen, "Cu", CubicLattice.Fcc);
        var expected = Elastic.Cubic(SuttonChen, "Cu");
        var family = Assert.Single(ElasticFromData.Find(StrainSet(FccAt(equilibrium.A), mixed: false)));

        Assert.False(family.Constant("C12")!.Determined);
        Assert.Contains("barely reach", family.Constant("C12")!.NotDetermined);
        Assert.Equal(expected.C11, family.Constant("C11")!.Value!.Value, expected.C11 * 3e-3);
        Assert.Equal(expected.C44, family.Constant("C44")!.Value!.Value, expected.C44 * 3e-3);
        // The lateral stresses of the uniaxial cells fix C12; without stresses nothing is fitted from them.
        Assert.Equal(expected.C12, family.Stress!.Constant("C12")!.Value!.Value, expected.C12 * 3e-3);
        Assert.Null(ElasticFromData.Find(StrainSet(FccAt(equilibrium.A), mixed: false), new ElasticFromDataOptions(UseStress: false))[0].Stress);
    }

    /// <summary>
    /// Strains about a compressed cell: the fitted pressure is the cell's, and the energy–strain constants are the
    /// stress–strain ones of the property suite shifted by Wallace's terms (C11 − P, C12 + P, C44 − P).
    /// </summary>
    [Fact]
    public void AtAPressureTheConstantsAreTheStressStrainOnesShiftedByThePressure()
    {
        var equilibrium = Bulk.CubicLatticeConstant(SuttonChen, "Cu", CubicLattice.Fcc);
        var compressed = FccAt(0.99 * equilibrium.A);
        var stress = SuttonChen.Compute(compressed).Stress.ToVoigt();
        var pressure = -(stress[0] + stress[1] + stress[2]) / 3 * Units.GPaPerEvPerA3;
        Assert.True(pressure > 3, $"the compressed cell's pressure {pressure} GPa");
        var stressStrain = Elastic.Compute(SuttonChen, compressed);

        var family = Assert.Single(ElasticFromData.Find(StrainSet(compressed, mixed: true), new ElasticFromDataOptions(MaxForce: 1e-6)));
        Assert.Equal(pressure, family.Pressure!.Value, pressure * 1e-3);
        Assert.Equal(stressStrain.C11, family.Constant("C11")!.Value!.Value - pressure, stressStrain.C11 * 3e-3);
        Assert.Equal(stressStrain.C12, family.Constant("C12")!.Value!.Value + pressure, stressStrain.C12 * 3e-3);
        Assert.Equal(stressStrain.C44, family.Constant("C44")!.Value!.Value - pressure, stressStrain.C44 * 3e-3);
        Assert.Equal(pressure, family.Stress!.Pressure!.Value, pressure * 1e-3);
        Assert.Equal(stressStrain.C44, family.Stress.Constant("C44")!.Value!.Value - pressure, stressStrain.C44 * 3e-3);
        Assert.Equal(stressStrain.C12, family.Stress.Constant("C12")!.Value!.Value + pressure, stressStrain.C12 * 3e-3);
    }

    [Fact]
    public void SnapshotsOtherCrystalsAndSmallSetsMakeNoFamily()
    {
        var equilibrium = Bulk.CubicLatticeConstant(SuttonChen, "Cu", CubicLattice.Fcc);
        var cells = StrainSet(FccAt(equilibrium.A), mixed: false);
        // Thermal snapshots: forces far above the limit.
        var snapshots = cells.Select((c, i) =>
        {
            var r = Builders.Rattled(c, 0.05, i);
            var result = SuttonChen.Compute(r);
            r.Energy = result.Energy;
            r.Forces = result.Forces.ToArray();
            return r;
        }).ToList();
        Assert.Empty(ElasticFromData.Find(snapshots));
        // Five cells are too few; without forces nothing says a cell is a perfect crystal.
        Assert.Empty(ElasticFromData.Find(cells.Take(5)));
        Assert.Empty(ElasticFromData.Find(cells.Select(c => { var u = c.Clone(); u.Forces = null; return u; })));
        // Two crystals (fcc and a bcc) in one data set: two families, largest first.
        var bcc = Bulk.CubicLatticeConstant(SuttonChen, "Cu", CubicLattice.Bcc);
        var both = ElasticFromData.Find([.. cells, .. StrainSet(Lattices.Bcc("Cu", bcc.A, 2, 2, 2), mixed: true)]);
        Assert.Equal(2, both.Count);
        Assert.Equal(CrystalStructure.Bcc, both[0].Crystal);
        Assert.Equal(CrystalStructure.Fcc, both[1].Crystal);
    }

    [Fact]
    public void ACrystalTurnedOffItsCubeAxesIsNotEstimated()
    {
        var equilibrium = Bulk.CubicLatticeConstant(SuttonChen, "Cu", CubicLattice.Fcc);
        var crystal = FccAt(equilibrium.A);
        Assert.True(ElasticFromData.CubicInCartesianFrame(crystal));
        // 30° about z: the same crystal, its cube axes no longer along x and y.
        var (c, s) = (Math.Cos(Math.PI / 6), Math.Sin(Math.PI / 6));
        Vec3 Turn(Vec3 v) => new(c * v.X - s * v.Y, s * v.X + c * v.Y, v.Z);
        var turned = new Structure(crystal.Cell.WithVectors(Turn(crystal.Cell.A), Turn(crystal.Cell.B), Turn(crystal.Cell.C)),
            crystal.Positions.Select(Turn).ToArray(), crystal.Species);
        Assert.False(ElasticFromData.CubicInCartesianFrame(turned));
        var family = Assert.Single(ElasticFromData.Find(StrainSet(turned, mixed: true)));
        Assert.Contains("not cubic with its cube axes along x, y and z", family.NotEstimated);
        Assert.Empty(family.Constants);
    }

    [Fact]
    public void TargetsTheDataContradictAreNamed()
    {
        var equilibrium = Bulk.CubicLatticeConstant(SuttonChen, "Cu", CubicLattice.Fcc);
        var expected = Elastic.Cubic(SuttonChen, "Cu");
        var families = ElasticFromData.Find(StrainSet(FccAt(equilibrium.A), mixed: false));
        var dir = TestData.TempDir();
        var path = Path.Combine(dir, "targets.data");
        File.WriteAllText(path, $"reference\nC11 FCC {expected.C11 * 1.02} GPa\nC12 FCC 100 GPa\nC44 FCC {expected.C44 * 0.8} GPa\n");
        var lines = ElasticFromData.CompareWithTargets(families, TargetProperties.Read(path));

        // From the energies C11 and C44 (C12 is not determined by these strains, so not compared); from the stresses all three.
        Assert.Equal(5, lines.Count);
        Assert.StartsWith("target C11", lines[0]);
        Assert.Contains("strained cells give", lines[0]);
        Assert.DoesNotContain("will miss", lines[0]);
        Assert.StartsWith("target C44", lines[1]);
        Assert.Matches(@"\(\+25\.\d%", lines[1]);
        Assert.Contains("a model faithful to these data will miss this target", lines[1]);
        Assert.StartsWith("target C12 100 GPa; the training data's own strained cells' stresses give", lines[3]);
        Assert.Contains("will miss", lines[4]);
    }

    [Fact]
    public void PoetDataElasticPrintsTheConstantsAndComparesTargets()
    {
        var equilibrium = Bulk.CubicLatticeConstant(SuttonChen, "Cu", CubicLattice.Fcc);
        var expected = Elastic.Cubic(SuttonChen, "Cu");
        var dir = TestData.TempDir();
        var xyz = Path.Combine(dir, "strained.xyz");
        ExtendedXyz.Write(xyz, StrainSet(FccAt(equilibrium.A), mixed: false));
        var targets = Path.Combine(dir, "targets.data");
        File.WriteAllText(targets, $"reference\nC44 FCC {expected.C44 * 0.8} GPa\n");

        var run = CliRun.Of("data", "elastic", xyz, "--targets", targets);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("1 family of strained perfect cells", run.Stdout);
        Assert.Matches(@"Cu32 fcc\s+│\s+37 \(37\)", run.Stdout);
        Assert.Matches(@"energies\s+│\s+-?\d+\.\d\d\s+│\s+\d+\.\d ± \d+\.\d\s+│\s+not determined\s+│\s+\d+\.\d ± \d+\.\d\s+│", run.Stdout);
        Assert.Contains("C12 from energies: not determined: the strains in the data barely reach it", run.Stdout);
        Assert.Contains("stresses", run.Stdout);
        Assert.Contains("a model faithful to these data will miss this target", run.Stdout);

        var json = System.Text.Json.JsonDocument.Parse(CliRun.Of("data", "elastic", xyz, "--json").Stdout).RootElement;
        var family = json.GetProperty("families")[0];
        Assert.Equal("fcc", family.GetProperty("crystal").GetString());
        var c44 = family.GetProperty("constants").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "C44");
        Assert.Equal(expected.C44, c44.GetProperty("value_GPa").GetDouble(), expected.C44 * 3e-3);

        // Snapshots only: said in one line, not an error. A strain limit outside (0, 0.5): one-line error.
        var none = CliRun.Of("data", "elastic", TestData.Repo("poet", "EAM_Cu"));
        Assert.Equal(0, none.ExitCode);
        Assert.Contains("no strained copies of a perfect crystal", none.Stdout);
        CliRun.Of("data", "elastic", xyz, "--max-strain", "0").AssertOneLineError(1);
        // A bad limit fails before the data are read: the missing file is not what is reported.
        var bad = CliRun.Of("data", "elastic", Path.Combine(dir, "missing.xyz"), "--max-force", "-1");
        bad.AssertOneLineError(1);
        Assert.Contains("--max-force", bad.Stderr);
    }

    /// <summary>The numbers of `/usr/bin/python3 bench/data-elastic.py` (NumPy, 2026-12-07) on Zuo et al.'s copper set.</summary>
    [NeedsFact(External.SharedData)]
    public void MlearnCopperStrainsGiveTheReferenceScriptsConstants()
    {
        var data = DataFiles.Read(TestData.Shared("mlearn", "Cu_train.xyz"));
        var family = Assert.Single(ElasticFromData.Find(data.Structures));
        Assert.Equal(108, family.Cells);
        Assert.Equal(44, family.CellsFitted);
        Assert.Equal(3.616407, family.LatticeConstant!.Value, 5);
        Assert.Equal(1.9955, family.Pressure!.Value, 3);
        Assert.Equal(184.4457, family.Constant("C11")!.Value!.Value, 3);
        Assert.Equal(96.2514, family.Constant("C44")!.Value!.Value, 3);
        Assert.False(family.Constant("C12")!.Determined);
        Assert.Equal(["E0", "σ0", "C11", "C44", "C111", "C155"], family.FittedTerms);
        Assert.Equal(0.1241, family.ResidualMeVPerAtom, 3);
    }
}
