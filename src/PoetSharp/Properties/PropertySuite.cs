using System.Diagnostics;
using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Simulation;

namespace PoetSharp.Properties;

/// <summary>How a property of the suite came out.</summary>
public enum PropertyStatus
{
    /// <summary>Computed, every relaxation or band it rests on converged.</summary>
    Ok,
    /// <summary>A relaxation or band did not reach its tolerance: the value is the last one, not a result.</summary>
    NotConverged,
    /// <summary>Could not be computed (no energy minimum, a non-finite energy, a failed prerequisite): no value.</summary>
    Failed,
}

/// <summary>
/// One property of the suite, named as in <c>TargetProperties_0K.data</c> (name and structure, e.g. "a0" "FCC").
/// <see cref="Value"/> is null when <see cref="Status"/> is Failed; with NotConverged it is the unconverged last value,
/// which is not to be reported as a result.
/// </summary>
/// <param name="Group">The suite group that computes it (one of <see cref="PropertySuite.Groups"/>).</param>
/// <param name="Reason">Why it is not Ok; for Ok, a line on how it was computed (may be empty).</param>
public sealed record SuiteProperty(string Group, string Name, string Structure, double? Value, string Unit, PropertyStatus Status, string Reason)
{
    public bool IsOk => Status == PropertyStatus.Ok;

    public static SuiteProperty Ok(string group, PropertyValue v, string details = "") =>
        double.IsFinite(v.Value)
            ? new(group, v.Name, v.Structure, v.Value, v.Unit, PropertyStatus.Ok, details)
            : new(group, v.Name, v.Structure, null, v.Unit, PropertyStatus.Failed, $"the value is {v.Value}");

    public static SuiteProperty FromRelaxed(string group, string structure, RelaxedProperty p, double scale = 1, string? unit = null)
    {
        var value = p.Value * scale;
        if (!double.IsFinite(value))
            return new(group, p.Name, structure, null, unit ?? p.Unit, PropertyStatus.Failed, $"the value is {value}: {p.Details}");
        return new(group, p.Name, structure, value, unit ?? p.Unit, p.Converged ? PropertyStatus.Ok : PropertyStatus.NotConverged, p.Details);
    }
}

/// <summary>Time one task of the suite took (tasks may run concurrently, so these add up to more than the wall time).</summary>
public sealed record SuiteTiming(string Task, string Group, TimeSpan Elapsed);

/// <summary>Settings of <see cref="PropertySuite.Run"/>.</summary>
public sealed record PropertySuiteOptions
{
    /// <summary>The element the crystals are made of; null: the potential's first species, else Cu.</summary>
    public string? Element { get; init; }
    /// <summary>The groups to compute (names from <see cref="PropertySuite.Groups"/>); null or empty: all.</summary>
    public IReadOnlyCollection<string>? Only { get; init; }
    /// <summary>Tasks run at once; null: all cores. 1 runs everything in order on the calling thread's pool.</summary>
    public int? MaxParallelism { get; init; }
    /// <summary>Called (serialised, from any thread) with a line as each task finishes.</summary>
    public Action<string>? Progress { get; init; }
    /// <summary>Points of the generalized stacking-fault curve from 0 to a/√6.</summary>
    public int StackingCurvePoints { get; init; } = 21;
    /// <summary>Cell sizes and tolerances (<see cref="PropertySetup.Converged"/> by default).</summary>
    public PropertySetup Setup { get; init; } = PropertySetup.Converged;
    /// <summary>With the stacking group: also the unstable fault and the generalized stacking-fault curve (false: only γ_isf).</summary>
    public bool StackingDetails { get; init; } = true;
    /// <summary>
    /// The element's crystal, Fcc or Diamond: the vacancy and surface groups are of it (diamond: <c>Ev_f DIAMOND</c>,
    /// <c>Esurf_100 DIAMOND</c>, <c>Esurf_111 DIAMOND</c> instead of the fcc ones), and with Diamond the lattice group adds
    /// <c>a0 DIAMOND</c> and <c>E0 DIAMOND</c>, and the elastic group adds diamond's relaxed-ion C11, C12, C44. The other groups are of fcc either way. Null: <see cref="PropertySuite.CrystalOf"/> the element.
    /// </summary>
    public CubicLattice? Crystal { get; init; }
}

