using PoetSharp.Models;

namespace PoetSharp.Search;

/// <summary>The variation operators of the search.</summary>
public enum Operator
{
    Crossover,
    PointMutation,
    SubtreeReplacement,
    Insertion,
    Deletion,
    Hoist,
    AddSumTerm,
    RemoveSumTerm,
    ConstantJitter,
}

/// <summary>Size limits every candidate must respect.</summary>
/// <remarks>A model of several elements, at[A](F_A) + at[B](F_B) + …, is within the limits when each F_A is.</remarks>
public sealed record TreeLimits(int MaxNodes = 31, int MaxDepth = 10)
{
    /// <summary>
    /// The default limits of each element's expression for data of <paramref name="elements"/> elements: 31 nodes and
    /// depth 10 for one or two, and for each further element 14 nodes and one level more. An EAM-alloy expression holds
    /// one pair and one density sum per neighbour element (each c·Σ_B(g) with its "+": 7 nodes, twice), so with fixed
    /// limits the Rafii-Tabar–Sutton or EAM-alloy form of three or more elements could not be written at all.
    /// </summary>
    public static TreeLimits ForElements(int elements)
    {
        var extra = Math.Max(0, elements - 2);
        return new TreeLimits(31 + 14 * extra, 10 + extra);
    }

    /// <summary>A node limit with the depth that goes with it in <see cref="ForElements"/> (10, one more per 14 nodes above 31).</summary>
    public static TreeLimits ForNodes(int nodes) => new(nodes, 10 + Math.Max(0, (nodes - 31) / 14));

    public bool Allows(Expression e)
    {
        var terms = e.CentralTerms;
        if (terms.Length == 0) return e.Length <= MaxNodes && TreeShape.DepthOf(e) <= MaxDepth;
        foreach (var (_, node) in terms)
        {
            var body = node - 1;
            if (e.Nodes[body].Size > MaxNodes || TreeShape.DepthOf(e.Subtree(body)) > MaxDepth) return false;
        }
        return true;
    }
}

/// <summary>
/// Variation of typed trees. Every operator returns a well-typed atom expression with at least one sum (r only inside
/// sums, no nested sums: <see cref="Expression.RequireAtomExpression"/> holds) within the <see cref="TreeLimits"/>, or
/// null when the drawn change is impossible (the caller draws again). A subtree may replace node i only if its level
/// fits i's context (<see cref="TreeShape.Accepts"/>): pair or constant inside a sum, atom or constant outside.
/// </summary>
public static class Variation
{
    /// <param name="metalsPrior">Whether fresh random subtrees may have the embedded-atom shape (<see cref="SearchSettings.MetalsPrior"/>).</param>
    /// <param name="unary">The functions (exp, log, sqrt) that mutations may create (<see cref="SearchSettings.UnaryOperators"/>); none by default.</param>
    /// <param name="elements">
    /// The elements of the data when there are several: a model is then at[A](F_A) + at[B](F_B) + …; the operator acts on
    /// the expression of one element drawn at random (crossover takes material from any element's expression of the
    /// other parent), new sums may run over one element's neighbours, and a point mutation of a sum redraws its element.
    /// </param>
    /// <param name="angular">Whether and how new sums may be angular densities (<see cref="SearchSettings.Angular"/>); null: radial only.</param>
    /// <param name="priors">The shares of the grammar's preferred forms in fresh subtrees (<see cref="SearchSettings.Priors"/>); null: the default.</param>
    public static Expression? Apply(Operator op, Expression a, Expression b, SearchRandom random, TreeLimits limits, bool metalsPrior,
        IReadOnlyList<NodeKind>? unary = null, IReadOnlyList<string>? elements = null, AngularSearch? angular = null, GrammarPriors? priors = null)
    {
        try
        {
            if (a.CentralTerms.Length > 0) return ApplyToOneElement(op, a, b, random, limits, metalsPrior, unary ?? [], elements, angular, priors);
            return ApplyUnchecked(op, a, b, random, limits, metalsPrior, unary ?? [], elements, angular, priors);
        }
        catch (ArgumentException)
        {
            // The level checks make every replacement well typed; this guards against a case they miss.
            return null;
        }
    }

