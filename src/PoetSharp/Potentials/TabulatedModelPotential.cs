using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using PoetSharp.Atoms;
using PoetSharp.Evaluation;
using PoetSharp.Models;

namespace PoetSharp.Potentials;

/// <summary>
/// The fast path of a POET model for simulations. Each neighbour sum's tapered pair function h_k(r) = g_k(r)·f(r) is
/// tabulated once as a quintic Hermite spline (exact values and first and second derivatives at the nodes, from a
/// second-order forward-mode differentiation of the expression tree and of the taper), stored per interval as the six
/// coefficients of a polynomial in the position within the interval, so a pair costs five fused multiply-adds per sum
/// for the value and four for the slope, instead of the tree's pow/exp calls and the taper. The taper's inner radius is
/// a grid node, so the kink in f″ there falls between two intervals. The grid is refined until the spline agrees with the
/// exact h and h′ to <see cref="Tolerance"/> relative (checked at every interval's quarter points and midpoint, where a
/// Hermite spline errs most; quintic rather than cubic so the grid can stay coarse enough that rounding in the lookup
/// does not limit the accuracy). Below <see cref="TableStart"/> (atoms nearly on top of each other) the exact expression
/// is used.
/// The atom expression A(S_1, …, S_K) and its gradient are evaluated over all atoms at once by the vectorised atom level
/// of <see cref="CompiledModel"/>.
/// Energies: E_i = A(S_i), S_ik = Σ_j h_k(r_ij); forces from ∂E/∂r_ij = Σ_k (∂A_i/∂S_k + ∂A_j/∂S_k) h_k′(r_ij).
/// The two pair passes follow LAMMPS's EAM kernels (half list, pairs within the cutoff kept between the passes, forces on
/// atom i gathered in registers). Allocation-free once warmed up; parallel over atoms on the process's persistent worker
/// threads for large structures (each chunk its own accumulators, added up in a fixed order).
/// Several elements: a sum over the neighbours of element B adds h_k(r_ij) to S_ik only when j is a B atom (and to S_jk
/// only when i is), and per-element terms are selected per atom by the atom level. The vector kernels do this with
/// per-element lane masks (bitwise, not multiplied, and without branches on the elements, which come in random order).
/// <para>Angular densities ρ_l = Σ_{j,k} φ_j φ_k P_l(cos θ_jik) (<see cref="AngularMoments"/>): their φ = g·f are
/// tabulated with the plain sums' pair functions (after them, in the same rows of the table). Pass 1 adds, for a half-list
/// pair with d = r_j − r_i, u = d/r, φ u^{⊗l} to atom i's moment and φ (−u)^{⊗l} = (−1)^l φ u^{⊗l} to atom j's (each only
/// when the other atom is of the density's element, if it names one); the atom level takes ρ = Density(M) at the
/// density's place among the model's neighbour sums. Pass 2: with G = ∂E/∂ρ, ∂E/∂d of a pair is the derivative of
/// ρ_i(d) and of ρ_j(−d); since h and ∇h are homogeneous of degrees l and l − 1 in u, both come from one projection of
/// the combined moment G_i M_i + (−1)^l G_j M_j: ∂E/∂d = (h φ′ − l φ h / r) u + (φ/r) ∇h. The transverse part makes a
/// pair's d ⊗ ∂E/∂d asymmetric (the sum over pairs is symmetric), so angular models symmetrise each pair's virial term.
/// The angular part is scalar code, in the same passes (no third pass over the pairs).</para>
/// </summary>
public sealed class TabulatedModelPotential : IPotential
{
    private readonly Expression _expression;
    private readonly Taper _taper;
    private readonly CompiledModel _atomLevel;
    private readonly int _sums;                 // plain sums (Σ_j h_k), which the kernels below handle
    private readonly int[] _sumRoots;           // node index of each plain sum's pair-expression root
    private readonly byte[] _sumElement;        // the neighbours' element of each plain sum (atomic number; 0: all)
    private readonly int[] _sumIndex;           // the atom level's index of plain sum k (its place among all neighbour sums)
    // Angular densities a = 0.._angular−1: tabulated after the plain sums (function _sums + a of the table).
    private readonly int _angular;
    private readonly int[] _angularRoots, _angularOrder, _angularIndex, _momentOffset;
    private readonly byte[] _angularElement;
    private readonly int _momentWidth;          // moment components per atom over all angular densities
    private readonly int _functions;            // tabulated functions: plain sums, then angular densities
    private readonly bool _speciesResolved;     // sums over one element's neighbours or per-element terms: kernels with masks
    // Vector kernels of a species-resolved model: at [(z·groups + g)·2 + lane], all bits set where sum 2g + lane takes a
    // pair term from a neighbour of atomic number z (its element, or every element), none otherwise (and for padding).
    private readonly long[] _laneMasks = [];
    // [(interval·T + k)·11 + m] (T = _functions): h_k = Σ_{m<6} c_m t^m on the interval, then h_k′ = Σ_{m<5} c_{6+m} t^m
    // (per Å): one interval's coefficients of every function side by side, so a pair touches two or three cache lines.
    private readonly double[] _table;
    // The same coefficients for the vector kernels: per interval, per pair of sums (a, b), six coefficients each of four
    // lanes (h_a, h_b, h_a′, h_b′), the slopes' sixth zero, as is a missing second sum. Empty where 256-bit vectors are
    // not accelerated.
    private readonly double[] _vectorTable = [];
    private readonly int _groups;               // pairs of sums in the vector table (0: scalar kernels)
    private readonly int _width;                // sums per atom in the pair passes' arrays (K, or 2·groups)
    private const int VectorStride = 24;
    private readonly int _lastInterval;
    private readonly double _inverseSpacing;
    private readonly double _innerSquared, _outerSquared, _taperScale; // the taper's constants, computed once
    private readonly ThreadLocal<Chunk[]> _serial;

    public string Name { get; }
    public double Cutoff => _taper.Outer;
    public IReadOnlyList<string>? Species { get; }
    /// <summary>Grid spacing of the tables (Å).</summary>
    public double Spacing { get; }
    /// <summary>Smallest tabulated distance (Å): the first grid node at or above the requested start; closer pairs use the exact expression.</summary>
    public double TableStart { get; }
    /// <summary>Requested relative accuracy of the tabulated h and h′.</summary>
    public double Tolerance { get; }
    /// <summary>The largest relative error of h or h′ found by the check (relative to max(|h|, 1e-3·max|h|) and likewise for h′).</summary>
    public double MeasuredError { get; }
    public Taper Taper => _taper;
    public Expression Expression => _expression;

