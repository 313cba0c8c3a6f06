using PoetSharp.Evaluation;

namespace PoetSharp.Search;

/// <summary>
/// A front without repeats. The search tells forms apart by the structural hash of their simplified trees, which
/// cannot see every algebraic identity (2·Σg and (Σg)·2, Σa^r + Σb^r and Σ(a^r + b^r), a model plus a constant), so the
/// same function can sit on the front several times. Models whose predictions agree on the fitting structures
/// (<see cref="SearchProblem.FitPairs"/>) collapse to the simplest of them: lowest complexity, then lowest cost per
/// pair, then lowest validation fitness.
/// <para>
/// Agreement, with tolerance τ (1e-9 by default): every energy per atom after the constant shift that fits best (the
/// mean difference: energies are compared up to a constant, as the fitness compares them), every force component and
/// every stress component of a periodic cell differ by at most τ·max(1, |a|, |b|), that is τ relative for values
/// above one (eV, eV/Å, eV/Å³) and τ absolute below. Algebraic rewrites of one model differ by rounding (~1e-15
/// relative); models that the data can tell apart differ by far more. A model with a non-finite prediction is never
/// merged with another.
/// </para>
/// </summary>
public static class FrontCollapse
{
    public const double DefaultTolerance = 1e-9;

    /// <summary>The front less the repeats, in the front's order (each group of agreeing models represented by its simplest).</summary>
    public static IReadOnlyList<Candidate> Distinct(IReadOnlyList<Candidate> front, SearchProblem problem, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(front);
        ArgumentNullException.ThrowIfNull(problem);
        if (!(tolerance >= 0) || double.IsPositiveInfinity(tolerance))
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "the tolerance must be finite and non-negative");
        var predictions = front.Select(c => Predictions.Of(c, problem)).ToArray();
        var simplestFirst = Enumerable.Range(0, front.Count)
            .OrderBy(k => front[k].Complexity).ThenBy(k => front[k].CostPerPair).ThenBy(k => front[k].ValidationFitness).ThenBy(k => k);
        var kept = new List<int>();
        foreach (var k in simplestFirst)
        {
            var repeat = predictions[k] is { } p && kept.Any(j => predictions[j] is { } q && p.AgreesWith(q, tolerance));
            if (!repeat) kept.Add(k);
        }
        kept.Sort();
        return kept.Select(k => front[k]).ToArray();
    }

    /// <summary>What a model predicts on the fitting structures: energies per atom, force and stress components.</summary>
    private sealed record Predictions(double[] EnergiesPerAtom, double[] Forces, double[] Stresses)
    {
        /// <summary>The candidate's predictions, or null where any is non-finite (or the model cannot be evaluated).</summary>
        public static Predictions? Of(Candidate candidate, SearchProblem problem)
        {
            ModelEvaluator evaluator;
            try
            {
                evaluator = new ModelEvaluator(new CompiledModel(candidate.Expression, problem.Taper), problem.FitPairs);
            }
            catch (ArgumentException)
            {
                return null;
            }
            if (evaluator.Evaluate() > 0) return null;
            var pairs = problem.FitPairs;
            var energies = new double[pairs.StructureCount];
            var stresses = new List<double>();
            for (var s = 0; s < energies.Length; s++)
            {
                energies[s] = evaluator.Energies[s] / (pairs.AtomOffsets[s + 1] - pairs.AtomOffsets[s]);
                if (pairs.Structures[s].Cell.FullyPeriodic) stresses.AddRange(evaluator.Stresses[s].ToVoigt());
            }
            var forces = evaluator.Forces.SelectMany(f => new[] { f.X, f.Y, f.Z }).ToArray();
            return new Predictions(energies, forces, stresses.ToArray());
        }

        public bool AgreesWith(Predictions other, double tolerance)
        {
            var shift = 0.0;
            for (var s = 0; s < EnergiesPerAtom.Length; s++) shift += EnergiesPerAtom[s] - other.EnergiesPerAtom[s];
            shift /= Math.Max(1, EnergiesPerAtom.Length);
            for (var s = 0; s < EnergiesPerAtom.Length; s++)
                if (!Close(EnergiesPerAtom[s] - shift, other.EnergiesPerAtom[s], tolerance)) return false;
            for (var k = 0; k < Forces.Length; k++)
                if (!Close(Forces[k], other.Forces[k], tolerance)) return false;
            for (var k = 0; k < Stresses.Length; k++)
                if (!Close(Stresses[k], other.Stresses[k], tolerance)) return false;
            return true;
        }

        private static bool Close(double a, double b, double tolerance) =>
            Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));
    }
}
