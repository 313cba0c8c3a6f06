using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Simulation;

namespace PoetSharp.Properties;

/// <summary>
/// Point-defect energies of an fcc crystal, in a cubic supercell of n×n×n conventional cells (4n³ sites) at the given
/// lattice constant, relaxed at constant volume (positions only, as LAMMPS's minimize with a fixed box).
///
/// The dumbbell is by default relaxed at zero pressure (isotropic cell relaxation; then a must be the zero-pressure lattice
/// constant), because at constant volume its large relaxation volume makes the energy converge slowly with size.
///
/// Convergence with the Mishin Cu EAM (Cu_mishin1.eam.alloy, a = 3.614925 Å), measured for n = 3, 4, 5, 6:
/// vacancy, constant volume: 1.2753, 1.2735, 1.2729, 1.2726 eV (zero pressure: 1.2711, 1.2717, 1.2720, 1.2721);
/// dumbbell, zero pressure: 3.0383, 3.0549, 3.0639, 3.0682 eV (constant volume: 3.2007, 3.1228, 3.0986, 3.0883;
/// both extrapolate as 1/N to about 3.074 eV); vacancy migration barrier: 0.6890 (n = 3), 0.6886 eV (n = 4).
/// Defaults: vacancy n = 4 (within 0.0015 eV of the limit), dumbbell n = 5 at zero pressure (within 0.01 eV),
/// migration n = 4. Forces are relaxed to 1e-4 eV/Å, stresses to 1e-6 eV/Å³.
///
/// The vacancy of a diamond-structure crystal (<see cref="DiamondVacancyFormation"/>) is in n×n×n conventional diamond
/// cubes (8n³ sites), by default n = 3 (216 sites), the cell most often used for silicon's vacancy. Its relaxation starts
/// with the four neighbours moved a fifth of the bond length towards the empty site (<see cref="DiamondNeighbourShift"/>):
/// for Stillinger–Weber silicon the ideal vacancy is a local minimum (no force on any atom: its pair term is at its
/// minimum at the bond length and its angle term at the tetrahedral angle) at 4.3366 eV, and a relaxation started there
/// stays; LAMMPS's minimiser from the ideal vacancy, rattled by 0.01 Å or with the neighbours moved 0.1 or 0.2 Å inwards,
/// stays at 4.3366 eV, while from 0.3, 0.47 (the default), 0.6, 0.9 or 1.2 Å it reaches 2.6948 eV (216 sites, a = 5.431 Å),
/// with or without a rattle (the relaxed vacancy keeps the tetrahedral symmetry).
/// </summary>
public static class Defects
{
    public const int DefaultSupercell = 4;
    public const int DefaultDumbbellSupercell = 5;
    public const int DefaultMigrationSupercell = 4;
    public const int DefaultDiamondSupercell = 3;
    /// <summary>How far a diamond vacancy's neighbours start towards the empty site, as a fraction of the bond length a√3/4.</summary>
    public const double DiamondNeighbourShift = 0.2;

    private static readonly RelaxationSettings Tight = new() { ForceTolerance = 1e-4 };

    /// <summary>The relaxation the defect energies use unless told otherwise.</summary>
    public static RelaxationSettings DefaultRelaxation => Tight;

    /// <summary>
    /// Relaxed vacancy formation energy E_f = E_vac − (N−1)/N · E_bulk (eV), E_bulk the perfect N-atom supercell;
    /// constant volume by default.
    /// </summary>
    public static RelaxedProperty VacancyFormation(IPotential potential, double a, int supercell = DefaultSupercell, string? element = null,
        CellRelaxation cell = CellRelaxation.Fixed, RelaxationSettings? settings = null) =>
        VacancyFormation(potential, Lattices.Fcc(CubicReference.Element(potential, element), a, supercell, supercell, supercell),
            FormattableString.Invariant($"fcc supercell at a = {a:F6} Å"), cell, settings);

    /// <summary>
    /// Vacancy formation energy E_f = E_vac − (N−1)/N · E_bulk (eV) of a diamond-structure crystal (Si, Ge, C) in
    /// <paramref name="supercell"/>³ conventional cubes (8 n³ sites) at lattice constant a, constant volume by default;
    /// with <paramref name="relax"/> false the unrelaxed one (the neighbours of the empty site stay at their bulk sites).
    /// The relaxation starts with the four neighbours <see cref="DiamondNeighbourShift"/> of the bond length closer to the site.
    /// </summary>
    public static RelaxedProperty DiamondVacancyFormation(IPotential potential, double a, int supercell = DefaultDiamondSupercell, string? element = null,
        CellRelaxation cell = CellRelaxation.Fixed, RelaxationSettings? settings = null, bool relax = true) =>
        VacancyFormation(potential, Lattices.Diamond(CubicReference.Element(potential, element), a, supercell, supercell, supercell),
            FormattableString.Invariant($"diamond supercell at a = {a:F6} Å"), cell, settings, relax, DiamondNeighbourShift * a * Math.Sqrt(3) / 4);

