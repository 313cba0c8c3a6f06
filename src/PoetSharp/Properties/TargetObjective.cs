namespace PoetSharp.Properties;

/// <summary>How far a computed property may miss its target and still count as right: a fraction of the target (relative) or an amount in the property's unit (eV-based units for energies).</summary>
public sealed record PropertyTolerance(double Value, bool Relative)
{
    /// <summary>"0.3 %" or "0.012 eV/atom".</summary>
    public string Describe(string unit) => Relative
        ? (100 * Value).ToString("G3", System.Globalization.CultureInfo.InvariantCulture) + " %"
        : Value.ToString("G3", System.Globalization.CultureInfo.InvariantCulture) + (unit.Length > 0 ? " " + unit : "");
}

/// <summary>
/// How far a computed property may be from its target before it counts as one standard unit in a fitness, and how much
/// each target counts by default. The tolerances are the accuracy POET's best copper models reach (issue 12's targets):
/// lattice constants 0.3 %, elastic constants and moduli 5 %, bcc−fcc 12 meV/atom, hcp−fcc 2 meV/atom, vacancy
/// formation and migration and the dumbbell 0.1 eV, surface energies 10 %, stacking-fault energies 10 mJ/m², phonon
/// frequencies 3 %, anything else 5 % of the target (or 5 % of 1 in its unit when the target is 0).
/// </summary>
public static class TargetTolerances
{
    /// <summary>The default rule of a property: relative (a fraction of the target) or absolute (in eV, eV/atom or mJ/m², the suite's units).</summary>
    public static PropertyTolerance Rule(string name, string structure) => (name, structure) switch
    {
        ("a0" or "c0", _) => new(0.003, true),
        ("BVRH" or "B0", _) => new(0.05, true),
        _ when name.Length == 3 && name[0] == 'C' && char.IsAsciiDigit(name[1]) && char.IsAsciiDigit(name[2]) => new(0.05, true),
        ("delta_E0", "HCP_FCC") => new(0.002, false),
        ("delta_E0", _) => new(0.012, false),
        ("Ev_f" or "Ev_m" or "Edumbbell_f", _) => new(0.1, false),
        ("gamma_isf" or "gamma_usf", _) => new(10, false),
        _ when name.StartsWith("Esurf_", StringComparison.Ordinal) => new(0.1, true),
        _ when name.StartsWith("nu_", StringComparison.Ordinal) => new(0.03, true),
        _ => new(0.05, true),
    };

    /// <summary>The tolerance of a target in its own unit: the record's, or the default for its kind.</summary>
    public static double Of(TargetProperty p)
    {
        if (p.Tolerance is { } t) return t;
        var magnitude = Math.Abs(p.Value) > 0 ? Math.Abs(p.Value) : 1;
        var rule = Rule(p.Name, p.Structure);
        if (rule.Relative) return rule.Value * magnitude;
        // Absolute rules are in the suite's unit; a target in meV (or J/m² for a fault) is converted, another unit gets 5 %.
        return PropertyComparison.NormalUnit(p.Unit) switch
        {
            "eV" or "eV/atom" or "mJ/m²" => rule.Value,
            "meV" or "meV/atom" => 1000 * rule.Value,
            "J/m²" => rule.Value / 1000,
            _ => 0.05 * magnitude,
        };
    }

    /// <summary>
    /// The weight of each target: the record's, else 1 / (number of targets of its suite group), so that every group
    /// (lattice, elastic, phases, vacancy, surfaces, ...) counts alike however many rows it has (POET's file has 13 surfaces).
    /// </summary>
    public static double[] Weights(IReadOnlyList<TargetProperty> targets, IReadOnlyList<string> groups)
    {
        var counts = groups.GroupBy(g => g).ToDictionary(g => g.Key, g => g.Count());
        return targets.Select((t, k) => t.Weight ?? 1.0 / counts[groups[k]]).ToArray();
    }
}

/// <summary>One target property of a fitness: the computed value and its standardised residual (computed − target) / tolerance.</summary>
/// <param name="Residual">The standardised error; <see cref="TargetObjective.FailedResidual"/> when the property could not be computed.</param>
public sealed record TargetTerm(TargetProperty Target, string Group, double? Computed, PropertyStatus Status, double Tolerance, double Weight, double Residual, string Reason)
{
    /// <summary>Computed and within its tolerance (a property that could not be computed has residual <see cref="TargetObjective.FailedResidual"/>).</summary>
    public bool Met => Math.Abs(Residual) <= 1;
}

/// <summary>A potential's target-property part of the fitness: each term and their sum.</summary>
/// <param name="Fitness">½ W Σ_p w_p r_p² / Σ_p w_p (see <see cref="TargetObjective"/>).</param>
public sealed record TargetEvaluation(IReadOnlyList<TargetTerm> Terms, double Fitness, PropertySuiteResult Suite)
{
    /// <summary>Root mean square of the standardised residuals (weighted): 1 means "on average at the tolerance".</summary>
    public double Score => Math.Sqrt(Terms.Sum(t => t.Weight * t.Residual * t.Residual) / Math.Max(Terms.Sum(t => t.Weight), 1e-300));
}

