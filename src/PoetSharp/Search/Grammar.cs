using PoetSharp.Models;

namespace PoetSharp.Search;

/// <summary>
/// Random building blocks of the search, biased towards the shapes physical potentials are made of: pair terms that are
/// powers of r with integer exponents (c·r^k, r^k) or exponentials (c^r), atom-level powers of sums with simple
/// exponents (½, −1, 2, …), and otherwise arbitrary typed trees of + − × ÷ ^ (and of the functions exp, log, sqrt
/// where the search's operator set has them, <see cref="SearchSettings.OperatorSet"/>). The bias is a prior over forms, not a
/// target: every operator and any constant remain reachable, and the constants are fitted afterwards.
/// <para>
/// One prior is specific to metals: a share (<see cref="GrammarPriors.EmbeddedAtomShare"/>) of random atom expressions have the
/// embedded-atom shape Σ g + c·(Σ h)^p, a pair sum plus a power of a second neighbour sum (a density), with g and h
/// random pair terms and p a simple exponent. Finnis–Sinclair, Sutton–Chen and Gupta (second-moment tight-binding)
/// potentials all have this shape (with p = ½ and power or exponential terms), so it is a general prior for metallic
/// bonding rather than the answer of any one data set; the exponents and coefficients are drawn at random and fitted.
/// The search turns it off with <see cref="SearchSettings.MetalsPrior"/> (<c>--no-prior</c>).
/// </para>
/// <para>
/// Several elements (<c>elements</c> given, two or more): a model is one atom expression per element,
/// at[A](F_A) + at[B](F_B) + … (<see cref="Model"/>), and every new neighbour sum runs over all neighbours with
/// probability <see cref="GrammarPriors.AnyNeighbourShare"/>, otherwise over the neighbours of one element drawn uniformly. The
/// embedded-atom prior becomes that of EAM alloys: F_A = Σ g + c·(Σ_B Σ_{j∈B} h_B)^p, a density summed over one
/// function per neighbour element (or, half the time, one sum as for one element).
/// </para>
/// <para>
/// The shares of these priors are settings (<see cref="SearchSettings.Priors"/>): every function that draws with one
/// takes a <see cref="GrammarPriors"/> as its last parameter, null meaning <see cref="GrammarPriors.Default"/>.
/// </para>
/// </summary>
public static class Grammar
{
    // The binary operators of the operator table (+ − × ÷ ^) and their weights.
    private static readonly IReadOnlyList<NodeKind> Binary = Operators.Binary;
    private static readonly double[] BinaryWeights = [1, 1, 1, 0.5, 0.8];

    private static readonly double[] AtomExponents = [0.5, -1, 2, -0.5, 1.5, 3, -2];

    /// <summary>An integer exponent for a power of r: mostly negative (repulsion and decay), up to |k| = 12.</summary>
    public static double IntegerExponent(SearchRandom random) =>
        random.Chance(0.8) ? -random.Next(1, 13) : random.Next(1, 7);

    /// <summary>A simple exponent for a power at atom level (of a sum).</summary>
    public static double AtomExponent(SearchRandom random) =>
        random.Chance(0.8) ? AtomExponents[random.Next(AtomExponents.Length)] : Math.Round(-3 + 6 * random.NextDouble(), 2);

    /// <summary>A coefficient: sign and magnitude spread over decades (the fit adjusts it).</summary>
    public static double Coefficient(SearchRandom random)
    {
        var magnitude = Math.Pow(10, -1 + 3 * random.NextDouble());
        return Math.Round(random.Chance(0.7) ? magnitude : -magnitude, 3);
    }

    public static double SmallConstant(SearchRandom random) => Math.Round(-3 + 6 * random.NextDouble(), 3);

    /// <summary>
    /// A pair-level building block (depends on r); with <see cref="GrammarPriors.PowerDecayShare"/> &gt; 0, that share of
    /// them are r^(a − b·r) (a in [3, 12], b in [1, 6]); with 0 nothing extra is drawn.
    /// </summary>
    public static Expression PairTerm(SearchRandom random, GrammarPriors? priors)
    {
        if (priors is { PowerDecayShare: > 0 } && random.Chance(priors.PowerDecayShare))
            return Expression.Pow(Expression.Distance,
                Expression.Constant(Math.Round(3 + 9 * random.NextDouble(), 3)) - Expression.Constant(Math.Round(1 + 5 * random.NextDouble(), 3)) * Expression.Distance);
        return PairTerm(random);
    }

