using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using static PoetSharp.Models.Expression;

namespace PoetSharp.Tests.Evaluation;

public class ModelEvaluatorTests
{
    private static readonly Expression R = Distance;

    /// <summary>Sutton–Chen copper (ε = 0.012382 eV, a = 3.61 Å, c = 39.432) written as a model.</summary>
    public static Expression SuttonChenCopper() =>
        Sum(644.6524256943683 * Pow(R, -9.0)) - Pow(Sum(527.6214232433218 * Pow(R, -6.0)), 0.5);

    /// <summary>GP1 and GP2 as printed (shared/reference/anchors.md).</summary>
    public static Expression Gp1() => Sum(Pow(R, 10.21 - 5.47 * R) - Pow(0.21, R)) + 0.97 * Pow(Sum(Pow(0.33, R)), -1.0);

    public static Expression Gp2() =>
        7.33 * Sum(Pow(R, 3.98 - 3.94 * R)) + (27.32 - Sum(11.13 + 0.03 * Pow(R, 11.74 - 2.93 * R))) * Pow(Sum(1.0), -1.0);

    private static readonly Lazy<Dataset> Nvt300 = new(() => PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_300K")));

    private static readonly Lazy<Dataset> Training = new(() => Dataset.Concat("DFT_Cu training",
        PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_300K")),
        PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_1400K")),
        PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NPT_FCC_1400K"))));

    /// <summary>Small test structures: a rattled periodic fcc cell, a triclinic cell, a slab (non-periodic along z) and a cluster.</summary>
    public static Structure[] SmallStructures()
    {
        var bulk = Builders.Rattled(Builders.Fcc("Cu", 3.61, 2), 0.15, 1);
        var triclinic = Builders.Rattled(Builders.RandomTriclinic(6, 4.6, 3), 0.0, 0);
        var slabSource = Builders.Rattled(Builders.Fcc("Cu", 3.61, 2), 0.15, 2);
        var b = slabSource.Cell.Basis;
        var slab = new Structure(new Cell(b[0], b[1], b[2], true, true, false), slabSource.Positions[..16], slabSource.Species[..16], "slab");
        var clusterSource = Builders.Rattled(Builders.Fcc("Cu", 3.61, 2), 0.15, 3);
        var cluster = new Structure(Cell.NonPeriodic(), clusterSource.Positions[..10], clusterSource.Species[..10], "cluster");
        return [bulk, triclinic, slab, cluster];
    }

    /// <summary>
    /// Random trees for the checks: every other one with positive constants, since with constants of both signs more than
    /// half of all trees raise a negative number to a non-integer power somewhere (NaN: an invalid model).
    /// </summary>
    private static Expression RandomTree(Random random, int t) =>
        RandomExpressions.Atom(random, t % 2 == 0 ? null : new RandomExpressionOptions { ConstantMin = 0.1, ConstantMax = 3.0 });

    private static void AssertClose(double expected, double actual, double rtol, double atol, string what) =>
        Assert.True(Math.Abs(expected - actual) <= atol + rtol * Math.Abs(expected), $"{what}: expected {expected:G15}, got {actual:G15}");

    [Fact]
    public void SuttonChenAsAnExpressionEqualsTheHandWrittenPotential()
    {
        var model = new ModelPotential(SuttonChenCopper(), Taper.Copper);
        var reference = SuttonChen.CopperPoet();
        var structures = Nvt300.Value.Structures;
        var evaluator = new ModelEvaluator(model.Model, new PairTable(structures, Taper.Copper));
        Assert.Equal(0, evaluator.Evaluate());
        for (var s = 0; s < structures.Count; s++)
        {
            var a = reference.Compute(structures[s]);
            var b = model.Compute(structures[s]);
            AssertClose(a.Energy, b.Energy, 1e-10, 0, "energy");
            AssertClose(a.Energy, evaluator.Energies[s], 1e-10, 0, "energy (data-set evaluator)");
            var scale = a.Forces.ToArray().Max(f => f.Length);
            var offset = evaluator.Pairs.AtomOffsets[s];
            for (var i = 0; i < a.AtomCount; i++)
            {
                AssertClose(a.AtomEnergies[i], b.AtomEnergies[i], 1e-10, 0, "atom energy");
                for (var c = 0; c < 3; c++)
                {
                    AssertClose(a.Forces[i][c], b.Forces[i][c], 0, 1e-10 * scale, "force");
                    AssertClose(a.Forces[i][c], evaluator.Forces[offset + i][c], 0, 1e-10 * scale, "force (data-set evaluator)");
                }
            }
            var stressScale = Enumerable.Range(0, 6).Max(k => Math.Abs(a.Stress[k]));
            for (var k = 0; k < 6; k++)
            {
                AssertClose(a.Stress[k], b.Stress[k], 0, 1e-10 * stressScale, "stress");
                AssertClose(a.Stress[k], evaluator.Stresses[s][k], 0, 1e-10 * stressScale, "stress (data-set evaluator)");
                AssertClose(a.Virial[k], b.Virial[k], 0, 1e-10 * stressScale * structures[s].Cell.Volume, "virial");
            }
        }
    }

    [Fact]
    public void GpModelsReproduceThePublishedErrors()
    {
        static void Printed(double expected, double actual, double halfUnit, string what) =>
            Assert.True(Math.Abs(actual - expected) <= halfUnit * 1.0001, $"{what}: {actual} does not round to {expected}");
        foreach (var (model, eRmse, eMae, fRmse, fMae) in new[] { (Gp1(), 4.83, 4.00, 0.099, 0.073), (Gp2(), 5.67, 4.98, 0.071, 0.052) })
        {
            var e = PotentialErrors.Evaluate(new ModelPotential(model, Taper.Copper, ["Cu"]), Training.Value).Overall;
            Assert.Equal(0, e.Invalid);
            Printed(eRmse, e.Energy!.Rmse, 0.005, "energy RMSE (meV/atom)");
            Printed(eMae, e.Energy.Mae, 0.005, "energy MAE (meV/atom)");
            Printed(fRmse, e.Forces!.Rmse, 0.0005, "force RMSE (eV/Å)");
            Printed(fMae, e.Forces.Mae, 0.0005, "force MAE (eV/Å)");
        }
    }

    [Fact]
    public void DataSetEvaluatorAgreesWithThePotentialAndIsIndependentOfThreads()
    {
        var structures = Training.Value.Structures;
        var potential = new ModelPotential(Gp2(), Taper.Copper);
        var evaluator = new ModelEvaluator(potential.Model, new PairTable(structures, Taper.Copper));
        Assert.Equal(0, evaluator.Evaluate());
        var energies = evaluator.Energies.ToArray();
        var forces = evaluator.Forces.ToArray();
        var stresses = evaluator.Stresses.ToArray();
        evaluator.MaxDegreeOfParallelism = 1;
        Assert.Equal(0, evaluator.Evaluate());
        Assert.Equal(energies, evaluator.Energies);
        Assert.Equal(forces, evaluator.Forces);
        Assert.Equal(stresses, evaluator.Stresses);
        for (var s = 0; s < structures.Count; s += 10)
        {
            var r = potential.Compute(structures[s]);
            AssertClose(r.Energy, energies[s], 1e-12, 0, "energy");
            for (var k = 0; k < 6; k++) AssertClose(r.Stress[k], stresses[s][k], 1e-9, 1e-12, "stress");
        }
    }

    [Fact]
    public void BatchedEvaluationAgreesWithTheReferenceInterpreterPerAtom()
    {
        var structures = SmallStructures().Append(Nvt300.Value[0]).ToArray();
        var table = new PairTable(structures, Taper.Copper);
        var random = new Random(7);
        int tested = 0, trees = 300;
        for (var t = 0; t < trees; t++)
        {
            var expression = RandomTree(random, t);
            var evaluator = new ModelEvaluator(new CompiledModel(expression, Taper.Copper), table) { MaxDegreeOfParallelism = 1 };
            evaluator.Evaluate();
            for (var s = 0; s < structures.Length; s++)
            {
                if (!evaluator.Finite[s]) continue;
                tested++;
                var pairs = table.Of(s);
                for (var i = 0; i < structures[s].Count; i++)
                {
                    var distances = new List<double>();
                    for (var p = 0; p < pairs.Count; p++) if (pairs.I[p] == i) distances.Add(pairs.R[p]);
                    var expected = expression.EvaluateAtom(distances.ToArray(), Taper.Copper);
                    var actual = evaluator.AtomEnergies[table.AtomOffsets[s] + i];
                    Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Abs(expected) + 1e-12,
                        $"tree {t}, structure {s}, atom {i}: reference {expected:G17}, batched {actual:G17}");
                }
            }
        }
        Assert.True(tested > trees * structures.Length / 2, $"only {tested} of {trees * structures.Length} tree–structure combinations were finite");
    }

    /// <summary>Fourth-order central difference: random trees can be stiff, so the h² error of the plain one is too large.</summary>
    private static double Derivative(Func<double, double> f, double h) =>
        (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h);

    [Fact]
    public void ForcesAndStressMatchFiniteDifferencesOnRandomTrees()
    {
        var structures = SmallStructures();
        var random = new Random(11);
        int tested = 0, trees = 160, invalid = 0, extreme = 0;
        const double h = 1e-5;
        for (var t = 0; t < trees; t++)
        {
            var expression = RandomTree(random, t);
            var potential = new ModelPotential(expression, Taper.Copper);
            foreach (var s in structures)
            {
                var result = potential.Compute(s);
                var absEnergy = 0.0;
                foreach (var e in result.AtomEnergies) absEnergy += Math.Abs(e);
                if (!double.IsFinite(absEnergy) || !result.Stress.IsFinite || result.Forces.ToArray().Any(f => !f.IsFinite)) { invalid++; continue; }
                if (absEnergy > 1e8 || absEnergy < 1e-100) { extreme++; continue; } // (near overflow or underflow differences say nothing)
                var forces = result.Forces.ToArray();
                var forceScale = forces.Max(f => Math.Max(Math.Abs(f.X), Math.Max(Math.Abs(f.Y), Math.Abs(f.Z))));
                // Differences lose about ε·Σ|E_i|/h; the truncation error is relative.
                var roundoff = 3e-13 * absEnergy / h;
                var ok = true;
                for (var i = 0; i < Math.Min(3, s.Count) && ok; i++)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        var numeric = -Derivative(x => potential.Energy(FiniteDifference.Displaced(s, i, c, x)), h);
                        if (!double.IsFinite(numeric)) { ok = false; break; }
                        Assert.True(Math.Abs(numeric - forces[i][c]) <= 1e-5 * (Math.Abs(numeric) + 1e-2 * forceScale) + roundoff,
                            $"tree {t} on {s.Name}: force on atom {i} component {c}: analytic {forces[i][c]:G12}, finite difference {numeric:G12}");
                    }
                }
                if (!ok) { invalid++; continue; }
                if (s.Cell.FullyPeriodic)
                {
                    var volume = s.Cell.Volume;
                    var stressScale = Enumerable.Range(0, 6).Max(k => Math.Abs(result.Stress[k]));
                    for (var a = 0; a < 3; a++)
                    for (var b = 0; b < 3; b++)
                    {
                        var numeric = Derivative(x => potential.Energy(FiniteDifference.Deformed(s, a, b, x)), h) / volume;
                        var analytic = result.Stress.Component(a, b);
                        Assert.True(Math.Abs(numeric - analytic) <= 1e-5 * (Math.Abs(numeric) + 1e-2 * stressScale) + roundoff / volume,
                            $"tree {t} on {s.Name}: stress ({a},{b}): analytic {analytic:G12}, finite difference {numeric:G12}");
                    }
                }
                else Assert.Equal(Stress.Zero, result.Stress);
                tested++;
            }
        }
        // About 55% of the combinations have a finite energy (the others are invalid models); of those nearly all are tested.
        Assert.True(tested > trees * structures.Length * 0.4, $"only {tested} of {trees * structures.Length} tree–structure combinations were tested ({invalid} not finite, {extreme} extreme)");
    }