/// <summary>The properties computed, in a fixed order, with the data behind the plots.</summary>
public sealed record PropertySuiteResult(string Potential, string Element, IReadOnlyList<string> Groups, IReadOnlyList<SuiteProperty> Properties,
    EquationOfStateResult? EquationOfState, FccPhononResult? Phonons, StackingFaultCurve? StackingFaultCurve,
    IReadOnlyList<SuiteTiming> Timings, TimeSpan Elapsed)
{
    public SuiteProperty? Find(string name, string structure) => Properties.FirstOrDefault(p => p.Name == name && p.Structure == structure);

    /// <summary>Each property beside its reference value (when the reference has it), then the reference rows the suite did not produce.</summary>
    public IReadOnlyList<PropertyComparison> Compare(TargetProperties? reference)
    {
        var rows = Properties.Select(p => PropertyComparison.Of(p, reference?.Find(p.Name, p.Structure))).ToList();
        // With every group run, a reference row without a computed partner is one the suite does not know: show it.
        if (reference != null && Groups.Count == PropertySuite.Groups.Count)
            rows.AddRange(reference.Properties.Where(r => Find(r.Name, r.Structure) is null).Select(r => new PropertyComparison(null, r, null, null, "")));
        return rows;
    }
}

/// <summary>A computed property and its reference; the errors are set when both are numbers in the same unit.</summary>
/// <param name="Computed">Null for a reference row the suite has no property for.</param>
/// <param name="AbsoluteError">Computed − reference, in the unit.</param>
/// <param name="RelativeError">(Computed − reference) / |reference| (a fraction; null when the reference is 0).</param>
/// <param name="Note">Why no error is given although both exist (e.g. different units).</param>
public sealed record PropertyComparison(SuiteProperty? Computed, TargetProperty? Reference, double? AbsoluteError, double? RelativeError, string Note)
{
    public string Name => Computed?.Name ?? Reference!.Name;
    public string Structure => Computed?.Structure ?? Reference!.Structure;
    public string Unit => Computed?.Unit ?? Reference!.Unit;

    public static PropertyComparison Of(SuiteProperty computed, TargetProperty? reference)
    {
        if (reference == null) return new(computed, null, null, null, "");
        if (NormalUnit(reference.Unit) != NormalUnit(computed.Unit))
            return new(computed, reference, null, null, $"reference unit '{reference.Unit}' differs from '{computed.Unit}'");
        if (computed.Status != PropertyStatus.Ok || computed.Value is not double value) return new(computed, reference, null, null, "");
        var error = value - reference.Value;
        return new(computed, reference, error, reference.Value == 0 ? null : error / Math.Abs(reference.Value), "");
    }

    /// <summary>Units compared without the spelling differences of hand-written files: "meV/(Å^2)" equals "meV/Å²".</summary>
    public static string NormalUnit(string unit) =>
        unit.Replace(" ", "").Replace("(", "").Replace(")", "").Replace("^2", "²").Replace("^3", "³");
}

/// <summary>
/// Every property of the validation suite for one potential and element, as in POET's tables: lattice constants of fcc, bcc
/// and hcp with the cohesive energy; the fcc equation of state; the cubic elastic constants and BVRH; bcc−fcc and hcp−fcc;
/// vacancy formation and migration; the ⟨100⟩ dumbbell; the surface energies of the 13 facets of POET's copper set; the
/// intrinsic and unstable stacking-fault energies with the generalized stacking-fault curve; phonons at X, L, K and the
/// dispersion. Each builder runs at its converged defaults (see their documentation).
///
/// For a diamond-structure element (<see cref="CrystalOf"/>: C, Si, Ge; or <see cref="PropertySuiteOptions.Crystal"/>)
/// the vacancy and the surfaces are those of the diamond crystal at its own zero-pressure lattice constant, computed in
/// the first stage beside fcc's: the vacancy in 3×3×3 conventional cubes (216 sites) and the ideal (100) and (111)
/// surfaces (structure "DIAMOND"); the fcc facets and fcc vacancy are then not computed.
///
/// The fcc lattice constant is computed first (everything else but bcc and hcp is at it); the other tasks then run in
/// parallel (potentials are thread-safe), longest first. Results are kept in a fixed order and do not depend on the
/// schedule. A task that throws (e.g. no energy minimum) gives Failed properties with the reason; one that depends on a
/// failed prerequisite too.
/// </summary>
public static class PropertySuite
{
    /// <summary>The groups, in the order of the results.</summary>
    public static IReadOnlyList<string> Groups { get; } =
        ["lattice", "eos", "elastic", "phases", "vacancy", "migration", "dumbbell", "surfaces", "stacking", "phonons"];

