namespace PoetSharp.Models;

/// <summary>
/// Algebraic simplification of <see cref="Expression"/> trees, applied bottom-up to a fixed point. The result is never
/// larger than the input (node count), stays well typed (r only inside sums, no nested sums), and is idempotent.
/// <para>
/// What "value-preserving" means here. Every rule is an identity of real arithmetic that also keeps IEEE infinities
/// and signed zeros as they are; a rule may change a value only where the original subexpression is NaN. A NaN
/// propagates through + − × ÷, through a neighbour sum and through pow, except pow(NaN, 0) = pow(1, NaN) = 1, whose
/// result does not depend on the NaN operand; so wherever the original tree evaluates to a finite number, the
/// simplified tree gives the same number, up to rounding. That is why x − x → 0 and x/x → 1 hold for any x (at ±∞ the
/// original is NaN). Signed zeros matter because 1/±0 = ±∞ and 2^(±∞) = ∞ or 0. Known limits: reassociating constants
/// (c1·(c2·x) → (c1c2)·x, c1 + (c2 + x) → (c1 + c2) + x, x/c inside a product) rounds differently and could overflow
/// differently at the edge of the double range; sum(c·g) → c·sum(g) with c &lt; 0 gives −0 instead of +0 at an atom
/// whose every term is zero (no neighbour inside the cutoff, for instance).
/// </para>
/// <para>
/// Rules (constants are the tree's constant nodes; "non-negative" below means provably ≥ 0 with the sign bit clear,
/// or NaN: r, a non-negative constant, + × ÷ of non-negative terms, x^c with x non-negative or c an even integer, e^x,
/// √x of a non-negative x, and
/// a neighbour sum of a non-negative pair term, the taper being non-negative):
/// <list type="bullet">
/// <item>Folding: an operator whose operands are all constants becomes one constant when the result is finite
/// (a non-finite result is left unfolded, so no NaN or ±∞ constant is ever made). <c>sum(c)</c> is not constant:
/// it is c·Σ_j f(r_ij) and depends on the structure; only <c>sum(±0)</c> → +0.</item>
/// <item>Neutral elements: x·1, 1·x, x/1, x^1, x − (+0), x + (−0) → x exactly; x + (+0), 0 + x and x − (−0) → x
/// unless x may be −0 (a sum or r never is; a product may underflow to it). x^0 → 1 and 1^x → 1 (IEEE pow, NaN
/// included). x − x → +0 and x/x → 1 for identical subtrees.</item>
/// <item>Absorbing zero: ±0·x, x·±0 and ±0/x → that ±0 when x is non-negative (for x of unknown sign the result's
/// sign is unknown, so the product stays).</item>
/// <item>Canonical order: a constant operand of + and × goes to the left (c + x, c·x); x + x → 2·x; x·x → x^2.</item>
/// <item>Merging constants through chains of + and − (c1 + (c2 + x), (x − c1) + c2, (c1 − x) − (c2 + y) …): the
/// constants become one, placed first: C + V or C − V (V alone when C = 0 and V cannot be −0). A single constant
/// moves up past a term (y + (c + z) → c + (y + z), the same size) so that it can meet others; x − c stays as it is.
/// Likewise through × and ÷ (c1·(c2·x), (x/c1)·c2, c1/(c2/x), (c1·x)/(c2·y) …): C·V or C/V (V alone when C = 1),
/// only when the merged constant is finite and nonzero (a product that underflows to 0 would turn ∞ into NaN).</item>
/// <item>Like terms: c1·x ± c2·x (a bare x counting as 1·x) → (c1 ± c2)·x for identical subtrees x; → +0 when the
/// coefficients cancel. With coefficients of opposite signs only for x = r: at x = ±0 the original is +0 but
/// (c1 ± c2)·x may be −0.</item>
/// <item>Powers: (x^a)^b → x^(a·b) for constants a, b when x is non-negative, or when b is an integer and either a is
/// an integer or a·b is not an odd integer. For x &lt; 0 a non-integer a makes the original NaN; the exclusions are
/// a an even integer with b not an integer (((−2)^2)^0.5 = 2 but (−2)^1 = −2) and, for x = −0 or −∞, a non-integer
/// a with a·b odd (x^a is +0 or +∞ but x^(ab) is −0 or −∞).</item>
/// <item>Signs: a + (−c)·y → a − c·y, a − (−c)·y → a + c·y and a − (−c) → a + c for a constant c &gt; 0 (exact).</item>
/// <item>Functions: exp, log and sqrt of a constant fold (when finite); exp(log(x)) → x unless x may be −0. Values come
/// from the operator table (<see cref="Operators"/>), so folding gives what the evaluators give.</item>
/// <item>Neighbour sums are linear: the canonical form pulls constant factors out, sum(c·g) → c·sum(g) and
/// sum(g/c) → (1/c)·sum(g), so that they merge with the constants around the sum. Angular densities are quadratic:
/// ang_l(c·g) → c²·ang_l(g); they are non-negative (a sum of squares by the addition theorem) and never −0.</item>
/// </list>
/// </para>
/// </summary>
public static class Simplifier
{
    /// <summary>The simplified tree (see the class remarks for the rules and what they preserve).</summary>
    public static Expression Simplify(Expression e)
    {
        var term = SimplifierTerm.From(e, e.Length - 1);
        // Each bottom-up pass already re-simplifies everything a rule creates; the loop is a guard, and in practice
        // the second pass finds nothing to do.
        for (var pass = 0; pass < 100; pass++)
        {
            var next = Rewrite(term);
            if (SimplifierTerm.Same(next, term)) break;
            term = next;
        }
        return term.ToExpression();
    }

