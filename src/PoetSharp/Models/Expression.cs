using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Models;

/// <summary>
/// A potential model's atom expression as a flat postfix array of nodes with its constants as a parameter vector.
/// The energy of atom i is the expression with every <c>sum(g)</c> read as Σ_j g(r_ij) f(r_ij) over the neighbours of i
/// within the cutoff (f the taper); the model's energy is the sum over atoms.
/// Invariants (checked on construction): the array is a well-formed postfix tree; constant k is the k-th constant node
/// in postfix order; pair-level terms (containing r) and sums are never combined, and sums do not nest. A pair expression
/// on its own (root level <see cref="Level.Pair"/>) is a valid building block; a model needs <see cref="RequireAtomExpression"/>.
/// Expressions are immutable; <see cref="WithConstants"/> gives a copy with new constant values.
/// </summary>
public sealed class Expression
{
    private readonly Node[] _nodes;
    private readonly double[] _constants;

    public Expression(ReadOnlySpan<Node> nodes, ReadOnlySpan<double> constants)
    {
        _nodes = nodes.ToArray();
        _constants = constants.ToArray();
        Validate();
    }

    public ReadOnlySpan<Node> Nodes => _nodes;
    public ReadOnlySpan<double> Constants => _constants;
    public int Length => _nodes.Length;
    public Node Root => _nodes[^1];
    public int ConstantCount => _constants.Length;

    /// <summary>Node count: POET's complexity measure.</summary>
    public int Complexity => _nodes.Length;

    /// <summary>Index of the left child of the binary (or only child of the unary) node at <paramref name="i"/>.</summary>
    public int LeftChild(int i) => _nodes[i].Arity == 1 ? i - 1 : i - 1 - _nodes[i - 1].Size;
    /// <summary>Index of the right child of the binary node at <paramref name="i"/>.</summary>
    public static int RightChild(int i) => i - 1;
    /// <summary>First index of the subtree rooted at <paramref name="i"/>.</summary>
    public int SubtreeStart(int i) => i - _nodes[i].Size + 1;

    public double ConstantOf(int nodeIndex) => _constants[_nodes[nodeIndex].ConstantIndex];

    public Expression WithConstants(ReadOnlySpan<double> constants)
    {
        if (constants.Length != _constants.Length)
            throw new ArgumentException($"expected {_constants.Length} constants, got {constants.Length}");
        return new Expression(_nodes, constants);
    }

    /// <summary>Number of neighbour sums, plain and angular (each an atom-level value S_m of the atom's neighbourhood).</summary>
    public int SumCount
    {
        get
        {
            var n = 0;
            foreach (var node in _nodes) if (Models.Nodes.IsNeighbourSum(node.Kind)) n++;
            return n;
        }
    }

    /// <summary>Number of angular densities (ang0..ang3 nodes).</summary>
    public int AngularCount
    {
        get
        {
            var n = 0;
            foreach (var node in _nodes) if (Models.Nodes.IsAngular(node.Kind)) n++;
            return n;
        }
    }

    /// <summary>Whether any neighbour sum is an angular density (the energy then depends on bond angles, not only on distances).</summary>
    public bool HasAngular => AngularCount > 0;

    /// <summary>The level of the subtree rooted at node i (computed; trees are small).</summary>
    public Level LevelOf(int i)
    {
        var level = Level.Constant;
        for (var k = SubtreeStart(i); k <= i; k++)
        {
            if (Models.Nodes.IsNeighbourSum(_nodes[k].Kind) || _nodes[k].Kind == NodeKind.Central) return Level.Atom;
            if (_nodes[k].Kind == NodeKind.Distance) level = Level.Pair;
        }
        return level;
    }

    /// <summary>A new expression made of the subtree rooted at node i (with its constants).</summary>
    public Expression Subtree(int i)
    {
        var start = SubtreeStart(i);
        var nodes = new Node[i - start + 1];
        var constants = new List<double>();
        for (var k = start; k <= i; k++)
        {
            var node = _nodes[k];
            if (node.Kind == NodeKind.Constant)
            {
                nodes[k - start] = node with { ConstantIndex = constants.Count };
                constants.Add(_constants[node.ConstantIndex]);
            }
            else nodes[k - start] = node;
        }
        return new Expression(nodes, constants.ToArray());
    }

    /// <summary>
    /// The expression in the readable syntax (<see cref="ExpressionPrinter.Print"/>): parses back to the same value, with
    /// signs folded; <see cref="ExpressionPrinter.PrintExact"/> parses back to the same nodes.
    /// </summary>
    public override string ToString() => ExpressionPrinter.Print(this);

