using PoetSharp.Atoms;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Search;
using PoetSharp.Tests.Cli;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Search;

/// <summary>The dimer-repulsion rows of a constant fit (<see cref="DimerRepulsion"/>), and the per-element crystals of the short-range check.</summary>
public sealed class DimerRepulsionTests
{
    private static SearchProblem Problem => SearchEngineTests.Problem.Value;

    private static DimerRepulsion CopperRows(double weight = 1) => new(["Cu"], Problem.ShortRange, Taper.Copper, weight, 0.1);

    [Fact]
    public void RowsAreZeroForARepulsiveModelAndPositiveForAnAttractiveOne()
    {
        var rows = CopperRows();
        // The check's dimer probe: 0.75 of the data's neighbour distance down to 0.5 Å in 0.05 Å steps, one row per step.
        Assert.Equal(CopperRowsFor(Problem.ShortRange), rows.RowCount);
        Assert.True(rows.RowCount >= 20);
        Assert.All(rows.Residuals(ExpressionParser.ParseModel("sum(644.52*r^-9) - sum(527.62*r^-6)^0.5")), r => Assert.Equal(0.0, r));
        var attractive = rows.Residuals(ExpressionParser.ParseModel("sum(-2*r^-6)"));
        Assert.All(attractive, r => Assert.True(r > 0));
        // Each row is √λ/σ_E · (E(r_k) − E(r_k+1) + δ): with λ = 4 every row doubles.
        var heavier = new DimerRepulsion(["Cu"], Problem.ShortRange, Taper.Copper, 4, 0.1).Residuals(ExpressionParser.ParseModel("sum(-2*r^-6)"));
        for (var k = 0; k < attractive.Length; k++) Assert.Equal(2 * attractive[k], heavier[k], 1e-9 * heavier[k]);
        // A flat pair (a constant inside the sum) does not rise either: the margin makes it pay.
        Assert.All(rows.Residuals(ExpressionParser.ParseModel("sum(-0.4)")), r => Assert.Equal(DimerRepulsion.Margin / 0.1, r, 1e-9));
    }

    [Fact]
    public void TheRowsJacobianEqualsCentralDifferences()
    {
        // A model attractive at short range (the density term wins as r falls), so that every hinge is active.
        var model = ExpressionParser.ParseModel("sum(3.1*r^-4.2) - 2.5*sum(40.3*r^-5.1)^0.9");
        var compiled = new CompiledModel(model, Taper.Copper);
        var data = new FittingObjective(new ModelEvaluator(compiled, Problem.FitPairs), ObjectiveWeights.Default, Problem.Scales);
        var problem = CopperRows().Append(data, compiled);
        Assert.Equal(data.ResidualCount + CopperRows().RowCount, problem.ResidualCount);
        var K = problem.ParameterCount;
        var n = problem.ResidualCount;
        var residuals = new double[n];
        var jacobian = new double[n * K];
        Assert.True(problem.Evaluate(model.Constants, residuals, jacobian));
        var active = 0;
        for (var k = 0; k < K; k++)
        {
            var h = 1e-6 * Math.Max(1, Math.Abs(model.Constants[k]));
            double[] up = model.Constants.ToArray(), down = model.Constants.ToArray();
            up[k] += h; down[k] -= h;
            var ru = new double[n];
            var rd = new double[n];
            Assert.True(problem.Evaluate(up, ru, default));
            Assert.True(problem.Evaluate(down, rd, default));
            for (var i = data.ResidualCount; i < n; i++)
            {
                if (residuals[i] == 0) continue;
                active++;
                var fd = (ru[i] - rd[i]) / (2 * h);
                Assert.Equal(fd, jacobian[i * K + k], 1e-5 * Math.Max(1, Math.Abs(fd)));
            }
        }
        Assert.True(active > 0);
        // The data's rows are the data objective's own.
        var alone = new double[data.ResidualCount];
        Assert.True(data.Evaluate(model.Constants, alone, default));
        Assert.Equal(alone, residuals[..data.ResidualCount]);
    }