    private static SimplifierTerm Rewrite(SimplifierTerm t)
    {
        if (t.Left is null) return t;
        var left = Rewrite(t.Left);
        var right = t.Right is null ? null : Rewrite(t.Right);
        var node = ReferenceEquals(left, t.Left) && ReferenceEquals(right, t.Right) ? t : t.With(left, right);
        // A rule's result is simplified again: its new subtrees (merged chains, pulled-out factors) may match rules.
        return Apply(node) is { } rewritten ? Rewrite(rewritten) : node;
    }

    /// <summary>One rule applied at the root of t (its children are already simplified), or null if none applies.</summary>
    private static SimplifierTerm? Apply(SimplifierTerm t)
    {
        if (t.Kind == NodeKind.Sum) return ApplySum(t);
        if (Nodes.IsAngular(t.Kind)) return ApplyAngular(t);
        if (t.Kind == NodeKind.Central) return null; // an element's energy is kept as it is, whatever it holds
        var op = Operators.Of(t.Kind);
        if (op.Arity == 1)
        {
            if (t.Left!.IsConstant && op.Value(t.Left.Value, double.NaN) is var value && double.IsFinite(value))
                return SimplifierTerm.Constant(value);
            return t.Kind == NodeKind.Exp ? ApplyExp(t.Left) : null;
        }
        var (a, b) = (t.Left!, t.Right!);
        if (a.IsConstant && b.IsConstant)
        {
            var folded = op.Value(a.Value, b.Value);
            if (double.IsFinite(folded)) return SimplifierTerm.Constant(folded);
        }
        return t.Kind switch
        {
            NodeKind.Add => ApplyAdd(a, b),
            NodeKind.Sub => ApplySub(a, b),
            NodeKind.Mul => ApplyMul(a, b),
            NodeKind.Div => ApplyDiv(a, b),
            NodeKind.Pow => ApplyPow(a, b),
            _ => null,
        };
    }

    /// <summary>
    /// exp(log(x)) → x where x cannot be −0 (there the original is +0): for x &lt; 0 the original is NaN, for x = +0 it is
    /// +0 and for x = +∞ it is +∞, as x. Not log(exp(x)) → x: exp overflows to +∞ for x &gt; 709.78, where the original is +∞.
    /// </summary>
    private static SimplifierTerm? ApplyExp(SimplifierTerm a) =>
        a.Kind == NodeKind.Log && !CanBeNegativeZero(a.Left!) ? a.Left : null;

