namespace PoetSharp.Models;

/// <summary>Settings of random tree generation.</summary>
public sealed record RandomExpressionOptions
{
    /// <summary>Maximum depth of the atom-level part above the sums (0: the root is a sum or a constant).</summary>
    public int MaxAtomDepth { get; init; } = 3;
    /// <summary>Maximum depth of a pair expression inside a sum.</summary>
    public int MaxPairDepth { get; init; } = 4;
    /// <summary>Chance that a node above the maximum depth is a leaf (grow method); 0 gives full trees.</summary>
    public double LeafProbability { get; init; } = 0.3;
    /// <summary>Constants are drawn uniformly from this range.</summary>
    public double ConstantMin { get; init; } = -3.0;
    public double ConstantMax { get; init; } = 3.0;
    /// <summary>Relative weights of the binary operators (<see cref="Operators.Binary"/>: + − × ÷ ^) for internal nodes.</summary>
    public double[] OperatorWeights { get; init; } = [1, 1, 1, 0.5, 0.7];
    /// <summary>
    /// Elements a sum may be restricted to (Σ_{j∈B}); empty: every sum runs over all neighbours, as in a model of one
    /// element. With elements, a sum runs over all neighbours with <see cref="AnyNeighbourProbability"/>, otherwise over
    /// one element drawn uniformly.
    /// </summary>
    public IReadOnlyList<string> NeighbourElements { get; init; } = [];
    public double AnyNeighbourProbability { get; init; } = 0.3;
    /// <summary>Unary operators (exp, log, sqrt) that internal nodes may be; none by default.</summary>
    public IReadOnlyList<NodeKind> UnaryOperators { get; init; } = [];
    /// <summary>Chance that an internal node is one of <see cref="UnaryOperators"/> (when there are any).</summary>
    public double UnaryProbability { get; init; } = 0.2;
    /// <summary>
    /// Chance that a neighbour sum is an angular density ang_l(g) instead of sum(g), its order drawn uniformly from
    /// <see cref="AngularOrders"/>; 0 (the default) draws only plain sums.
    /// </summary>
    public double AngularProbability { get; init; }
    public IReadOnlyList<int> AngularOrders { get; init; } = [0, 1, 2, 3];
}

/// <summary>
/// Random, well-typed expressions of POET's hypothesis space (grow/full method with ramped depths): atom expressions
/// whose leaves are constants and neighbour sums, and pair expressions of r and constants inside the sums.
/// At least one sum is always present, so the energy depends on the structure.
/// </summary>
public static class RandomExpressions
{
    public static Expression Atom(Random random, RandomExpressionOptions? options = null)
    {
        options ??= new RandomExpressionOptions();
        for (var attempt = 0; ; attempt++)
        {
            var e = AtomTree(random, options, options.MaxAtomDepth);
            if (e.SumCount > 0 || attempt > 100) return e.SumCount > 0 ? e : NewSum(random, options);
        }
    }

    /// <summary>
    /// A model of several elements: one random atom expression per element, E = at[A](F_A) + at[B](F_B) + …, whose sums
    /// are drawn over all neighbours or over one of <paramref name="elements"/> (see <see cref="RandomExpressionOptions.NeighbourElements"/>).
    /// </summary>
    public static Expression PerElement(Random random, IReadOnlyList<string> elements, RandomExpressionOptions? options = null)
    {
        options ??= new RandomExpressionOptions();
        if (options.NeighbourElements.Count == 0) options = options with { NeighbourElements = elements };
        var o = options;
        return Expression.PerElement(elements.Select(e => (e, Atom(random, o))).ToArray());
    }

    public static Expression Pair(Random random, RandomExpressionOptions? options = null)
    {
        options ??= new RandomExpressionOptions();
        var e = PairTree(random, options, options.MaxPairDepth);
        // A pair term that does not depend on r is legal, but random trees should use r.
        return e.LevelOf(e.Length - 1) == Level.Pair ? e : Expression.Mul(e, Expression.Distance);
    }

    private static Expression AtomTree(Random random, RandomExpressionOptions o, int depth)
    {
        if (depth == 0 || random.NextDouble() < o.LeafProbability)
            return random.NextDouble() < 0.75 ? NewSum(random, o) : RandomConstant(random, o);
        if (PickUnary(random, o) is { } unary) return Expression.Combine(unary, AtomTree(random, o, depth - 1), null);
        var op = PickOperator(random, o);
        var left = AtomTree(random, o, depth - 1);
        // An exponent at atom level is mostly a constant: sums raised to sums are legal but rarely useful.
        var right = op == NodeKind.Pow && random.NextDouble() < 0.8 ? RandomConstant(random, o) : AtomTree(random, o, depth - 1);
        return Expression.Combine(op, left, right);
    }

    private static Expression NewSum(Random random, RandomExpressionOptions o)
    {
        var pair = Pair(random, o);
        // (No draw without angular densities, so that the plain search's random streams stay as they were.)
        var order = o.AngularProbability > 0 && o.AngularOrders.Count > 0 && random.NextDouble() < o.AngularProbability
            ? o.AngularOrders[random.Next(o.AngularOrders.Count)]
            : -1;
        string? element = o.NeighbourElements.Count == 0 || random.NextDouble() < o.AnyNeighbourProbability
            ? null
            : o.NeighbourElements[random.Next(o.NeighbourElements.Count)];
        return order < 0 ? Expression.Sum(pair, element) : Expression.Angular(order, pair, element);
    }

    private static Expression PairTree(Random random, RandomExpressionOptions o, int depth)
    {
        if (depth == 0 || random.NextDouble() < o.LeafProbability)
            return random.NextDouble() < 0.5 ? Expression.Distance : RandomConstant(random, o);
        if (PickUnary(random, o) is { } unary) return Expression.Combine(unary, PairTree(random, o, depth - 1), null);
        var op = PickOperator(random, o);
        return Expression.Combine(op, PairTree(random, o, depth - 1), PairTree(random, o, depth - 1));
    }

    private static Expression RandomConstant(Random random, RandomExpressionOptions o) =>
        Expression.Constant(o.ConstantMin + (o.ConstantMax - o.ConstantMin) * random.NextDouble());

    private static NodeKind PickOperator(Random random, RandomExpressionOptions o)
    {
        var binary = Operators.Binary;
        var total = o.OperatorWeights.Sum();
        var x = random.NextDouble() * total;
        for (var k = 0; k < binary.Count; k++)
        {
            x -= o.OperatorWeights[k];
            if (x < 0) return binary[k];
        }
        return binary[^1];
    }

    /// <summary>A unary operator for an internal node, or null; draws nothing when there are none.</summary>
    private static NodeKind? PickUnary(Random random, RandomExpressionOptions o)
    {
        if (o.UnaryOperators.Count == 0 || !(random.NextDouble() < o.UnaryProbability)) return null;
        return o.UnaryOperators[random.Next(o.UnaryOperators.Count)];
    }
}
