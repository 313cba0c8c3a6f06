using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Simulation;

namespace PoetSharp.Properties;

/// <summary>
/// The set-ups of <see cref="PhysicalSanity.Check"/>. The defaults are the smallest that decide each check's sign or
/// ordering as the converged set-ups do (<see cref="Converged"/>, the property suite's), chosen by comparing the two on
/// Sutton–Chen copper, the Mishin Cu EAM (Cu_mishin1.eam.alloy), GP1 and the 17-node DFT_Cu model of issue 12
/// (figures beside each setting; also checked on Mendelev's bcc Fe and hcp Mg). They cost about a tenth of the
/// converged ones: one check of GP1 takes 5–8 ms once the JIT has warmed up (40–80 ms converged), of the Mishin EAM
/// 3–4 ms (39 ms), on one core.
/// </summary>
public sealed record SanitySettings
{
    /// <summary>
    /// Lattice constants: a 16-point energy scan (nearest-neighbour spacing 0.05 of the cutoff, 0.25 Å for a 5 Å
    /// cutoff, where metallic wells are about 1 Å wide), the pressure solved to 1e-6 Å, hcp c/a scanned on 7 points from
    /// 1.4 to 2.0 and σzz = σxx solved to 1e-4 in c/a. Measured: every phase energy within 2e-6 meV/atom of the
    /// converged search's on the potentials above (the superlinear root searches end far inside their tolerance), at a
    /// third of the energy evaluations (about 220 instead of 650).
    /// </summary>
    public LatticeSearch Lattice { get; init; } = new() { ScanPoints = 16, LengthTolerance = 1e-6, CoverAPoints = 7, CoverATolerance = 1e-4 };

    /// <summary>
    /// Strain of the central differences of the elastic constants (the property suite's 1e-4: 12 stress evaluations of
    /// the primitive cell, so there is nothing to save; hcp adds 12 force evaluations for its linear internal relaxation).
    /// </summary>
    public double ElasticStrain { get; init; } = 1e-4;

    /// <summary>
    /// The vacancy supercell is the smallest repetition of the conventional cell (fcc, bcc) or of the hcp cell whose
    /// vacancy images are at least this far apart (Å). 7 Å gives the 32-site 2×2×2 fcc cell for copper, whose relaxed
    /// formation energy lies 0.007–0.016 eV above the converged 4×4×4 one on the four potentials above (Mishin 1.286
    /// against 1.274 eV, Sutton–Chen 0.783 against 0.773 eV); bcc gets 3×3×3 (54 sites; Fe 1.722 against 1.713 eV in
    /// 5×5×5), hcp 3×3×2 (36 sites; Mg 0.876 against 0.875 eV in 5×5×3).
    /// </summary>
    public double VacancyImageDistance { get; init; } = 7.0;

    /// <summary>
    /// Vacancy relaxation at constant volume to 1e-2 eV/Å: the energy left in the unrelaxed forces is about f²/k,
    /// below 1e-4 eV (GP1 and Sutton–Chen in 2×2×2 give the same 1.1141 and 0.7835 eV as at 1e-4 eV/Å), in about 20
    /// steps instead of 50. At most 300 steps, ten times what sound potentials need: a candidate whose vacancy has not
    /// relaxed by then fails (unless already negative) rather than costing the search a second.
    /// </summary>
    public RelaxationSettings VacancyRelaxation { get; init; } = new() { ForceTolerance = 1e-2, MaxSteps = 300 };

    /// <summary>
    /// Repeats of the 3-plane {111} cell for the intrinsic stacking fault (fcc ground states only): 4 (24 atoms, 12
    /// planes); its γ_isf is within 0.05 mJ/m² of the converged 16 repeats on the four potentials above (Mishin 44.44
    /// against 44.40, the 17-node model −3.341 against −3.344 mJ/m²).
    /// </summary>
    public int StackingFaultRepeats { get; init; } = 4;

