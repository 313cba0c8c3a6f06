using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Fitting;

/// <summary>
/// How much each quantity counts in <see cref="FittingObjective"/>. After standardisation the quantities are on one
/// scale, so equal weights (the default) treat energies, forces and stresses alike. A zero weight removes that
/// quantity's residuals (and its Jacobian work) altogether.
/// </summary>
public sealed record ObjectiveWeights(double Energy = 1, double Forces = 1, double Stress = 1)
{
    public static ObjectiveWeights Default { get; } = new();

    internal void Validate()
    {
        foreach (var (w, what) in new[] { (Energy, "energy"), (Forces, "force"), (Stress, "stress") })
            if (!(w >= 0) || !double.IsFinite(w))
                throw new ArgumentException($"the {what} weight must be finite and non-negative (got {w})");
    }
}

/// <summary>
/// The standard deviations that make the residuals dimensionless: σ_E of reference energies per atom (eV/atom), σ_F of
/// reference force components (eV/Å), σ_S of reference stress components (eV/Å³), all population standard deviations
/// over the structures carrying that label. A deviation that is zero or undefined (fewer than two distinct values) is
/// replaced by 1, so that the residual stays in physical units rather than dividing by zero.
/// </summary>
public sealed record QuantityScales(double Energy, double Forces, double Stress)
{
    /// <summary>The scales of a data set's labels.</summary>
    public static QuantityScales Of(IReadOnlyList<Structure> structures)
    {
        var energies = structures.Where(s => s.Energy.HasValue).Select(s => s.EnergyPerAtom!.Value);
        var forces = structures.Where(s => s.Forces != null)
            .SelectMany(s => s.Forces!.SelectMany(f => new[] { f.X, f.Y, f.Z }));
        var stresses = structures.Where(HasComparableStress).SelectMany(s => s.Stress!.Value.ToVoigt());
        return new QuantityScales(Deviation(energies), Deviation(forces), Deviation(stresses));
    }

    /// <summary>Stress is compared only for cells periodic in all directions (elsewhere the virial stress is not defined).</summary>
    internal static bool HasComparableStress(Structure s) => s.Stress.HasValue && s.Cell.FullyPeriodic;

    private static double Deviation(IEnumerable<double> values) =>
        ValueRange.Of(values) is { StdDev: var sd } && sd > 0 && double.IsFinite(sd) ? sd : 1.0;
}

/// <summary>
/// POET's fitness as a least-squares problem over a model's constants: the standardised errors of energies per atom,
/// force components and stress components on a training set.
/// <para>
/// Residuals, in this order (each block present only if its weight is positive and some structure carries the label):
/// <list type="bullet">
/// <item>one per structure with an energy: √(w_E w_s / N_E) · (e_pred,s + c − e_ref,s) / σ_E, with e the energy per atom
/// and c the constant reference energy per atom that fits best, solved exactly (not searched): c = Σ_s w_s (e_ref,s −
/// e_pred,s) / Σ_s w_s, the plain mean when every structure weight is zero (as <see cref="PotentialErrors.BestEnergyShift"/>).
/// The residuals are thus the weighted-centred differences, and their Jacobian carries the shift's dependence on the
/// constants: ∂r_s/∂c_k ∝ ∂e_s/∂c_k − Σ_t w_t ∂e_t/∂c_k / Σ_t w_t. With several elements, one reference energy per
/// element instead (<see cref="ElementEnergies"/>), solved exactly the same way: the residuals are d − X Q d with X the
/// structures' element fractions and Q the weighted least-squares projector, and the Jacobian rows carry − X Q ∂d/∂c;</item>
/// <item>three per atom of each structure with forces: √(w_F w_s / N_F) · (F_pred − F_ref) / σ_F;</item>
/// <item>six (Voigt) per structure with a stress and a fully periodic cell: √(w_S w_s / N_S) · (σ_pred − σ_ref) / σ_S.</item>
/// </list>
/// N_X counts the compared values of quantity X (structures, force components, stress components), w_s is
/// <see cref="Structure.Weight"/>. So with unit structure weights, Σ r² = Σ_X w_X · MSE_X / σ_X²: each quantity contributes
/// its mean squared standardised error times its weight, however many values it has; a structure weight w_s multiplies
/// that structure's squared residuals by w_s (its residuals by √w_s).
/// </para>
/// The Jacobian needs only the evaluator outputs that the present blocks use. After construction an evaluation
/// allocates nothing of its own (the evaluator allocates nothing either when run on one thread).
/// </summary>
public sealed class FittingObjective : ILeastSquaresProblem
{
    // Energy block: structure index, atoms, reference energy per atom, residual scale, weight share in the shift.
    private readonly int[] _energyStructures;
    private readonly double[] _energyAtoms, _energyReference, _energyScale, _shiftWeight;
    // Force block: structures with forces; their residual scale; flattened reference components in residual order.
    private readonly int[] _forceStructures;
    private readonly double[] _forceScale, _forceReference;
    private readonly int[] _stressStructures;
    private readonly double[] _stressScale, _stressReference;
    private readonly double[] _meanEnergyGradient;
    // Several elements: fractions X (structures × elements), projector Q (elements × structures), μ' = Q d and Q ∂d/∂c.
    private readonly double[,]? _fractions, _projector;
    private readonly double[] _elementShift = [], _elementGradient = [];
    private readonly EvaluationOutputs _jacobianOutputs;