    private static Expression? ApplyToOneElement(Operator op, Expression a, Expression b, SearchRandom random, TreeLimits limits,
        bool metalsPrior, IReadOnlyList<NodeKind> unary, IReadOnlyList<string>? elements, AngularSearch? angular, GrammarPriors? priors)
    {
        var terms = a.CentralTerms;
        var body = terms[random.Next(terms.Length)].Node - 1;
        var donor = b.CentralTerms.Length > 0 ? b.Subtree(b.CentralTerms[random.Next(b.CentralTerms.Length)].Node - 1) : b;
        var changed = ApplyUnchecked(op, a.Subtree(body), donor, random, limits, metalsPrior, unary, elements, angular, priors);
        return changed == null ? null : Finish(a.Replace(body, changed), limits);
    }

    private static Expression? ApplyUnchecked(Operator op, Expression a, Expression b, SearchRandom random, TreeLimits limits, bool metalsPrior,
        IReadOnlyList<NodeKind> unary, IReadOnlyList<string>? elements, AngularSearch? angular, GrammarPriors? priors) => op switch
    {
        Operator.Crossover => Crossover(a, b, random, limits),
        Operator.PointMutation => PointMutation(a, random, limits, unary, elements, angular),
        Operator.SubtreeReplacement => SubtreeReplacement(a, random, limits, metalsPrior, unary, elements, angular, priors),
        Operator.Insertion => Insertion(a, random, limits, unary, elements, angular, priors),
        Operator.Deletion => Deletion(a, random, limits),
        Operator.Hoist => Hoist(a, random, limits),
        Operator.AddSumTerm => AddSumTerm(a, random, limits, unary, elements, angular, priors),
        Operator.RemoveSumTerm => RemoveSumTerm(a, random, limits),
        Operator.ConstantJitter => ConstantJitter(a, random),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>
    /// Subtree crossover: a subtree of <paramref name="a"/> is replaced by a subtree of <paramref name="b"/> of the same
    /// level, or a constant of <paramref name="a"/> by any subtree of <paramref name="b"/> that fits its context (POET's
    /// example: the 14 of Σ(1−r)+14 taking Σ(3+r) from (r+11)·Σ(3+r)).
    /// </summary>
    public static Expression? Crossover(Expression a, Expression b, SearchRandom random, TreeLimits limits)
    {
        var sa = new TreeShape(a);
        var sb = new TreeShape(b);
        var options = new List<int>();
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var i = random.Next(a.Length);
            options.Clear();
            for (var j = 0; j < b.Length; j++)
                if (sa.Accepts(i, sb.Levels[j]) && (sb.Levels[j] == sa.Levels[i] || sa.Levels[i] == Level.Constant))
                    options.Add(j);
            if (options.Count == 0) continue;
            var child = Finish(a.Replace(i, b.Subtree(random.Pick(options))), limits);
            if (child != null) return child;
        }
        return null;
    }

    /// <summary>
    /// One node changes: a binary operator into another, a function into another of <paramref name="unary"/>, a constant
    /// into a new value, r into a constant or back; with several <paramref name="elements"/>, a sum's neighbours into those
    /// of another element (or all).
    /// </summary>
    public static Expression? PointMutation(Expression a, SearchRandom random, TreeLimits limits, IReadOnlyList<NodeKind>? unary = null,
        IReadOnlyList<string>? elements = null, AngularSearch? angular = null)
    {
        var shape = new TreeShape(a);
        var i = random.Next(a.Length);
        var node = a.Nodes[i];
        switch (node.Kind)
        {
            case NodeKind.Sum or NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3:
            {
                // With angular densities in the search, half the time the kind changes: sum ↔ ang_l, or another order.
                if (angular is not null && (elements is not { Count: > 1 } || random.Chance(0.5)))
                {
                    var kinds = new List<NodeKind> { NodeKind.Sum };
                    kinds.AddRange(angular.Orders.Select(Nodes.Angular));
                    var newKind = kinds[random.Next(kinds.Count)];
                    if (newKind == node.Kind) return null;
                    return Finish(a.Replace(i, Expression.Combine(newKind, a.Subtree(i - 1), null, node.Element)), limits);
                }
                if (elements is not { Count: > 1 }) return null;
                var choice = random.Next(elements.Count + 1);
                var element = choice == elements.Count ? null : elements[choice];
                var current = node.Element == 0 ? null : Atoms.Elements.Symbol(node.Element);
                if (element == current) return null;
                var pair = a.Subtree(i - 1);
                return Finish(a.Replace(i, node.Kind == NodeKind.Sum ? Expression.Sum(pair, element) : Expression.Angular(Nodes.AngularOrder(node.Kind), pair, element)), limits);
            }
            case NodeKind.Central:
                return null;
            case NodeKind.Distance:
                return Finish(a.Replace(i, Expression.Constant(Grammar.SmallConstant(random))), limits);
            case NodeKind.Constant:
                if (shape.InsideSum[i] && random.Chance(0.3)) return Finish(a.Replace(i, Expression.Distance), limits);
                return Finish(a.Replace(i, Expression.Constant(NewConstant(a, shape, i, random))), limits);
            default:
                if (node.Arity == 1)
                {
                    if (unary is not { Count: > 1 }) return null;
                    var function = unary[random.Next(unary.Count)];
                    if (function == node.Kind) return null;
                    return Finish(a.Replace(i, Expression.Combine(function, a.Subtree(i - 1), null)), limits);
                }
                var kind = Grammar.PickBinary(random);
                if (kind == node.Kind) return null;
                var replaced = Expression.Combine(kind, a.Subtree(a.LeftChild(i)), a.Subtree(i - 1));
                return Finish(a.Replace(i, replaced), limits);
        }
    }

