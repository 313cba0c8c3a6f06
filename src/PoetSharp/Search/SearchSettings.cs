using PoetSharp.Fitting;
using PoetSharp.Models;

namespace PoetSharp.Search;

/// <summary>What happens to a candidate that fails <see cref="ShortRangeCheck"/>.</summary>
public enum ShortRangePolicy
{
    /// <summary>Not checked.</summary>
    Off,
    /// <summary>Kept, with its fitness multiplied by <see cref="SearchSettings.ShortRangePenalty"/> (the default).</summary>
    Penalise,
    /// <summary>Discarded.</summary>
    Reject,
}

/// <summary>How target properties enter a search (<see cref="SearchSettings.TargetsPath"/>).</summary>
public enum TargetMode
{
    /// <summary>The target term is added to the fitness (the default).</summary>
    Fitness,
    /// <summary>The target term is a separate objective of selection and of the front.</summary>
    Objective,
}

/// <summary>Settings of a search; the defaults work on POET's example data.</summary>
public sealed record SearchSettings
{
    public ulong Seed { get; init; } = 1;
    /// <summary>Independent populations; migration moves a few good models between them (a ring).</summary>
    public int Islands { get; init; } = Math.Max(2, Environment.ProcessorCount);
    /// <summary>Islands evolved at once: 1 runs them in turn on the calling thread (bit-for-bit reproducible; so are
    /// other values for a run limited by generations, since islands only meet at migrations).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int PopulationSize { get; init; } = 48;
    public int OffspringPerGeneration { get; init; } = 48;
    /// <summary>Stop after this many generations per island (0: no limit).</summary>
    public int MaxGenerations { get; init; }
    /// <summary>Stop after this much wall time (null: no limit). At least one limit must be set.</summary>
    public TimeSpan? MaxTime { get; init; }
    /// <summary>Generations between migrations (an epoch); islands run independently within one.</summary>
    public int MigrationInterval { get; init; } = 4;
    public int Migrants { get; init; } = 3;
    /// <summary>
    /// Size limits of each element's expression; null (the default): <see cref="TreeLimits.ForElements"/> of the data's
    /// element count, so that an EAM-alloy form over every neighbour element fits whatever the number of elements.
    /// </summary>
    public TreeLimits? Limits { get; init; }
    /// <summary>
    /// Pair functions shared between element pairs, φ_AB = φ_BA (<c>--symmetric-pairs</c>): every linear pair term of one
    /// element's expression over another element has its mirror in the other's, with the same constants, kept equal by
    /// every fit (<see cref="Models.PairSymmetry"/>). Off by default; it has no effect with one element.
    /// </summary>
    public bool SymmetricPairs { get; init; }
    /// <summary>Chance that an offspring comes from crossover rather than a mutation.</summary>
    public double CrossoverProbability { get; init; } = 0.35;
    /// <summary>
    /// Relative weights of the mutations (an offspring not made by crossover gets one, drawn by weight); operators left
    /// out or weighted 0 are never used. Stored in checkpoints with the other settings; older checkpoints read as the default.
    /// </summary>
    public IReadOnlyDictionary<Operator, double> MutationWeights { get; init; } = DefaultMutationWeights;

    /// <summary>The mutation weights by default: point mutations twice as likely as most, hoist and term removal half.</summary>
    public static IReadOnlyDictionary<Operator, double> DefaultMutationWeights { get; } = new Dictionary<Operator, double>
    {
        [Operator.PointMutation] = 2, [Operator.SubtreeReplacement] = 1, [Operator.Insertion] = 1, [Operator.Deletion] = 1,
        [Operator.Hoist] = 0.5, [Operator.AddSumTerm] = 1, [Operator.RemoveSumTerm] = 0.5, [Operator.ConstantJitter] = 1,
    };

    /// <summary>The names of the mutations in <see cref="ParseMutationWeights"/> (and in <c>--mutation-weights</c>).</summary>
    public static IReadOnlyDictionary<string, Operator> MutationNames { get; } = new Dictionary<string, Operator>(StringComparer.OrdinalIgnoreCase)
    {
        ["point"] = Operator.PointMutation, ["subtree"] = Operator.SubtreeReplacement, ["insertion"] = Operator.Insertion,
        ["deletion"] = Operator.Deletion, ["hoist"] = Operator.Hoist, ["add-term"] = Operator.AddSumTerm,
        ["remove-term"] = Operator.RemoveSumTerm, ["jitter"] = Operator.ConstantJitter,
    };