    /// <summary>A pair-level building block (depends on r).</summary>
    public static Expression PairTerm(SearchRandom random) => random.Next(6) switch
    {
        0 or 1 => Expression.Constant(Coefficient(random)) * Expression.Pow(Expression.Distance, IntegerExponent(random)),
        2 => Expression.Pow(Expression.Distance, IntegerExponent(random)),
        3 => Expression.Pow(Expression.Constant(Math.Round(0.1 + 0.8 * random.NextDouble(), 3)), Expression.Distance),
        4 => Expression.Constant(Coefficient(random)) * Expression.Pow(Expression.Constant(Math.Round(0.1 + 0.8 * random.NextDouble(), 3)), Expression.Distance),
        _ => Expression.Combine(PickBinary(random), Expression.Distance, SmallConstant(random)),
    };

    /// <summary>
    /// A random pair expression of depth at most <paramref name="depth"/> (≥ 1), always depending on r; internal nodes
    /// may be the functions <paramref name="unary"/> (none by default, which draws exactly as before functions existed).
    /// </summary>
    public static Expression Pair(SearchRandom random, int depth, IReadOnlyList<NodeKind>? unary = null, GrammarPriors? priors = null)
    {
        var e = PairTree(random, depth, unary ?? [], priors ?? GrammarPriors.Default);
        return e.RootLevel == Level.Pair ? e : Expression.Mul(e, PairTerm(random, priors));
    }

    private static Expression PairTree(SearchRandom random, int depth, IReadOnlyList<NodeKind> unary, GrammarPriors priors)
    {
        if (depth <= 3 || random.Chance(0.4))
            return random.Chance(0.8) ? PairTerm(random, priors) : (random.Chance(0.5) ? Expression.Distance : Expression.Constant(SmallConstant(random)));
        if (PickUnary(random, unary, priors) is { } function) return Expression.Combine(function, PairTree(random, depth - 1, unary, priors), null);
        var op = PickBinary(random);
        if (op == NodeKind.Pow)
            return Expression.Pow(PairTree(random, depth - 1, unary, priors), random.Chance(0.7) ? IntegerExponent(random) : SmallConstant(random));
        return Expression.Combine(op, PairTree(random, depth - 1, unary, priors), PairTree(random, depth - 1, unary, priors));
    }

    /// <summary>
    /// A neighbour sum of <paramref name="pair"/>: over every neighbour, or with several <paramref name="elements"/>,
    /// sometimes over the neighbours of one of them (<see cref="GrammarPriors.AnyNeighbourShare"/> decides). One element
    /// (or none) draws nothing, so single-element runs are as before.
    /// </summary>
    public static Expression NewSum(SearchRandom random, Expression pair, IReadOnlyList<string>? elements, AngularSearch? angular = null,
        GrammarPriors? priors = null)
    {
        // With angular densities in the search, a share of new sums are ang_l (no draw without them: radial runs unchanged).
        var order = angular is { SumShare: > 0 } && random.Chance(angular.SumShare) ? angular.Orders[random.Next(angular.Orders.Count)] : -1;
        string? element = elements is not { Count: > 1 } || random.Chance((priors ?? GrammarPriors.Default).AnyNeighbourShare) ? null : elements[random.Next(elements.Count)];
        return order < 0 ? Expression.Sum(pair, element) : Expression.Angular(order, pair, element);
    }

    /// <summary>
    /// The MEAM-like shape Σ g + c·(ang0(h) + Σ_l t_l ang_l(h))^p: a pair sum and an embedding of the angular densities of
    /// one density family h (each copy fitted on its own), with one or two orders l ≥ 1 drawn from the search's and p a
    /// simple exponent halved (ang0 = (Σ h)², so p = ¼ is the square root of the density as in EAM and MEAM).
    /// </summary>
    public static Expression Meam(SearchRandom random, AngularSearch angular, IReadOnlyList<string>? elements = null, GrammarPriors? priors = null)
    {
        var pair = NewSum(random, PairTerm(random, priors), elements, null, priors);
        var density = PairTerm(random, priors);
        string? element = elements is not { Count: > 1 } || random.Chance(0.5) ? null : elements[random.Next(elements.Count)];
        Expression inner = Expression.Angular(0, density, element);
        var higher = angular.Orders.Where(l => l > 0).ToArray();
        var terms = higher.Length == 0 ? 0 : random.Chance(0.5) ? 1 : Math.Min(2, higher.Length);
        var used = new List<int>();
        for (var t = 0; t < terms; t++)
        {
            var l = higher[random.Next(higher.Length)];
            if (used.Contains(l)) continue;
            used.Add(l);
            inner += Expression.Constant(Math.Round(0.2 + 2 * random.NextDouble(), 3)) * Expression.Angular(l, density, element);
        }
        var embedding = Expression.Pow(inner, AtomExponent(random) / 2);
        return random.Chance(0.5) ? pair + Expression.Constant(Coefficient(random)) * embedding : pair - embedding;
    }

