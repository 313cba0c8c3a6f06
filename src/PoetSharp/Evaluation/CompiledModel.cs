using System.Numerics;
using System.Numerics.Tensors;
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

    // Select / SelectScalar: an at[A] node (its child at atoms of element A, zero elsewhere) of a vector or constant child.
    private enum Mode : byte { LoadR, LoadSum, VV, VS, SV, Select, SelectScalar }

    private readonly record struct PairInstruction(NodeKind Kind, Mode Mode, int Out, int A, int B);

    private readonly Node[] _nodes;
    private readonly bool[] _isScalar;          // constant-level node (no r, no sum)
    private readonly bool[] _inSum;             // node lies inside a sum's pair expression
    private readonly int[] _slot;               // vector buffer of a pair-level node, or of an atom-level node (−1 otherwise)
    private readonly int[] _sumNodes;           // node index of sum m
    private readonly int[] _sumRoots;           // node index of the pair expression of sum m
    private readonly int[] _sumOfNode;          // m for a sum node
    private readonly byte[] _sumElement;        // the neighbours' element of sum m (atomic number; 0: every neighbour)
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
            if (_nodes[i].Kind != NodeKind.Sum) continue;
            _sumOfNode[i] = sums.Count;
            sums.Add(i);
            for (var k = expression.SubtreeStart(i); k < i; k++) _inSum[k] = true;
        }
        _sumNodes = sums.ToArray();
        _sumRoots = sums.Select(i => i - 1).ToArray();
        _sumElement = sums.Select(i => _nodes[i].Element).ToArray();
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
                int a = expression.LeftChild(k), b = k - 1;
                var mode = _isScalar[a] ? Mode.SV : _isScalar[b] ? Mode.VS : Mode.VV;
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
            if (node.Kind == NodeKind.Sum) { atomProgram.Add(new PairInstruction(NodeKind.Sum, Mode.LoadSum, k, -1, -1)); continue; }
            if (node.Kind == NodeKind.Central)
            {
                atomProgram.Add(new PairInstruction(NodeKind.Central, _isScalar[k - 1] ? Mode.SelectScalar : Mode.Select, k, k - 1, -1));
                continue;
            }
            int a = expression.LeftChild(k), b = k - 1;
            var mode = _isScalar[a] ? Mode.SV : _isScalar[b] ? Mode.VS : Mode.VV;
            atomProgram.Add(new PairInstruction(node.Kind, mode, k, a, b));
        }
        _atomProgram = atomProgram.ToArray();
        (_firstConstant, _endConstant) = ConstantRanges(_nodes);
    }

    public ReadOnlySpan<double> DefaultConstants => _defaultConstants;

    /// <summary>Scratch for one thread's evaluations; grows as needed and is reused (no allocation once large enough).</summary>
    public sealed partial class Workspace
    {
        internal double[] Values = [], Derivatives = [], Adjoints = [];
        internal double[] Log = new double[Batch], Temp = new double[Batch], Phi = new double[Batch], Scratch = new double[Batch];
        internal double[] Sums = [], Gradients = [], PairDerivatives = [];
        // Atom level, per node slot × MaxAtoms: values and adjoints of every atom; AtomScratch holds one node's contributions.
        internal double[] AtomValues = [], AtomNodeAdjoints = [], AtomScratch = [];
        internal double[] NodeValues = [], ScalarAdjoints = [];
        internal double[] ConstantGradient = [];
        internal int MaxAtoms, MaxPairs;

        internal void Ensure(CompiledModel model, int atoms, int pairs)
        {
            var n = model._nodes.Length;
            if (NodeValues.Length < n)
            {
                NodeValues = new double[n]; ScalarAdjoints = new double[n];
                ConstantGradient = new double[model.ConstantCount];
            }
            if (Values.Length < model._slotCount * Batch)
            {
                Values = new double[model._slotCount * Batch];
                Derivatives = new double[model._slotCount * Batch];
                Adjoints = new double[model._slotCount * Batch];
            }
            var k = Math.Max(1, model.SumCount);
            if (atoms > MaxAtoms || Sums.Length < k * atoms || AtomValues.Length < model._atomSlotCount * atoms)
            {
                MaxAtoms = Math.Max(atoms, MaxAtoms);
                Sums = new double[k * MaxAtoms]; Gradients = new double[k * MaxAtoms];
                AtomValues = new double[model._atomSlotCount * MaxAtoms];
                AtomNodeAdjoints = new double[model._atomSlotCount * MaxAtoms];
                AtomScratch = new double[MaxAtoms];
            }
            if (pairs > MaxPairs || PairDerivatives.Length < k * pairs)
            {
                MaxPairs = Math.Max(pairs, MaxPairs);
                PairDerivatives = new double[k * MaxPairs];
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

        // Pair pass: S_m per atom, d(g_m f)/dr per pair.
        var sums = w.Sums.AsSpan(0, k * atomCount);
        sums.Clear();
        for (var start = 0; start < np; start += Batch)
        {
            var n = Math.Min(Batch, np - start);
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
                if (_sumElement[m] != 0) MaskNeighbours(_sumElement[m], pairs.ElementJ.Slice(start, n), phi, dphi);
                var s = sums.Slice(m * atomCount, atomCount);
                var atoms = pairs.I.Slice(start, n);
                for (var p = 0; p < n; p++) s[atoms[p]] += phi[p];
            }
        }

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
        for (var p = 0; p < np; p++)
        {
            var i = pairs.I[p];
            var dEdr = 0.0;
            for (var m = 0; m < k; m++)
            {
                // A sum the atom's energy does not depend on (∂E_i/∂S_m = 0, e.g. another element's) may have a
                // non-finite pair derivative here, and a neighbour outside a species-resolved sum has none (even
                // where ∂E_i/∂S_m is infinite, as for S^0.5 at S = 0): neither counts.
                var g = gradients[m * atomCount + i];
                if (g != 0 && (_sumElement[m] == 0 || pairs.ElementJ[p] == _sumElement[m])) dEdr += g * w.PairDerivatives[m * w.MaxPairs + p];
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
            values[i] = node.Kind == NodeKind.Constant
                ? constants[node.ConstantIndex]
                : Apply(node.Kind, values[LeftChild(i)], values[i - 1]);
        }
    }

    private int LeftChild(int i) => _nodes[i].Arity == 1 ? i - 1 : i - 1 - _nodes[i - 1].Size;

    private static double Apply(NodeKind kind, double a, double b) => kind switch
    {
        NodeKind.Add => a + b,
        NodeKind.Sub => a - b,
        NodeKind.Mul => a * b,
        NodeKind.Div => a / b,
        NodeKind.Pow => Pow(a, b),
        _ => double.NaN,
    };

    /// <summary>x^y as Math.Pow, with the exponents of the usual potentials done by cheaper operations.</summary>
    private static double Pow(double x, double y) => y switch
    {
        1.0 => x,
        2.0 => x * x,
        -1.0 => 1.0 / x,
        0.5 => Math.Sqrt(x),
        -0.5 => 1.0 / Math.Sqrt(x),
        _ => Math.Pow(x, y),
    };

    /// <summary>∂(a^b)/∂a and ∂(a^b)/∂b given v = a^b; zero where the factor that multiplies them vanishes.</summary>
    private static (double Da, double Db) PowPartials(double a, double b, double v)
    {
        var da = b == 0 ? 0 : a != 0 ? b * v / a : b * Math.Pow(a, b - 1);
        var db = v == 0 ? 0 : v * Math.Log(a);
        return (da, db);
    }

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
                case Mode.VV: ApplyVV(ins.Kind, Values(ins.A), Values(ins.B), v); break;
                case Mode.VS: ApplyVS(ins.Kind, Values(ins.A), scalars[ins.B], v); break;
                default: ApplySV(ins.Kind, scalars[ins.A], Values(ins.B), v); break;
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
                if (ins.Mode == Mode.Select) Give(w, t, ins.A, true, t, false, scalarAdjoints);
                else if (wantScalars) Give(w, t, ins.A, false, t, false, scalarAdjoints);
                continue;
            }
            bool vectorA = ins.Mode != Mode.SV, vectorB = ins.Mode != Mode.VS;
            var v = Values(ins.Out);
            ReadOnlySpan<double> a = vectorA ? Values(ins.A) : default, b = vectorB ? Values(ins.B) : default;
            double ca = vectorA ? 0 : scalars[ins.A], cb = vectorB ? 0 : scalars[ins.B];
            var wantA = vectorA || wantScalars;
            var wantB = vectorB || wantScalars;
            switch (ins.Kind)
            {
                case NodeKind.Add:
                case NodeKind.Sub:
                    if (wantA) Give(w, adj, ins.A, vectorA, adj, false, scalarAdjoints);
                    if (wantB) Give(w, adj, ins.B, vectorB, adj, ins.Kind == NodeKind.Sub, scalarAdjoints);
                    break;
                case NodeKind.Mul:
                    if (wantA)
                    {
                        if (vectorB) TensorPrimitives.Multiply(adj, b, t); else TensorPrimitives.Multiply(adj, cb, t);
                        Give(w, adj, ins.A, vectorA, t, false, scalarAdjoints);
                    }
                    if (wantB)
                    {
                        if (vectorA) TensorPrimitives.Multiply(adj, a, t); else TensorPrimitives.Multiply(adj, ca, t);
                        Give(w, adj, ins.B, vectorB, t, false, scalarAdjoints);
                    }
                    break;
                case NodeKind.Div:
                    if (wantA)
                    {
                        if (vectorB) TensorPrimitives.Divide(adj, b, t); else TensorPrimitives.Divide(adj, cb, t);
                        Give(w, adj, ins.A, vectorA, t, false, scalarAdjoints);
                    }
                    if (wantB)
                    {
                        // adj · v / b
                        TensorPrimitives.Multiply(adj, v, t);
                        if (vectorB) TensorPrimitives.Divide(t, b, t); else TensorPrimitives.Divide(t, cb, t);
                        Give(w, adj, ins.B, vectorB, t, true, scalarAdjoints);
                    }
                    break;
                case NodeKind.Pow:
                    if (wantA)
                    {
                        for (var i = 0; i < n; i++)
                        {
                            double va = vectorA ? a[i] : ca, vb = vectorB ? b[i] : cb;
                            var da = vb == 0 ? 0 : va != 0 ? vb * v[i] / va : vb * Math.Pow(va, vb - 1);
                            t[i] = adj[i] * da;
                        }
                        Give(w, adj, ins.A, vectorA, t, false, scalarAdjoints);
                    }
                    if (wantB)
                    {
                        // adj · v · ln a, nothing where v = 0
                        for (var i = 0; i < n; i++) t[i] = v[i] == 0 ? 0 : adj[i] * v[i] * Math.Log(vectorA ? a[i] : ca);
                        Give(w, adj, ins.B, vectorB, t, false, scalarAdjoints);
                    }
                    break;
            }
        }
    }

    /// <summary>Hands a node's per-atom contribution to child <paramref name="node"/>, where the node's adjoint is non-zero.</summary>
    private void Give(Workspace w, ReadOnlySpan<double> adj, int node, bool vector, ReadOnlySpan<double> contribution, bool subtract,
        Span<double> scalarAdjoints)
    {
        if (vector) AccumulateWhereAdjointNonZero(adj, contribution, w.AtomNodeAdjoints.AsSpan(_slot[node] * w.MaxAtoms, adj.Length), subtract);
        else scalarAdjoints[node] += SumWhereAdjointNonZero(adj, contribution, subtract);
    }

    private static void ApplyVV(NodeKind kind, ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> v)
    {
        switch (kind)
        {
            case NodeKind.Add: TensorPrimitives.Add(a, b, v); break;
            case NodeKind.Sub: TensorPrimitives.Subtract(a, b, v); break;
            case NodeKind.Mul: TensorPrimitives.Multiply(a, b, v); break;
            case NodeKind.Div: TensorPrimitives.Divide(a, b, v); break;
            default: for (var i = 0; i < v.Length; i++) v[i] = Pow(a[i], b[i]); break;
        }
    }

    private static void ApplyVS(NodeKind kind, ReadOnlySpan<double> a, double c, Span<double> v)
    {
        switch (kind)
        {
            case NodeKind.Add: TensorPrimitives.Add(a, c, v); break;
            case NodeKind.Sub: TensorPrimitives.Subtract(a, c, v); break;
            case NodeKind.Mul: TensorPrimitives.Multiply(a, c, v); break;
            case NodeKind.Div: TensorPrimitives.Divide(a, c, v); break;
            default:
                // The exponents of the usual potentials by the same operations as the scalar Pow, everything else by Math.Pow.
                switch (c)
                {
                    case 1.0: a.CopyTo(v); break;
                    case 2.0: TensorPrimitives.Multiply(a, a, v); break;
                    case -1.0: TensorPrimitives.Divide(1.0, a, v); break;
                    case 0.5: TensorPrimitives.Sqrt(a, v); break;
                    case -0.5: TensorPrimitives.Sqrt(a, v); TensorPrimitives.Divide(1.0, v, v); break;
                    default: for (var i = 0; i < v.Length; i++) v[i] = Math.Pow(a[i], c); break;
                }
                break;
        }
    }

    private static void ApplySV(NodeKind kind, double c, ReadOnlySpan<double> b, Span<double> v)
    {
        switch (kind)
        {
            case NodeKind.Add: TensorPrimitives.Add(b, c, v); break; // c + b: addition is commutative in IEEE arithmetic
            case NodeKind.Sub: TensorPrimitives.Subtract(c, b, v); break;
            case NodeKind.Mul: TensorPrimitives.Multiply(b, c, v); break;
            case NodeKind.Div: TensorPrimitives.Divide(c, b, v); break;
            default: for (var i = 0; i < v.Length; i++) v[i] = Pow(c, b[i]); break;
        }
    }

    /// <summary>
    /// A species-resolved sum keeps the pairs whose neighbour is of its element: the others' g·f and d(g·f)/dr become
    /// zero (assigned, not multiplied, so that a non-finite pair term of another element cannot leak in).
    /// </summary>
    private static void MaskNeighbours(byte element, ReadOnlySpan<byte> neighbourElements, Span<double> phi, Span<double> dphi)
    {
        for (var p = 0; p < phi.Length; p++)
        {
            if (neighbourElements[p] == element) continue;
            phi[p] = 0;
            dphi[p] = 0;
        }
    }

    /// <summary>target ±= contribution where adjoint ≠ 0 (elsewhere the contribution may be 0·∞ and must not count).</summary>
    private static void AccumulateWhereAdjointNonZero(ReadOnlySpan<double> adjoint, ReadOnlySpan<double> contribution, Span<double> target, bool subtract)
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
                (subtract ? x - c : x + c).CopyTo(target[i..]);
            }
        }
        for (; i < n; i++)
        {
            if (adjoint[i] == 0) continue;
            if (subtract) target[i] -= contribution[i]; else target[i] += contribution[i];
        }
    }

    /// <summary>Σ ±contribution over the elements where adjoint ≠ 0, in order.</summary>
    private static double SumWhereAdjointNonZero(ReadOnlySpan<double> adjoint, ReadOnlySpan<double> contribution, bool subtract)
    {
        var sum = 0.0;
        for (var i = 0; i < adjoint.Length; i++)
            if (adjoint[i] != 0) sum += subtract ? -contribution[i] : contribution[i];
        return sum;
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
            switch (ins.Mode)
            {
                case Mode.VV:
                    ForwardVV(ins.Kind, w, Vec(w.Values, ins.A, n), Vec(w.Derivatives, ins.A, n), Vec(w.Values, ins.B, n), Vec(w.Derivatives, ins.B, n), v, d);
                    break;
                case Mode.VS:
                    ForwardVS(ins.Kind, w, Vec(w.Values, ins.A, n), Vec(w.Derivatives, ins.A, n), scalars[ins.B], v, d);
                    break;
                default:
                    ForwardSV(ins.Kind, w, scalars[ins.A], Vec(w.Values, ins.B, n), Vec(w.Derivatives, ins.B, n), v, d);
                    break;
            }
        }
        var root = _sumRoots[m];
        return _isScalar[root] ? -1 : _slot[root] * Batch;
    }

    private ReadOnlySpan<double> Vec(double[] buffer, int node, int n) => buffer.AsSpan(_slot[node] * Batch, n);

    private static void ForwardVV(NodeKind kind, Workspace w, ReadOnlySpan<double> a, ReadOnlySpan<double> da,
        ReadOnlySpan<double> b, ReadOnlySpan<double> db, Span<double> v, Span<double> d)
    {
        var n = a.Length;
        switch (kind)
        {
            case NodeKind.Add:
                TensorPrimitives.Add(a, b, v);
                TensorPrimitives.Add(da, db, d);
                break;
            case NodeKind.Sub:
                TensorPrimitives.Subtract(a, b, v);
                TensorPrimitives.Subtract(da, db, d);
                break;
            case NodeKind.Mul:
                TensorPrimitives.Multiply(a, b, v);
                TensorPrimitives.Multiply(da, b, d);
                TensorPrimitives.MultiplyAdd(a, db, d, d);
                break;
            case NodeKind.Div:
            {
                // (a' − v b') / b
                TensorPrimitives.Divide(a, b, v);
                var t = w.Temp.AsSpan(0, n);
                TensorPrimitives.Multiply(v, db, t);
                TensorPrimitives.Subtract(da, t, d);
                TensorPrimitives.Divide(d, b, d);
                break;
            }
            case NodeKind.Pow:
            {
                if (n > 0 && TensorPrimitives.Min(a) > 0)
                {
                    // a^b = exp(b ln a); d = v (b' ln a + b a'/a)
                    var ln = w.Log.AsSpan(0, n);
                    var t = w.Temp.AsSpan(0, n);
                    TensorPrimitives.Log(a, ln);
                    TensorPrimitives.Multiply(b, ln, t);
                    TensorPrimitives.Exp(t, v);
                    TensorPrimitives.Multiply(b, da, t);
                    TensorPrimitives.Divide(t, a, t);
                    TensorPrimitives.MultiplyAdd(db, ln, t, t);
                    TensorPrimitives.Multiply(v, t, d);
                }
                else
                {
                    for (var p = 0; p < n; p++)
                    {
                        var vp = Math.Pow(a[p], b[p]);
                        v[p] = vp;
                        var (pa, pb) = PowPartials(a[p], b[p], vp);
                        d[p] = (da[p] != 0 ? pa * da[p] : 0) + (db[p] != 0 ? pb * db[p] : 0);
                    }
                }
                break;
            }
        }
    }

    private static void ForwardVS(NodeKind kind, Workspace w, ReadOnlySpan<double> a, ReadOnlySpan<double> da, double c, Span<double> v, Span<double> d)
    {
        var n = a.Length;
        switch (kind)
        {
            case NodeKind.Add: TensorPrimitives.Add(a, c, v); da.CopyTo(d); break;
            case NodeKind.Sub: TensorPrimitives.Subtract(a, c, v); da.CopyTo(d); break;
            case NodeKind.Mul: TensorPrimitives.Multiply(a, c, v); TensorPrimitives.Multiply(da, c, d); break;
            case NodeKind.Div: TensorPrimitives.Divide(a, c, v); TensorPrimitives.Divide(da, c, d); break;
            case NodeKind.Pow: PowVS(w, a, da, c, v, d); break;
        }
    }

    private static void ForwardSV(NodeKind kind, Workspace w, double c, ReadOnlySpan<double> b, ReadOnlySpan<double> db, Span<double> v, Span<double> d)
    {
        var n = b.Length;
        switch (kind)
        {
            case NodeKind.Add: TensorPrimitives.Add(b, c, v); db.CopyTo(d); break;
            case NodeKind.Sub: TensorPrimitives.Subtract(c, b, v); TensorPrimitives.Negate(db, d); break;
            case NodeKind.Mul: TensorPrimitives.Multiply(b, c, v); TensorPrimitives.Multiply(db, c, d); break;
            case NodeKind.Div:
            {
                // c/b, d = −v b'/b
                TensorPrimitives.Divide(c, b, v);
                TensorPrimitives.Multiply(v, db, d);
                TensorPrimitives.Divide(d, b, d);
                TensorPrimitives.Negate(d, d);
                break;
            }
            case NodeKind.Pow:
            {
                if (c > 0)
                {
                    // c^b = exp(b ln c); d = v ln c b'
                    var lnc = Math.Log(c);
                    var t = w.Temp.AsSpan(0, n);
                    TensorPrimitives.Multiply(b, lnc, t);
                    TensorPrimitives.Exp(t, v);
                    TensorPrimitives.Multiply(db, lnc, t);
                    TensorPrimitives.Multiply(v, t, d);
                }
                else
                {
                    for (var p = 0; p < n; p++)
                    {
                        var vp = Math.Pow(c, b[p]);
                        v[p] = vp;
                        d[p] = db[p] != 0 && vp != 0 ? vp * Math.Log(c) * db[p] : 0;
                    }
                }
                break;
            }
        }
    }

    /// <summary>a^c for a constant exponent: integers by multiplication, half-integers by a square root and multiplication.</summary>
    private static void PowVS(Workspace w, ReadOnlySpan<double> a, ReadOnlySpan<double> da, double c, Span<double> v, Span<double> d)
    {
        var n = a.Length;
        if (c == 0) { v.Fill(1.0); d.Clear(); return; }
        var twice = 2 * c;
        if (Math.Abs(c) <= 32 && twice == Math.Floor(twice))
        {
            // q = a^(|c| − 1) (integer c) or a^(|c| − ½) (half-integer c, times √a); v = q a or 1/(q a).
            var half = twice != 2 * Math.Floor(c);
            var e = (int)Math.Floor(Math.Abs(c)); // the integer part of |c|
            var q = w.Scratch.AsSpan(0, n);
            var t = w.Temp.AsSpan(0, n);
            if (half)
            {
                IntegerPower(a, e, v, t);           // v = a^e
                TensorPrimitives.Sqrt(a, q);
                TensorPrimitives.Multiply(q, v, v); // v = a^|c|
            }
            else
            {
                IntegerPower(a, e - 1, q, t);       // q = a^(|c|−1)
                TensorPrimitives.Multiply(q, a, v); // v = a^|c|
            }
            if (c < 0) TensorPrimitives.Divide(1.0, v, v);
            if (!half && c > 0)
            {
                // Integer c ≥ 1: c a^(c−1) a' from q directly (exact at a = 0).
                TensorPrimitives.Multiply(q, c, t);
                TensorPrimitives.Multiply(t, da, d);
                return;
            }
            // d = c v / a · a'. At a = 0 that is 0/0; it matters only for c > 0 (for c < 0 the value is infinite anyway).
            TensorPrimitives.Multiply(v, c, t);
            TensorPrimitives.Divide(t, a, t);
            TensorPrimitives.Multiply(t, da, d);
            if (c > 0) FixZeroBase(a, da, c, d);
            return;
        }
        if (n > 0 && TensorPrimitives.Min(a) > 0)
        {
            var ln = w.Log.AsSpan(0, n);
            var t = w.Temp.AsSpan(0, n);
            TensorPrimitives.Log(a, ln);
            TensorPrimitives.Multiply(ln, c, t);
            TensorPrimitives.Exp(t, v);
            TensorPrimitives.Multiply(v, c, t);
            TensorPrimitives.Divide(t, a, t);
            TensorPrimitives.Multiply(t, da, d);
            return;
        }
        for (var p = 0; p < n; p++)
        {
            var vp = Math.Pow(a[p], c);
            v[p] = vp;
            d[p] = da[p] != 0 ? PowPartials(a[p], c, vp).Da * da[p] : 0;
        }
    }

    private static void FixZeroBase(ReadOnlySpan<double> a, ReadOnlySpan<double> da, double c, Span<double> d)
    {
        for (var p = 0; p < a.Length; p++)
            if (a[p] == 0) d[p] = da[p] != 0 ? c * Math.Pow(a[p], c - 1) * da[p] : 0;
    }

    /// <summary>result = a^e for e ≥ 0 by binary powering (scratch is overwritten).</summary>
    private static void IntegerPower(ReadOnlySpan<double> a, int e, Span<double> result, Span<double> scratch)
    {
        result.Fill(1.0);
        if (e == 0) return;
        a.CopyTo(scratch);
        while (true)
        {
            if ((e & 1) != 0) TensorPrimitives.Multiply(result, scratch, result);
            e >>= 1;
            if (e == 0) return;
            TensorPrimitives.Multiply(scratch, scratch, scratch);
        }
    }

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
                if (at < 0)
                {
                    double s = 0;
                    for (var p = 0; p < n; p++)
                        if (element == 0 || neighbourElements[p] == element) s += gradients[m * atomCount + atoms[p]] * f[p];
                    scalarAdjoints[root] += s;
                    continue;
                }
                var program = _programs[m];
                foreach (var ins in program) w.Adjoints.AsSpan(_slot[ins.Out] * Batch, n).Clear();
                var rootAdj = w.Adjoints.AsSpan(_slot[root] * Batch, n);
                for (var p = 0; p < n; p++)
                    rootAdj[p] = element == 0 || neighbourElements[p] == element ? gradients[m * atomCount + atoms[p]] * f[p] : 0.0;
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
            int a = LeftChild(i), b = i - 1;
            var (pa, pb) = Partials(node.Kind, scalars[a], scalars[b], scalars[i]);
            scalarAdjoints[a] += adj * pa;
            scalarAdjoints[b] += adj * pb;
        }
    }

    private static (double Da, double Db) Partials(NodeKind kind, double a, double b, double v) => kind switch
    {
        NodeKind.Add => (1, 1),
        NodeKind.Sub => (1, -1),
        NodeKind.Mul => (b, a),
        NodeKind.Div => (1 / b, -v / b),
        NodeKind.Pow => PowPartials(a, b, v),
        _ => (0, 0),
    };

    private void Backward(Workspace w, PairInstruction ins, int n, ReadOnlySpan<double> scalars, Span<double> scalarAdjoints)
    {
        if (ins.Mode == Mode.LoadR) return;
        var adj = w.Adjoints.AsSpan(_slot[ins.Out] * Batch, n);
        var v = w.Values.AsSpan(_slot[ins.Out] * Batch, n);
        var vectorA = ins.Mode != Mode.SV;
        var vectorB = ins.Mode != Mode.VS;
        var a = vectorA ? w.Values.AsSpan(_slot[ins.A] * Batch, n) : default;
        var b = vectorB ? w.Values.AsSpan(_slot[ins.B] * Batch, n) : default;
        var adjA = vectorA ? w.Adjoints.AsSpan(_slot[ins.A] * Batch, n) : default;
        var adjB = vectorB ? w.Adjoints.AsSpan(_slot[ins.B] * Batch, n) : default;
        double ca = vectorA ? 0 : scalars[ins.A], cb = vectorB ? 0 : scalars[ins.B];
        double sumA = 0, sumB = 0;
        for (var p = 0; p < n; p++)
        {
            var g = adj[p];
            if (g == 0) continue;
            var (pa, pb) = Partials(ins.Kind, vectorA ? a[p] : ca, vectorB ? b[p] : cb, v[p]);
            if (vectorA) adjA[p] += g * pa; else sumA += g * pa;
            if (vectorB) adjB[p] += g * pb; else sumB += g * pb;
        }
        if (!vectorA) scalarAdjoints[ins.A] += sumA;
        if (!vectorB) scalarAdjoints[ins.B] += sumB;
    }
}