    /// <summary>
    /// Relaxed vacancy formation energy E_f = E_vac − (N−1)/N · E_bulk (eV) in any perfect periodic crystal of one
    /// element (e.g. a bcc, hcp or diamond supercell): atom 0 is removed; <paramref name="description"/> names the cell in
    /// the details. With <paramref name="relax"/> false the unrelaxed formation energy (no relaxation, always converged);
    /// otherwise the relaxation starts with the nearest neighbours <paramref name="inwardShift"/> Å closer to the empty
    /// site (<see cref="DefectBuilders.Vacancy"/>).
    /// </summary>
    public static RelaxedProperty VacancyFormation(IPotential potential, Structure perfect, string description,
        CellRelaxation cell = CellRelaxation.Fixed, RelaxationSettings? settings = null, bool relax = true, double inwardShift = 0)
    {
        ArgumentNullException.ThrowIfNull(perfect);
        if (!perfect.Cell.FullyPeriodic || perfect.Count < 2) throw new ArgumentException("a vacancy needs a fully periodic crystal of at least two atoms");
        var n = perfect.Count;
        var eBulk = potential.Energy(perfect);
        var start = relax && inwardShift > 0 ? DefectBuilders.Vacancy(perfect, 0, inwardShift) : DefectBuilders.RemoveAtom(perfect, 0);
        var (energy, converged, outcome) = CubicReference.Minimise(potential, start, (settings ?? Tight) with { Cell = cell }, relax);
        var value = energy - (n - 1.0) / n * eBulk;
        return new RelaxedProperty("Ev_f", value, "eV", converged,
            FormattableString.Invariant($"{n}-site {description}, {(relax ? Describe(cell) : "unrelaxed")}{(relax && inwardShift > 0 ? $", neighbours started {inwardShift:G3} Å inwards" : "")}; {outcome}"));
    }

    /// <summary>
    /// Relaxed ⟨100⟩ dumbbell (split interstitial) formation energy E_f = E_db − (N+1)/N · E_bulk (eV), started from a
    /// [001] pair 0.6 a apart centred on a site, at zero pressure by default (<paramref name="cell"/> = Fixed: constant volume).
    /// </summary>
    public static RelaxedProperty DumbbellFormation(IPotential potential, double a, int supercell = DefaultDumbbellSupercell, string? element = null,
        CellRelaxation cell = CellRelaxation.Isotropic, RelaxationSettings? settings = null)
    {
        var bulk = Lattices.Fcc(CubicReference.Element(potential, element), a, supercell, supercell, supercell);
        var n = bulk.Count;
        var eBulk = potential.Energy(bulk);
        var relaxed = Relaxation.Run(potential, DefectBuilders.Dumbbell(bulk, 0, 2, 0.6 * a), (settings ?? Tight) with { Cell = cell });
        var value = relaxed.Energy - (n + 1.0) / n * eBulk;
        return new RelaxedProperty("Edumbbell_f", value, "eV", relaxed.Converged,
            FormattableString.Invariant($"{n}-site fcc supercell at a = {a:F6} Å, {Describe(cell)}; {relaxed.Reason}"));
    }

    private static string Describe(CellRelaxation cell) => cell == CellRelaxation.Fixed ? "constant volume" : $"zero pressure ({cell} cell relaxation)";

    /// <summary>
    /// The two endpoints of a nearest-neighbour vacancy hop: the supercell without the atom at the origin, and the same
    /// with the neighbour at a/2 [110] moved into the empty site (atom order kept, as a band needs).
    /// </summary>
    public static (Structure Initial, Structure Final) VacancyHop(string element, double a, int supercell)
    {
        var bulk = Lattices.Fcc(element, a, supercell, supercell, supercell);
        var initial = DefectBuilders.RemoveAtom(bulk, 0);
        var target = new Vec3(0.5 * a, 0.5 * a, 0);
        var hopper = Array.FindIndex(initial.Positions, p => (p - target).Length < 1e-6 * a);
        var final = initial.Clone();
        final.Positions[hopper] = bulk.Positions[0];
        return (initial, final);
    }

    /// <summary>
    /// The climbing-image band of a nearest-neighbour vacancy hop (endpoints relaxed first; 5 intermediate images).
    /// </summary>
    public static NebResult VacancyMigrationBand(IPotential potential, double a, int supercell = DefaultMigrationSupercell, string? element = null, NebSettings? settings = null)
    {
        var (initial, final) = VacancyHop(CubicReference.Element(potential, element), a, supercell);
        return NudgedElasticBand.Run(potential, initial, final, settings ?? new NebSettings());
    }

    /// <summary>Vacancy migration energy (eV): the climbing-image barrier of a nearest-neighbour hop, constant volume.</summary>
    public static RelaxedProperty VacancyMigration(IPotential potential, double a, int supercell = DefaultMigrationSupercell, string? element = null, NebSettings? settings = null)
    {
        var band = VacancyMigrationBand(potential, a, supercell, element, settings);
        return new RelaxedProperty("Ev_m", band.Barrier, "eV", band.Converged,
            FormattableString.Invariant($"{4 * supercell * supercell * supercell - 1}-atom supercell at a = {a:F6} Å, {band.Images.Count} images, climbing image {band.ClimbingImage}; {band.Reason}"));
    }
}
