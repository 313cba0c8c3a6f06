using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Potentials;

namespace PoetSharp.Search;

/// <summary>
/// The data a search fits: training and validation sets, the taper, the pair tables candidates are evaluated on
/// (built once, shared read-only by every island), the quantity scales of the training set, and the short-range probe
/// at the data's nearest-neighbour distance.
/// </summary>
public sealed class SearchProblem
{
    public Dataset Training { get; }
    public Dataset? Validation { get; }
    public Taper Taper { get; }
    /// <summary>The training structures candidates' constants are fitted on (a subset spread evenly over the set, every group in it: <see cref="SpreadOverGroups"/>).</summary>
    public PairTable FitPairs { get; }
    /// <summary>A quarter of the fitting structures (at least one), for screening offspring cheaply.</summary>
    public PairTable ScreenPairs { get; }
    public PairTable? ValidationPairs { get; }
    public QuantityScales Scales { get; }
    public ShortRangeCheck ShortRange { get; }
    /// <summary>Sanity checks and target properties of the candidates (null: none; see <see cref="SearchPhysics.Create"/>).</summary>
    public SearchPhysics? Physics { get; init; }

    /// <summary>The elements of the training data, in order of atomic number; with several, models have one expression per element.</summary>
    public IReadOnlyList<string> Elements { get; }