    /// <summary>
    /// An angular density is quadratic in its pair term: ang_l(0) → +0 and ang_l(c·h) → c²·ang_l(h) when c² is finite and
    /// non-zero (ρ_l is never −0, and c² &gt; 0 keeps its sign).
    /// </summary>
    private static SimplifierTerm? ApplyAngular(SimplifierTerm angular)
    {
        var g = angular.Left!;
        if (g.IsConstantValue(0)) return SimplifierTerm.Constant(0);
        if (g.Kind == NodeKind.Mul && g.Left!.IsConstant && g.Left.Value * g.Left.Value is var square && IsUsableFactor(square))
            return SimplifierTerm.Binary(NodeKind.Mul, SimplifierTerm.Constant(square), angular.With(g.Right!, null));
        return null;
    }

    private static SimplifierTerm? ApplySum(SimplifierTerm sum)
    {
        var g = sum.Left!;
        if (g.IsConstantValue(0)) return SimplifierTerm.Constant(0);
        // Factors move out of the sum; g = c·h is canonical (constant on the left) by the time we get here. A zero
        // factor stays inside: Σ 0·h_j f_j is +0, but 0·Σ h_j f_j is −0 where the sum is negative.
        if (g.Kind == NodeKind.Mul && g.Left!.IsConstant && IsUsableFactor(g.Left.Value))
            return SimplifierTerm.Binary(NodeKind.Mul, g.Left, SimplifierTerm.Sum(g.Right!, sum.Element));
        if (g.Kind == NodeKind.Div && g.Right!.IsConstant && IsUsableFactor(1 / g.Right.Value))
            return SimplifierTerm.Binary(NodeKind.Mul, SimplifierTerm.Constant(1 / g.Right.Value), SimplifierTerm.Sum(g.Left!, sum.Element));
        return null;
    }

    private static SimplifierTerm? ApplyAdd(SimplifierTerm a, SimplifierTerm b)
    {
        // x + (−0) is x exactly; x + (+0) turns x = −0 into +0.
        if (a.IsConstantValue(0) && (double.IsNegative(a.Value) || !CanBeNegativeZero(b))) return b;
        if (b.IsConstantValue(0) && (double.IsNegative(b.Value) || !CanBeNegativeZero(a))) return a;
        if (b.IsConstant) return SimplifierTerm.Binary(NodeKind.Add, b, a);
        if (SimplifierTerm.Same(a, b)) return SimplifierTerm.Binary(NodeKind.Mul, SimplifierTerm.Constant(2), a);
        return MergeAdditive(a, b, +1) ?? MergeLikeTerms(a, b, +1) ?? FlipNegativeCoefficient(a, b, NodeKind.Sub);
    }

    /// <summary>
    /// a + (−c)·y → a − c·y and a − (−c)·y or a − (−c) → a + c·y or a + c, for c &gt; 0: exact (a − b is a + (−b) in
    /// IEEE arithmetic, and negating a constant or a product is exact, signed zeros included), the same size, and it
    /// keeps printed models free of "- -".
    /// </summary>
    private static SimplifierTerm? FlipNegativeCoefficient(SimplifierTerm a, SimplifierTerm b, NodeKind flipped)
    {
        static bool Negative(double c) => c < 0 && double.IsFinite(c);
        if (b.IsConstant && Negative(b.Value) && flipped == NodeKind.Add)
            return SimplifierTerm.Binary(NodeKind.Add, a, SimplifierTerm.Constant(-b.Value));
        if (b.Kind == NodeKind.Mul && b.Left!.IsConstant && Negative(b.Left.Value))
            return SimplifierTerm.Binary(flipped, a, SimplifierTerm.Binary(NodeKind.Mul, SimplifierTerm.Constant(-b.Left.Value), b.Right!));
        return null;
    }

    private static SimplifierTerm? ApplySub(SimplifierTerm a, SimplifierTerm b)
    {
        if (b.IsConstantValue(0) && (!double.IsNegative(b.Value) || !CanBeNegativeZero(a))) return a;
        if (SimplifierTerm.Same(a, b)) return SimplifierTerm.Constant(0);
        return MergeAdditive(a, b, -1) ?? MergeLikeTerms(a, b, -1) ?? FlipNegativeCoefficient(a, b, NodeKind.Add);
    }

