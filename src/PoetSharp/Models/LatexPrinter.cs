using System.Globalization;

namespace PoetSharp.Models;

/// <summary>
/// Writes an expression as LaTeX math for papers and reports: <c>sum(g)</c> becomes <c>\sum_j g f(r_{ij})</c> with f
/// the taper, r becomes <c>r_{ij}</c>, ÷ a <c>\frac</c>, powers <c>^{…}</c>, grouping <c>\left( \right)</c>, and
/// constants are rounded to a chosen number of significant digits (large and small ones as <c>a \times 10^{n}</c>).
/// Signs are folded first as for the plain text (<see cref="ExpressionPrinter.FoldSigns"/>), so that no term reads
/// <c>- -2</c> or <c>+ -2</c>. For reading, not for parsing back.
/// </summary>
public static class LatexPrinter
{
    public static string Print(Expression e, int significantDigits = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(significantDigits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(significantDigits, 17);
        return new Writer(ExpressionPrinter.FoldSigns(e), significantDigits).Write(e.Length - 1);
    }

    /// <summary>A constant to <paramref name="significantDigits"/> digits; outside 10⁻⁴ … 10⁶ as mantissa × 10 to a power.</summary>
    public static string FormatConstant(double value, int significantDigits = 4)
    {
        if (!double.IsFinite(value)) return double.IsNaN(value) ? @"\mathrm{NaN}" : value > 0 ? @"\infty" : @"-\infty";
        var g = value.ToString("G" + significantDigits, CultureInfo.InvariantCulture);
        var e = g.IndexOf('E');
        if (e < 0) return g;
        var exponent = int.Parse(g.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (exponent is >= -4 and < 6) // G switched to exponent form only because of few digits: 1.235E+04 → 12350
            return decimal.Parse(g, NumberStyles.Float, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        return $@"{g[..e]} \times 10^{{{exponent}}}";
    }

    private readonly struct Writer(Expression e, int digits)
    {
        // Binding strength: the operator table's LaTeX precedences (+ − 1, products 2, ^ 4; \frac and functions group
        // like a leaf, 5), sums 2 like products, a negative constant 3, leaves 5.
        private int Precedence(int i) => e.Nodes[i].Kind switch
        {
            NodeKind.Constant => double.IsNegative(e.ConstantOf(i)) ? 3 : 5,
            NodeKind.Sum or NodeKind.Central => 2,
            NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3 => 5, // \rho_l[...] delimits itself
            NodeKind.Distance => 5,
            var kind => Operators.Of(kind).LatexPrecedence,
        };

        public string Write(int i)
        {
            var node = e.Nodes[i];
            switch (node.Kind)
            {
                case NodeKind.Constant:
                    return FormatConstant(e.ConstantOf(i), digits);
                case NodeKind.Distance:
                    return "r_{ij}";
                case NodeKind.Sum:
                    return (node.Element == 0 ? @"\sum_j " : $@"\sum_{{j \in \mathrm{{{Atoms.Elements.Symbol(node.Element)}}}}} ")
                           + $@"{Operand(i - 1, Precedence(i - 1) < 2)} f(r_{{ij}})";
                case NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3:
                {
                    // ρ_l[g] = Σ_{j,k} g(r_ij) f(r_ij) g(r_ik) f(r_ik) P_l(cos θ_jik)
                    var l = Nodes.AngularOrder(node.Kind);
                    var over = node.Element == 0 ? "" : $@"^{{\mathrm{{{Atoms.Elements.Symbol(node.Element)}}}}}";
                    return $@"\rho_{{{l}}}{over}\left[{Write(i - 1)}\right]";
                }
                case NodeKind.Central:
                    // Iverson bracket: the term counts at atoms of that element only.
                    return $@"[t_i = \mathrm{{{Atoms.Elements.Symbol(node.Element)}}}]\,{Operand(i - 1, true)}";
            }
            var op = Operators.Of(node.Kind);
            if (op.Arity == 1) return op.Latex(Operand(i - 1, !op.LatexGroupsA && Precedence(i - 1) < op.LatexPrecedence), null);
            int left = e.LeftChild(i), right = i - 1;
            int p = op.LatexPrecedence, pl = Precedence(left), pr = Precedence(right);
            // A sum on the left of a product or power would seem to take what follows into the summand.
            var leftParens = !op.LatexGroupsA &&
                (pl < p || (pl == p && op.Associativity == Associativity.Right) || (p >= 2 && e.Nodes[left].Kind == NodeKind.Sum));
            var rightParens = !op.LatexGroupsB && (pr < p || pr == 3 || (pr == p && op.LatexParenthesisesEqualRight));
            return op.Latex(Operand(left, leftParens), Operand(right, rightParens));
        }

        private string Operand(int i, bool parens) => parens ? $@"\left({Write(i)}\right)" : Write(i);
    }
}
