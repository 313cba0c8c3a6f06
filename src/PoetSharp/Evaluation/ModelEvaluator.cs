using System.Numerics.Tensors;
using PoetSharp.Atoms;

namespace PoetSharp.Evaluation;

/// <summary>What <see cref="ModelEvaluator.Evaluate(ReadOnlySpan{double}, EvaluationOutputs)"/> computes besides energies, forces and stresses.</summary>
[Flags]
public enum EvaluationOutputs
{
    Basic = 0,
    /// <summary>∂E_s/∂c_k (<see cref="ModelEvaluator.EnergyJacobian"/>).</summary>
    EnergyJacobian = 1,
    /// <summary>∂F_ia/∂c_k and ∂σ_sv/∂c_k (<see cref="ModelEvaluator.ForceJacobian"/>, <see cref="ModelEvaluator.StressJacobian"/>).</summary>
    ForceAndStressJacobian = 2,
    AllJacobians = EnergyJacobian | ForceAndStressJacobian,
}

/// <summary>
/// Evaluates a <see cref="CompiledModel"/> over every structure of a <see cref="PairTable"/>: energies, per-atom energies,
/// forces and virial stresses, and optionally their derivatives with respect to the constants (the rows of the Jacobian
/// a Levenberg–Marquardt fit needs: <see cref="EvaluationOutputs"/>). Results live in arrays owned by the evaluator and are
/// overwritten by the next call; after warm-up an evaluation allocates nothing, on one thread or on all cores. Structures
/// are computed independently (one worker each, on the persistent <see cref="IndexedWorkers"/>), so results do not depend
/// on the degree of parallelism.
/// One evaluator must not be used from two threads at once.
/// </summary>
public sealed class ModelEvaluator : IIndexedWork
{
    private readonly CompiledModel.Workspace?[] _workspaces = new CompiledModel.Workspace?[IndexedWorkers.MaxWorkers];
    private double[] _constants = [];
    private bool _withGradient, _withForceJacobian;

    public CompiledModel Model { get; }
    public PairTable Pairs { get; }

