using System.Globalization;
using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Symmetry;

namespace PoetSharp.Simulation;

/// <summary>Outcome of <see cref="VacancyHopBarrier.Run"/>.</summary>
/// <param name="Band">The climbing-image band, endpoints (relaxed) included.</param>
/// <param name="FromAtom">Index in the crystal of the atom that hops.</param>
/// <param name="ToAtom">Index in the crystal of the atom whose site is emptied and then filled by the hop.</param>
/// <param name="Species">Element of the hopping atom.</param>
/// <param name="HopDistance">Minimum-image distance between the two sites in the unrelaxed crystal (Å).</param>
/// <param name="ForwardBarrier">Saddle energy minus the relaxed initial energy (eV).</param>
/// <param name="BackwardBarrier">Saddle energy minus the relaxed final energy (eV).</param>
/// <param name="InitialEnergy">Energy of the relaxed initial state (eV).</param>
/// <param name="FinalEnergy">Energy of the relaxed final state (eV).</param>
public sealed record VacancyHopResult(NebResult Band, int FromAtom, int ToAtom, string Species, double HopDistance,
    double ForwardBarrier, double BackwardBarrier, double InitialEnergy, double FinalEnergy)
{
    /// <summary>
    /// Whether the two sites are equivalent by the symmetry of the relaxed crystal (then the hop's barrier is the same
    /// both ways and the endpoints relax to one energy); null when the symmetry was not asked for.
    /// </summary>
    public bool? EquivalentSites { get; init; }

    /// <summary>The relaxed crystal's space group (spglib) when the symmetry was asked for.</summary>
    public string? SpaceGroup { get; init; }

    /// <summary>The tolerance (Å) of the symmetry search, when asked for.</summary>
    public double? SymmetryTolerance { get; init; }
}

/// <summary>
/// The barrier of one vacancy hop in any crystal (several elements allowed): a vacancy is made on one atom's site and a
/// neighbour of the same element jumps into it, by climbing-image NEB at fixed cell (<see cref="NudgedElasticBand"/>).
/// </summary>
public static class VacancyHopBarrier
{
    /// <summary>
    /// The two endpoints of the hop of <paramref name="fromAtom"/> into the site of <paramref name="toAtom"/> (0-based
    /// indices in <paramref name="crystal"/>, same element). Initial: the crystal without <paramref name="toAtom"/>.
    /// Final: the same with the hopping atom placed on <paramref name="toAtom"/>'s site. The atom order of the crystal is
    /// kept in both (less the removed atom), as a band needs; the band later takes the minimum-image path between them.
    /// </summary>
    public static (Structure Initial, Structure Final) Endpoints(Structure crystal, int fromAtom, int toAtom)
    {
        Check(crystal, fromAtom, toAtom);
        var initial = DefectBuilders.RemoveAtom(crystal, toAtom);
        initial.Name = Describe(crystal, fromAtom, toAtom) + ", initial";
        var final = initial.Clone();
        final.Name = Describe(crystal, fromAtom, toAtom) + ", final";
        // Removing toAtom shifts every later index down by one.
        var hopper = fromAtom < toAtom ? fromAtom : fromAtom - 1;
        final.Positions[hopper] = crystal.Positions[toAtom];
        return (initial, final);
    }

    /// <summary>
    /// The climbing-image barrier of the hop (see <see cref="Endpoints"/>), every relaxation at fixed cell with the band's
    /// endpoint settings: first the crystal itself, then both endpoints made from the relaxed crystal (the band relaxes
    /// each). Relaxing the two endpoints straight from the given crystal lets every soft mode of a thermal snapshot (a
    /// frame of DFT MD, as LGPS's) fall into a different local minimum at each end: on the LGPS Li hop the endpoints then
    /// differed by 21 Å (root sum of squares over 399 atoms) for a 3.1 Å hop, the "band" was a rearrangement of the whole
    /// cell, and its climbing image ran away. Settings that switch the endpoint relaxation off are refused.
    /// </summary>
    /// <para>
    /// With <paramref name="symprec"/> (Å), the relaxed crystal's symmetry is found (spglib) and the result says whether
    /// the two sites are equivalent. Equivalent sites whose relaxed vacancies differ in energy by more than 1 meV mean
    /// that one endpoint relaxed into another minimum (a crystal that was not exactly symmetric to begin with: see
    /// <see cref="SiteSymmetry.Symmetrize"/>); the band's reason then says so, since its barriers are not those of the hop.
    /// </para>
    public static VacancyHopResult Run(IPotential potential, Structure crystal, int fromAtom, int toAtom, NebSettings? settings = null, double? symprec = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        settings ??= new NebSettings();
        if (!settings.RelaxEndpoints)
            throw new ArgumentException("a vacancy-hop barrier is measured from relaxed endpoints: RelaxEndpoints must stay true");
        Check(crystal, fromAtom, toAtom);
        potential.CheckSpecies(crystal);
        var relax = settings.EndpointRelaxation with { Cell = CellRelaxation.Fixed };
        var relaxedCrystal = Relaxation.Run(potential, crystal, relax);
        // Both endpoints from the relaxed crystal; the band relaxes each.
        var (initial, final) = Endpoints(relaxedCrystal.Structure, fromAtom, toAtom);
        var band = NudgedElasticBand.Run(potential, initial, final, settings);
        if (!relaxedCrystal.Converged)
            band = band with { Converged = false, Reason = band.Reason + "; the crystal's relaxation failed: " + relaxedCrystal.Reason };
        // The band's first and last energies are those of the relaxed endpoints (NudgedElasticBand.Run relaxes them first).
        var saddle = band.Energies.Max();
        var (e0, e1) = (band.Energies[0], band.Energies[^1]);
        var distance = VacancyHops.MinimumImage(crystal, fromAtom, toAtom).Length;
        bool? equivalent = null;
        string? group = null;
        if (symprec is { } tolerance)
        {
            var (same, spaceGroup) = SiteSymmetry.AreEquivalent(relaxedCrystal.Structure, fromAtom, toAtom, tolerance);
            (equivalent, group) = (same, spaceGroup.International);
            if (equivalent == true && Math.Abs(e1 - e0) > EquivalentEndpointTolerance)
                band = band with
                {
                    Reason = band.Reason + FormattableString.Invariant(
                        $"; the two sites are equivalent in {group} but their relaxed vacancies differ by {e1 - e0:F4} eV: one endpoint relaxed into another minimum, so these are not the barriers of this hop (start from an exactly symmetric crystal)"),
                };
        }
        // Allowed (a second-neighbour hop may be wanted), but unusual enough to be said where the outcome is read.
        if (distance > potential.Cutoff)
            band = band with { Reason = band.Reason + FormattableString.Invariant($"; the hop ({distance:F4} Å) is longer than the potential's cutoff ({potential.Cutoff:G6} Å)") };
        return new VacancyHopResult(band, fromAtom, toAtom, crystal.Species[fromAtom], distance, saddle - e0, saddle - e1, e0, e1)
        {
            EquivalentSites = equivalent, SpaceGroup = group, SymmetryTolerance = symprec,
        };
    }