    public SearchProblem(Dataset training, Dataset? validation, Taper taper, int maxFitStructures)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (training.Count == 0) throw new ArgumentException("the training set is empty");
        taper.Validate();
        Training = training;
        Validation = validation is { Count: > 0 } ? validation : null;
        Taper = taper;
        var fit = SpreadOverGroups(training.Structures, maxFitStructures);
        FitPairs = new PairTable(fit, taper);
        ScreenPairs = new PairTable(Spread(fit, Math.Max(1, fit.Count / 4)), taper);
        Scales = QuantityScales.Of(training.Structures);
        if (Validation != null) ValidationPairs = new PairTable(SpreadOverGroups(Validation.Structures, 2 * maxFitStructures), taper);
        ShortRange = ShortRangeCheck.For(training.Structures, taper);
        Elements = Evaluation.ElementEnergies.ElementsOf(training.Structures);
    }

    /// <summary>
    /// The model with its constants fitted further on the fitting structures (a longer run of the candidates' optimiser):
    /// a search's fits are deliberately short, so a front model is polished before it is judged or reported.
    /// </summary>
    public Models.Expression Polish(Models.Expression e, SearchSettings settings, int evaluations) => PolishWithCost(e, settings, evaluations).Model;

    /// <summary>
    /// A front model's final polish when the run ends: <see cref="SearchSettings.FinalRefitEvaluations"/> evaluations on
    /// <see cref="FinalFitPairs"/> (more structures than candidates are fitted on; <see cref="SearchSettings.FinalFitStructures"/>).
    /// </summary>
    public Models.Expression PolishFinal(Models.Expression e, SearchSettings settings) =>
        settings.FinalRefitEvaluations <= 0 ? e : PolishWithCost(e, settings, settings.FinalRefitEvaluations, FinalFitPairs(settings)).Model;

    private readonly object _finalLock = new();
    private PairTable? _finalPairs;
    private int _finalCount;

    /// <summary>
    /// The training structures front models are polished on at the end: <see cref="SearchSettings.FinalFitStructures"/> of
    /// them spread over the groups as the fitting set is (<see cref="SpreadOverGroups"/>), or the fitting set itself when
    /// that is not more. Candidates are fitted on few structures because there are thousands of them; the few models a
    /// run reports can afford more, and the dozens of constants of an alloy model are poorly determined by 16 structures.
    /// </summary>
    public PairTable FinalFitPairs(SearchSettings settings)
    {
        if (settings.FinalFitStructures <= FitPairs.Structures.Count) return FitPairs;
        lock (_finalLock)
        {
            if (_finalPairs is null || _finalCount != settings.FinalFitStructures)
                (_finalPairs, _finalCount) = (new PairTable(SpreadOverGroups(Training.Structures, settings.FinalFitStructures), Taper), settings.FinalFitStructures);
            return _finalPairs;
        }
    }

    /// <summary>
    /// The model without its vestigial terms: each operand of a + or − (at atom level or inside a sum) is dropped in turn,
    /// the rest simplified and polished, and the drop kept when the fitness on the fitting structures rises by at most
    /// <paramref name="tolerance"/> (relative); repeated until no drop is kept. Fits leave terms such as − 1e-6^r that
    /// barely contribute; this shows the form the data support. Costs up to 2 polishes per + or − and round.
    /// </summary>
    public Models.Expression Prune(Models.Expression e, SearchSettings settings, int evaluations, double tolerance = 1e-2)
    {
        var (current, cost) = PolishWithCost(e, settings, evaluations);
        for (var improved = true; improved && double.IsFinite(cost);)
        {
            improved = false;
            var shape = new TreeShape(current);
            for (var i = 0; i < current.Length && !improved; i++)
            {
                if (current.Nodes[i].Kind is not (Models.NodeKind.Add or Models.NodeKind.Sub)) continue;
                foreach (var keep in new[] { current.LeftChild(i), i - 1 })
                {
                    if (!shape.Accepts(i, shape.Levels[keep])) continue;
                    Models.Expression reduced;
                    try
                    {
                        // a − b loses a as −1·b, so that the refit starts from the same function less a.
                        var kept = current.Nodes[i].Kind == Models.NodeKind.Sub && keep == i - 1
                            ? Models.Expression.Constant(-1) * current.Subtree(keep)
                            : current.Subtree(keep);
                        reduced = Models.Simplifier.Simplify(current.Replace(i, kept));
                    }
                    catch (ArgumentException)
                    {
                        continue;
                    }
                    if (reduced.RootLevel != Models.Level.Atom || reduced.SumCount == 0) continue;
                    // Every element keeps its expression: dropping a whole at[A](…) term is not a simplification.
                    if (reduced.CentralTerms.Length != current.CentralTerms.Length) continue;
                    // With shared pair functions a pair term goes only with its mirror; dropping one copy is not offered.
                    if (settings.SymmetricPairs && !Models.PairSymmetry.HasAllMirrors(reduced)) continue;
                    var (model, reducedCost) = PolishWithCost(reduced, settings, evaluations);
                    if (!(reducedCost <= cost * (1 + tolerance))) continue;
                    (current, cost, improved) = (model, reducedCost, true);
                    break;
                }
            }
        }
        return current;
    }

    private (Models.Expression Model, double Cost) PolishWithCost(Models.Expression e, SearchSettings settings, int evaluations, PairTable? pairs = null)
    {
        var compiled = new CompiledModel(e, Taper);
        var objective = new FittingObjective(new ModelEvaluator(compiled, pairs ?? FitPairs) { MaxDegreeOfParallelism = settings.Threads }, settings.Weights, Scales);
        var fit = WithRepulsion(objective, compiled, settings);
        var start = LeastSquares.Cost(fit, e.Constants);
        if (e.ConstantCount == 0) return (e, objective.Cost(e.Constants));
        OptimizationResult result;
        try
        {
            result = TiedFit.Minimize(Optimizers.Create(settings.Optimizer), fit, e.Constants, TiesOf(e, settings),
                new OptimizationBudget { MaxEvaluations = evaluations, RelativeCostTolerance = 1e-14, ParameterTolerance = 1e-14 }, AmplitudesOf(e, settings));
        }
        catch (MathNet.Numerics.NonConvergenceException)
        {
            return (e, objective.Cost(e.Constants));
        }
        // With repulsion rows the fit's cost holds them; the model is reported with its data cost alone.
        return double.IsFinite(result.Cost) && !(result.Cost > start)
            ? (e.WithConstants(result.Parameters), ReferenceEquals(fit, objective) ? result.Cost : objective.Cost(result.Parameters))
            : (e, objective.Cost(e.Constants));
    }

    /// <summary>The constant ties a fit of <paramref name="e"/> keeps: shared pair functions (<see cref="SearchSettings.SymmetricPairs"/>), else none.</summary>
    internal static int[]? TiesOf(Models.Expression e, SearchSettings settings) => settings.SymmetricPairs ? Models.PairSymmetry.Ties(e) : null;

    /// <summary>The constants a fit of <paramref name="e"/> solves for exactly before it starts (<see cref="SearchSettings.SolveAmplitudes"/>), else null.</summary>
    internal static bool[]? AmplitudesOf(Models.Expression e, SearchSettings settings) => settings.SolveAmplitudes ? Models.LinearConstants.Of(e) : null;

    private readonly object _repulsionLock = new();
    private DimerRepulsion? _repulsion;
    private double _repulsionWeight;

    /// <summary>The dimer-repulsion rows of a run with <see cref="SearchSettings.RepulsionWeight"/> λ (null when λ is 0); built once.</summary>
    internal DimerRepulsion? RepulsionOf(SearchSettings settings)
    {
        if (!(settings.RepulsionWeight > 0)) return null;
        lock (_repulsionLock)
        {
            if (_repulsion is null || _repulsionWeight != settings.RepulsionWeight)
            {
                _repulsion = new DimerRepulsion(Elements, ShortRange, Taper, settings.RepulsionWeight, Scales.Energy);
                _repulsionWeight = settings.RepulsionWeight;
            }
            return _repulsion;
        }
    }

    /// <summary>The fit of <paramref name="objective"/> with the run's repulsion rows appended, when it has them.</summary>
    internal ILeastSquaresProblem WithRepulsion(ILeastSquaresProblem objective, CompiledModel model, SearchSettings settings) =>
        RepulsionOf(settings) is { } rows ? rows.Append(objective, model) : objective;

    /// <summary>At most <paramref name="count"/> structures at evenly spaced positions.</summary>
    public static IReadOnlyList<Atoms.Structure> Spread(IReadOnlyList<Atoms.Structure> all, int count)
    {
        if (all.Count <= count) return all;
        return Enumerable.Range(0, count).Select(k => all[(int)((long)k * all.Count / count)]).ToArray();
    }

    /// <summary>
    /// <see cref="Spread"/>, but with at least one structure of every group (<see cref="Atoms.Structure.Group"/>), so
    /// that the candidates' constants see every kind of structure the data hold (elements, phases, solid solutions):
    /// when evenly spaced positions already reach every group they are the answer; otherwise each group gets one
    /// structure and the rest of <paramref name="count"/> is shared in proportion to the groups' sizes (largest
    /// remainders), each group's share evenly spaced within it. The result then holds max(count, groups) structures.
    /// </summary>
    public static IReadOnlyList<Atoms.Structure> SpreadOverGroups(IReadOnlyList<Atoms.Structure> all, int count)
    {
        var even = Spread(all, count);
        var groups = all.GroupBy(s => s.Group).Select(g => g.ToArray()).ToArray();
        if (groups.Length <= 1 || even.Select(s => s.Group).Distinct().Count() == groups.Length) return even;
        var share = new int[groups.Length];
        Array.Fill(share, 1);
        var rest = Math.Max(0, count - groups.Length);
        var exact = groups.Select(g => rest * (double)(g.Length - 1) / Math.Max(1, all.Count - groups.Length)).ToArray();
        for (var k = 0; k < groups.Length; k++) share[k] += Math.Min(groups[k].Length - 1, (int)Math.Floor(exact[k]));
        var left = Math.Max(count, groups.Length) - share.Sum();
        var order = Enumerable.Range(0, groups.Length).OrderByDescending(k => exact[k] - Math.Floor(exact[k])).ThenBy(k => k).ToArray();
        for (var placed = true; left > 0 && placed;)
        {
            placed = false;
            foreach (var k in order)
            {
                if (left == 0) break;
                if (share[k] >= groups[k].Length) continue;
                (share[k], left, placed) = (share[k] + 1, left - 1, true);
            }
        }
        return groups.SelectMany((g, k) => Spread(g, share[k])).ToArray();
    }
}

