using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Search;
using PoetSharp.Tests.Cli;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Search;

/// <summary>
/// Shared pair functions (φ_AB = φ_BA, <c>--symmetric-pairs</c>): tying mirrors the pair terms and equalises their
/// constants, a tied fit keeps them equal, its Jacobian is right, the split it gives is the physical one (both atoms of
/// a bond get the same share), and the search uses it on every candidate.
/// </summary>
public class PairSymmetryTests
{
    private static readonly Lazy<Dataset> Alloy = new(() =>
    {
        var all = DataFiles.Read(TestData.Repo("alloy", "CuNi_RTS", "CuNi_RTS.xyz"));
        return new Dataset(SearchProblem.Spread(all.Structures, 6), "CuNi_RTS (6)");
    });

    private static Structure Dimer(double r) => new(Cell.NonPeriodic(), [new Vec3(0, 0, 0), new Vec3(r, 0, 0)], ["Cu", "Ni"]);

    [Fact]
    public void TyingAddsTheMissingMirrorsAndEqualisesTheConstantsOfThosePresent()
    {
        var model = ExpressionParser.ParseModel(
            "at[Ni](5*sum[Cu](r^-8) + 2*sum[Ni](r^-9) - (sum[Cu](r^-6) + sum[Ni](r^-6))^0.5) + " +
            "at[Cu](3*sum[Ni](r^-10) + 4*sum[Cu](r^-9) - 0.5*sum[Ni](0.3^r) - (sum[Cu](r^-6) + sum[Ni](r^-6))^0.5)");
        Assert.False(PairSymmetry.IsSymmetric(model));
        var tied = PairSymmetry.Tie(model);
        Assert.True(PairSymmetry.IsSymmetric(tied));
        var text = ExpressionPrinter.PrintExact(tied);
        // The matched r^-k terms meet in the middle (amplitude 4, exponent −9); the Cu-side −0.5·sum[Ni](0.3^r) gains its mirror in Ni's expression.
        Assert.Contains("4*sum[Cu](r^-9)", text);
        Assert.Contains("4*sum[Ni](r^-9)", text);
        Assert.Contains("0.5*sum[Cu](0.3^r)", text);
        Assert.Contains("0.5*sum[Ni](0.3^r)", text);
        // Same-element sums and densities are left alone.
        Assert.Contains("2*sum[Ni](r^-9)", text);
        Assert.Equal(text, ExpressionPrinter.PrintExact(PairSymmetry.Tie(tied)));
        // Ties: the r^-9 pair (2 constants) and the 0.3^r pair (2) are shared, so 4 fewer free constants.
        var ties = PairSymmetry.Ties(tied)!;
        Assert.Equal(tied.ConstantCount - 4, ties.Max() + 1);
    }

    [Fact]
    public void BothAtomsOfABondGetTheSameShareAndTheObservablesAreThoseOfTheOneSidedForm()
    {
        // All of the Cu–Ni bond's energy on the Cu atom, against half on each.
        var oneSided = ExpressionParser.ParseModel("at[Ni](sum[Ni](r^-9)) + at[Cu](2*sum[Ni](700*r^-9) + sum[Cu](r^-9))");
        var shared = ExpressionParser.ParseModel("at[Ni](sum[Ni](r^-9) + sum[Cu](700*r^-9)) + at[Cu](sum[Ni](700*r^-9) + sum[Cu](r^-9))");
        Assert.True(PairSymmetry.IsSymmetric(Simplifier.Simplify(shared)));
        var dimer = Dimer(2.4);
        var a = new ModelPotential(oneSided, Taper.Copper).Compute(dimer);
        var energies = a.AtomEnergies.ToArray();
        var b = new ModelPotential(shared, Taper.Copper).Compute(dimer);
        Assert.Equal(a.Energy, b.Energy, 1e-9);
        Assert.Equal(a.Forces[0].X, b.Forces[0].X, 1e-9);
        Assert.Equal(0, energies[1]);
        Assert.Equal(b.AtomEnergies[0], b.AtomEnergies[1], 1e-12);
        var cell = Alloy.Value.Structures[2];
        var pa = new ModelPotential(oneSided, Taper.Copper).Compute(cell);
        var energy = pa.Energy;
        var stress = pa.Stress;
        var pb = new ModelPotential(shared, Taper.Copper).Compute(cell);
        Assert.Equal(energy, pb.Energy, 1e-8 * Math.Abs(energy));
        Assert.Equal(stress.Xx, pb.Stress.Xx, 1e-10);
    }

