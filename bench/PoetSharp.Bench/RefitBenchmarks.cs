using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Potentials;

namespace PoetSharp.Bench;

/// <summary>
/// Refitting GP1's constants on the DFT_Cu training set (150 structures × 32 atoms, taper 3–5 Å), on one core.
/// <list type="bullet">
/// <item>"evaluation": one objective evaluation (residuals, with and without the Jacobian) against the bare evaluator
/// computing the same outputs: the objective's own overhead (standardising, copying, the energy shift).</item>
/// <item>"refit": a whole refit with each optimiser at a fixed budget of 40 evaluations. The optimiser's problem is
/// wrapped to count calls with and without a Jacobian; the cleanup prints the counts, so the time the optimiser
/// itself adds is wall time − (calls × bare evaluation time of the same kind).</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RefitBenchmarks
{
    private const int Budget = 40;
    private FittingObjective _objective = null!;
    private ModelEvaluator _bare = null!;
    private double[] _start = null!, _residuals = null!, _jacobian = null!;
    private readonly Dictionary<string, (int WithJacobian, int Without)> _counts = new();

    [GlobalSetup]
    public void Setup()
    {
        var data = ModelBenchmarks.DftCuTraining();
        var gp1 = ModelBenchmarks.Gp1();
        _objective = new FittingObjective(gp1, Taper.Copper, data.Structures, new ObjectiveWeights(10, 1, 0.1));
        _objective.Evaluator.MaxDegreeOfParallelism = 1;
        _bare = new ModelEvaluator(new CompiledModel(gp1, Taper.Copper), new PairTable(data.Structures, Taper.Copper)) { MaxDegreeOfParallelism = 1 };
        _start = gp1.Constants.ToArray();
        _residuals = new double[_objective.ResidualCount];
        _jacobian = new double[_objective.ResidualCount * _objective.ParameterCount];
        _objective.Evaluate(_start, _residuals, _jacobian);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (name, (withJacobian, without)) in _counts)
            Console.WriteLine($"// calls of {name}: {withJacobian} with Jacobian, {without} without");
    }

    [Benchmark(Baseline = true), BenchmarkCategory("evaluation with Jacobian")]
    public int BareWithJacobian() => _bare.Evaluate(_start, EvaluationOutputs.AllJacobians);

    [Benchmark, BenchmarkCategory("evaluation with Jacobian")]
    public bool ObjectiveWithJacobian() => _objective.Evaluate(_start, _residuals, _jacobian);

    [Benchmark(Baseline = true), BenchmarkCategory("evaluation")]
    public int Bare() => _bare.Evaluate(_start, EvaluationOutputs.Basic);

    [Benchmark, BenchmarkCategory("evaluation")]
    public bool Objective() => _objective.Evaluate(_start, _residuals, Span<double>.Empty);

    [Benchmark, BenchmarkCategory("refit")]
    public double RefitLm() => Refit("lm");

    [Benchmark, BenchmarkCategory("refit")]
    public double RefitCg() => Refit("cg");

    [Benchmark, BenchmarkCategory("refit")]
    public double RefitCmaes() => Refit("cmaes");

    private double Refit(string optimizer)
    {
        var counting = new CountingProblem(_objective);
        var result = Optimizers.Create(optimizer).Minimize(counting, _start,
            new OptimizationBudget { MaxEvaluations = Budget, RelativeCostTolerance = 0, ParameterTolerance = 0 });
        _counts[optimizer] = (counting.WithJacobian, counting.Without);
        return result.Cost;
    }

    private sealed class CountingProblem(ILeastSquaresProblem inner) : ILeastSquaresProblem
    {
        public int WithJacobian, Without;
        public int ParameterCount => inner.ParameterCount;
        public int ResidualCount => inner.ResidualCount;
        public bool HasJacobian => inner.HasJacobian;

        public bool Evaluate(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian)
        {
            if (jacobian.IsEmpty) Without++; else WithJacobian++;
            return inner.Evaluate(parameters, residuals, jacobian);
        }
    }
}