/// <summary>Fits a candidate's constants and scores it; one per island (optimisers and evaluators are single-threaded).</summary>
internal sealed class CandidateEvaluator(SearchProblem problem, SearchSettings settings)
{
    private readonly IOptimizer _optimizer = Optimizers.Create(settings.Optimizer);
    private readonly OptimizationBudget _budget = new() { MaxEvaluations = settings.ConstantEvaluations, RelativeCostTolerance = 1e-10, ParameterTolerance = 1e-10 };

    /// <summary>Objective evaluations spent so far (for evaluations per second).</summary>
    public long Evaluations { get; set; }

    /// <summary>
    /// The scored candidate, or the reason it has none (<see cref="CandidateOutcome.Rejected"/>): invalid on the data (NaN or ∞),
    /// rejected by a policy, or screened out: with a
    /// finite <paramref name="screenThreshold"/>, the constants are first fitted on <see cref="SearchProblem.ScreenPairs"/>
    /// and a model whose screened fitness exceeds the threshold goes no further.
    /// <para>
    /// With <see cref="SearchProblem.Physics"/>, the physics (sanity checks, then the target properties in stages,
    /// cheapest first) is computed only while the candidate could still enter the archive: <paramref name="couldEnter"/>
    /// is asked with the best archive objectives the candidate could still reach (every physics term is ≥ 0 and the
    /// penalties ≥ 1, so what is known is a lower bound). A candidate that could not gets
    /// <paramref name="targetEstimate"/> (the population's median target term) as its target term and is marked
    /// <see cref="PhysicsStatus.Estimated"/>, which keeps it out of the archive.
    /// </para>
    /// </summary>
    public CandidateOutcome Evaluate(Models.Expression expression, int generation, double screenThreshold = double.PositiveInfinity,
        Func<double[], bool>? couldEnter = null, double targetEstimate = 0)
    {
        try
        {
            var compiled = new CompiledModel(expression, problem.Taper);
            var ties = SearchProblem.TiesOf(expression, settings);
            var amplitudes = SearchProblem.AmplitudesOf(expression, settings);
            if (double.IsFinite(screenThreshold) && expression.ConstantCount > 0)
            {
                var screen = new FittingObjective(new ModelEvaluator(compiled, problem.ScreenPairs) { MaxDegreeOfParallelism = 1 }, settings.Weights, problem.Scales);
                var screened = TiedFit.Minimize(_optimizer, problem.WithRepulsion(screen, compiled, settings), expression.Constants, ties, _budget, amplitudes);
                Evaluations += screened.Evaluations;
                if (!(screened.Cost <= screenThreshold)) return CandidateOutcome.No(double.IsFinite(screened.Cost) ? CandidateOutcome.ScreenedOut : CandidateOutcome.NotFinite);
                foreach (var c in screened.Parameters) if (!double.IsFinite(c)) return CandidateOutcome.No(CandidateOutcome.NotFiniteConstants);
                expression = expression.WithConstants(screened.Parameters);
            }
            var training = new FittingObjective(new ModelEvaluator(compiled, problem.FitPairs) { MaxDegreeOfParallelism = 1 }, settings.Weights, problem.Scales);
            double[] constants;
            double cost;
            if (expression.ConstantCount == 0)
            {
                constants = [];
                cost = training.Cost(constants);
                Evaluations++;
            }
            else
            {
                var fit = problem.WithRepulsion(training, compiled, settings);
                var result = TiedFit.Minimize(_optimizer, fit, expression.Constants, ties, _budget, amplitudes);
                (constants, cost) = (result.Parameters, result.Cost);
                Evaluations += result.Evaluations;
                // The candidate's fitness is its data cost; the repulsion rows only steered the fit.
                if (!ReferenceEquals(fit, training) && double.IsFinite(cost))
                {
                    cost = training.Cost(constants);
                    Evaluations++;
                }
            }
            if (!double.IsFinite(cost)) return CandidateOutcome.No(CandidateOutcome.NotFinite);
            foreach (var c in constants) if (!double.IsFinite(c)) return CandidateOutcome.No(CandidateOutcome.NotFiniteConstants);
            var fitted = expression.WithConstants(constants);
            var validation = cost;
            if (problem.ValidationPairs != null)
            {
                var objective = new FittingObjective(new ModelEvaluator(new CompiledModel(fitted, problem.Taper), problem.ValidationPairs) { MaxDegreeOfParallelism = 1 },
                    settings.Weights, problem.Scales);
                validation = objective.Cost(constants);
                Evaluations++;
                if (!double.IsFinite(validation)) return CandidateOutcome.No(CandidateOutcome.NotFiniteValidation);
            }
            var shortRange = settings.ShortRange == ShortRangePolicy.Off ? new ShortRangeResult(true, "not checked") : problem.ShortRange.Check(fitted, problem.Elements);
            var penalty = 1.0;
            if (!shortRange.Passed)
            {
                if (settings.ShortRange == ShortRangePolicy.Reject) return CandidateOutcome.No(CandidateOutcome.ShortRangeRejected);
                penalty = settings.ShortRangePenalty;
            }
            var costPerPair = Models.CostModel.PerPair(fitted);
            if (problem.Physics is not { } physics)
                return (CandidateOutcome)new Candidate(fitted, cost * penalty, validation * penalty, costPerPair, shortRange.Passed, shortRange.Detail, generation);
            return WithPhysics(physics, fitted, cost, validation, penalty, costPerPair, shortRange, generation, couldEnter, targetEstimate);
        }
        catch (ArgumentException e)
        {
            // A form the evaluator cannot compile (none are known); an invalid candidate rather than the end of the search.
            return CandidateOutcome.No("cannot be evaluated: " + e.Message);
        }
        catch (MathNet.Numerics.NonConvergenceException)
        {
            // The optimiser's SVD fallback gave up on a wildly scaled model: an invalid candidate, not the end of the search.
            return CandidateOutcome.No(CandidateOutcome.NoConvergence);
        }
    }