    public ModelEvaluator Evaluator { get; }
    public ObjectiveWeights Weights { get; }
    public QuantityScales Scales { get; }

    public int ParameterCount => Evaluator.Model.ConstantCount;
    public int ResidualCount { get; }

    /// <summary>Residual rows of each block: energies [0, EnergyResidualCount), then forces, then stresses.</summary>
    public int EnergyResidualCount => _energyStructures.Length;
    public int ForceResidualCount => _forceReference.Length;
    public int StressResidualCount => _stressReference.Length;

    /// <summary>
    /// The best constant energy per atom c of the last evaluation (eV/atom; see the class summary); with several
    /// elements, the average over the structures of the per-element shift.
    /// </summary>
    public double EnergyShift { get; private set; }

    /// <summary>Builds the pair table of the training set and compiles the expression.</summary>
    public FittingObjective(Expression expression, Taper taper, IReadOnlyList<Structure> training,
        ObjectiveWeights? weights = null, QuantityScales? scales = null)
        : this(new ModelEvaluator(new CompiledModel(expression, taper), new PairTable(training, taper)), weights, scales) { }

    /// <summary>
    /// An objective over an evaluator (whose pair table may be shared by many models). <paramref name="scales"/> default
    /// to those of the evaluator's structures; pass the training set's scales to compare a validation set on the same scale.
    /// </summary>
    public FittingObjective(ModelEvaluator evaluator, ObjectiveWeights? weights = null, QuantityScales? scales = null)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        Evaluator = evaluator;
        Weights = weights ?? ObjectiveWeights.Default;
        Weights.Validate();
        var structures = evaluator.Pairs.Structures;
        Scales = scales ?? QuantityScales.Of(structures);
        CheckLabels(structures);

        var energy = Weights.Energy > 0 ? Enumerable.Range(0, structures.Count).Where(s => structures[s].Energy.HasValue).ToArray() : [];
        var forces = Weights.Forces > 0 ? Enumerable.Range(0, structures.Count).Where(s => structures[s].Forces != null).ToArray() : [];
        var stress = Weights.Stress > 0 ? Enumerable.Range(0, structures.Count).Where(s => QuantityScales.HasComparableStress(structures[s])).ToArray() : [];

        _energyStructures = energy;
        _energyAtoms = energy.Select(s => (double)structures[s].Count).ToArray();
        _energyReference = energy.Select(s => structures[s].EnergyPerAtom!.Value).ToArray();
        _energyScale = energy.Select(s => Math.Sqrt(Weights.Energy * structures[s].Weight / energy.Length) / Scales.Energy).ToArray();
        var weightSum = energy.Sum(s => structures[s].Weight);
        _shiftWeight = energy.Select(s => weightSum > 0 ? structures[s].Weight / weightSum : 1.0 / energy.Length).ToArray();
        var energyStructures = energy.Select(s => structures[s]).ToArray();
        var elements = ElementEnergies.ElementsOf(energyStructures);
        if (elements.Length > 1)
        {
            _fractions = ElementEnergies.Fractions(energyStructures, elements);
            _projector = ElementEnergies.Projector(energyStructures, elements, energyStructures.Select(x => x.Weight).ToArray());
            _elementShift = new double[elements.Length];
            _elementGradient = new double[elements.Length * evaluator.Model.ConstantCount];
        }

        var forceCount = 3 * forces.Sum(s => structures[s].Count);
        _forceStructures = forces;
        _forceScale = forces.Select(s => Math.Sqrt(Weights.Forces * structures[s].Weight / forceCount) / Scales.Forces).ToArray();
        _forceReference = forces.SelectMany(s => structures[s].Forces!.SelectMany(f => new[] { f.X, f.Y, f.Z })).ToArray();

        _stressStructures = stress;
        _stressScale = stress.Select(s => Math.Sqrt(Weights.Stress * structures[s].Weight / (6.0 * stress.Length)) / Scales.Stress).ToArray();
        _stressReference = stress.SelectMany(s => structures[s].Stress!.Value.ToVoigt()).ToArray();

