using System.Globalization;
using System.Text;

namespace PoetSharp.Models;

/// <summary>
/// Writes expressions in the syntax <see cref="ExpressionParser"/> reads, with as few parentheses as keep the tree
/// exactly (a − (b − c), a/(b/c), (a^b)^c and a^b^c = a^(b^c) stay distinct) and constants in shortest round-trip
/// form. <see cref="Print"/> writes the tree with its signs folded (<see cref="FoldSigns"/>), so that no printed model
/// reads <c>a - -2*x</c> or <c>a + (-2)</c>; parsing its text gives back <see cref="FoldSigns"/> of the tree, whose value
/// is bit for bit the same. <see cref="PrintExact"/> writes the tree as it is, for machine round trips (checkpoints):
/// parsing that text gives back the same nodes with bit-identical constants.
/// </summary>
/// <remarks>
/// Negative constants are written with a leading minus: bare where the parser reads them back as the same constant
/// (<c>-2*r</c>, <c>r^-9</c>), in parentheses as a base (<c>(-2)^r</c>) and as the right operand of + − × ÷
/// (<c>r*(-2)</c>, for readability). A product −1·x is written <c>-1*x</c>. Non-finite constants are written as
/// .NET does (NaN, Infinity), which the parser rejects: such trees have no text form.
/// </remarks>
public static class ExpressionPrinter
{
    /// <summary>The expression for reading: its signs folded (<see cref="FoldSigns"/>), then written as it is.</summary>
    public static string Print(Expression e) => PrintExact(FoldSigns(e));

    /// <summary>The expression exactly as it is: the parser gives back the same nodes and bit-identical constants.</summary>
    public static string PrintExact(Expression e)
    {
        var text = new StringBuilder();
        Write(e, e.Length - 1, text);
        return text.ToString();
    }

    /// <summary>
    /// The same tree with the negative signs of + and − operands absorbed by the operator: for each a ± t, where t is a
    /// negative constant or a product or quotient with negative constant factors (−c, (−c)·x, x·(−c), x/(−c),
    /// (−c)·x/(−d) …), every such factor is negated and, when there was an odd number of them, + and − swap. So
    /// a − (−c)·x becomes a + c·x, a + (−c) becomes a − c, a − x/(−c) becomes a + x/c. Exact in IEEE arithmetic (a − b
    /// is a + (−b), and negating a factor negates a product or quotient exactly, signed zeros included), and the same
    /// shape: only operator kinds and constant signs change. Powers are left alone ((−2)^r is not −(2^r)), and so are
    /// neighbour sums and a leading negative constant, which print without a doubled sign.
    /// </summary>
    public static Expression FoldSigns(Expression e)
    {
        Node[]? nodes = null;
        double[]? constants = null;
        var negative = new List<int>();
        for (var i = 0; i < e.Length; i++)
        {
            var kind = e.Nodes[i].Kind;
            if (kind is not (NodeKind.Add or NodeKind.Sub)) continue;
            negative.Clear();
            NegativeFactors(e, i - 1, negative);
            if (negative.Count == 0) continue;
            nodes ??= e.Nodes.ToArray();
            constants ??= e.Constants.ToArray();
            foreach (var k in negative) constants[e.Nodes[k].ConstantIndex] = -constants[e.Nodes[k].ConstantIndex];
            if (negative.Count % 2 == 1) nodes[i] = nodes[i] with { Kind = kind == NodeKind.Add ? NodeKind.Sub : NodeKind.Add };
        }
        return nodes is null ? e : new Expression(nodes, constants);
    }

    // The negative constant factors of the product or quotient rooted at node i (i itself when it is one).
    private static void NegativeFactors(Expression e, int i, List<int> found)
    {
        switch (e.Nodes[i].Kind)
        {
            case NodeKind.Constant:
                var c = e.ConstantOf(i);
                if (double.IsNegative(c) && !double.IsNaN(c)) found.Add(i);
                return;
            case NodeKind.Mul or NodeKind.Div:
                NegativeFactors(e, e.LeftChild(i), found);
                NegativeFactors(e, i - 1, found);
                return;
        }
    }

    /// <summary>A constant in the shortest text that parses back to the same bits (−0 keeps its sign).</summary>
    public static string FormatConstant(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // Binding strength: the operator table's (+ − 1, × ÷ 2, ^ 4, functions 5), a negative constant 3 (it carries a
    // unary minus), leaves and sums 5.
    private static int Precedence(Expression e, int i) => e.Nodes[i].Kind switch
    {
        NodeKind.Constant => double.IsNegative(e.ConstantOf(i)) ? 3 : 5,
        NodeKind.Distance or NodeKind.Sum or NodeKind.Central or NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3 => 5,
        var kind => Operators.Of(kind).Precedence,
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
            case NodeKind.Sum or NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3:
                text.Append(Nodes.SumName(node.Kind));
                if (node.Element != 0) text.Append('[').Append(Atoms.Elements.Symbol(node.Element)).Append(']');
                text.Append('(');
                Write(e, i - 1, text);
                text.Append(')');
                return;
            case NodeKind.Central:
                text.Append("at[").Append(Atoms.Elements.Symbol(node.Element)).Append("](");
                Write(e, i - 1, text);
                text.Append(')');
                return;
        }
        var op = Operators.Of(node.Kind);
        if (op.Arity == 1)
        {
            text.Append(op.Symbol).Append('(');
            Write(e, i - 1, text);
            text.Append(')');
            return;
        }
        int left = e.LeftChild(i), right = i - 1;
        int p = op.Precedence, pl = Precedence(e, left), pr = Precedence(e, right);
        bool leftParens, rightParens;
        if (op.Associativity == Associativity.Right)
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
        if (op.Spaced) text.Append(' ').Append(op.Symbol).Append(' ');
        else text.Append(op.Symbol);
        WriteOperand(e, right, text, rightParens);
    }

    private static void WriteOperand(Expression e, int i, StringBuilder text, bool parens)
    {
        if (parens) text.Append('(');
        Write(e, i, text);
        if (parens) text.Append(')');
    }
}