    private const string Fcc = "FCC";
    private const string Diamond = "DIAMOND";

    /// <summary>
    /// The group-14 elements whose usual crystal is diamond: C (diamond rather than graphite, the usual test of a carbon
    /// potential), Si and Ge. Sn is left out: its diamond form (α-Sn) is stable only below 13 °C.
    /// </summary>
    public static IReadOnlyCollection<string> DiamondElements { get; } = ["C", "Si", "Ge"];

    /// <summary>The crystal of the vacancy and surface groups for an element: Diamond for <see cref="DiamondElements"/>, else Fcc.</summary>
    public static CubicLattice CrystalOf(string element) => DiamondElements.Contains(element) ? CubicLattice.Diamond : CubicLattice.Fcc;

    /// <summary>Every (name, structure) the suite can produce, with its group and unit; E_isolated's structure is the element.</summary>
    public static IReadOnlyList<(string Name, string Structure, string Group, string Unit)> Known { get; } =
    [
        ("a0", Fcc, "lattice", "Å"), ("E0", Fcc, "lattice", "eV/atom"), ("a0", "BCC", "lattice", "Å"), ("E0", "BCC", "lattice", "eV/atom"),
        ("a0", "HCP", "lattice", "Å"), ("c0", "HCP", "lattice", "Å"), ("c/a", "HCP", "lattice", ""), ("E0", "HCP", "lattice", "eV/atom"),
        ("E_isolated", "(element)", "lattice", "eV"), ("Ecoh", Fcc, "lattice", "eV/atom"),
        ("V0", Fcc, "eos", "Å^3/atom"), ("E0_EOS", Fcc, "eos", "eV/atom"), ("B0", Fcc, "eos", "GPa"), ("B0'", Fcc, "eos", ""),
        ("C11", Fcc, "elastic", "GPa"), ("C12", Fcc, "elastic", "GPa"), ("C44", Fcc, "elastic", "GPa"), ("BVRH", Fcc, "elastic", "GPa"),
        ("delta_E0", "BCC_FCC", "phases", "eV/atom"), ("delta_E0", "HCP_FCC", "phases", "eV/atom"),
        ("Ev_f", Fcc, "vacancy", "eV"), ("Ev_m", Fcc, "migration", "eV"), ("Edumbbell_f", Fcc, "dumbbell", "eV"),
        .. Surfaces.PoetFacets.Select(f => (FormattableString.Invariant($"Esurf_{f.H}{f.K}{f.L}"), Fcc, "surfaces", "meV/Å²")),
        ("a0", Diamond, "lattice", "Å"), ("E0", Diamond, "lattice", "eV/atom"), ("Ev_f", Diamond, "vacancy", "eV"),
        .. Surfaces.DiamondFacets.Select(f => (FormattableString.Invariant($"Esurf_{f.H}{f.K}{f.L}"), Diamond, "surfaces", "meV/Å²")),
        ("gamma_isf", Fcc, "stacking", "mJ/m²"), ("gamma_usf", Fcc, "stacking", "mJ/m²"),
        .. new[] { "X", "L", "K" }.SelectMany(q => Enumerable.Range(1, 3).Select(k => ($"nu_{q}{k}", Fcc, "phonons", "THz"))),
    ];

    /// <summary>The group that computes (name, structure) and its unit, or null when the suite does not produce it.</summary>
    public static (string Group, string Unit)? Describe(string name, string structure)
    {
        foreach (var k in Known)
            if (k.Name == name && (k.Structure == structure || k.Structure == "(element)")) return (k.Group, k.Unit);
        return null;
    }

    /// <summary>A unit of work: its group, a label for progress, a rough cost for scheduling, and what it computes.</summary>
    private sealed record SuiteTask(string Group, string Label, int Cost, Func<TaskOutput> Compute, Func<string, IEnumerable<SuiteProperty>> OnFailure);

    private sealed class TaskOutput
    {
        public List<SuiteProperty> Properties { get; } = [];
        public object? Artifact { get; init; }
    }