    /// <summary>Structures with at least this many atoms are computed in parallel.</summary>
    public int ParallelThreshold { get; init; } = 2000;

    public TabulatedModelPotential(Expression expression, Taper taper, IReadOnlyList<string>? species = null, string? name = null,
        double tolerance = 1e-8, double tableStart = 0.5)
        : this(expression, taper, species, name, tolerance, tableStart, Vector256.IsHardwareAccelerated)
    {
    }

    /// <param name="vectorKernels">Whether to use the 256-bit vector kernels (tests run both).</param>
    internal TabulatedModelPotential(Expression expression, Taper taper, IReadOnlyList<string>? species, string? name,
        double tolerance, double tableStart, bool vectorKernels)
    {
        expression.RequireAtomExpression();
        taper.Validate();
        if (!(tableStart > 0) || tableStart >= taper.Outer) throw new ArgumentException($"the table must start between 0 and the cutoff (got {tableStart} Å)");
        _expression = expression;
        _taper = taper;
        _atomLevel = new CompiledModel(expression, taper);
        _innerSquared = taper.Inner * taper.Inner;
        _outerSquared = taper.Outer * taper.Outer;
        _taperScale = 1 / Math.Pow(_outerSquared - _innerSquared, 3);
        Species = species;
        Tolerance = tolerance;
        Name = name ?? $"tabulated model ({expression.Complexity} nodes, taper {taper.Inner:G4}–{taper.Outer:G4} Å)";

        // The atom level numbers all neighbour sums in node order; the kernels take the plain ones, the angular pass the rest.
        var nodes = expression.Nodes.ToArray();
        var sumNodes = Enumerable.Range(0, nodes.Length).Where(i => Nodes.IsNeighbourSum(nodes[i].Kind)).ToList();
        var plain = sumNodes.Where(i => !Nodes.IsAngular(nodes[i].Kind)).ToList();
        var angular = sumNodes.Where(i => Nodes.IsAngular(nodes[i].Kind)).ToList();
        _sumRoots = plain.Select(i => i - 1).ToArray();
        _sumElement = plain.Select(i => nodes[i].Element).ToArray();
        _sumIndex = plain.Select(i => sumNodes.IndexOf(i)).ToArray();
        _sums = _sumRoots.Length;
        _angular = angular.Count;
        _angularRoots = angular.Select(i => i - 1).ToArray();
        _angularElement = angular.Select(i => nodes[i].Element).ToArray();
        _angularOrder = angular.Select(i => Nodes.AngularOrder(nodes[i].Kind)).ToArray();
        _angularIndex = angular.Select(i => sumNodes.IndexOf(i)).ToArray();
        _momentOffset = new int[_angular];
        for (var a = 0; a < _angular; a++)
        {
            _momentOffset[a] = _momentWidth;
            _momentWidth += AngularMoments.Components(_angularOrder[a]);
        }
        _functions = _sums + _angular;
        _speciesResolved = expression.IsSpeciesResolved;

        // Refine the grid until every sum's spline meets the tolerance (or the grid gets absurdly fine).
        var spacing = 0.04;
        Grid grid;
        double error;
        while (true)
        {
            grid = Tabulate(spacing, tableStart);
            error = CheckTable(grid);
            if (error <= tolerance || spacing < 1e-4) break;
            spacing /= 2;
        }
        if (!(error <= tolerance))
            throw new ArgumentException($"the pair functions cannot be tabulated to {tolerance:G2} relative on [{tableStart}, {taper.Outer}] Å (best {error:G3}): they are not smooth or not finite there");
        _table = grid.Coefficients;
        _lastInterval = grid.Intervals - 1;
        Spacing = spacing;
        TableStart = grid.Start;
        _inverseSpacing = 1 / spacing;
        MeasuredError = error;
        if (vectorKernels && _sums > 0)
        {
            _groups = (_sums + 1) / 2;
            _vectorTable = new double[grid.Intervals * _groups * VectorStride];
            for (var p = 0; p < grid.Intervals; p++)
                for (var k = 0; k < _sums; k++)
                {
                    var from = (p * _functions + k) * Stride;
                    var to = (p * _groups + k / 2) * VectorStride + k % 2;
                    for (var m = 0; m < 6; m++) _vectorTable[to + 4 * m] = _table[from + m];
                    for (var m = 0; m < 5; m++) _vectorTable[to + 4 * m + 2] = _table[from + SlopeAt + m];
                }
        }
        _width = _groups > 0 ? 2 * _groups : _sums;
        if (_speciesResolved && _groups > 0)
        {
            _laneMasks = new long[(byte.MaxValue + 1) * _groups * 2];
            for (var z = 1; z <= byte.MaxValue; z++)
                for (var k = 0; k < _sums; k++)
                    _laneMasks[(z * _groups + k / 2) * 2 + k % 2] = _sumElement[k] == 0 || _sumElement[k] == z ? -1L : 0L;
        }
        _serial = new ThreadLocal<Chunk[]>(() => [new Chunk()], trackAllValues: false);
        _passes = new ThreadLocal<ParallelPass>(() => new ParallelPass(this), trackAllValues: false);
    }

    // ---- tables

    private sealed record Grid(double Start, double Spacing, int Intervals, double[] Coefficients);

    private const int Stride = 11, SlopeAt = 6;

