using System.Globalization;
using System.Text;

namespace PoetSharp.Models;

/// <summary>
/// Writes expressions in the syntax <see cref="ExpressionParser"/> reads, with as few parentheses as keep the tree
/// exactly (a − (b − c), a/(b/c), (a^b)^c and a^b^c = a^(b^c) stay distinct) and constants in shortest round-trip
/// form, so that parsing the text gives back the same nodes with bit-identical constants.
/// </summary>
/// <remarks>
/// Negative constants are written with a leading minus: bare where the parser reads them back as the same constant
/// (<c>-2*r</c>, <c>r^-9</c>), in parentheses as a base (<c>(-2)^r</c>) and as the right operand of + − × ÷
/// (<c>r - (-2)</c>, for readability). A product −1·x is written <c>-1*x</c>. Non-finite constants are written as
/// .NET does (NaN, Infinity), which the parser rejects: such trees have no text form.
/// </remarks>
public static class ExpressionPrinter
{
    public static string Print(Expression e)
    {
        var text = new StringBuilder();
        Write(e, e.Length - 1, text);
        return text.ToString();
    }

    /// <summary>A constant in the shortest text that parses back to the same bits (−0 keeps its sign).</summary>
    public static string FormatConstant(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // Binding strength: + − 1, × ÷ 2, a negative constant 3 (it carries a unary minus), ^ 4, leaves and sums 5.
    private static int Precedence(Expression e, int i) => e.Nodes[i].Kind switch
    {
        NodeKind.Add or NodeKind.Sub => 1,
        NodeKind.Mul or NodeKind.Div => 2,
        NodeKind.Pow => 4,
        NodeKind.Constant when double.IsNegative(e.ConstantOf(i)) => 3,
        _ => 5,
    };

    private static void Write(Expression e, int i, StringBuilder text)
    {
        var node = e.Nodes[i];
        switch (node.Kind)
        {
            case NodeKind.Constant:
                text.Append(FormatConstant(e.ConstantOf(i)));
                return;
            case NodeKind.Distance:
                text.Append('r');
                return;
            case NodeKind.Sum:
                text.Append("sum(");
                Write(e, i - 1, text);
                text.Append(')');
                return;
        }
        int left = e.LeftChild(i), right = i - 1;
        int p = Precedence(e, i), pl = Precedence(e, left), pr = Precedence(e, right);
        bool leftParens, rightParens;
        if (node.Kind == NodeKind.Pow)
        {
            leftParens = pl <= p;
            rightParens = pr < p && pr != 3; // r^-9 reads back as the constant −9
        }
        else
        {
            leftParens = pl < p;
            rightParens = pr <= p || pr == 3;
        }
        WriteOperand(e, left, text, leftParens);
        text.Append(node.Kind switch
        {
            NodeKind.Add => " + ",
            NodeKind.Sub => " - ",
            NodeKind.Mul => "*",
            NodeKind.Div => "/",
            _ => "^",
        });
        WriteOperand(e, right, text, rightParens);
    }

    private static void WriteOperand(Expression e, int i, StringBuilder text, bool parens)
    {
        if (parens) text.Append('(');
        Write(e, i, text);
        if (parens) text.Append(')');
    }
}
