using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Simulation;

namespace PoetSharp.Properties;

/// <summary>
/// A property computed from relaxed structures: its value with unit, whether every relaxation (or band) it rests on
/// converged, and a line on how it was computed (cell size, relaxation outcome). A property whose relaxation failed is
/// still returned, with <see cref="Converged"/> false and the reason in <see cref="Details"/>: report it as failed,
/// not as a number.
/// </summary>
public sealed record RelaxedProperty(string Name, double Value, string Unit, bool Converged, string Details)
{
    public override string ToString() =>
        FormattableString.Invariant($"{Name} = {Value:G8} {Unit}{(Converged ? "" : " (NOT CONVERGED)")} [{Details}]");
}

/// <summary>The perfect cubic crystal a defect or surface calculation refers to.</summary>
public static class CubicReference
{
    /// <summary>The element a potential describes, for the builders: the given one, else the potential's first species, else Cu.</summary>
    public static string Element(IPotential potential, string? element) => element ?? potential.Species?.FirstOrDefault() ?? "Cu";

    /// <summary>Energy per atom (eV) of the perfect crystal with lattice constant a.</summary>
    public static double EnergyPerAtom(IPotential potential, CubicLattice lattice, double a, string? element = null)
    {
        var e = Element(potential, element);
        var cell = lattice switch
        {
            CubicLattice.Fcc => Lattices.Fcc(e, a, 1, 1, 1),
            CubicLattice.Bcc => Lattices.Bcc(e, a, 1, 1, 1),
            _ => Lattices.Diamond(e, a, 1, 1, 1),
        };
        return potential.Energy(cell) / cell.Count;
    }

    /// <summary>
    /// The energy of a defect or surface structure: relaxed by <see cref="Relaxation.Run"/> with <paramref name="settings"/>,
    /// or, with <paramref name="relax"/> false, at its starting positions (an unrelaxed energy, which has nothing to converge).
    /// </summary>
    internal static (double Energy, bool Converged, string Outcome) Minimise(IPotential potential, Structure structure, RelaxationSettings settings, bool relax)
    {
        if (!relax) return (potential.Energy(structure), true, "unrelaxed");
        var relaxed = Relaxation.Run(potential, structure, settings);
        return (relaxed.Energy, relaxed.Converged, relaxed.Reason);
    }

    /// <summary>The zero-pressure lattice constant (Å) of the cubic crystal (<see cref="Bulk.CubicLatticeConstant"/>).</summary>
    public static double LatticeConstant(IPotential potential, CubicLattice lattice, string? element = null) =>
        Bulk.CubicLatticeConstant(potential, Element(potential, element), lattice).A;
}
