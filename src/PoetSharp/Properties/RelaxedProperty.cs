using PoetSharp.Atoms;
using PoetSharp.Potentials;

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
        var cell = lattice == CubicLattice.Fcc ? Lattices.Fcc(e, a, 1, 1, 1) : Lattices.Bcc(e, a, 1, 1, 1);
        return potential.Energy(cell) / cell.Count;
    }

    /// <summary>
    /// The zero-pressure lattice constant (Å) of the cubic crystal: the root of the pressure of the conventional cell
    /// between 0.8 and 1.2 times <paramref name="guess"/>, by bisection then secant steps to 1e-10 Å. A simple 1D
    /// stand-in for the general bulk relaxation. Throws InvalidOperationException when the pressure keeps one sign over that range.
    /// </summary>
    public static double LatticeConstant(IPotential potential, CubicLattice lattice, double guess = 3.6, string? element = null)
    {
        var e = Element(potential, element);
        double Pressure(double a)
        {
            var cell = lattice == CubicLattice.Fcc ? Lattices.Fcc(e, a, 1, 1, 1) : Lattices.Bcc(e, a, 1, 1, 1);
            return potential.Compute(cell).Stress.Pressure;
        }
        // Scan for a bracket: pressure falls from positive (compressed) to negative (stretched) at the minimum.
        var grid = Enumerable.Range(0, 41).Select(i => guess * (0.8 + 0.01 * i)).ToArray();
        double lo = double.NaN, hi = double.NaN, plo = 0;
        var previous = Pressure(grid[0]);
        for (var i = 1; i < grid.Length; i++)
        {
            var p = Pressure(grid[i]);
            if (previous > 0 && p <= 0) { lo = grid[i - 1]; hi = grid[i]; plo = previous; break; }
            previous = p;
        }
        if (double.IsNaN(lo)) throw new InvalidOperationException($"no zero-pressure {lattice} lattice constant between {grid[0]:F3} and {grid[^1]:F3} Å for {potential.Name}");
        for (var iteration = 0; iteration < 200 && hi - lo > 1e-10; iteration++)
        {
            var mid = 0.5 * (lo + hi);
            var p = Pressure(mid);
            if (p > 0) { lo = mid; plo = p; } else hi = mid;
        }
        return 0.5 * (lo + hi);
    }
}