    private static SimplifierTerm? ApplyMul(SimplifierTerm a, SimplifierTerm b)
    {
        // ±0·x is NaN for x = ±∞ or NaN, else a zero whose sign is known when x has a known sign.
        if (a.IsConstantValue(0) && IsNonNegative(b)) return a;
        if (b.IsConstantValue(0) && IsNonNegative(a)) return b;
        if (a.IsConstantValue(1)) return b;
        if (b.IsConstantValue(1)) return a;
        if (b.IsConstant) return SimplifierTerm.Binary(NodeKind.Mul, b, a);
        if (SimplifierTerm.Same(a, b)) return SimplifierTerm.Binary(NodeKind.Pow, a, SimplifierTerm.Constant(2));
        return MergeMultiplicative(a, b, +1);
    }

    private static SimplifierTerm? ApplyDiv(SimplifierTerm a, SimplifierTerm b)
    {
        if (b.IsConstantValue(1)) return a;
        if (a.IsConstantValue(0) && IsNonNegative(b)) return a;
        if (SimplifierTerm.Same(a, b)) return SimplifierTerm.Constant(1);
        return MergeMultiplicative(a, b, -1);
    }

    private static SimplifierTerm? ApplyPow(SimplifierTerm a, SimplifierTerm b)
    {
        if (b.IsConstantValue(0) || a.IsConstantValue(1)) return SimplifierTerm.Constant(1);
        if (b.IsConstantValue(1)) return a;
        if (a.Kind == NodeKind.Pow && a.Right!.IsConstant && b.IsConstant)
        {
            var (x, inner, outer) = (a.Left!, a.Right.Value, b.Value);
            var product = inner * outer;
            // For x = −0 or −∞ and a non-integer inner exponent, x^inner is +0 or +∞, while x^product with an odd
            // integer product is −0 or −∞.
            var valid = IsNonNegative(x) || (IsInteger(outer) && (IsInteger(inner) || !IsOddInteger(product)));
            if (double.IsFinite(product) && valid)
                return SimplifierTerm.Binary(NodeKind.Pow, x, SimplifierTerm.Constant(product));
        }
        return null;
    }

    // ---- chains of + and −

    /// <summary>t read as c + sign·y: a constant (y null), c + y, y − c, c − y; or null when t has no constant part.</summary>
    private static (double C, SimplifierTerm? Y, int Sign)? AdditiveParts(SimplifierTerm t)
    {
        if (t.IsConstant) return (t.Value, null, +1);
        if (t.Kind == NodeKind.Add && t.Left!.IsConstant) return (t.Left.Value, t.Right, +1);
        if (t.Kind == NodeKind.Add && t.Right!.IsConstant) return (t.Right.Value, t.Left, +1);
        if (t.Kind == NodeKind.Sub && t.Right!.IsConstant) return (-t.Right.Value, t.Left, +1);
        if (t.Kind == NodeKind.Sub && t.Left!.IsConstant) return (t.Left.Value, t.Right, -1);
        return null;
    }

    /// <summary>a + sign·b with the constants of both sides gathered into one; null unless there are two to merge.</summary>
    private static SimplifierTerm? MergeAdditive(SimplifierTerm a, SimplifierTerm b, int sign)
    {
        if (Gather(AdditiveParts(a), AdditiveParts(b), a, b, 0.0) is not var (pa, pb)) return null;
        var c = sign > 0 ? pa.C + pb.C : pa.C - pb.C;
        if (!double.IsFinite(c)) return null;
        var parts = new List<(SimplifierTerm Y, int Sign)>(2);
        if (pa.Y is { } ya) parts.Add((ya, pa.Sign));
        if (pb.Y is { } yb) parts.Add((yb, sign * pb.Sign));
        var (v, vSign) = parts.Count switch
        {
            1 => parts[0],
            2 => CombineSigned(parts[0], parts[1], NodeKind.Add, NodeKind.Sub),
            _ => throw new InvalidOperationException("constant operands are folded before merging"),
        };
        // A merged constant of 0 is +0 (the constants were nonzero); +0 + v differs from v only for v = −0.
        if (vSign > 0) return c == 0 && !CanBeNegativeZero(v) ? v : SimplifierTerm.Binary(NodeKind.Add, SimplifierTerm.Constant(c), v);
        return SimplifierTerm.Binary(NodeKind.Sub, SimplifierTerm.Constant(c), v);
    }

