using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Properties;


/// <summary>
/// The equilibrium (zero-pressure) cubic lattice of a potential.
/// </summary>
/// <param name="A">Conventional cubic lattice constant (Å).</param>
/// <param name="EnergyPerAtom">Energy at A (eV/atom).</param>
/// <param name="VolumePerAtom">Å³/atom.</param>
/// <param name="ResidualPressure">Pressure left at A (GPa): the precision of the search.</param>
/// <param name="Evaluations">Energy and stress evaluations used.</param>
public sealed record CubicLatticeResult(CubicLattice Lattice, string Element, double A, double EnergyPerAtom, double VolumePerAtom,
    double ResidualPressure, int Evaluations)
{
    /// <summary>"FCC", "BCC" or "DIAMOND", as TargetProperties_0K.data names structures.</summary>
    public string Label => Lattice.ToString().ToUpperInvariant();

    /// <summary>The primitive cell at the equilibrium lattice constant.</summary>
    public Structure Primitive() => Bulk.PrimitiveCell(Lattice, Element, A);

    public IReadOnlyList<PropertyValue> Values() =>
    [
        new("a0", Label, A, "Å"),
        new("E0", Label, EnergyPerAtom, "eV/atom"),
    ];
}

/// <summary>The equilibrium hcp lattice (ideal atomic positions, which symmetry fixes for any c/a).</summary>
/// <param name="A">Lattice constant a (Å).</param>
/// <param name="C">Lattice constant c (Å).</param>
/// <param name="EnergyPerAtom">eV/atom.</param>
/// <param name="VolumePerAtom">Å³/atom.</param>
/// <param name="ResidualStress">Largest stress component left (GPa): the precision of the search.</param>
/// <param name="Evaluations">Energy and stress evaluations used.</param>
public sealed record HcpLatticeResult(string Element, double A, double C, double EnergyPerAtom, double VolumePerAtom,
    double ResidualStress, int Evaluations)
{
    public double CoverA => C / A;

    public Structure Cell() => Lattices.Hcp(Element, A, CoverA);

    public IReadOnlyList<PropertyValue> Values() =>
    [
        new("a0", "HCP", A, "Å"),
        new("c0", "HCP", C, "Å"),
        new("c/a", "HCP", CoverA, ""),
        new("E0", "HCP", EnergyPerAtom, "eV/atom"),
    ];
}

/// <summary>Cohesive energy E_isolated − E_bulk per atom (positive for a bound crystal).</summary>
/// <param name="IsolatedAtomEnergy">The potential's energy of one atom alone in a non-periodic box (eV).</param>
/// <param name="BulkEnergyPerAtom">Energy of the equilibrium crystal (eV/atom).</param>
/// <param name="Value">Cohesive energy (eV/atom).</param>
public sealed record CohesiveEnergyResult(string Element, CubicLattice Lattice, double IsolatedAtomEnergy, double BulkEnergyPerAtom, double Value)
{
    public IReadOnlyList<PropertyValue> Values() =>
    [
        new("E_isolated", Element, IsolatedAtomEnergy, "eV"),
        new("Ecoh", Lattice.ToString().ToUpperInvariant(), Value, "eV/atom"),
    ];
}

/// <summary>Energies of bcc and hcp relative to fcc, each at its own equilibrium lattice constants (eV/atom).</summary>
public sealed record PhaseEnergyResult(CubicLatticeResult Fcc, CubicLatticeResult Bcc, HcpLatticeResult Hcp)
{
    public double BccMinusFcc => Bcc.EnergyPerAtom - Fcc.EnergyPerAtom;
    public double HcpMinusFcc => Hcp.EnergyPerAtom - Fcc.EnergyPerAtom;

    public IReadOnlyList<PropertyValue> Values() =>
    [
        new("delta_E0", "BCC_FCC", BccMinusFcc, "eV/atom"),
        new("delta_E0", "HCP_FCC", HcpMinusFcc, "eV/atom"),
    ];
}

/// <summary>
/// How finely <see cref="Bulk"/>'s zero-stress searches work. <see cref="Converged"/> (the defaults) solves to rounding;
/// the physical sanity checks use a coarser one (<see cref="SanitySettings"/>), which decides energy orderings at a
/// fraction of the cost.
/// </summary>
public sealed record LatticeSearch
{
    /// <summary>Points of the energy scan over nearest-neighbour distances from a quarter of the cutoff to the cutoff that finds the bound basin.</summary>
    public int ScanPoints { get; init; } = 76;
    /// <summary>Width (Å) of the bracket at which a zero-pressure search stops (1e-11: the stress is then zero to rounding).</summary>
    public double LengthTolerance { get; init; } = 1e-11;
    /// <summary>Points of the hcp c/a scan from 1.4 to 2.0.</summary>
    public int CoverAPoints { get; init; } = 25;
    /// <summary>Width of the c/a bracket at which the hcp search stops.</summary>
    public double CoverATolerance { get; init; } = 1e-12;

    public static LatticeSearch Converged { get; } = new();

