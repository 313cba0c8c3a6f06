namespace PoetSharp.Models;

/// <summary>
/// A linked tree node for rewriting: <see cref="Expression"/>'s flat postfix array is the right form for evaluation,
/// but rules that replace a subtree by one of a different size are simpler on linked nodes.
/// </summary>
internal sealed class SimplifierTerm(NodeKind kind, double value, SimplifierTerm? left, SimplifierTerm? right, byte element = 0)
{
    public NodeKind Kind { get; } = kind;
    /// <summary>The element (atomic number) of a species-resolved sum or an at[..] term; 0 otherwise.</summary>
    public byte Element { get; } = element;
    /// <summary>The value of a constant node (unused otherwise).</summary>
    public double Value { get; } = value;
    /// <summary>The left (or only) child; null for leaves.</summary>
    public SimplifierTerm? Left { get; } = left;
    /// <summary>The right child of a binary node.</summary>
    public SimplifierTerm? Right { get; } = right;
    public int Size { get; } = 1 + (left?.Size ?? 0) + (right?.Size ?? 0);

    public bool IsConstant => Kind == NodeKind.Constant;

    /// <summary>A constant equal to <paramref name="value"/> (either zero for 0).</summary>
    public bool IsConstantValue(double value) => IsConstant && Value == value;

    public static SimplifierTerm Constant(double value) => new(NodeKind.Constant, value, null, null);
    public static SimplifierTerm Sum(SimplifierTerm pair, byte element = 0) => new(NodeKind.Sum, 0, pair, null, element);
    public static SimplifierTerm Binary(NodeKind kind, SimplifierTerm left, SimplifierTerm right) => new(kind, 0, left, right);
    public static SimplifierTerm Unary(NodeKind kind, SimplifierTerm operand) => new(kind, 0, operand, null);

    /// <summary>The same kind of node over new children (a sum, a unary or a binary operator).</summary>
    public SimplifierTerm With(SimplifierTerm left, SimplifierTerm? right) => new(Kind, 0, left, right, Element);

    /// <summary>
    /// Identical trees: same kinds and bitwise-identical constants (0 and −0 differ, since 1/0 and 1/−0 do), so that
    /// identical subtrees have identical values everywhere.
    /// </summary>
    public static bool Same(SimplifierTerm? a, SimplifierTerm? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null || a.Kind != b.Kind || a.Size != b.Size || a.Element != b.Element) return false;
        if (a.IsConstant) return BitConverter.DoubleToInt64Bits(a.Value) == BitConverter.DoubleToInt64Bits(b.Value);
        return Same(a.Left, b.Left) && Same(a.Right, b.Right);
    }

    public static SimplifierTerm From(Expression e, int i)
    {
        var node = e.Nodes[i];
        return node.Kind switch
        {
            NodeKind.Constant => Constant(e.ConstantOf(i)),
            NodeKind.Distance => new SimplifierTerm(NodeKind.Distance, 0, null, null),
            NodeKind.Sum or NodeKind.Central or NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3 => new SimplifierTerm(node.Kind, 0, From(e, i - 1), null, node.Element),
            _ when node.Arity == 1 => Unary(node.Kind, From(e, i - 1)),
            _ => Binary(node.Kind, From(e, e.LeftChild(i)), From(e, Expression.RightChild(i))),
        };
    }

    public Expression ToExpression()
    {
        var nodes = new List<Node>(Size);
        var constants = new List<double>();
        AppendPostfix(nodes, constants);
        return new Expression(nodes.ToArray(), constants.ToArray());
    }

    private void AppendPostfix(List<Node> nodes, List<double> constants)
    {
        Left?.AppendPostfix(nodes, constants);
        Right?.AppendPostfix(nodes, constants);
        if (IsConstant)
        {
            nodes.Add(new Node(NodeKind.Constant, 1, constants.Count));
            constants.Add(Value);
        }
        else nodes.Add(new Node(Kind, Size, -1, Element));
    }
}
