using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Simulation;

/// <summary>Which cell degrees of freedom a relaxation moves (towards zero stress).</summary>
public enum CellRelaxation
{
    /// <summary>Positions only; the cell is kept.</summary>
    Fixed,
    /// <summary>Positions and a uniform scaling of the cell (zero pressure).</summary>
    Isotropic,
    /// <summary>Positions and the three normal strains xx, yy, zz (zero normal stresses).</summary>
    Anisotropic,
    /// <summary>Positions and all six strains (zero stress tensor).</summary>
    Full,
}

/// <summary>Settings of <see cref="Relaxation.Run"/>.</summary>
public sealed record RelaxationSettings
{
    /// <summary>Converged when no atom feels a force above this (eV/Å, norm of the allowed components).</summary>
    public double ForceTolerance { get; init; } = 1e-4;
    /// <summary>Converged when no relaxed stress component exceeds this (eV/Å³; 1e-6 eV/Å³ ≈ 0.16 MPa).</summary>
    public double StressTolerance { get; init; } = 1e-6;
    /// <summary>Give up after this many force evaluations.</summary>
    public int MaxSteps { get; init; } = 20000;
    /// <summary>No atom moves farther than this in one step (Å); cell coordinates move at most this over the atom count in strain.</summary>
    public double MaxStep { get; init; } = 0.1;
    public CellRelaxation Cell { get; init; } = CellRelaxation.Fixed;
    /// <summary>
    /// Per-atom Cartesian mask of the components an atom may move along: (1,1,1) free, (0,0,0) fixed, (0,0,1) along z
    /// only (e.g. perpendicular to a stacking fault). Null: all atoms free.
    /// </summary>
    public Vec3[]? Mobility { get; init; }
    /// <summary>Neighbour-list skin (Å): the list is rebuilt once an atom has moved half of it (and whenever the cell changes).</summary>
    public double Skin { get; init; } = 1.0;
    public FireParameters Fire { get; init; } = new();

    /// <summary>A mobility mask that fixes the atoms flagged true and leaves the others free.</summary>
    public static Vec3[] FixedAtoms(IReadOnlyList<bool> isFixed) =>
        isFixed.Select(f => f ? Vec3.Zero : new Vec3(1, 1, 1)).ToArray();

    /// <summary>A mobility mask letting every one of <paramref name="count"/> atoms move along z only.</summary>
    public static Vec3[] AlongZ(int count) => Enumerable.Repeat(new Vec3(0, 0, 1), count).ToArray();
}

/// <summary>Outcome of a relaxation.</summary>
/// <param name="Structure">The relaxed structure (a new object; the input is not modified), labelled with its energy, forces and stress.</param>
/// <param name="Energy">Total energy (eV).</param>
/// <param name="MaxForce">Largest force on an atom, allowed components only (eV/Å).</param>
/// <param name="MaxStress">Largest relaxed stress component (eV/Å³; 0 when the cell is fixed).</param>
/// <param name="Steps">Force evaluations used.</param>
/// <param name="Converged">Whether both tolerances were met.</param>
/// <param name="Reason">Why it stopped, in words.</param>
public sealed record RelaxationResult(Structure Structure, double Energy, double MaxForce, double MaxStress, int Steps, bool Converged, string Reason);