    /// <summary>
    /// Quintic Hermite pieces of every h_k on a grid of the given spacing that has the taper's inner radius as a node
    /// (so each interval lies on one side of it) and starts at the first such node at or above <paramref name="start"/>.
    /// </summary>
    private Grid Tabulate(double spacing, double start)
    {
        var inner = _taper.Inner;
        int innerNode;
        if (inner > start)
        {
            innerNode = (int)Math.Floor((inner - start) / spacing);
            start = inner - innerNode * spacing;
        }
        else innerNode = 0; // the taper acts on the whole table
        var intervals = Math.Max(1, (int)Math.Ceiling((Cutoff - start) / spacing));
        var k = _functions;
        var table = new double[intervals * k * Stride];
        for (var s = 0; s < k; s++)
            for (var p = 0; p < intervals; p++)
            {
                // Both ends of the interval from the taper piece the interval lies in (one-sided at the inner node; past
                // the cutoff the taper's polynomial continued, which no pair within the cutoff reaches).
                var tapered = p >= innerNode;
                var a = Tapered(s, NodePosition(start, spacing, innerNode, p), tapered);
                var b = Tapered(s, NodePosition(start, spacing, innerNode, p + 1), tapered);
                // p(t) = y0 + d0 t + c0/2 t² + A t³ + B t⁴ + C t⁵ with p, p′, p″ at t = 1 matching the right end.
                double y0 = a.Value, d0 = a.D1 * spacing, c0 = a.D2 * spacing * spacing;
                double y1 = b.Value, d1 = b.D1 * spacing, c1 = b.D2 * spacing * spacing;
                double r0 = y1 - (y0 + d0 + 0.5 * c0), r1 = d1 - (d0 + c0), r2 = c1 - c0;
                double c3 = 10 * r0 - 4 * r1 + 0.5 * r2, c4 = -15 * r0 + 7 * r1 - r2, c5 = 6 * r0 - 3 * r1 + 0.5 * r2;
                var v = (p * k + s) * Stride;
                table[v] = y0; table[v + 1] = d0; table[v + 2] = 0.5 * c0; table[v + 3] = c3; table[v + 4] = c4; table[v + 5] = c5;
                var d = v + SlopeAt;
                var inv = 1 / spacing;
                table[d] = d0 * inv; table[d + 1] = c0 * inv; table[d + 2] = 3 * c3 * inv; table[d + 3] = 4 * c4 * inv; table[d + 4] = 5 * c5 * inv;
            }
        return new Grid(start, spacing, intervals, table);
    }

    // Node p of the grid, exactly the taper's inner radius at the inner node (the spacing arithmetic could miss it by an ulp).
    private double NodePosition(double start, double spacing, int innerNode, int p) =>
        p == innerNode && _taper.Inner >= start ? _taper.Inner : start + p * spacing;

    private double CheckTable(Grid grid)
    {
        var worst = 0.0;
        var k = _functions;
        for (var s = 0; s < k; s++)
        {
            // Scales below which errors count as absolute: a function crossing zero has no relative error there.
            double hScale = 0, dScale = 0;
            for (var p = 0; p < grid.Intervals; p++)
            {
                hScale = Math.Max(hScale, Math.Abs(grid.Coefficients[(p * k + s) * Stride]));
                dScale = Math.Max(dScale, Math.Abs(grid.Coefficients[(p * k + s) * Stride + SlopeAt]));
            }
            if (!double.IsFinite(hScale) || !double.IsFinite(dScale)) return double.PositiveInfinity;
            // (ε keeps a function that is identically zero, like the derivative of a constant, from dividing 0 by 0.)
            hScale = Math.Max(1e-3 * hScale, double.Epsilon); dScale = Math.Max(1e-3 * dScale, double.Epsilon);
            for (var p = 0; p < grid.Intervals; p++)
                foreach (var t in (ReadOnlySpan<double>)[0.25, 0.5, 0.75])
                {
                    var r = grid.Start + (p + t) * grid.Spacing;
                    if (r >= Cutoff) break;
                    var exact = Tapered(s, r, r > _taper.Inner);
                    var (h, dh) = Lookup(grid.Coefficients, s, p, t);
                    var e = Math.Max(Math.Abs(h - exact.Value) / Math.Max(Math.Abs(exact.Value), hScale),
                                     Math.Abs(dh - exact.D1) / Math.Max(Math.Abs(exact.D1), dScale));
                    if (!(e <= worst)) worst = double.IsNaN(e) ? double.PositiveInfinity : e;
                }
        }
        return worst;
    }

    private unsafe (double Value, double Slope) Lookup(double[] table, int s, int p, double t)
    {
        fixed (double* c = &table[(p * _functions + s) * Stride]) return (Quintic(c, t), Quartic(c + SlopeAt, t));
    }

    private readonly record struct Jet(double Value, double D1, double D2)
    {
        public static Jet operator *(Jet a, Jet b) => new(a.Value * b.Value, a.D1 * b.Value + a.Value * b.D1, a.D2 * b.Value + 2 * a.D1 * b.D1 + a.Value * b.D2);
    }

    /// <summary>
    /// Tabulated function k (plain sum k, or angular density k − K) h_k = g_k·f and its first two r-derivatives;
    /// <paramref name="tapered"/> picks the taper's polynomial piece (else f = 1).
    /// </summary>
    private Jet Tapered(int function, double r, bool tapered)
    {
        var g = PairJet(FunctionRoot(function), r);
        if (!tapered) return g;
        // f = (2r² − 3r_in² + r_out²)(r_out² − r²)² / (r_out² − r_in²)³
        var r2 = new Jet(r * r, 2 * r, 2);
        var a = new Jet(2 * r2.Value - 3 * _innerSquared + _outerSquared, 2 * r2.D1, 2 * r2.D2);
        var b = new Jet(_outerSquared - r2.Value, -r2.D1, -r2.D2);
        var f = a * b * b;
        return g * new Jet(f.Value * _taperScale, f.D1 * _taperScale, f.D2 * _taperScale);
    }