    /// <summary>A random subtree replaces one (a pair expression inside sums, an atom expression outside).</summary>
    public static Expression? SubtreeReplacement(Expression a, SearchRandom random, TreeLimits limits, bool metalsPrior,
        IReadOnlyList<NodeKind>? unary = null, IReadOnlyList<string>? elements = null, AngularSearch? angular = null, GrammarPriors? priors = null)
    {
        var shape = new TreeShape(a);
        var i = random.Next(a.Length);
        if (Nodes.IsNeighbourSum(a.Nodes[i].Kind) && random.Chance(0.5)) i--;
        var fresh = shape.InsideSum[i]
            ? Grammar.Pair(random, random.Next(1, 5), unary, priors)
            : Grammar.Atom(random, random.Next(1, 3), random.Next(3, 5), metalsPrior, unary, elements, angular, priors);
        return Finish(a.Replace(i, fresh), limits);
    }

    /// <summary>
    /// A new node above node i: op(x, leaf) or op(leaf, x), powers with an integer or simple exponent, or a function
    /// f(x) of <paramref name="unary"/> (with chance <see cref="GrammarPriors.UnaryShare"/>).
    /// </summary>
    public static Expression? Insertion(Expression a, SearchRandom random, TreeLimits limits, IReadOnlyList<NodeKind>? unary = null,
        IReadOnlyList<string>? elements = null, AngularSearch? angular = null, GrammarPriors? priors = null)
    {
        var shape = new TreeShape(a);
        var i = random.Next(a.Length);
        var x = a.Subtree(i);
        if (Grammar.PickUnary(random, unary ?? [], priors) is { } function) return Finish(a.Replace(i, Expression.Combine(function, x, null)), limits);
        var kind = Grammar.PickBinary(random);
        Expression inserted;
        if (kind == NodeKind.Pow)
            inserted = Expression.Pow(x, shape.InsideSum[i] ? Grammar.IntegerExponent(random) : Grammar.AtomExponent(random));
        else
        {
            var leaf = shape.InsideSum[i] || random.Chance(0.7)
                ? Grammar.Leaf(random, shape.InsideSum[i], elements, angular, priors)
                : Grammar.NewSum(random, Grammar.PairTerm(random, priors), elements, angular, priors);
            inserted = random.Chance(0.5) ? Expression.Combine(kind, x, leaf) : Expression.Combine(kind, leaf, x);
        }
        return Finish(a.Replace(i, inserted), limits);
    }

    /// <summary>An operator node is removed and replaced by one of its children (a function by its operand).</summary>
    public static Expression? Deletion(Expression a, SearchRandom random, TreeLimits limits)
    {
        var operators = Indices(a, i => a.Nodes[i].Arity == 2 || (a.Nodes[i].Arity == 1 && !Nodes.IsNeighbourSum(a.Nodes[i].Kind) && a.Nodes[i].Kind != NodeKind.Central));
        if (operators.Count == 0) return null;
        var i = random.Pick(operators);
        var keep = a.Nodes[i].Arity == 1 ? i - 1 : random.Chance(0.5) ? a.LeftChild(i) : i - 1;
        return Finish(a.Replace(i, a.Subtree(keep)), limits);
    }