    /// <summary>
    /// Stacking-fault relaxation (along z only) to 1e-3 eV/Å: γ_isf moves by 0.002 mJ/m² against 1e-5 eV/Å (Mishin,
    /// 4 repeats: 44.445 against 44.443), in about 30 steps instead of 75. At most 300 steps, as for the vacancy.
    /// </summary>
    public RelaxationSettings StackingFaultRelaxation { get; init; } = new() { ForceTolerance = 1e-3, MaxSteps = 300 };

    /// <summary>
    /// A competing phase must lie more than this above the ground state (meV/atom). The lattice searches fix phase
    /// energies to about 1e-6 meV/atom; what is closer is degenerate (nearest-neighbour-only models give fcc and hcp the
    /// same energy), and a degenerate ground state is not the lowest one.
    /// </summary>
    public double PhaseEnergyResolution { get; init; } = 1e-3;

    /// <summary>The smallest eigenvalue of C must exceed this (GPa): zero (a model with no shear stiffness) is not stable, and the central differences fix C to better than 0.01 GPa.</summary>
    public double BornResolution { get; init; } = 0.1;

    /// <summary>The vacancy formation energy must exceed this (eV): relaxation to 1e-2 eV/Å leaves about 1e-4 eV.</summary>
    public double VacancyResolution { get; init; } = 1e-3;

    /// <summary>The intrinsic stacking-fault energy must exceed this (mJ/m²): relaxation to 1e-3 eV/Å leaves about 1e-3 mJ/m², and a model whose fcc and hcp stackings are degenerate has γ_isf = 0.</summary>
    public double StackingFaultResolution { get; init; } = 1e-2;

    /// <summary>Stop at the first failed check (the report then lists the checks up to it): enough for a search that rejects failing models.</summary>
    public bool StopAtFirstFailure { get; init; }

    public static SanitySettings Default { get; } = new();

    /// <summary>The property suite's converged set-ups: full lattice searches, the 4×4×4 fcc vacancy cell, 16 stacking-fault repeats, tight relaxations.</summary>
    public static SanitySettings Converged { get; } = new()
    {
        Lattice = LatticeSearch.Converged,
        VacancyImageDistance = 14,
        VacancyRelaxation = new RelaxationSettings { ForceTolerance = 1e-4 },
        StackingFaultRepeats = StackingFaults.DefaultRepeats,
        StackingFaultRelaxation = new RelaxationSettings { ForceTolerance = 1e-5 },
    };

    internal void Validate()
    {
        Lattice.Validate();
        if (!(ElasticStrain > 0 && ElasticStrain < 0.05)) throw new ArgumentException("the elastic strain must lie in (0, 0.05)");
        if (!(VacancyImageDistance > 0) || !double.IsFinite(VacancyImageDistance)) throw new ArgumentException("the vacancy image distance must be positive");
        if (StackingFaultRepeats < 1) throw new ArgumentException("the stacking-fault cell needs at least one repeat");
        if (!(PhaseEnergyResolution >= 0 && BornResolution >= 0 && VacancyResolution >= 0 && StackingFaultResolution >= 0))
            throw new ArgumentException("the sanity resolutions must be zero or positive");
    }
}