    /// <summary>Checks group names; throws ArgumentException naming the unknown one and the known ones.</summary>
    public static IReadOnlyList<string> ResolveGroups(IReadOnlyCollection<string>? only)
    {
        if (only == null || only.Count == 0) return Groups;
        var unknown = only.Where(g => !Groups.Contains(g)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"unknown property group {string.Join(", ", unknown.Select(u => $"'{u}'"))}: choose from {string.Join(", ", Groups)}");
        return Groups.Where(only.Contains).ToList();
    }

    /// <summary>
    /// The suite for each element of the potential in turn (its species in order; the one of <see cref="PropertySuiteOptions.Element"/>
    /// when that is set; Cu for a potential of any species): every crystal is of that element alone.
    /// </summary>
    public static IReadOnlyList<PropertySuiteResult> RunPerElement(IPotential potential, PropertySuiteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        options ??= new PropertySuiteOptions();
        var elements = options.Element is { } one ? [one] : potential.Species is { Count: > 0 } species ? species.ToArray() : ["Cu"];
        return elements.Select(e => Run(potential, options with { Element = e })).ToList();
    }

    public static PropertySuiteResult Run(IPotential potential, PropertySuiteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        options ??= new PropertySuiteOptions();
        var groups = ResolveGroups(options.Only);
        if (options.MaxParallelism is < 1) throw new ArgumentException("the parallelism must be at least 1");
        if (options.StackingCurvePoints < 2) throw new ArgumentException("a stacking-fault curve needs at least two points");
        // The suite is of one element: with a potential of several, which one must be said (or use RunPerElement).
        if (options.Element is null && potential.Species is { Count: > 1 } several)
            throw new ArgumentException($"{potential.Name} describes {string.Join(", ", several)}: the property suite is of one element; " +
                                        "name it (Element) or run the suite for each (RunPerElement)");
        var element = CubicReference.Element(potential, options.Element);
        if (!Elements.IsKnown(element)) throw new ArgumentException($"'{element}' is not an element symbol");
        potential.CheckSpecies(Lattices.FccPrimitive(element, 1.0));
        var crystal = options.Crystal ?? CrystalOf(element);
        if (crystal is not (CubicLattice.Fcc or CubicLattice.Diamond))
            throw new ArgumentException($"the property suite's vacancy and surfaces are of an fcc or a diamond crystal, not {crystal}");
        bool Wants(string g) => groups.Contains(g);
        var setup = options.Setup ?? PropertySetup.Converged;
        var clock = Stopwatch.StartNew();
        var progressLock = new object();
        var timings = new List<SuiteTiming>();
        var done = 0;
        var total = 0;

        void Report(SuiteTask task, TimeSpan elapsed, string outcome)
        {
            lock (progressLock)
            {
                done++;
                timings.Add(new SuiteTiming(task.Label, task.Group, elapsed));
                options.Progress?.Invoke(FormattableString.Invariant($"[{done}/{total}] {task.Label}: {outcome} ({elapsed.TotalSeconds:F2} s)"));
            }
        }

        TaskOutput?[] RunAll(IReadOnlyList<SuiteTask> tasks, out string?[] errors)
        {
            var outputs = new TaskOutput?[tasks.Count];
            var failures = new string?[tasks.Count];
            var order = Enumerable.Range(0, tasks.Count).OrderByDescending(i => tasks[i].Cost).ToArray();
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism ?? Environment.ProcessorCount };
            Parallel.ForEach(order, parallel, i =>
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    outputs[i] = tasks[i].Compute();
                    var bad = outputs[i]!.Properties.Count(p => !p.IsOk);
                    Report(tasks[i], watch.Elapsed, bad == 0 ? "ok" : $"{bad} not ok");
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Expected failures (no minimum, a non-finite energy) say why; anything else names its type too.
                    failures[i] = e is InvalidOperationException or ArgumentException or ArithmeticException ? e.Message : $"{e.GetType().Name}: {e.Message}";
                    Report(tasks[i], watch.Elapsed, "could not be computed: " + failures[i]);
                }
            });
            errors = failures;
            return outputs;
        }

        // Stage 1: the crystals everything else refers to.
        var stage1 = new List<SuiteTask>();
        var needsOthers = Wants("lattice") || Wants("phases");
        SuiteTask Lattice(string label, CubicLattice lattice) => new("lattice", label, 1,
            () => new TaskOutput { Artifact = Bulk.CubicLatticeConstant(potential, element, lattice, setup.Lattice) }, _ => []);
        stage1.Add(Lattice("fcc lattice constant", CubicLattice.Fcc));
        if (needsOthers)
        {
            stage1.Add(Lattice("bcc lattice constant", CubicLattice.Bcc));
            stage1.Add(new("lattice", "hcp lattice constants", 3, () => new TaskOutput { Artifact = Bulk.HcpLatticeConstants(potential, element, setup.Lattice) }, _ => []));
        }
        // A diamond element's vacancy and surfaces are at the diamond crystal's own lattice constant.
        var diamondIndex = -1;
        if (crystal == CubicLattice.Diamond && (Wants("lattice") || Wants("vacancy") || Wants("surfaces")))
        {
            diamondIndex = stage1.Count;
            stage1.Add(Lattice("diamond lattice constant", CubicLattice.Diamond));
        }
        total = stage1.Count;
        var crystals = RunAll(stage1, out var crystalErrors);
        var fcc = crystals[0]?.Artifact as CubicLatticeResult;
        var fccError = crystalErrors[0];
        var bcc = needsOthers ? crystals[1]?.Artifact as CubicLatticeResult : null;
        var hcp = needsOthers ? crystals[2]?.Artifact as HcpLatticeResult : null;
        var diamond = diamondIndex >= 0 ? crystals[diamondIndex]?.Artifact as CubicLatticeResult : null;
        var diamondError = diamondIndex >= 0 ? crystalErrors[diamondIndex] : null;

        var properties = new List<SuiteProperty>();
        SuiteProperty Failed(string group, string name, string structure, string unit, string reason) =>
            new(group, name, structure, null, unit, PropertyStatus.Failed, reason);

        // Stage 2: everything at the fcc lattice constant, in parallel.
        var tasks = new List<SuiteTask>();
        TaskOutput Values(IEnumerable<SuiteProperty> values, object? artifact = null)
        {
            var output = new TaskOutput { Artifact = artifact };
            output.Properties.AddRange(values);
            return output;
        }
        void Add(string group, string label, int cost, Func<CubicLatticeResult, TaskOutput> compute, params (string Name, string Structure, string Unit)[] produces) =>
            AddAt(fcc, fccError, "fcc", group, label, cost, compute, produces);
        // A task at the lattice constant of a crystal of stage 1, which fails with that crystal's reason when it has none.
        void AddAt(CubicLatticeResult? at, string? atError, string kind, string group, string label, int cost, Func<CubicLatticeResult, TaskOutput> compute,
            params (string Name, string Structure, string Unit)[] produces)
        {
            if (!Wants(group)) return;
            tasks.Add(new SuiteTask(group, label, cost,
                () => at is null ? throw new InvalidOperationException($"no {kind} lattice constant: {atError}") : compute(at),
                reason => produces.Select(p => Failed(group, p.Name, p.Structure, p.Unit, reason))));
        }

        Add("lattice", "cohesive energy", 1, f => Values(Bulk.CohesiveEnergy(potential, f).Values().Select(v => SuiteProperty.Ok("lattice", v))),
            ("E_isolated", element, "eV"), ("Ecoh", Fcc, "eV/atom"));
        Add("eos", "equation of state", 1, f =>
        {
            var eos = EquationOfState.Compute(potential, f.Primitive(), structureName: Fcc);
            return Values(eos.Values().Select(v => SuiteProperty.Ok("eos", v,
                FormattableString.Invariant($"Birch–Murnaghan fit of 13 volumes within ±6 %, rms misfit {eos.RmsResidual:G2} eV/atom"))), eos);
        }, ("V0", Fcc, "Å^3/atom"), ("E0_EOS", Fcc, "eV/atom"), ("B0", Fcc, "GPa"), ("B0'", Fcc, ""));
        Add("elastic", "elastic constants", 1, f =>
        {
            var c = Elastic.Compute(potential, f.Primitive(), structureName: Fcc);
            return Values(c.Values().Where(v => v.Name is "C11" or "C12" or "C44" or "BVRH").Select(v => SuiteProperty.Ok("elastic", v,
                FormattableString.Invariant($"stress–strain central differences, strain {c.Strain:G2}"))));
        }, ("C11", Fcc, "GPa"), ("C12", Fcc, "GPa"), ("C44", Fcc, "GPa"), ("BVRH", Fcc, "GPa"));
        if (crystal == CubicLattice.Diamond)
            // Diamond's two atoms move under shear (Kleinman's internal strain): relaxed-ion constants, the ones DFT and
            // experiment give, with the linear internal relaxation (one force call per strained cell).
            AddAt(diamond, diamondError, "diamond", "elastic", "diamond elastic constants", 2, d =>
            {
                var primitive = d.Primitive();
                var c = Elastic.Compute(potential, primitive, relaxPositions: Elastic.LinearInternalRelaxation(potential, primitive), structureName: Diamond);
                return Values(c.Values().Where(v => v.Name is "C11" or "C12" or "C44" or "BVRH").Select(v => SuiteProperty.Ok("elastic", v,
                    FormattableString.Invariant($"stress–strain central differences, strain {c.Strain:G2}, internal coordinates relaxed"))));
            }, ("C11", Diamond, "GPa"), ("C12", Diamond, "GPa"), ("C44", Diamond, "GPa"), ("BVRH", Diamond, "GPa"));
        if (crystal == CubicLattice.Diamond)
            AddAt(diamond, diamondError, "diamond", "vacancy", "diamond vacancy formation", 20, d => Values([SuiteProperty.FromRelaxed("vacancy", Diamond,
                Defects.DiamondVacancyFormation(potential, d.A, setup.DiamondVacancySupercell, element, settings: setup.Relaxation(Defects.DefaultRelaxation)))]),
                ("Ev_f", Diamond, "eV"));
        else
            Add("vacancy", "vacancy formation", 20, f => Values([SuiteProperty.FromRelaxed("vacancy", Fcc, Defects.VacancyFormation(potential, f.A, setup.VacancySupercell, element, setup.VacancyCell, setup.Relaxation(Defects.DefaultRelaxation)))]),
                ("Ev_f", Fcc, "eV"));
        Add("migration", "vacancy migration (NEB)", 100, f => Values([SuiteProperty.FromRelaxed("migration", Fcc, Defects.VacancyMigration(potential, f.A, setup.MigrationSupercell, element))]),
            ("Ev_m", Fcc, "eV"));
        Add("dumbbell", "dumbbell formation", 60, f => Values([SuiteProperty.FromRelaxed("dumbbell", Fcc, Defects.DumbbellFormation(potential, f.A, setup.DumbbellSupercell, element, setup.DumbbellCell, setup.Relaxation(Defects.DefaultRelaxation)))]),
            ("Edumbbell_f", Fcc, "eV"));
        var (surfaceAt, surfaceError, surfaceKind, surfaceStructure) = crystal == CubicLattice.Diamond ? (diamond, diamondError, "diamond", Diamond) : (fcc, fccError, "fcc", Fcc);
        foreach (var (h, k, l) in Surfaces.FacetsOf(crystal))
        {
            var name = FormattableString.Invariant($"Esurf_{h}{k}{l}");
            AddAt(surfaceAt, surfaceError, surfaceKind, "surfaces", $"{(crystal == CubicLattice.Diamond ? "diamond " : "")}surface ({h}{k}{l})", 5 + h + k + l, c =>
            {
                var gamma = Surfaces.SurfaceEnergy(potential, c.A, h, k, l, crystal, setup.SurfaceThickness, setup.SurfaceVacuum, element,
                    setup.Relaxation(new RelaxationSettings { ForceTolerance = 1e-4 }));
                return Values([SuiteProperty.FromRelaxed("surfaces", surfaceStructure, gamma, Surfaces.MevPerA2(1), "meV/Å²")]);
            }, (name, surfaceStructure, "meV/Å²"));
        }
        Add("stacking", "intrinsic stacking fault", 3, f => Values([SuiteProperty.FromRelaxed("stacking", Fcc, StackingFaults.Intrinsic(potential, f.A, setup.StackingRepeats, element, setup.Relaxation(StackingFaults.DefaultRelaxation)))]),
            ("gamma_isf", Fcc, "mJ/m²"));
        if (options.StackingDetails) Add("stacking", "unstable stacking fault", 20, f => Values([SuiteProperty.FromRelaxed("stacking", Fcc, StackingFaults.Unstable(potential, f.A, setup.StackingRepeats, element))]),
            ("gamma_usf", Fcc, "mJ/m²"));
        var curvePoints = options.StackingDetails ? options.StackingCurvePoints : 0;
        var curveTasks = new List<int>();
        for (var p = 0; p < curvePoints; p++)
        {
            var fraction = (double)p / (curvePoints - 1);
            if (Wants("stacking")) curveTasks.Add(tasks.Count);
            Add("stacking", FormattableString.Invariant($"stacking-fault curve at {fraction:F2}"), 1, f =>
            {
                var (gamma, relaxed) = StackingFaults.FaultEnergy(potential, f.A, fraction, setup.StackingRepeats, element, setup.Relaxation(StackingFaults.DefaultRelaxation));
                return new TaskOutput { Artifact = (fraction, gamma, relaxed.Converged, relaxed.Reason) };
            });
        }
        Add("phonons", "phonons", 15, f =>
        {
            var ph = Phonons.Fcc(potential, element, f.A, Phonons.DefaultFccSupercell);
            var details = FormattableString.Invariant($"finite displacements ±{ph.Displacement} Å in a {ph.Supercell}×{ph.Supercell}×{ph.Supercell} primitive supercell");
            return Values(ph.Values().Select(v => SuiteProperty.Ok("phonons", v, details)), ph);
        }, ("nu_X1", Fcc, "THz"), ("nu_L1", Fcc, "THz"), ("nu_K1", Fcc, "THz"));

        total += tasks.Count;
        var outputs = RunAll(tasks, out var errors);

        // Assemble in the fixed group order.
        EquationOfStateResult? eosResult = null;
        FccPhononResult? phonons = null;
        foreach (var group in groups)
        {
            if (group == "lattice")
            {
                properties.AddRange(Crystal(fcc?.Values(), crystalErrors.ElementAtOrDefault(0), [("a0", Fcc, "Å"), ("E0", Fcc, "eV/atom")]));
                properties.AddRange(Crystal(bcc?.Values(), crystalErrors.ElementAtOrDefault(1), [("a0", "BCC", "Å"), ("E0", "BCC", "eV/atom")]));
                properties.AddRange(Crystal(hcp?.Values(), crystalErrors.ElementAtOrDefault(2), [("a0", "HCP", "Å"), ("c0", "HCP", "Å")]));
                if (diamondIndex >= 0)
                    properties.AddRange(Crystal(diamond?.Values(), diamondError, [("a0", Diamond, "Å"), ("E0", Diamond, "eV/atom")]));
            }
            if (group == "phases")
            {
                if (fcc != null && bcc != null && hcp != null)
                    properties.AddRange(new PhaseEnergyResult(fcc, bcc, hcp).Values().Select(v => SuiteProperty.Ok("phases", v)));
                else
                {
                    var reason = "a lattice constant could not be found: " + string.Join("; ", crystalErrors.Where(e => e != null));
                    properties.Add(Failed("phases", "delta_E0", "BCC_FCC", "eV/atom", reason));
                    properties.Add(Failed("phases", "delta_E0", "HCP_FCC", "eV/atom", reason));
                }
            }
            for (var t = 0; t < tasks.Count; t++)
            {
                if (tasks[t].Group != group || curveTasks.Contains(t)) continue;
                if (outputs[t] is { } output)
                {
                    properties.AddRange(output.Properties);
                    eosResult ??= output.Artifact as EquationOfStateResult;
                    phonons ??= output.Artifact as FccPhononResult;
                }
                else properties.AddRange(tasks[t].OnFailure("could not be computed: " + errors[t]));
            }
        }

        StackingFaultCurve? curve = null;
        if (curveTasks.Count > 0 && curveTasks.All(t => outputs[t] != null))
        {
            var points = curveTasks.Select(t => ((double Fraction, double Gamma, bool Converged, string Reason))outputs[t]!.Artifact!).ToArray();
            curve = new StackingFaultCurve(points.Select(p => p.Fraction).ToArray(), points.Select(p => p.Gamma).ToArray(), points.All(p => p.Converged));
        }

        return new PropertySuiteResult(potential.Name, element, groups, properties, eosResult, phonons, curve,
            timings.OrderByDescending(t => t.Elapsed).ToList(), clock.Elapsed);

        IEnumerable<SuiteProperty> Crystal(IReadOnlyList<PropertyValue>? values, string? error, (string Name, string Structure, string Unit)[] failed)
        {
            if (values != null) return values.Select(v => SuiteProperty.Ok("lattice", v));
            var reason = "could not be computed: " + (error ?? "the fcc lattice was not computed");
            return failed.Select(f => Failed("lattice", f.Name, f.Structure, f.Unit, reason));
        }
    }
}
