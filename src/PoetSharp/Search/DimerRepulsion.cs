using PoetSharp.Atoms;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Search;

/// <summary>
/// Short-range repulsion as part of a constant fit: for every pair of the data's elements, the energies of an isolated
/// dimer at the check's dimer distances (from 0.75 of the nearest-neighbour distance down to
/// <see cref="ShortRangeCheck.MinDistance"/> in steps of <see cref="ShortRangeCheck.Step"/>; for a pair of two elements the
/// check scans from each host's distance, the rows from the smaller of the two, so they cover the shorter scan exactly
/// and the longer one on a grid offset from it), and one hinge residual per step, √λ · max(0, E(r_k) − E(r_k+1) + δ) /
/// σ_E, that is zero when the energy rises by at least δ as the atoms close in. The data say nothing about distances this short, so a least-squares fit (and the exact
/// amplitude solve, which happily makes a pair amplitude negative when the data gain a little by it) is otherwise free to
/// leave a model attractive there; these rows make the fit pay for it. The dimer energies and their derivatives come
/// from the same evaluator as the data's (two-atom structures in a <see cref="PairTable"/>), so every expression the
/// search can build gets them exactly.
/// </summary>
/// <remarks>
/// Only the dimer probe becomes rows: it needs two atoms per distance, where the crystal probe of
/// <see cref="ShortRangeCheck"/> needs a cluster of hundreds. The check itself still decides whether a model passes.
/// </remarks>
public sealed class DimerRepulsion
{
    /// <summary>The rise per step the rows ask for (eV): with the check's 0.05 Å steps, a repulsive force of at least 0.2 eV/Å.</summary>
    public const double Margin = 0.01;

    private readonly PairTable _pairs;
    private readonly (int Closer, int Farther)[] _steps;

    /// <summary>The residual scale: √λ / σ_E.</summary>
    public double Scale { get; }
    /// <summary>Number of hinge rows (steps over all element pairs).</summary>
    public int RowCount => _steps.Length;

    /// <param name="elements">The data's elements (one for single-element data).</param>
    /// <param name="check">The run's short-range check: its hosts' nearest-neighbour distances and minimum distance.</param>
    /// <param name="taper">The model's taper.</param>
    /// <param name="weight">λ, the weight of the rows.</param>
    /// <param name="energyScale">σ_E, the data's energy scale per atom (eV).</param>
    public DimerRepulsion(IReadOnlyList<string> elements, ShortRangeCheck check, Taper taper, double weight, double energyScale)
    {
        ArgumentNullException.ThrowIfNull(elements);
        ArgumentNullException.ThrowIfNull(check);
        if (elements.Count == 0) throw new ArgumentException("no elements");
        if (!(weight > 0) || !double.IsFinite(weight)) throw new ArgumentException($"the repulsion weight must be positive, got {weight}");
        if (!(energyScale > 0) || !double.IsFinite(energyScale)) throw new ArgumentException($"the energy scale must be positive, got {energyScale}");
        Scale = Math.Sqrt(weight) / energyScale;
        var structures = new List<Structure>();
        var steps = new List<(int, int)>();
        for (var a = 0; a < elements.Count; a++)
            for (var b = a; b < elements.Count; b++)
            {
                var start = check.DimerStart * Math.Min(check.HostOf(elements[a]).NearestNeighbour, check.HostOf(elements[b]).NearestNeighbour);
                var first = structures.Count;
                for (var r = start; r >= check.MinDistance - 1e-12; r -= check.Step)
                {
                    // Far from any image: the cell is not periodic, and the box only gives the atoms somewhere to be.
                    var cell = new Cell(new Vec3(20, 0, 0), new Vec3(0, 20, 0), new Vec3(0, 0, 20), false, false, false);
                    structures.Add(new Structure(cell, [new Vec3(10 - r / 2, 10, 10), new Vec3(10 + r / 2, 10, 10)], [elements[a], elements[b]], $"dimer {elements[a]}-{elements[b]} {r:F2}"));
                    if (structures.Count - 1 > first) steps.Add((structures.Count - 1, structures.Count - 2));
                }
            }
        _pairs = new PairTable(structures, taper);
        _steps = steps.ToArray();
    }

    /// <summary>The hinge residuals of a model (constants given) without a Jacobian: zero where it is repulsive enough.</summary>
    public double[] Residuals(Expression model)
    {
        var evaluator = new ModelEvaluator(new CompiledModel(model, _pairs.Taper), _pairs) { MaxDegreeOfParallelism = 1 };
        var rows = new double[RowCount];
        if (evaluator.Evaluate(model.Constants) > 0) { Array.Fill(rows, double.NaN); return rows; }
        for (var k = 0; k < rows.Length; k++) rows[k] = Hinge(evaluator.Energies, k);
        return rows;
    }

    private double Hinge(double[] energies, int k)
    {
        var (closer, farther) = _steps[k];
        return Scale * Math.Max(0, energies[farther] - energies[closer] + Margin);
    }

    /// <summary><paramref name="inner"/> (a fit of <paramref name="model"/>'s constants) with the hinge rows appended.</summary>
    public ILeastSquaresProblem Append(ILeastSquaresProblem inner, CompiledModel model) => new Problem(this, inner, model);

    private sealed class Problem(DimerRepulsion rows, ILeastSquaresProblem inner, CompiledModel model) : ILeastSquaresProblem
    {
        private readonly ModelEvaluator _evaluator = new(model, rows._pairs) { MaxDegreeOfParallelism = 1 };

        public int ParameterCount => inner.ParameterCount;
        public int ResidualCount => inner.ResidualCount + rows.RowCount;
        public bool HasJacobian => inner.HasJacobian;

        public bool Evaluate(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian)
        {
            var n = inner.ResidualCount;
            var K = ParameterCount;
            var withJacobian = !jacobian.IsEmpty;
            if (!inner.Evaluate(parameters, residuals[..n], withJacobian ? jacobian[..(n * K)] : default)) return false;
            if (_evaluator.Evaluate(parameters, withJacobian) > 0) return false;
            var energies = _evaluator.Energies;
            for (var k = 0; k < rows.RowCount; k++)
            {
                var value = rows.Hinge(energies, k);
                if (!double.IsFinite(value)) return false;
                residuals[n + k] = value;
                if (!withJacobian) continue;
                var target = jacobian.Slice((n + k) * K, K);
                if (value == 0) { target.Clear(); continue; }
                var (closer, farther) = rows._steps[k];
                var gFar = _evaluator.EnergyJacobian.AsSpan(farther * K, K);
                var gClose = _evaluator.EnergyJacobian.AsSpan(closer * K, K);
                for (var p = 0; p < K; p++) target[p] = rows.Scale * (gFar[p] - gClose[p]);
            }
            return true;
        }
    }
}
