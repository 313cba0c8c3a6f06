using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PoetSharp.Atoms;
using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Evaluation;

/// <summary>
/// A model (atom expression + taper) prepared for fast evaluation. The expression is split into three parts:
/// constant subtrees (evaluated once per structure from the constants), the pair expressions g_m of the neighbour sums
/// (evaluated over batches of pairs with vectorised span operations, value and d/dr together), and the atom-level
/// function F(S_1..S_k) (evaluated over all atoms of a structure at once with span operations, reverse mode for ∂F/∂S_m). The constants are an argument of each
/// evaluation, so one compiled model serves every constant vector of a fit. Immutable and thread-safe; each thread
/// evaluates with its own <see cref="Workspace"/>. Non-finite values never throw: they show up in the results.
/// </summary>
public sealed partial class CompiledModel
{
    /// <summary>Pairs per vectorised batch: small enough that the node buffers stay in the L1/L2 cache.</summary>
    internal const int Batch = 512;

    // VV, VS, SV: a binary operator on vector (V) or scalar (S, a constant subtree) operands; V: a unary one on a vector.
    // Select / SelectScalar: an at[A] node (its child at atoms of element A, zero elsewhere) of a vector or constant child.
    private enum Mode : byte { LoadR, LoadSum, VV, VS, SV, V, Select, SelectScalar }

    private readonly record struct PairInstruction(NodeKind Kind, Mode Mode, int Out, int A, int B);

    private readonly Node[] _nodes;
    private readonly bool[] _isScalar;          // constant-level node (no r, no sum)
    private readonly bool[] _inSum;             // node lies inside a sum's pair expression
    private readonly int[] _slot;               // vector buffer of a pair-level node, or of an atom-level node (−1 otherwise)
    private readonly int[] _sumNodes;           // node index of sum m
    private readonly int[] _sumRoots;           // node index of the pair expression of sum m
    private readonly int[] _sumOfNode;          // m for a sum node
    private readonly byte[] _sumElement;        // the neighbours' element of sum m (atomic number; 0: every neighbour)
    private readonly byte[] _maskElements;      // the distinct elements of the species-resolved sums
    private readonly int[] _sumMask;            // index in _maskElements of sum m's element (−1: every neighbour)
    private readonly int[] _sumOrder;           // angular order l of sum m (−1: a plain sum Σ_j φ_j)
    private readonly int[] _momentOffset;       // offset of angular sum m's moment in an atom's row of moments (−1: plain)
    private readonly int _momentWidth;          // moment components per atom over all angular sums
    private readonly bool _hasAngular;
    private readonly PairInstruction[][] _programs; // per sum, in postfix order
    private readonly PairInstruction[] _atomProgram; // the nodes above the sums (neither in a sum nor constant), in postfix order
    private readonly int _slotCount, _atomSlotCount;
    private readonly double[] _defaultConstants;

    public Expression Expression { get; }
    public Taper Taper { get; }
    public double Cutoff => Taper.Outer;
    public int SumCount => _sumNodes.Length;
    /// <summary>Whether the model names elements (species-resolved sums or per-element terms): evaluations then need the atoms' elements.</summary>
    public bool IsSpeciesResolved => Expression.IsSpeciesResolved;
    public int ConstantCount => _defaultConstants.Length;