/// <summary>
/// Target properties as a term of a fitness. Each target p becomes the standardised residual
/// r_p = (computed − target) / tolerance_p (<see cref="TargetTolerances.Of"/>), weighted by w_p
/// (<see cref="TargetTolerances.Weights"/>), and the term is ½ W Σ_p w_p r_p² / Σ_p w_p with W = <see cref="Weight"/>:
/// the same form as POET's data fitness (½ Σ of squared standardised residuals), so that with W = 1 a potential whose
/// every property is off by its tolerance scores ½, as one data quantity off by its standard deviation would.
/// The properties are computed by <see cref="PropertySuite"/> itself (only the groups the targets need, on one thread,
/// with <see cref="Setup"/>), so a term's value is exactly what <c>poet properties</c> prints with the same set-up.
/// A property that cannot be computed (no minimum, a failed relaxation) counts as <see cref="FailedResidual"/> tolerances.
/// </summary>
public sealed class TargetObjective
{
    /// <summary>The residual of a target the potential could not produce (in tolerances).</summary>
    public const double FailedResidual = 10;

    /// <summary>The default <see cref="Weight"/>: see docs/search.md (the defaults under "Targets in the objective") for how it was chosen.</summary>
    public const double DefaultWeight = 0.03;

    private readonly double[] _weights;
    private readonly double[] _tolerances;
    private readonly double _weightSum;

    public TargetProperties Source { get; }
    public string Element { get; }
    public double Weight { get; }
    public PropertySetup Setup { get; }
    /// <summary>The targets used, in file order.</summary>
    public IReadOnlyList<TargetProperty> Targets { get; }
    /// <summary>The suite group of each target.</summary>
    public IReadOnlyList<string> TargetGroups { get; }
    /// <summary>The groups the suite runs.</summary>
    public IReadOnlyList<string> Groups { get; }

    private readonly Atoms.CubicLattice _crystal;

    /// <summary>
    /// Throws ArgumentException naming each target the suite does not compute (and the ones it does), or a target whose
    /// unit differs from the suite's, or a non-positive weight.
    /// </summary>
    public TargetObjective(TargetProperties targets, string element, double weight = DefaultWeight, PropertySetup? setup = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (!(weight > 0) || !double.IsFinite(weight)) throw new ArgumentException($"the target weight must be positive and finite (got {weight})");
        Source = targets;
        Element = element;
        Weight = weight;
        // A vacancy or dumbbell reference that names its cell is computed in that cell (like for like).
        Setup = targets.Apply(setup ?? PropertySetup.Screening);
        var used = targets.Properties.Where(t => t.Weight is not 0).ToList();
        var groups = new List<string>();
        foreach (var t in used)
        {
            var (group, unit) = PropertySuite.Describe(t.Name, t.Structure)
                ?? throw new ArgumentException($"{targets.Path}, line {t.Line}: the property suite does not compute {t.Name} {t.Structure}; " +
                                               $"known: {string.Join(", ", PropertySuite.Known.Select(k => $"{k.Name} {k.Structure}"))}");
            if (PropertyComparison.NormalUnit(unit) != PropertyComparison.NormalUnit(t.Unit))
                throw new ArgumentException($"{targets.Path}, line {t.Line}: {t.Name} {t.Structure} is in '{t.Unit}', the suite gives '{unit}'");
            groups.Add(group);
        }
        if (used.Count == 0) throw new ArgumentException($"{targets.Path}: every target has weight 0");
        // The suite's vacancy and surfaces are of one crystal: the targets say which (DIAMOND rows: diamond; else fcc, as before).
        var defectTargets = used.Where((t, k) => groups[k] is "vacancy" or "surfaces").ToList();
        _crystal = used.Any(t => t.Structure == "DIAMOND") ? Atoms.CubicLattice.Diamond : Atoms.CubicLattice.Fcc;
        if (_crystal == Atoms.CubicLattice.Diamond && defectTargets.FirstOrDefault(t => t.Structure != "DIAMOND") is { } fccTarget)
            throw new ArgumentException($"{targets.Path}, line {fccTarget.Line}: {fccTarget.Name} {fccTarget.Structure} beside DIAMOND targets: " +
                                        "the suite computes the vacancy and surfaces of one crystal, fcc or diamond");
        Targets = used;
        TargetGroups = groups;
        Groups = PropertySuite.Groups.Where(groups.Contains).ToList();
        _weights = TargetTolerances.Weights(used, groups);
        _weightSum = _weights.Sum();
        _tolerances = used.Select(TargetTolerances.Of).ToArray();
    }

    /// <summary>Number of residuals of <see cref="Residuals"/>: one per target.</summary>
    public int ResidualCount => Targets.Count;

