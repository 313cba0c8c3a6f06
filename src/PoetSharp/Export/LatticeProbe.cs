using PoetSharp.Models;

namespace PoetSharp.Export;

/// <summary>
/// Perfect fcc, bcc and simple cubic lattices as neighbour shells, for sizing tables: the model's fcc equilibrium
/// nearest-neighbour distance d₀ (energy minimum over 1 Å … cutoff) and the range of a density over the three
/// lattices with nearest-neighbour distances from 0.75·d₀ (about 40 % of the equilibrium volume) to the cutoff.
/// </summary>
public sealed class LatticeProbe
{
    private readonly Model _model;

    public double NearestNeighbour { get; }

    private LatticeProbe(Model model, double nearestNeighbour)
    {
        _model = model;
        NearestNeighbour = nearestNeighbour;
    }

    public static LatticeProbe For(Model model) => For(model, null);

    /// <summary>
    /// The probe of one element of a species-resolved model: its fcc lattice alone (every atom and neighbour of that
    /// element); null <paramref name="element"/> for a model that names no element.
    /// </summary>
    public static LatticeProbe For(Model model, string? element)
    {
        var best = double.NaN;
        var bestEnergy = double.PositiveInfinity;
        var z = element is null ? (byte)0 : (byte)Atoms.Elements.AtomicNumber(element);
        for (var d = 1.0; d < model.Cutoff; d += 0.005)
        {
            var distances = Distances(Fcc, d, model.Cutoff);
            var energy = element is null
                ? model.Expression.EvaluateAtom(distances, model.Taper)
                : model.Expression.EvaluateAtom(distances, Enumerable.Repeat(z, distances.Length).ToArray(), z, model.Taper);
            if (double.IsFinite(energy) && energy < bestEnergy) (best, bestEnergy) = (d, energy);
        }
        // No minimum inside (a purely repulsive or attractive model): size the tables around the taper's start.
        if (double.IsNaN(best) || best >= model.Cutoff - 0.01 || best <= 1.0 + 1e-9) best = model.Taper.Inner;
        return new LatticeProbe(model, best);
    }

    /// <summary>Smallest and largest Σ_j g(r) f(r) over the lattices probed.</summary>
    public (double Low, double High) DensityRange(Func<double, double> summand)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (var lattice in new[] { Fcc, Bcc, SimpleCubic })
            for (var d = 0.75 * NearestNeighbour; d < _model.Cutoff; d += 0.01)
            {
                var rho = 0.0;
                foreach (var r in Distances(lattice, d, _model.Cutoff)) rho += summand(r) * _model.Taper.Evaluate(r).Value;
                if (!double.IsFinite(rho)) continue;
                low = Math.Min(low, rho);
                high = Math.Max(high, rho);
            }
        return (low, high);
    }

    /// <summary>Conventional cubic basis (fractions of the lattice constant) and the nearest-neighbour distance per lattice constant.</summary>
    private sealed record Lattice(double[][] Basis, double NearestPerA);

    private static readonly Lattice Fcc = new([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]], Math.Sqrt(0.5));
    private static readonly Lattice Bcc = new([[0, 0, 0], [0.5, 0.5, 0.5]], Math.Sqrt(3) / 2);
    private static readonly Lattice SimpleCubic = new([[0, 0, 0]], 1.0);

    /// <summary>Distances from a lattice site to all others closer than the cutoff.</summary>
    private static double[] Distances(Lattice lattice, double nearest, double cutoff)
    {
        var a = nearest / lattice.NearestPerA;
        var n = (int)Math.Ceiling(cutoff / a) + 1;
        var list = new List<double>();
        for (var i = -n; i <= n; i++)
            for (var j = -n; j <= n; j++)
                for (var k = -n; k <= n; k++)
                    foreach (var b in lattice.Basis)
                    {
                        double x = (i + b[0]) * a, y = (j + b[1]) * a, z = (k + b[2]) * a;
                        var r = Math.Sqrt(x * x + y * y + z * z);
                        if (r > 1e-9 && r < cutoff) list.Add(r);
                    }
        return list.ToArray();
    }
}