/// <summary>
/// Physical sanity checks of a potential for one element whose ground state (from the data) is known, cheap enough for
/// every search candidate that reaches the archive. In this order:
/// <list type="number">
/// <item>"cohesive energy": the isolated atom's energy is finite and the ground-state crystal lies below it.</item>
/// <item>"ground state": the ground state is lower in energy per atom than the other two of fcc, bcc and hcp, each at
/// its own zero-pressure lattice constants (hcp with c/a optimised); the differences in meV/atom.</item>
/// <item>"Born stability": the ground-state crystal's 6×6 elastic matrix is positive definite (all eigenvalues
/// positive), the Born criterion for any symmetry (Mouhat and Coudert, PRB 90, 224104 (2014)); for cubic crystals this
/// is C11 − C12 &gt; 0, C11 + 2 C12 &gt; 0, C44 &gt; 0 (the eigenvalues), which the detail prints. hcp's ions are relaxed
/// (<see cref="Elastic.LinearInternalRelaxation"/>), which also fails when an internal displacement lowers the energy.</item>
/// <item>"vacancy formation": the relaxed (constant-volume) vacancy formation energy in the ground-state crystal is positive.</item>
/// <item>"stacking fault" (fcc ground states only): the relaxed intrinsic stacking-fault energy is positive.</item>
/// </list>
/// A check that cannot be computed (no energy minimum, a non-finite energy, a relaxation that does not converge to a
/// positive value) fails with the reason in its detail; a negative value fails even from an unconverged relaxation, since
/// relaxing further only lowers it. Lattice constants are computed once and shared by the checks.
/// </summary>
public static class PhysicalSanity
{
    public const string CohesiveEnergyCheck = "cohesive energy";
    public const string GroundStateCheck = "ground state";
    public const string BornStabilityCheck = "Born stability";
    public const string VacancyFormationCheck = "vacancy formation";
    public const string StackingFaultCheck = "stacking fault";

    public static SanityReport Check(IPotential potential, string element, CrystalStructure groundState, SanitySettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(element);
        if (!Elements.IsKnown(element)) throw new ArgumentException($"'{element}' is not an element symbol");
        if (!Enum.IsDefined(groundState)) throw new ArgumentOutOfRangeException(nameof(groundState));
        settings ??= SanitySettings.Default;
        settings.Validate();
        // A potential without the element is the caller's error, not a failed check.
        potential.CheckSpecies(Lattices.FccPrimitive(element, 1.0));
        var phases = new Phases(potential, element, settings.Lattice);

        var plan = new List<(string Name, Func<SanityCheckResult> Run)>
        {
            (CohesiveEnergyCheck, () => Cohesive(potential, element, phases.Get(groundState))),
            (GroundStateCheck, () => Ordering(phases, groundState, settings.PhaseEnergyResolution)),
            (BornStabilityCheck, () => Born(potential, phases.Get(groundState), settings.ElasticStrain, settings.BornResolution)),
            (VacancyFormationCheck, () => Vacancy(potential, element, phases.Get(groundState), settings)),
        };
        if (groundState == CrystalStructure.Fcc)
            plan.Add((StackingFaultCheck, () => StackingFault(potential, element, phases.Get(CrystalStructure.Fcc), settings)));

        var checks = new List<SanityCheckResult>();
        foreach (var (name, run) in plan)
        {
            var result = Guarded(name, run);
            checks.Add(result);
            if (!result.Passed && settings.StopAtFirstFailure) break;
        }
        return new SanityReport(checks);
    }

    /// <summary>A check that throws (no energy minimum, a non-finite energy, an unstable internal mode) fails with the reason.</summary>
    private static SanityCheckResult Guarded(string name, Func<SanityCheckResult> run)
    {
        try
        {
            return run();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var reason = e is InvalidOperationException or ArgumentException or ArithmeticException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            return new SanityCheckResult(name, false, null, "could not be computed: " + reason);
        }
    }

    private static SanityCheckResult Cohesive(IPotential potential, string element, Phase crystal)
    {
        var isolated = Bulk.IsolatedAtomEnergy(potential, element);
        if (!double.IsFinite(isolated))
            return new(CohesiveEnergyCheck, false, null, FormattableString.Invariant($"the isolated atom's energy is {isolated}: no cohesive energy exists"));
        var value = isolated - crystal.EnergyPerAtom;
        var detail = FormattableString.Invariant(
            $"E_coh = {value:F4} eV/atom (isolated atom {isolated:G6} eV, {crystal.Label} {crystal.EnergyPerAtom:F4} eV/atom at {crystal.Description})");
        return new(CohesiveEnergyCheck, value > 0, value, value > 0 ? detail : detail + ": the crystal is not bound");
    }

