using PoetSharp.Atoms;

namespace PoetSharp.Simulation;

/// <summary>
/// The image-dependent pair potential path (IDPP; Smidstrup, Pedersen, Stokbro and Jónsson, J. Chem. Phys. 140, 214106
/// (2014)): a starting band whose images keep sensible interatomic distances. Linear interpolation moves every atom on
/// a straight line, so where the endpoints differ in more than the hopping atom (a soft sublattice relaxing around a
/// vacancy) intermediate images can push atoms through each other, and a machine-learned potential is then asked about
/// configurations no data hold. IDPP interpolates the pair distances instead: image m at fraction t = m/(M+1) should
/// have d_ij = (1 − t)·d_ij(initial) + t·d_ij(final) for every pair, and each image is moved, from the straight line, to
/// minimise S = Σ_{i&lt;j} w(d_ij)·(d_target − d_ij)² with w(d) = d⁻⁴ (short distances count most), by FIRE. The
/// targets pin every image at its own fraction of the path, so the images are minimised one by one, without springs.
/// Written here because the method is a few lines on top of our FIRE; ASE's version needs ASE's NEB objects.
/// </summary>
public static class IdppInterpolation
{
    /// <summary>Pairs farther apart than this in both endpoints (Å) are left out of S: their weight d⁻⁴ is below 1e-4 of a 2 Å pair's.</summary>
    public const double PairCutoff = 20.0;

    /// <summary>
    /// The band of <paramref name="intermediate"/> images between the two endpoints (which are returned unchanged, the final
    /// one with minimum-image positions as <see cref="NudgedElasticBand.Interpolate"/> gives it). Each image's minimisation
    /// stops when no atom feels an IDPP force above <paramref name="tolerance"/> (in units of S per Å) or after
    /// <paramref name="maxSteps"/> steps; an atom moves at most 0.1 Å a step.
    /// </summary>
    public static Structure[] Interpolate(Structure initial, Structure final, int intermediate, int maxSteps = 2000, double tolerance = 1e-3)
    {
        var band = NudgedElasticBand.Interpolate(initial, final, intermediate);
        if (maxSteps < 1 || !(tolerance > 0)) throw new ArgumentException("IDPP needs at least one step and a positive tolerance");
        var (first, last) = (band[0], band[^1]);
        var n = first.Count;
        var pairs = new List<(int I, int J, double D0, double D1)>();
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
            {
                var d0 = first.Cell.MinimumImage(first.Positions[j] - first.Positions[i]).Length;
                var d1 = first.Cell.MinimumImage(last.Positions[j] - last.Positions[i]).Length;
                if (Math.Min(d0, d1) <= PairCutoff) pairs.Add((i, j, d0, d1));
            }
        var fire = new Fire(3 * n, new FireParameters());
        var x = new double[3 * n];
        var force = new double[3 * n];
        for (var m = 1; m <= intermediate; m++)
        {
            var t = (double)m / (intermediate + 1);
            var image = band[m];
            // From the straight line, nudged by at most 1e-3 Å (deterministically): two atoms that swap places meet
            // exactly on it, where S has no direction to move them apart.
            var nudge = new Random(m);
            for (var i = 0; i < n; i++)
                (x[3 * i], x[3 * i + 1], x[3 * i + 2]) = (image.Positions[i].X + 1e-3 * (2 * nudge.NextDouble() - 1),
                    image.Positions[i].Y + 1e-3 * (2 * nudge.NextDouble() - 1), image.Positions[i].Z + 1e-3 * (2 * nudge.NextDouble() - 1));
            fire.Reset();
            for (var step = 0; step < maxSteps; step++)
            {
                Array.Clear(force);
                foreach (var (i, j, d0, d1) in pairs)
                {
                    var r = image.Cell.MinimumImage(new Vec3(x[3 * j] - x[3 * i], x[3 * j + 1] - x[3 * i + 1], x[3 * j + 2] - x[3 * i + 2]));
                    var d = Math.Max(r.Length, 1e-3); // atoms on top of each other: a large, finite push apart
                    var target = d0 + t * (d1 - d0);
                    // dS/dd for one pair: w'(d)(T − d)² − 2 w(d)(T − d), w = d⁻⁴.
                    var gap = target - d;
                    var dSdd = -4 * gap * gap / Math.Pow(d, 5) - 2 * gap / Math.Pow(d, 4);
                    var g = dSdd / d * r; // gradient with respect to r_j; minus that for r_i
                    force[3 * i] += g.X; force[3 * i + 1] += g.Y; force[3 * i + 2] += g.Z;
                    force[3 * j] -= g.X; force[3 * j + 1] -= g.Y; force[3 * j + 2] -= g.Z;
                }
                var largest = 0.0;
                for (var i = 0; i < n; i++)
                    largest = Math.Max(largest, Math.Sqrt(force[3 * i] * force[3 * i] + force[3 * i + 1] * force[3 * i + 1] + force[3 * i + 2] * force[3 * i + 2]));
                if (largest < tolerance) break;
                fire.Step(x, force, 0.1);
            }
            for (var i = 0; i < n; i++) image.Positions[i] = new Vec3(x[3 * i], x[3 * i + 1], x[3 * i + 2]);
        }
        return band;
    }

    /// <summary>The IDPP objective S of one image at fraction t between the endpoints (for tests).</summary>
    public static double Objective(Structure initial, Structure final, Structure image, double t)
    {
        var s = 0.0;
        for (var i = 0; i < image.Count; i++)
            for (var j = i + 1; j < image.Count; j++)
            {
                var d0 = initial.Cell.MinimumImage(initial.Positions[j] - initial.Positions[i]).Length;
                var d1 = initial.Cell.MinimumImage(final.Positions[j] - final.Positions[i]).Length;
                if (Math.Min(d0, d1) > PairCutoff) continue;
                var d = image.Cell.MinimumImage(image.Positions[j] - image.Positions[i]).Length;
                var gap = d0 + t * (d1 - d0) - d;
                s += gap * gap / Math.Pow(d, 4);
            }
        return s;
    }
}