    /// <summary>
    /// The parts of both operands when a constant can be gathered: both have a constant part (two constants merge), or
    /// one has a constant next to a term and the other has none (the constant moves up the chain, where it can meet
    /// others: y + (c + z) → c + (y + z), the same size). A side without a constant part reads as neutral·itself.
    /// Null when there is nothing to gather, including a bare constant next to a term without one (y − c stays).
    /// </summary>
    private static ((double C, SimplifierTerm? Y, int Sign), (double C, SimplifierTerm? Y, int Sign))? Gather(
        (double C, SimplifierTerm? Y, int Sign)? pa, (double C, SimplifierTerm? Y, int Sign)? pb,
        SimplifierTerm a, SimplifierTerm b, double neutral)
    {
        if (pa is null && pb is null) return null;
        if (pa is null && pb!.Value.Y is null) return null;
        if (pb is null && pa!.Value.Y is null) return null;
        return (pa ?? (neutral, a, +1), pb ?? (neutral, b, +1));
    }

    /// <summary>
    /// s1·y1 ∘ s2·y2 for signs (or exponents) ±1, as one tree and an overall sign: with (+, −) → y1 inverse y2,
    /// (−, +) → y2 inverse y1, (−, −) → −(y1 op y2).
    /// </summary>
    private static (SimplifierTerm, int) CombineSigned((SimplifierTerm Y, int Sign) p, (SimplifierTerm Y, int Sign) q,
        NodeKind op, NodeKind inverse) => (p.Sign, q.Sign) switch
    {
        (> 0, > 0) => (SimplifierTerm.Binary(op, p.Y, q.Y), +1),
        (> 0, < 0) => (SimplifierTerm.Binary(inverse, p.Y, q.Y), +1),
        (< 0, > 0) => (SimplifierTerm.Binary(inverse, q.Y, p.Y), +1),
        _ => (SimplifierTerm.Binary(op, p.Y, q.Y), -1),
    };

    /// <summary>c1·y ± c2·y → (c1 ± c2)·y, with c = 1 for a bare y.</summary>
    private static SimplifierTerm? MergeLikeTerms(SimplifierTerm a, SimplifierTerm b, int sign)
    {
        var (ca, ya) = Coefficient(a);
        var (cb, yb) = Coefficient(b);
        if (ya.IsConstant || !SimplifierTerm.Same(ya, yb)) return null;
        var c = sign > 0 ? ca + cb : ca - cb;
        if (!double.IsFinite(c)) return null;
        // c1·y − c1·y is +0 for finite y (NaN otherwise), while 0·y is −0 for y < 0.
        if (c == 0) return SimplifierTerm.Constant(0);
        // With coefficients of opposite signs, c1·y + c2·y is +0 at y = ±0 but (c1 + c2)·y may be −0.
        if (Math.Sign(ca) != Math.Sign(sign * cb) && !IsNeverZero(ya)) return null;
        return SimplifierTerm.Binary(NodeKind.Mul, SimplifierTerm.Constant(c), ya);
    }

    private static (double C, SimplifierTerm Y) Coefficient(SimplifierTerm t) =>
        t.Kind == NodeKind.Mul && t.Left!.IsConstant ? (t.Left.Value, t.Right!) : (1.0, t);

    // ---- chains of × and ÷

    /// <summary>t read as c·y^sign (sign ±1): a constant (y null), c·y, y·c, y/c, c/y; or null when t has no constant factor.</summary>
    private static (double C, SimplifierTerm? Y, int Sign)? MultiplicativeParts(SimplifierTerm t)
    {
        if (t.IsConstant) return IsUsableFactor(t.Value) ? (t.Value, null, +1) : null;
        if (t.Kind == NodeKind.Mul && t.Left!.IsConstant && IsUsableFactor(t.Left.Value)) return (t.Left.Value, t.Right, +1);
        if (t.Kind == NodeKind.Mul && t.Right!.IsConstant && IsUsableFactor(t.Right.Value)) return (t.Right.Value, t.Left, +1);
        if (t.Kind == NodeKind.Div && t.Right!.IsConstant && IsUsableFactor(1 / t.Right.Value)) return (1 / t.Right.Value, t.Left, +1);
        if (t.Kind == NodeKind.Div && t.Left!.IsConstant && IsUsableFactor(t.Left.Value)) return (t.Left.Value, t.Right, -1);
        return null;
    }

