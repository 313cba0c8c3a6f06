using PoetSharp.Atoms;
using PoetSharp.Models;

namespace PoetSharp.Potentials;

/// <summary>
/// The fast path of a POET model for simulations: each neighbour sum's pair function g_k(r) is tabulated once as a
/// quintic Hermite spline (exact values and first and second derivatives at the nodes, from a second-order forward-mode differentiation
/// of the expression tree), so a pair costs a table lookup per sum instead of the tree's pow/exp calls; the taper is
/// applied exactly. The grid is refined until the spline agrees with the exact g and g′ to <see cref="Tolerance"/>
/// relative (checked at every interval's midpoint and quarter points, where a Hermite spline errs most; quintic rather than cubic
/// so the grid can stay coarse enough that rounding in the lookup does not limit the accuracy). Below
/// <see cref="TableStart"/> (atoms nearly on top of each other) the exact expression is used.
/// The atom expression A(s_1, …, s_K) and its gradient are evaluated by a small stack interpreter per atom.
/// Energies: E_i = A(s_i), s_ik = Σ_j g_k(r_ij) f(r_ij); forces from ∂E/∂r_ij = Σ_k (∂A_i/∂s_k + ∂A_j/∂s_k)(g_k f)′.
/// Allocation-free once warmed up; parallel over atoms for large structures (each thread its own accumulators).
/// </summary>
public sealed class TabulatedModelPotential : IPotential
{
    private readonly Expression _expression;
    private readonly Taper _taper;
    private readonly int _sums;
    private readonly int[] _sumRoots;           // node index of each sum's pair-expression root
    private readonly int[] _atomProgram;        // atom-level node indices in postfix order (pair subtrees skipped)
    private readonly int[] _sumOfNode;          // node index → sum number (for Sum nodes), else −1
    private readonly double[] _table;           // per sum, per grid point: g, g′, g″ (interleaved)
    private readonly int _points;
    private readonly double _inverseSpacing;
    private readonly ThreadLocal<Scratch> _scratch;
    private readonly double _innerSquared, _outerSquared, _taperScale; // the taper's constants, computed once

    public string Name { get; }
    public double Cutoff => _taper.Outer;
    public IReadOnlyList<string>? Species { get; }
    /// <summary>Grid spacing of the tables (Å).</summary>
    public double Spacing { get; }
    /// <summary>Smallest tabulated distance (Å); closer pairs use the exact expression.</summary>
    public double TableStart { get; }
    /// <summary>Requested relative accuracy of the tabulated g and g′.</summary>
    public double Tolerance { get; }
    /// <summary>The largest relative error of g or g′ found by the check (relative to max(|g|, 1e-3·max|g|) and likewise for g′).</summary>
    public double MeasuredError { get; }
    public Taper Taper => _taper;
    public Expression Expression => _expression;

    /// <summary>Structures with at least this many atoms are computed in parallel.</summary>
    public int ParallelThreshold { get; init; } = 2000;

