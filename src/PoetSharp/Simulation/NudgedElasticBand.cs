using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Simulation;

/// <summary>Settings of <see cref="NudgedElasticBand.Run(IPotential, Structure, Structure, NebSettings?)"/>.</summary>
public sealed record NebSettings
{
    /// <summary>Images between the two endpoints.</summary>
    public int IntermediateImages { get; init; } = 5;
    /// <summary>Spring constant between neighbouring images (eV/Å²).</summary>
    public double SpringConstant { get; init; } = 1.0;
    /// <summary>Climbing image (Henkelman, Uberuaga, Jónsson 2000): the highest image climbs to the saddle point.</summary>
    public bool Climb { get; init; } = true;
    /// <summary>Relax the two endpoints (positions) before building the band.</summary>
    public bool RelaxEndpoints { get; init; } = true;
    public RelaxationSettings EndpointRelaxation { get; init; } = new() { ForceTolerance = 1e-4 };
    /// <summary>Converged when the largest per-atom force perpendicular to the path (on the climbing image: the whole inverted force) is below this (eV/Å).</summary>
    public double ForceTolerance { get; init; } = 1e-3;
    /// <summary>Band updates allowed (each one force evaluation per image).</summary>
    public int MaxSteps { get; init; } = 3000;
    /// <summary>No atom of an image moves farther than this in one step (Å).</summary>
    public double MaxStep { get; init; } = 0.05;
    /// <summary>Neighbour-list skin (Å).</summary>
    public double Skin { get; init; } = 1.0;
    public FireParameters Fire { get; init; } = new();
    /// <summary>How the starting band is made between the relaxed endpoints: straight lines, or IDPP (<see cref="IdppInterpolation"/>).</summary>
    public BandInterpolation Interpolation { get; init; } = BandInterpolation.Linear;
}

/// <summary>The starting band of a NEB: every atom on a straight line, or the image-dependent pair potential path.</summary>
public enum BandInterpolation
{
    Linear,
    Idpp,
}

/// <summary>Outcome of a nudged-elastic-band run.</summary>
/// <param name="Images">All images, endpoints included, labelled with energies and forces.</param>
/// <param name="Energies">Energy of each image (eV).</param>
/// <param name="PathLength">Cumulative distance along the band (Å, 3N-dimensional), one per image.</param>
/// <param name="Barrier">Highest image energy minus the initial energy (eV); with a converged climbing image this is the saddle point.</param>
/// <param name="ClimbingImage">Index of the climbing image (−1 without climbing).</param>
/// <param name="MaxForce">Largest perpendicular (climbing: inverted) force at the end (eV/Å).</param>
/// <param name="Steps">Band updates.</param>
/// <param name="Converged">Whether the force tolerance was met (and the endpoints relaxed, when asked for).</param>
/// <param name="Reason">Why it stopped, in words.</param>
public sealed record NebResult(IReadOnlyList<Structure> Images, double[] Energies, double[] PathLength, double Barrier,
    int ClimbingImage, double MaxForce, int Steps, bool Converged, string Reason);

/// <summary>
/// Climbing-image nudged elastic band with the improved tangent (Henkelman &amp; Jónsson, J. Chem. Phys. 113, 9978 (2000)),
/// optimised by FIRE on all intermediate images at once. The cell is fixed and shared by all images. The band is first
/// relaxed without climbing to ten times the tolerance, then with the highest image climbing, as LAMMPS's neb does in two stages.
/// </summary>
public static class NudgedElasticBand
{
    /// <summary>
    /// Linear interpolation between two structures with the same cell and atom order; each atom takes the shortest
    /// periodic path (minimum image), so an atom that crosses a cell face does not sweep through the cell.
    /// Returns intermediates + 2 structures, endpoints included (the final one with minimum-image positions).
    /// </summary>
    public static Structure[] Interpolate(Structure initial, Structure final, int intermediate)
    {
        CheckPair(initial, final);
        if (intermediate < 1) throw new ArgumentException("a band needs at least one intermediate image");
        var cell = initial.Cell;
        var d = new Vec3[initial.Count];
        for (var i = 0; i < d.Length; i++) d[i] = cell.MinimumImage(final.Positions[i] - initial.Positions[i]);
        var images = new Structure[intermediate + 2];
        for (var m = 0; m < images.Length; m++)
        {
            var t = (double)m / (intermediate + 1);
            var pos = new Vec3[d.Length];
            for (var i = 0; i < d.Length; i++) pos[i] = initial.Positions[i] + t * d[i];
            images[m] = new Structure(cell, pos, (string[])initial.Species.Clone(), $"{initial.Name} image {m}", initial.Group);
        }
        return images;
    }

