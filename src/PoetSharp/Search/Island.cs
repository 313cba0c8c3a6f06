using PoetSharp.Models;

namespace PoetSharp.Search;

/// <summary>
/// One population evolving on its own generator: each generation breeds offspring (crowded-comparison tournaments,
/// crossover or one mutation, a few fresh random trees), rejects forms already seen (structural hash of the simplified
/// tree) before fitting anything, fits and scores the rest, and keeps the best <see cref="SearchSettings.PopulationSize"/>
/// of parents and offspring by NSGA-II (non-dominated sorting on training fitness, complexity and cost, then crowding).
/// Offspring are offered to the island's archive at the end of the generation.
/// </summary>
internal sealed class Island
{
    private readonly SearchSettings _settings;
    private readonly (Operator Op, double Weight)[] _mutations; // the settings' mutation weights, in a fixed order
    private readonly IReadOnlyList<NodeKind> _unary; // the functions of the settings' operator set
    private readonly CandidateEvaluator _evaluator;
    // The data's elements when there are several (models are then one expression per element); null for one.
    private readonly IReadOnlyList<string>? _elements;
    private readonly TreeLimits _limits; // the settings' limits, or the default for the data's element count

    public Island(int index, SearchProblem problem, SearchSettings settings, SearchRandom random)
    {
        Index = index;
        _settings = settings;
        _unary = settings.UnaryOperators();
        _mutations = settings.MutationWeightList();
        _evaluator = new CandidateEvaluator(problem, settings);
        _elements = problem.Elements.Count > 1 ? problem.Elements : null;
        _limits = settings.Limits ?? TreeLimits.ForElements(problem.Elements.Count);
        Random = random;
        Archive = new Archive(settings.ArchiveCapacity);
    }

    public int Index { get; }
    public SearchRandom Random { get; private set; }
    public List<Candidate> Population { get; private set; } = new();
    public HashSet<ulong> Seen { get; } = new();
    public Archive Archive { get; }
    public int Generation { get; set; }
    public long Evaluations { get => _evaluator.Evaluations; set => _evaluator.Evaluations = value; }
    public long Candidates { get; set; }
    public long Duplicates { get; set; }
    /// <summary>Candidates that were invalid on the data, rejected, or screened out.</summary>
    public long Invalid { get; set; }
    /// <summary><see cref="Invalid"/> by reason (<see cref="CandidateOutcome"/>).</summary>
    public Dictionary<string, long> InvalidReasons { get; } = new();

    /// <summary>The first population: the seed models, then random trees of ramped depths.</summary>
    public void Initialise(IReadOnlyList<Expression> seeds, Action? evaluated = null)
    {
        foreach (var seed in seeds)
        {
            var simplified = Canonical(seed) ?? seed;
            Seen.Add(ExpressionHash.Structural(simplified));
            if (_evaluator.Evaluate(simplified, 0, double.PositiveInfinity, Archive.CouldEnter).Candidate is { } c) Population.Add(c);
            evaluated?.Invoke();
        }
        for (var attempt = 0; Population.Count < _settings.PopulationSize && attempt < 50 * _settings.PopulationSize; attempt++)
        {
            var e = Canonical(Grammar.Model(Random, 1 + attempt % 3, 3 + attempt % 3, _settings.MetalsPrior, _unary, _elements, _settings.Angular, _settings.Priors));
            if (e == null || !Seen.Add(ExpressionHash.Structural(e))) continue;
            Candidates++;
            var outcome = _evaluator.Evaluate(e, 0, double.PositiveInfinity, Archive.CouldEnter);
            if (outcome.Candidate is { } c)
            {
                Population.Add(c);
                evaluated?.Invoke();
            }
            else Reject(outcome.Rejected);
        }
        if (Population.Count == 0) throw new InvalidOperationException("no random model could be evaluated on the data (all gave NaN or ∞)");
        foreach (var c in Population) Archive.Offer(c);
    }

