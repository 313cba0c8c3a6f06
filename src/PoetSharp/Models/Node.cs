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
    /// <summary>
    /// Angular density of order 0: ρ_0[g]_i = Σ_{j,k} φ_j φ_k P_0(cos θ_jik) = (Σ_j φ_j)², φ_j = g(r_ij) f(r_ij), written
    /// <c>ang0(g)</c>; with <see cref="Node.Element"/> set, over the neighbours of that element only (<c>ang0[B](g)</c>).
    /// The four orders (MEAM's partial densities) are neighbour sums like <see cref="Sum"/>: a pair-level child, an atom-level value.
    /// </summary>
    Angular0,
    /// <summary>Angular density of order 1: Σ_{j,k} φ_j φ_k cos θ_jik = |Σ_j φ_j r̂_ij|² (<c>ang1(g)</c>).</summary>
    Angular1,
    /// <summary>Angular density of order 2: Σ_{j,k} φ_j φ_k P_2(cos θ_jik) (<c>ang2(g)</c>), from the second moment Σ_j φ_j r̂⊗r̂.</summary>
    Angular2,
    /// <summary>Angular density of order 3: Σ_{j,k} φ_j φ_k P_3(cos θ_jik) (<c>ang3(g)</c>), from the third moment Σ_j φ_j r̂⊗r̂⊗r̂.</summary>
    Angular3,
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
        NodeKind.Sum or NodeKind.Central or NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3 => 1,
        _ => Operators.IsOperator(kind) ? Operators.Of(kind).Arity : throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown node kind"),
    };

    public static bool IsBinary(NodeKind kind) => Arity(kind) == 2;

    /// <summary>
    /// Whether the kind sums a pair-level child over an atom's neighbours into an atom-level value: a plain neighbour sum
    /// or an angular density.
    /// </summary>
    public static bool IsNeighbourSum(NodeKind kind) => kind == NodeKind.Sum || IsAngular(kind);

    /// <summary>Whether the kind is an angular density ang0..ang3.</summary>
    public static bool IsAngular(NodeKind kind) => kind is >= NodeKind.Angular0 and <= NodeKind.Angular3;

    /// <summary>The order l of an angular density (0–3); −1 for every other kind.</summary>
    public static int AngularOrder(NodeKind kind) => IsAngular(kind) ? kind - NodeKind.Angular0 : -1;

    /// <summary>The angular density of order l (0–3).</summary>
    public static NodeKind Angular(int order) => order is >= 0 and <= 3
        ? (NodeKind)((int)NodeKind.Angular0 + order)
        : throw new ArgumentOutOfRangeException(nameof(order), order, "angular densities have orders 0 to 3");

    /// <summary>The syntax name of a neighbour sum: sum, ang0, ang1, ang2, ang3.</summary>
    public static string SumName(NodeKind kind) => kind == NodeKind.Sum ? "sum" : IsAngular(kind) ? $"ang{AngularOrder(kind)}" : throw new ArgumentOutOfRangeException(nameof(kind));
}

/// <summary>The level of a subtree: constants fit anywhere; r makes a pair expression; a neighbour sum makes an atom expression.</summary>
public enum Level : byte
{
    Constant,
    Pair,
    Atom,
}
