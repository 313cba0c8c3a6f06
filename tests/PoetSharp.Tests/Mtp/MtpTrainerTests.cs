using PoetSharp.Atoms;
using PoetSharp.Mtp;
using PoetSharp.Potentials;

namespace PoetSharp.Tests.Mtp;

public class MtpTrainerTests
{
    /// <summary>Cu–Ni cells labelled by a "teacher" MTP: exact energies, forces and stresses of a known model.</summary>
    internal static List<Structure> Labelled(MtpModel teacher, int count, int seed)
    {
        var potential = new MtpPotential(teacher, threads: 1);
        var result = new List<Structure>();
        for (var k = 0; k < count; k++)
        {
            var s = MtpModelTests.Alloy(seed + k, slab: k % 4 == 3, a: 3.5 + 0.05 * (k % 5));
            var r = potential.Compute(s);
            s.Energy = r.Energy;
            s.Forces = r.Forces.ToArray();
            if (s.Cell.FullyPeriodic) s.Stress = r.Stress;
            result.Add(s);
        }
        return result;
    }

    [Fact]
    public void LossGradientMatchesFiniteDifferencesForEveryParameter()
    {
        var teacher = MtpModelTests.RandomModel(8, ["Cu", "Ni"], 3);
        var data = Labelled(teacher, 5, 10);
        var trainer = new MtpTrainer(data, ["Cu", "Ni"], teacher.Cutoff, new MtpLossWeights(1, 0.05, 0.01), threads: 1);
        var model = MtpModelTests.RandomModel(8, ["Cu", "Ni"], 21);
        var analytic = new double[model.ParameterCount];
        trainer.LossAndGradient(model, analytic);
        var p = model.Parameters();
        var rng = new Random(4);
        // Every radial parameter and a sample of the linear ones (the loss is quadratic in those: differences are exact).
        var indices = Enumerable.Range(0, model.RadialParameterCount).Concat(Enumerable.Range(model.RadialParameterCount, model.LinearParameterCount).Where(_ => rng.Next(4) == 0));
        var span = new double[model.ParameterCount];
        foreach (var k in indices)
        {
            var h = 1e-5 * Math.Max(1, Math.Abs(p[k]));
            var plus = (double[])p.Clone(); plus[k] += h;
            var minus = (double[])p.Clone(); minus[k] -= h;
            var numeric = (trainer.LossAndGradient(model.WithParameters(plus), span).Loss - trainer.LossAndGradient(model.WithParameters(minus), span).Loss) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[k]) <= 1e-5 * (1 + Math.Abs(numeric)), $"parameter {k}: analytic {analytic[k]}, numeric {numeric}");
        }
    }

    [Fact]
    public void LinearSolveRecoversTheTeachersCoefficientsGivenItsRadialFunctions()
    {
        var teacher = MtpModelTests.RandomModel(10, ["Cu", "Ni"], 5);
        var data = Labelled(teacher, 16, 30);
        var trainer = new MtpTrainer(data, ["Cu", "Ni"], teacher.Cutoff, new MtpLossWeights(), ridge: 0);
        var blank = teacher.WithLinear(new double[2], new double[teacher.Basis.ScalarCount]);
        var solved = trainer.SolveLinear(blank);
        var gradient = new double[solved.ParameterCount];
        var (loss, eRmse, fRmse) = trainer.LossAndGradient(solved, gradient);
        Assert.True(eRmse < 1e-7 && fRmse < 1e-6, $"energy RMSE {eRmse} eV/atom, force RMSE {fRmse} eV/Å with the teacher's radial functions");
        // At the solution the loss is stationary in the linear coefficients (what the envelope-theorem gradient relies on).
        var linear = gradient.AsSpan(solved.RadialParameterCount).ToArray();
        Assert.True(linear.Max(Math.Abs) < 1e-6 * Math.Max(1, loss) + 1e-9, $"linear gradient {linear.Max(Math.Abs)} at the least-squares solution");
    }

    [Fact]
    public void FittingFromOtherRadialFunctionsLowersTheLossByOrdersOfMagnitude()
    {
        var teacher = MtpModelTests.RandomModel(8, ["Cu", "Ni"], 7);
        var data = Labelled(teacher, 12, 50);
        var trainer = new MtpTrainer(data, ["Cu", "Ni"], teacher.Cutoff, new MtpLossWeights());
        var start = MtpModel.Untrained(8, ["Cu", "Ni"], teacher.MinDistance, teacher.Cutoff, teacher.RadialBasisSize, seed: 99,
            scaling: trainer.SuggestedScaling(teacher.Cutoff));
        var losses = new List<double>();
        var fitted = trainer.Fit(start, maxIterations: 60, p => losses.Add(p.Loss));
        var first = losses[0];
        var last = trainer.LossAndGradient(fitted, new double[fitted.ParameterCount]).Loss;
        Assert.True(last < 1e-2 * first, $"loss {first} at the start, {last} after fitting ({losses.Count} evaluations)");
    }
}
