using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Search;
using PoetSharp.Tests.Cli;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Fitting;

/// <summary>
/// The amplitudes of a model (<see cref="LinearConstants"/>) and their exact solve before a constant fit
/// (<see cref="LinearProjection"/>): the classification is checked against the residuals themselves (they must be
/// jointly affine in the constants called amplitudes), and the solve against data made by a known potential.
/// </summary>
public class LinearProjectionTests(ITestOutputHelper output)
{
    private static readonly Lazy<Dataset> SuttonChen = new(() =>
    {
        var all = PoetFolder.Read(TestData.Repo("poet", "EAM_Cu"));
        return new Dataset(SearchProblem.Spread(all.Structures, 8), "EAM_Cu (8)");
    });

    private static readonly Lazy<Dataset> Alloy = new(() =>
    {
        var all = DataFiles.Read(TestData.Repo("alloy", "CuNi_RTS", "CuNi_RTS.xyz"));
        return new Dataset(SearchProblem.Spread(all.Structures, 6), "CuNi_RTS (6)");
    });

    /// <summary>Whether each constant of <paramref name="text"/> was called an amplitude, looked up by value (every constant of that value must agree).</summary>
    private static Func<double, bool> Classify(string text)
    {
        var model = ExpressionParser.ParseModel(text);
        var linear = LinearConstants.Of(model);
        return value =>
        {
            var flags = Enumerable.Range(0, model.ConstantCount).Where(k => model.Constants[k] == value).Select(k => linear[k]).Distinct().ToList();
            Assert.True(flags.Count == 1, $"{value} in {ExpressionPrinter.PrintExact(model)}: {flags.Count} verdicts");
            return flags[0];
        };
    }

    [Fact]
    public void AmplitudesAreTheConstantsInLinearPositions()
    {
        var gp = Classify("905.05*sum(0.03308^r) - 5.2676*sum((0.669^r)^r)^0.5636");
        Assert.True(gp(905.05));
        Assert.False(gp(0.03308));
        Assert.True(gp(5.2676)); // c·(Σ…)^p: c multiplies, p and what is inside do not
        Assert.False(gp(0.669));
        Assert.False(gp(0.5636));

        var inside = Classify("sum(7*r^-9) + sum(r^-6)*3 - sum(2.5)");
        Assert.True(inside(7));   // Σ_j c·g is c·Σ_j g
        Assert.False(inside(-9));
        Assert.True(inside(3));   // right-hand constant factor
        Assert.True(inside(2.5)); // Σ_j c counts neighbours: linear in c
        Assert.False(inside(-6));

        var ends = Classify("(2*sum(r^-9))^0.5 + ang2(3*r^-2) + 4*sum(r^-6)/(sum(r^-8) + 5) + sum(r^-7)/6 + exp(8*sum(r^-5))");
        Assert.False(ends(2)); // inside a power
        Assert.False(ends(3)); // ρ_l(c·g) = c²ρ_l(g)
        Assert.True(ends(4));  // numerator of a ÷
        Assert.False(ends(5)); // denominator
        Assert.False(ends(6)); // c in the denominator is 1/c
        Assert.False(ends(8)); // inside exp

        var alloy = Classify("at[Ni](11*sum[Cu](r^-8) - (12*sum[Cu](r^-6) + 13*sum[Ni](r^-6))^0.5) + at[Cu](14*sum[Ni](r^-10))");
        Assert.True(alloy(11));
        Assert.False(alloy(12));
        Assert.False(alloy(13));
        Assert.True(alloy(14));
    }

    [Fact]
    public void ProductsOfTwoAmplitudesAreNeverBothAmplitudes()
    {
        // (4·Σ g)·(5·Σ h): one of the two; otherwise the energy would be bilinear in them.
        var model = ExpressionParser.ParseModel("(4*sum(r^-5))*(5*sum(r^-4)) + sum(r^-9)*(2*(sum(r^-6)*sum(r^-7)))");
        var linear = LinearConstants.Of(model);
        var amplitudes = Enumerable.Range(0, model.ConstantCount).Where(k => linear[k]).Select(k => model.Constants[k]).ToList();
        output.WriteLine(ExpressionPrinter.PrintExact(model));
        Assert.Contains(2.0, amplitudes);
        Assert.Single(amplitudes, a => a is 4 or 5);
        Assert.Equal(2, amplitudes.Count);
    }

