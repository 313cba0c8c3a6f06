namespace PoetSharp.Models;

/// <summary>
/// Estimated cost of evaluating a model's energy, in nanoseconds per neighbour pair (a pair in the half list: each
/// unordered pair i–j is evaluated once and added to both atoms' sums), for a vectorised evaluator. Used to prefer
/// cheap forms in the search, not to predict timings exactly.
/// </summary>
/// <remarks>
/// <para>Per-element costs are TensorPrimitives-like throughput figures on one core: multiply (also add, subtract)
/// 0.2 ns, divide and square root 0.4 ns, exp 6 ns, log 4 ns, pow 11 ns.</para>
/// <para>Counted: every node of a sum's pair expression that depends on r, plus a multiply-add per sum (g·f
/// accumulated). Subtrees without r or sums are constants, folded once, and cost nothing. Not counted (the same for
/// every model): distances, the taper f(r) itself, the neighbour list, and forces.</para>
/// <para>Powers x^c with a constant exponent c (a constant subtree is evaluated): an integer |c| ≤ 16 costs the
/// multiplications of binary exponentiation (⌊log₂|c|⌋ + popcount(|c|) − 1), plus a division if c &lt; 0; a half
/// integer costs a square root, the multiplications for the integer part and one more, plus a division if c &lt; 0;
/// any other c costs a pow. c^x with constant c is exp(x·ln c): one multiply and an exp. Anything else is a pow.
/// exp(x), log(x) and sqrt(x) cost an exp, a log and a square root. Each operator's cost is its entry in the operator
/// table (<see cref="OperatorDefinition.Cost"/>).</para>
/// <para>Angular densities ang_l(g) cost their pair expression plus the moment work per pair (<see cref="AngularPairCost"/>):
/// from about 2.2 ns (l = 0) to 13.2 ns (l = 3) per pair on top of g, an honest share of why they are slower than sums.</para>
/// <para>Species: a sum over the neighbours of one element (<c>sum[B](g)</c>) is costed as it is evaluated, over every
/// pair with the others masked (one operation more than a plain sum); an element's term <c>at[A](F)</c> costs a select
/// per atom. Every element's expression is thus costed as if evaluated at every atom, an upper bound.</para>
/// <para>The atom-level part (nodes outside sums that depend on a sum) costs the same per node, once per atom;
/// <see cref="PerPair"/> spreads it over the pairs of an atom (<see cref="TypicalPairsPerAtom"/> by default).</para>
/// </remarks>
public static class CostModel
{
    public const double Multiply = 0.2;
    public const double Divide = 0.4;
    public const double SquareRoot = 0.4;
    public const double Exp = 6;
    public const double Log = 4;
    public const double Pow = 11;

    /// <summary>Half-list pairs per atom in fcc copper within 5 Å: 12 + 6 + 24 = 42 neighbours, each pair shared by two atoms.</summary>
    public const double TypicalPairsPerAtom = 21;

    /// <summary>Pair terms plus the atom-level part spread over <paramref name="pairsPerAtom"/> pairs (ns per pair).</summary>
    public static double PerPair(Expression e, double pairsPerAtom = TypicalPairsPerAtom)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pairsPerAtom);
        var (pair, atom) = Costs(e);
        return pair + atom / pairsPerAtom;
    }

    /// <summary>Cost of the sums' pair expressions, ns per pair.</summary>
    public static double PairTerms(Expression e) => Costs(e).Pair;

    /// <summary>Cost of the atom-level part (outside the sums), ns per atom.</summary>
    public static double AtomTerms(Expression e) => Costs(e).Atom;

    private static (double Pair, double Atom) Costs(Expression e)
    {
        var nodes = e.Nodes;
        var levels = Levels(e);
        double pair = 0, atom = 0;
        for (var i = 0; i < nodes.Length; i++)
        {
            if (levels[i] == Level.Constant) continue;
            var cost = nodes[i].Kind switch
            {
                // A species-resolved sum is evaluated over every pair and masked by the neighbour's element: one more operation.
                NodeKind.Sum => (nodes[i].Element == 0 ? 2 : 3) * Multiply,
                // An angular density: per pair the unit vector (a division, three multiplies), the moment's C = 1, 3, 6, 10
                // components (about 2C multiply-adds), and in the force pass h and ∇h of the moment (about 4C); the mask
                // of a species-resolved one; per atom the contraction (about 2C).
                NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3 => AngularPairCost(Nodes.AngularOrder(nodes[i].Kind), nodes[i].Element != 0),
                // at[A]: a select per atom.
                NodeKind.Central => Multiply,
                NodeKind.Constant or NodeKind.Distance => 0.0,
                var kind => Operators.Of(kind).Cost(e, i, levels),
            };
            // A sum node's multiply-add happens per pair; other atom-level nodes once per atom.
            if (levels[i] == Level.Pair || Nodes.IsNeighbourSum(nodes[i].Kind)) pair += cost;
            else atom += cost;
        }
        return (pair, atom);
    }

    /// <summary>Cost per pair of an angular density of order l (see <see cref="Costs"/>; the per-atom contraction spread over the typical pairs).</summary>
    private static double AngularPairCost(int l, bool speciesResolved)
    {
        var components = l switch { 0 => 1, 1 => 3, 2 => 6, _ => 10 };
        return Divide + 3 * Multiply + 6 * components * Multiply + (speciesResolved ? Multiply : 0)
               + 2 * components * Multiply / TypicalPairsPerAtom;
    }

    /// <summary>Multiplications to form x^n by binary exponentiation (n ≥ 0): squarings plus extra factors.</summary>
    public static int Multiplications(int n) =>
        n <= 1 ? 0 : 31 - int.LeadingZeroCount(n) + int.PopCount(n) - 1;

    private static Level[] Levels(Expression e)
    {
        var nodes = e.Nodes;
        var levels = new Level[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            levels[i] = nodes[i].Kind switch
            {
                NodeKind.Constant => Level.Constant,
                NodeKind.Distance => Level.Pair,
                NodeKind.Sum or NodeKind.Central or NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3 => Level.Atom,
                _ => (Level)Math.Max((int)levels[e.LeftChild(i)], (int)levels[i - 1]), // a unary node's only child is both
            };
        }
        return levels;
    }
}
