using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Properties;

/// <summary>
/// An energy–volume curve and its third-order Birch–Murnaghan fit
/// E(V) = E0 + (9 V0 B0 / 16) { (η − 1)³ B0' + (η − 1)² (6 − 4η) }, η = (V0/V)^(2/3).
/// </summary>
/// <param name="Volumes">Volumes of the computed points (Å³/atom).</param>
/// <param name="Energies">Their energies (eV/atom).</param>
/// <param name="V0">Equilibrium volume (Å³/atom).</param>
/// <param name="E0">Equilibrium energy (eV/atom).</param>
/// <param name="B0">Bulk modulus at V0 (GPa).</param>
/// <param name="B0Prime">Its pressure derivative (dimensionless).</param>
/// <param name="RmsResidual">Root-mean-square misfit of the points (eV/atom).</param>
/// <param name="ReferenceVolume">Volume about which the fit's polynomial is written (Å³/atom).</param>
/// <param name="Coefficients">The fit as a cubic c0 + c1 t + c2 t² + c3 t³ in t = (ReferenceVolume/V)^(2/3) − 1 (eV/atom).</param>
public sealed record EquationOfStateResult(string StructureName, double[] Volumes, double[] Energies, double V0, double E0, double B0, double B0Prime,
    double RmsResidual, double ReferenceVolume, double[] Coefficients)
{
    /// <summary>The fitted energy (eV/atom) at volume V (Å³/atom).</summary>
    public double Energy(double volume) => Derivatives(volume).E;

    /// <summary>The fitted pressure −dE/dV (GPa) at volume V (Å³/atom).</summary>
    public double Pressure(double volume) => -Derivatives(volume).dE * Units.GPaPerEvPerA3;

    /// <summary>The fitted bulk modulus V d²E/dV² (GPa) at volume V.</summary>
    public double BulkModulus(double volume) => volume * Derivatives(volume).d2E * Units.GPaPerEvPerA3;

    /// <summary>E and its first three volume derivatives (eV/atom, per Å³ powers) from the cubic in t.</summary>
    internal (double E, double dE, double d2E, double d3E) Derivatives(double volume)
    {
        var c = Coefficients;
        var u = Math.Pow(ReferenceVolume / volume, 2.0 / 3.0);
        var t = u - 1;
        var e = c[0] + t * (c[1] + t * (c[2] + t * c[3]));
        var et = c[1] + t * (2 * c[2] + 3 * t * c[3]);
        var ett = 2 * c[2] + 6 * t * c[3];
        var ettt = 6 * c[3];
        // dt/dV etc. for t + 1 = (Vref/V)^(2/3).
        var t1 = -2.0 / 3.0 * u / volume;
        var t2 = 10.0 / 9.0 * u / (volume * volume);
        var t3 = -80.0 / 27.0 * u / (volume * volume * volume);
        return (e, et * t1, ett * t1 * t1 + et * t2, ettt * t1 * t1 * t1 + 3 * ett * t1 * t2 + et * t3);
    }

    public IReadOnlyList<PropertyValue> Values() =>
    [
        new("V0", StructureName, V0, "Å^3/atom"),
        new("E0_EOS", StructureName, E0, "eV/atom"),
        new("B0", StructureName, B0, "GPa"),
        new("B0'", StructureName, B0Prime, ""),
    ];
}