/// <summary>
/// Energy minimisation by FIRE of the positions and, optionally, the cell. The cell enters as ASE's UnitCellFilter does:
/// a deformation F = I + ε (ε symmetric: no rotation) of the starting cell, positions r = F·x with x the atoms'
/// undeformed coordinates, and the unified coordinate vector (x, N·ε) driven by the forces (Fᵀf, −V σ F⁻ᵀ / N), so that
/// the cell moves towards zero stress (target pressure 0) while the atoms move to zero force.
/// </summary>
public static class Relaxation
{
    public static RelaxationResult Run(IPotential potential, Structure structure, RelaxationSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(structure);
        settings ??= new RelaxationSettings();
        potential.CheckSpecies(structure);
        var n = structure.Count;
        var mobility = settings.Mobility;
        if (mobility is not null && mobility.Length != n)
            throw new ArgumentException($"mobility mask has {mobility.Length} entries for {n} atoms");
        if (settings.Cell != CellRelaxation.Fixed && !structure.Cell.FullyPeriodic)
            throw new ArgumentException("cell relaxation needs a fully periodic cell");
        if (!(settings.ForceTolerance > 0) || !(settings.StressTolerance > 0) || settings.MaxSteps < 0 || !(settings.MaxStep > 0) || settings.Skin < 0)
            throw new ArgumentException("relaxation tolerances, maximum step and skin must be positive");

        var s = structure.Clone();
        var cell0 = structure.Cell;
        var strainCount = settings.Cell switch { CellRelaxation.Isotropic => 1, CellRelaxation.Anisotropic => 3, CellRelaxation.Full => 6, _ => 0 };
        var cellFactor = Math.Max(1, n);
        var x = new double[3 * n + strainCount];
        var g = new double[x.Length];
        for (var i = 0; i < n; i++) (x[3 * i], x[3 * i + 1], x[3 * i + 2]) = (s.Positions[i].X, s.Positions[i].Y, s.Positions[i].Z);

        var fire = new Fire(x.Length, settings.Fire);
        var list = new NeighbourList();
        var listCutoff = potential.Cutoff + settings.Skin;
        var built = new Vec3[n];
        var needBuild = true;
        var result = new PotentialResult();
        Span<double> f = stackalloc double[9];
        Span<double> finv = stackalloc double[9];

        // A model with no stable state near the structure can pull the cell together without end; every neighbour-list
        // rebuild then holds more periodic images (a 30-minute mlearn copper search ran out of 24 GB this way in the
        // property checks of its front). The relaxation stops once the volume has left [1/4, 4] of its start: no solid
        // relaxes that far at zero stress. (With the cell fixed the pairs are bounded by the atoms and images in it.)
        const double volumeLimit = 4;
        var steps = 0;
        double maxForce = double.NaN, maxStress = 0;
        string reason;
        var converged = false;
        while (true)
        {
            // Current deformation gradient and geometry.
            Deformation(x.AsSpan(3 * n), settings.Cell, cellFactor, f);
            if (strainCount > 0)
            {
                var ratio = Determinant(f);
                if (!(ratio > 1 / volumeLimit && ratio < volumeLimit))
                {
                    reason = FormattableString.Invariant($"the cell {(ratio < 1 ? "collapsed" : "expanded")} to {ratio:G3} times its starting volume after {steps} steps (no stable state near the structure)");
                    break;
                }
                s.Cell = cell0.Transform(Transposed(f));
                needBuild = true;
            }
            var maxMove2 = 0.0;
            for (var i = 0; i < n; i++)
            {
                var xi = new Vec3(x[3 * i], x[3 * i + 1], x[3 * i + 2]);
                s.Positions[i] = Apply(f, xi);
                maxMove2 = Math.Max(maxMove2, (s.Positions[i] - built[i]).LengthSquared);
            }
            if (needBuild || 4 * maxMove2 > settings.Skin * settings.Skin)
            {
                list.Build(s, listCutoff, half: true);
                Array.Copy(s.Positions, built, n);
                needBuild = false;
            }
            potential.Compute(s, list, result);
            steps++;
            if (!double.IsFinite(result.Energy))
            {
                reason = $"the energy became {result.Energy} after {steps} steps";
                break;
            }

            // Generalised forces: Fᵀ f on the undeformed coordinates, masked.
            maxForce = 0;
            var forces = result.Forces;
            for (var i = 0; i < n; i++)
            {
                var fi = forces[i];
                if (mobility is not null) fi = Mask(fi, mobility[i]);
                maxForce = Math.Max(maxForce, fi.Length);
                var gi = ApplyTransposed(f, fi);
                (g[3 * i], g[3 * i + 1], g[3 * i + 2]) = (gi.X, gi.Y, gi.Z);
            }
            if (!double.IsFinite(maxForce))
            {
                reason = $"the forces became non-finite after {steps} steps";
                break;
            }
            maxStress = strainCount > 0 ? CellForces(result.Stress, s.Cell.Volume, f, finv, settings.Cell, cellFactor, g.AsSpan(3 * n)) : 0;

            if (maxForce < settings.ForceTolerance && maxStress < settings.StressTolerance)
            {
                converged = true;
                reason = $"converged in {steps} steps";
                break;
            }
            if (steps > settings.MaxSteps)
            {
                reason = $"not converged after {settings.MaxSteps} steps: largest force {maxForce:G3} eV/Å (tolerance {settings.ForceTolerance:G3})"
                    + (strainCount > 0 ? $", largest stress {maxStress:G3} eV/Å³ (tolerance {settings.StressTolerance:G3})" : "");
                break;
            }
            fire.Step(x, g, settings.MaxStep);
        }

        var forcesCopy = result.Forces.ToArray();
        s.Energy = result.Energy;
        s.Forces = forcesCopy;
        s.Stress = result.Stress;
        return new RelaxationResult(s, result.Energy, maxForce, maxStress, steps, converged, reason);
    }

