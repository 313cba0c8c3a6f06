using MathNet.Numerics.LinearAlgebra;
using PoetSharp.Atoms;

namespace PoetSharp.Evaluation;

/// <summary>
/// One reference energy per element (eV/atom), μ_A, fitted so that a model's energies compare with DFT's up to the
/// arbitrary zero of each element's energy: e_pred,s + Σ_A x_{s,A} μ_A ≈ e_ref,s, with e energies per atom and x_{s,A}
/// the fraction of element A in structure s, by weighted least squares, min Σ_s w_s (e_ref,s − e_pred,s − x_s·μ)².
/// For one element this is the single constant shift (the weighted mean of the differences). When the compositions
/// do not determine every μ_A (all structures of one stoichiometry, say), the minimum-norm solution is taken: the
/// fitted energies, and so every error, are the same for any solution.
/// </summary>
public sealed class ElementEnergies
{
    private readonly Dictionary<string, double> _energy;

    private ElementEnergies(IReadOnlyList<string> elements, double[] energies)
    {
        Elements = elements;
        _energy = elements.Select((e, k) => (e, energies[k])).ToDictionary(p => p.e, p => p.Item2);
    }

    /// <summary>The elements, in order of atomic number.</summary>
    public IReadOnlyList<string> Elements { get; }

    /// <summary>μ_A (eV/atom) of an element; 0 for an element not seen in the fit.</summary>
    public double this[string element] => _energy.GetValueOrDefault(element);

    /// <summary>The energy per atom added to a prediction for this structure: Σ_A x_A μ_A (eV/atom).</summary>
    public double ShiftOf(Structure s)
    {
        if (_energy.Count == 1) return _energy.Values.First();
        var sum = 0.0;
        foreach (var species in s.Species) sum += this[species];
        return sum / s.Count;
    }

    /// <summary>No shift at all (no structure with an energy).</summary>
    public static ElementEnergies None { get; } = new([], []);

    /// <summary>The elements of a set of structures, in order of atomic number.</summary>
    public static string[] ElementsOf(IEnumerable<Structure> structures) =>
        structures.SelectMany(s => s.Species).Distinct().OrderBy(Atoms.Elements.AtomicNumber).ToArray();

    /// <summary>Fits μ to per-atom differences d_s = e_ref,s − e_pred,s with weights w_s (all zero: equal weights).</summary>
    public static ElementEnergies Fit(IReadOnlyList<Structure> structures, IReadOnlyList<double> differences, IReadOnlyList<double> weights)
    {
        if (structures.Count == 0) return None;
        var elements = ElementsOf(structures);
        var q = Projector(structures, elements, weights);
        var mu = new double[elements.Length];
        for (var a = 0; a < elements.Length; a++)
            for (var s = 0; s < structures.Count; s++) mu[a] += q[a, s] * differences[s];
        return new ElementEnergies(elements, mu);
    }

    /// <summary>x_{s,A}: the fraction of each element (columns, in the order given) in each structure (rows).</summary>
    public static double[,] Fractions(IReadOnlyList<Structure> structures, IReadOnlyList<string> elements)
    {
        var x = new double[structures.Count, elements.Count];
        var index = elements.Select((e, k) => (e, k)).ToDictionary(p => p.e, p => p.k);
        for (var s = 0; s < structures.Count; s++)
        {
            foreach (var species in structures[s].Species) x[s, index[species]] += 1;
            for (var a = 0; a < elements.Count; a++) x[s, a] /= structures[s].Count;
        }
        return x;
    }

    /// <summary>
    /// Q = M⁺ Xᵀ W (elements × structures), M = Xᵀ W X, with W the weights normalised to sum 1 (equal when all are zero):
    /// μ = Q d. The pseudo-inverse (by SVD, singular values below 1e-12 of the largest dropped) gives the minimum-norm μ.
    /// </summary>
    public static double[,] Projector(IReadOnlyList<Structure> structures, IReadOnlyList<string> elements, IReadOnlyList<double> weights)
    {
        int n = structures.Count, e = elements.Count;
        var w = NormalisedWeights(weights, n);
        var x = Fractions(structures, elements);
        var m = Matrix<double>.Build.Dense(e, e);
        for (var s = 0; s < n; s++)
            for (var a = 0; a < e; a++)
                for (var b = 0; b < e; b++) m[a, b] += w[s] * x[s, a] * x[s, b];
        var svd = m.Svd(computeVectors: true);
        var largest = svd.S.Count > 0 ? svd.S[0] : 0;
        var inverse = Matrix<double>.Build.Dense(e, e);
        for (var k = 0; k < svd.S.Count; k++)
        {
            if (!(svd.S[k] > 1e-12 * largest)) continue;
            var u = svd.U.Column(k);
            var v = svd.VT.Row(k);
            inverse += u.OuterProduct(v) / svd.S[k];
        }
        var q = new double[e, n];
        for (var a = 0; a < e; a++)
            for (var s = 0; s < n; s++)
            {
                var sum = 0.0;
                for (var b = 0; b < e; b++) sum += inverse[a, b] * x[s, b];
                q[a, s] = sum * w[s];
            }
        return q;
    }

    /// <summary>Weights normalised to sum 1; equal weights when they sum to zero. Throws for a negative or non-finite weight.</summary>
    public static double[] NormalisedWeights(IReadOnlyList<double> weights, int n)
    {
        var sum = 0.0;
        for (var s = 0; s < n; s++)
        {
            var weight = weights[s];
            if (!(weight >= 0) || !double.IsFinite(weight))
                throw new ArgumentException($"structure weights must be finite and non-negative (got {weight})");
            sum += weight;
        }
        var w = new double[n];
        for (var s = 0; s < n; s++) w[s] = sum > 0 ? weights[s] / sum : 1.0 / n;
        return w;
    }

    public override string ToString() =>
        string.Join(", ", Elements.Select(e => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{e} {this[e]:+0.000000;-0.000000} eV")));
}