    private static SanityCheckResult Ordering(Phases phases, CrystalStructure groundState, double resolution)
    {
        var ground = phases.Get(groundState);
        var others = Enum.GetValues<CrystalStructure>().Where(s => s != groundState).Select(phases.Get).ToList();
        var differences = others.Select(o => (o.Label, MeV: 1000 * (o.EnergyPerAtom - ground.EnergyPerAtom))).ToList();
        var lowest = differences.Min(d => d.MeV);
        // An explicit sign: a custom "+0.000;-0.000" format prints a tiny negative difference as "-+0.000".
        var listed = string.Join(", ", differences.Select(d => d.Label + " " + (d.MeV >= 0 ? "+" : "") + d.MeV.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));
        var detail = $"E − E_{ground.Label}: {listed} meV/atom";
        var below = differences.Where(d => !(d.MeV > resolution)).Select(d => d.Label).ToList();
        if (below.Count > 0) detail += $"; {string.Join(" and ", below)} not above {ground.Label}";
        return new(GroundStateCheck, below.Count == 0, lowest, detail);
    }

    private static SanityCheckResult Born(IPotential potential, Phase crystal, double strain, double resolution)
    {
        var relax = crystal.Cell.Count > 1 ? Elastic.LinearInternalRelaxation(potential, crystal.Cell) : null;
        var c = Elastic.Compute(potential, crystal.Cell, strain, relax, crystal.Label);
        var matrix = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(c.C);
        if (matrix.Enumerate().Any(x => !double.IsFinite(x)))
            return new(BornStabilityCheck, false, null, "the elastic constants are not finite");
        var lowest = matrix.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Min(e => e.Real);
        var components = crystal.Structure == CrystalStructure.Hcp
            ? FormattableString.Invariant($"C11 = {c[1, 1]:F1}, C12 = {c[1, 2]:F1}, C13 = {c[1, 3]:F1}, C33 = {c[3, 3]:F1}, C44 = {c[4, 4]:F1}, C66 = {c[6, 6]:F1} GPa (relaxed ions)")
            : FormattableString.Invariant($"C11 − C12 = {c.C11 - c.C12:F1}, C11 + 2 C12 = {c.C11 + 2 * c.C12:F1}, C44 = {c.C44:F1} GPa");
        var detail = FormattableString.Invariant($"{components}; smallest eigenvalue of C {lowest:F1} GPa");
        var stable = lowest > resolution;
        return new(BornStabilityCheck, stable, lowest, stable ? detail : detail + ": mechanically unstable");
    }

    private static SanityCheckResult Vacancy(IPotential potential, string element, Phase crystal, SanitySettings settings)
    {
        var (perfect, description) = crystal.VacancySupercell(element, settings.VacancyImageDistance);
        return Positive(VacancyFormationCheck, Defects.VacancyFormation(potential, perfect, description, CellRelaxation.Fixed, settings.VacancyRelaxation),
            settings.VacancyResolution, "F4");
    }

    private static SanityCheckResult StackingFault(IPotential potential, string element, Phase fcc, SanitySettings settings) =>
        Positive(StackingFaultCheck, StackingFaults.Intrinsic(potential, fcc.A, settings.StackingFaultRepeats, element, settings.StackingFaultRelaxation),
            settings.StackingFaultResolution, "F2");

    /// <summary>
    /// A relaxed property that must be positive (above <paramref name="resolution"/>). Relaxation only lowers the energy,
    /// so a value that is not fails even when the relaxation stopped early; a positive value counts only when it converged.
    /// </summary>
    private static SanityCheckResult Positive(string name, RelaxedProperty p, double resolution, string format)
    {
        var line = $"{p.Name} = {p.Value.ToString(format, System.Globalization.CultureInfo.InvariantCulture)} {p.Unit} ({p.Details})";
        if (!double.IsFinite(p.Value)) return new(name, false, null, "could not be computed: " + line);
        if (!(p.Value > resolution)) return new(name, false, p.Value, line + (p.Value > 0 ? $": not above the resolution {resolution:G2} {p.Unit}" : ": not positive"));
        if (!p.Converged) return new(name, false, p.Value, "could not be computed: the relaxation did not converge: " + line);
        return new(name, true, p.Value, line);
    }