    internal void Validate()
    {
        if (ScanPoints < 3 || CoverAPoints < 3) throw new ArgumentException("a lattice scan needs at least 3 points");
        if (!(LengthTolerance > 0) || !(CoverATolerance > 0)) throw new ArgumentException("lattice search tolerances must be positive");
    }
}

/// <summary>Lattice constants, cohesive energy and phase energies of bulk crystals of one element.</summary>
public static class Bulk
{

    /// <summary>The primitive cell of a cubic lattice (1 atom; 2 for diamond).</summary>
    public static Structure PrimitiveCell(CubicLattice lattice, string element, double a) => lattice switch
    {
        CubicLattice.Fcc => Lattices.FccPrimitive(element, a),
        CubicLattice.Bcc => Lattices.BccPrimitive(element, a),
        CubicLattice.Diamond => Lattices.DiamondPrimitive(element, a),
        _ => throw new ArgumentOutOfRangeException(nameof(lattice)),
    };

    /// <summary>
    /// The shortest nearest-neighbour distance a lattice scan starts from: a quarter of the cutoff, or the potential's own
    /// shortest distance (<see cref="IPotential.ShortestDistance"/>) when that is larger. The real MLIP-2 copper MTP of the
    /// mlearn set (min_dist 1.83 Å) gives −2·10⁵ eV/atom at a nearest-neighbour distance of 1.14 Å, where its basis is
    /// extrapolated; a scan from a quarter of its 3.9 Å cutoff took that well for the crystal.
    /// </summary>
    internal static double ScanStart(IPotential potential) =>
        Math.Max(0.25 * potential.Cutoff, Math.Min(potential.ShortestDistance, 0.9 * potential.Cutoff));

    /// <summary>Conventional lattice constant per nearest-neighbour distance.</summary>
    private static double LatticePerNeighbourDistance(CubicLattice lattice) => lattice switch
    {
        CubicLattice.Fcc => Math.Sqrt(2),
        CubicLattice.Bcc => 2 / Math.Sqrt(3),
        _ => 4 / Math.Sqrt(3),
    };

    /// <summary>
    /// The zero-pressure lattice constant of a cubic crystal: the energy per atom is scanned over nearest-neighbour distances from
    /// a quarter of the cutoff (or the potential's shortest distance, if larger: <see cref="ScanStart"/>) to the cutoff to find the bound basin (76 points by default), then the pressure (from the
    /// potential's stress) is solved for zero inside it (to 1e-11 Å by default; see <paramref name="search"/>).
    /// Throws InvalidOperationException when the energy has no minimum in that range.
    /// </summary>
    public static CubicLatticeResult CubicLatticeConstant(IPotential potential, string element, CubicLattice lattice, LatticeSearch? search = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        search ??= LatticeSearch.Converged;
        search.Validate();
        potential.CheckSpecies(PrimitiveCell(lattice, element, 1.0));
        var evaluations = 0;
        var ratio = LatticePerNeighbourDistance(lattice);
        PotentialResult At(double a)
        {
            evaluations++;
            return potential.Compute(PrimitiveCell(lattice, element, a));
        }
        var grid = Roots.Linspace(ScanStart(potential) * ratio, potential.Cutoff * ratio, search.ScanPoints);
        var best = Roots.InteriorMinimum(grid, a => At(a).Energy, $"{lattice} {element} with {potential.Name}", out _);
        var a0 = Roots.Bracketed(a => At(a).Stress.Pressure, grid[best - 1], grid[best + 1], search.LengthTolerance);
        var final = At(a0);
        var cell = PrimitiveCell(lattice, element, a0);
        return new CubicLatticeResult(lattice, element, a0, final.Energy / cell.Count, cell.Cell.Volume / cell.Count,
            final.Stress.Pressure * Units.GPaPerEvPerA3, evaluations);
    }

