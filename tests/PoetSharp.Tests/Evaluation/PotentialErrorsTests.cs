using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Evaluation;

public class PotentialErrorsTests
{
    private const double Tol = 1e-12;

    private static Structure Atoms(int n, string name, string group, string element = "Cu", Cell? cell = null)
    {
        var positions = Enumerable.Range(0, n).Select(i => new Vec3(2.0 * i, 0, 0)).ToArray();
        return new Structure(cell ?? Cell.Orthorhombic(20, 20, 20), positions, Enumerable.Repeat(element, n).ToArray(), name, group);
    }

    private static Vec3[] Zeros(int n) => new Vec3[n];

    /// <summary>
    /// Three structures with hand-chosen labels and predictions:
    /// a (2 atoms, group g1, weight 1): e_ref/n = −3.0, e_pred/n = −2.9; forces ref 0, predicted (0.1,0,0) and (0,−0.2,0).
    /// b (4 atoms, group g2, weight 2): e_ref/n = −2.5, e_pred/n = −2.3; stress ref xx = 1e-3 eV/Å³, predicted 0; no forces.
    /// c (1 atom,  group g1, weight 1): e_ref/n = −4.0, e_pred/n = −3.95; force ref (1,1,1), predicted (1,1,1.3).
    /// </summary>
    private static List<StructurePrediction> HandMade()
    {
        var a = Atoms(2, "a", "g1");
        a.Energy = -3.0 * 2;
        a.Forces = Zeros(2);
        var b = Atoms(4, "b", "g2");
        b.Energy = -2.5 * 4;
        b.Weight = 2;
        b.Stress = new Stress(1e-3, 0, 0, 0, 0, 0);
        var c = Atoms(1, "c", "g1");
        c.Energy = -4.0;
        c.Forces = [new Vec3(1, 1, 1)];
        return
        [
            new(a, -2.9 * 2, [new Vec3(0.1, 0, 0), new Vec3(0, -0.2, 0)], Stress.Zero),
            new(b, -2.3 * 4, Zeros(4), Stress.Zero),
            new(c, -3.95, [new Vec3(1, 1, 1.3)], Stress.Zero),
        ];
    }

    [Fact]
    public void ShiftIsTheWeightedMeanOfReferenceMinusPredictedPerAtom()
    {
        var errors = PotentialErrors.FromPredictions("test", HandMade());
        // (1·(−0.1) + 2·(−0.2) + 1·(−0.05)) / 4
        Assert.Equal(-0.1375, errors.EnergyShift, Tol);
        Assert.Equal(3, errors.EnergyShiftStructures);
    }

    [Fact]
    public void EnergyErrorsAreInMeVPerAtomAfterTheShift()
    {
        var e = PotentialErrors.FromPredictions("test", HandMade()).Overall.Energy!;
        // shifted errors: −37.5, 62.5, −87.5 meV/atom
        Assert.Equal(3, e.Structures);
        Assert.Equal(3, e.Values);
        Assert.Equal(Math.Sqrt((37.5 * 37.5 + 62.5 * 62.5 + 87.5 * 87.5) / 3), e.Rmse, 1e-9);
        Assert.Equal(62.5, e.Mae, 1e-9);
        Assert.Equal(87.5, e.MaxAbs, 1e-9);
    }

    [Fact]
    public void ForceErrorsAreOverComponentsOfStructuresWithForces()
    {
        var f = PotentialErrors.FromPredictions("test", HandMade()).Overall.Forces!;
        Assert.Equal(2, f.Structures);
        Assert.Equal(9, f.Values);
        Assert.Equal(Math.Sqrt((0.01 + 0.04 + 0.09) / 9), f.Rmse, Tol);
        Assert.Equal(0.6 / 9, f.Mae, Tol);
        Assert.Equal(0.3, f.MaxAbs, Tol);
    }

    [Fact]
    public void StressErrorsAreInGPaOverSixComponents()
    {
        var s = PotentialErrors.FromPredictions("test", HandMade()).Overall.Stress!;
        Assert.Equal(1, s.Structures);
        Assert.Equal(6, s.Values);
        var gpa = 1e-3 * Units.GPaPerEvPerA3;
        Assert.Equal(gpa / Math.Sqrt(6), s.Rmse, Tol);
        Assert.Equal(gpa / 6, s.Mae, Tol);
    }