    /// <summary>Relaxes the endpoints (if asked), interpolates and runs the band.</summary>
    public static NebResult Run(IPotential potential, Structure initial, Structure final, NebSettings? settings = null)
    {
        settings ??= new NebSettings();
        CheckPair(initial, final);
        var notes = "";
        if (settings.RelaxEndpoints)
        {
            var a = Relaxation.Run(potential, initial, settings.EndpointRelaxation with { Cell = CellRelaxation.Fixed });
            var b = Relaxation.Run(potential, final, settings.EndpointRelaxation with { Cell = CellRelaxation.Fixed });
            if (!a.Converged || !b.Converged)
                notes = $"; endpoint relaxation failed ({(a.Converged ? "" : "initial: " + a.Reason)}{(b.Converged ? "" : " final: " + b.Reason)})";
            (initial, final) = (a.Structure, b.Structure);
        }
        var start = settings.Interpolation == BandInterpolation.Idpp
            ? IdppInterpolation.Interpolate(initial, final, settings.IntermediateImages)
            : Interpolate(initial, final, settings.IntermediateImages);
        var result = Run(potential, start, settings);
        return notes.Length == 0 ? result : result with { Converged = false, Reason = result.Reason + notes };
    }

    /// <summary>Runs the band from the given images (endpoints first and last, kept fixed).</summary>
    public static NebResult Run(IPotential potential, IReadOnlyList<Structure> band, NebSettings? settings = null)
    {
        settings ??= new NebSettings();
        if (band.Count < 3) throw new ArgumentException("a band needs two endpoints and at least one intermediate image");
        for (var m = 1; m < band.Count; m++) CheckPair(band[0], band[m]);
        if (!(settings.SpringConstant > 0) || !(settings.ForceTolerance > 0) || !(settings.MaxStep > 0))
            throw new ArgumentException("spring constant, force tolerance and maximum step must be positive");

        var images = band.Select(b => b.Clone()).ToArray();
        var count = images.Length;
        var n = images[0].Count;
        var inner = count - 2;
        var lists = new NeighbourList[count];
        var built = new Vec3[count][];
        var results = new PotentialResult[count];
        var energies = new double[count];
        for (var m = 0; m < count; m++)
        {
            potential.CheckSpecies(images[m]);
            lists[m] = new NeighbourList();
            results[m] = new PotentialResult();
            built[m] = new Vec3[n];
            Evaluate(potential, images[m], lists[m], built[m], results[m], settings.Skin, force: true);
            energies[m] = results[m].Energy;
        }

        var x = new double[3 * n * inner];
        var g = new double[x.Length];
        for (var m = 1; m <= inner; m++)
            for (var i = 0; i < n; i++)
            {
                var p = images[m].Positions[i];
                var k = 3 * ((m - 1) * n + i);
                (x[k], x[k + 1], x[k + 2]) = (p.X, p.Y, p.Z);
            }
        var fire = new Fire(x.Length, settings.Fire);
        var tangent = new Vec3[n];
        var climbing = false;
        var climber = -1;
        var steps = 0;
        var maxForce = double.NaN;
        string reason;
        var converged = false;
        while (true)
        {
            for (var m = 1; m <= inner; m++)
            {
                for (var i = 0; i < n; i++)
                {
                    var k = 3 * ((m - 1) * n + i);
                    images[m].Positions[i] = new Vec3(x[k], x[k + 1], x[k + 2]);
                }
                Evaluate(potential, images[m], lists[m], built[m], results[m], settings.Skin, force: steps > 0);
                energies[m] = results[m].Energy;
            }
            steps++;
            if (energies.Any(e => !double.IsFinite(e)))
            {
                reason = $"an image energy became non-finite after {steps} steps";
                break;
            }
            // An image far below both relaxed endpoints has not found a path but a hole: a machine-learned potential used
            // outside its data near this path (the well depth of MD's own check). Stop there and say so, rather than
            // run on to the step limit and report a barrier measured from a collapsed band.
            var floor = Math.Min(energies[0], energies[^1]) - MolecularDynamics.WellDepthPerAtom * n;
            if (Array.FindIndex(energies, 1, inner, e => e < floor) is var fallen and > 0)
            {
                reason = FormattableString.Invariant(
                    $"image {fallen} fell to {energies[fallen]:G6} eV after {steps} steps, more than {MolecularDynamics.WellDepthPerAtom:G3} eV/atom below the endpoints: the potential has a spurious deep well near this path (typically extrapolation outside its training data)");
                break;
            }
            climber = -1;
            if (climbing)
            {
                climber = 1;
                for (var m = 2; m <= inner; m++) if (energies[m] > energies[climber]) climber = m;
            }

            maxForce = 0;
            for (var m = 1; m <= inner; m++)
            {
                var offset = 3 * (m - 1) * n;
                Tangent(images[m - 1].Positions, images[m].Positions, images[m + 1].Positions, energies[m - 1], energies[m], energies[m + 1], tangent);
                var forces = results[m].Forces;
                var along = 0.0;
                for (var i = 0; i < n; i++) along += Vec3.Dot(forces[i], tangent[i]);
                if (m == climber)
                {
                    for (var i = 0; i < n; i++)
                    {
                        var fi = forces[i] - 2 * along * tangent[i];
                        maxForce = Math.Max(maxForce, fi.Length);
                        Store(g, offset + 3 * i, fi);
                    }
                    continue;
                }
                var spring = settings.SpringConstant * (Distance(images[m + 1].Positions, images[m].Positions) - Distance(images[m].Positions, images[m - 1].Positions));
                for (var i = 0; i < n; i++)
                {
                    var perpendicular = forces[i] - along * tangent[i];
                    maxForce = Math.Max(maxForce, perpendicular.Length);
                    Store(g, offset + 3 * i, perpendicular + spring * tangent[i]);
                }
            }

            if (!double.IsFinite(maxForce))
            {
                reason = $"the band forces became non-finite after {steps} steps";
                break;
            }
            if (!climbing && settings.Climb && maxForce < 10 * settings.ForceTolerance)
            {
                climbing = true;
                fire.Reset();
                continue;
            }
            if (maxForce < settings.ForceTolerance && (climbing || !settings.Climb))
            {
                converged = true;
                reason = $"converged in {steps} steps";
                break;
            }
            if (steps > settings.MaxSteps)
            {
                reason = $"not converged after {settings.MaxSteps} steps: largest perpendicular force {maxForce:G3} eV/Å (tolerance {settings.ForceTolerance:G3})";
                break;
            }
            fire.Step(x, g, settings.MaxStep);
        }

        for (var m = 0; m < count; m++)
        {
            images[m].Energy = energies[m];
            images[m].Forces = results[m].Forces.ToArray();
        }
        var path = new double[count];
        for (var m = 1; m < count; m++) path[m] = path[m - 1] + Distance(images[m].Positions, images[m - 1].Positions);
        var barrier = energies.Max() - energies[0];
        return new NebResult(images, energies, path, barrier, climber, maxForce, steps, converged, reason);
    }