    // F = I + ε from the cell coordinates (which hold N·ε), row-major.
    private static void Deformation(ReadOnlySpan<double> c, CellRelaxation mode, double factor, Span<double> f)
    {
        f.Clear();
        f[0] = f[4] = f[8] = 1;
        switch (mode)
        {
            case CellRelaxation.Isotropic:
                f[0] += c[0] / factor; f[4] += c[0] / factor; f[8] += c[0] / factor;
                break;
            case CellRelaxation.Anisotropic:
                f[0] += c[0] / factor; f[4] += c[1] / factor; f[8] += c[2] / factor;
                break;
            case CellRelaxation.Full:
                f[0] += c[0] / factor; f[4] += c[1] / factor; f[8] += c[2] / factor;
                f[5] = f[7] = c[3] / factor; // yz
                f[2] = f[6] = c[4] / factor; // xz
                f[1] = f[3] = c[5] / factor; // xy
                break;
        }
    }

    // The forces on the cell coordinates, −V σ F⁻ᵀ / N reduced to the relaxed strains; returns the largest relaxed stress.
    private static double CellForces(Stress stress, double volume, ReadOnlySpan<double> f, Span<double> finv, CellRelaxation mode, double factor, Span<double> g)
    {
        Invert(f, finv);
        Span<double> m = stackalloc double[9];
        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
            {
                var sum = 0.0;
                for (var k = 0; k < 3; k++) sum += stress.Component(a, k) * finv[3 * b + k]; // (σ F⁻ᵀ)_ab
                m[3 * a + b] = -volume * sum / factor;
            }
        switch (mode)
        {
            case CellRelaxation.Isotropic:
                g[0] = m[0] + m[4] + m[8];
                return Math.Abs(stress.Xx + stress.Yy + stress.Zz) / 3;
            case CellRelaxation.Anisotropic:
                (g[0], g[1], g[2]) = (m[0], m[4], m[8]);
                return Math.Max(Math.Abs(stress.Xx), Math.Max(Math.Abs(stress.Yy), Math.Abs(stress.Zz)));
            default:
                (g[0], g[1], g[2]) = (m[0], m[4], m[8]);
                g[3] = m[5] + m[7];
                g[4] = m[2] + m[6];
                g[5] = m[1] + m[3];
                var largest = 0.0;
                for (var k = 0; k < 6; k++) largest = Math.Max(largest, Math.Abs(stress[k]));
                return largest;
        }
    }

    private static Vec3 Mask(Vec3 v, Vec3 mask) => new(v.X * mask.X, v.Y * mask.Y, v.Z * mask.Z);

    private static Vec3 Apply(ReadOnlySpan<double> m, Vec3 v) =>
        new(m[0] * v.X + m[1] * v.Y + m[2] * v.Z, m[3] * v.X + m[4] * v.Y + m[5] * v.Z, m[6] * v.X + m[7] * v.Y + m[8] * v.Z);

    private static Vec3 ApplyTransposed(ReadOnlySpan<double> m, Vec3 v) =>
        new(m[0] * v.X + m[3] * v.Y + m[6] * v.Z, m[1] * v.X + m[4] * v.Y + m[7] * v.Z, m[2] * v.X + m[5] * v.Y + m[8] * v.Z);

    // Cell.Transform maps row vectors v' = v·M; a cell vector deformed as F·v needs M = Fᵀ.
    private static double[] Transposed(ReadOnlySpan<double> m) => [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];

    private static double Determinant(ReadOnlySpan<double> m) =>
        m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);

    private static void Invert(ReadOnlySpan<double> m, Span<double> inv)
    {
        var det = Determinant(m);
        inv[0] = (m[4] * m[8] - m[5] * m[7]) / det;
        inv[1] = (m[2] * m[7] - m[1] * m[8]) / det;
        inv[2] = (m[1] * m[5] - m[2] * m[4]) / det;
        inv[3] = (m[5] * m[6] - m[3] * m[8]) / det;
        inv[4] = (m[0] * m[8] - m[2] * m[6]) / det;
        inv[5] = (m[2] * m[3] - m[0] * m[5]) / det;
        inv[6] = (m[3] * m[7] - m[4] * m[6]) / det;
        inv[7] = (m[1] * m[6] - m[0] * m[7]) / det;
        inv[8] = (m[0] * m[4] - m[1] * m[3]) / det;
    }
}