    [Fact]
    public void TheRowsAloneMakeAFitRepulsive()
    {
        // No data at all, only the rows: a fit from an attractive pair ends with the dimer rising at every step of the
        // check's probe (the crystal probe is the check's alone: no rows stand for it).
        var start = ExpressionParser.ParseModel("sum(-1*r^-6) + sum(-1*r^-9)");
        Assert.False(Problem.ShortRange.Check(start).Passed);
        var rows = CopperRows();
        var fit = rows.Append(new NoData(start.ConstantCount), new CompiledModel(start, Taper.Copper));
        var result = new LevenbergMarquardt().Minimize(fit, start.Constants, new OptimizationBudget { MaxEvaluations = 200 });
        var fitted = start.WithConstants(result.Parameters);
        Assert.DoesNotContain("dimer", Problem.ShortRange.Check(fitted).Detail);
        Assert.Contains("dimer", Problem.ShortRange.Check(start).Detail);
        Assert.All(rows.Residuals(fitted), r => Assert.True(r < 1e-9, $"row {r}"));
    }

    private sealed class NoData(int parameters) : ILeastSquaresProblem
    {
        public int ParameterCount => parameters;
        public int ResidualCount => 0;
        public bool Evaluate(ReadOnlySpan<double> p, Span<double> residuals, Span<double> jacobian) => true;
    }

    [Fact]
    public void ACandidateFittedWithTheRowsKeepsItsDataFitness()
    {
        var settings = SearchEngineTests.Tiny(1) with { RepulsionWeight = 1, ConstantEvaluations = 60 };
        var start = ExpressionParser.ParseModel("sum(-50*r^-9) - sum(527.62*r^-6)^0.5");
        var outcome = new CandidateEvaluator(Problem, settings).Evaluate(start, 0);
        var candidate = Assert.IsType<Candidate>(outcome.Candidate);
        Assert.True(Problem.ShortRange.Check(candidate.Expression).Passed, Problem.ShortRange.Check(candidate.Expression).Detail);
        // The fitness is the data's cost at the fitted constants, without the rows.
        var data = new FittingObjective(new ModelEvaluator(new CompiledModel(candidate.Expression, Problem.Taper), Problem.FitPairs), settings.Weights, Problem.Scales);
        Assert.Equal(data.Cost(candidate.Expression.Constants), candidate.TrainingFitness, 1e-12 * candidate.TrainingFitness);
        Assert.Null(Problem.RepulsionOf(settings with { RepulsionWeight = 0 }));
    }

    [Fact]
    public void RowsRunOverEveryElementPair()
    {
        var check = new ShortRangeCheck(Taper.Copper, 2.5);
        var rows = new DimerRepulsion(["Cu", "Ni", "Al"], check, Taper.Copper, 1, 0.1);
        // Six unordered pairs, the same distances for each.
        Assert.Equal(6 * CopperRowsFor(check), rows.RowCount);
        // A Cu–Ni pair that attracts while the like pairs repel: only the Cu–Ni rows are positive.
        var model = ExpressionParser.ParseModel("at[Cu](sum[Cu](100*r^-9) + sum[Ni](-1*r^-6) + sum[Al](100*r^-9)) + at[Ni](sum[Ni](100*r^-9) + sum[Cu](-1*r^-6) + sum[Al](100*r^-9)) + at[Al](sum(100*r^-9))");
        var residuals = rows.Residuals(model);
        var perPair = CopperRowsFor(check);
        var positive = Enumerable.Range(0, 6).Where(p => residuals.Skip(p * perPair).Take(perPair).Any(r => r > 0)).ToArray();
        Assert.Equal([1], positive); // pairs in order Cu–Cu, Cu–Ni, Cu–Al, Ni–Ni, Ni–Al, Al–Al
    }

    private static int CopperRowsFor(ShortRangeCheck check)
    {
        var count = 0;
        for (var r = check.DimerStart * check.NearestNeighbour; r >= check.MinDistance - 1e-12; r -= check.Step) count++;
        return count - 1;
    }