    // ---- building (each builder concatenates postfix arrays, which keeps constants in postfix order)

    public static Expression Constant(double value) => new([new Node(NodeKind.Constant, 1, 0)], [value]);
    public static Expression Distance { get; } = new([new Node(NodeKind.Distance, 1)], []);
    public static Expression Sum(Expression pair) => Combine(NodeKind.Sum, pair, null);
    /// <summary>Σ_{j∈B} over the neighbours of element <paramref name="neighbourElement"/> only (null: every neighbour).</summary>
    public static Expression Sum(Expression pair, string? neighbourElement) =>
        Combine(NodeKind.Sum, pair, null, neighbourElement is null ? (byte)0 : ElementNumber(neighbourElement));
    /// <summary>
    /// The angular density of order <paramref name="order"/> (0–3) of the pair function <paramref name="pair"/>:
    /// Σ_{j,k} φ_j φ_k P_l(cos θ_jik) over every neighbour, or over those of <paramref name="neighbourElement"/> only.
    /// </summary>
    public static Expression Angular(int order, Expression pair, string? neighbourElement = null) =>
        Combine(Models.Nodes.Angular(order), pair, null, neighbourElement is null ? (byte)0 : ElementNumber(neighbourElement));

    /// <summary>The atom expression <paramref name="atom"/> as the energy of the atoms of <paramref name="element"/>, zero elsewhere.</summary>
    public static Expression At(string element, Expression atom) => Combine(NodeKind.Central, atom, null, ElementNumber(element));

    /// <summary>A model of several elements, E_i = F_{t_i}: one <c>at[A](F_A)</c> term per element, in the order given.</summary>
    public static Expression PerElement(IEnumerable<(string Element, Expression Atom)> terms)
    {
        Expression? result = null;
        foreach (var (element, atom) in terms)
        {
            var term = At(element, atom);
            result = result is null ? term : Add(result, term);
        }
        return result ?? throw new ArgumentException("a model needs at least one element");
    }

    private static byte ElementNumber(string symbol) =>
        Atoms.Elements.TryAtomicNumber(symbol, out var z) && z is > 0 and <= byte.MaxValue
            ? (byte)z
            : throw new ArgumentException($"unknown element '{symbol}'");
    public static Expression Add(Expression a, Expression b) => Combine(NodeKind.Add, a, b);
    public static Expression Sub(Expression a, Expression b) => Combine(NodeKind.Sub, a, b);
    public static Expression Mul(Expression a, Expression b) => Combine(NodeKind.Mul, a, b);
    public static Expression Div(Expression a, Expression b) => Combine(NodeKind.Div, a, b);
    public static Expression Pow(Expression a, Expression b) => Combine(NodeKind.Pow, a, b);
    public static Expression Exp(Expression a) => Combine(NodeKind.Exp, a, null);
    public static Expression Log(Expression a) => Combine(NodeKind.Log, a, null);
    public static Expression Sqrt(Expression a) => Combine(NodeKind.Sqrt, a, null);

    public static Expression operator +(Expression a, Expression b) => Add(a, b);
    public static Expression operator -(Expression a, Expression b) => Sub(a, b);
    public static Expression operator *(Expression a, Expression b) => Mul(a, b);
    public static Expression operator /(Expression a, Expression b) => Div(a, b);
    public static implicit operator Expression(double value) => Constant(value);

    /// <summary>Applies an operator (or a neighbour sum) to one or two operand trees.</summary>
    public static Expression Combine(NodeKind kind, Expression a, Expression? b) => Combine(kind, a, b, 0);

    /// <summary>Applies an operator; <paramref name="element"/> is the atomic number of a sum's neighbours or of a <see cref="NodeKind.Central"/> node.</summary>
    public static Expression Combine(NodeKind kind, Expression a, Expression? b, byte element)
    {
        var arity = Models.Nodes.Arity(kind);
        if (arity == 0 || (arity == 2) != (b is not null)) throw new ArgumentException($"{kind} needs {arity} operand(s)");
        var size = a.Length + (b?.Length ?? 0) + 1;
        var nodes = new Node[size];
        a._nodes.CopyTo(nodes, 0);
        var constants = new double[a.ConstantCount + (b?.ConstantCount ?? 0)];
        a._constants.CopyTo(constants, 0);
        if (b is not null)
        {
            for (var k = 0; k < b.Length; k++)
            {
                var node = b._nodes[k];
                nodes[a.Length + k] = node.Kind == NodeKind.Constant ? node with { ConstantIndex = node.ConstantIndex + a.ConstantCount } : node;
            }
            b._constants.CopyTo(constants, a.ConstantCount);
        }
        nodes[^1] = new Node(kind, size, -1, element);
        return new Expression(nodes, constants);
    }

