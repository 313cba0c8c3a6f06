using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Simulation;

namespace PoetSharp.Properties;

/// <summary>
/// Surface energies γ = (E_slab − N·E_bulk) / (2A) of relaxed (hkl) slabs of fcc, bcc or diamond crystals, in J/m²
/// (1 J/m² = 62.415 meV/Å²; POET's TargetProperties_0K.data lists meV/Å²: use <see cref="MevPerA2"/>).
/// The slab is periodic in-plane at the bulk lattice constant, with vacuum along z; atoms relax, the cell does not.
///
/// Convergence with the Mishin Cu EAM at a = 3.614925 Å, slab thickness/vacuum 16/8, 24/12 (default) and 36/18 Å:
/// (100) 1.34532, 1.34532, 1.34532; (110) 1.47548, 1.47548, 1.47548; (111) 1.23953 in all three; (321) 1.50004, 1.50004,
/// 1.50004; (332) 1.35988, 1.35995, 1.35996 J/m². The default is converged to 0.01 mJ/m². Forces relaxed to 1e-4 eV/Å.
///
/// Diamond-structure crystals (Si, Ge, C) have <see cref="DiamondFacets"/>: ideal, bulk-terminated, unreconstructed slabs
/// (no 2×1 dimers on (100), no 7×7 on (111)); (100) with two dangling bonds per surface atom, (111) cut between bilayers
/// with one (the termination is described at <see cref="DefectBuilders.Slab"/>). The relaxation keeps the 1×1 surface
/// cell, so it cannot reconstruct.
/// </summary>
public static class Surfaces
{
    public const double DefaultThickness = 24.0;
    public const double DefaultVacuum = 12.0;

    /// <summary>The 13 facets of POET's DFT copper set (data/poet/DFT_Cu/0K): (100) (110) (111) (210) (211) (221) (310) (311) (320) (321) (322) (331) (332).</summary>
    public static IReadOnlyList<(int H, int K, int L)> PoetFacets { get; } =
        [(1, 0, 0), (1, 1, 0), (1, 1, 1), (2, 1, 0), (2, 1, 1), (2, 2, 1), (3, 1, 0), (3, 1, 1), (3, 2, 0), (3, 2, 1), (3, 2, 2), (3, 3, 1), (3, 3, 2)];

    /// <summary>The facets computed for diamond-structure crystals: (100) and (111).</summary>
    public static IReadOnlyList<(int H, int K, int L)> DiamondFacets { get; } = [(1, 0, 0), (1, 1, 1)];

    /// <summary>The facets the property suite computes for a crystal: <see cref="PoetFacets"/> for fcc, <see cref="DiamondFacets"/> for diamond.</summary>
    public static IReadOnlyList<(int H, int K, int L)> FacetsOf(CubicLattice lattice) => lattice switch
    {
        CubicLattice.Fcc => PoetFacets,
        CubicLattice.Diamond => DiamondFacets,
        _ => throw new ArgumentException($"the property suite's surfaces are of fcc or diamond crystals, not {lattice}"),
    };

    /// <summary>J/m² to meV/Å².</summary>
    public static double MevPerA2(double joulePerSquareMetre) => 1000 * joulePerSquareMetre * Units.EvPerA2PerJPerM2;

    /// <summary>The slab used for (hkl): enough lattice planes for <paramref name="thickness"/> Å, plus vacuum.</summary>
    public static Structure Slab(string element, CubicLattice lattice, double a, int h, int k, int l, double thickness = DefaultThickness, double vacuum = DefaultVacuum)
    {
        var spacing = a * DefectBuilders.PlaneSpacing(lattice, h, k, l);
        var layers = Math.Max(2, (int)Math.Ceiling(thickness / spacing));
        return DefectBuilders.Slab(element, lattice, a, h, k, l, layers, vacuum);
    }

    /// <summary>
    /// Relaxed surface energy of the (hkl) facet in J/m² (name "Esurf_hkl"); with <paramref name="relax"/> false the
    /// unrelaxed one (atoms at their bulk sites).
    /// </summary>
    public static RelaxedProperty SurfaceEnergy(IPotential potential, double a, int h, int k, int l, CubicLattice lattice = CubicLattice.Fcc,
        double thickness = DefaultThickness, double vacuum = DefaultVacuum, string? element = null, RelaxationSettings? settings = null,
        bool relax = true)
    {
        var el = CubicReference.Element(potential, element);
        var slab = Slab(el, lattice, a, h, k, l, thickness, vacuum);
        var eBulk = CubicReference.EnergyPerAtom(potential, lattice, a, el);
        var (energy, converged, outcome) = CubicReference.Minimise(potential, slab, settings ?? new RelaxationSettings { ForceTolerance = 1e-4 }, relax);
        var area = Vec3.Cross(slab.Cell.A, slab.Cell.B).Length;
        var gamma = (energy - slab.Count * eBulk) / (2 * area) / Units.EvPerA2PerJPerM2;
        var perPlane = DefectBuilders.AtomsPerPlane(lattice);
        var planes = slab.Count / perPlane;
        var layout = perPlane == 1 ? "one atom per plane" : $"{perPlane} atoms per plane";
        return new RelaxedProperty(FormattableString.Invariant($"Esurf_{h}{k}{l}"), gamma, "J/m²", converged,
            FormattableString.Invariant($"{planes}-plane {lattice.ToString().ToLowerInvariant()} slab ({layout}, {area:F3} Å² cell), {vacuum} Å vacuum, a = {a:F6} Å; {outcome}"));
    }
}