    [Fact]
    public void TheWeightIsASettingTheSummaryStatesAndAResumedRunKeeps()
    {
        var fake = new FakeServices();
        fake.Data["cu"] = new PoetSharp.Data.Dataset(Problem.Training.Structures, "EAM_Cu");
        string[] small = ["--threads", "1", "--islands", "2", "--population", "8", "--fit-structures", "3", "--constant-evaluations", "5", "--seed", "4", "--no-properties"];
        var dir = Path.Combine(TestData.TempDir(), "repulsion");
        var run = fake.Run(["fit", "--data", "cu", "--generations", "1", "--repulsion-weight", "0.5", "--out", dir, .. small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("dimer-repulsion rows in every constant fit", File.ReadAllText(Path.Combine(dir, "summary.md")));
        Assert.Equal(0.5, SearchCheckpoint.ReadHeader(Path.Combine(dir, SearchCheckpoint.FileName)).Settings.RepulsionWeight);
        fake.Run("fit", "--resume", dir, "--generations", "2", "--threads", "1", "--repulsion-weight", "2").AssertOneLineError(1);
        run = fake.Run("fit", "--resume", dir, "--generations", "2", "--threads", "1", "--repulsion-weight", "0.5");
        Assert.True(run.ExitCode == 0, run.Stderr);
        // Without the option: no rows, and the summary says nothing of them.
        var plain = Path.Combine(TestData.TempDir(), "plain");
        Assert.Equal(0, fake.Run(["fit", "--data", "cu", "--generations", "1", "--out", plain, .. small]).ExitCode);
        Assert.DoesNotContain("dimer-repulsion", File.ReadAllText(Path.Combine(plain, "summary.md")));
        fake.Run(["fit", "--data", "cu", "--generations", "1", "--repulsion-weight", "-1", "--out", plain, .. small]).AssertOneLineError(1);
    }

    [Fact]
    public void DataOfSeveralElementsGetTheRowsUnlessAWeightIsGiven()
    {
        var fake = new FakeServices();
        var all = PoetSharp.Data.DataFiles.Read(TestData.Repo("alloy", "CuNi_RTS", "CuNi_RTS.xyz"));
        fake.Data["alloy"] = new PoetSharp.Data.Dataset(SearchProblem.Spread(all.Structures, 6), "CuNi_RTS (6)");
        string[] small = ["--threads", "1", "--islands", "2", "--population", "6", "--fit-structures", "3", "--constant-evaluations", "5", "--seed", "4", "--no-properties"];
        double Weight(string dir) => SearchCheckpoint.ReadHeader(Path.Combine(dir, SearchCheckpoint.FileName)).Settings.RepulsionWeight;
        var dir = Path.Combine(TestData.TempDir(), "alloy");
        var run = fake.Run(["fit", "--data", "alloy", "--generations", "1", "--out", dir, .. small]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(SearchSettings.SeveralElementsRepulsionWeight, Weight(dir));
        Assert.Contains("dimer-repulsion rows in every constant fit", File.ReadAllText(Path.Combine(dir, "summary.md")));
        // A resumed run keeps its weight without being told it again.
        Assert.True(fake.Run("fit", "--resume", dir, "--generations", "2", "--threads", "1").ExitCode == 0);
        Assert.Equal(SearchSettings.SeveralElementsRepulsionWeight, Weight(dir));
        // --repulsion-weight 0 turns them off; one element keeps none by default (TheWeightIsASettingTheSummaryStatesAndAResumedRunKeeps).
        var off = Path.Combine(TestData.TempDir(), "off");
        Assert.Equal(0, fake.Run(["fit", "--data", "alloy", "--generations", "1", "--repulsion-weight", "0", "--out", off, .. small]).ExitCode);
        Assert.Equal(0, Weight(off));
        Assert.DoesNotContain("dimer-repulsion", File.ReadAllText(Path.Combine(off, "summary.md")));
    }

    [Fact]
    public void RefitTakesTheRowsAndReportsTheShortRangeCheck()
    {
        var fake = new FakeServices();
        fake.Data["cu"] = new PoetSharp.Data.Dataset(Problem.Training.Structures, "EAM_Cu");
        var dir = Path.Combine(TestData.TempDir(), "refit-repulsion");
        const string start = "sum(-50*r^-9) - sum(527.62*r^-6)^0.5";
        var run = fake.Run("refit", "--model", start, "--data", "cu", "--repulsion-weight", "1", "--max-evaluations", "60", "--out", dir, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var shortRange = json.RootElement.GetProperty("shortRange");
        var fitted = PoetSharp.Models.ModelFile.Read(Path.Combine(dir, "model.json")).Expression;
        var verdict = ShortRangeCheck.For(Problem.Training.Structures, Taper.Copper).Check(fitted);
        Assert.Equal(verdict.Passed, shortRange.GetProperty("passed").GetBoolean());
        Assert.Equal(verdict.Detail, shortRange.GetProperty("detail").GetString());
        var rows = new DimerRepulsion(["Cu"], ShortRangeCheck.For(Problem.Training.Structures, Taper.Copper), Taper.Copper, 1, 0.1);
        Assert.True(rows.Residuals(fitted).Sum() < 1e-3 * rows.Residuals(ExpressionParser.ParseModel(start)).Sum());
        run = fake.Run("refit", "--model", start, "--data", "cu", "--max-evaluations", "5", "--out", dir);
        Assert.Contains("short range: ", run.Stdout);
        fake.Run("refit", "--model", start, "--data", "cu", "--repulsion-weight", "-1", "--out", dir).AssertOneLineError(1);
    }

    [Fact]
    public void BadWeightsAreRefused()
    {
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => CopperRows(0)).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => CopperRows(double.NaN)).Message);
        Assert.Contains("energy scale", Assert.Throws<ArgumentException>(() => new DimerRepulsion(["Cu"], Problem.ShortRange, Taper.Copper, 1, 0)).Message);
    }
}

/// <summary>The crystal of the short-range check's push probe: each element's own ground state at its own distance.</summary>
public sealed class ShortRangeHostTests
{
    private static Structure Crystal(string element, CrystalStructure lattice, double a, double energyPerAtom)
    {
        Vec3[] basis = lattice == CrystalStructure.Bcc ? [new(0, 0, 0), new(0.5, 0.5, 0.5)] : [new(0, 0, 0), new(0.5, 0.5, 0), new(0.5, 0, 0.5), new(0, 0.5, 0.5)];
        var positions = new List<Vec3>();
        for (var x = 0; x < 3; x++)
            for (var y = 0; y < 3; y++)
                for (var z = 0; z < 3; z++)
                    foreach (var b in basis) positions.Add(new Vec3((x + b.X) * a, (y + b.Y) * a, (z + b.Z) * a));
        return new Structure(Cell.Orthorhombic(3 * a, 3 * a, 3 * a), positions.ToArray(), Enumerable.Repeat(element, positions.Count).ToArray())
        { Energy = energyPerAtom * positions.Count };
    }

