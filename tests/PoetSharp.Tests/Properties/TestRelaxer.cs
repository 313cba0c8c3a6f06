using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// A minimal FIRE relaxation of positions at fixed cell (Bitzek et al., PRL 97, 170201), only to exercise the
/// relaxPositions hooks of the property functions; the library's own relaxation is written elsewhere.
/// </summary>
public static class TestRelaxer
{
    public static Func<Structure, Structure> Fire(IPotential potential, double forceTolerance = 1e-9, int maxSteps = 20000) => s =>
    {
        var r = s.Clone();
        var n = r.Count;
        var v = new Vec3[n];
        double dt = 0.05, alpha = 0.1;
        var positive = 0;
        for (var step = 0; step < maxSteps; step++)
        {
            var f = potential.Compute(r).Forces.ToArray();
            if (f.Max(x => x.Length) < forceTolerance) return r;
            var power = 0.0;
            double vNorm = 0, fNorm = 0;
            for (var i = 0; i < n; i++)
            {
                power += Vec3.Dot(f[i], v[i]);
                vNorm += v[i].LengthSquared;
                fNorm += f[i].LengthSquared;
            }
            vNorm = Math.Sqrt(vNorm);
            fNorm = Math.Sqrt(fNorm);
            if (power > 0)
            {
                for (var i = 0; i < n; i++) v[i] = (1 - alpha) * v[i] + alpha * vNorm / fNorm * f[i];
                if (++positive > 5) { dt = Math.Min(1.1 * dt, 0.5); alpha *= 0.99; }
            }
            else
            {
                Array.Clear(v);
                positive = 0;
                dt *= 0.5;
                alpha = 0.1;
            }
            // Unit masses: the path does not matter, only the minimum.
            for (var i = 0; i < n; i++)
            {
                v[i] += dt * f[i];
                r.Positions[i] += dt * v[i];
            }
        }
        throw new InvalidOperationException($"test FIRE did not reach {forceTolerance} eV/Å in {maxSteps} steps");
    };
}
