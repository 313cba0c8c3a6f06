namespace PoetSharp.Models;

/// <summary>
/// The constants a model's energy is jointly linear in: its <em>amplitudes</em>. Walking down from the root, a node is in
/// a linear position when every node above it is a +, a −, a neighbour sum Σ_j (plain or over one element), an element's
/// term at[A](…), the left operand of a ÷, or one operand of a × (a constant operand, else the one with more amplitudes; the other then
/// holds none). A constant in a linear
/// position is an amplitude: in c·Σ_j g(r_ij) + … or Σ_j (c·r^-p) the energy, the forces and the stress are c times
/// something that does not depend on c, plus something that does not either. Where a × has a constant operand, that
/// constant is the amplitude and the other operand is left alone, so no product of two amplitudes arises; powers,
/// exp, log, sqrt and the angular densities (ρ_l(c·g) = c²ρ_l(g)) end a linear position.
/// <para>
/// Why: a random candidate's amplitudes are often orders of magnitude off, and a short Levenberg–Marquardt run from
/// there spends its evaluations finding them. For fixed other constants, the best amplitudes solve a linear
/// least-squares problem exactly (<see cref="Fitting.LinearProjection"/>), the idea behind variable projection.
/// </para>
/// </summary>
public static class LinearConstants
{
    /// <summary>For each constant of <paramref name="model"/>, whether it is an amplitude (see the type).</summary>
    public static bool[] Of(Expression model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var linear = new bool[model.ConstantCount];
        if (model.Length == 0) return linear;
        Visit(model, model.Length - 1, linear, Counts(model));
        // A constant index held by two nodes (not made by this code base, but allowed by the type) is not linear jointly.
        var uses = new int[model.ConstantCount];
        foreach (var node in model.Nodes)
            if (node.Kind == NodeKind.Constant) uses[node.ConstantIndex]++;
        for (var k = 0; k < linear.Length; k++) linear[k] &= uses[k] == 1;
        return linear;
    }

    private static void Visit(Expression model, int i, bool[] linear, int[] counts)
    {
        var node = model.Nodes[i];
        switch (node.Kind)
        {
            case NodeKind.Constant:
                linear[node.ConstantIndex] = true;
                return;
            case NodeKind.Add or NodeKind.Sub:
                Visit(model, model.LeftChild(i), linear, counts);
                Visit(model, Expression.RightChild(i), linear, counts);
                return;
            case NodeKind.Sum or NodeKind.Central:
                Visit(model, model.LeftChild(i), linear, counts);
                return;
            case NodeKind.Div:
                Visit(model, model.LeftChild(i), linear, counts);
                return;
            case NodeKind.Mul:
            {
                int left = model.LeftChild(i), right = Expression.RightChild(i);
                if (model.Nodes[left].Kind == NodeKind.Constant) linear[model.Nodes[left].ConstantIndex] = true;
                else if (model.Nodes[right].Kind == NodeKind.Constant) linear[model.Nodes[right].ConstantIndex] = true;
                // One operand only, the one with more amplitudes (the left on a tie): the other then holds none.
                else Visit(model, counts[right] > counts[left] ? right : left, linear, counts);
                return;
            }
            default:
                return;
        }
    }

    /// <summary>For each node, how many amplitudes its subtree would hold in a linear position (children precede parents).</summary>
    private static int[] Counts(Expression model)
    {
        var counts = new int[model.Length];
        for (var i = 0; i < model.Length; i++)
        {
            var kind = model.Nodes[i].Kind;
            counts[i] = kind switch
            {
                NodeKind.Constant => 1,
                NodeKind.Add or NodeKind.Sub => counts[model.LeftChild(i)] + counts[Expression.RightChild(i)],
                NodeKind.Sum or NodeKind.Central or NodeKind.Div => counts[model.LeftChild(i)],
                NodeKind.Mul => model.Nodes[model.LeftChild(i)].Kind == NodeKind.Constant || model.Nodes[Expression.RightChild(i)].Kind == NodeKind.Constant
                    ? 1
                    : Math.Max(counts[model.LeftChild(i)], counts[Expression.RightChild(i)]),
                _ => 0,
            };
        }
        return counts;
    }
}