    /// <summary>
    /// The definition checked against the residuals: moving all amplitudes at once by δ changes the residuals by exactly
    /// J_a δ (the objective's own Jacobian), and by twice that for 2δ, for random models of the search's grammar on one-
    /// and two-element data (metals prior and the alloy form included).
    /// </summary>
    [Fact]
    public void TheResidualsAreJointlyAffineInTheAmplitudesOfRandomSearchModels()
    {
        var random = new SearchRandom(20261205);
        var noise = new Random(7);
        int checkedModels = 0, amplitudes = 0, drawn = 0;
        foreach (var (data, elements) in new (Dataset, IReadOnlyList<string>?)[] { (SuttonChen.Value, null), (Alloy.Value, ["Cu", "Ni"]) })
        {
            var table = new PairTable(data.Structures, Taper.Copper);
            var scales = QuantityScales.Of(data.Structures);
            var valid = 0;
            while (valid < 40 && drawn < 2000)
            {
                drawn++;
                var model = Simplifier.Simplify(Grammar.Model(random, 3, 3, metalsPrior: true, unary: [NodeKind.Exp, NodeKind.Sqrt], elements));
                var linear = LinearConstants.Of(model);
                if (!linear.Contains(true)) continue;
                var objective = new FittingObjective(new ModelEvaluator(new CompiledModel(model, Taper.Copper), table) { MaxDegreeOfParallelism = 1 }, null, scales);
                int n = model.ConstantCount, m = objective.ResidualCount;
                var c0 = model.Constants.ToArray();
                var r0 = new double[m];
                var jacobian = new double[m * n];
                if (!objective.Evaluate(c0, r0, jacobian) || r0.Any(r => Math.Abs(r) > 1e6)) continue;
                var delta = new double[n];
                for (var k = 0; k < n; k++) if (linear[k]) delta[k] = (noise.NextDouble() - 0.5) * Math.Max(1, Math.Abs(c0[k]));
                var predicted = new double[m];
                for (var i = 0; i < m; i++)
                    for (var k = 0; k < n; k++) predicted[i] += jacobian[i * n + k] * delta[k];
                var scale = Math.Max(predicted.Max(Math.Abs), r0.Max(Math.Abs));
                foreach (var t in new[] { 1.0, 2.0 })
                {
                    var c = c0.Select((v, k) => v + t * delta[k]).ToArray();
                    var r = new double[m];
                    Assert.True(objective.Evaluate(c, r, default), $"{model}: invalid after moving its amplitudes");
                    for (var i = 0; i < m; i++)
                        Assert.True(Math.Abs(r[i] - r0[i] - t * predicted[i]) <= 1e-8 * scale,
                            $"{model}: residual {i} is not affine in the amplitudes ({r[i] - r0[i]} against {t * predicted[i]})");
                }
                valid++;
                amplitudes += linear.Count(x => x);
            }
            Assert.True(valid == 40, $"only {valid} usable random models of {drawn} draws");
            checkedModels += valid;
        }
        output.WriteLine($"{checkedModels} random models, {amplitudes} amplitudes, {drawn} draws");
    }

    /// <summary>Sutton–Chen with two amplitudes: ε·Σ (a/r)^n − ε·c·√(Σ (a/r)^m) written as A·Σ r^-9 − B·√(Σ r^-6).</summary>
    private const string SuttonChenAmplitudes = "644.52*sum(r^-9) - 22.97*sum(r^-6)^0.5";

    [Fact]
    public void TheSolveFindsTheAmplitudesOfAConvergedFitFromFarOff()
    {
        // At a converged fit the amplitudes are optimal for the other constants: from the same other constants and
        // amplitudes off by large factors, one solve must land on them again, and on the same cost.
        var model = ExpressionParser.ParseModel(SuttonChenAmplitudes);
        var linear = LinearConstants.Of(model);
        Assert.Equal(new[] { true, false, true, false, false }, linear);
        var objective = new FittingObjective(new ModelEvaluator(new CompiledModel(model, Taper.Copper), new PairTable(SuttonChen.Value.Structures, Taper.Copper)),
            null, QuantityScales.Of(SuttonChen.Value.Structures));
        var converged = new LevenbergMarquardt().Minimize(objective, model.Constants,
            new OptimizationBudget { MaxEvaluations = 500, RelativeCostTolerance = 1e-15, ParameterTolerance = 1e-15 });
        output.WriteLine($"converged fit: {model.WithConstants(converged.Parameters)}, cost {converged.Cost:E6} ({converged.StopReason})");
        Assert.Equal(644.52, converged.Parameters[0], 0.01 * 644.52);
        var start = converged.Parameters.ToArray();
        start[0] *= 37;
        start[2] *= 0.02;
        var before = objective.Cost(start);
        var (solved, cost) = LinearProjection.Apply(objective, start, linear, out var evaluations);
        Assert.Equal(1, evaluations);
        Assert.True(before > 1e4 * converged.Cost, $"the start should be far off (cost {before}, converged {converged.Cost})");
        // Predicted exactly, up to the rounding of a cost 1e15 times larger at the start.
        Assert.Equal(converged.Cost, cost, 1e-13 * before);
        Assert.Equal(converged.Cost, objective.Cost(solved), 1e-13 * before);
        for (var k = 0; k < start.Length; k++)
            Assert.Equal(converged.Parameters[k], solved[k], 1e-7 * Math.Abs(converged.Parameters[k]));
    }