    /// <summary>A subtree is replaced by one of its own descendants (the whole tree by an atom-level part of it).</summary>
    public static Expression? Hoist(Expression a, SearchRandom random, TreeLimits limits)
    {
        var shape = new TreeShape(a);
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var i = random.Next(a.Length);
            var start = a.SubtreeStart(i);
            if (start == i) continue;
            var j = random.Next(start, i);
            if (!shape.Accepts(i, shape.Levels[j])) continue;
            var child = Finish(a.Replace(i, a.Subtree(j)), limits);
            if (child != null) return child;
        }
        return null;
    }

    /// <summary>A new term is added: e + c·Σ g, e − Σ g, e + c·(Σ g)^p …</summary>
    public static Expression? AddSumTerm(Expression a, SearchRandom random, TreeLimits limits, IReadOnlyList<NodeKind>? unary = null,
        IReadOnlyList<string>? elements = null, AngularSearch? angular = null, GrammarPriors? priors = null)
    {
        var term = Grammar.SumTerm(random, random.Next(3, 5), unary, elements, angular, priors);
        return Finish(random.Chance(0.5) ? a + term : a - term, limits);
    }

    /// <summary>One operand of an atom-level + or − that contains a sum is dropped.</summary>
    public static Expression? RemoveSumTerm(Expression a, SearchRandom random, TreeLimits limits)
    {
        var shape = new TreeShape(a);
        var candidates = Indices(a, i => (a.Nodes[i].Kind is NodeKind.Add or NodeKind.Sub) && !shape.InsideSum[i]
            && shape.Levels[a.LeftChild(i)] == Level.Atom && shape.Levels[i - 1] == Level.Atom);
        if (candidates.Count == 0) return null;
        var i = random.Pick(candidates);
        var keep = random.Chance(0.5) ? a.LeftChild(i) : i - 1;
        return Finish(a.Replace(i, a.Subtree(keep)), limits);
    }

    /// <summary>
    /// Every constant is multiplied by (1 + 0.1·N(0,1)); exponents of r sometimes snap to the nearest integer (a cheaper
    /// and often truer form; the fit that follows moves them again if the data disagree).
    /// </summary>
    public static Expression? ConstantJitter(Expression a, SearchRandom random)
    {
        if (a.ConstantCount == 0) return null;
        var shape = new TreeShape(a);
        var constants = a.Constants.ToArray();
        var snap = random.Chance(0.3);
        for (var i = 0; i < a.Length; i++)
        {
            if (a.Nodes[i].Kind != NodeKind.Constant) continue;
            var k = a.Nodes[i].ConstantIndex;
            if (snap && IsExponent(a, shape, i)) constants[k] = Math.Round(constants[k] * 2) / 2;
            else constants[k] *= 1 + 0.1 * random.NextGaussian();
        }
        return a.WithConstants(constants);
    }

    // A fresh constant: an exponent stays an exponent (integer inside sums, simple outside), others are coefficients.
    private static double NewConstant(Expression a, TreeShape shape, int i, SearchRandom random)
    {
        if (IsExponent(a, shape, i)) return shape.InsideSum[i] ? Grammar.IntegerExponent(random) : Grammar.AtomExponent(random);
        var old = a.ConstantOf(i);
        return random.Chance(0.5) ? Math.Round(old * (1 + 0.5 * random.NextGaussian()), 4) : Grammar.SmallConstant(random);
    }

    // Whether the constant node i is the exponent (right child) of a power.
    private static bool IsExponent(Expression a, TreeShape shape, int i)
    {
        for (var p = i + 1; p < a.Length; p++)
        {
            if (a.SubtreeStart(p) > i) continue;
            // p is the nearest ancestor (the first one after i whose subtree contains i).
            return a.Nodes[p].Kind == NodeKind.Pow && p - 1 == i;
        }
        return false;
    }

    private static List<int> Indices(Expression a, Func<int, bool> predicate)
    {
        var list = new List<int>();
        for (var i = 0; i < a.Length; i++) if (predicate(i)) list.Add(i);
        return list;
    }

    /// <summary>Null unless the child is a model (an atom expression with a sum) within the limits.</summary>
    internal static Expression? Finish(Expression child, TreeLimits limits) =>
        child.RootLevel == Level.Atom && child.SumCount > 0 && limits.Allows(child) ? child : null;
}