    /// <summary>Replaces the subtree rooted at node i with <paramref name="replacement"/> (constants renumbered).</summary>
    public Expression Replace(int i, Expression replacement)
    {
        var start = SubtreeStart(i);
        var oldSize = i - start + 1;
        var delta = replacement.Length - oldSize;
        var nodes = new List<Node>(_nodes.Length + delta);
        var constants = new List<double>();
        void Append(Node node, double constant)
        {
            if (node.Kind == NodeKind.Constant) { node = node with { ConstantIndex = constants.Count }; constants.Add(constant); }
            nodes.Add(node);
        }
        for (var k = 0; k < start; k++) Append(_nodes[k], _nodes[k].Kind == NodeKind.Constant ? _constants[_nodes[k].ConstantIndex] : 0);
        for (var k = 0; k < replacement.Length; k++)
        {
            var node = replacement._nodes[k];
            Append(node, node.Kind == NodeKind.Constant ? replacement._constants[node.ConstantIndex] : 0);
        }
        for (var k = i + 1; k < _nodes.Length; k++)
        {
            var node = _nodes[k];
            // Ancestors of i (those whose subtree contains i) grow by delta.
            if (k - node.Size + 1 <= start) node = node with { Size = node.Size + delta };
            Append(node, node.Kind == NodeKind.Constant ? _constants[node.ConstantIndex] : 0);
        }
        return new Expression(nodes.ToArray(), constants.ToArray());
    }

    // ---- reference interpretation (scalar, recursive): the ground truth that fast evaluators are tested against

    /// <summary>
    /// The energy of one atom whose neighbours are at the given distances (all within the cutoff), with the taper.
    /// Straightforward and slow; for tests and checks. Non-finite results are returned as they come.
    /// </summary>
    public double EvaluateAtom(ReadOnlySpan<double> neighbourDistances, Taper taper)
    {
        if (HasAngular) throw new InvalidOperationException("an angular density needs the neighbours' positions, not only their distances");
        if (IsSpeciesResolved)
            throw new InvalidOperationException("a species-resolved expression needs the elements of the atom and its neighbours");
        return EvaluateAtom(neighbourDistances, default, 0, taper);
    }

    /// <summary>
    /// The energy of one atom of element <paramref name="centralElement"/> (atomic number) whose neighbours, of elements
    /// <paramref name="neighbourElements"/>, are at the given distances: the reference for species-resolved expressions.
    /// </summary>
    public double EvaluateAtom(ReadOnlySpan<double> neighbourDistances, ReadOnlySpan<byte> neighbourElements, byte centralElement, Taper taper)
    {
        if (HasAngular) throw new InvalidOperationException("an angular density needs the neighbours' positions, not only their distances");
        var vectors = new Vec3[neighbourDistances.Length];
        for (var j = 0; j < vectors.Length; j++) vectors[j] = new Vec3(neighbourDistances[j], 0, 0);
        return EvaluateAtom(vectors, neighbourElements, centralElement, taper);
    }

    /// <summary>
    /// The energy of one atom of element <paramref name="centralElement"/> (atomic number; 0 with no species-resolved
    /// nodes) whose neighbours, of elements <paramref name="neighbourElements"/> (empty likewise), sit at the vectors
    /// <paramref name="neighbourVectors"/> from it (Å, all within the cutoff). Angular densities are computed here by the
    /// explicit double sum Σ_j Σ_k φ_j φ_k P_l(cos θ_jik): the O(neighbours²) definition that the moment evaluation of the
    /// fast paths is tested against.
    /// </summary>
    public double EvaluateAtom(ReadOnlySpan<Vec3> neighbourVectors, ReadOnlySpan<byte> neighbourElements, byte centralElement, Taper taper)
    {
        var n = neighbourVectors.Length;
        var distances = new double[n];
        var tapers = new double[n];
        for (var j = 0; j < n; j++)
        {
            distances[j] = neighbourVectors[j].Length;
            tapers[j] = taper.Evaluate(distances[j]).Value;
        }
        return Evaluate(_nodes.Length - 1, double.NaN, new Neighbourhood(neighbourVectors, distances, tapers, neighbourElements), centralElement);
    }