    [Fact]
    public void TheSolveNeverRaisesTheCostAndLeavesModelsWithoutAmplitudesAlone()
    {
        var table = new PairTable(SuttonChen.Value.Structures, Taper.Copper);
        var scales = QuantityScales.Of(SuttonChen.Value.Structures);
        var random = new SearchRandom(3);
        for (var t = 0; t < 30; t++)
        {
            var model = Simplifier.Simplify(Grammar.Model(random, 3, 3, metalsPrior: true, unary: null, elements: null));
            var objective = new FittingObjective(new ModelEvaluator(new CompiledModel(model, Taper.Copper), table), null, scales);
            var before = objective.Cost(model.Constants);
            if (!double.IsFinite(before)) continue;
            var (solved, cost) = LinearProjection.Apply(objective, model.Constants, LinearConstants.Of(model), out _);
            if (double.IsPositiveInfinity(cost))
            {
                // Invalid with its Jacobian (a negative base under a fitted exponent): left as it was, as the optimiser would find it.
                Assert.Equal(model.Constants.ToArray(), solved);
                continue;
            }
            Assert.True(cost <= before * (1 + 1e-12) || !LinearConstants.Of(model).Contains(true), $"{model}: {cost} > {before}");
            Assert.True(objective.Cost(solved) <= before * (1 + 1e-9) + 1e-12, $"{model}: true cost rose");
        }
        var none = ExpressionParser.ParseModel("sum(r^-9)^0.5");
        var noneObjective = new FittingObjective(new ModelEvaluator(new CompiledModel(none, Taper.Copper), table), null, scales);
        var (same, _) = LinearProjection.Apply(noneObjective, none.Constants, LinearConstants.Of(none), out var used);
        Assert.Equal(0, used);
        Assert.Equal(none.Constants.ToArray(), same);
    }

    [Fact]
    public void AShortFitWithTheSolveGetsFurtherThanWithout()
    {
        // The search's candidate fit (30 evaluations) of the Sutton–Chen form from exponents near the truth and random amplitudes.
        var problem = new SearchProblem(SuttonChen.Value, null, Taper.Copper, 8);
        var truth = ExpressionParser.ParseModel(SuttonChenAmplitudes);
        var linear = LinearConstants.Of(truth);
        var objective = new FittingObjective(new ModelEvaluator(new CompiledModel(truth, Taper.Copper), problem.FitPairs), null, problem.Scales);
        var budget = new OptimizationBudget { MaxEvaluations = 30, RelativeCostTolerance = 1e-10, ParameterTolerance = 1e-10 };
        var noise = new Random(11);
        int better = 0, trials = 10;
        for (var t = 0; t < trials; t++)
        {
            var start = truth.Constants.ToArray();
            for (var k = 0; k < start.Length; k++)
                start[k] *= linear[k] ? Math.Pow(10, 4 * noise.NextDouble() - 2) : 1 + 0.05 * (noise.NextDouble() - 0.5);
            var with = TiedFit.Minimize(new LevenbergMarquardt(), objective, start, null, budget, linear);
            var without = TiedFit.Minimize(new LevenbergMarquardt(), objective, start, null, budget);
            Assert.True(with.Evaluations <= 30);
            output.WriteLine($"trial {t}: with the solve {with.Cost:E3} ({with.Evaluations} evaluations), without {without.Cost:E3}");
            if (with.Cost <= without.Cost) better++;
        }
        Assert.True(better >= 8, $"the solve helped in only {better} of {trials} fits");
    }

    [Fact]
    public void TheSolveIsASettingTheSummaryStatesAndAResumedRunKeeps()
    {
        var fake = new FakeServices();
        fake.Data["sc"] = SuttonChen.Value;
        string[] small = ["--threads", "1", "--islands", "2", "--population", "8", "--fit-structures", "3", "--constant-evaluations", "5", "--seed", "4", "--no-properties"];
        var on = Path.Combine(TestData.TempDir(), "on");
        var run = fake.Run(["fit", "--data", "sc", "--generations", "1", "--out", on, .. small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("amplitudes solved exactly first", File.ReadAllText(Path.Combine(on, "summary.md")));
        Assert.True(SearchCheckpoint.ReadHeader(Path.Combine(on, SearchCheckpoint.FileName)).Settings.SolveAmplitudes);
        fake.Run("fit", "--resume", on, "--generations", "2", "--threads", "1", "--no-amplitude-solve").AssertOneLineError(1);

        var off = Path.Combine(TestData.TempDir(), "off");
        run = fake.Run(["fit", "--data", "sc", "--generations", "1", "--no-amplitude-solve", "--out", off, .. small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("no amplitude solve", File.ReadAllText(Path.Combine(off, "summary.md")));
        Assert.False(SearchCheckpoint.ReadHeader(Path.Combine(off, SearchCheckpoint.FileName)).Settings.SolveAmplitudes);
    }
}