    [Fact]
    public void EnergyJacobianMatchesFiniteDifferencesOfTheConstants()
    {
        var structures = SmallStructures();
        var table = new PairTable(structures, Taper.Copper);
        var random = new Random(5);
        int tested = 0, trees = 150;
        for (var t = 0; t < trees; t++)
        {
            var expression = RandomTree(random, t);
            var evaluator = new ModelEvaluator(new CompiledModel(expression, Taper.Copper), table) { MaxDegreeOfParallelism = 1 };
            var c0 = expression.Constants.ToArray();
            evaluator.Evaluate(c0, withEnergyJacobian: true);
            var jacobian = evaluator.EnergyJacobian.ToArray();
            var finite = evaluator.Finite.ToArray();
            var energies = evaluator.Energies.ToArray();
            for (var k = 0; k < c0.Length; k++)
            {
                var step = 1e-6 * Math.Max(1, Math.Abs(c0[k]));
                var c = (double[])c0.Clone();
                c[k] = c0[k] + step;
                evaluator.Evaluate(c);
                var plus = evaluator.Energies.ToArray();
                var plusFinite = evaluator.Finite.ToArray();
                c[k] = c0[k] - step;
                evaluator.Evaluate(c);
                for (var s = 0; s < structures.Length; s++)
                {
                    if (!finite[s] || !plusFinite[s] || !evaluator.Finite[s] || Math.Abs(energies[s]) > 1e8) continue;
                    var numeric = (plus[s] - evaluator.Energies[s]) / (2 * step);
                    var analytic = jacobian[s * c0.Length + k];
                    var roundoff = 1e-12 * (Math.Abs(energies[s]) + 1) / step;
                    Assert.True(Math.Abs(numeric - analytic) <= 1e-5 * Math.Abs(numeric) + roundoff,
                        $"tree {t}, constant {k}, structure {s}: analytic {analytic:G12}, finite difference {numeric:G12}");
                    tested++;
                }
            }
        }
        Assert.True(tested > 500, $"only {tested} Jacobian entries were tested");
    }