    private int FunctionRoot(int function) => function < _sums ? _sumRoots[function] : _angularRoots[function - _sums];

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
            var op = Operators.Of(node.Kind);
            if (op.Arity == 1)
            {
                var x = stack[--top];
                stack[top++] = Chain(op, x, new Jet(double.NaN, 0, 0));
                continue;
            }
            var b = stack[--top];
            var a = stack[--top];
            stack[top++] = Chain(op, a, b);
        }
        return stack[0];
    }

    /// <summary>
    /// w = op(a, b) and its first two r-derivatives by the chain rule with the operator table's partials:
    /// w′ = w_a a′ + w_b b′, w″ = w_aa a′² + 2 w_ab a′ b′ + w_bb b′² + w_a a″ + w_b b″, a term counted only where its
    /// derivative factor is non-zero (so that a partial that is not finite, as ∂(a^c)/∂c for a &lt; 0, does not matter
    /// where nothing depends on it).
    /// </summary>
    private static Jet Chain(OperatorDefinition op, Jet a, Jet b)
    {
        var w = op.Value(a.Value, b.Value);
        var p = op.SecondPartials(a.Value, b.Value, w, double.NaN);
        static double T(double partial, double factor) => factor == 0 ? 0 : partial * factor;
        var w1 = T(p.Da, a.D1) + T(p.Db, b.D1);
        var w2 = T(p.Daa, a.D1 * a.D1) + T(2 * p.Dab, a.D1 * b.D1) + T(p.Dbb, b.D1 * b.D1) + T(p.Da, a.D2) + T(p.Db, b.D2);
        return new Jet(w, w1, w2);
    }

    // ---- energy and forces
    //
    // Sums and their gradients are kept atom-major during the pair passes, S_k of atom i at [i·W + k] with W sums per
    // atom (K, or K rounded up to even for the vector kernels), and handed to and from the atom level (sum-major) by a
    // transpose, which costs O(n·K), nothing next to the pairs.

    /// <summary>One chunk's work arrays: its rows' pairs, its own sums (atom-major) and forces.</summary>
    private sealed class Chunk
    {
        public KeptPair[] Pairs = [];
        public double[] Slopes = [];        // h_k′(r)/r per kept pair, W per pair
        public int[] PairStart = [];
        public double[] Sums = [];
        public double[] Gradients = [];     // ∂A_i/∂S_k, atom-major (the first chunk's serves all)
        public Vec3[] Forces = [];
        public byte[] Elements = [];        // atomic number of every atom (species-resolved models; the first chunk's serves all)
        // Angular densities: φ_a and φ_a′ per kept pair; every atom's moments (row of the moment width), this chunk's pairs'
        // part; G·M per atom (∂E_i/∂ρ_a times atom i's moment; the first chunk's serves all).
        public double[] AngularPairs = [];
        public double[] Moments = [];
        public double[] Scaled = [];
        public Stress Virial;
        public int From, To;
        public readonly CompiledModel.Workspace Workspace = new();

        public void EnsurePairs(int rows, int entries, int width, int angularWidth)
        {
            // Grown with room to spare, as the pairs: the parallel chunks' row counts move with the list's pair counts.
            if (PairStart.Length < rows + 1) PairStart = new int[Math.Max(rows + 1, PairStart.Length + PairStart.Length / 2)];
            if (Pairs.Length < entries)
            {
                var size = Math.Max(entries, Pairs.Length + Pairs.Length / 2);
                Pairs = new KeptPair[size];
                Slopes = new double[size * width];
                AngularPairs = new double[size * angularWidth];
            }
        }

        public void EnsureAtoms(int atoms, int width, int momentWidth)
        {
            if (Sums.Length < atoms * width) { Sums = new double[atoms * width]; Gradients = new double[atoms * width]; }
            if (Forces.Length < atoms) Forces = new Vec3[atoms];
            if (Moments.Length < atoms * momentWidth) { Moments = new double[atoms * momentWidth]; Scaled = new double[atoms * momentWidth]; }
        }

        public void SetElements(Structure structure)
        {
            if (Elements.Length < structure.Count) Elements = new byte[structure.Count];
            structure.AtomicNumbers(Elements);
        }
    }

    public void Compute(Structure structure, NeighbourList halfList, PotentialResult result)
    {
        this.CheckSpecies(structure);
        if (!halfList.IsHalf) throw new ArgumentException($"{Name} needs a half neighbour list");
        if (halfList.AtomCount != structure.Count) throw new ArgumentException($"the neighbour list has {halfList.AtomCount} atoms, the structure {structure.Count}");
        if (halfList.Cutoff < Cutoff) throw new ArgumentException($"the neighbour list cutoff {halfList.Cutoff} Å is below the model's {Cutoff} Å");
        var n = structure.Count;
        result.Reset(n);
        // Above the threshold every call takes the chunked path, with chunks of its own thread: whether the workers are
        // free only decides who runs the chunks, never how the sums are split, so calls made side by side (poet
        // diffusion's temperatures) give the same bits as a call alone.
        if (n >= ParallelThreshold && IndexedWorkers.MaxWorkers > 1)
        {
            ComputeParallel(structure, halfList, result);
            return;
        }
        var chunk = _serial.Value![0];
        chunk.From = 0; chunk.To = n;
        chunk.EnsureAtoms(n, _width, _momentWidth);
        if (_speciesResolved) chunk.SetElements(structure);
        var own = chunk.Sums.AsSpan(0, n * _width);
        own.Clear();
        chunk.Moments.AsSpan(0, n * _momentWidth).Clear();
        AccumulateSums(structure, halfList, chunk, own, chunk.Elements);
        result.Energy = AtomLevel(chunk, n, own, result.AtomEnergies);
        result.Forces.Clear();
        chunk.Virial = PairForces(chunk, chunk.Gradients, chunk.Scaled, result.Forces, chunk.Elements);
        result.SetVirialFromPairSum(chunk.Virial, structure.Cell);
    }

    /// <summary>
    /// E_i and ∂E_i/∂S_k (into the chunk's atom-major gradients) from the atom-major sums and (angular densities) the
    /// chunk's moments of every atom; for the angular densities also G·M per atom (G = ∂E_i/∂ρ) into the chunk's
    /// <see cref="Chunk.Scaled"/>. Returns Σ E_i.
    /// </summary>
    private double AtomLevel(Chunk chunk, int n, ReadOnlySpan<double> sums, Span<double> atomEnergies)
    {
        var w = chunk.Workspace;
        var byS = _atomLevel.PrepareAtomLevel(w, n);
        var width = _width;
        for (var k = 0; k < _sums; k++)
        {
            var column = byS.Slice(_sumIndex[k] * n, n);
            for (int i = 0, at = k; i < n; i++, at += width) column[i] = sums[at];
        }
        var mw = _momentWidth;
        var moments = chunk.Moments.AsSpan(0, n * mw);
        for (var a = 0; a < _angular; a++)
        {
            var column = byS.Slice(_angularIndex[a] * n, n);
            int l = _angularOrder[a], components = AngularMoments.Components(l);
            for (int i = 0, at = _momentOffset[a]; i < n; i++, at += mw) column[i] = AngularMoments.Density(l, moments.Slice(at, components));
        }
        var energy = _atomLevel.EvaluateAtomLevel(w, n, _speciesResolved ? chunk.Elements.AsSpan(0, n) : default, atomEnergies, out var gradients);
        var g = chunk.Gradients.AsSpan(0, n * width);
        if (width > _sums) g.Clear(); // the padding sums have zero gradient
        for (var k = 0; k < _sums; k++)
        {
            var column = gradients.Slice(_sumIndex[k] * n, n);
            for (int i = 0, at = k; i < n; i++, at += width) g[at] = column[i];
        }
        // h and ∇h are linear in the moment, so G·h(M) = h(G·M): pass 2 projects one combined moment per pair. An atom
        // whose energy does not depend on ρ (G = 0) gets zeros, not 0·M (which would be NaN for a non-finite moment).
        var scaled = chunk.Scaled.AsSpan(0, n * mw);
        for (var a = 0; a < _angular; a++)
        {
            var column = gradients.Slice(_angularIndex[a] * n, n);
            var components = AngularMoments.Components(_angularOrder[a]);
            for (int i = 0, at = _momentOffset[a]; i < n; i++, at += mw)
            {
                var gi = column[i];
                for (var c = 0; c < components; c++) scaled[at + c] = gi == 0 ? 0 : gi * moments[at + c];
            }
        }
        return energy;
    }

    // ---- the parallel path: rows split into chunks balanced by pair count, run on the persistent worker threads

    private readonly ThreadLocal<ParallelPass> _passes;

    private sealed class ParallelPass(TabulatedModelPotential owner) : IIndexedWork
    {
        public Chunk[] Chunks = [];
        public bool Forces;
        public Structure? Structure;
        public NeighbourList? List;
        public int Atoms;

        public void Run(int index, int worker)
        {
            var chunk = Chunks[index];
            if (!Forces)
            {
                var own = chunk.Sums.AsSpan(0, Atoms * owner._width);
                own.Clear();
                chunk.Moments.AsSpan(0, Atoms * owner._momentWidth).Clear();
                owner.AccumulateSums(Structure!, List!, chunk, own, Chunks[0].Elements);
            }
            else
            {
                var own = chunk.Forces.AsSpan(0, Atoms);
                own.Clear();
                chunk.Virial = owner.PairForces(chunk, Chunks[0].Gradients, Chunks[0].Scaled, own, Chunks[0].Elements);
            }
        }
    }

    private void ComputeParallel(Structure structure, NeighbourList list, PotentialResult result)
    {
        var n = structure.Count;
        var count = Math.Min(IndexedWorkers.MaxWorkers, Math.Max(1, n / 500));
        var pass = _passes.Value!;
        if (pass.Chunks.Length < count)
        {
            var grown = new Chunk[count];
            for (var t = 0; t < count; t++) grown[t] = t < pass.Chunks.Length ? pass.Chunks[t] : new Chunk();
            pass.Chunks = grown;
        }
        var chunks = pass.Chunks;
        var offsets = list.Offsets;
        var pairs = offsets[n];
        for (int t = 0, i = 0; t < count; t++)
        {
            var target = (long)pairs * (t + 1) / count;
            chunks[t].From = i;
            while (i < n && offsets[i] < target) i++;
            if (t == count - 1) i = n;
            chunks[t].To = i;
            chunks[t].EnsureAtoms(n, _width, _momentWidth);
        }
        if (_speciesResolved) chunks[0].SetElements(structure);
        pass.Structure = structure;
        pass.List = list;
        pass.Atoms = n;
        pass.Forces = false;
        IndexedWorkers.Run(pass, count, -1);

        // Sums added up in chunk order (results do not depend on which thread ran what), then the atom level, serially:
        // vectorised, it is cheap next to the pair passes.
        var total = chunks[0].Sums.AsSpan(0, n * _width);
        for (var t = 1; t < count; t++) System.Numerics.Tensors.TensorPrimitives.Add(total, chunks[t].Sums.AsSpan(0, n * _width), total);
        // Likewise the moments: a chunk's pairs add to atoms j of other chunks too, so each chunk holds a row for every atom.
        var moments = chunks[0].Moments.AsSpan(0, n * _momentWidth);
        for (var t = 1; t < count; t++) System.Numerics.Tensors.TensorPrimitives.Add(moments, chunks[t].Moments.AsSpan(0, n * _momentWidth), moments);
        result.Energy = AtomLevel(chunks[0], n, total, result.AtomEnergies);

        pass.Forces = true;
        IndexedWorkers.Run(pass, count, -1);
        var forces = result.Forces;
        var dEdStrain = Stress.Zero;
        for (var t = 0; t < count; t++)
        {
            var own = chunks[t].Forces;
            for (var i = 0; i < n; i++) forces[i] += own[i];
            dEdStrain += chunks[t].Virial;
        }
        pass.Structure = null;
        pass.List = null;
        result.SetVirialFromPairSum(dEdStrain, structure.Cell);
    }

    // ---- the pair passes

    /// <summary>
    /// Pass 1 over the chunk's rows: keeps the pairs within the cutoff (without a branch: with a list skin, which ones are
    /// is unpredictable), adds h_k(r) to both atoms' sums and keeps h_k′(r)/r of each pair (W per pair) for pass 2,
    /// which then needs no table.
    /// </summary>
    private unsafe void AccumulateSums(Structure structure, NeighbourList list, Chunk chunk, Span<double> sums, byte[] elements)
    {
        var positions = structure.Positions;
        int from = chunk.From, to = chunk.To;
        // Room for every entry of the chunk's rows (each is written before the filter decides).
        chunk.EnsurePairs(to - from, list.Offsets[to] - list.Offsets[from], _width, 2 * _angular);
        var cutSq = Cutoff * Cutoff;
        var count = 0;
        fixed (Vec3* pos = positions)
        fixed (int* offset = list.Offsets, neighbours = list.Neighbours, shiftIndex = list.ShiftIndex, pairStart = chunk.PairStart)
        fixed (Vec3* shifts = list.ShiftVectors)
        fixed (double* s = sums, slopes = chunk.Slopes)
        fixed (KeptPair* kept = chunk.Pairs)
        fixed (byte* z = elements)
        {
            var zi = _speciesResolved ? z : null;
            for (var i = from; i < to; i++)
            {
                var first = count;
                pairStart[i - from] = first;
                count += KeptPairs.Filter(pos, offset, neighbours, shiftIndex, shifts, i, cutSq, kept + count);
                if (_groups > 0 && zi == null)
                    switch (_groups)
                    {
                        case 1: RowSumsVector<OneGroup, AnyElement>(kept, slopes, s, i, first, count, null); break;
                        case 2: RowSumsVector<TwoGroups, AnyElement>(kept, slopes, s, i, first, count, null); break;
                        default: RowSumsVector<AnyGroups, AnyElement>(kept, slopes, s, i, first, count, null); break;
                    }
                else if (_groups > 0)
                    switch (_groups)
                    {
                        case 1: RowSumsVector<OneGroup, PerElement>(kept, slopes, s, i, first, count, zi); break;
                        case 2: RowSumsVector<TwoGroups, PerElement>(kept, slopes, s, i, first, count, zi); break;
                        default: RowSumsVector<AnyGroups, PerElement>(kept, slopes, s, i, first, count, zi); break;
                    }
                else RowSumsScalar(kept, slopes, s, i, first, count, zi);
                if (_angular > 0) RowMoments(kept, chunk, i, first, count, zi);
            }
            pairStart[to - from] = count;
        }
    }

    // Group counts (pairs of sums) known to the JIT as constants.
    private interface IGroupCount { int Count { get; } }
    private struct OneGroup : IGroupCount { public readonly int Count => 1; }
    private struct TwoGroups : IGroupCount { public readonly int Count => 2; }
    private struct AnyGroups : IGroupCount { public readonly int Count => 0; }

    // Whether the sums take pair terms by element (a species-resolved model), known to the JIT as a constant.
    private interface IElementMode { bool ByElement { get; } }
    private struct AnyElement : IElementMode { public readonly bool ByElement => false; }
    private struct PerElement : IElementMode { public readonly bool ByElement => true; }

    /// <summary>
    /// Row i's pairs [first, end) with the vector table: for each pair of sums one 4-lane polynomial evaluation gives
    /// (h_a, h_b, h_a′, h_b′) at once, six fused multiply-adds for two sums' values and slopes. By element (with
    /// <paramref name="z"/> the atoms' elements): the values go to S_i masked by j's element's lanes and to S_j by i's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void RowSumsVector<TG, TE>(KeptPair* kept, double* slopes, double* s, int i, int first, int end, byte* z)
        where TG : struct, IGroupCount where TE : struct, IElementMode
    {
        var groups = default(TG).Count == 0 ? _groups : default(TG).Count;
        var width = 2 * groups;
        var start = TableStart;
        var si = s + i * width;
        fixed (double* table = _vectorTable)
        fixed (long* laneMasks = _laneMasks)
        {
            // Atom i's sums gather in registers (up to four sums; more through memory).
            Vector128<double> acc0 = Vector128<double>.Zero, acc1 = Vector128<double>.Zero;
            // By element: the lanes of the sums that take a term from an atom of i's element (S_j's mask).
            var forJ = default(TE).ByElement ? laneMasks + z[i] * groups * 2 : null;
            for (var q = first; q < end; q++)
            {
                var rec = kept + q;
                var r = Math.Sqrt(rec->Dx * rec->Dx + rec->Dy * rec->Dy + rec->Dz * rec->Dz);
                var sj = s + rec->J * width;
                var slope = slopes + q * width;
                if (r < start) { ExactPair(r, si, sj, slope, default(TE).ByElement ? z : null, i, rec->J); continue; }
                var forI = default(TE).ByElement ? laneMasks + z[rec->J] * groups * 2 : null;
                var t = Vector256.Create(Position(r, out var p));
                var inverseR = Vector128.Create(1 / r);
                var c = table + p * groups * VectorStride;
                for (var g = 0; g < groups; g++, c += VectorStride)
                {
                    var v = Vector256.Load(c + 20);
                    v = Vector256.FusedMultiplyAdd(v, t, Vector256.Load(c + 16));
                    v = Vector256.FusedMultiplyAdd(v, t, Vector256.Load(c + 12));
                    v = Vector256.FusedMultiplyAdd(v, t, Vector256.Load(c + 8));
                    v = Vector256.FusedMultiplyAdd(v, t, Vector256.Load(c + 4));
                    v = Vector256.FusedMultiplyAdd(v, t, Vector256.Load(c));
                    var values = v.GetLower();
                    var valuesI = values;
                    if (default(TE).ByElement)
                    {
                        // Masked to +0.0, which leaves a sum as it was (sums start at +0.0 and so are never −0.0).
                        valuesI = values & Vector128.Load(forI + 2 * g).AsDouble();
                        values &= Vector128.Load(forJ + 2 * g).AsDouble();
                    }
                    (values + Vector128.Load(sj + 2 * g)).Store(sj + 2 * g);
                    (v.GetUpper() * inverseR).Store(slope + 2 * g);
                    if (default(TG).Count == 0) (valuesI + Vector128.Load(si + 2 * g)).Store(si + 2 * g);
                    else if (g == 0) acc0 += valuesI;
                    else acc1 += valuesI;
                }
            }
            if (default(TG).Count != 0)
            {
                (acc0 + Vector128.Load(si)).Store(si);
                if (groups > 1) (acc1 + Vector128.Load(si + 2)).Store(si + 2);
            }
        }
    }

    /// <summary>
    /// Row i's pairs [first, end) with the scalar table (processors without 256-bit vectors, and species-resolved models,
    /// with <paramref name="z"/> the atoms' elements: a sum over element B's neighbours takes h only from B atoms).
    /// </summary>
    private unsafe void RowSumsScalar(KeptPair* kept, double* slopes, double* s, int i, int first, int end, byte* z)
    {
        var k = _sums;
        var start = TableStart;
        var si = s + i * k;
        fixed (double* table = _table)
            for (var q = first; q < end; q++)
            {
                var rec = kept + q;
                var r = Math.Sqrt(rec->Dx * rec->Dx + rec->Dy * rec->Dy + rec->Dz * rec->Dz);
                var sj = s + rec->J * k;
                var slope = slopes + q * k;
                if (r < start) { ExactPair(r, si, sj, slope, z, i, rec->J); continue; }
                var t = Position(r, out var p);
                var inverseR = 1 / r;
                var c = table + p * _functions * Stride;
                if (z == null)
                {
                    for (var m = 0; m < k; m++, c += Stride)
                    {
                        var v = Quintic(c, t);
                        si[m] += v;
                        sj[m] += v;
                        slope[m] = Quartic(c + SlopeAt, t) * inverseR;
                    }
                    continue;
                }
                byte zi = z[i], zj = z[rec->J];
                for (var m = 0; m < k; m++, c += Stride)
                {
                    var b = _sumElement[m];
                    var v = Quintic(c, t);
                    if (b == 0 || zj == b) si[m] += v;
                    if (b == 0 || zi == b) sj[m] += v;
                    slope[m] = Quartic(c + SlopeAt, t) * inverseR;
                }
            }
    }

    /// <summary>
    /// Row i's kept pairs [first, end) for the angular densities: φ and φ′ of each density (from the table, or exact below
    /// it) and r kept for pass 2; φ u^{⊗l} added to atom i's moment and (−1)^l φ u^{⊗l} (the moment of −u) to atom j's,
    /// each only where the other atom is of the density's element if it names one (<paramref name="z"/>: the atoms'
    /// elements; null where the model names none).
    /// </summary>
    private unsafe void RowMoments(KeptPair* kept, Chunk chunk, int i, int first, int end, byte* z)
    {
        int mw = _momentWidth, aw = 2 * _angular;
        var start = TableStart;
        fixed (double* table = _table, moments = chunk.Moments, stored = chunk.AngularPairs)
        {
            var mi = moments + i * mw;
            for (var q = first; q < end; q++)
            {
                var rec = kept + q;
                var r = Math.Sqrt(rec->Dx * rec->Dx + rec->Dy * rec->Dy + rec->Dz * rec->Dz);
                rec->R = r;
                var inverse = 1 / r;
                double ux = rec->Dx * inverse, uy = rec->Dy * inverse, uz = rec->Dz * inverse;
                var j = rec->J;
                var mj = moments + j * mw;
                var phis = stored + q * aw;
                if (r < start) ExactAngular(r, phis);
                else
                {
                    var t = Position(r, out var p);
                    var c = table + (p * _functions + _sums) * Stride;
                    for (var a = 0; a < _angular; a++, c += Stride)
                    {
                        phis[2 * a] = Quintic(c, t);
                        phis[2 * a + 1] = Quartic(c + SlopeAt, t);
                    }
                }
                for (var a = 0; a < _angular; a++)
                {
                    var l = _angularOrder[a];
                    var b = _angularElement[a];
                    var phi = phis[2 * a];
                    int offset = _momentOffset[a], width = AngularMoments.Components(l);
                    if (b == 0 || z[j] == b) AngularMoments.Add(l, phi, ux, uy, uz, new Span<double>(mi + offset, width));
                    if (b == 0 || z[i] == b) AngularMoments.Add(l, (l & 1) == 0 ? phi : -phi, ux, uy, uz, new Span<double>(mj + offset, width));
                }
            }
        }
    }

    /// <summary>φ and φ′ of every angular density at a pair closer than the table, from the exact expression and taper.</summary>
    private unsafe void ExactAngular(double r, double* phis)
    {
        var (f, df) = TaperAt(r);
        for (var a = 0; a < _angular; a++)
        {
            var jet = PairJet(_angularRoots[a], r);
            phis[2 * a] = jet.Value * f;
            phis[2 * a + 1] = jet.D1 * f + jet.Value * df;
        }
    }

    /// <summary>
    /// ∂E/∂d of kept pair <paramref name="rec"/> (d = r_j − r_i) through the angular densities of atoms i and j:
    /// Σ_a (h φ′ − l φ h / r) u + (φ/r) ∇h, with h and ∇h projected from G_i M_i + (−1)^l G_j M_j (<paramref name="scaled"/>
    /// holds G·M per atom), each atom's part only where the other is of the density's element. <paramref name="combined"/>:
    /// room for one moment.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe Vec3 AngularPairGradient(KeptPair* rec, double* phis, double* scaled, int i, byte* z, double* combined)
    {
        var j = rec->J;
        var inverse = 1 / rec->R;
        double ux = rec->Dx * inverse, uy = rec->Dy * inverse, uz = rec->Dz * inverse;
        double radial = 0, tx = 0, ty = 0, tz = 0;
        var mw = _momentWidth;
        double* si = scaled + i * mw, sj = scaled + j * mw;
        for (var a = 0; a < _angular; a++)
        {
            var b = _angularElement[a];
            bool takesI = b == 0 || z[j] == b, takesJ = b == 0 || z[i] == b;
            if (!takesI && !takesJ) continue;
            var l = _angularOrder[a];
            int offset = _momentOffset[a], width = AngularMoments.Components(l);
            // h(−u) = (−1)^l h(u) and ∇h(−u) = (−1)^(l−1) ∇h(u): atom j's part is its projection at u with the sign (−1)^l.
            var sign = (l & 1) == 0 ? 1.0 : -1.0;
            for (var c = 0; c < width; c++) combined[c] = (takesI ? si[offset + c] : 0) + (takesJ ? sign * sj[offset + c] : 0);
            var h = AngularMoments.Project(l, new ReadOnlySpan<double>(combined, width), ux, uy, uz, out var gx, out var gy, out var gz);
            double phi = phis[2 * a], dphi = phis[2 * a + 1];
            radial += h * dphi - l * phi * h * inverse;
            var transverse = phi * inverse;
            tx += transverse * gx; ty += transverse * gy; tz += transverse * gz;
        }
        return new Vec3(radial * ux + tx, radial * uy + ty, radial * uz + tz);
    }

    /// <summary>The table interval holding r (≥ <see cref="TableStart"/>) and the position t ∈ [0, 1) within it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Position(double r, out int interval)
    {
        var x = (r - TableStart) * _inverseSpacing;
        interval = Math.Min((int)x, _lastInterval);
        return x - interval;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double Quintic(double* c, double t) =>
        Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(
            c[5], t, c[4]), t, c[3]), t, c[2]), t, c[1]), t, c[0]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double Quartic(double* c, double t) =>
        Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(c[4], t, c[3]), t, c[2]), t, c[1]), t, c[0]);

    /// <summary>A pair closer than the table (atoms nearly on top of each other): the exact expression and taper.</summary>
    private unsafe void ExactPair(double r, double* si, double* sj, double* slope, byte* z, int i, int j)
    {
        var (f, df) = TaperAt(r);
        for (var m = 0; m < _sums; m++)
        {
            var jet = PairJet(_sumRoots[m], r);
            var v = jet.Value * f;
            var b = _sumElement[m];
            if (z == null || b == 0 || z[j] == b) si[m] += v;
            if (z == null || b == 0 || z[i] == b) sj[m] += v;
            slope[m] = (jet.D1 * f + jet.Value * df) / r;
        }
        for (var m = _sums; m < _width; m++) slope[m] = 0;
    }

    /// <summary>POET's taper f(r) and f′(r) as <see cref="Taper.Evaluate"/>, with its constant denominator computed once.</summary>
    private (double Value, double Derivative) TaperAt(double r)
    {
        var r2 = r * r;
        if (r2 <= _innerSquared) return (1.0, 0.0);
        if (r2 >= _outerSquared) return (0.0, 0.0);
        var a = 2 * r2 - 3 * _innerSquared + _outerSquared;
        var b = _outerSquared - r2;
        return (a * b * b * _taperScale, 4 * r * b * (b - a) * _taperScale);
    }

    /// <summary>
    /// Pass 2 over the same rows and pairs: (∂E/∂r)/r = Σ_k (∂A_i/∂S_k + ∂A_j/∂S_k) h_k′(r)/r; forces on i gathered in
    /// registers, on j scattered; returns Σ (∂E/∂r)/r d⊗d (the strain derivative, for the virial). Angular densities add
    /// their ∂E/∂d (<see cref="AngularPairGradient"/>, from <paramref name="scaled"/> = G·M per atom); the pair's term of
    /// the strain derivative, d ⊗ ∂E/∂d, is then symmetrised.
    /// </summary>
    private unsafe Stress PairForces(Chunk chunk, double[] gradients, double[] scaled, Span<Vec3> forces, byte[] elements)
    {
        int from = chunk.From, to = chunk.To, width = _width;
        var angular = _angular > 0;
        var angularWidth = 2 * _angular;
        var combined = stackalloc double[10]; // one moment of order ≤ 3
        var vector = _groups > 0;
        double sxx = 0, syy = 0, szz = 0, syz = 0, sxz = 0, sxy = 0;
        fixed (Vec3* force = forces)
        fixed (double* g = gradients, slopes = chunk.Slopes)
        fixed (int* pairStart = chunk.PairStart)
        fixed (KeptPair* kept = chunk.Pairs)
        fixed (byte* z = elements)
        fixed (long* laneMasks = _laneMasks)
        fixed (double* moments = scaled, angularPairs = chunk.AngularPairs)
        {
            var resolved = _speciesResolved;
            var groups = _groups;
            for (var i = from; i < to; i++)
            {
                double fx = 0, fy = 0, fz = 0;
                var gi = g + i * width;
                // By element, vector kernels: lanes of the sums an atom of i's element belongs to (for j's gradient).
                var forJ = resolved && vector ? laneMasks + z[i] * groups * 2 : null;
                for (int q = pairStart[i - from], end = pairStart[i - from + 1]; q < end; q++)
                {
                    var rec = kept + q;
                    var j = rec->J;
                    double dx = rec->Dx, dy = rec->Dy, dz = rec->Dz;
                    var gj = g + j * width;
                    var slope = slopes + q * width;
                    double w;
                    if (resolved && vector)
                    {
                        // As below, with lane masks: Σ_m gm·h_m′/r with gm the selected gradients, and h_m′/r taken as
                        // +0.0 where gm = 0 (a slope may be anything where no gradient asks for it).
                        var forI = laneMasks + z[j] * groups * 2;
                        var acc = Vector128<double>.Zero;
                        for (var k = 0; k < groups; k++)
                        {
                            var gm = (Vector128.Load(gi + 2 * k) & Vector128.Load(forI + 2 * k).AsDouble())
                                     + (Vector128.Load(gj + 2 * k) & Vector128.Load(forJ + 2 * k).AsDouble());
                            var h = Vector128.AndNot(Vector128.Load(slope + 2 * k), Vector128.Equals(gm, Vector128<double>.Zero));
                            acc = Vector128.FusedMultiplyAdd(gm, h, acc);
                        }
                        w = Vector128.Sum(acc);
                    }
                    else if (resolved)
                    {
                        // Each atom's gradient counts for the sums the other atom belongs to (selected, not multiplied:
                        // a gradient may be infinite where the sum is empty, as S^0.5 at S = 0).
                        w = 0;
                        byte zi = z[i], zj = z[j];
                        for (var m = 0; m < width; m++)
                        {
                            var b = _sumElement[m];
                            var gm = (b == 0 || zj == b ? gi[m] : 0) + (b == 0 || zi == b ? gj[m] : 0);
                            if (gm != 0) w = Math.FusedMultiplyAdd(gm, slope[m], w);
                        }
                    }
                    else if (vector && width == 2)
                        w = Vector128.Sum((Vector128.Load(gi) + Vector128.Load(gj)) * Vector128.Load(slope));
                    else if (vector && width == 4)
                        w = Vector256.Sum((Vector256.Load(gi) + Vector256.Load(gj)) * Vector256.Load(slope));
                    else
                    {
                        w = 0;
                        for (var m = 0; m < width; m++) w = Math.FusedMultiplyAdd(gi[m] + gj[m], slope[m], w);
                    }
                    if (angular)
                    {
                        // ∂E/∂d = w d + the angular part; F_i = ∂E/∂d, F_j = −F_i.
                        var e = AngularPairGradient(rec, angularPairs + q * angularWidth, moments, i, z, combined);
                        double ex = w * dx + e.X, ey = w * dy + e.Y, ez = w * dz + e.Z;
                        fx += ex; fy += ey; fz += ez;
                        ref var fa = ref force[j];
                        fa = new Vec3(fa.X - ex, fa.Y - ey, fa.Z - ez);
                        sxx += ex * dx; syy += ey * dy; szz += ez * dz;
                        syz += 0.5 * (ey * dz + ez * dy); sxz += 0.5 * (ex * dz + ez * dx); sxy += 0.5 * (ex * dy + ey * dx);
                        continue;
                    }
                    // d = r_j − r_i, w = (∂E/∂r)/r: F_i = w d, F_j = −F_i.
                    double wx = w * dx, wy = w * dy, wz = w * dz;
                    fx += wx; fy += wy; fz += wz;
                    ref var fj = ref force[j];
                    fj = new Vec3(fj.X - wx, fj.Y - wy, fj.Z - wz);
                    sxx += wx * dx; syy += wy * dy; szz += wz * dz;
                    syz += wy * dz; sxz += wx * dz; sxy += wx * dy;
                }
                ref var f = ref force[i];
                f = new Vec3(f.X + fx, f.Y + fy, f.Z + fz);
            }
        }
        return new Stress(sxx, syy, szz, syz, sxz, sxy);
    }
}
