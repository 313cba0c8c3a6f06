using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Evaluation;

public class ModelJacobianTests(ITestOutputHelper output)
{
    private static readonly Lazy<Dataset> Nvt300 = new(() => PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_300K")));

    private static Expression RandomTree(Random random, int t) =>
        RandomExpressions.Atom(random, t % 2 == 0 ? null : new RandomExpressionOptions { ConstantMin = 0.1, ConstantMax = 3.0 });

    private sealed record Snapshot(double[] Energies, double[] Forces, double[] Stresses, bool[] Finite);

    private static Snapshot Take(ModelEvaluator evaluator, double[] constants)
    {
        evaluator.Evaluate(constants);
        var forces = new double[3 * evaluator.Forces.Length];
        for (var i = 0; i < evaluator.Forces.Length; i++)
            for (var a = 0; a < 3; a++) forces[3 * i + a] = evaluator.Forces[i][a];
        var stresses = new double[6 * evaluator.Stresses.Length];
        for (var s = 0; s < evaluator.Stresses.Length; s++)
            for (var v = 0; v < 6; v++) stresses[6 * s + v] = evaluator.Stresses[s][v];
        return new Snapshot(evaluator.Energies.ToArray(), forces, stresses, evaluator.Finite.ToArray());
    }

    /// <summary>
    /// Checks every force and stress Jacobian entry of one model against fourth-order central differences in each constant;
    /// returns the number of entries compared and the number of structures whose results are finite but whose Jacobian is not.
    /// </summary>
    private static (int Entries, int JacobianOnlyInvalid) CheckAgainstFiniteDifferences(Expression expression, PairTable table, string what)
    {
        var evaluator = new ModelEvaluator(new CompiledModel(expression, table.Taper), table) { MaxDegreeOfParallelism = 1 };
        var c0 = expression.Constants.ToArray();
        var K = c0.Length;
        if (K == 0) return (0, 0);
        evaluator.Evaluate(c0, EvaluationOutputs.ForceAndStressJacobian);
        var forceJacobian = evaluator.ForceJacobian.ToArray();
        var stressJacobian = evaluator.StressJacobian.ToArray();
        var basis = Take(evaluator, c0);
        // With the Jacobian asked for, a structure is finite only if the Jacobian is too.
        var withJacobian = evaluator.Evaluate(c0, EvaluationOutputs.ForceAndStressJacobian);
        var finite = evaluator.Finite.ToArray();
        Assert.True(withJacobian >= basis.Finite.Count(f => !f));
        var jacobianOnlyInvalid = Enumerable.Range(0, table.StructureCount).Count(s => basis.Finite[s] && !finite[s]);

        var checkedEntries = 0;
        for (var k = 0; k < K; k++)
        {
            var h = 1e-4 * Math.Max(1e-2, Math.Abs(c0[k]));
            Snapshot At(double x)
            {
                var c = (double[])c0.Clone();
                c[k] = c0[k] + x;
                return Take(evaluator, c);
            }
            Snapshot p1 = At(h), m1 = At(-h), p2 = At(2 * h), m2 = At(-2 * h);
            for (var s = 0; s < table.StructureCount; s++)
            {
                if (!finite[s] || !p1.Finite[s] || !m1.Finite[s] || !p2.Finite[s] || !m2.Finite[s]) continue;
                if (Math.Abs(basis.Energies[s]) > 1e6) continue; // near overflow, differences say nothing
                // Fourth-order differences: error ~ h⁴ f⁽⁵⁾ (relative to the derivative's own scale) plus roundoff ~ ε·|F|/h.
                double Numeric(Func<Snapshot, double> f) => (8 * (f(p1) - f(m1)) - (f(p2) - f(m2))) / (12 * h);
                // Near a pole of the model (a denominator close to zero) h⁴ f⁽⁵⁾ is large: an entry that misses is checked
                // again with a tenth of the step (truncation 10⁴ times smaller, roundoff 10 times larger).
                Snapshot[]? fine = null;
                double FineNumeric(Func<Snapshot, double> f)
                {
                    fine ??= [At(h / 10), At(-h / 10), At(h / 5), At(-h / 5)];
                    return (8 * (f(fine[0]) - f(fine[1])) - (f(fine[2]) - f(fine[3]))) / (12 * h / 10);
                }
                bool Agrees(double numeric, double analytic, double scale, double allowance) =>
                    Math.Abs(numeric - analytic) <= 1e-5 * Math.Abs(numeric) + 1e-5 * scale + allowance;
                int a0 = table.AtomOffsets[s], atoms = table.AtomOffsets[s + 1] - a0;
                var forceScale = 0.0;
                var jacobianScale = 0.0;
                for (var x = 3 * a0; x < 3 * (a0 + atoms); x++)
                {
                    forceScale = Math.Max(forceScale, Math.Abs(basis.Forces[x]));
                    jacobianScale = Math.Max(jacobianScale, Math.Abs(forceJacobian[x * K + k]));
                }
                var roundoff = 1e-12 * (forceScale + Math.Abs(basis.Energies[s])) / h;
                for (var x = 3 * a0; x < 3 * (a0 + atoms); x++)
                {
                    var numeric = Numeric(snap => snap.Forces[x]);
                    var analytic = forceJacobian[x * K + k];
                    var allowance = roundoff;
                    if (!Agrees(numeric, analytic, jacobianScale, allowance) && FineNumeric(snap => snap.Forces[x]) is var f && fine!.All(q => q.Finite[s]))
                        (numeric, allowance) = (f, 10 * roundoff);
                    Assert.True(Agrees(numeric, analytic, jacobianScale, allowance),
                        $"{what}, structure {s}, constant {k} = {c0[k]}: ∂F/∂c of atom {x / 3 - a0} component {x % 3}: analytic {analytic:G12}, finite difference {numeric:G12}");
                    checkedEntries++;
                }
                var periodic = table.Structures[s].Cell.FullyPeriodic;
                var stressScale = Enumerable.Range(0, 6).Max(v => Math.Abs(stressJacobian[(6 * s + v) * K + k]));
                var volume = periodic ? table.Structures[s].Cell.Volume : 1;
                for (var v = 0; v < 6; v++)
                {
                    var analytic = stressJacobian[(6 * s + v) * K + k];
                    if (!periodic) { Assert.Equal(0.0, analytic); continue; }
                    var numeric = Numeric(snap => snap.Stresses[6 * s + v]);
                    var allowance = roundoff / volume * 10;
                    if (!Agrees(numeric, analytic, stressScale, allowance) && FineNumeric(snap => snap.Stresses[6 * s + v]) is var f && fine!.All(q => q.Finite[s]))
                        (numeric, allowance) = (f, roundoff / volume * 100);
                    Assert.True(Agrees(numeric, analytic, stressScale, allowance),
                        $"{what}, structure {s}, constant {k} = {c0[k]}: ∂σ/∂c Voigt {v}: analytic {analytic:G12}, finite difference {numeric:G12}");
                    checkedEntries++;
                }
            }
        }
        return (checkedEntries, jacobianOnlyInvalid);
    }

    [Fact]
    public void ForceAndStressJacobiansMatchFiniteDifferencesOfThePublishedModels()
    {
        var table = new PairTable(ModelEvaluatorTests.SmallStructures(), Taper.Copper);
        var total = 0;
        foreach (var (name, model) in new[] { ("GP1", ModelEvaluatorTests.Gp1()), ("GP2", ModelEvaluatorTests.Gp2()), ("Sutton–Chen", ModelEvaluatorTests.SuttonChenCopper()) })
        {
            var (n, jacobianOnlyInvalid) = CheckAgainstFiniteDifferences(model, table, name);
            Assert.Equal(0, jacobianOnlyInvalid);
            // Every structure, constant and component is finite for these models.
            var atoms = table.AtomCount;
            var periodicStructures = table.Structures.Count(s => s.Cell.FullyPeriodic);
            Assert.Equal(model.Constants.Length * (3 * atoms + 6 * periodicStructures), n);
            total += n;
        }
        output.WriteLine($"{total} entries checked");
    }

    [Fact]
    public void AtomsWithMoreNeighboursThanOneBatchAreHandled()
    {
        // A 12 Å cutoff gives each atom of bulk copper about 600 neighbours, more than one vectorised batch (512).
        var taper = new Taper(10, 12);
        var table = new PairTable([ModelEvaluatorTests.SmallStructures()[0]], taper);
        var neighbours = table.PairCount / table.AtomCount;
        Assert.True(neighbours > 512, $"{neighbours} neighbours per atom");
        var (n, jacobianOnlyInvalid) = CheckAgainstFiniteDifferences(ModelEvaluatorTests.Gp1(), table, "GP1, 12 Å");
        Assert.Equal(0, jacobianOnlyInvalid);
        Assert.Equal(ModelEvaluatorTests.Gp1().Constants.Length * (3 * table.AtomCount + 6), n);
    }

    [Fact]
    public void ForceAndStressJacobiansMatchFiniteDifferencesOnRandomTrees()
    {
        var table = new PairTable(ModelEvaluatorTests.SmallStructures(), Taper.Copper);
        var random = new Random(23);
        int trees = 120, total = 0, modelsChecked = 0, jacobianOnlyInvalid = 0;
        for (var t = 0; t < trees; t++)
        {
            var (n, invalid) = CheckAgainstFiniteDifferences(RandomTree(random, t), table, $"tree {t}");
            total += n;
            jacobianOnlyInvalid += invalid;
            if (n > 0) modelsChecked++;
        }
        output.WriteLine($"{total} entries checked on {modelsChecked} of {trees} trees; " +
                         $"{jacobianOnlyInvalid} tree–structure combinations with finite results had a non-finite Jacobian");
        Assert.True(modelsChecked > trees / 3, $"only {modelsChecked} of {trees} trees had checkable entries");
        Assert.True(total > 20000, $"only {total} entries were checked");
    }

    [Fact]
    public void ForceAndStressJacobiansMatchFiniteDifferencesOnRandomTreesWithFunctions()
    {
        // exp, log and sqrt at pair and atom level (log and sqrt of negative values make some trees invalid: skipped).
        var table = new PairTable(ModelEvaluatorTests.SmallStructures(), Taper.Copper);
        var random = new Random(29);
        var options = new RandomExpressionOptions
        {
            ConstantMin = 0.1, ConstantMax = 2.0, UnaryOperators = Operators.Unary, UnaryProbability = 0.35,
        };
        int trees = 120, total = 0, modelsChecked = 0, withFunctions = 0, jacobianOnlyInvalid = 0;
        for (var t = 0; t < trees; t++)
        {
            var tree = RandomExpressions.Atom(random, options);
            var (n, invalid) = CheckAgainstFiniteDifferences(tree, table, $"tree {t} ({tree})");
            total += n;
            jacobianOnlyInvalid += invalid;
            if (n > 0) modelsChecked++;
            if (n > 0 && tree.Nodes.ToArray().Any(node => node.Arity == 1 && node.Kind != NodeKind.Sum)) withFunctions++;
        }
        output.WriteLine($"{total} entries checked on {modelsChecked} of {trees} trees ({withFunctions} with functions); " +
                         $"{jacobianOnlyInvalid} tree–structure combinations with finite results had a non-finite Jacobian");
        Assert.True(withFunctions >= 25, $"only {withFunctions} checked trees contain exp, log or sqrt");
        Assert.True(total > 10000, $"only {total} entries were checked");
    }

    [Fact]
    public void OtherResultsDoNotDependOnTheJacobianOption()
    {
        var structures = ModelEvaluatorTests.SmallStructures().Append(Nvt300.Value[0]).ToArray();
        var table = new PairTable(structures, Taper.Copper);
        var random = new Random(3);
        for (var t = 0; t < 30; t++)
        {
            var expression = RandomTree(random, t);
            var evaluator = new ModelEvaluator(new CompiledModel(expression, Taper.Copper), table) { MaxDegreeOfParallelism = 1 };
            evaluator.Evaluate(EvaluationOutputs.EnergyJacobian);
            var energies = evaluator.Energies.ToArray();
            var forces = evaluator.Forces.ToArray();
            var stresses = evaluator.Stresses.ToArray();
            var energyJacobian = evaluator.EnergyJacobian.ToArray();
            evaluator.Evaluate(EvaluationOutputs.AllJacobians);
            Assert.Equal(energies, evaluator.Energies);
            Assert.Equal(forces, evaluator.Forces);
            Assert.Equal(stresses, evaluator.Stresses);
            Assert.Equal(energyJacobian, evaluator.EnergyJacobian);
            var forceJacobian = evaluator.ForceJacobian.ToArray();
            var stressJacobian = evaluator.StressJacobian.ToArray();
            var finite = evaluator.Finite.ToArray();
            evaluator.MaxDegreeOfParallelism = -1;
            evaluator.Evaluate(EvaluationOutputs.AllJacobians);
            Assert.Equal(forceJacobian, evaluator.ForceJacobian);
            Assert.Equal(stressJacobian, evaluator.StressJacobian);
            Assert.Equal(finite, evaluator.Finite);
        }
    }

    [Fact]
    public void InvalidModelsAreReportedNotThrown()
    {
        var structures = ModelEvaluatorTests.SmallStructures();
        var table = new PairTable(structures, Taper.Copper);
        var r = Expression.Distance;
        Expression[] invalid =
        [
            Expression.Sum(Expression.Pow(-2.0 - r, 0.5)),
            Expression.Sum(r) / 0.0 + Expression.Sum(r),
            Expression.Sum(1.0 / (r - r)),
            Expression.Sum(Expression.Pow(r, 900.0)),
        ];
        foreach (var e in invalid)
        {
            var evaluator = new ModelEvaluator(new CompiledModel(e, Taper.Copper), table);
            Assert.Equal(structures.Length, evaluator.Evaluate(EvaluationOutputs.AllJacobians));
        }
    }

    [Fact]
    public void JacobianEvaluationDoesNotAllocateOnceWarm()
    {
        var structures = Nvt300.Value.Structures;
        var evaluator = new ModelEvaluator(new CompiledModel(ModelEvaluatorTests.Gp1(), Taper.Copper), new PairTable(structures, Taper.Copper))
            { MaxDegreeOfParallelism = 1 };
        evaluator.Evaluate(EvaluationOutputs.AllJacobians);
        var before = GC.GetAllocatedBytesForCurrentThread();
        evaluator.Evaluate(EvaluationOutputs.ForceAndStressJacobian);
        evaluator.Evaluate(EvaluationOutputs.AllJacobians);
        evaluator.Evaluate();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, evaluator.Evaluate(EvaluationOutputs.AllJacobians));
    }
}