    [Fact]
    public void GroupsUseTheOverallShiftAndOnlyTheirOwnLabels()
    {
        var errors = PotentialErrors.FromPredictions("test", HandMade());
        Assert.Equal(["g1", "g2"], errors.Groups.Select(g => g.Name));
        var g1 = errors.Groups[0];
        Assert.Equal(2, g1.Structures);
        Assert.Equal(3, g1.Atoms);
        Assert.Equal(Math.Sqrt((37.5 * 37.5 + 87.5 * 87.5) / 2), g1.Energy!.Rmse, 1e-9);
        Assert.Equal(62.5, g1.Energy.Mae, 1e-9);
        Assert.NotNull(g1.Forces);
        Assert.Null(g1.Stress);
        var g2 = errors.Groups[1];
        Assert.Equal(62.5, g2.Energy!.Rmse, 1e-9);
        Assert.Null(g2.Forces);
        Assert.Equal(1, g2.Stress!.Structures);
    }

    [Fact]
    public void ShiftMakesAConstantOffsetVanish()
    {
        var predictions = HandMade().Select(p => p with { Energy = p.Structure.Energy!.Value + 0.7 * p.Structure.Count }).ToList();
        var errors = PotentialErrors.FromPredictions("test", predictions);
        Assert.Equal(-0.7, errors.EnergyShift, Tol);
        Assert.Equal(0, errors.Overall.Energy!.Rmse, 1e-9);
        Assert.Equal(predictions[0].Structure.EnergyPerAtom!.Value, errors.ShiftedEnergyPerAtom(predictions[0]), 1e-12);
    }

    [Fact]
    public void ZeroWeightsLeaveAStructureOutOfTheShiftButNotOutOfTheErrors()
    {
        var predictions = HandMade();
        predictions[1].Structure.Weight = 0;
        var errors = PotentialErrors.FromPredictions("test", predictions);
        Assert.Equal((-0.1 - 0.05) / 2, errors.EnergyShift, Tol);
        Assert.Equal(3, errors.Overall.Energy!.Structures);
    }

    [Fact]
    public void AllZeroWeightsFallBackToThePlainMean()
    {
        var predictions = HandMade();
        foreach (var p in predictions) p.Structure.Weight = 0;
        Assert.Equal((-0.1 - 0.2 - 0.05) / 3, PotentialErrors.FromPredictions("test", predictions).EnergyShift, Tol);
    }

    [Fact]
    public void NegativeWeightIsAnError()
    {
        var predictions = HandMade();
        predictions[0].Structure.Weight = -1;
        Assert.Throws<ArgumentException>(() => PotentialErrors.FromPredictions("test", predictions));
    }

    [Fact]
    public void MissingLabelsGiveNullStatisticsAndNoShift()
    {
        var bare = Atoms(3, "bare", "");
        var errors = PotentialErrors.FromPredictions("test", [new StructurePrediction(bare, -1, Zeros(3), Stress.Zero)]);
        Assert.Equal(1, errors.Overall.Structures);
        Assert.Equal(3, errors.Overall.Atoms);
        Assert.Null(errors.Overall.Energy);
        Assert.Null(errors.Overall.Forces);
        Assert.Null(errors.Overall.Stress);
        Assert.Equal(0, errors.EnergyShift);
        Assert.Equal(0, errors.EnergyShiftStructures);
    }

    [Fact]
    public void NonFinitePredictionsAreReportedAndExcluded()
    {
        var predictions = HandMade();
        var bad = Atoms(2, "bad", "g2");
        bad.Energy = -100;
        bad.Forces = Zeros(2);
        predictions.Add(new StructurePrediction(bad, double.NaN, [new Vec3(double.PositiveInfinity, 0, 0), new Vec3()], Stress.Zero));

        var errors = PotentialErrors.FromPredictions("test", predictions);
        Assert.Equal([bad], errors.InvalidStructures);
        Assert.Equal(1, errors.Overall.Invalid);
        Assert.Equal(4, errors.Overall.Structures);
        Assert.Equal(-0.1375, errors.EnergyShift, Tol);
        Assert.Equal(3, errors.Overall.Energy!.Structures);
        Assert.Equal(62.5, errors.Overall.Energy.Mae, 1e-9);
        Assert.Equal(2, errors.Overall.Forces!.Structures);
        Assert.Equal(0, errors.Groups[0].Invalid);
        Assert.Equal(1, errors.Groups[1].Invalid);
        Assert.True(double.IsFinite(errors.Overall.Forces.Rmse));
    }