    /// <summary>
    /// How far each atom of the relaxed initial state lies from its place in the relaxed final state (minimum image,
    /// Å), in the endpoints' atom order. The hopping atom moves about the hop distance; in a stiff crystal every other
    /// atom moves little. Where others move too (a soft sublattice, as LGPS's Li), the hop is concerted: the band
    /// carries them along, and its barrier is that of the collective move.
    /// </summary>
    public static double[] EndpointDisplacements(VacancyHopResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (initial, final) = (result.Band.Images[0], result.Band.Images[^1]);
        var d = new double[initial.Count];
        for (var i = 0; i < d.Length; i++) d[i] = initial.Cell.MinimumImage(final.Positions[i] - initial.Positions[i]).Length;
        return d;
    }

    /// <summary>
    /// The atoms other than the hopper that move more than <paramref name="threshold"/> Å between the relaxed endpoints,
    /// farthest first, as indices of the crystal (not of the endpoints, which lack the emptied site).
    /// </summary>
    public static int[] MovingWithHopper(VacancyHopResult result, double threshold)
    {
        var moved = EndpointDisplacements(result);
        var hopper = HopperIndex(result);
        return Enumerable.Range(0, moved.Length).Where(i => i != hopper && moved[i] > threshold).OrderByDescending(i => moved[i])
            .Select(i => i < result.ToAtom ? i : i + 1).ToArray();
    }

    /// <summary>The hopping atom's index in the endpoints (the crystal less the emptied site).</summary>
    public static int HopperIndex(VacancyHopResult result) => result.FromAtom < result.ToAtom ? result.FromAtom : result.FromAtom - 1;

    /// <summary>How far apart (eV) the relaxed energies of two vacancies on equivalent sites may be before the result says they are different minima.</summary>
    public const double EquivalentEndpointTolerance = 1e-3;

    private static string Describe(Structure crystal, int fromAtom, int toAtom) =>
        string.Format(CultureInfo.InvariantCulture, "{0}: {1} atom {2} hops into the site of atom {3}",
            crystal.Name.Length > 0 ? crystal.Name : "crystal", crystal.Species[fromAtom], fromAtom, toAtom);

    private static void Check(Structure crystal, int fromAtom, int toAtom)
    {
        ArgumentNullException.ThrowIfNull(crystal);
        var n = crystal.Count;
        if (fromAtom < 0 || fromAtom >= n || toAtom < 0 || toAtom >= n)
            throw new ArgumentException($"atom indices {fromAtom} and {toAtom} must lie in 0–{n - 1} (0-based; the crystal has {n} atoms)");
        if (fromAtom == toAtom)
            throw new ArgumentException($"a hop needs two different atoms (both indices are {fromAtom})");
        if (!crystal.Cell.AnyPeriodic)
            throw new ArgumentException("a vacancy hop needs a periodic crystal; this cell has no periodic direction");
        var distance = VacancyHops.MinimumImage(crystal, fromAtom, toAtom).Length;
        var d = distance.ToString("F4", CultureInfo.InvariantCulture);
        if (crystal.Species[fromAtom] != crystal.Species[toAtom])
            throw new ArgumentException($"atom {fromAtom} is {crystal.Species[fromAtom]} but atom {toAtom} is {crystal.Species[toAtom]} " +
                                        $"({d} Å apart): a vacancy hop moves an atom onto a site of its own element");
        if (!(distance > 1e-6))
            throw new ArgumentException($"atoms {fromAtom} and {toAtom} sit on the same site ({d} Å apart, minimum image)");
        if (n < 3) throw new ArgumentException($"a vacancy hop needs at least three atoms (the crystal has {n})");
    }
}