    /// <summary>A random model: with several elements one atom expression per element (<see cref="Expression.PerElement"/>).</summary>
    public static Expression Model(SearchRandom random, int atomDepth, int pairDepth, bool metalsPrior, IReadOnlyList<NodeKind>? unary,
        IReadOnlyList<string>? elements, AngularSearch? angular = null, GrammarPriors? priors = null)
    {
        priors ??= GrammarPriors.Default;
        if (elements is not { Count: > 1 }) return Atom(random, atomDepth, pairDepth, metalsPrior, unary, null, angular, priors);
        if (metalsPrior && atomDepth >= 2 && random.Chance(priors.EmbeddedAtomShare)) return EmbeddedAtomAlloy(random, elements);
        var terms = new (string, Expression)[elements.Count];
        for (var k = 0; k < elements.Count; k++) terms[k] = (elements[k], Atom(random, atomDepth, pairDepth, metalsPrior, unary, elements, angular, priors));
        return Expression.PerElement(terms);
    }

    /// <summary>
    /// The EAM-alloy shape for every element at once, as EAM, Finnis–Sinclair and Rafii-Tabar–Sutton alloys are built:
    /// one pair-function family and one density family are drawn, and every element A gets
    /// F_A = Σ_B a_AB Σ_{j∈B} g_B − (Σ_B b_AB Σ_{j∈B} h_B)^p (or + c·(…)^p), each neighbour element B with its own copy of
    /// the family and its own amplitudes a_AB, b_AB (density amplitudes positive). The fit gives each copy its own
    /// constants; the amplitudes matter because a family such as r^-k has none of its own, and alloys differ first of all
    /// in how strongly each element bonds and contributes density (in Rafii-Tabar–Sutton, ε_AB a_AB^n and (ε_A c_A)² a_B^m
    /// with one n and one m). A prior over forms, like <see cref="EmbeddedAtom"/>.
    /// </summary>
    public static Expression EmbeddedAtomAlloy(SearchRandom random, IReadOnlyList<string> elements)
    {
        var pairFamily = PairTerm(random);
        var densityFamily = PairTerm(random);
        var exponent = AtomExponent(random);
        var coefficient = random.Chance(0.5) ? (double?)Coefficient(random) : null;
        Expression Over(Expression family, bool positive)
        {
            Expression? total = null;
            foreach (var b in elements)
            {
                var amplitude = Coefficient(random);
                // A density is positive at neighbour distances (2.5 Å: a metal's first shell), so a root of it is real.
                if (positive) amplitude = Math.Abs(amplitude) * (family.EvaluatePair(family.Length - 1, 2.5) < 0 ? -1 : 1);
                var copy = Expression.Constant(amplitude) * Expression.Sum(family, b);
                total = total is null ? copy : total + copy;
            }
            return total!;
        }
        var terms = elements.Select(a =>
        {
            var embedding = Expression.Pow(Over(densityFamily, positive: true), exponent);
            var pair = Over(pairFamily, positive: false);
            return (a, coefficient is { } c ? pair + Expression.Constant(c) * embedding : pair - embedding);
        }).ToArray();
        return Expression.PerElement(terms);
    }

    /// <summary>A neighbour sum of a random pair expression, sometimes raised to a simple power or scaled.</summary>
    public static Expression SumTerm(SearchRandom random, int pairDepth, IReadOnlyList<NodeKind>? unary = null, IReadOnlyList<string>? elements = null,
        AngularSearch? angular = null, GrammarPriors? priors = null)
    {
        var sum = NewSum(random, Pair(random, pairDepth, unary, priors), elements, angular, priors);
        return random.Next(4) switch
        {
            0 => Expression.Pow(sum, AtomExponent(random)),
            1 => Expression.Constant(Coefficient(random)) * Expression.Pow(sum, AtomExponent(random)),
            2 => Expression.Constant(Coefficient(random)) * sum,
            _ => sum,
        };
    }