    [Fact]
    public void TheTiedJacobianIsTheSumOfTheTiedColumnsAsFiniteDifferencesSay()
    {
        var model = PairSymmetry.Tie(ExpressionParser.ParseModel(
            "at[Ni](3*sum[Cu](r^-9) + 2*sum[Ni](r^-9) - (40*sum[Cu](r^-6) + 30*sum[Ni](r^-6))^0.5) + " +
            "at[Cu](3*sum[Ni](r^-9) + 2*sum[Cu](r^-9) - (30*sum[Cu](r^-6) + 40*sum[Ni](r^-6))^0.5)"));
        var data = Alloy.Value;
        var objective = new FittingObjective(new ModelEvaluator(new CompiledModel(model, Taper.Copper), new PairTable(data.Structures, Taper.Copper)),
            new SearchSettings().Weights, QuantityScales.Of(data.Structures));
        var tied = new TiedProblem(objective, PairSymmetry.Ties(model)!);
        var p = tied.Reduce(model.Constants);
        Assert.Equal(model.Constants.ToArray(), tied.Expand(p));
        int m = tied.ParameterCount, n = tied.ResidualCount;
        var residuals = new double[n];
        var jacobian = new double[n * m];
        Assert.True(tied.Evaluate(p, residuals, jacobian));
        var plus = new double[n];
        var minus = new double[n];
        for (var j = 0; j < m; j++)
        {
            var h = 1e-6 * Math.Max(1, Math.Abs(p[j]));
            var q = (double[])p.Clone();
            q[j] = p[j] + h;
            Assert.True(tied.Evaluate(q, plus, default));
            q[j] = p[j] - h;
            Assert.True(tied.Evaluate(q, minus, default));
            var scale = Enumerable.Range(0, n).Max(i => Math.Abs(jacobian[i * m + j])) + 1e-12;
            for (var i = 0; i < n; i++) Assert.True(Math.Abs((plus[i] - minus[i]) / (2 * h) - jacobian[i * m + j]) < 1e-5 * scale, $"parameter {j}, residual {i}");
        }
    }

    [Fact]
    public void ATiedFitKeepsThePairFunctionsSharedAndLowersTheCost()
    {
        var problem = new SearchProblem(Alloy.Value, null, Taper.Copper, 6);
        var settings = new SearchSettings { SymmetricPairs = true, MaxGenerations = 1 };
        var start = PairSymmetry.Tie(ExpressionParser.ParseModel(
            "at[Ni](500*sum[Cu](r^-9) + 600*sum[Ni](r^-9) - (400*sum[Cu](r^-6) + 700*sum[Ni](r^-6))^0.5) + " +
            "at[Cu](500*sum[Ni](r^-9) + 600*sum[Cu](r^-9) - (500*sum[Cu](r^-6) + 500*sum[Ni](r^-6))^0.5)"));
        var polished = problem.Polish(start, settings, 60);
        Assert.True(PairSymmetry.IsSymmetric(polished));
        Assert.NotEqual(start.Constants.ToArray(), polished.Constants.ToArray());
        var untied = problem.Polish(start, settings with { SymmetricPairs = false }, 60);
        Assert.False(PairSymmetry.IsSymmetric(untied)); // without the setting the two copies drift apart
    }

    [Fact]
    public void TiedModelsKeepTheirMirrorsThroughTheirPrintedForm()
    {
        // Found in a search: Cu's Cu–Ni pair term leads its chain as (−c)·Σ, Ni's mirror follows as + (−c)·Σ. Symmetric as
        // it is, but its printed form (what model files hold) folds the second into − c·Σ and cannot fold the first.
        var found = ExpressionParser.ParseModel(
            "at[Ni](-5.008*sum[Ni](0.449^r) + -2.307*sum[Cu](0.469^r) - (0.215*sum[Ni](0.232^r) + 0.205*sum[Cu](0.209^r))^-0.92) + " +
            "at[Cu](-2.307*sum[Ni](0.469^r) - 0.04*sum[Cu](1.37^r) - (1.3E-06*sum[Ni](0.00027^r) + 1.2E-10*sum[Cu](0.026^r))^-0.087)");
        Expression RoundTrip(Expression e) => ExpressionParser.ParseModel(ExpressionPrinter.Print(e));
        Assert.True(PairSymmetry.IsSymmetric(found));
        Assert.False(PairSymmetry.IsSymmetric(RoundTrip(found)));

        // Tying writes no pair term first (here Cu's moves behind its own-element term), adds nothing, changes no energy.
        var tied = PairSymmetry.Tie(found);
        Assert.Equal(found.Complexity, tied.Complexity);
        Assert.StartsWith("at[Ni](-5.008*sum[Ni](0.449^r) + -2.307*sum[Cu](0.469^r)", ExpressionPrinter.PrintExact(tied));
        Assert.Contains("at[Cu](-0.04*sum[Cu](1.37^r) - ", ExpressionPrinter.PrintExact(tied));
        Assert.True(PairSymmetry.IsSymmetric(tied));
        Assert.True(PairSymmetry.IsSymmetric(RoundTrip(tied)));
        Assert.Equal(ExpressionPrinter.PrintExact(tied), ExpressionPrinter.PrintExact(PairSymmetry.Tie(tied)));
        var cell = Alloy.Value.Structures[2];
        var before = new ModelPotential(found, Taper.Copper).Compute(cell);
        var after = new ModelPotential(tied, Taper.Copper).Compute(cell);
        Assert.Equal(before.Energy, after.Energy, 1e-9 * Math.Abs(before.Energy));
        Assert.Equal(before.Forces[3].Y, after.Forces[3].Y, 1e-9);

        // A fit may turn the tied amplitude's sign; both mirrors still fold alike.
        var constants = tied.Constants.ToArray();
        for (var k = 0; k < constants.Length; k++) if (constants[k] == -2.307) constants[k] = 2.307;
        var flipped = tied.WithConstants(constants);
        Assert.True(PairSymmetry.IsSymmetric(flipped));
        Assert.True(PairSymmetry.IsSymmetric(RoundTrip(flipped)));

        // A leading subtracted term that is a constant product can lead instead, its constant negated.
        var onlyNegative = PairSymmetry.Tie(ExpressionParser.ParseModel("at[Ni](2*sum[Cu](r^-9) - 3*sum[Ni](r^-9)) + at[Cu](sum[Cu](r^-9) + 2*sum[Ni](r^-9))"));
        Assert.StartsWith("at[Ni](-3*sum[Ni](r^-9) + 2*sum[Cu](r^-9))", ExpressionPrinter.PrintExact(onlyNegative));
        Assert.True(PairSymmetry.IsSymmetric(RoundTrip(onlyNegative)));
    }