    /// <summary>a·b (exponent +1) or a/b (−1) with the constant factors gathered into one; null unless there are two.</summary>
    private static SimplifierTerm? MergeMultiplicative(SimplifierTerm a, SimplifierTerm b, int exponent)
    {
        if (Gather(MultiplicativeParts(a), MultiplicativeParts(b), a, b, 1.0) is not var (pa, pb)) return null;
        var c = exponent > 0 ? pa.C * pb.C : pa.C / pb.C;
        if (!IsUsableFactor(c)) return null;
        var parts = new List<(SimplifierTerm Y, int Sign)>(2);
        if (pa.Y is { } ya) parts.Add((ya, pa.Sign));
        if (pb.Y is { } yb) parts.Add((yb, exponent * pb.Sign));
        var (v, vExponent) = parts.Count switch
        {
            1 => parts[0],
            2 => CombineSigned(parts[0], parts[1], NodeKind.Mul, NodeKind.Div),
            _ => throw new InvalidOperationException("constant operands are folded before merging"),
        };
        if (vExponent > 0) return c == 1 ? v : SimplifierTerm.Binary(NodeKind.Mul, SimplifierTerm.Constant(c), v);
        return SimplifierTerm.Binary(NodeKind.Div, SimplifierTerm.Constant(c), v);
    }

    /// <summary>A factor that keeps ±∞ operands infinite: finite and nonzero.</summary>
    private static bool IsUsableFactor(double c) => double.IsFinite(c) && c != 0;

    // ---- facts about values

    private static bool IsInteger(double x) => double.IsFinite(x) && Math.Floor(x) == x;

    private static bool IsEvenInteger(double x) => IsInteger(x) && Math.IEEERemainder(x, 2) == 0;

    private static bool IsOddInteger(double x) => IsInteger(x) && !IsEvenInteger(x);

    /// <summary>True when t is never ±0: r (distances are positive) or a nonzero constant.</summary>
    private static bool IsNeverZero(SimplifierTerm t) => t.Kind == NodeKind.Distance || (t.IsConstant && t.Value != 0);

    /// <summary>
    /// False when t is certainly not −0. A sum starts from +0 and x + y is −0 only when both are −0, so sums never are;
    /// products, quotients and powers may underflow to −0 unless known non-negative.
    /// </summary>
    private static bool CanBeNegativeZero(SimplifierTerm t) => t.Kind switch
    {
        NodeKind.Constant => t.Value == 0 && double.IsNegative(t.Value),
        // e^x is never −0 (it underflows to +0), nor is ln x (ln 1 = +0).
        NodeKind.Distance or NodeKind.Sum or NodeKind.Exp or NodeKind.Log or NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3 => false,
        NodeKind.Add => CanBeNegativeZero(t.Left!) && CanBeNegativeZero(t.Right!),
        NodeKind.Sub => CanBeNegativeZero(t.Left!),
        _ => !IsNonNegative(t),
    };

    /// <summary>
    /// True when every value of t is ≥ 0 with its sign bit clear (+0, +∞ included; never −0) or NaN, for every r &gt; 0 and every neighbour set; the
    /// taper is non-negative (POET's f is in [0, 1]), so a sum of a non-negative pair term is non-negative.
    /// </summary>
    private static bool IsNonNegative(SimplifierTerm t) => t.Kind switch
    {
        NodeKind.Distance => true,
        NodeKind.Constant => t.Value > 0 || (t.Value == 0 && !double.IsNegative(t.Value)),
        NodeKind.Sum or NodeKind.Central => IsNonNegative(t.Left!),
        // Σ_{j,k} φ_j φ_k P_l(cos θ_jk) = 4π/(2l+1) Σ_m |Σ_j φ_j Y_lm(r̂_j)|² ≥ 0 (computed clamped at +0).
        NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3 => true,
        NodeKind.Add or NodeKind.Mul or NodeKind.Div => IsNonNegative(t.Left!) && IsNonNegative(t.Right!),
        NodeKind.Pow => IsNonNegative(t.Left!) || (t.Right!.IsConstant && IsEvenInteger(t.Right.Value)),
        NodeKind.Exp => true,
        // √(−0) is −0: √x is non-negative when x is.
        NodeKind.Sqrt => IsNonNegative(t.Left!),
        _ => false,
    };
}
