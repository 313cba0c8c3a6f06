using System.Globalization;
using System.Text;

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
        var text = new StringBuilder();
        new Writer(ExpressionPrinter.FoldSigns(e), significantDigits, text).Write(e.Length - 1);
        return text.ToString();
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

    private readonly struct Writer(Expression e, int digits, StringBuilder text)
    {
        // Binding strength as in the plain printer: + − 1, products and sums 2, a negative constant 3, ^ 4, leaves 5.
        // \frac needs no parentheses around its parts and groups like a leaf.
        private int Precedence(int i) => e.Nodes[i].Kind switch
        {
            NodeKind.Add or NodeKind.Sub => 1,
            NodeKind.Mul or NodeKind.Sum or NodeKind.Central => 2,
            NodeKind.Pow => 4,
            NodeKind.Constant when double.IsNegative(e.ConstantOf(i)) => 3,
            _ => 5,
        };

        public void Write(int i)
        {
            var node = e.Nodes[i];
            switch (node.Kind)
            {
                case NodeKind.Constant:
                    text.Append(FormatConstant(e.ConstantOf(i), digits));
                    return;
                case NodeKind.Distance:
                    text.Append("r_{ij}");
                    return;
                case NodeKind.Sum:
                    text.Append(node.Element == 0 ? @"\sum_j " : $@"\sum_{{j \in \mathrm{{{Atoms.Elements.Symbol(node.Element)}}}}} ");
                    Operand(i - 1, Precedence(i - 1) < 2);
                    text.Append(" f(r_{ij})");
                    return;
                case NodeKind.Central:
                    // Iverson bracket: the term counts at atoms of that element only.
                    text.Append($@"[t_i = \mathrm{{{Atoms.Elements.Symbol(node.Element)}}}]\,");
                    Operand(i - 1, true);
                    return;
            }
            int left = e.LeftChild(i), right = i - 1;
            switch (node.Kind)
            {
                case NodeKind.Div:
                    text.Append(@"\frac{");
                    Write(left);
                    text.Append("}{");
                    Write(right);
                    text.Append('}');
                    return;
                case NodeKind.Pow:
                    Operand(left, Precedence(left) <= 4 || e.Nodes[left].Kind == NodeKind.Sum);
                    text.Append("^{");
                    Write(right);
                    text.Append('}');
                    return;
                case NodeKind.Mul:
                    // A sum on the left would seem to take the factor after it into the summand.
                    Operand(left, Precedence(left) < 2 || e.Nodes[left].Kind == NodeKind.Sum);
                    var at = text.Length;
                    var rightParens = Precedence(right) is < 2 or 3;
                    Operand(right, rightParens);
                    // Juxtapose, except before a digit (2 \cdot 3, not 23).
                    text.Insert(at, char.IsAsciiDigit(text[at]) ? @" \cdot " : " ");
                    return;
                default:
                    Operand(left, false);
                    text.Append(node.Kind == NodeKind.Add ? " + " : " - ");
                    Operand(right, Precedence(right) is 1 or 3);
                    return;
            }
        }

        private void Operand(int i, bool parens)
        {
            if (parens) text.Append(@"\left(");
            Write(i);
            if (parens) text.Append(@"\right)");
        }
    }
}