    private static void Evaluate(IPotential potential, Structure s, NeighbourList list, Vec3[] built, PotentialResult result, double skin, bool force)
    {
        var moved = 0.0;
        for (var i = 0; i < s.Count; i++) moved = Math.Max(moved, (s.Positions[i] - built[i]).LengthSquared);
        if (!force || list.AtomCount != s.Count || 4 * moved > skin * skin)
        {
            list.Build(s, potential.Cutoff + skin, half: true);
            Array.Copy(s.Positions, built, s.Count);
        }
        potential.Compute(s, list, result);
    }

    // The improved tangent: towards the higher neighbour, an energy-weighted blend at extrema; normalised over all atoms.
    private static void Tangent(Vec3[] previous, Vec3[] current, Vec3[] next, double ePrevious, double e, double eNext, Vec3[] tangent)
    {
        double wPlus, wMinus;
        if (eNext > e && e > ePrevious) (wPlus, wMinus) = (1, 0);
        else if (eNext < e && e < ePrevious) (wPlus, wMinus) = (0, 1);
        else
        {
            var dMax = Math.Max(Math.Abs(eNext - e), Math.Abs(ePrevious - e));
            var dMin = Math.Min(Math.Abs(eNext - e), Math.Abs(ePrevious - e));
            (wPlus, wMinus) = eNext > ePrevious ? (dMax, dMin) : (dMin, dMax);
        }
        var norm = 0.0;
        for (var i = 0; i < current.Length; i++)
        {
            tangent[i] = wPlus * (next[i] - current[i]) + wMinus * (current[i] - previous[i]);
            norm += tangent[i].LengthSquared;
        }
        norm = Math.Sqrt(norm);
        if (norm == 0)
        {
            // Flat and symmetric: fall back to the chord.
            for (var i = 0; i < current.Length; i++) { tangent[i] = next[i] - previous[i]; norm += tangent[i].LengthSquared; }
            norm = Math.Sqrt(norm);
        }
        if (norm > 0) for (var i = 0; i < current.Length; i++) tangent[i] /= norm;
    }

    private static double Distance(Vec3[] a, Vec3[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++) sum += (a[i] - b[i]).LengthSquared;
        return Math.Sqrt(sum);
    }

    private static void Store(double[] g, int k, Vec3 v) => (g[k], g[k + 1], g[k + 2]) = (v.X, v.Y, v.Z);

    private static void CheckPair(Structure a, Structure b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"band endpoints differ in atom count ({a.Count} and {b.Count})");
        if (!a.Species.SequenceEqual(b.Species)) throw new ArgumentException("band endpoints differ in species order");
        if (a.Cell.A != b.Cell.A || a.Cell.B != b.Cell.B || a.Cell.C != b.Cell.C)
            throw new ArgumentException("band images must share one cell");
    }
}