    /// <summary>One relaxed phase: its energy per atom, its smallest periodic cell (1 atom for fcc and bcc, 2 for hcp) and lattice constants.</summary>
    private sealed record Phase(CrystalStructure Structure, double EnergyPerAtom, Structure Cell, double A, double C, string Description)
    {
        public string Label => Structure.ToString().ToLowerInvariant();

        /// <summary>The smallest repetition of the conventional cell (cubic) or hcp cell whose images are at least <paramref name="distance"/> apart.</summary>
        public (Structure Perfect, string Description) VacancySupercell(string element, double distance)
        {
            int Repeats(double length) => Math.Max(1, (int)Math.Ceiling(distance / length - 1e-9));
            var n = Repeats(A);
            return Structure switch
            {
                CrystalStructure.Fcc => (Lattices.Fcc(element, A, n, n, n), $"fcc {n}×{n}×{n} supercell at {Description}"),
                CrystalStructure.Bcc => (Lattices.Bcc(element, A, n, n, n), $"bcc {n}×{n}×{n} supercell at {Description}"),
                _ => (Lattices.Supercell(Cell, n, n, Repeats(C)), $"hcp {n}×{n}×{Repeats(C)} supercell at {Description}"),
            };
        }
    }

    /// <summary>The three phases, each computed on first use and kept (with the reason when it has no energy minimum).</summary>
    private sealed class Phases(IPotential potential, string element, LatticeSearch search)
    {
        private readonly Dictionary<CrystalStructure, (Phase? Phase, string? Error)> _done = [];
        private CubicLatticeResult? _fcc;

        public Phase Get(CrystalStructure structure)
        {
            if (!_done.TryGetValue(structure, out var entry))
            {
                try
                {
                    entry = (Compute(structure), null);
                }
                catch (InvalidOperationException e)
                {
                    entry = (null, e.Message);
                }
                _done[structure] = entry;
            }
            return entry.Phase ?? throw new InvalidOperationException($"no {structure.ToString().ToLowerInvariant()} lattice: {entry.Error}");
        }

        private Phase Compute(CrystalStructure structure)
        {
            switch (structure)
            {
                case CrystalStructure.Fcc:
                case CrystalStructure.Bcc:
                    var lattice = structure == CrystalStructure.Fcc ? CubicLattice.Fcc : CubicLattice.Bcc;
                    var cubic = Bulk.CubicLatticeConstant(potential, element, lattice, search);
                    if (structure == CrystalStructure.Fcc) _fcc = cubic;
                    return new Phase(structure, Finite(cubic.EnergyPerAtom, structure), cubic.Primitive(), cubic.A, 0,
                        FormattableString.Invariant($"a = {cubic.A:F4} Å"));
                default:
                    // hcp's search starts from the fcc nearest-neighbour distance (so it fails with fcc).
                    Get(CrystalStructure.Fcc);
                    var hcp = Bulk.HcpLatticeConstants(potential, element, search, _fcc);
                    return new Phase(structure, Finite(hcp.EnergyPerAtom, structure), hcp.Cell(), hcp.A, hcp.C,
                        FormattableString.Invariant($"a = {hcp.A:F4} Å, c/a = {hcp.CoverA:F4}"));
            }
        }

        private static double Finite(double energy, CrystalStructure structure) => double.IsFinite(energy)
            ? energy
            : throw new InvalidOperationException($"the {structure.ToString().ToLowerInvariant()} energy is {energy}");
    }
}