    [Fact]
    public void InvalidModelsAreReportedNotThrown()
    {
        var structures = SmallStructures();
        var table = new PairTable(structures, Taper.Copper);
        Expression[] invalid =
        [
            Sum(Pow(-2.0 - R, 0.5)),            // negative base, half-integer power
            Sum(R) / 0.0 + Sum(R),              // division by zero
            Sum(1.0 / (R - R)),                 // division by zero per pair
            Sum(Pow(R, 900.0)),                 // overflow
        ];
        foreach (var e in invalid)
        {
            var evaluator = new ModelEvaluator(new CompiledModel(e, Taper.Copper), table);
            Assert.Equal(structures.Length, evaluator.Evaluate(withEnergyJacobian: true));
            Assert.All(evaluator.Finite, Assert.False);
            var p = new ModelPotential(e, Taper.Copper);
            Assert.False(double.IsFinite(p.Energy(structures[0])) && p.Compute(structures[0]).Forces.ToArray().All(f => f.IsFinite));
        }
    }

    [Fact]
    public void EvaluationDoesNotAllocateOnceWarm()
    {
        var structures = Nvt300.Value.Structures;
        var evaluator = new ModelEvaluator(new CompiledModel(Gp1(), Taper.Copper), new PairTable(structures, Taper.Copper)) { MaxDegreeOfParallelism = 1 };
        evaluator.Evaluate(withEnergyJacobian: true);
        var before = GC.GetAllocatedBytesForCurrentThread();
        evaluator.Evaluate();
        evaluator.Evaluate(withEnergyJacobian: true);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        var potential = new ModelPotential(Gp1(), Taper.Copper);
        var list = NeighbourList.Create(structures[0], potential.Cutoff, half: true);
        var result = new PotentialResult();
        potential.Compute(structures[0], list, result);
        before = GC.GetAllocatedBytesForCurrentThread();
        potential.Compute(structures[0], list, result);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void PairTableHoldsEveryPairForBothAtoms()
    {
        var structures = SmallStructures();
        var table = new PairTable(structures, Taper.Copper);
        for (var s = 0; s < structures.Length; s++)
        {
            var half = NeighbourList.Create(structures[s], 5.0, half: true);
            var count = 0;
            for (var i = 0; i < half.AtomCount; i++)
                for (var k = half.Offsets[i]; k < half.Offsets[i + 1]; k++)
                    if (half.Displacement(structures[s].Positions, i, k).Length < 5.0) count++;
            Assert.Equal(2 * count, table.PairOffsets[s + 1] - table.PairOffsets[s]);
            for (var p = table.PairOffsets[s]; p < table.PairOffsets[s + 1]; p++)
            {
                Assert.Equal(table.R[p], Math.Sqrt(table.Dx[p] * table.Dx[p] + table.Dy[p] * table.Dy[p] + table.Dz[p] * table.Dz[p]), 12);
                Assert.Equal(Taper.Copper.Evaluate(table.R[p]).Value, table.TaperValue[p]);
                if (p > table.PairOffsets[s]) Assert.True(table.I[p] >= table.I[p - 1]);
            }
        }
        Assert.Equal(structures.Sum(s => s.Count), table.AtomCount);
    }
}
