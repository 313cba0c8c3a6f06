using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Search;

/// <summary>
/// What the rediscovery checks (<see cref="SuttonChenRecovery"/>, <see cref="LennardJonesRecovery"/>) share: reading a
/// model's form (powers of r, additive terms) and fitting its atom energies over fixed test environments.
/// </summary>
public static class RecoveryChecks
{
    /// <summary>Σ_j r_j^k f_j.</summary>
    internal static double Weighted(double[] r, double[] f, double k)
    {
        var sum = 0.0;
        for (var j = 0; j < r.Length; j++) sum += Math.Pow(r[j], k) * f[j];
        return sum;
    }

    /// <summary>
    /// The model's atom energies over the environments fitted (least squares) by a linear combination of the given
    /// features of the distances and tapers, plus a constant; returns the coefficients (the constant last) and the RMS
    /// misfit relative to the spread of the energies, or null where the model is not finite.
    /// </summary>
    internal static (double[] Coefficients, double Misfit)? FitAtomEnergies(Expression model, Taper taper, IReadOnlyList<double[]> environments,
        Func<double[], double[], double[]> features)
    {
        var n = environments.Count;
        var rows = new double[n][];
        var y = new double[n];
        for (var k = 0; k < n; k++)
        {
            var tapers = environments[k].Select(r => taper.Evaluate(r).Value).ToArray();
            rows[k] = [.. features(environments[k], tapers), 1];
            y[k] = model.EvaluateAtom(environments[k], taper);
            if (!double.IsFinite(y[k])) return null;
        }
        var c = LeastSquares(rows, y);
        double residual = 0, mean = y.Average(), spread = 0;
        for (var k = 0; k < n; k++)
        {
            var fit = 0.0;
            for (var q = 0; q < c.Length; q++) fit += rows[k][q] * c[q];
            residual += (y[k] - fit) * (y[k] - fit);
            spread += (y[k] - mean) * (y[k] - mean);
        }
        return (c, Math.Sqrt(residual / Math.Max(spread, 1e-300)));
    }

    // The exponent k if the pair expression rooted at node i is c·r^k on 1.8–5 Å, else null.
    internal static double? LocalExponent(Expression e, int i, double from = 1.8, double to = 5.0)
    {
        var slopes = new List<double>();
        var step = (to - from) / 16;
        for (var r = from; r < to - 1e-9; r += step)
        {
            double g0 = e.EvaluatePair(i, r), g1 = e.EvaluatePair(i, r + step);
            if (!(g0 * g1 > 0) || !double.IsFinite(g0) || !double.IsFinite(g1)) return null;
            slopes.Add(Math.Log(g1 / g0) / Math.Log((r + step) / r));
        }
        var mean = slopes.Average();
        return mean != 0 && slopes.All(k => Math.Abs(k / mean - 1) <= 1e-3) ? mean : null;
    }

    /// <summary>Constant exponents of powers whose base is r (inside sums) and of powers outside sums.</summary>
    public static (List<double> Pair, List<double> Atom) PowerExponents(Expression e)
    {
        var shape = new TreeShape(e);
        List<double> pair = new(), atom = new();
        for (var i = 0; i < e.Length; i++)
        {
            if (e.Nodes[i].Kind != NodeKind.Pow || shape.Levels[i - 1] != Level.Constant) continue;
            var exponent = e.EvaluatePair(i - 1, 0);
            if (shape.InsideSum[i]) { if (e.Nodes[e.LeftChild(i)].Kind == NodeKind.Distance) pair.Add(exponent); }
            else atom.Add(exponent);
        }
        return (pair, atom);
    }

    /// <summary>
    /// Test environments of an atom: 280 random neighbour sets (1 to <paramref name="maxNeighbours"/> distances between
    /// <paramref name="closest"/> and the cutoff) and 20 fcc crystals with lattice constants spread over the given range
    /// (the shells within the cutoff: 12 at a/√2, 6 at a, 24 at a√1.5, 12 at a√2, 24 at a√2.5). Always the same ones.
    /// </summary>
    internal static List<double[]> Environments(double closest, double cutoff, int maxNeighbours, double latticeFrom, double latticeTo)
    {
        var random = new SearchRandom(2019);
        var list = new List<double[]>();
        for (var k = 0; k < 280; k++)
        {
            var count = 1 + random.Next(maxNeighbours);
            list.Add(Enumerable.Range(0, count).Select(_ => closest + (cutoff - closest) * random.NextDouble()).ToArray());
        }
        for (var k = 0; k < 20; k++)
        {
            var a = latticeFrom + (latticeTo - latticeFrom) * k / 19;
            var shells = new (double R, int N)[] { (a / Math.Sqrt(2), 12), (a, 6), (a * Math.Sqrt(1.5), 24), (a * Math.Sqrt(2), 12), (a * Math.Sqrt(2.5), 24) };
            list.Add(shells.Where(s => s.R < cutoff).SelectMany(s => Enumerable.Repeat(s.R, s.N)).ToArray());
        }
        return list;
    }

    // QR least squares (the columns differ by orders of magnitude; normal equations would square the conditioning).
    internal static double[] LeastSquares(double[][] rows, double[] y) =>
        MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowArrays(rows)
            .QR().Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(y)).ToArray();

    // Roots of the terms that + and − combine at node i (i itself when it is neither).
    internal static IEnumerable<int> AdditiveTerms(Expression e, int i)
    {
        if (e.Nodes[i].Kind is not (NodeKind.Add or NodeKind.Sub)) return [i];
        return AdditiveTerms(e, e.LeftChild(i)).Concat(AdditiveTerms(e, i - 1));
    }
}