    public CompiledModel(Expression expression, Taper taper)
    {
        ArgumentNullException.ThrowIfNull(expression);
        expression.RequireAtomExpression();
        taper.Validate();
        Expression = expression;
        Taper = taper;
        _nodes = expression.Nodes.ToArray();
        _defaultConstants = expression.Constants.ToArray();
        var n = _nodes.Length;
        _isScalar = new bool[n];
        _inSum = new bool[n];
        _slot = new int[n];
        _sumOfNode = new int[n];
        Array.Fill(_slot, -1);
        Array.Fill(_sumOfNode, -1);
        for (var i = 0; i < n; i++) _isScalar[i] = expression.LevelOf(i) == Level.Constant;
        var sums = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (!Models.Nodes.IsNeighbourSum(_nodes[i].Kind)) continue;
            _sumOfNode[i] = sums.Count;
            sums.Add(i);
            for (var k = expression.SubtreeStart(i); k < i; k++) _inSum[k] = true;
        }
        _sumNodes = sums.ToArray();
        _sumRoots = sums.Select(i => i - 1).ToArray();
        _sumElement = sums.Select(i => _nodes[i].Element).ToArray();
        _maskElements = _sumElement.Where(e => e != 0).Distinct().ToArray();
        _sumMask = _sumElement.Select(e => Array.IndexOf(_maskElements, e)).ToArray();
        _sumOrder = sums.Select(i => Models.Nodes.AngularOrder(_nodes[i].Kind)).ToArray();
        _momentOffset = new int[sums.Count];
        for (var m = 0; m < sums.Count; m++)
        {
            if (_sumOrder[m] < 0) { _momentOffset[m] = -1; continue; }
            _momentOffset[m] = _momentWidth;
            _momentWidth += AngularMoments.Components(_sumOrder[m]);
        }
        _hasAngular = _momentWidth > 0;
        _programs = new PairInstruction[sums.Count][];
        for (var m = 0; m < sums.Count; m++)
        {
            var program = new List<PairInstruction>();
            for (var k = expression.SubtreeStart(_sumRoots[m]); k <= _sumRoots[m]; k++)
            {
                if (_isScalar[k]) continue;
                _slot[k] = _slotCount++;
                var node = _nodes[k];
                if (node.Kind == NodeKind.Distance) { program.Add(new PairInstruction(NodeKind.Distance, Mode.LoadR, k, -1, -1)); continue; }
                var (a, b, mode) = Operands(expression, k);
                program.Add(new PairInstruction(node.Kind, mode, k, a, b));
            }
            _programs[m] = program.ToArray();
        }
        var atomProgram = new List<PairInstruction>();
        for (var k = 0; k < n; k++)
        {
            if (_inSum[k] || _isScalar[k]) continue;
            _slot[k] = _atomSlotCount++;
            var node = _nodes[k];
            if (Models.Nodes.IsNeighbourSum(node.Kind)) { atomProgram.Add(new PairInstruction(node.Kind, Mode.LoadSum, k, -1, -1)); continue; }
            if (node.Kind == NodeKind.Central)
            {
                atomProgram.Add(new PairInstruction(NodeKind.Central, _isScalar[k - 1] ? Mode.SelectScalar : Mode.Select, k, k - 1, -1));
                continue;
            }
            var (a, b, mode) = Operands(expression, k);
            atomProgram.Add(new PairInstruction(node.Kind, mode, k, a, b));
        }
        _atomProgram = atomProgram.ToArray();
        (_firstConstant, _endConstant) = ConstantRanges(_nodes);
    }

    /// <summary>The operands of operator node k (b = −1 for a unary one) and which of them are vectors.</summary>
    private (int A, int B, Mode Mode) Operands(Expression expression, int k)
    {
        if (_nodes[k].Arity == 1) return (k - 1, -1, Mode.V);
        int a = expression.LeftChild(k), b = k - 1;
        return (a, b, _isScalar[a] ? Mode.SV : _isScalar[b] ? Mode.VS : Mode.VV);
    }

    public ReadOnlySpan<double> DefaultConstants => _defaultConstants;

    /// <summary>Scratch for one thread's evaluations; grows as needed and is reused (no allocation once large enough).</summary>
    public sealed partial class Workspace
    {
        internal double[] Values = [], Derivatives = [], Adjoints = [];
        internal double[] Log = new double[Batch], Temp = new double[Batch], Phi = new double[Batch], Scratch = new double[Batch];
        internal double[] Weights = new double[Batch]; // ∂E/∂φ per pair of a batch (the constants' gradient)
        internal double[] Sums = [], Gradients = [], PairDerivatives = [];
        // Angular sums: each atom's moments (row of MomentWidth) and φ per pair (for the force pass).
        internal double[] Moments = [], PairValues = [];
        // Atom level, per node slot × MaxAtoms: values and adjoints of every atom; AtomScratch holds one node's contributions.
        internal double[] AtomValues = [], AtomNodeAdjoints = [], AtomScratch = [];
        internal double[] NodeValues = [], ScalarAdjoints = [];
        internal double[] ConstantGradient = [];
        // Per element of the species-resolved sums, over a batch: all bits set where the neighbour is of that element.
        internal long[] ElementMasks = [];
        internal int MaxAtoms, MaxPairs;

        internal void Ensure(CompiledModel model, int atoms, int pairs)
        {
            var n = model._nodes.Length;
            if (NodeValues.Length < n)
            {
                NodeValues = new double[n]; ScalarAdjoints = new double[n];
                ConstantGradient = new double[model.ConstantCount];
            }
            if (ElementMasks.Length < model._maskElements.Length * Batch) ElementMasks = new long[model._maskElements.Length * Batch];
            if (Values.Length < model._slotCount * Batch)
            {
                Values = new double[model._slotCount * Batch];
                Derivatives = new double[model._slotCount * Batch];
                Adjoints = new double[model._slotCount * Batch];
            }
            var k = Math.Max(1, model.SumCount);
            if (atoms > MaxAtoms || Sums.Length < k * atoms || AtomValues.Length < model._atomSlotCount * atoms
                || Moments.Length < model._momentWidth * atoms)
            {
                MaxAtoms = Math.Max(atoms, MaxAtoms);
                Moments = new double[model._momentWidth * MaxAtoms];
                Sums = new double[k * MaxAtoms]; Gradients = new double[k * MaxAtoms];
                AtomValues = new double[model._atomSlotCount * MaxAtoms];
                AtomNodeAdjoints = new double[model._atomSlotCount * MaxAtoms];
                AtomScratch = new double[MaxAtoms];
            }
            if (pairs > MaxPairs || PairDerivatives.Length < k * pairs || (model._hasAngular && PairValues.Length < k * pairs))
            {
                MaxPairs = Math.Max(pairs, MaxPairs);
                PairDerivatives = new double[k * MaxPairs];
                if (model._hasAngular) PairValues = new double[k * MaxPairs];
            }
        }
    }

    public Workspace CreateWorkspace() => new();

    /// <summary>
    /// Energy, per-atom energies, forces and Σ (∂E/∂r)/r d⊗d (the strain derivative, for the virial) of one structure
    /// from its full-list pair entries; with a non-empty <paramref name="energyGradient"/> (length
    /// <see cref="ConstantCount"/>) also ∂E/∂c_k. Returns whether everything computed is finite.
    /// </summary>
    internal bool EvaluateStructure(Workspace w, in PairSpans pairs, int atomCount, ReadOnlySpan<double> constants,
        Span<double> atomEnergies, Span<Vec3> forces, out double energy, out Stress dEdStrain, Span<double> energyGradient)
    {
        var np = pairs.Count;
        var k = SumCount;
        w.Ensure(this, atomCount, np);
        var nodeValues = w.NodeValues.AsSpan(0, _nodes.Length);
        EvaluateScalars(constants, nodeValues);

        // Pair pass: S_m per atom (the moments of angular sums), d(g_m f)/dr per pair (and g_m f for angular sums).
        var sums = w.Sums.AsSpan(0, k * atomCount);
        sums.Clear();
        var moments = w.Moments.AsSpan(0, _momentWidth * atomCount);
        moments.Clear();
        for (var start = 0; start < np; start += Batch)
        {
            var n = Math.Min(Batch, np - start);
            if (_maskElements.Length > 0) BuildElementMasks(w, pairs.ElementJ.Slice(start, n));
            for (var m = 0; m < k; m++)
            {
                var at = RunPairProgram(w, m, pairs.R.Slice(start, n), nodeValues);
                var phi = w.Phi.AsSpan(0, n);
                var f = pairs.Taper.Slice(start, n);
                var df = pairs.TaperDerivative.Slice(start, n);
                var dphi = w.PairDerivatives.AsSpan(m * w.MaxPairs + start, n);
                if (at < 0)
                {
                    // A constant pair term c: g f and c f'.
                    var c = nodeValues[_sumRoots[m]];
                    TensorPrimitives.Multiply(f, c, phi);
                    TensorPrimitives.Multiply(df, c, dphi);
                }
                else
                {
                    var g = w.Values.AsSpan(at, n);
                    var dg = w.Derivatives.AsSpan(at, n);
                    TensorPrimitives.Multiply(g, f, phi);
                    TensorPrimitives.Multiply(dg, f, dphi);
                    TensorPrimitives.MultiplyAdd(g, df, dphi, dphi);
                }
                if (_sumMask[m] >= 0) MaskNeighbours(w.ElementMasks.AsSpan(_sumMask[m] * Batch, n), phi, dphi);
                var atoms = pairs.I.Slice(start, n);
                if (_sumOrder[m] >= 0)
                {
                    phi.CopyTo(w.PairValues.AsSpan(m * w.MaxPairs + start, n));
                    AccumulateMoments(m, pairs, start, phi, moments);
                    continue;
                }
                var s = sums.Slice(m * atomCount, atomCount);
                for (var p = 0; p < n; p++) s[atoms[p]] += phi[p];
            }
        }
        if (_hasAngular) AngularDensities(moments, sums, atomCount);

        // Atom pass: E_i and ∂E_i/∂S_m (and ∂E_i/∂c for the constants above the sums).
        var gradients = w.Gradients.AsSpan(0, k * atomCount);
        var wantGradient = !energyGradient.IsEmpty;
        var scalarAdjoints = w.ScalarAdjoints.AsSpan(0, _nodes.Length);
        scalarAdjoints.Clear();
        EvaluateAtoms(w, atomCount, pairs.Elements, nodeValues, atomEnergies, gradients, wantGradient ? scalarAdjoints : default);
        energy = 0;
        for (var i = 0; i < atomCount; i++) energy += atomEnergies[i];

        // Force pass: ∂E/∂r per full-list entry, forces on both atoms and the strain derivative.
        forces[..atomCount].Clear();
        double xx = 0, yy = 0, zz = 0, yz = 0, xz = 0, xy = 0;
        var speciesResolved = IsSpeciesResolved;
        for (var p = 0; p < np; p++)
        {
            var i = pairs.I[p];
            var dEdr = 0.0;
            if (_hasAngular)
            {
                // Angular sums have a transverse part too: the whole ∂E/∂d of the entry, with the plain sums' radial part.
                var dEdd = AngularPairGradient(w, pairs, p, atomCount, gradients, moments, out var radial);
                var grA = radial / pairs.R[p];
                double ax = pairs.Dx[p], ay = pairs.Dy[p], az = pairs.Dz[p];
                var fa = new Vec3(grA * ax + dEdd.X, grA * ay + dEdd.Y, grA * az + dEdd.Z);
                forces[i] += fa;
                forces[pairs.J[p]] -= fa;
                xx += ax * fa.X; yy += ay * fa.Y; zz += az * fa.Z;
                // Each entry's d⊗∂E/∂d need not be symmetric (their sum is, by rotational invariance): symmetrised.
                yz += 0.5 * (ay * fa.Z + az * fa.Y); xz += 0.5 * (ax * fa.Z + az * fa.X); xy += 0.5 * (ax * fa.Y + ay * fa.X);
                continue;
            }
            if (!speciesResolved)
                for (var m = 0; m < k; m++) dEdr += gradients[m * atomCount + i] * w.PairDerivatives[m * w.MaxPairs + p];
            else
                for (var m = 0; m < k; m++)
                {
                    // A sum the atom's energy does not depend on (∂E_i/∂S_m = 0: another element's) may have a
                    // non-finite pair derivative here, and a neighbour outside a species-resolved sum has none (even
                    // where ∂E_i/∂S_m is infinite, as for S^0.5 at S = 0): neither counts. The test of g is predictable
                    // (the same for all of an atom's entries), the neighbour's element is not (random order): a mask
                    // instead of a branch, the term kept or replaced by +0.0, which leaves the sum bit for bit as
                    // skipping it would (it starts at +0.0 and so is never −0.0).
                    var g = gradients[m * atomCount + i];
                    if (g == 0) continue;
                    dEdr += KeepOrZero(g * w.PairDerivatives[m * w.MaxPairs + p], InSumMask(pairs.ElementJ[p], _sumElement[m]));
                }
            var gr = dEdr / pairs.R[p];
            double dx = pairs.Dx[p], dy = pairs.Dy[p], dz = pairs.Dz[p];
            var fv = new Vec3(gr * dx, gr * dy, gr * dz);
            forces[i] += fv;
            forces[pairs.J[p]] -= fv;
            xx += gr * dx * dx; yy += gr * dy * dy; zz += gr * dz * dz;
            yz += gr * dy * dz; xz += gr * dx * dz; xy += gr * dx * dy;
        }
        dEdStrain = new Stress(xx, yy, zz, yz, xz, xy);

        if (wantGradient) EnergyGradient(w, pairs, atomCount, nodeValues, gradients, scalarAdjoints, energyGradient);

        var finite = double.IsFinite(energy) && dEdStrain.IsFinite;
        for (var i = 0; i < atomCount && finite; i++) finite = forces[i].IsFinite;
        return finite;
    }

    /// <summary>
    /// For callers that form the neighbour sums themselves (the tabulated MD path): sizes the workspace for
    /// <paramref name="atomCount"/> atoms and returns its sums, zeroed, sum-major: S_m of atom i at [m·atomCount + i].
    /// </summary>
    internal Span<double> PrepareAtomLevel(Workspace w, int atomCount)
    {
        w.Ensure(this, atomCount, 0);
        var sums = w.Sums.AsSpan(0, Math.Max(1, SumCount) * atomCount);
        sums.Clear();
        return sums;
    }

    /// <summary>
    /// The atom level alone, vectorised over atoms, with the model's own constants: E_i from the sums written into the
    /// span <see cref="PrepareAtomLevel"/> returned; returns ∂E_i/∂S_m, laid out as the sums. Returns Σ E_i.
    /// </summary>
    internal double EvaluateAtomLevel(Workspace w, int atomCount, ReadOnlySpan<byte> elements, Span<double> atomEnergies,
        out ReadOnlySpan<double> gradients)
    {
        var nodeValues = w.NodeValues.AsSpan(0, _nodes.Length);
        EvaluateScalars(_defaultConstants, nodeValues);
        var g = w.Gradients.AsSpan(0, Math.Max(1, SumCount) * atomCount);
        EvaluateAtoms(w, atomCount, elements, nodeValues, atomEnergies, g, default);
        gradients = g;
        var energy = 0.0;
        for (var i = 0; i < atomCount; i++) energy += atomEnergies[i];
        return energy;
    }

    // ---- constant subtrees

    private void EvaluateScalars(ReadOnlySpan<double> constants, Span<double> values)
    {
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (!_isScalar[i]) continue;
            var node = _nodes[i];
            values[i] = node.Kind == NodeKind.Constant ? constants[node.ConstantIndex] : ApplyScalar(i, values);
        }
    }

    /// <summary>Operator node i on its operands' values in <paramref name="values"/> (the operator table's scalar value).</summary>
    private double ApplyScalar(int i, ReadOnlySpan<double> values)
    {
        var op = Operators.Of(_nodes[i].Kind);
        return op.Arity == 1 ? op.Value(values[i - 1], double.NaN) : op.Value(values[LeftChild(i)], values[i - 1]);
    }

    /// <summary>∂(node i)/∂(left or only operand) and ∂/∂(right operand) from the values in <paramref name="values"/>.</summary>
    private (double Da, double Db) ScalarPartials(int i, ReadOnlySpan<double> values)
    {
        var op = Operators.Of(_nodes[i].Kind);
        return op.Arity == 1 ? op.Partials(values[i - 1], double.NaN, values[i]) : op.Partials(values[LeftChild(i)], values[i - 1], values[i]);
    }

    private int LeftChild(int i) => _nodes[i].Arity == 1 ? i - 1 : i - 1 - _nodes[i - 1].Size;

    // ---- atom level

    /// <summary>
    /// E_i = F(S_1..S_k) for all atoms at once, and by reverse mode ∂E_i/∂S_m into <paramref name="gradients"/> (and, with
    /// a non-empty <paramref name="scalarAdjoints"/>, Σ_i ∂E_i/∂(constant subtree)). The arithmetic is that of a per-atom
    /// scalar evaluation, element by element, and a partial derivative is taken only where the adjoint that multiplies it
    /// is non-zero, so that 0·∞ never turns a finite result into NaN.
    /// </summary>
    private void EvaluateAtoms(Workspace w, int atomCount, ReadOnlySpan<byte> elements, ReadOnlySpan<double> scalars,
        Span<double> atomEnergies, Span<double> gradients, Span<double> scalarAdjoints)
    {
        if (IsSpeciesResolved && elements.Length < atomCount)
            throw new ArgumentException("a species-resolved model needs the element of every atom");
        var n = atomCount;
        Span<double> Values(int node) => w.AtomValues.AsSpan(_slot[node] * w.MaxAtoms, n);
        Span<double> Adjoints(int node) => w.AtomNodeAdjoints.AsSpan(_slot[node] * w.MaxAtoms, n);

        foreach (var ins in _atomProgram)
        {
            var v = Values(ins.Out);
            switch (ins.Mode)
            {
                case Mode.LoadSum: w.Sums.AsSpan(_sumOfNode[ins.Out] * atomCount, n).CopyTo(v); break;
                case Mode.Select:
                {
                    var a = Values(ins.A);
                    var element = _nodes[ins.Out].Element;
                    for (var i = 0; i < n; i++) v[i] = elements[i] == element ? a[i] : 0.0;
                    break;
                }
                case Mode.SelectScalar:
                {
                    var element = _nodes[ins.Out].Element;
                    var c = scalars[ins.A];
                    for (var i = 0; i < n; i++) v[i] = elements[i] == element ? c : 0.0;
                    break;
                }
                default: Operators.Of(ins.Kind).Apply(AtomOperand(w, n, ins, 0, scalars), AtomOperand(w, n, ins, 1, scalars), v); break;
            }
        }
        var root = _nodes.Length - 1;
        Values(root).CopyTo(atomEnergies);

        w.AtomNodeAdjoints.AsSpan(0, _atomSlotCount * w.MaxAtoms).Clear();
        Adjoints(root).Fill(1.0);
        var t = w.AtomScratch.AsSpan(0, n);
        var wantScalars = !scalarAdjoints.IsEmpty;
        for (var q = _atomProgram.Length - 1; q >= 0; q--)
        {
            var ins = _atomProgram[q];
            var adj = Adjoints(ins.Out);
            if (ins.Mode == Mode.LoadSum)
            {
                adj.CopyTo(gradients.Slice(_sumOfNode[ins.Out] * atomCount, n));
                continue;
            }
            if (ins.Mode is Mode.Select or Mode.SelectScalar)
            {
                // The child's adjoint is this node's at atoms of the element and zero elsewhere.
                var element = _nodes[ins.Out].Element;
                for (var i = 0; i < n; i++) t[i] = elements[i] == element ? adj[i] : 0.0;
                if (ins.Mode == Mode.Select) Give(w, t, ins.A, true, t, scalarAdjoints);
                else if (wantScalars) Give(w, t, ins.A, false, t, scalarAdjoints);
                continue;
            }
            var op = Operators.Of(ins.Kind);
            bool vectorA = ins.Mode != Mode.SV, vectorB = ins.Mode is Mode.VV or Mode.SV;
            var v = Values(ins.Out);
            KernelOperand a = AtomOperand(w, n, ins, 0, scalars), b = AtomOperand(w, n, ins, 1, scalars);
            if (vectorA || wantScalars)
            {
                op.Adjoint(0, adj, a, b, v, t);
                Give(w, adj, ins.A, vectorA, t, scalarAdjoints);
            }
            if (ins.Mode != Mode.V && (vectorB || wantScalars))
            {
                op.Adjoint(1, adj, a, b, v, t);
                Give(w, adj, ins.B, vectorB, t, scalarAdjoints);
            }
        }
    }

    /// <summary>The operands of an atom-level instruction: a node's values over the atoms, or a constant subtree's value.</summary>
    private KernelOperand AtomOperand(Workspace w, int n, PairInstruction ins, int operand, ReadOnlySpan<double> scalars)
    {
        var node = operand == 0 ? ins.A : ins.B;
        var vector = operand == 0 ? ins.Mode != Mode.SV : ins.Mode is Mode.VV or Mode.SV;
        if (operand == 1 && ins.Mode == Mode.V) return default;
        return vector ? KernelOperand.Vector(w.AtomValues.AsSpan(_slot[node] * w.MaxAtoms, n)) : KernelOperand.Constant(scalars[node]);
    }

    /// <summary>Hands a node's per-atom contribution to child <paramref name="node"/>, where the node's adjoint is non-zero.</summary>
    private void Give(Workspace w, ReadOnlySpan<double> adj, int node, bool vector, ReadOnlySpan<double> contribution, Span<double> scalarAdjoints)
    {
        if (vector) AccumulateWhereAdjointNonZero(adj, contribution, w.AtomNodeAdjoints.AsSpan(_slot[node] * w.MaxAtoms, adj.Length));
        else scalarAdjoints[node] += SumWhereAdjointNonZero(adj, contribution);
    }

    /// <summary>For each element of the species-resolved sums, the mask of a batch's entries whose neighbour is of it.</summary>
    private void BuildElementMasks(Workspace w, ReadOnlySpan<byte> neighbourElements)
    {
        var n = neighbourElements.Length;
        for (var e = 0; e < _maskElements.Length; e++)
        {
            var mask = w.ElementMasks.AsSpan(e * Batch, n);
            var element = _maskElements[e];
            for (var p = 0; p < n; p++) mask[p] = InSumMask(neighbourElements[p], element);
        }
    }

    /// <summary>
    /// A species-resolved sum keeps the pairs whose neighbour is of its element (<paramref name="mask"/> from
    /// <see cref="BuildElementMasks"/>): the others' g·f and d(g·f)/dr become +0.0 (bitwise, not multiplied, so that a
    /// non-finite pair term of another element cannot leak in; and without a branch, since the elements come in random order).
    /// </summary>
    private static void MaskNeighbours(ReadOnlySpan<long> mask, Span<double> phi, Span<double> dphi)
    {
        var p = MemoryMarshal.Cast<double, long>(phi);
        var d = MemoryMarshal.Cast<double, long>(dphi);
        TensorPrimitives.BitwiseAnd(p, mask, p);
        TensorPrimitives.BitwiseAnd(d, mask, d);
    }

    /// <summary>
    /// All bits set when a neighbour of element <paramref name="neighbour"/> belongs to a sum over
    /// <paramref name="sumElement"/> (0: every neighbour), none otherwise, without a branch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long InSumMask(byte neighbour, byte sumElement) => ((long)((neighbour ^ sumElement) * sumElement) - 1) >> 63;

    /// <summary>x where <paramref name="mask"/> is all ones, +0.0 where it is zero (whatever x is, NaN and ±∞ included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double KeepOrZero(double x, long mask) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(x) & mask);

    /// <summary>target += contribution where adjoint ≠ 0 (elsewhere the contribution may be 0·∞ and must not count).</summary>
    private static void AccumulateWhereAdjointNonZero(ReadOnlySpan<double> adjoint, ReadOnlySpan<double> contribution, Span<double> target)
    {
        var n = target.Length;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            {
                var c = Vector.ConditionalSelect(Vector.Equals(new Vector<double>(adjoint[i..]), Vector<double>.Zero),
                    Vector<double>.Zero, new Vector<double>(contribution[i..]));
                var x = new Vector<double>(target[i..]);
                (x + c).CopyTo(target[i..]);
            }
        }
        for (; i < n; i++)
        {
            if (adjoint[i] != 0) target[i] += contribution[i];
        }
    }

    /// <summary>Σ contribution over the elements where adjoint ≠ 0, in order.</summary>
    private static double SumWhereAdjointNonZero(ReadOnlySpan<double> adjoint, ReadOnlySpan<double> contribution)
    {
        var sum = 0.0;
        for (var i = 0; i < adjoint.Length; i++)
            if (adjoint[i] != 0) sum += contribution[i];
        return sum;
    }

    // ---- angular densities

    /// <summary>Adds each pair's φ r̂^{⊗l} of angular sum m to its atom's moment (a masked pair has φ = +0 and adds nothing).</summary>
    private void AccumulateMoments(int m, in PairSpans pairs, int start, ReadOnlySpan<double> phi, Span<double> moments)
    {
        var l = _sumOrder[m];
        var width = AngularMoments.Components(l);
        var offset = _momentOffset[m];
        for (var p = 0; p < phi.Length; p++)
        {
            var q = start + p;
            var inverse = 1 / pairs.R[q];
            AngularMoments.Add(l, phi[p], pairs.Dx[q] * inverse, pairs.Dy[q] * inverse, pairs.Dz[q] * inverse,
                moments.Slice(pairs.I[q] * _momentWidth + offset, width));
        }
    }

    /// <summary>S_m = ρ_l of every atom from its moment, for each angular sum m.</summary>
    private void AngularDensities(ReadOnlySpan<double> moments, Span<double> sums, int atomCount)
    {
        for (var m = 0; m < SumCount; m++)
        {
            var l = _sumOrder[m];
            if (l < 0) continue;
            var width = AngularMoments.Components(l);
            for (var i = 0; i < atomCount; i++)
                sums[m * atomCount + i] = AngularMoments.Density(l, moments.Slice(i * _momentWidth + _momentOffset[m], width));
        }
    }

    /// <summary>h(r̂) = ∂ρ/∂φ of entry q for angular sum m, from its atom's moment.</summary>
    private double AngularProjection(int m, in PairSpans pairs, int q, int atomCount, double[] moments)
    {
        var l = _sumOrder[m];
        var inverse = 1 / pairs.R[q];
        return AngularMoments.Project(l, moments.AsSpan(pairs.I[q] * _momentWidth + _momentOffset[m], AngularMoments.Components(l)),
            pairs.Dx[q] * inverse, pairs.Dy[q] * inverse, pairs.Dz[q] * inverse, out _, out _, out _);
    }

    /// <summary>
    /// ∂E/∂d of full-list entry p (d the vector to the neighbour) over every sum: <paramref name="radial"/> collects the
    /// ∂E/∂r of the plain sums and the radial parts of the angular ones, the returned vector the angular transverse parts,
    /// Σ ∂E_i/∂S_m (φ/r) ∇h. A sum whose ∂E_i/∂S_m is zero, or that the neighbour's element is not in, is skipped.
    /// </summary>
    private Vec3 AngularPairGradient(Workspace w, in PairSpans pairs, int p, int atomCount, ReadOnlySpan<double> gradients,
        ReadOnlySpan<double> moments, out double radial)
    {
        var i = pairs.I[p];
        var r = pairs.R[p];
        double ux = pairs.Dx[p] / r, uy = pairs.Dy[p] / r, uz = pairs.Dz[p] / r;
        radial = 0;
        double tx = 0, ty = 0, tz = 0;
        for (var m = 0; m < SumCount; m++)
        {
            var g = gradients[m * atomCount + i];
            if (g == 0) continue;
            if (_sumElement[m] != 0 && pairs.ElementJ[p] != _sumElement[m]) continue;
            var dphi = w.PairDerivatives[m * w.MaxPairs + p];
            var l = _sumOrder[m];
            if (l < 0) { radial += g * dphi; continue; }
            var phi = w.PairValues[m * w.MaxPairs + p];
            var h = AngularMoments.Project(l, moments.Slice(i * _momentWidth + _momentOffset[m], AngularMoments.Components(l)),
                ux, uy, uz, out var gx, out var gy, out var gz);
            radial += g * (h * dphi - l * phi * h / r);
            var c = g * phi / r;
            tx += c * gx; ty += c * gy; tz += c * gz;
        }
        return new Vec3(tx, ty, tz);
    }

    // ---- pair level: vectorised forward mode over a batch

    /// <summary>Runs sum m's pair program on a batch; returns the buffer offset of g and dg/dr (−1 when g is a constant).</summary>
    private int RunPairProgram(Workspace w, int m, ReadOnlySpan<double> r, ReadOnlySpan<double> scalars)
    {
        var n = r.Length;
        var program = _programs[m];
        foreach (var ins in program)
        {
            var v = w.Values.AsSpan(_slot[ins.Out] * Batch, n);
            var d = w.Derivatives.AsSpan(_slot[ins.Out] * Batch, n);
            if (ins.Mode == Mode.LoadR)
            {
                r.CopyTo(v);
                d.Fill(1.0);
                continue;
            }
            Operators.Of(ins.Kind).Forward(PairOperandA(w, ins, n, scalars), PairOperandB(w, ins, n, scalars), v, d,
                new KernelScratch(w.Log.AsSpan(0, n), w.Temp.AsSpan(0, n), w.Scratch.AsSpan(0, n)));
        }
        var root = _sumRoots[m];
        return _isScalar[root] ? -1 : _slot[root] * Batch;
    }

    private ReadOnlySpan<double> Vec(double[] buffer, int node, int n) => buffer.AsSpan(_slot[node] * Batch, n);

    /// <summary>The operands of a pair instruction: a node's batch values and d/dr, or a constant subtree's value.</summary>
    private KernelOperand PairOperandA(Workspace w, PairInstruction ins, int n, ReadOnlySpan<double> scalars) => ins.Mode == Mode.SV
        ? KernelOperand.Constant(scalars[ins.A])
        : KernelOperand.Vector(Vec(w.Values, ins.A, n), Vec(w.Derivatives, ins.A, n));

    private KernelOperand PairOperandB(Workspace w, PairInstruction ins, int n, ReadOnlySpan<double> scalars) => ins.Mode switch
    {
        Mode.V => default,
        Mode.VS => KernelOperand.Constant(scalars[ins.B]),
        _ => KernelOperand.Vector(Vec(w.Values, ins.B, n), Vec(w.Derivatives, ins.B, n)),
    };

    // ---- gradient of the energy with respect to the constants (reverse mode over each pair program)

    private void EnergyGradient(Workspace w, in PairSpans pairs, int atomCount, Span<double> scalars,
        ReadOnlySpan<double> gradients, Span<double> scalarAdjoints, Span<double> energyGradient)
    {
        var np = pairs.Count;
        for (var start = 0; start < np; start += Batch)
        {
            var n = Math.Min(Batch, np - start);
            for (var m = 0; m < SumCount; m++)
            {
                var at = RunPairProgram(w, m, pairs.R.Slice(start, n), scalars);
                var root = _sumRoots[m];
                var f = pairs.Taper.Slice(start, n);
                var atoms = pairs.I.Slice(start, n);
                var element = _sumElement[m];
                var neighbourElements = element == 0 ? default : pairs.ElementJ.Slice(start, n);
                // ∂E/∂φ of each pair: ∂E_i/∂S_m for a plain sum, times h(r̂) = ∂ρ/∂φ for an angular density.
                var weights = w.Weights.AsSpan(0, n);
                for (var p = 0; p < n; p++)
                {
                    if (element != 0 && neighbourElements[p] != element) { weights[p] = 0; continue; }
                    var g = gradients[m * atomCount + atoms[p]];
                    weights[p] = _sumOrder[m] < 0 || g == 0 ? g : g * AngularProjection(m, pairs, start + p, atomCount, w.Moments);
                }
                if (at < 0)
                {
                    double s = 0;
                    for (var p = 0; p < n; p++)
                        if (element == 0 || neighbourElements[p] == element) s += weights[p] * f[p];
                    scalarAdjoints[root] += s;
                    continue;
                }
                var program = _programs[m];
                foreach (var ins in program) w.Adjoints.AsSpan(_slot[ins.Out] * Batch, n).Clear();
                var rootAdj = w.Adjoints.AsSpan(_slot[root] * Batch, n);
                for (var p = 0; p < n; p++)
                    rootAdj[p] = element == 0 || neighbourElements[p] == element ? weights[p] * f[p] : 0.0;
                for (var q = program.Length - 1; q >= 0; q--) Backward(w, program[q], n, scalars, scalarAdjoints);
            }
        }
        // Constant subtrees, from the top down, hand their adjoints to the constants.
        energyGradient.Clear();
        for (var i = _nodes.Length - 1; i >= 0; i--)
        {
            if (!_isScalar[i]) continue;
            var adj = scalarAdjoints[i];
            var node = _nodes[i];
            if (node.Kind == NodeKind.Constant) { energyGradient[node.ConstantIndex] += adj; continue; }
            if (adj == 0) continue;
            var (pa, pb) = ScalarPartials(i, scalars);
            scalarAdjoints[LeftChild(i)] += adj * pa;
            if (node.Arity == 2) scalarAdjoints[i - 1] += adj * pb;
        }
    }

    /// <summary>Reverse mode through one pair instruction: its adjoints handed to its operands where they are non-zero.</summary>
    private void Backward(Workspace w, PairInstruction ins, int n, ReadOnlySpan<double> scalars, Span<double> scalarAdjoints)
    {
        if (ins.Mode == Mode.LoadR) return;
        var op = Operators.Of(ins.Kind);
        var adj = w.Adjoints.AsSpan(_slot[ins.Out] * Batch, n);
        var v = w.Values.AsSpan(_slot[ins.Out] * Batch, n);
        var t = w.Scratch.AsSpan(0, n);
        var vectorA = ins.Mode != Mode.SV;
        var vectorB = ins.Mode is Mode.VV or Mode.SV;
        var a = vectorA ? KernelOperand.Vector(Vec(w.Values, ins.A, n)) : KernelOperand.Constant(scalars[ins.A]);
        var b = ins.Mode switch
        {
            Mode.V => default,
            Mode.VS => KernelOperand.Constant(scalars[ins.B]),
            _ => KernelOperand.Vector(Vec(w.Values, ins.B, n)),
        };
        op.Adjoint(0, adj, a, b, v, t);
        if (vectorA) AccumulateWhereAdjointNonZero(adj, t, w.Adjoints.AsSpan(_slot[ins.A] * Batch, n));
        else scalarAdjoints[ins.A] += SumWhereAdjointNonZero(adj, t);
        if (ins.Mode == Mode.V) return;
        op.Adjoint(1, adj, a, b, v, t);
        if (vectorB) AccumulateWhereAdjointNonZero(adj, t, w.Adjoints.AsSpan(_slot[ins.B] * Batch, n));
        else scalarAdjoints[ins.B] += SumWhereAdjointNonZero(adj, t);
    }
}