    /// <summary>The pair expression rooted at node i (a sum's child) at distance r.</summary>
    public double EvaluatePair(int i, double r) => Evaluate(i, r, default, 0);

    private readonly ref struct Neighbourhood(ReadOnlySpan<Vec3> vectors, ReadOnlySpan<double> distances, ReadOnlySpan<double> tapers, ReadOnlySpan<byte> elements)
    {
        public ReadOnlySpan<Vec3> Vectors { get; } = vectors;
        public ReadOnlySpan<double> Distances { get; } = distances;
        public ReadOnlySpan<double> Tapers { get; } = tapers;
        public ReadOnlySpan<byte> Elements { get; } = elements;
    }

    /// <summary>Legendre polynomial P_l(x), l = 0..3.</summary>
    internal static double Legendre(int l, double x) => l switch
    {
        0 => 1,
        1 => x,
        2 => 0.5 * (3 * x * x - 1),
        3 => 0.5 * x * (5 * x * x - 3),
        _ => throw new ArgumentOutOfRangeException(nameof(l)),
    };

    private double Evaluate(int i, double r, Neighbourhood hood, byte central)
    {
        var distances = hood.Distances;
        var tapers = hood.Tapers;
        var elements = hood.Elements;
        var node = _nodes[i];
        switch (node.Kind)
        {
            case NodeKind.Constant: return _constants[node.ConstantIndex];
            case NodeKind.Distance: return r;
            case NodeKind.Sum:
            {
                var sum = 0.0;
                for (var j = 0; j < distances.Length; j++)
                    if (node.Element == 0 || elements[j] == node.Element)
                        sum += Evaluate(i - 1, distances[j], hood, central) * tapers[j];
                return sum;
            }
            case NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3:
            {
                var l = Models.Nodes.AngularOrder(node.Kind);
                var phi = new double[distances.Length];
                for (var j = 0; j < distances.Length; j++)
                    if (node.Element == 0 || elements[j] == node.Element)
                        phi[j] = Evaluate(i - 1, distances[j], hood, central) * tapers[j];
                var density = 0.0;
                for (var j = 0; j < distances.Length; j++)
                {
                    if (phi[j] == 0) continue; // outside the species-resolved sum (or a zero term)
                    for (var k = 0; k < distances.Length; k++)
                    {
                        if (phi[k] == 0) continue;
                        var cos = Vec3.Dot(hood.Vectors[j], hood.Vectors[k]) / (distances[j] * distances[k]);
                        density += phi[j] * phi[k] * Legendre(l, cos);
                    }
                }
                return density;
            }
            case NodeKind.Central:
                return central == node.Element ? Evaluate(i - 1, r, hood, central) : 0.0;
        }
        var op = Operators.Of(node.Kind);
        if (op.Arity == 1) return op.Value(Evaluate(i - 1, r, hood, central), double.NaN);
        return op.Value(Evaluate(LeftChild(i), r, hood, central), Evaluate(i - 1, r, hood, central));
    }

    // ---- validation

