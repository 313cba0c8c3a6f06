using PoetSharp.Models;

namespace PoetSharp.Search;

/// <summary>
/// Per-node facts the variation operators need: each subtree's level, whether the node lies inside a neighbour sum
/// (its context: a pair context accepts r, an atom context accepts sums), and the tree's depth.
/// </summary>
internal sealed class TreeShape
{
    public Level[] Levels { get; }
    public bool[] InsideSum { get; }
    public int Depth { get; }

    public TreeShape(Expression e)
    {
        var nodes = e.Nodes;
        var n = nodes.Length;
        Levels = new Level[n];
        InsideSum = new bool[n];
        var depths = new int[n];
        for (var i = 0; i < n; i++)
        {
            var node = nodes[i];
            switch (node.Arity)
            {
                case 0:
                    Levels[i] = node.Kind == NodeKind.Distance ? Level.Pair : Level.Constant;
                    depths[i] = 1;
                    break;
                case 1 when Nodes.IsNeighbourSum(node.Kind):
                    Levels[i] = Level.Atom;
                    depths[i] = depths[i - 1] + 1;
                    for (var k = e.SubtreeStart(i); k < i; k++) InsideSum[k] = true;
                    break;
                case 1:
                    // A unary operator (exp, log, sqrt) has its operand's level; an at[A] term is atom-level.
                    Levels[i] = node.Kind == NodeKind.Central ? Level.Atom : Levels[i - 1];
                    depths[i] = depths[i - 1] + 1;
                    break;
                default:
                    var left = e.LeftChild(i);
                    Levels[i] = (Level)Math.Max((int)Levels[left], (int)Levels[i - 1]);
                    depths[i] = Math.Max(depths[left], depths[i - 1]) + 1;
                    break;
            }
        }
        Depth = depths[n - 1];
    }

    /// <summary>Whether a subtree of <paramref name="level"/> may stand at node i: r only inside sums, sums only outside.</summary>
    public bool Accepts(int i, Level level) => level == Level.Constant || (InsideSum[i] ? level == Level.Pair : level == Level.Atom);

    public static int DepthOf(Expression e) => new TreeShape(e).Depth;
}