    /// <summary>The embedded-atom shape Σ g + c·(Σ h)^p (or Σ g + (Σ h)^p) with random pair terms and exponent.</summary>
    public static Expression EmbeddedAtom(SearchRandom random, IReadOnlyList<string>? elements = null, GrammarPriors? priors = null)
    {
        var pair = NewSum(random, PairTerm(random, priors), elements, null, priors);
        Expression density;
        if (elements is { Count: > 1 } && random.Chance(0.5))
        {
            // EAM alloys: the density at an atom is a sum over its neighbours of one function per neighbour element.
            density = Expression.Sum(PairTerm(random, priors), elements[0]);
            for (var k = 1; k < elements.Count; k++) density += Expression.Sum(PairTerm(random, priors), elements[k]);
        }
        else density = NewSum(random, PairTerm(random, priors), elements, null, priors);
        var embedding = Expression.Pow(density, AtomExponent(random));
        var shape = random.Chance(0.5) ? pair + Expression.Constant(Coefficient(random)) * embedding : pair - embedding;
        if (priors is not { InverseEmbeddingShare: > 0 } || !random.Chance(priors.InverseEmbeddingShare)) return shape;
        // F(ρ) = … + a·(b + ρ)^(−q): the same density (its constants fitted on their own), a > 0 so that the energy rises as
        // neighbours are lost, b > 0 so that it stays finite without any (GrammarPriors.InverseEmbeddingShare says why).
        var a = Math.Round(0.1 + 2 * random.NextDouble(), 3);
        var b = Math.Round(0.05 + 0.95 * random.NextDouble(), 3);
        var q = Math.Round(0.5 + 2 * random.NextDouble(), 2);
        return shape + Expression.Constant(a) * Expression.Pow(Expression.Constant(b) + density, -q);
    }

    /// <summary>
    /// A random atom expression (at least one sum) of atom depth at most <paramref name="atomDepth"/>; with
    /// <paramref name="metalsPrior"/>, a share of them (<see cref="GrammarPriors.EmbeddedAtomShare"/>) have the
    /// embedded-atom shape; internal nodes may be the functions <paramref name="unary"/> (none by default).
    /// </summary>
    public static Expression Atom(SearchRandom random, int atomDepth, int pairDepth, bool metalsPrior, IReadOnlyList<NodeKind>? unary = null,
        IReadOnlyList<string>? elements = null, AngularSearch? angular = null, GrammarPriors? priors = null)
    {
        unary ??= [];
        priors ??= GrammarPriors.Default;
        if (metalsPrior && atomDepth >= 2 && random.Chance(priors.EmbeddedAtomShare)) return EmbeddedAtom(random, elements, priors);
        if (angular is { MeamShare: > 0 } && atomDepth >= 2 && random.Chance(angular.MeamShare)) return Meam(random, angular, elements, priors);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var e = AtomTree(random, atomDepth, pairDepth, unary, elements, angular, priors);
            if (e.SumCount > 0 && e.RootLevel == Level.Atom) return e;
        }
        return SumTerm(random, pairDepth, unary, elements, angular, priors);
    }

    private static Expression AtomTree(SearchRandom random, int depth, int pairDepth, IReadOnlyList<NodeKind> unary, IReadOnlyList<string>? elements,
        AngularSearch? angular, GrammarPriors priors)
    {
        if (depth <= 1 || random.Chance(0.35))
            return random.Chance(0.85) ? SumTerm(random, pairDepth, unary, elements, angular, priors) : Expression.Constant(SmallConstant(random));
        if (PickUnary(random, unary, priors) is { } function)
            return Expression.Combine(function, AtomTree(random, depth - 1, pairDepth, unary, elements, angular, priors), null);
        var op = PickBinary(random);
        if (op == NodeKind.Pow) return Expression.Pow(AtomTree(random, depth - 1, pairDepth, unary, elements, angular, priors), AtomExponent(random));
        return Expression.Combine(op, AtomTree(random, depth - 1, pairDepth, unary, elements, angular, priors),
            AtomTree(random, depth - 1, pairDepth, unary, elements, angular, priors));
    }

    /// <summary>A leaf for the given context: r or a constant inside a sum, a constant or a neighbour sum outside.</summary>
    public static Expression Leaf(SearchRandom random, bool insideSum, IReadOnlyList<string>? elements = null, AngularSearch? angular = null,
        GrammarPriors? priors = null) => insideSum
        ? (random.Chance(0.5) ? Expression.Distance : Expression.Constant(SmallConstant(random)))
        : (random.Chance(0.6) ? Expression.Constant(SmallConstant(random)) : NewSum(random, PairTerm(random, priors), elements, angular, priors));

    /// <summary>
    /// A function of <paramref name="unary"/> with chance <see cref="GrammarPriors.UnaryShare"/>, else null; draws nothing
    /// from <paramref name="random"/> when there are none (so the default operator set keeps every run's random stream).
    /// </summary>
    public static NodeKind? PickUnary(SearchRandom random, IReadOnlyList<NodeKind> unary, GrammarPriors? priors = null)
    {
        if (unary.Count == 0 || !random.Chance((priors ?? GrammarPriors.Default).UnaryShare)) return null;
        return unary[random.Next(unary.Count)];
    }

    public static NodeKind PickBinary(SearchRandom random)
    {
        var x = random.NextDouble() * BinaryWeights.Sum();
        for (var k = 0; k < Binary.Count; k++)
        {
            x -= BinaryWeights[k];
            if (x < 0) return Binary[k];
        }
        return Binary[^1];
    }
}