    public TabulatedModelPotential(Expression expression, Taper taper, IReadOnlyList<string>? species = null, string? name = null,
        double tolerance = 1e-8, double tableStart = 0.5)
    {
        expression.RequireAtomExpression();
        taper.Validate();
        if (!(tableStart > 0) || tableStart >= taper.Outer) throw new ArgumentException($"the table must start between 0 and the cutoff (got {tableStart} Å)");
        _expression = expression;
        _taper = taper;
        _innerSquared = taper.Inner * taper.Inner;
        _outerSquared = taper.Outer * taper.Outer;
        _taperScale = 1 / Math.Pow(_outerSquared - _innerSquared, 3);
        Species = species;
        Tolerance = tolerance;
        TableStart = tableStart;
        Name = name ?? $"tabulated model ({expression.Complexity} nodes, taper {taper.Inner:G4}–{taper.Outer:G4} Å)";

        var nodes = expression.Nodes;
        _sumOfNode = new int[nodes.Length];
        Array.Fill(_sumOfNode, -1);
        var roots = new List<int>();
        var program = new List<int>();
        var insideSum = new bool[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
            if (nodes[i].Kind == NodeKind.Sum)
            {
                _sumOfNode[i] = roots.Count;
                roots.Add(i - 1);
                for (var k = expression.SubtreeStart(i); k < i; k++) insideSum[k] = true;
            }
        for (var i = 0; i < nodes.Length; i++) if (!insideSum[i]) program.Add(i);
        _sumRoots = roots.ToArray();
        _atomProgram = program.ToArray();
        _sums = _sumRoots.Length;

        // Refine the grid until every sum's spline meets the tolerance (or the grid gets absurdly fine).
        var spacing = 0.04;
        double[] table;
        double error;
        while (true)
        {
            table = Tabulate(spacing, out var points);
            error = CheckTable(table, spacing, points);
            if (error <= tolerance || spacing < 1e-4) { _points = points; break; }
            spacing /= 2;
        }
        if (!(error <= tolerance))
            throw new ArgumentException($"the pair functions cannot be tabulated to {tolerance:G2} relative on [{tableStart}, {taper.Outer}] Å (best {error:G3}): they are not smooth or not finite there");
        _table = table;
        Spacing = spacing;
        _inverseSpacing = 1 / spacing;
        MeasuredError = error;
        _scratch = new ThreadLocal<Scratch>(() => new Scratch(_sums, _atomProgram.Length), trackAllValues: false);
    }

    // ---- tables

    private double[] Tabulate(double spacing, out int points)
    {
        points = (int)Math.Ceiling((Cutoff - TableStart) / spacing) + 2;
        var table = new double[_sums * points * Stride];
        for (var k = 0; k < _sums; k++)
            for (var p = 0; p < points; p++)
            {
                var jet = PairJet(_sumRoots[k], TableStart + p * spacing);
                var b = (p * _sums + k) * Stride;
                table[b] = jet.Value;
                table[b + 1] = jet.D1 * spacing;
                table[b + 2] = jet.D2 * spacing * spacing;
            }
        return table;
    }

    private double CheckTable(double[] table, double spacing, int points)
    {
        var worst = 0.0;
        for (var k = 0; k < _sums; k++)
        {
            // Scales below which errors count as absolute: a function crossing zero has no relative error there.
            double gScale = 0, dScale = 0;
            for (var p = 0; p < points; p++)
            {
                gScale = Math.Max(gScale, Math.Abs(table[(p * _sums + k) * Stride]));
                dScale = Math.Max(dScale, Math.Abs(table[(p * _sums + k) * Stride + 1]) / spacing);
            }
            if (!double.IsFinite(gScale) || !double.IsFinite(dScale)) return double.PositiveInfinity;
            // (ε keeps a function that is identically zero, like the derivative of a constant, from dividing 0 by 0.)
            gScale = Math.Max(1e-3 * gScale, double.Epsilon); dScale = Math.Max(1e-3 * dScale, double.Epsilon);
            for (var p = 0; p + 1 < points; p++)
                foreach (var t in (ReadOnlySpan<double>)[0.25, 0.5, 0.75])
                {
                    var r = TableStart + (p + t) * spacing;
                    if (r >= Cutoff) break;
                    var exact = PairJet(_sumRoots[k], r);
                    Span<double> gs = stackalloc double[_sums], dgs = stackalloc double[_sums];
                    Interpolate(table, points, r, 1 / spacing, gs, dgs);
                    var (g, dg) = (gs[k], dgs[k]);
                    var e = Math.Max(Math.Abs(g - exact.Value) / Math.Max(Math.Abs(exact.Value), gScale),
                                     Math.Abs(dg - exact.D1) / Math.Max(Math.Abs(exact.D1), dScale));
                    if (!(e <= worst)) worst = double.IsNaN(e) ? double.PositiveInfinity : e;
                }
        }
        return worst;
    }

    /// <summary>
    /// Every sum's g and g′ at r from the table: the quintic Hermite weights are computed once per pair and applied to
    /// each sum's six coefficients (value, slope·h, curvature·h² at both ends of the interval), stored side by side.
    /// </summary>
    private void Interpolate(double[] table, int points, double r, double inverseSpacing, Span<double> g, Span<double> dg)
    {
        var x = (r - TableStart) * inverseSpacing;
        var p = (int)x;
        if (p >= points - 1) p = points - 2;
        var t = x - p;
        double t2 = t * t, t3 = t2 * t, t4 = t3 * t, t5 = t4 * t;
        double wy1 = 10 * t3 - 15 * t4 + 6 * t5, wy0 = 1 - wy1;
        double wd0 = t - 6 * t3 + 8 * t4 - 3 * t5, wd1 = -4 * t3 + 7 * t4 - 3 * t5;
        double wc0 = 0.5 * t2 - 1.5 * t3 + 1.5 * t4 - 0.5 * t5, wc1 = 0.5 * t3 - t4 + 0.5 * t5;
        double sy = (30 * t2 - 60 * t3 + 30 * t4) * inverseSpacing;
        double sd0 = (1 - 18 * t2 + 32 * t3 - 15 * t4) * inverseSpacing, sd1 = (-12 * t2 + 28 * t3 - 15 * t4) * inverseSpacing;
        double sc0 = (t - 4.5 * t2 + 6 * t3 - 2.5 * t4) * inverseSpacing, sc1 = (1.5 * t2 - 4 * t3 + 2.5 * t4) * inverseSpacing;
        var k = _sums;
        var b0 = p * k * Stride;
        var b1 = b0 + k * Stride;
        for (var s = 0; s < k; s++, b0 += Stride, b1 += Stride)
        {
            double y0 = table[b0], d0 = table[b0 + 1], c0 = table[b0 + 2];
            double y1 = table[b1], d1 = table[b1 + 1], c1 = table[b1 + 2];
            g[s] = wy0 * y0 + wd0 * d0 + wc0 * c0 + wc1 * c1 + wd1 * d1 + wy1 * y1;
            dg[s] = sy * (y1 - y0) + sd0 * d0 + sc0 * c0 + sc1 * c1 + sd1 * d1;
        }
    }

    private const int Stride = 3;

    private readonly record struct Jet(double Value, double D1, double D2);

    /// <summary>The pair expression rooted at node <paramref name="root"/> and its first two r-derivatives, by forward-mode jets.</summary>
    private Jet PairJet(int root, double r)
    {
        var nodes = _expression.Nodes;
        var start = _expression.SubtreeStart(root);
        Span<Jet> stack = stackalloc Jet[root - start + 1];
        var top = 0;
        for (var i = start; i <= root; i++)
        {
            var node = nodes[i];
            switch (node.Kind)
            {
                case NodeKind.Constant: stack[top++] = new Jet(_expression.ConstantOf(i), 0, 0); continue;
                case NodeKind.Distance: stack[top++] = new Jet(r, 1, 0); continue;
            }
            var b = stack[--top];
            var a = stack[--top];
            stack[top++] = node.Kind switch
            {
                NodeKind.Add => new Jet(a.Value + b.Value, a.D1 + b.D1, a.D2 + b.D2),
                NodeKind.Sub => new Jet(a.Value - b.Value, a.D1 - b.D1, a.D2 - b.D2),
                NodeKind.Mul => new Jet(a.Value * b.Value, a.D1 * b.Value + a.Value * b.D1, a.D2 * b.Value + 2 * a.D1 * b.D1 + a.Value * b.D2),
                NodeKind.Div => Divide(a, b),
                NodeKind.Pow => Power(a, b),
                _ => throw new InvalidOperationException($"{node.Kind} inside a pair expression"),
            };
        }
        return stack[0];
    }

    private static Jet Divide(Jet a, Jet b)
    {
        var w = a.Value / b.Value;
        var w1 = (a.D1 - w * b.D1) / b.Value;
        var w2 = (a.D2 - 2 * w1 * b.D1 - w * b.D2) / b.Value;
        return new Jet(w, w1, w2);
    }

    private static Jet Power(Jet a, Jet b)
    {
        var u = a.Value;
        if (b.D1 == 0 && b.D2 == 0)
        {
            // Constant exponent: valid for negative bases with integer exponents too.
            var c = b.Value;
            var w = Math.Pow(u, c);
            var p1 = c == 0 ? 0 : c * Math.Pow(u, c - 1);
            var p2 = c == 0 || c == 1 ? 0 : c * (c - 1) * Math.Pow(u, c - 2);
            return new Jet(w, p1 * a.D1, p2 * a.D1 * a.D1 + p1 * a.D2);
        }
        // u^v = exp(v ln u): L = v ln u, w′ = w L′, w″ = w (L″ + L′²).
        var value = Math.Pow(u, b.Value);
        var log = Math.Log(u);
        var l1 = b.D1 * log + b.Value * a.D1 / u;
        var l2 = b.D2 * log + 2 * b.D1 * a.D1 / u + b.Value * (a.D2 / u - a.D1 * a.D1 / (u * u));
        return new Jet(value, value * l1, value * (l2 + l1 * l1));
    }

    // ---- energy and forces

    private sealed class Scratch(int sums, int programLength)
    {
        public double[] Sums = [];          // per atom, per sum
        public double[] Gradient = [];      // ∂A/∂s per atom, per sum
        public Vec3[] Forces = [];
        public double[] Energies = [];
        public readonly double[] StackValue = new double[programLength + 1];
        public readonly double[] StackGradient = new double[(programLength + 1) * Math.Max(1, sums)];
        public readonly double[] PairG = new double[Math.Max(1, sums)];
        public readonly double[] PairDg = new double[Math.Max(1, sums)];
        public Stress PairVirial;
        public double[] PairSlopes = [];
        // The pairs within the cutoff found by pass 1, for pass 2: atoms, unit vector from i to j, distance.
        public int[] PairI = [], PairJ = [];
        public Vec3[] PairVector = [];
        public double[] PairLength = [];
        public int PairCount;

        public void EnsurePairs(int pairs, int sums)
        {
            if (PairSlopes.Length < pairs * sums) PairSlopes = new double[Math.Max(pairs * sums, 2 * PairSlopes.Length)];
            if (PairI.Length < pairs)
            {
                var size = Math.Max(pairs, 2 * PairI.Length);
                PairI = new int[size]; PairJ = new int[size]; PairVector = new Vec3[size]; PairLength = new double[size];
            }
        }

        public void Ensure(int atoms)
        {
            if (Sums.Length < atoms * sums) { Sums = new double[atoms * sums]; Gradient = new double[atoms * sums]; }
            if (Forces.Length < atoms) { Forces = new Vec3[atoms]; Energies = new double[atoms]; }
        }
    }

    // The parallel path keeps its per-call state in fields so that its loop bodies are cached delegates; one call at a
    // time may use it (others, e.g. from parallel structure loops, take the serial path, keeping the class thread-safe).
    private readonly object _parallelGate = new();
    private Scratch[] _workers = [];
    private Action<int>? _sumBody, _forceBody;
    private Structure? _structure;
    private NeighbourList? _list;
    private int _chunks;
    private readonly int[] _bounds = new int[Environment.ProcessorCount + 1];

    public void Compute(Structure structure, NeighbourList halfList, PotentialResult result)
    {
        this.CheckSpecies(structure);
        if (halfList.Cutoff < Cutoff) throw new ArgumentException($"the neighbour list cutoff {halfList.Cutoff} Å is below the model's {Cutoff} Å");
        var n = structure.Count;
        result.Reset(n);
        if (n >= ParallelThreshold && Environment.ProcessorCount > 1 && Monitor.TryEnter(_parallelGate))
        {
            try { ComputeParallel(structure, halfList, result); }
            finally { Monitor.Exit(_parallelGate); }
            return;
        }
        var main = _scratch.Value!;
        main.Ensure(n);
        var sums = main.Sums.AsSpan(0, n * _sums);
        sums.Clear();
        AccumulateSums(structure, halfList, 0, n, sums, main);
        result.Energy = AtomEnergies(0, n, sums, main.Gradient, result.AtomEnergies, main);
        var dEdStrain = PairForces(structure, halfList, 0, n, main.Gradient, result.Forces, main);
        result.SetVirialFromPairSum(dEdStrain, structure.Cell);
    }

    private double AtomEnergies(int from, int to, ReadOnlySpan<double> sums, double[] gradient, Span<double> energies, Scratch scratch)
    {
        var total = 0.0;
        for (var i = from; i < to; i++)
        {
            energies[i] = AtomEnergy(sums.Slice(i * _sums, _sums), gradient.AsSpan(i * _sums, _sums), scratch);
            total += energies[i];
        }
        return total;
    }

    /// <summary>
    /// Rows of the half list split into one chunk per core (balanced by pair count); each worker accumulates sums, then
    /// forces, into its own arrays, which are added up afterwards (in a fixed order: results do not depend on timing).
    /// </summary>
    private void ComputeParallel(Structure structure, NeighbourList list, PotentialResult result)
    {
        var n = structure.Count;
        var k = _sums;
        _chunks = Math.Min(Environment.ProcessorCount, Math.Max(1, n / 500));
        if (_workers.Length < _chunks)
        {
            var grown = new Scratch[_chunks];
            for (var t = 0; t < _chunks; t++) grown[t] = t < _workers.Length ? _workers[t] : new Scratch(_sums, _atomProgram.Length);
            _workers = grown;
        }
        var offsets = list.Offsets;
        var pairs = offsets[n];
        _bounds[0] = 0;
        for (int t = 1, i = 0; t <= _chunks; t++)
        {
            var target = (long)pairs * t / _chunks;
            while (i < n && offsets[i] < target) i++;
            _bounds[t] = t == _chunks ? n : i;
        }
        _structure = structure;
        _list = list;
        for (var t = 0; t < _chunks; t++) _workers[t].Ensure(n);
        _sumBody ??= t =>
        {
            var w = _workers[t];
            var own = w.Sums.AsSpan(0, _structure!.Count * _sums);
            own.Clear();
            AccumulateSums(_structure, _list!, _bounds[t], _bounds[t + 1], own, w);
        };
        _forceBody ??= t =>
        {
            var w = _workers[t];
            var own = w.Forces.AsSpan(0, _structure!.Count);
            own.Clear();
            w.PairVirial = PairForces(_structure, _list!, _bounds[t], _bounds[t + 1], _workers[0].Gradient, own, w);
        };

        Parallel.For(0, _chunks, _sumBody);
        var total = _workers[0].Sums.AsSpan(0, n * k);
        for (var t = 1; t < _chunks; t++)
        {
            var other = _workers[t].Sums.AsSpan(0, n * k);
            for (var q = 0; q < total.Length; q++) total[q] += other[q];
        }
        // Atom energies are cheap next to the pair loops: serial, into worker 0's gradient (read by every force worker).
        result.Energy = AtomEnergies(0, n, total, _workers[0].Gradient, result.AtomEnergies, _workers[0]);

        Parallel.For(0, _chunks, _forceBody);
        var forces = result.Forces;
        var dEdStrain = Stress.Zero;
        for (var t = 0; t < _chunks; t++)
        {
            var own = _workers[t].Forces;
            for (var i = 0; i < n; i++) forces[i] += own[i];
            dEdStrain += _workers[t].PairVirial;
        }
        _structure = null;
        _list = null;
        result.SetVirialFromPairSum(dEdStrain, structure.Cell);
    }

    /// <summary>
    /// Pass 1 over the rows [from, to): adds g_k f of every pair within the cutoff to both atoms' sums, and keeps each
    /// pair's d(g_k f)/dr in the scratch, in list order, for pass 2 (which then needs no second lookup).
    /// </summary>
    private void AccumulateSums(Structure structure, NeighbourList list, int from, int to, Span<double> sums, Scratch scratch)
    {
        var positions = structure.Positions;
        var offsets = list.Offsets;
        var neighbours = list.Neighbours;
        var shiftIndex = list.ShiftIndex;
        var shifts = list.ShiftVectors;
        var rc2 = Cutoff * Cutoff;
        var k = _sums;
        scratch.EnsurePairs(offsets[to] - offsets[from], k);
        var slopes = scratch.PairSlopes;
        int[] pairI = scratch.PairI, pairJ = scratch.PairJ;
        var vectors = scratch.PairVector;
        var lengths = scratch.PairLength;
        var kept = 0;
        for (var i = from; i < to; i++)
        {
            // Keep the entries within the cutoff without a branch (with a list skin, which ones are is unpredictable):
            // every entry is written, and the count only advances for those inside.
            var first = kept;
            var pi = positions[i];
            for (var e = offsets[i]; e < offsets[i + 1]; e++)
            {
                var j = neighbours[e];
                var d = positions[j] - pi + shifts[shiftIndex[e]];
                vectors[kept] = d;
                pairJ[kept] = j;
                var inside = d.LengthSquared < rc2;
                kept += System.Runtime.CompilerServices.Unsafe.As<bool, byte>(ref inside);
            }
            for (var q = first; q < kept; q++)
            {
                var r = vectors[q].Length;
                var (f, df) = TaperAt(r);
                var j = pairJ[q];
                PairValues(r, scratch);
                for (var s = 0; s < k; s++)
                {
                    var g = scratch.PairG[s];
                    var v = g * f;
                    sums[i * k + s] += v;
                    sums[j * k + s] += v;
                    slopes[q * k + s] = scratch.PairDg[s] * f + g * df;
                }
                pairI[q] = i;
                vectors[q] /= r;
                lengths[q] = r;
            }
        }
        scratch.PairCount = kept;
    }

    /// <summary>POET's taper f(r) and f′(r) as <see cref="Taper.Evaluate"/>, with its constant denominator computed once (pairs are the hot loop).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private (double Value, double Derivative) TaperAt(double r)
    {
        var r2 = r * r;
        if (r2 <= _innerSquared) return (1.0, 0.0);
        if (r2 >= _outerSquared) return (0.0, 0.0);
        var a = 2 * r2 - 3 * _innerSquared + _outerSquared;
        var b = _outerSquared - r2;
        return (a * b * b * _taperScale, 4 * r * b * (b - a) * _taperScale);
    }

    private void PairValues(double r, Scratch scratch)
    {
        if (r >= TableStart)
            Interpolate(_table, _points, r, _inverseSpacing, scratch.PairG, scratch.PairDg);
        else
            for (var s = 0; s < _sums; s++)
            {
                var jet = PairJet(_sumRoots[s], r);
                scratch.PairG[s] = jet.Value;
                scratch.PairDg[s] = jet.D1;
            }
    }

    /// <summary>A(s) and ∂A/∂s_k by forward differentiation over the atom-level program.</summary>
    private double AtomEnergy(ReadOnlySpan<double> s, Span<double> gradient, Scratch scratch)
    {
        var nodes = _expression.Nodes;
        var k = _sums;
        var values = scratch.StackValue;
        var grads = scratch.StackGradient;
        var top = 0;
        foreach (var i in _atomProgram)
        {
            var node = nodes[i];
            switch (node.Kind)
            {
                case NodeKind.Constant:
                    values[top] = _expression.ConstantOf(i);
                    grads.AsSpan(top * k, k).Clear();
                    top++;
                    continue;
                case NodeKind.Sum:
                    var which = _sumOfNode[i];
                    values[top] = s[which];
                    grads.AsSpan(top * k, k).Clear();
                    grads[top * k + which] = 1;
                    top++;
                    continue;
            }
            top -= 2;
            int ia = top * k, ib = (top + 1) * k;
            double a = values[top], b = values[top + 1], w;
            switch (node.Kind)
            {
                case NodeKind.Add:
                    w = a + b;
                    for (var q = 0; q < k; q++) grads[ia + q] += grads[ib + q];
                    break;
                case NodeKind.Sub:
                    w = a - b;
                    for (var q = 0; q < k; q++) grads[ia + q] -= grads[ib + q];
                    break;
                case NodeKind.Mul:
                    w = a * b;
                    for (var q = 0; q < k; q++) grads[ia + q] = grads[ia + q] * b + a * grads[ib + q];
                    break;
                case NodeKind.Div:
                    w = a / b;
                    for (var q = 0; q < k; q++) grads[ia + q] = (grads[ia + q] - w * grads[ib + q]) / b;
                    break;
                case NodeKind.Pow:
                    w = Math.Pow(a, b);
                    var constantExponent = true;
                    for (var q = 0; q < k; q++) if (grads[ib + q] != 0) { constantExponent = false; break; }
                    if (constantExponent)
                    {
                        var p1 = b == 0 ? 0 : b * Math.Pow(a, b - 1);
                        for (var q = 0; q < k; q++) grads[ia + q] *= p1;
                    }
                    else
                    {
                        var log = Math.Log(a);
                        for (var q = 0; q < k; q++) grads[ia + q] = w * (grads[ib + q] * log + b * grads[ia + q] / a);
                    }
                    break;
                default:
                    throw new InvalidOperationException($"{node.Kind} at atom level");
            }
            values[top] = w;
            top++;
        }
        grads.AsSpan(0, k).CopyTo(gradient);
        return values[0];
    }

    /// <summary>Pass 2 over the same rows, in the same order: forces and the virial from ∂E/∂r = Σ_k (∂A_i/∂s_k + ∂A_j/∂s_k) d(g_k f)/dr.</summary>
    private Stress PairForces(Structure structure, NeighbourList list, int from, int to, double[] gradient, Span<Vec3> forces, Scratch scratch)
    {
        var k = _sums;
        var slopes = scratch.PairSlopes;
        var p = 0;
        double xx = 0, yy = 0, zz = 0, yz = 0, xz = 0, xy = 0;
        for (var q = 0; q < scratch.PairCount; q++)
        {
            int i = scratch.PairI[q], j = scratch.PairJ[q];
            var dEdr = 0.0;
            for (var s = 0; s < k; s++) dEdr += (gradient[i * k + s] + gradient[j * k + s]) * slopes[p++];
            // u = (r_j − r_i)/r: ∂E/∂r_j = (dE/dr) u and ∂E/∂r_i = −(dE/dr) u; the virial sums (dE/dr) r u⊗u.
            var u = scratch.PairVector[q];
            var g = dEdr * u;
            forces[i] += g;
            forces[j] -= g;
            var c = dEdr * scratch.PairLength[q];
            xx += c * u.X * u.X; yy += c * u.Y * u.Y; zz += c * u.Z * u.Z;
            yz += c * u.Y * u.Z; xz += c * u.X * u.Z; xy += c * u.X * u.Y;
        }
        return new Stress(xx, yy, zz, yz, xz, xy);
    }
}