    private void Validate()
    {
        if (_nodes.Length == 0) throw new ArgumentException("an expression needs at least one node");
        Span<int> stackSizes = _nodes.Length <= 256 ? stackalloc int[_nodes.Length] : new int[_nodes.Length];
        Span<Level> stackLevels = _nodes.Length <= 256 ? stackalloc Level[_nodes.Length] : new Level[_nodes.Length];
        var top = 0;
        var nextConstant = 0;
        for (var i = 0; i < _nodes.Length; i++)
        {
            var node = _nodes[i];
            var arity = node.Arity;
            if (top < arity) throw new ArgumentException($"node {i} ({node.Kind}) lacks operands: not a postfix tree");
            var size = 1;
            var level = Level.Constant;
            switch (node.Kind)
            {
                case NodeKind.Constant:
                    if (node.ConstantIndex != nextConstant)
                        throw new ArgumentException($"constant node {i} has index {node.ConstantIndex}, expected {nextConstant} (postfix order)");
                    nextConstant++;
                    break;
                case NodeKind.Distance:
                    level = Level.Pair;
                    break;
                case NodeKind.Sum or NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3:
                    if (stackLevels[top - 1] == Level.Atom) throw new ArgumentException("a sum inside a sum is not allowed");
                    size += stackSizes[top - 1];
                    level = Level.Atom;
                    top--;
                    break;
                case NodeKind.Central:
                    if (node.Element == 0) throw new ArgumentException($"node {i} (at) names no element");
                    if (stackLevels[top - 1] == Level.Pair) throw new ArgumentException("r outside a sum: at[..] of a pair-level term");
                    size += stackSizes[top - 1];
                    level = Level.Atom;
                    top--;
                    break;
                default:
                    if (arity == 1)
                    {
                        // A function of one operand has its operand's level: exp of a pair term is a pair term.
                        level = stackLevels[top - 1];
                        size += stackSizes[top - 1];
                        top--;
                        break;
                    }
                    var (l, r) = (stackLevels[top - 2], stackLevels[top - 1]);
                    if ((l == Level.Pair && r == Level.Atom) || (l == Level.Atom && r == Level.Pair))
                        throw new ArgumentException("r outside a sum: a pair-level term is combined with a neighbour sum");
                    level = (Level)Math.Max((int)l, (int)r);
                    size += stackSizes[top - 2] + stackSizes[top - 1];
                    top -= 2;
                    break;
            }
            if (node.Kind != NodeKind.Constant && node.ConstantIndex != -1)
                throw new ArgumentException($"node {i} ({node.Kind}) has a constant index");
            if (node.Element != 0 && !Models.Nodes.IsNeighbourSum(node.Kind) && node.Kind != NodeKind.Central)
                throw new ArgumentException($"node {i} ({node.Kind}) names an element");
            if (node.Element != 0 && !Atoms.Elements.IsKnown(node.Element))
                throw new ArgumentException($"node {i} ({node.Kind}) names atomic number {node.Element}, not an element");
            if (node.Size != size) throw new ArgumentException($"node {i} ({node.Kind}) has size {node.Size}, its subtree has {size}");
            stackSizes[top] = size;
            stackLevels[top] = level;
            top++;
        }
        if (top != 1) throw new ArgumentException($"{top} trees left over: not a single postfix tree");
        if (nextConstant != _constants.Length) throw new ArgumentException($"{_constants.Length} constants for {nextConstant} constant nodes");
        RootLevel = stackLevels[0];
        _centralTerms = FindCentralTerms();
        foreach (var node in _nodes)
            if (node.Element != 0) { IsSpeciesResolved = true; break; }
    }

    private (byte Element, int Node)[] _centralTerms = [];

    /// <summary>Whether any node names an element (a species-resolved sum or an <c>at[A]</c> term).</summary>
    public bool IsSpeciesResolved { get; private set; }

    /// <summary>
    /// The per-element terms of a model of several elements, E = at[A](F_A) + at[B](F_B) + …: each term's element (atomic
    /// number) and the index of its <see cref="NodeKind.Central"/> node, in printed order; empty for an expression without
    /// such terms (a model of one element, or a building block).
    /// </summary>
    public ReadOnlySpan<(byte Element, int Node)> CentralTerms => _centralTerms;

    /// <summary>
    /// Finds the at[..] terms: they may appear only as the terms of the top-level sum (the root, or the operands of a chain
    /// of additions from the root), every such term must be one, and no element may have two.
    /// </summary>
    private (byte, int)[] FindCentralTerms()
    {
        var count = 0;
        foreach (var node in _nodes) if (node.Kind == NodeKind.Central) count++;
        if (count == 0) return [];
        var terms = new List<(byte, int)>();
        var pending = new Stack<int>();
        pending.Push(_nodes.Length - 1);
        while (pending.Count > 0)
        {
            var i = pending.Pop();
            var node = _nodes[i];
            if (node.Kind == NodeKind.Add) { pending.Push(i - 1); pending.Push(LeftChild(i)); continue; }
            if (node.Kind != NodeKind.Central)
                throw new ArgumentException("a model of several elements is a sum of at[A](…) terms, one per element; found another term beside them");
            foreach (var (element, _) in terms)
                if (element == node.Element) throw new ArgumentException($"two at[{Atoms.Elements.Symbol(node.Element)}] terms");
            terms.Add((node.Element, i));
        }
        if (terms.Count != count) throw new ArgumentException("at[..] may appear only as a term of the model's top-level sum");
        return terms.ToArray();
    }

    /// <summary>
    /// The level of the whole expression: a pair expression (contains r) is a building block of sums, not a model;
    /// an atom expression (or a constant) is a model's energy per atom.
    /// </summary>
    public Level RootLevel { get; private set; }

    /// <summary>Throws unless this is an atom expression (a model): r may appear only inside a sum.</summary>
    public Expression RequireAtomExpression()
    {
        if (RootLevel == Level.Pair) throw new ArgumentException("r outside a sum: the atom expression depends on r directly");
        return this;
    }
}
