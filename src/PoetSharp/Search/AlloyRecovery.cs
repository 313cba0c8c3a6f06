using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Search;

/// <summary>
/// Rediscovery of a two-element potential: the Rafii-Tabar–Sutton alloy form of Sutton–Chen for copper–nickel under
/// POET's 3–5 Å taper, which labels data/alloy/CuNi_RTS (made by its script, make_cuni_rts.py):
/// E_i = ½ Σ_j ε_ij (a_ij/r)^9 f − ε_i c_i √(Σ_j (a_j/r)^6 f), ε_ij = √(ε_i ε_j), a_ij = (a_i + a_j)/2
/// (Sutton & Chen, Philos. Mag. Lett. 61, 139 (1990); Rafii-Tabar & Sutton, ibid. 63, 217 (1991)).
/// In the syntax: one term per element, at[A](sum[Cu](P_ACu·r^-9) + sum[Ni](P_ANi·r^-9) − (sum[Cu](Q_ACu·r^-6) + sum[Ni](Q_ANi·r^-6))^0.5).
/// <para>
/// A model is the true one when it gives the same atom energies as the true model on varied two-element environments
/// (fcc-like neighbourhoods of random composition, lattice constant and displacements), up to one constant per
/// central element (the data fix energies only up to each element's reference): RMS difference at most 1e-4 of the
/// energies' spread. That is the function itself, whatever algebra writes it.
/// </para>
/// </summary>
public static class AlloyRecovery
{
    private static readonly Dictionary<string, (double Epsilon, double A, double C)> Parameters = new()
    {
        ["Cu"] = (1.2382e-2, 3.61, 39.432),
        ["Ni"] = (1.5707e-2, 3.52, 39.432),
    };

    public static readonly string[] Elements = ["Cu", "Ni"];

    /// <summary>½ ε_ab a_ab^9: the coefficient of r^-9 in the energy of an a atom for a b neighbour.</summary>
    public static double PairConstant(string a, string b)
    {
        var (ea, aa, _) = Parameters[a];
        var (eb, ab, _) = Parameters[b];
        return 0.5 * Math.Sqrt(ea * eb) * Math.Pow(0.5 * (aa + ab), 9);
    }

    /// <summary>(ε_a c_a)² a_b^6: the embedding of an a atom written as √(Σ_j Q_ab r^-6 f).</summary>
    public static double DensityConstant(string a, string b)
    {
        var (ea, _, ca) = Parameters[a];
        var (_, ab, _) = Parameters[b];
        return Math.Pow(ea * ca, 2) * Math.Pow(ab, 6);
    }

    /// <summary>The true model.</summary>
    public static Expression TrueModel { get; } = Expression.PerElement(Elements.Select(a =>
    {
        Expression Power(string b, double c, double k) => Expression.Sum(Expression.Constant(c) * Expression.Pow(Expression.Distance, k), b);
        var pair = Power("Cu", PairConstant(a, "Cu"), -9) + Power("Ni", PairConstant(a, "Ni"), -9);
        var density = Power("Cu", DensityConstant(a, "Cu"), -6) + Power("Ni", DensityConstant(a, "Ni"), -6);
        return (a, pair - Expression.Pow(density, 0.5));
    }).ToArray());

    public static string TrueForm => ExpressionPrinter.Print(TrueModel);

    /// <summary>Neighbourhoods for the check: (central element, distances, neighbour elements), deterministic.</summary>
    public static IReadOnlyList<(byte Central, double[] Distances, byte[] Elements)> Environments(Taper taper, int count = 80)
    {
        var random = new Random(20261204);
        var sites = new List<Atoms.Vec3>();
        for (var x = -2; x <= 2; x++)
            for (var y = -2; y <= 2; y++)
                for (var z = -2; z <= 2; z++)
                    foreach (var b in new[] { (0.0, 0.0, 0.0), (0.5, 0.5, 0.0), (0.5, 0.0, 0.5), (0.0, 0.5, 0.5) })
                        sites.Add(new Atoms.Vec3(x + b.Item1, y + b.Item2, z + b.Item3));
        var list = new List<(byte, double[], byte[])>();
        byte cu = (byte)Atoms.Elements.AtomicNumber("Cu"), ni = (byte)Atoms.Elements.AtomicNumber("Ni");
        for (var k = 0; k < count; k++)
        {
            var a = 3.4 + 0.3 * random.NextDouble();
            var nickel = random.NextDouble();
            var distances = new List<double>();
            var elements = new List<byte>();
            foreach (var s in sites)
            {
                if (s.Length == 0) continue;
                var p = a * s + 0.12 * new Atoms.Vec3(random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 0.5);
                if (p.Length >= taper.Outer) continue;
                distances.Add(p.Length);
                elements.Add(random.NextDouble() < nickel ? ni : cu);
            }
            list.Add((k % 2 == 0 ? cu : ni, distances.ToArray(), elements.ToArray()));
        }
        return list;
    }

    public static RecoveryVerdict Check(Expression model, Taper taper)
    {
        var environments = Environments(taper);
        var difference = new Dictionary<byte, List<(double True, double Model)>>();
        foreach (var (central, distances, elements) in environments)
        {
            var truth = TrueModel.EvaluateAtom(distances, elements, central, taper);
            var value = model.EvaluateAtom(distances, elements, central, taper);
            if (!double.IsFinite(value)) return new RecoveryVerdict(false, "the model is not finite on a test environment");
            (difference.TryGetValue(central, out var l) ? l : difference[central] = new()).Add((truth, value));
        }
        // One constant per central element (the mean difference), then the RMS residual against the spread of the energies.
        double residual = 0, spread = 0;
        var all = difference.Values.SelectMany(v => v).ToList();
        var mean = all.Average(p => p.True);
        var offsets = new List<string>();
        foreach (var (central, pairs) in difference)
        {
            var offset = pairs.Average(p => p.Model - p.True);
            offsets.Add(FormattableString.Invariant($"{Atoms.Elements.Symbol(central)} {offset:+0.0000;-0.0000} eV"));
            foreach (var (t, m) in pairs) residual += Math.Pow(m - offset - t, 2);
        }
        foreach (var (t, _) in all) spread += (t - mean) * (t - mean);
        var misfit = Math.Sqrt(residual / spread);
        var found = misfit <= 1e-4;
        return new RecoveryVerdict(found, FormattableString.Invariant(
            $"atom energies on {environments.Count} two-element environments differ from the true model's by {misfit:G2} of their spread (after per-element offsets {string.Join(", ", offsets)}); found when ≤ 1e-4"));
    }
}
