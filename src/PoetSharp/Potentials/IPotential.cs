using PoetSharp.Atoms;

namespace PoetSharp.Potentials;

/// <summary>
/// An interatomic potential, as an ASE calculator: a structure in; total and per-atom energies (eV), forces (eV/Å)
/// and the virial stress (eV/Å³, tensile positive) out. Implementations are immutable after construction and
/// thread-safe: any number of structures may be computed concurrently.
/// </summary>
public interface IPotential
{
    /// <summary>A short human-readable name (e.g. "Sutton–Chen", "EAM Cu_u3.eam").</summary>
    string Name { get; }

    /// <summary>Interaction range in Å: atoms farther apart do not interact.</summary>
    double Cutoff { get; }

    /// <summary>Species this potential can compute (null: any).</summary>
    IReadOnlyList<string>? Species { get; }

    /// <summary>
    /// The shortest interatomic distance (Å) the potential was built for, where it declares one (an MTP's min_dist, the
    /// lower end of its radial basis: closer pairs are extrapolated polynomials, and may hold deep spurious wells); 0 where
    /// it declares none. The property searches over lattice constants scan nearest-neighbour distances from here up.
    /// </summary>
    double ShortestDistance => 0;

    /// <summary>
    /// Computes into <paramref name="result"/> (resized as needed) using a half neighbour list built with a cutoff
    /// of at least <see cref="Cutoff"/> (a larger one, e.g. with a skin, is allowed: pairs beyond the cutoff are skipped).
    /// Allocation-free once <paramref name="result"/> has the right size.
    /// </summary>
    void Compute(Structure structure, NeighbourList halfList, PotentialResult result);
}

public static class PotentialExtensions
{
    /// <summary>Builds a half neighbour list and computes everything (convenience; allocates).</summary>
    public static PotentialResult Compute(this IPotential potential, Structure structure)
    {
        var result = new PotentialResult();
        potential.Compute(structure, NeighbourList.Create(structure, potential.Cutoff, half: true), result);
        return result;
    }

    /// <summary>Total energy only (eV); builds its own neighbour list.</summary>
    public static double Energy(this IPotential potential, Structure structure) => potential.Compute(structure).Energy;

    /// <summary>Throws a clear error when the structure holds a species the potential does not describe.</summary>
    public static void CheckSpecies(this IPotential potential, Structure structure)
    {
        if (potential.Species is null) return;
        foreach (var s in structure.Species)
            if (!potential.Species.Contains(s))
                throw new ArgumentException($"{potential.Name} has no parameters for element '{s}' (it describes {string.Join(", ", potential.Species)})");
    }
}

/// <summary>What a potential computes for one structure. Buffers are reused across calls.</summary>
public sealed class PotentialResult
{
    private double[] _atomEnergies = [];
    private Vec3[] _forces = [];

    public int AtomCount { get; private set; }
    /// <summary>Total energy (eV).</summary>
    public double Energy { get; set; }
    /// <summary>Per-atom energies (eV); they sum to <see cref="Energy"/>.</summary>
    public Span<double> AtomEnergies => _atomEnergies.AsSpan(0, AtomCount);
    /// <summary>Forces −∂E/∂r_i (eV/Å).</summary>
    public Span<Vec3> Forces => _forces.AsSpan(0, AtomCount);
    /// <summary>Virial stress (1/V) ∂E/∂ε in eV/Å³, tensile positive; zero for a non-periodic structure.</summary>
    public Stress Stress { get; set; }
    /// <summary>The virial W = −V·σ summed over pairs (eV), available also when the volume is undefined.</summary>
    public Stress Virial { get; set; }

    private double[] _scratch = [];

    /// <summary>
    /// A per-atom work array for a potential's intermediate values (e.g. dF/dρ in EAM), reused across calls so that
    /// computing stays allocation-free. Its contents are undefined on entry.
    /// </summary>
    public Span<double> Scratch(int count)
    {
        if (_scratch.Length < count) _scratch = new double[count];
        return _scratch.AsSpan(0, count);
    }

    /// <summary>Sets the atom count and zeroes everything (no allocation once large enough).</summary>
    public void Reset(int atomCount)
    {
        if (_forces.Length < atomCount)
        {
            _forces = new Vec3[atomCount];
            _atomEnergies = new double[atomCount];
        }
        AtomCount = atomCount;
        Array.Clear(_forces, 0, atomCount);
        Array.Clear(_atomEnergies, 0, atomCount);
        Energy = 0;
        Stress = Stress.Zero;
        Virial = Stress.Zero;
    }

    /// <summary>Sets <see cref="Virial"/> from the pair sum Σ (∂E/∂r) r_a r_b / r and the stress from it.</summary>
    public void SetVirialFromPairSum(Stress dEdStrain, Cell cell)
    {
        Virial = -1.0 * dEdStrain;
        Stress = cell.FullyPeriodic ? (1.0 / cell.Volume) * dEdStrain : Stress.Zero;
    }
}