    [Fact]
    public void StressOfANonPeriodicStructureIsNotComparedAndSaysSo()
    {
        var cluster = Atoms(2, "cluster", "", cell: Cell.NonPeriodic());
        cluster.Stress = new Stress(1, 1, 1, 0, 0, 0);
        var errors = PotentialErrors.FromPredictions("test", [new StructurePrediction(cluster, 0, Zeros(2), Stress.Zero)]);
        Assert.Null(errors.Overall.Stress);
        Assert.Contains(errors.Notes, n => n.Contains("not periodic"));
    }

    [Fact]
    public void InconsistentReferenceForcesAreAnError()
    {
        var s = Atoms(2, "s", "");
        s.Forces = Zeros(3);
        var e = Assert.Throws<ArgumentException>(() => PotentialErrors.FromPredictions("test", [new StructurePrediction(s, 0, Zeros(2), Stress.Zero)]));
        Assert.Contains("'s'", e.Message);
    }

    [Fact]
    public void PredictMatchesSerialComputationForEveryStructure()
    {
        var structures = Enumerable.Range(0, 24)
            .Select(i => Builders.Rattled(Builders.Fcc("Cu", 3.61, 2), 0.1, seed: i))
            .ToList();
        IPotential potential = new SpringPotential();
        var predictions = PotentialErrors.Predict(potential, structures);
        Assert.Equal(structures.Count, predictions.Length);
        for (var i = 0; i < structures.Count; i++)
        {
            var expected = potential.Compute(structures[i]);
            Assert.Same(structures[i], predictions[i].Structure);
            Assert.Equal(expected.Energy, predictions[i].Energy);
            Assert.Equal(expected.Forces.ToArray(), predictions[i].Forces);
            Assert.Equal(expected.Stress, predictions[i].Stress);
        }
        Assert.NotEqual(0, predictions[0].Energy);
    }

    [Fact]
    public void EvaluateOnItsOwnLabelsGivesZeroErrors()
    {
        IPotential potential = new SpringPotential();
        var structures = new List<Structure>();
        for (var i = 0; i < 6; i++)
        {
            var s = Builders.Rattled(Builders.Fcc("Cu", 3.61, 2), 0.05, seed: 100 + i);
            s.Group = i < 3 ? "cold" : "hot";
            var r = potential.Compute(s);
            s.Energy = r.Energy + 0.25 * s.Count; // a constant per-atom offset, as between DFT and a potential
            s.Forces = r.Forces.ToArray();
            s.Stress = r.Stress;
            structures.Add(s);
        }
        var errors = PotentialErrors.Evaluate(potential, new Dataset(structures, "made"));
        Assert.Equal(0.25, errors.EnergyShift, 1e-12);
        Assert.Equal(0, errors.Overall.Energy!.Rmse, 1e-9);
        Assert.Equal(0, errors.Overall.Forces!.Rmse, 1e-12);
        Assert.Equal(0, errors.Overall.Stress!.Rmse, 1e-12);
        Assert.Equal(6 * 32 * 3, errors.Overall.Forces.Values);
        Assert.Equal(["cold", "hot"], errors.Groups.Select(g => g.Name));
        Assert.Empty(errors.InvalidStructures);
    }

    [Fact]
    public void EvaluateReportsNaNPredictions()
    {
        IPotential potential = new SpringPotential();
        var good = Builders.Fcc("Cu", 3.61, 1);
        good.Energy = -1;
        var bad = Builders.Fcc("Cu", 3.61, 1);
        bad.Name = "nan";
        bad.Energy = -1;
        var errors = PotentialErrors.Evaluate(potential, new Dataset([good, bad], "made"));
        Assert.Equal([bad], errors.InvalidStructures);
        Assert.Equal(1, errors.Overall.Energy!.Structures);
    }

    [Fact]
    public void UnsupportedSpeciesIsAClearError()
    {
        var potential = new SpringPotential(species: "Cu");
        var argon = Builders.Fcc("Ar", 5.26, 1);
        argon.Name = "argon crystal";
        var e = Assert.Throws<ArgumentException>(() => PotentialErrors.Evaluate(potential, new Dataset([Builders.Fcc("Cu", 3.61, 1), argon], "made")));
        Assert.Contains("argon crystal", e.Message);
        Assert.Contains("'Ar'", e.Message);
    }

    [Fact]
    public void TestSpringPotentialIsConsistent()
    {
        var s = Builders.Rattled(Builders.Fcc("Cu", 3.61, 2), 0.1, seed: 7);
        FiniteDifference.AssertForces(new SpringPotential(), s, maxAtoms: 4);
        FiniteDifference.AssertStress(new SpringPotential(), s);
    }
}