    private CandidateOutcome WithPhysics(SearchPhysics physics, Models.Expression fitted, double cost, double validation, double penalty,
        double costPerPair, ShortRangeResult shortRange, int generation, Func<double[], bool>? couldEnter, double targetEstimate)
    {
        var separate = settings.TargetMode == TargetMode.Objective && physics.Targets != null;
        var complexity = fitted.Complexity;
        // The best archive point the candidate could reach with a target term of at least `target` and the penalty so far.
        bool Worth(double target, double p) => couldEnter == null ||
            couldEnter(Candidate.ArchivePoint((separate ? validation : validation + target) * p, costPerPair, complexity, separate ? target : null));
        Candidate Make(double target, double p, PhysicsStatus status, bool sanityPassed, string sanityDetail) =>
            separate
                ? new Candidate(fitted, cost * p, validation * p, costPerPair, shortRange.Passed, shortRange.Detail, generation, target, status, sanityPassed, sanityDetail, true)
                : new Candidate(fitted, (cost + target) * p, (validation + target) * p, costPerPair, shortRange.Passed, shortRange.Detail, generation, target, status, sanityPassed, sanityDetail);
        if (!Worth(0, penalty)) return Make(targetEstimate, penalty, PhysicsStatus.Estimated, true, "not checked");
        var potential = new ModelPotential(new CompiledModel(fitted, problem.Taper), [physics.Element]);
        var sanity = physics.Sanity(potential, settings);
        if (!sanity.Passed)
        {
            if (settings.Sanity == Properties.SanityPolicy.Reject) return CandidateOutcome.No(CandidateOutcome.SanityRejected);
            penalty *= settings.SanityPenalty;
        }
        var sanityDetail = sanity.Checks.Count == 0 ? "not checked" : sanity.Summary;
        if (physics.Targets is not { } targets) return Make(0, penalty, PhysicsStatus.Evaluated, sanity.Passed, sanityDetail);
        var lowerBound = 0.0;
        var evaluation = targets.Evaluate(potential, bound =>
        {
            lowerBound = bound;
            return Worth(bound, penalty);
        });
        return evaluation == null
            ? Make(Math.Max(lowerBound, targetEstimate), penalty, PhysicsStatus.Estimated, sanity.Passed, sanityDetail)
            : Make(evaluation.Fitness, penalty, PhysicsStatus.Evaluated, sanity.Passed, sanityDetail);
    }
}

/// <summary>
/// What evaluating a candidate gave: the scored candidate, or why there is none (one of the reasons below, or a message).
/// Reasons are counted per island (<see cref="Island.InvalidReasons"/>) and reported in the run's summary.
/// </summary>
internal readonly record struct CandidateOutcome(Candidate? Candidate, string? Rejected)
{
    public const string NotFinite = "NaN or infinite fitness on the training data";
    public const string NotFiniteConstants = "constants fitted to NaN or infinity";
    public const string NotFiniteValidation = "NaN or infinite fitness on the validation data";
    public const string ScreenedOut = "screened out (unpromising on the screening structures)";
    public const string ShortRangeRejected = "not repulsive at short range (--short-range reject)";
    public const string SanityRejected = "failed the sanity checks (--sanity reject)";
    public const string NoConvergence = "the constant fit did not converge";

    public static CandidateOutcome No(string reason) => new(null, reason);
    public static implicit operator CandidateOutcome(Candidate candidate) => new(candidate, null);
}