/// <summary>Equations of state: energies over a range of volumes, fitted by Birch–Murnaghan.</summary>
public static class EquationOfState
{
    /// <summary>
    /// Energies of <paramref name="equilibrium"/> scaled isotropically to volumes V·(1 + s), s evenly spaced over ±<paramref name="maxVolumeStrain"/>
    /// (<paramref name="points"/> values), with positions relaxed at each volume by <paramref name="relaxPositions"/> when given
    /// (monatomic Bravais lattices need none), fitted by the third-order Birch–Murnaghan form.
    /// </summary>
    public static EquationOfStateResult Compute(IPotential potential, Structure equilibrium, double maxVolumeStrain = 0.06, int points = 13,
        Func<Structure, Structure>? relaxPositions = null, string structureName = "")
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(equilibrium);
        if (!equilibrium.Cell.FullyPeriodic) throw new ArgumentException("an equation of state needs a fully periodic structure");
        if (!(maxVolumeStrain > 0 && maxVolumeStrain < 0.5)) throw new ArgumentException("maxVolumeStrain must lie in (0, 0.5)");
        if (points < 5) throw new ArgumentException("an equation of state needs at least 5 points");
        var n = equilibrium.Count;
        var volumes = new double[points];
        var energies = new double[points];
        var strains = Roots.Linspace(-maxVolumeStrain, maxVolumeStrain, points);
        for (var k = 0; k < points; k++)
        {
            var s = Bulk.ScaleVolume(equilibrium, 1 + strains[k]);
            if (relaxPositions != null) s = relaxPositions(s);
            volumes[k] = s.Cell.Volume / n;
            energies[k] = potential.Energy(s) / n;
        }
        return Fit(volumes, energies, structureName.Length > 0 ? structureName : equilibrium.Name);
    }

    /// <summary>The equation of state of a cubic crystal about its own equilibrium lattice constant.</summary>
    public static EquationOfStateResult Compute(IPotential potential, string element, CubicLattice lattice = CubicLattice.Fcc, double maxVolumeStrain = 0.06, int points = 13)
    {
        var crystal = Bulk.CubicLatticeConstant(potential, element, lattice);
        return Compute(potential, crystal.Primitive(), maxVolumeStrain, points, null, crystal.Label);
    }

    /// <summary>
    /// The third-order Birch–Murnaghan fit of energies (eV/atom) against volumes (Å³/atom). The form is a cubic polynomial in
    /// (V_ref/V)^(2/3), so the least-squares fit is linear and has one global solution.
    /// </summary>
    public static EquationOfStateResult Fit(double[] volumes, double[] energies, string structureName = "")
    {
        if (volumes.Length != energies.Length || volumes.Length < 5) throw new ArgumentException("a Birch–Murnaghan fit needs at least 5 (volume, energy) points");
        if (volumes.Any(v => !(v > 0) || !double.IsFinite(v)) || energies.Any(e => !double.IsFinite(e)))
            throw new ArgumentException("equation-of-state points must be finite with positive volumes");
        var reference = volumes.Average();
        var m = volumes.Length;
        var design = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(m, 4, (i, j) => Math.Pow(Math.Pow(reference / volumes[i], 2.0 / 3.0) - 1, j));
        var rhs = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(energies);
        var c = design.QR().Solve(rhs).ToArray();

        // Stationary points of the cubic in t: c1 + 2 c2 t + 3 c3 t² = 0; keep the minimum (positive curvature) nearest t = 0.
        var candidates = new List<double>();
        if (Math.Abs(c[3]) < 1e-300) candidates.Add(-c[1] / (2 * c[2]));
        else
        {
            var disc = 4 * c[2] * c[2] - 12 * c[3] * c[1];
            if (disc >= 0)
            {
                var sq = Math.Sqrt(disc);
                candidates.Add((-2 * c[2] + sq) / (6 * c[3]));
                candidates.Add((-2 * c[2] - sq) / (6 * c[3]));
            }
        }
        var minima = candidates.Where(t => double.IsFinite(t) && t > -1 && 2 * c[2] + 6 * c[3] * t > 0).OrderBy(Math.Abs).ToArray();
        if (minima.Length == 0) throw new InvalidOperationException("the Birch–Murnaghan fit has no energy minimum: the points do not bracket an equilibrium volume");
        var v0 = reference * Math.Pow(1 + minima[0], -1.5);
        var residuals = design.Multiply(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(c)) - rhs;
        var result = new EquationOfStateResult(structureName, (double[])volumes.Clone(), (double[])energies.Clone(), v0, 0, 0, 0,
            Math.Sqrt(residuals.DotProduct(residuals) / m), reference, c);
        var (e, _, d2, d3) = result.Derivatives(v0);
        return result with { E0 = e, B0 = v0 * d2 * Units.GPaPerEvPerA3, B0Prime = -1 - v0 * d3 / d2 };
    }
}