    /// <summary>Workers for <see cref="Evaluate"/>: −1 for all cores, 1 for a single-threaded run on the calling thread.</summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set => _maxDegreeOfParallelism = value == 0 || value < -1
            ? throw new ArgumentOutOfRangeException(nameof(value), value, "−1 (all cores) or a positive number of workers")
            : value;
    }
    private int _maxDegreeOfParallelism = -1;

    /// <summary>Total energy of each structure (eV).</summary>
    public double[] Energies { get; }
    /// <summary>Per-atom energies (eV), indexed by global atom (<see cref="PairTable.AtomOffsets"/>).</summary>
    public double[] AtomEnergies { get; }
    /// <summary>Forces (eV/Å), indexed by global atom.</summary>
    public Vec3[] Forces { get; }
    /// <summary>Virial stress (eV/Å³, tensile positive) of each structure; zero unless the cell is periodic in all directions.</summary>
    public Stress[] Stresses { get; }
    /// <summary>Whether everything computed for a structure (energy, forces, stress, and the Jacobians asked for) is finite.</summary>
    public bool[] Finite { get; }
    /// <summary>Number of structures with a non-finite result in the last evaluation: the model is invalid on the data when &gt; 0.</summary>
    public int InvalidCount { get; private set; }
    /// <summary>∂E_s/∂c_k at [s · ConstantCount + k] after an evaluation with the gradient.</summary>
    public double[] EnergyJacobian { get; }
    /// <summary>
    /// ∂F_ia/∂c_k (force component a of global atom i) at [(3 i + a) · ConstantCount + k] after an evaluation with
    /// <see cref="EvaluationOutputs.ForceAndStressJacobian"/>; empty until the first such evaluation.
    /// </summary>
    public double[] ForceJacobian { get; private set; } = [];
    /// <summary>
    /// ∂σ_sv/∂c_k (Voigt component v of structure s's stress) at [(6 s + v) · ConstantCount + k] after an evaluation
    /// with <see cref="EvaluationOutputs.ForceAndStressJacobian"/> (zero for cells not periodic in all directions); empty until then.
    /// </summary>
    public double[] StressJacobian { get; private set; } = [];

    public ModelEvaluator(CompiledModel model, PairTable pairs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Taper != model.Taper)
            throw new ArgumentException($"the pair table was built for taper {pairs.Taper}, the model uses {model.Taper}");
        Model = model;
        Pairs = pairs;
        var s = pairs.StructureCount;
        Energies = new double[s];
        Stresses = new Stress[s];
        Finite = new bool[s];
        AtomEnergies = new double[pairs.AtomCount];
        Forces = new Vec3[pairs.AtomCount];
        EnergyJacobian = new double[s * model.ConstantCount];
    }

    /// <summary>Evaluates with the expression's own constants.</summary>
    public int Evaluate(bool withEnergyJacobian = false) => Evaluate(Model.DefaultConstants, withEnergyJacobian);

    /// <summary>Evaluates with the given constants (in the expression's postfix order); returns <see cref="InvalidCount"/>.</summary>
    public int Evaluate(ReadOnlySpan<double> constants, bool withEnergyJacobian = false) =>
        Evaluate(constants, withEnergyJacobian ? EvaluationOutputs.EnergyJacobian : EvaluationOutputs.Basic);

    /// <summary>Evaluates with the expression's own constants.</summary>
    public int Evaluate(EvaluationOutputs outputs) => Evaluate(Model.DefaultConstants, outputs);

    /// <summary>Evaluates with the given constants (in the expression's postfix order); returns <see cref="InvalidCount"/>.</summary>
    public int Evaluate(ReadOnlySpan<double> constants, EvaluationOutputs outputs)
    {
        if (constants.Length != Model.ConstantCount)
            throw new ArgumentException($"expected {Model.ConstantCount} constants, got {constants.Length}");
        if (_constants.Length != constants.Length) _constants = new double[constants.Length];
        constants.CopyTo(_constants);
        _withGradient = (outputs & EvaluationOutputs.EnergyJacobian) != 0;
        _withForceJacobian = (outputs & EvaluationOutputs.ForceAndStressJacobian) != 0;
        if (_withForceJacobian && ForceJacobian.Length == 0 && Model.ConstantCount > 0)
        {
            ForceJacobian = new double[3 * Pairs.AtomCount * Model.ConstantCount];
            StressJacobian = new double[6 * Pairs.StructureCount * Model.ConstantCount];
        }
        IndexedWorkers.Run(this, Pairs.StructureCount, MaxDegreeOfParallelism);
        var invalid = 0;
        foreach (var ok in Finite) if (!ok) invalid++;
        InvalidCount = invalid;
        return invalid;
    }

    void IIndexedWork.Run(int index, int worker) => EvaluateOne(_workspaces[worker] ??= CreateWorkspace(), index);

    /// <summary>
    /// A workspace sized for the largest structure and atom of the table at once: which structures a worker gets varies
    /// from call to call, and growing its buffers on a later call would allocate.
    /// </summary>
    private CompiledModel.Workspace CreateWorkspace()
    {
        var w = Model.CreateWorkspace();
        w.Ensure(Model, Pairs.MaxAtomsPerStructure, Pairs.MaxPairsPerStructure);
        if (Model.ConstantCount > 0) w.EnsureJacobian(Model, Pairs.MaxNeighboursPerAtom);
        return w;
    }

    private void EvaluateOne(CompiledModel.Workspace w, int s)
    {
        var table = Pairs;
        int a0 = table.AtomOffsets[s], atoms = table.AtomOffsets[s + 1] - a0;
        var k = Model.ConstantCount;
        var gradient = _withGradient ? EnergyJacobian.AsSpan(s * k, k) : Span<double>.Empty;
        var pairs = table.Of(s);
        var finite = Model.EvaluateStructure(w, pairs, atoms, _constants, AtomEnergies.AsSpan(a0, atoms), Forces.AsSpan(a0, atoms),
            out var energy, out var dEdStrain, gradient);
        Energies[s] = energy;
        var cell = table.Structures[s].Cell;
        Stresses[s] = cell.FullyPeriodic ? (1.0 / cell.Volume) * dEdStrain : Stress.Zero;
        if (_withGradient)
            foreach (var g in gradient) finite &= double.IsFinite(g);
        if (_withForceJacobian && k > 0)
        {
            var stressJacobian = StressJacobian.AsSpan(6 * s * k, 6 * k);
            finite &= Model.EvaluateForceStressJacobian(w, pairs, atoms, ForceJacobian.AsSpan(3 * a0 * k, 3 * atoms * k), stressJacobian);
            if (cell.FullyPeriodic) TensorPrimitives.Multiply(stressJacobian, 1.0 / cell.Volume, stressJacobian);
            else stressJacobian.Clear();
        }
        Finite[s] = finite;
    }
}