    /// <summary>
    /// One generation. Returns false, with the island exactly as before the call (generator, seen forms, counters),
    /// when <paramref name="stop"/> turns true midway, so that a checkpoint taken then resumes bit for bit.
    /// </summary>
    public bool Step(Func<bool> stop)
    {
        var state = Random.State;
        var (evaluations, candidates, duplicates, invalid) = (Evaluations, Candidates, Duplicates, Invalid);
        var reasons = new Dictionary<string, long>(InvalidReasons);
        var added = new List<ulong>();
        var offspring = new List<Candidate>();
        var points = Population.Select(c => c.SelectionObjectives()).ToArray();
        var (rank, crowding) = Pareto.RankAndCrowding(points);
        var immigrants = (int)Math.Round(_settings.ImmigrantFraction * _settings.OffspringPerGeneration);
        var screenThreshold = _settings.ScreenFactor > 0 ? _settings.ScreenFactor * Median(Population.Select(c => c.TrainingFitness)) : double.PositiveInfinity;
        // What a candidate whose physics is not computed is assumed to score on the targets: the population's median.
        var evaluated = Population.Where(c => c.Physics == PhysicsStatus.Evaluated).Select(c => c.TargetFitness).ToList();
        var targetEstimate = evaluated.Count > 0 ? Median(evaluated) : 0;
        for (var attempt = 0; offspring.Count < _settings.OffspringPerGeneration && attempt < 30 * _settings.OffspringPerGeneration; attempt++)
        {
            if (stop())
            {
                Random = SearchRandom.FromState(state);
                foreach (var h in added) Seen.Remove(h);
                (Evaluations, Candidates, Duplicates, Invalid) = (evaluations, candidates, duplicates, invalid);
                InvalidReasons.Clear();
                foreach (var (reason, count) in reasons) InvalidReasons[reason] = count;
                return false;
            }
            Expression? child;
            var jitter = false;
            if (offspring.Count < immigrants)
                child = Grammar.Model(Random, Random.Next(1, 4), Random.Next(3, 6), _settings.MetalsPrior, _unary, _elements, _settings.Angular, _settings.Priors);
            else
            {
                var first = Population[Pareto.Tournament(rank, crowding, Random)];
                var op = Random.Chance(_settings.CrossoverProbability) ? Operator.Crossover : PickMutation();
                var second = op == Operator.Crossover ? Population[Pareto.Tournament(rank, crowding, Random)] : first;
                child = Variation.Apply(op, first.Expression, second.Expression, Random, _limits, _settings.MetalsPrior, _unary, _elements, _settings.Angular, _settings.Priors);
                jitter = op == Operator.ConstantJitter;
            }
            child = child == null ? null : Canonical(child);
            if (child == null) continue;
            var hash = ExpressionHash.Structural(child);
            // A known form is not fitted again, except from the new starting constants of a jitter.
            if (Seen.Add(hash)) added.Add(hash);
            else if (!jitter)
            {
                Duplicates++;
                continue;
            }
            Candidates++;
            var outcome = _evaluator.Evaluate(child, Generation + 1, screenThreshold, Archive.CouldEnter, targetEstimate);
            if (outcome.Candidate is { } c) offspring.Add(c);
            else Reject(outcome.Rejected);
        }
        Population = Survivors(Population.Concat(offspring));
        foreach (var c in offspring) Archive.Offer(c);
        Generation++;
        return true;
    }

    /// <summary>A few good models (crowded tournaments) to send to the next island.</summary>
    public List<Candidate> Emigrants(int count)
    {
        var (rank, crowding) = Pareto.RankAndCrowding(Population.Select(c => c.SelectionObjectives()).ToArray());
        return Enumerable.Range(0, count).Select(_ => Population[Pareto.Tournament(rank, crowding, Random)]).ToList();
    }

    public void Receive(IEnumerable<Candidate> migrants)
    {
        var list = migrants.ToList();
        foreach (var m in list)
        {
            Seen.Add(m.Hash);
            Archive.Offer(m);
        }
        Population = Survivors(Population.Concat(list));
    }

    // One model per form (the fitter), then NSGA-II truncation.
    private List<Candidate> Survivors(IEnumerable<Candidate> pool)
    {
        var unique = new List<Candidate>();
        var index = new Dictionary<ulong, int>();
        foreach (var c in pool)
        {
            if (index.TryGetValue(c.Hash, out var k))
            {
                if (c.TrainingFitness < unique[k].TrainingFitness) unique[k] = c;
            }
            else
            {
                index[c.Hash] = unique.Count;
                unique.Add(c);
            }
        }
        var chosen = Pareto.Select(unique.Select(c => c.SelectionObjectives()).ToArray(), _settings.PopulationSize);
        chosen.Sort();
        return chosen.Select(i => unique[i]).ToList();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.PositiveInfinity : sorted[sorted.Length / 2];
    }

    private void Reject(string? reason)
    {
        Invalid++;
        reason ??= "invalid";
        InvalidReasons[reason] = InvalidReasons.GetValueOrDefault(reason) + 1;
    }

    private Operator PickMutation()
    {
        var x = Random.NextDouble() * _mutations.Sum(m => m.Weight);
        foreach (var (op, weight) in _mutations)
        {
            x -= weight;
            if (x < 0) return op;
        }
        return _mutations[^1].Op;
    }

    /// <summary>The simplified form, if it is still a model within the limits (simplification never grows a tree).</summary>
    internal Expression? Canonical(Expression e)
    {
        try
        {
            var simplified = Simplifier.Simplify(e);
            if (_settings.SymmetricPairs && _elements != null) simplified = PairSymmetry.Tie(simplified);
            return Variation.Finish(simplified, _limits);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
