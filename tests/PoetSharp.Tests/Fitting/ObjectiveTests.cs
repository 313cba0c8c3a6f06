using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Tests.Evaluation;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Fitting;

public class ObjectiveTests(ITestOutputHelper output)
{
    internal static readonly Lazy<Dataset> Training = new(() => Dataset.Concat("DFT_Cu training",
        PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_300K")),
        PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_1400K")),
        PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NPT_FCC_1400K"))));

    /// <summary>A few training structures (copies) with unequal weights, one without forces and one without stress.</summary>
    private static List<Structure> Few()
    {
        var all = Training.Value.Structures;
        var picked = new[] { 0, 7, 60, 95, 120, 149 }.Select(i => all[i].Clone()).ToList();
        for (var s = 0; s < picked.Count; s++) picked[s].Weight = 0.5 + s;
        picked[3].Forces = null; // a structure without forces contributes no force residuals
        picked[4].Stress = null;
        return picked;
    }

    private static double[] Residuals(FittingObjective objective, double[] constants)
    {
        var r = new double[objective.ResidualCount];
        Assert.True(objective.Evaluate(constants, r, Span<double>.Empty));
        return r;
    }

    [Fact]
    public void Jacobian_matches_central_differences()
    {
        var gp1 = ModelEvaluatorTests.Gp1();
        var objective = new FittingObjective(gp1, Taper.Copper, Few());
        Assert.Equal(6, objective.EnergyResidualCount);
        Assert.Equal(3 * 5 * 32, objective.ForceResidualCount);
        Assert.Equal(6 * 5, objective.StressResidualCount);
        var c0 = gp1.Constants.ToArray();
        int K = c0.Length, M = objective.ResidualCount;
        var r0 = new double[M];
        var jacobian = new double[M * K];
        Assert.True(objective.Evaluate(c0, r0, jacobian));
        Assert.Equal(r0, Residuals(objective, c0)); // the Jacobian changes nothing in the residuals

        var worst = 0.0;
        for (var k = 0; k < K; k++)
        {
            var h = 1e-5 * Math.Max(1, Math.Abs(c0[k]));
            var plus = (double[])c0.Clone(); plus[k] += h;
            var minus = (double[])c0.Clone(); minus[k] -= h;
            var rp = Residuals(objective, plus);
            var rm = Residuals(objective, minus);
            var scale = 0.0;
            for (var i = 0; i < M; i++) scale = Math.Max(scale, Math.Abs(jacobian[i * K + k]));
            for (var i = 0; i < M; i++)
            {
                var numeric = (rp[i] - rm[i]) / (2 * h);
                var error = Math.Abs(numeric - jacobian[i * K + k]) / scale;
                worst = Math.Max(worst, error);
                Assert.True(error < 1e-5, $"residual {i}, constant {k}: analytic {jacobian[i * K + k]}, numeric {numeric}");
            }
        }
        output.WriteLine($"{M} residuals × {K} constants, worst relative difference {worst:E2}");
    }

    [Fact]
    public void Cost_at_GP1_reproduces_the_standardised_error_tables()
    {
        var data = Training.Value;
        var gp1 = ModelEvaluatorTests.Gp1();
        var objective = new FittingObjective(gp1, Taper.Copper, data.Structures);
        var r = Residuals(objective, gp1.Constants.ToArray());
        double SumOfSquares(int from, int count) => r.AsSpan(from, count).ToArray().Sum(x => x * x);
        var energy = SumOfSquares(0, objective.EnergyResidualCount);
        var forces = SumOfSquares(objective.EnergyResidualCount, objective.ForceResidualCount);
        var stress = SumOfSquares(objective.EnergyResidualCount + objective.ForceResidualCount, objective.StressResidualCount);
        Assert.Equal(6 * data.Count, objective.StressResidualCount);

        var errors = PotentialErrors.Evaluate(new ModelPotential(gp1, Taper.Copper), data);
        var sigmaE = ValueRange.Of(data.Structures.Select(s => s.EnergyPerAtom!.Value))!.Value.StdDev;
        var sigmaF = ValueRange.Of(data.Structures.SelectMany(s => s.Forces!.SelectMany(f => new[] { f.X, f.Y, f.Z })))!.Value.StdDev;
        var sigmaS = ValueRange.Of(data.Structures.SelectMany(s => s.Stress!.Value.ToVoigt()))!.Value.StdDev;
        var rmseS = errors.Overall.Stress!.Rmse / Units.GPaPerEvPerA3;
        var rmseE = errors.Overall.Energy!.Rmse / 1000;
        var rmseF = errors.Overall.Forces!.Rmse;
        output.WriteLine($"σ_E {sigmaE * 1000:F3} meV/atom, σ_F {sigmaF:F4} eV/Å; RMSE {rmseE * 1000:F3} meV/atom, {rmseF:F4} eV/Å; " +
            $"σ_S {sigmaS * Units.GPaPerEvPerA3:F4} GPa, stress RMSE {errors.Overall.Stress!.Rmse:F4} GPa; " +
            $"energy term {energy:F5}, force term {forces:F5}, stress term {stress:F5}, cost {objective.Cost(gp1.Constants):F5}");
        Assert.Equal(4.83, rmseE * 1000, 0.01);
        Assert.Equal(rmseE * rmseE / (sigmaE * sigmaE), energy, 1e-10);
        Assert.Equal(rmseF * rmseF / (sigmaF * sigmaF), forces, 1e-10);
        Assert.Equal(rmseS * rmseS / (sigmaS * sigmaS), stress, 1e-10);
        Assert.Equal(0.5 * (energy + forces + stress), objective.Cost(gp1.Constants), 1e-12);
        Assert.Equal(errors.EnergyShift, objective.EnergyShift, 1e-12);
        Assert.Equal(sigmaE, objective.Scales.Energy, 1e-15);
        Assert.Equal(sigmaS, objective.Scales.Stress, 1e-15);
    }

    [Fact]
    public void Energy_shift_is_solved_exactly()
    {
        var gp1 = ModelEvaluatorTests.Gp1();
        var c = gp1.Constants.ToArray();
        var structures = Few();
        var shifted = structures.Select(s => { var x = s.Clone(); x.Energy += 0.37 * x.Count; return x; }).ToList();
        var a = new FittingObjective(gp1, Taper.Copper, structures);
        var b = new FittingObjective(gp1, Taper.Copper, shifted);
        var ra = Residuals(a, c);
        var rb = Residuals(b, c);
        for (var i = 0; i < ra.Length; i++) Assert.Equal(ra[i], rb[i], 1e-9);
        Assert.Equal(a.EnergyShift + 0.37, b.EnergyShift, 1e-9);
    }

    [Fact]
    public void Weights_remove_and_scale_residuals()
    {
        var gp1 = ModelEvaluatorTests.Gp1();
        var c = gp1.Constants.ToArray();
        var structures = Training.Value.Structures.Take(5).Select(s => s.Clone()).ToList();
        var plain = new FittingObjective(gp1, Taper.Copper, structures);
        var rPlain = Residuals(plain, c);

        var energyOnly = new FittingObjective(gp1, Taper.Copper, structures, new ObjectiveWeights(Forces: 0, Stress: 0));
        Assert.Equal(plain.EnergyResidualCount, energyOnly.ResidualCount);
        Assert.Equal(rPlain[..energyOnly.ResidualCount], Residuals(energyOnly, c));
        var jacobian = new double[energyOnly.ResidualCount * energyOnly.ParameterCount];
        Assert.True(energyOnly.Evaluate(c, new double[energyOnly.ResidualCount], jacobian));
        Assert.Empty(energyOnly.Evaluator.ForceJacobian); // only the energy Jacobian was asked for

        var doubled = new FittingObjective(gp1, Taper.Copper, structures, new ObjectiveWeights(Energy: 4, Forces: 4, Stress: 4));
        var rDoubled = Residuals(doubled, c);
        for (var i = 0; i < rPlain.Length; i++) Assert.Equal(2 * rPlain[i], rDoubled[i], 1e-12);

        var weighted = structures.Select(s => s.Clone()).ToList();
        weighted[2].Weight = 4;
        var heavy = new FittingObjective(gp1, Taper.Copper, weighted);
        var rHeavy = Residuals(heavy, c);
        // Structure 2's force and stress residuals double, the others stay.
        var atoms = structures.Select(s => s.Count).ToArray();
        var forceStart = 5 + 3 * (atoms[0] + atoms[1]);
        var stressStart = 5 + 3 * atoms.Sum() + 6 * 2;
        for (var i = 5; i < rPlain.Length; i++)
        {
            var inside = (i >= forceStart && i < forceStart + 3 * atoms[2]) || (i >= stressStart && i < stressStart + 6);
            Assert.Equal((inside ? 2 : 1) * rPlain[i], rHeavy[i], 1e-12);
        }
        // Energies: centred on the weighted mean, structure 2's residual doubled.
        var predicted = heavy.Evaluator.Energies.Select((e, s) => e / atoms[s]).ToArray();
        var shift = PotentialErrors.BestEnergyShift(weighted.Select((s, i) => (s.EnergyPerAtom!.Value, predicted[i], s.Weight)));
        var k = Math.Sqrt(1.0 / 5) / heavy.Scales.Energy;
        for (var s = 0; s < 5; s++)
            Assert.Equal((s == 2 ? 2 : 1) * k * (predicted[s] + shift - weighted[s].EnergyPerAtom!.Value), rHeavy[s], 1e-12);
    }

    [Fact]
    public void Invalid_constants_give_false()
    {
        var gp1 = ModelEvaluatorTests.Gp1();
        var c = gp1.Constants.ToArray();
        var objective = new FittingObjective(gp1, Taper.Copper, Few());
        // (Σ 0.33^r f)^(−1) with base 0 divides by zero.
        c[Array.IndexOf(c, 0.33)] = 0;
        Assert.False(objective.Evaluate(c, new double[objective.ResidualCount], new double[objective.ResidualCount * c.Length]));
        Assert.Equal(double.PositiveInfinity, objective.Cost(c));
    }

    [Fact]
    public void Evaluation_allocates_nothing_after_warm_up()
    {
        var gp1 = ModelEvaluatorTests.Gp1();
        var c = gp1.Constants.ToArray();
        var objective = new FittingObjective(gp1, Taper.Copper, Few());
        objective.Evaluator.MaxDegreeOfParallelism = 1;
        var r = new double[objective.ResidualCount];
        var j = new double[objective.ResidualCount * c.Length];
        Assert.True(objective.Evaluate(c, r, j));
        Assert.True(objective.Evaluate(c, r, Span<double>.Empty));
        var before = GC.GetAllocatedBytesForCurrentThread();
        objective.Evaluate(c, r, j);
        objective.Evaluate(c, r, Span<double>.Empty);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Wrong_sizes_and_bad_weights_are_rejected()
    {
        var gp1 = ModelEvaluatorTests.Gp1();
        var c = gp1.Constants.ToArray();
        var objective = new FittingObjective(gp1, Taper.Copper, Few());
        Assert.Throws<ArgumentException>(() => objective.Evaluate(c, new double[objective.ResidualCount - 1], Span<double>.Empty));
        Assert.Throws<ArgumentException>(() => objective.Evaluate(c, new double[objective.ResidualCount], new double[3]));
        Assert.Throws<ArgumentException>(() => objective.Evaluate(c[1..], new double[objective.ResidualCount], Span<double>.Empty));
        Assert.Throws<ArgumentException>(() => new FittingObjective(gp1, Taper.Copper, Few(), new ObjectiveWeights(Energy: -1)));
    }
}
