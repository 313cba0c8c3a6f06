using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Search;
using static PoetSharp.Models.Expression;

namespace PoetSharp.Bench;

/// <summary>
/// What species resolution costs the batched evaluator: the Rafii-Tabar–Sutton Cu–Ni true model
/// (<see cref="AlloyRecovery.TrueModel"/>: at[Cu](…) + at[Ni](…), eight sums over one element's neighbours each) on
/// data/alloy/CuNi_RTS (190 Cu–Ni cells × 32 atoms, 3–5 Å taper), against the same tree with the element annotations
/// removed on the same structures relabelled as pure Cu: every sum[B](g) becomes sum(g), and at[Cu](F_Cu) + at[Ni](F_Ni)
/// becomes (F_Cu + F_Ni)·0.5, the same number of nodes (61) and of pair-level work per pair (one constant more:
/// 19 against 18). The baseline of each category is the single-element model. One core; energies, forces and stresses,
/// then everything a fit asks for (<see cref="EvaluationOutputs.AllJacobians"/>).
/// Run: dotnet run -c Release --project bench/PoetSharp.Bench -- --filter '*SpeciesModel*'
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class SpeciesModelBenchmarks
{
    private ModelEvaluator _species = null!, _single = null!;

    /// <summary>The true model with sum[B] → sum and at[Cu](F_Cu) + at[Ni](F_Ni) → (F_Cu + F_Ni)·0.5 (same node count).</summary>
    internal static Expression SingleElementTwin()
    {
        Expression Atom(string a)
        {
            Expression Power(string b, double c, double k) => Sum(Constant(c) * Pow(Distance, k));
            var pair = Power("Cu", AlloyRecovery.PairConstant(a, "Cu"), -9) + Power("Ni", AlloyRecovery.PairConstant(a, "Ni"), -9);
            var density = Power("Cu", AlloyRecovery.DensityConstant(a, "Cu"), -6) + Power("Ni", AlloyRecovery.DensityConstant(a, "Ni"), -6);
            return pair - Pow(density, 0.5);
        }
        return (Atom("Cu") + Atom("Ni")) * 0.5;
    }

    internal static IReadOnlyList<Structure> AlloyData() =>
        ExtendedXyz.Read(Path.Combine(ModelBenchmarks.DataFolder("alloy", "CuNi_RTS"), "CuNi_RTS.xyz")).Structures;

    [GlobalSetup]
    public void Setup()
    {
        var alloy = AlloyData();
        var copper = alloy.Select(s => new Structure(s.Cell, s.Positions, Enumerable.Repeat("Cu", s.Count).ToArray(), s.Name, s.Group)).ToArray();
        var speciesModel = AlloyRecovery.TrueModel;
        var singleModel = SingleElementTwin();
        if (speciesModel.Nodes.Length != singleModel.Nodes.Length)
            throw new InvalidOperationException($"node counts differ: {speciesModel.Nodes.Length} and {singleModel.Nodes.Length}");
        var alloyTable = new PairTable(alloy, Taper.Copper);
        var copperTable = new PairTable(copper, Taper.Copper);
        if (alloyTable.PairCount != copperTable.PairCount) throw new InvalidOperationException("pair counts differ");
        _species = new ModelEvaluator(new CompiledModel(speciesModel, Taper.Copper), alloyTable) { MaxDegreeOfParallelism = 1 };
        _single = new ModelEvaluator(new CompiledModel(singleModel, Taper.Copper), copperTable) { MaxDegreeOfParallelism = 1 };
        foreach (var e in new[] { _species, _single })
        {
            if (e.Evaluate(EvaluationOutputs.AllJacobians) != 0) throw new InvalidOperationException("a model is not finite on the data");
            e.Evaluate();
        }
        // The species-resolved model reproduces the data's energies (made by data/alloy/CuNi_RTS/make_cuni_rts.py).
        for (var s = 0; s < alloy.Count; s++)
            if (alloy[s].Energy is { } reference && Math.Abs(_species.Energies[s] - reference) > 1e-6 * Math.Abs(reference))
                throw new InvalidOperationException($"structure {s}: {_species.Energies[s]} against the data's {reference}");
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Energies+forces")]
    public int SingleElement() => _single.Evaluate();

    [Benchmark, BenchmarkCategory("Energies+forces")]
    public int SpeciesResolved() => _species.Evaluate();

    [Benchmark(Baseline = true), BenchmarkCategory("All Jacobians")]
    public int SingleElementAllJacobians() => _single.Evaluate(EvaluationOutputs.AllJacobians);

    [Benchmark, BenchmarkCategory("All Jacobians")]
    public int SpeciesResolvedAllJacobians() => _species.Evaluate(EvaluationOutputs.AllJacobians);
}