    /// <summary>
    /// Mutation weights from "name=weight,…" (e.g. "hoist=0,jitter=3"): the named ones replace the defaults, the others
    /// keep theirs (<see cref="DefaultMutationWeights"/>).
    /// </summary>
    public static IReadOnlyDictionary<Operator, double> ParseMutationWeights(string list)
    {
        var weights = new Dictionary<Operator, double>(DefaultMutationWeights);
        foreach (var (name, value) in Pairs(list, "mutation weight"))
        {
            if (!MutationNames.TryGetValue(name, out var op))
                throw new ArgumentException($"unknown mutation '{name}' (known: {string.Join(", ", MutationNames.Keys)})");
            weights[op] = value;
        }
        return weights;
    }

    /// <summary>"name=number" items of a comma-separated list; one clear error for a malformed item.</summary>
    internal static IEnumerable<(string Name, double Value)> Pairs(string list, string what)
    {
        var items = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0) throw new ArgumentException($"no {what} given (name=value, comma-separated)");
        foreach (var item in items)
        {
            var eq = item.IndexOf('=');
            if (eq <= 0 || !double.TryParse(item[(eq + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
                throw new ArgumentException($"'{item}' is not a {what} (name=value, e.g. {(what.StartsWith("mutation", StringComparison.Ordinal) ? "hoist=0.5" : "eam=0.25")})");
            yield return (item[..eq].Trim(), value);
        }
    }

    /// <summary>The mutations with positive weight, in the enumeration's order (so the draw does not depend on how the dictionary was built).</summary>
    internal (Operator Op, double Weight)[] MutationWeightList() =>
        Enum.GetValues<Operator>().Where(op => MutationWeights.GetValueOrDefault(op) > 0).Select(op => (op, MutationWeights[op])).ToArray();

    /// <summary>Share of each generation's offspring that are fresh random trees (diversity).</summary>
    public double ImmigrantFraction { get; init; } = 0.1;
    /// <summary>Optimiser of every candidate's constants (lm, cg, cmaes) and its budget of objective evaluations.</summary>
    public string Optimizer { get; init; } = "lm";
    public int ConstantEvaluations { get; init; } = 30;
    /// <summary>
    /// Before each constant fit, set the candidate's amplitudes (the constants its energy is linear in,
    /// <see cref="Models.LinearConstants"/>) to their least-squares values for its other constants, solved exactly with
    /// one of the fit's evaluations (<see cref="Fitting.LinearProjection"/>). On by default; <c>--no-amplitude-solve</c>
    /// turns it off. A checkpoint written before the setting existed resumes with it on.
    /// </summary>
    public bool SolveAmplitudes { get; init; } = true;
    /// <summary>The constants of candidates are fitted on at most this many training structures, spread evenly over the set
    /// (the front's final errors use every structure).</summary>
    public int MaxFitStructures { get; init; } = 16;
    /// <summary>
    /// Screening of offspring (0: off): a child's constants are first fitted on a quarter of the fitting structures
    /// (<see cref="SearchProblem.ScreenPairs"/>, about four times cheaper), and only a child whose screened fitness is
    /// within this factor of the population's median training fitness gets the full fit (starting from the screened
    /// constants); the others are dropped as unpromising. The first population is not screened.
    /// </summary>
    public double ScreenFactor { get; init; } = 10;
    /// <summary>Objective evaluations for polishing each front model's constants at the end (0: none).</summary>
    public int FinalRefitEvaluations { get; init; } = 100;
    /// <summary>
    /// Training structures (spread over the groups) that front models are polished on at the end (<see cref="SearchProblem.FinalFitPairs"/>);
    /// at most <see cref="MaxFitStructures"/> means the candidates' own fitting structures. The default, 128, is all of
    /// POET's 120 DFT_Cu training structures; measured on one model each, it took the NbMoTaW recommended model from
    /// 37.8 to 31.1 meV/atom on held-back data (docs/search.md, "Front models").
    /// </summary>
    public int FinalFitStructures { get; init; } = 128;
    public ObjectiveWeights Weights { get; init; } = ObjectiveWeights.Default;
    public ShortRangePolicy ShortRange { get; init; } = ShortRangePolicy.Penalise;
    public double ShortRangePenalty { get; init; } = 10;
    /// <summary>
    /// The repulsion weight <c>poet fit</c> uses for data of several elements unless told otherwise. On NbMoTaW (two
    /// seeds, docs/benchmarks.md) the rows kept 19 and 32 front models repulsive at short range against 9 and 9 without,
    /// and the recommended models reached 45.9 and 26.7 meV/atom on held-back data against 27.6 and 92.0.
    /// </summary>
    public const double SeveralElementsRepulsionWeight = 1;
    /// <summary>
    /// Weight λ of the dimer-repulsion rows in every constant fit (<see cref="DimerRepulsion"/>; 0: none): hinge residuals
    /// that make a fit pay for a dimer whose energy does not rise as its atoms close in below the data's distances.
    /// Off by default; <c>--repulsion-weight λ</c>. A resumed run keeps the value it started with.
    /// </summary>
    public double RepulsionWeight { get; init; }
    /// <summary>Most models kept on the archive (the non-dominated set is thinned by crowding beyond it).</summary>
    public int ArchiveCapacity { get; init; } = 60;
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// Target properties (POET's TargetProperties_0K.data or its JSON form, see <see cref="Properties.TargetProperties"/>)
    /// that become part of the search's fitness or a separate objective (<see cref="TargetMode"/>); null: none.
    /// </summary>
    public string? TargetsPath { get; init; }
    public TargetMode TargetMode { get; init; } = TargetMode.Fitness;
    /// <summary>W of <see cref="Properties.TargetObjective"/>: how much the targets count against the data.</summary>
    public double TargetWeight { get; init; } = Properties.TargetObjective.DefaultWeight;
    /// <summary>Levenberg–Marquardt iterations (each with a finite-difference Jacobian of the targets) of the final joint refit of front models on data and targets (0: none).</summary>
    public int TargetRefitEvaluations { get; init; } = 8;
    /// <summary>
    /// How many front models get the joint refit run on to convergence after every front model's short one: the sane
    /// models of lowest joint cost (data fitness on the final polish's structures + target term), those the recommendation
    /// can fall on (0: none). Eight iterations move a model towards its targets; converging can take 20–60 (model 49 of
    /// DFT copper: 41 iterations at W = 0.03, from 18 to 22 of 23 targets met; docs/benchmarks.md).
    /// </summary>
    public int ContenderRefitModels { get; init; } = 4;
    /// <summary>Iterations of the contenders' joint refit (<see cref="ContenderRefitModels"/>); at most <see cref="TargetRefitEvaluations"/>: none.</summary>
    public int ContenderRefitEvaluations { get; init; } = 60;
    /// <summary>Physical sanity checks (<see cref="Properties.SanityPolicy"/>) of every candidate that could enter the archive.</summary>
    public Properties.SanityPolicy Sanity { get; init; } = Properties.SanityPolicy.Penalise;
    public double SanityPenalty { get; init; } = 10;
    /// <summary>The data's ground-state crystal ("fcc", "bcc", "hcp"); null: identified from the lowest-energy training structure.</summary>
    public string? GroundState { get; init; }
    /// <summary>
    /// The metals prior of the random-tree grammar (<see cref="GrammarPriors.EmbeddedAtomShare"/> of random atom trees drawn
    /// with the embedded-atom shape Σg + c·(Σh)^p); false (<c>--no-prior</c>) draws every random tree from the general
    /// grammar. Stored in checkpoints with the other settings, so a resumed run keeps it.
    /// </summary>
    public bool MetalsPrior { get; init; } = true;
    /// <summary>
    /// The shares with which the grammar draws its preferred forms (<see cref="GrammarPriors"/>). Stored in checkpoints
    /// with the other settings; a checkpoint written before the option existed reads as the default.
    /// </summary>
    public GrammarPriors Priors { get; init; } = GrammarPriors.Default;
    /// <summary>
    /// The operators of random trees and mutations, by their names in the operator table (<see cref="Operators"/>):
    /// always the arithmetic ones (add, sub, mul, div, pow, <see cref="DefaultOperatorSet"/>), optionally functions
    /// (exp, log, sqrt; <c>--operators</c>). Stored in checkpoints with the other settings; a checkpoint written before
    /// the option existed reads as the default. Seed models and models read from files may use any operator.
    /// </summary>
    public IReadOnlyList<string> OperatorSet { get; init; } = DefaultOperatorSet;

    /// <summary>The operators of the search by default: + − × ÷ ^ (as before functions were added).</summary>
    public static IReadOnlyList<string> DefaultOperatorSet { get; } = Operators.Binary.Select(k => Operators.Of(k).Name).ToArray();

    /// <summary>The unary operators (functions) of <see cref="OperatorSet"/>, in the table's order.</summary>
    public IReadOnlyList<NodeKind> UnaryOperators()
    {
        var named = OperatorSet.Select(n => Operators.ByName(n) ?? throw new ArgumentException($"unknown operator '{n}' (known: {string.Join(", ", Operators.All.Select(o => o.Name))})")).ToList();
        return Operators.Unary.Where(k => named.Any(o => o.Kind == k)).ToArray();
    }

    /// <summary>
    /// The operator set for a comma-separated list of function names (exp, log, sqrt; "all" for every one; the
    /// arithmetic operators may be named too and are always included).
    /// </summary>
    public static IReadOnlyList<string> ParseOperatorSet(string list)
    {
        var names = new List<string>(DefaultOperatorSet);
        foreach (var item in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (item.Equals("all", StringComparison.OrdinalIgnoreCase)) { names.AddRange(Operators.Unary.Select(k => Operators.Of(k).Name)); continue; }
            var op = Operators.ByName(item) ?? throw new ArgumentException(
                $"unknown operator '{item}' (the search's functions: {string.Join(", ", Operators.Unary.Select(k => Operators.Of(k).Name))}, or all)");
            names.Add(op.Name);
        }
        return Operators.All.Select(o => o.Name).Where(n => names.Contains(n)).ToArray();
    }

    /// <summary>
    /// Angular densities in random trees and mutations (<c>--angular</c>); null (the default) searches radial forms only,
    /// drawing exactly as before angular densities existed. Stored in checkpoints with the other settings.
    /// </summary>
    public AngularSearch? Angular { get; init; }

    /// <summary>Known forms placed in the first population (the user's --seed-model).</summary>
    public IReadOnlyList<string> SeedModels { get; init; } = [];

    public void Validate()
    {
        if (Islands < 1) throw new ArgumentException("at least one island is needed");
        if (Threads < 1) throw new ArgumentException("at least one thread is needed");
        if (PopulationSize < 4) throw new ArgumentException("the population needs at least 4 models");
        if (OffspringPerGeneration < 1) throw new ArgumentException("each generation needs at least one offspring");
        if (MaxGenerations <= 0 && MaxTime is null) throw new ArgumentException("give a time limit or a number of generations");
        if (MaxGenerations < 0) throw new ArgumentException("the number of generations cannot be negative");
        if (MaxTime is { } t && t <= TimeSpan.Zero) throw new ArgumentException("the time limit must be positive");
        if (MutationWeights.Any(w => !(w.Value >= 0) || !double.IsFinite(w.Value))) throw new ArgumentException("mutation weights must be finite and non-negative");
        if (MutationWeights.ContainsKey(Operator.Crossover)) throw new ArgumentException("crossover is not a mutation: its share is the crossover probability");
        if (!MutationWeights.Values.Any(w => w > 0)) throw new ArgumentException("at least one mutation needs a positive weight");
        if (MigrationInterval < 1) throw new ArgumentException("the migration interval must be at least one generation");
        if (!(RepulsionWeight >= 0) || !double.IsFinite(RepulsionWeight)) throw new ArgumentException($"the repulsion weight must be finite and non-negative, got {RepulsionWeight}");
        if (ConstantEvaluations < 1) throw new ArgumentException("the constant fit needs at least one evaluation");
        if (!(ScreenFactor >= 0) || double.IsPositiveInfinity(ScreenFactor)) throw new ArgumentException("the screening factor must be finite and non-negative");
        if (MaxFitStructures < 1) throw new ArgumentException("the constant fit needs at least one structure");
        if (FinalFitStructures < 1) throw new ArgumentException("the front's final polish needs at least one structure (--final-fit-structures)");
        if (Limits is { MaxNodes: < 3 } or { MaxDepth: < 2 }) throw new ArgumentException("the size limits are too small for any model");
        if (!(TargetWeight > 0) || !double.IsFinite(TargetWeight)) throw new ArgumentException("the target weight must be positive and finite");
        if (TargetRefitEvaluations < 0) throw new ArgumentException("the joint refit's evaluations cannot be negative");
        if (ContenderRefitModels < 0) throw new ArgumentException("the number of contenders refitted cannot be negative");
        if (ContenderRefitEvaluations < 0) throw new ArgumentException("the contenders' joint refit evaluations cannot be negative");
        if (!(SanityPenalty >= 1) || !double.IsFinite(SanityPenalty)) throw new ArgumentException("the sanity penalty must be finite and at least 1");
        if (GroundState != null) Properties.GroundState.Parse(GroundState);
        UnaryOperators();
        Angular?.Validate();
        Priors.Validate();
        if (DefaultOperatorSet.Any(n => !OperatorSet.Contains(n)))
            throw new ArgumentException($"the operator set must include the arithmetic operators {string.Join(", ", DefaultOperatorSet)}");
        Optimizers.Create(Optimizer);
    }
}

/// <summary>
/// The priors of the random-tree grammar (<see cref="Grammar"/>): how often random trees take the forms physical
/// potentials are made of. The defaults are the grammar's long-standing values, so a search with them draws exactly
/// as before the shares were settings; other values tilt the search towards or away from those forms.
/// </summary>
public sealed record GrammarPriors
{
    /// <summary>
    /// Chance that a random atom expression (of atom depth ≥ 2) has the embedded-atom shape Σg + c·(Σh)^p, or with several
    /// elements the EAM-alloy shape, when the metals prior is on (<see cref="SearchSettings.MetalsPrior"/>).
    /// </summary>
    public double EmbeddedAtomShare { get; init; } = 0.25;
    /// <summary>
    /// Chance that a new neighbour sum runs over every neighbour rather than those of one element, when the data have
    /// several elements (one element draws nothing).
    /// </summary>
    public double AnyNeighbourShare { get; init; } = 0.3;
    /// <summary>
    /// Chance that an internal node of a random tree, or a node inserted by a mutation, is a function (exp, log, sqrt),
    /// when the operator set has any (<see cref="SearchSettings.OperatorSet"/>; none draws nothing).
    /// </summary>
    public double UnaryShare { get; init; } = 0.15;
    /// <summary>
    /// Chance that a random pair building block is a power of r with an exponent linear in r, r^(a − b·r) (0 by default:
    /// no draw, so every other setting's random stream is as before). The motif of POET's copper models GP1, GP2 and GP3
    /// (r^(10.21 − 5.47 r) in GP1): repulsive at short range and decaying faster than any power at long range, in one term.
    /// </summary>
    public double PowerDecayShare { get; init; }
    /// <summary>
    /// Chance that an embedded-atom shape drawn by the metals prior gets a second embedding term a·(b + Σh)^(−q) of the
    /// same density family, b &gt; 0 and q in [0.5, 2.5] (0 by default: no draw, so other settings' random streams are
    /// as before). Why: the energy of breaking bonds. With F(ρ) = −ρ^p alone, and nearest neighbours counted, a (111)
    /// surface atom costs only 0.25–0.28 of the vacancy formation energy whatever p is (docs/search.md), where DFT copper
    /// asks for 0.44; an embedding that grows steeply as the density falls (GP1's 0.97/Σ 0.33^r) makes the few broken
    /// bonds of a vacancy cheap and the many of a surface dear. The offset b keeps it finite at ρ = 0, so the model still
    /// has an isolated-atom energy (a cohesive energy), which GP1's does not.
    /// </summary>
    public double InverseEmbeddingShare { get; init; }

    /// <summary>The grammar's priors by default (those of every search before they were settings).</summary>
    public static GrammarPriors Default { get; } = new();

    /// <summary>
    /// Priors from "eam=0.25,any-neighbour=0.3,function=0.15" (<c>--priors</c>): the named ones replace the defaults,
    /// the others keep theirs; each must be a probability.
    /// </summary>
    public static GrammarPriors Parse(string list)
    {
        var priors = Default;
        foreach (var (name, value) in SearchSettings.Pairs(list, "grammar prior"))
            priors = name.ToLowerInvariant() switch
            {
                "eam" => priors with { EmbeddedAtomShare = value },
                "any-neighbour" or "any-neighbor" => priors with { AnyNeighbourShare = value },
                "function" => priors with { UnaryShare = value },
                "power-decay" => priors with { PowerDecayShare = value },
                "inverse-embedding" => priors with { InverseEmbeddingShare = value },
                _ => throw new ArgumentException($"unknown grammar prior '{name}' (known: eam, any-neighbour, function, power-decay, inverse-embedding)"),
            };
        priors.Validate();
        return priors;
    }

    public void Validate()
    {
        Probability(EmbeddedAtomShare, nameof(EmbeddedAtomShare));
        Probability(AnyNeighbourShare, nameof(AnyNeighbourShare));
        Probability(UnaryShare, nameof(UnaryShare));
        Probability(PowerDecayShare, nameof(PowerDecayShare));
        Probability(InverseEmbeddingShare, nameof(InverseEmbeddingShare));
    }

    // NaN fails both comparisons, so it is refused with the out-of-range values.
    private static void Probability(double value, string name)
    {
        if (!(value is >= 0 and <= 1)) throw new ArgumentException($"the grammar prior {name} must be a probability in [0, 1], not {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }
}

/// <summary>
/// How the search uses angular densities ang_l(g) = Σ_{j,k} g(r_ij) f g(r_ik) f P_l(cos θ_jik): the orders it may draw, the
/// share of new neighbour sums that are angular, and the share of random atom expressions drawn with the MEAM-like shape
/// Σ g + c·(ang0(h) + Σ_l t_l ang_l(h))^p (MEAM's ρ̄ = ρ_0 (1 + Σ_l t_l ρ_l²/ρ_0²)^½ embedded, with our ang_l = ρ_l²).
/// </summary>
public sealed record AngularSearch
{
    /// <summary>Orders l the search may draw (0–3).</summary>
    public IReadOnlyList<int> Orders { get; init; } = [0, 1, 2, 3];
    /// <summary>Chance that a new neighbour sum is an angular density (its order drawn uniformly from <see cref="Orders"/>).</summary>
    public double SumShare { get; init; } = 0.3;
    /// <summary>Chance that a random atom expression (of atom depth ≥ 2) has the MEAM-like shape.</summary>
    public double MeamShare { get; init; } = 0.25;

    public void Validate()
    {
        if (Orders.Count == 0 || Orders.Any(l => l is < 0 or > 3)) throw new ArgumentException("angular orders are 0, 1, 2 or 3");
        if (!(SumShare is >= 0 and <= 1) || !(MeamShare is >= 0 and <= 1)) throw new ArgumentException("the angular shares are probabilities in [0, 1]");
    }

    /// <summary>Orders from a comma-separated list ("0,1,2,3"; "all" for every order).</summary>
    public static IReadOnlyList<int> ParseOrders(string list)
    {
        if (list.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return [0, 1, 2, 3];
        var orders = new List<int>();
        foreach (var item in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(item, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var l) || l > 3)
                throw new ArgumentException($"'{item}' is not an angular order (0, 1, 2 or 3, or all)");
            if (!orders.Contains(l)) orders.Add(l);
        }
        if (orders.Count == 0) throw new ArgumentException("no angular order given (0, 1, 2 or 3, or all)");
        orders.Sort();
        return orders;
    }
}