    [Fact]
    public void OneElementGetsItsGroundStateLattice()
    {
        // bcc W below a (higher) fcc W: the probe pushes an atom in bcc, along ⟨111⟩.
        var w = ShortRangeCheck.For([Crystal("W", CrystalStructure.Bcc, 3.17, -13.0), Crystal("W", CrystalStructure.Fcc, 4.0, -12.5)], Taper.Copper);
        Assert.Equal(CrystalStructure.Bcc, w.Lattice);
        // Copper as before: fcc.
        var cu = ShortRangeCheck.For([Crystal("Cu", CrystalStructure.Fcc, 3.615, -3.7)], Taper.Copper);
        Assert.Equal(CrystalStructure.Fcc, cu.Lattice);
        Assert.Equal(3.615 / Math.Sqrt(2), cu.NearestNeighbour, 1e-9);
    }

    [Fact]
    public void SeveralElementsEachGetTheirOwnCrystalAndDistance()
    {
        var mixed = Crystal("W", CrystalStructure.Bcc, 3.1, -10);
        var species = mixed.Species.ToArray();
        for (var i = 0; i < species.Length; i += 2) species[i] = "Cu";
        var structures = new[]
        {
            Crystal("W", CrystalStructure.Bcc, 3.17, -13.0),
            Crystal("W", CrystalStructure.Bcc, 3.05, -12.8), // compressed: not the lowest, not the distance used
            Crystal("Cu", CrystalStructure.Fcc, 3.615, -3.7),
            new Structure(mixed.Cell, mixed.Positions.ToArray(), species) { Energy = -8 * species.Length },
        };
        var check = ShortRangeCheck.For(structures, Taper.Copper);
        var (wLattice, wDistance) = check.HostOf("W");
        Assert.Equal(CrystalStructure.Bcc, wLattice);
        Assert.Equal(3.17 * Math.Sqrt(3) / 2, wDistance, 1e-9);
        var (cuLattice, cuDistance) = check.HostOf("Cu");
        Assert.Equal(CrystalStructure.Fcc, cuLattice);
        Assert.Equal(3.615 / Math.Sqrt(2), cuDistance, 1e-9);
        // An element with no structure of its own falls back to the default (fcc at the whole set's typical distance).
        Assert.Equal(CrystalStructure.Fcc, check.HostOf("Ni").Lattice);
    }
}