    /// <summary>
    /// The suite's groups in the order a staged evaluation computes them: cheapest first (crystals, elastic constants and
    /// phase energies need a few hundred energies of 1–2-atom cells), then the relaxed defects and surfaces, then the
    /// costliest (dumbbell at zero pressure, NEB, phonons).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Stages { get; } =
    [
        ["lattice", "eos", "elastic", "phases"],
        ["vacancy", "stacking", "surfaces"],
        ["dumbbell", "migration", "phonons"],
    ];

    /// <summary>The suite options this objective runs (one thread, only the groups needed, <see cref="Setup"/>).</summary>
    public PropertySuiteOptions SuiteOptions => OptionsFor(Groups);

    private PropertySuiteOptions OptionsFor(IReadOnlyList<string> groups) => new()
    {
        Element = Element,
        Only = groups.ToArray(),
        MaxParallelism = 1,
        Setup = Setup,
        StackingDetails = Targets.Any(t => t.Name == "gamma_usf"),
        Crystal = _crystal,
    };

    /// <summary>Computes the properties of <paramref name="potential"/> and the term.</summary>
    public TargetEvaluation Evaluate(Potentials.IPotential potential) => Evaluate(potential, null)!;

    /// <summary>
    /// Computes the term in <see cref="Stages"/>, cheapest first. After each stage but the last, the term so far is a
    /// lower bound of the whole (every part is ≥ 0); when <paramref name="worthContinuing"/> says false for it, the
    /// evaluation stops and returns null: the potential cannot do better than that bound, and the caller need not know
    /// more (e.g. a search candidate that could not enter the archive even so). With a null predicate every stage runs.
    /// </summary>
    public TargetEvaluation? Evaluate(Potentials.IPotential potential, Func<double, bool>? worthContinuing)
    {
        var results = new List<PropertySuiteResult>();
        var done = new HashSet<string>();
        var stages = Stages.Select(st => st.Where(Groups.Contains).ToList()).Where(st => st.Count > 0).ToList();
        for (var s = 0; s < stages.Count; s++)
        {
            var run = PropertySuite.Run(potential, OptionsFor(stages[s]));
            results.Add(run);
            done.UnionWith(stages[s]);
            if (worthContinuing == null || s == stages.Count - 1) continue;
            var partial = Assemble(results, done).Fitness;
            if (!worthContinuing(partial)) return null;
        }
        return Assemble(results, done);
    }

    private TargetEvaluation Assemble(List<PropertySuiteResult> results, HashSet<string> done)
    {
        var suite = results.Count == 1 ? results[0] : Merge(results);
        var terms = new List<TargetTerm>(Targets.Count);
        var sum = 0.0;
        for (var k = 0; k < Targets.Count; k++)
        {
            if (!done.Contains(TargetGroups[k])) continue;
            var t = Targets[k];
            var p = suite.Find(t.Name, t.Structure);
            double residual;
            string reason;
            if (p is { Value: double v } && p.Status != PropertyStatus.Failed && double.IsFinite(v))
            {
                residual = (v - t.Value) / _tolerances[k];
                reason = p.Status == PropertyStatus.Ok ? "" : p.Reason;
            }
            else
            {
                residual = FailedResidual;
                reason = p?.Reason ?? "not computed";
            }
            terms.Add(new TargetTerm(t, TargetGroups[k], p?.Value, p?.Status ?? PropertyStatus.Failed, _tolerances[k], _weights[k], residual, reason));
            sum += _weights[k] * residual * residual;
        }
        return new TargetEvaluation(terms, 0.5 * Weight * sum / _weightSum, suite);
    }

    // The stages' results as one (the fcc crystal of the first stage names the rest).
    private static PropertySuiteResult Merge(List<PropertySuiteResult> results)
    {
        var first = results[0];
        return first with
        {
            Groups = results.SelectMany(r => r.Groups).ToList(),
            Properties = results.SelectMany(r => r.Properties).DistinctBy(p => (p.Name, p.Structure)).ToList(),
            EquationOfState = results.Select(r => r.EquationOfState).FirstOrDefault(x => x != null),
            Phonons = results.Select(r => r.Phonons).FirstOrDefault(x => x != null),
            StackingFaultCurve = results.Select(r => r.StackingFaultCurve).FirstOrDefault(x => x != null),
            Timings = results.SelectMany(r => r.Timings).ToList(),
            Elapsed = results.Aggregate(TimeSpan.Zero, (t, r) => t + r.Elapsed),
        };
    }

    /// <summary>
    /// The term as least-squares residuals √(W w_p / Σw) r_p, whose ½ Σ of squares is <see cref="TargetEvaluation.Fitness"/>
    /// (for a joint fit of data and targets).
    /// </summary>
    public void Residuals(TargetEvaluation evaluation, Span<double> residuals)
    {
        if (evaluation.Terms.Count != Targets.Count) throw new ArgumentException("the evaluation is not complete");
        for (var k = 0; k < Targets.Count; k++)
            residuals[k] = Math.Sqrt(Weight * _weights[k] / _weightSum) * evaluation.Terms[k].Residual;
    }
}