    /// <summary>
    /// The equilibrium hcp lattice: for each c/a, a is set by zero pressure; c/a is scanned from 1.4 to 2.0 for the lowest
    /// energy (25 points by default) and then solved for σzz = σxx (zero deviatoric stress) between its grid neighbours.
    /// The atoms stay at the ideal sites (1/3, 2/3, 1/4), (2/3, 1/3, 3/4), where symmetry cancels their forces.
    /// The search starts from the fcc nearest-neighbour distance: <paramref name="fcc"/> when given (at any precision:
    /// it is only the starting point), else computed.
    /// </summary>
    public static HcpLatticeResult HcpLatticeConstants(IPotential potential, string element, LatticeSearch? search = null, CubicLatticeResult? fcc = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        search ??= LatticeSearch.Converged;
        search.Validate();
        potential.CheckSpecies(Lattices.Hcp(element, 1.0));
        var evaluations = 0;
        PotentialResult At(double a, double coverA)
        {
            evaluations++;
            return potential.Compute(Lattices.Hcp(element, a, coverA));
        }
        // The nearest-neighbour distance of fcc is the hcp a at the ideal c/a.
        if (fcc is null)
        {
            fcc = CubicLatticeConstant(potential, element, CubicLattice.Fcc, search);
            evaluations += fcc.Evaluations;
        }
        else if (fcc.Lattice != CubicLattice.Fcc || fcc.Element != element) throw new ArgumentException("the starting crystal must be fcc of the same element");
        var guess = fcc.A / Math.Sqrt(2);
        double ZeroPressureA(double coverA)
        {
            var (lo, hi) = Expand(a => At(a, coverA).Stress.Pressure, guess, 0.01 * guess);
            guess = Roots.Bracketed(a => At(a, coverA).Stress.Pressure, lo, hi, search.LengthTolerance);
            return guess;
        }
        var ratios = Roots.Linspace(1.40, 2.00, search.CoverAPoints);
        var best = Roots.InteriorMinimum(ratios, q => At(ZeroPressureA(q), q).Energy, $"hcp {element} with {potential.Name} (c/a)", out _);
        guess = ZeroPressureA(ratios[best]);
        var coverA0 = Roots.Bracketed(q =>
        {
            var s = At(ZeroPressureA(q), q).Stress;
            return s.Zz - s.Xx;
        }, ratios[best - 1], ratios[best + 1], search.CoverATolerance);
        var a0 = ZeroPressureA(coverA0);
        var final = At(a0, coverA0);
        var stress = final.Stress.ToVoigt().Max(Math.Abs) * Units.GPaPerEvPerA3;
        var cell = Lattices.Hcp(element, a0, coverA0).Cell;
        return new HcpLatticeResult(element, a0, coverA0 * a0, final.Energy / 2, cell.Volume / 2, stress, evaluations);
    }

    /// <summary>
    /// A bracket [lo, hi] around the zero of a pressure that is positive below and negative above it, found by stepping
    /// from <paramref name="start"/> by <paramref name="step"/> (growing 1.5× per step) in the direction the sign says,
    /// never beyond half or twice the start. The start is a zero-pressure length of a nearby structure, so a zero further
    /// away is not the one wanted; and without the bound a model with no zero shrank the cell until its neighbour list
    /// held billions of periodic images (a search of copper with angular densities stalled there, at 5 GB).
    /// </summary>
    internal static (double Lo, double Hi) Expand(Func<double, double> pressure, double start, double step)
    {
        var p = pressure(start);
        var direction = p > 0 ? 1 : -1;
        var x = start;
        for (var k = 0; k < 40; k++)
        {
            var next = x + direction * step;
            if (next < 0.5 * start || next > 2 * start) break;
            var q = pressure(next);
            if (Math.Sign(q) != Math.Sign(p)) return direction > 0 ? (x, next) : (next, x);
            x = next;
            step *= 1.5;
        }
        throw new InvalidOperationException(FormattableString.Invariant($"no zero-pressure lattice constant between {0.5 * start:G6} and {2 * start:G6} Å"));
    }

    /// <summary>The potential's energy of one atom of the element alone in a non-periodic box (eV): zero for pair and EAM potentials whose functions vanish at zero density.</summary>
    public static double IsolatedAtomEnergy(IPotential potential, string element)
    {
        var atom = new Structure(Cell.NonPeriodic(), [Vec3.Zero], [element], $"isolated {element}");
        potential.CheckSpecies(atom);
        return potential.Energy(atom);
    }

    /// <summary>Cohesive energy E_isolated − E_bulk/atom (eV/atom) of the equilibrium cubic crystal.</summary>
    public static CohesiveEnergyResult CohesiveEnergy(IPotential potential, string element, CubicLattice lattice = CubicLattice.Fcc) =>
        CohesiveEnergy(potential, CubicLatticeConstant(potential, element, lattice));

    /// <summary>Cohesive energy of an already relaxed cubic crystal.</summary>
    public static CohesiveEnergyResult CohesiveEnergy(IPotential potential, CubicLatticeResult crystal)
    {
        var isolated = IsolatedAtomEnergy(potential, crystal.Element);
        return new CohesiveEnergyResult(crystal.Element, crystal.Lattice, isolated, crystal.EnergyPerAtom, isolated - crystal.EnergyPerAtom);
    }

    /// <summary>bcc − fcc and hcp − fcc energies, each phase at its own equilibrium lattice constants.</summary>
    public static PhaseEnergyResult PhaseEnergies(IPotential potential, string element) =>
        new(CubicLatticeConstant(potential, element, CubicLattice.Fcc),
            CubicLatticeConstant(potential, element, CubicLattice.Bcc),
            HcpLatticeConstants(potential, element));

    /// <summary>The structure scaled isotropically (cell and positions) so that its volume is multiplied by <paramref name="volumeFactor"/>.</summary>
    public static Structure ScaleVolume(Structure structure, double volumeFactor)
    {
        var f = Math.Cbrt(volumeFactor);
        var scaled = structure.Clone();
        scaled.Cell = structure.Cell.Transform([f, 0, 0, 0, f, 0, 0, 0, f]);
        for (var i = 0; i < scaled.Count; i++) scaled.Positions[i] = f * structure.Positions[i];
        scaled.Energy = null;
        scaled.Forces = null;
        scaled.Stress = null;
        return scaled;
    }
}
