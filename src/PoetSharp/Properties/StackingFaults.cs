using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Simulation;

namespace PoetSharp.Properties;

/// <summary>The generalized stacking-fault curve along [11̄2] on {111}.</summary>
/// <param name="Fractions">Displacements as fractions of the Shockley partial a/√6 (1 = intrinsic fault).</param>
/// <param name="Energies">Fault energies (mJ/m²) at those displacements.</param>
/// <param name="Converged">Whether every relaxation converged.</param>
public sealed record StackingFaultCurve(double[] Fractions, double[] Energies, bool Converged);

/// <summary>
/// Stacking-fault energies on fcc {111}, in mJ/m². The cell is <see cref="DefectBuilders.Fcc111"/> (x = [11̄2],
/// y = [1̄10], z = [111]) made periodic with its C vector tilted by the fault displacement, so that the crystal holds one
/// fault per cell (no vacuum, no surfaces); atoms relax along z only (perpendicular to the fault), the cell is kept —
/// LAMMPS users' tilt set-up (change_box xz, fix setforce 0 0 NULL, minimize).
/// γ(u) = (E(u) − E(0)) / A with A the cell's xy area.
///
/// Convergence with the Mishin Cu EAM at a = 3.614925 Å for 4, 6, 12, 16 repeats of the 3-plane cell (12–48 planes):
/// γ_isf 44.443, 44.422, 44.401, 44.395 mJ/m²; γ at 0.526 a/√6 (near the unstable fault) 163.37, 162.93, 162.50,
/// 162.39 mJ/m² — the fixed cell height constrains the fault's dilatation, an error falling as 1/thickness (about
/// 0.3 mJ/m² at the default 16 repeats, 96 atoms). Forces relaxed to 1e-5 eV/Å.
/// </summary>
public static class StackingFaults
{
    public const int DefaultRepeats = 16;

    private static readonly RelaxationSettings AlongZ = new() { ForceTolerance = 1e-5 };

    /// <summary>The relaxation the fault energies use unless told otherwise.</summary>
    public static RelaxationSettings DefaultRelaxation => AlongZ;

    /// <summary>
    /// The fault energy (mJ/m²) at a displacement of <paramref name="fraction"/> · a/√6 along [11̄2]; the relaxation
    /// (always along z only) to 1e-5 eV/Å unless <paramref name="settings"/> say otherwise.
    /// </summary>
    public static (double Energy, RelaxationResult Relaxation) FaultEnergy(IPotential potential, double a, double fraction, int repeats = DefaultRepeats, string? element = null,
        RelaxationSettings? settings = null)
    {
        var perfect = DefectBuilders.Fcc111(CubicReference.Element(potential, element), a, 1, 1, repeats);
        var e0 = potential.Energy(perfect);
        var faulted = DefectBuilders.StackingFault(perfect, a, fraction);
        var relaxed = Relaxation.Run(potential, faulted, (settings ?? AlongZ) with { Mobility = RelaxationSettings.AlongZ(faulted.Count), Cell = CellRelaxation.Fixed });
        var area = Vec3.Cross(perfect.Cell.A, perfect.Cell.B).Length;
        return (1000 * (relaxed.Energy - e0) / area / Units.EvPerA2PerJPerM2, relaxed);
    }

    /// <summary>Intrinsic stacking-fault energy γ_isf (mJ/m²): displacement a/√6 along [11̄2].</summary>
    public static RelaxedProperty Intrinsic(IPotential potential, double a, int repeats = DefaultRepeats, string? element = null, RelaxationSettings? settings = null)
    {
        var (gamma, relaxed) = FaultEnergy(potential, a, 1.0, repeats, element, settings);
        return new RelaxedProperty("gamma_isf", gamma, "mJ/m²", relaxed.Converged,
            FormattableString.Invariant($"{6 * repeats}-atom tilted {{111}} cell ({3 * repeats} planes), z-only relaxation, a = {a:F6} Å; {relaxed.Reason}"));
    }

    /// <summary>The generalized stacking-fault curve at <paramref name="points"/> equally spaced displacements from 0 to a/√6.</summary>
    public static StackingFaultCurve Curve(IPotential potential, double a, int points = 21, int repeats = DefaultRepeats, string? element = null)
    {
        if (points < 2) throw new ArgumentException("a stacking-fault curve needs at least two points");
        var fractions = Enumerable.Range(0, points).Select(i => (double)i / (points - 1)).ToArray();
        var energies = new double[points];
        var converged = true;
        for (var i = 0; i < points; i++)
        {
            var (gamma, relaxed) = FaultEnergy(potential, a, fractions[i], repeats, element);
            energies[i] = gamma;
            converged &= relaxed.Converged;
        }
        return new StackingFaultCurve(fractions, energies, converged);
    }

    /// <summary>
    /// Unstable stacking-fault energy γ_usf (mJ/m²): the maximum of the curve between 0 and a/√6, bracketed on 6 points
    /// and refined by golden-section search to 1e-3 of the partial (the curve is flat there: this fixes γ to ~0.001 mJ/m²).
    /// </summary>
    public static RelaxedProperty Unstable(IPotential potential, double a, int repeats = DefaultRepeats, string? element = null)
    {
        var converged = true;
        double Gamma(double f)
        {
            var (g, r) = FaultEnergy(potential, a, f, repeats, element);
            converged &= r.Converged;
            return g;
        }
        var grid = Enumerable.Range(0, 6).Select(i => i / 5.0).ToArray();
        var values = grid.Select(Gamma).ToArray();
        var best = Array.IndexOf(values, values.Max());
        double lo = grid[Math.Max(0, best - 1)], hi = grid[Math.Min(grid.Length - 1, best + 1)];
        var invPhi = (Math.Sqrt(5) - 1) / 2;
        double x1 = hi - invPhi * (hi - lo), x2 = lo + invPhi * (hi - lo);
        double g1 = Gamma(x1), g2 = Gamma(x2);
        while (hi - lo > 1e-3)
        {
            if (g1 > g2) { hi = x2; x2 = x1; g2 = g1; x1 = hi - invPhi * (hi - lo); g1 = Gamma(x1); }
            else { lo = x1; x1 = x2; g1 = g2; x2 = lo + invPhi * (hi - lo); g2 = Gamma(x2); }
        }
        var top = Math.Max(Math.Max(g1, g2), values[best]);
        var at = top == values[best] ? grid[best] : g1 > g2 ? x1 : x2;
        return new RelaxedProperty("gamma_usf", top, "mJ/m²", converged,
            FormattableString.Invariant($"maximum at {at:F4} a/√6 along [11-2]; {6 * repeats}-atom tilted {{111}} cell, z-only relaxation, a = {a:F6} Å"));
    }
}
