namespace PoetSharp.Models;

/// <summary>
/// Operators of POET's hypothesis space. The arithmetic operators (everything but <see cref="Constant"/>,
/// <see cref="Distance"/> and <see cref="Sum"/>) are described by their entry in the operator table
/// (<see cref="Operators"/>): a new one is added here and there, and every part of the library picks it up. The numeric
/// values are part of stored hashes (<see cref="ExpressionHash"/>): new kinds go at the end.
/// </summary>
public enum NodeKind : byte
{
    /// <summary>A constant: the value is <c>Expression.Constants[node.ConstantIndex]</c>.</summary>
    Constant,
    /// <summary>The distance r (Å) to the neighbour; only inside a neighbour sum.</summary>
    Distance,
    Add,
    Sub,
    Mul,
    Div,
    /// <summary>x^y for any x, y (r^c, c^r, (…)^(…)).</summary>
    Pow,
    /// <summary>
    /// Neighbour sum Σ_j g(r_ij) f(r_ij) of its pair-level child g, with f the model's taper; over every neighbour, or,
    /// with <see cref="Node.Element"/> set, over the neighbours of that element only (Σ_{j∈B}, written <c>sum[B](g)</c>).
    /// </summary>
    Sum,
    /// <summary>
    /// The energy of the atoms of one element (<see cref="Node.Element"/>, written <c>at[A](F)</c>): its atom-level child at
    /// atoms of element A and exactly zero at every other atom. A model of several elements is the sum of one such term
    /// per element, E_i = F_{t_i}(sums), and these nodes appear only in that top-level sum (see <see cref="Expression.CentralTerms"/>).
    /// </summary>
    Central,
    /// <summary>e^x.</summary>
    Exp,
    /// <summary>ln x (NaN for x &lt; 0).</summary>
    Log,
    /// <summary>√x (NaN for x &lt; 0).</summary>
    Sqrt,
}

/// <summary>
/// One node of a tree stored in postfix order (children before their parent, left child first).
/// <see cref="Size"/> is the number of nodes in the subtree rooted here, so the subtree of node i occupies
/// [i − Size + 1, i] and the right child of a binary node i is node i − 1.
/// <see cref="Element"/> is an atomic number: the neighbours' element of a species-resolved <see cref="NodeKind.Sum"/>
/// (0: every neighbour), the central element of a <see cref="NodeKind.Central"/> node; 0 for every other node.
/// </summary>
public readonly record struct Node(NodeKind Kind, int Size, int ConstantIndex = -1, byte Element = 0)
{
    public int Arity => Nodes.Arity(Kind);
    public bool IsLeaf => Arity == 0;
}

public static class Nodes
{
    public static int Arity(NodeKind kind) => kind switch
    {
        NodeKind.Constant or NodeKind.Distance => 0,
        NodeKind.Sum or NodeKind.Central => 1,
        _ => Operators.IsOperator(kind) ? Operators.Of(kind).Arity : throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown node kind"),
    };

    public static bool IsBinary(NodeKind kind) => Arity(kind) == 2;
}

/// <summary>The level of a subtree: constants fit anywhere; r makes a pair expression; a neighbour sum makes an atom expression.</summary>
public enum Level : byte
{
    Constant,
    Pair,
    Atom,
}
