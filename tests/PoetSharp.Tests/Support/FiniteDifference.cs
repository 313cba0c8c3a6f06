using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Tests.Support;

/// <summary>Central finite-difference checks of forces (−∂E/∂r) and stress ((1/V) ∂E/∂F_ab) for any potential.</summary>
public static class FiniteDifference
{
    /// <summary>Asserts every force component equals −∂E/∂r by central differences (step h, Å), within atol + rtol·|F|.</summary>
    public static void AssertForces(IPotential potential, Structure structure, double h = 1e-5, double atol = 1e-6, double rtol = 1e-6, int maxAtoms = int.MaxValue)
    {
        var analytic = potential.Compute(structure);
        var forces = analytic.Forces.ToArray();
        for (var i = 0; i < Math.Min(structure.Count, maxAtoms); i++)
        {
            for (var k = 0; k < 3; k++)
            {
                var plus = Displaced(structure, i, k, +h);
                var minus = Displaced(structure, i, k, -h);
                var numeric = -(potential.Energy(plus) - potential.Energy(minus)) / (2 * h);
                var f = forces[i][k];
                Assert.True(Math.Abs(numeric - f) <= atol + rtol * Math.Abs(f),
                    $"{potential.Name}: force on atom {i} component {k}: analytic {f:G12}, finite difference {numeric:G12}");
            }
        }
    }

    /// <summary>Asserts each stress component equals (1/V) ∂E/∂F_ab (F the deformation gradient) by central differences.</summary>
    public static void AssertStress(IPotential potential, Structure structure, double h = 1e-6, double atol = 1e-7, double rtol = 1e-6)
    {
        var analytic = potential.Compute(structure).Stress;
        var volume = structure.Cell.Volume;
        for (var a = 0; a < 3; a++)
        {
            for (var b = 0; b < 3; b++)
            {
                var numeric = (potential.Energy(Deformed(structure, a, b, +h)) - potential.Energy(Deformed(structure, a, b, -h))) / (2 * h * volume);
                var s = analytic.Component(a, b);
                Assert.True(Math.Abs(numeric - s) <= atol + rtol * Math.Abs(s),
                    $"{potential.Name}: stress component ({a},{b}): analytic {s:G12}, finite difference {numeric:G12} eV/Å³");
            }
        }
    }

    /// <summary>Asserts the per-atom energies sum to the total energy.</summary>
    public static void AssertAtomEnergiesSum(IPotential potential, Structure structure, double tol = 1e-9)
    {
        var r = potential.Compute(structure);
        var sum = 0.0;
        foreach (var e in r.AtomEnergies) sum += e;
        Assert.True(Math.Abs(sum - r.Energy) <= tol * Math.Max(1, Math.Abs(r.Energy)), $"per-atom energies sum to {sum}, total is {r.Energy}");
    }

    public static Structure Displaced(Structure s, int atom, int component, double h)
    {
        var c = s.Clone();
        var p = c.Positions[atom];
        c.Positions[atom] = component switch { 0 => p with { X = p.X + h }, 1 => p with { Y = p.Y + h }, _ => p with { Z = p.Z + h } };
        return c;
    }

    /// <summary>Applies the deformation gradient I + h·e_a e_bᵀ to cell rows and positions (row vectors: r' = r·F).</summary>
    public static Structure Deformed(Structure s, int a, int b, double h)
    {
        Span<double> f = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        f[3 * a + b] += h;
        var c = s.Clone();
        c.Cell = s.Cell.Transform(f);
        for (var i = 0; i < c.Count; i++)
        {
            var r = c.Positions[i];
            c.Positions[i] = new Vec3(r.X * f[0] + r.Y * f[3] + r.Z * f[6], r.X * f[1] + r.Y * f[4] + r.Z * f[7], r.X * f[2] + r.Y * f[5] + r.Z * f[8]);
        }
        return c;
    }

    /// <summary>
    /// Fourth-order central differences D(h) and D(2h), Richardson-extrapolated: D(h) + (D(h) − D(2h))/15, and
    /// |D(h) − D(2h)|/15, the size of D(h)'s own h⁴ error (stiff random trees need the estimate, not a fixed tolerance).
    /// NaN where any energy of the stencil is not finite.
    /// </summary>
    public static (double Value, double Truncation) RichardsonDerivative(Func<double, double> energy, double h)
    {
        double p1 = energy(h), m1 = energy(-h), p2 = energy(2 * h), m2 = energy(-2 * h), p4 = energy(4 * h), m4 = energy(-4 * h);
        var d1 = (8 * (p1 - m1) - (p2 - m2)) / (12 * h);
        var d2 = (8 * (p2 - m2) - (p4 - m4)) / (24 * h);
        return (d1 + (d1 - d2) / 15, Math.Abs(d1 - d2) / 15);
    }
}