        ResidualCount = _energyStructures.Length + _forceReference.Length + _stressReference.Length;
        _meanEnergyGradient = new double[ParameterCount];
        _jacobianOutputs = (energy.Length > 0 ? EvaluationOutputs.EnergyJacobian : EvaluationOutputs.Basic)
            | (forces.Length + stress.Length > 0 ? EvaluationOutputs.ForceAndStressJacobian : EvaluationOutputs.Basic);
    }

    public bool Evaluate(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian)
    {
        var K = ParameterCount;
        if (parameters.Length != K) throw new ArgumentException($"expected {K} parameters, got {parameters.Length}");
        if (residuals.Length != ResidualCount) throw new ArgumentException($"expected {ResidualCount} residuals, got a span of {residuals.Length}");
        var withJacobian = !jacobian.IsEmpty;
        if (withJacobian && jacobian.Length != ResidualCount * K)
            throw new ArgumentException($"expected a Jacobian of {ResidualCount}×{K}, got a span of {jacobian.Length}");

        var evaluator = Evaluator;
        if (evaluator.Evaluate(parameters, withJacobian ? _jacobianOutputs : EvaluationOutputs.Basic) > 0) return false;

        var row = 0;
        EnergyBlock(residuals, jacobian, withJacobian, K, ref row);
        ForceBlock(residuals, jacobian, withJacobian, K, ref row);
        StressBlock(residuals, jacobian, withJacobian, K, ref row);

        foreach (var r in residuals) if (!double.IsFinite(r)) return false;
        if (withJacobian) foreach (var j in jacobian) if (!double.IsFinite(j)) return false;
        return true;
    }

    private void EnergyBlock(Span<double> residuals, Span<double> jacobian, bool withJacobian, int K, ref int row)
    {
        var n = _energyStructures.Length;
        if (n == 0) return;
        if (_projector is not null)
        {
            ElementEnergyBlock(residuals, jacobian, withJacobian, K, row);
            row += n;
            return;
        }
        var energies = Evaluator.Energies;
        // d_s = e_pred − e_ref; the shift makes the residuals d_s − Σ_t v_t d_t.
        var mean = 0.0;
        for (var i = 0; i < n; i++)
        {
            var d = energies[_energyStructures[i]] / _energyAtoms[i] - _energyReference[i];
            residuals[row + i] = d;
            mean += _shiftWeight[i] * d;
        }
        EnergyShift = -mean;
        for (var i = 0; i < n; i++) residuals[row + i] = _energyScale[i] * (residuals[row + i] - mean);

        if (withJacobian)
        {
            var gradients = Evaluator.EnergyJacobian;
            var meanGradient = _meanEnergyGradient.AsSpan();
            meanGradient.Clear();
            for (var i = 0; i < n; i++)
            {
                var g = gradients.AsSpan(_energyStructures[i] * K, K);
                var v = _shiftWeight[i] / _energyAtoms[i];
                for (var k = 0; k < K; k++) meanGradient[k] += v * g[k];
            }
            for (var i = 0; i < n; i++)
            {
                var g = gradients.AsSpan(_energyStructures[i] * K, K);
                var target = jacobian.Slice((row + i) * K, K);
                double perAtom = 1.0 / _energyAtoms[i], scale = _energyScale[i];
                for (var k = 0; k < K; k++) target[k] = scale * (perAtom * g[k] - meanGradient[k]);
            }
        }
        row += n;
    }

    /// <summary>The energy block with one reference energy per element: residuals d − X Q d, Jacobian rows ∂d/∂c − X Q ∂d/∂c.</summary>
    private void ElementEnergyBlock(Span<double> residuals, Span<double> jacobian, bool withJacobian, int K, int row)
    {
        var n = _energyStructures.Length;
        var energies = Evaluator.Energies;
        var (x, q) = (_fractions!, _projector!);
        var e = _elementShift.Length;
        for (var i = 0; i < n; i++) residuals[row + i] = energies[_energyStructures[i]] / _energyAtoms[i] - _energyReference[i];
        for (var a = 0; a < e; a++)
        {
            var mu = 0.0;
            for (var i = 0; i < n; i++) mu += q[a, i] * residuals[row + i];
            _elementShift[a] = mu;
        }
        var shiftSum = 0.0;
        for (var i = 0; i < n; i++)
        {
            var fitted = 0.0;
            for (var a = 0; a < e; a++) fitted += x[i, a] * _elementShift[a];
            shiftSum -= fitted;
            residuals[row + i] = _energyScale[i] * (residuals[row + i] - fitted);
        }
        EnergyShift = shiftSum / n;
        if (!withJacobian) return;
        var gradients = Evaluator.EnergyJacobian;
        var g = _elementGradient.AsSpan();
        g.Clear();
        for (var i = 0; i < n; i++)
        {
            var gi = gradients.AsSpan(_energyStructures[i] * K, K);
            for (var a = 0; a < e; a++)
            {
                var v = q[a, i] / _energyAtoms[i];
                if (v == 0) continue;
                for (var k = 0; k < K; k++) g[a * K + k] += v * gi[k];
            }
        }
        for (var i = 0; i < n; i++)
        {
            var gi = gradients.AsSpan(_energyStructures[i] * K, K);
            var target = jacobian.Slice((row + i) * K, K);
            double perAtom = 1.0 / _energyAtoms[i], scale = _energyScale[i];
            for (var k = 0; k < K; k++)
            {
                var fitted = 0.0;
                for (var a = 0; a < e; a++) fitted += x[i, a] * g[a * K + k];
                target[k] = scale * (perAtom * gi[k] - fitted);
            }
        }
    }

    private void ForceBlock(Span<double> residuals, Span<double> jacobian, bool withJacobian, int K, ref int row)
    {
        var offsets = Evaluator.Pairs.AtomOffsets;
        var forces = Evaluator.Forces;
        var reference = 0;
        for (var i = 0; i < _forceStructures.Length; i++)
        {
            var s = _forceStructures[i];
            int a0 = offsets[s], atoms = offsets[s + 1] - a0;
            var scale = _forceScale[i];
            for (var a = 0; a < atoms; a++)
            {
                var f = forces[a0 + a];
                residuals[row + 3 * a] = scale * (f.X - _forceReference[reference + 3 * a]);
                residuals[row + 3 * a + 1] = scale * (f.Y - _forceReference[reference + 3 * a + 1]);
                residuals[row + 3 * a + 2] = scale * (f.Z - _forceReference[reference + 3 * a + 2]);
            }
            if (withJacobian)
            {
                // The evaluator's rows (3·atom + a) of a structure are contiguous and in residual order.
                var source = Evaluator.ForceJacobian.AsSpan(3 * a0 * K, 3 * atoms * K);
                var target = jacobian.Slice(row * K, 3 * atoms * K);
                for (var x = 0; x < source.Length; x++) target[x] = scale * source[x];
            }
            row += 3 * atoms;
            reference += 3 * atoms;
        }
    }

    private void StressBlock(Span<double> residuals, Span<double> jacobian, bool withJacobian, int K, ref int row)
    {
        var stresses = Evaluator.Stresses;
        for (var i = 0; i < _stressStructures.Length; i++)
        {
            var s = _stressStructures[i];
            var scale = _stressScale[i];
            var predicted = stresses[s];
            for (var v = 0; v < 6; v++) residuals[row + v] = scale * (predicted[v] - _stressReference[6 * i + v]);
            if (withJacobian)
            {
                var source = Evaluator.StressJacobian.AsSpan(6 * s * K, 6 * K);
                var target = jacobian.Slice(row * K, 6 * K);
                for (var x = 0; x < source.Length; x++) target[x] = scale * source[x];
            }
            row += 6;
        }
    }

    /// <summary>½ Σ r² at the given constants (∞ when the model is invalid there).</summary>
    public double Cost(ReadOnlySpan<double> parameters) => LeastSquares.Cost(this, parameters);

    private static void CheckLabels(IReadOnlyList<Structure> structures)
    {
        for (var s = 0; s < structures.Count; s++)
        {
            var x = structures[s];
            var name = x.Name.Length > 0 ? $"'{x.Name}'" : $"#{s + 1}";
            if (!(x.Weight >= 0) || !double.IsFinite(x.Weight))
                throw new ArgumentException($"structure {name}: the weight must be finite and non-negative (got {x.Weight})");
            if (x.Energy is double e && !double.IsFinite(e))
                throw new ArgumentException($"structure {name}: the reference energy is not finite");
            if (x.Forces != null)
            {
                if (x.Forces.Length != x.Count)
                    throw new ArgumentException($"structure {name}: {x.Forces.Length} reference forces for {x.Count} atoms");
                foreach (var f in x.Forces)
                    if (!double.IsFinite(f.X) || !double.IsFinite(f.Y) || !double.IsFinite(f.Z))
                        throw new ArgumentException($"structure {name}: a reference force is not finite");
            }
            if (x.Stress is Stress st && !st.IsFinite)
                throw new ArgumentException($"structure {name}: the reference stress is not finite");
        }
    }
}