    [Fact]
    public void TheSearchTiesEveryCandidateAndARunKeepsTheSetting()
    {
        var fake = new FakeServices();
        fake.Data["alloy"] = Alloy.Value;
        var dir = Path.Combine(TestData.TempDir(), "run");
        string[] small = ["--threads", "1", "--islands", "2", "--population", "8", "--fit-structures", "3", "--constant-evaluations", "5", "--seed", "4", "--no-properties"];
        var run = fake.Run(["fit", "--data", "alloy", "--generations", "2", "--symmetric-pairs", "--out", dir, .. small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var front = RunOutputs.Read(dir);
        Assert.NotEmpty(front.Front);
        foreach (var entry in front.Front)
            Assert.True(PairSymmetry.IsSymmetric(ModelFile.Read(Path.Combine(dir, entry.ModelFile)).Expression), entry.Expression);
        Assert.Contains("φ_AB = φ_BA", File.ReadAllText(Path.Combine(dir, "summary.md")));
        Assert.Contains("size limits: 31 nodes", File.ReadAllText(Path.Combine(dir, "summary.md")));
        Assert.True(SearchCheckpoint.ReadHeader(Path.Combine(dir, SearchCheckpoint.FileName)).Settings.SymmetricPairs);
        // A run started without it cannot be resumed with it.
        var plain = Path.Combine(TestData.TempDir(), "plain");
        Assert.Equal(0, fake.Run(["fit", "--data", "alloy", "--generations", "1", "--out", plain, .. small]).ExitCode);
        fake.Run("fit", "--resume", plain, "--generations", "2", "--threads", "1", "--symmetric-pairs").AssertOneLineError(1);
    }

    [Fact]
    public void RefitSharesPairFunctionsAndSolvesAmplitudesWhenAsked()
    {
        var fake = new FakeServices();
        fake.Data["alloy"] = Alloy.Value;
        const string oneSided = "at[Ni](sum[Ni](700*r^-9) - sum(30*r^-6)^0.5) + at[Cu](2*sum[Ni](600*r^-9) + sum[Cu](650*r^-9) - sum(25*r^-6)^0.5)";
        var dir = Path.Combine(TestData.TempDir(), "refit");
        var run = fake.Run("refit", "--model", oneSided, "--data", "alloy", "--symmetric-pairs", "--max-evaluations", "40", "--out", dir, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var fitted = ModelFile.Read(Path.Combine(dir, "model.json")).Expression;
        Assert.True(PairSymmetry.IsSymmetric(fitted), ExpressionPrinter.PrintExact(fitted));
        Assert.Contains("sum[Cu](", ExpressionPrinter.Print(fitted.Subtree(fitted.CentralTerms[0].Node)));
        fake.Run("refit", "--model", "sum(700*r^-9) - sum(30*r^-6)^0.5", "--data", "alloy", "--symmetric-pairs", "--out", dir).AssertOneLineError(1);

        // Amplitudes off by large factors: five evaluations get much further with the solve than without.
        var rough = ExpressionParser.ParseModel("at[Ni](sum[Ni](7*r^-9) + sum[Cu](6*r^-9) - sum(3000*r^-6)^0.5) + at[Cu](sum[Ni](6*r^-9) + sum[Cu](6.5*r^-9) - sum(2500*r^-6)^0.5)");
        var budget = new OptimizationBudget { MaxEvaluations = 5 };
        var with = ConstantRefit.Run(rough, Taper.Copper, Alloy.Value, null, new LevenbergMarquardt(), null, budget, solveAmplitudes: true);
        var without = ConstantRefit.Run(rough, Taper.Copper, Alloy.Value, null, new LevenbergMarquardt(), null, budget);
        Assert.True(with.Optimization.Cost < 0.5 * without.Optimization.Cost, $"with the solve {with.Optimization.Cost}, without {without.Optimization.Cost}");
    }
}
