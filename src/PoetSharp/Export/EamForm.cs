using PoetSharp.Models;

namespace PoetSharp.Export;

/// <summary>
/// A model's atom expression read as an embedded-atom model:
/// E_i = C + Σ_j φ(r_ij) + Σ_k F_k(ρ_k,i), ρ_k,i = Σ_j g_k(r_ij) f(r_ij), where φ(r) = Σ_p a_p g_p(r) f(r) collects
/// the sums that enter linearly. Recognised from the tree: the expression is split into additive terms (through
/// + and −, and through products and quotients with constant factors); constant terms make C; each other term must
/// depend on a single neighbour sum (sums with the same summand count as one). A sum that appears only linearly is
/// pair energy; any other sum is a density with an embedding function made of all the terms that contain it.
/// </summary>
public sealed class EamForm
{
    private readonly Expression _e;

    private EamForm(Expression expression) => _e = expression;

    /// <summary>Additive constant of the atom energy (eV).</summary>
    public double Constant { get; private set; }

    /// <summary>Sum nodes that enter linearly, with their coefficients: φ(r) = Σ a·g(r)·f(r).</summary>
    public IReadOnlyList<(int SumNode, double Coefficient)> PairSums => _pairSums;

    /// <summary>The embedded densities, one per distinct non-linear sum.</summary>
    public IReadOnlyList<Embedding> Embeddings => _embeddings;

    private readonly List<(int, double)> _pairSums = [];
    private readonly List<Embedding> _embeddings = [];

    /// <summary>One density ρ = Σ_j g(r) f(r) (g the child of <see cref="SumNode"/>) and its embedding F(ρ) = Σ factor·term(ρ).</summary>
    public sealed class Embedding(EamForm form, int sumNode, List<(int Node, double Factor)> terms)
    {
        public int SumNode { get; } = sumNode;

        /// <summary>The summand g(r) (without the taper), as a pair expression.</summary>
        public Expression Density => form._e.Subtree(SumNode - 1);

        public double F(double rho)
        {
            var total = 0.0;
            foreach (var (node, factor) in terms) total += factor * form.EvaluateWithSum(node, rho);
            return total;
        }

        /// <summary>The embedding's terms in the model's syntax, with ρ standing for the sum (a negative factor after the
        /// first term as a minus, so that no term reads "+ -").</summary>
        public string Describe() => string.Concat(terms.Select((t, k) =>
        {
            var factor = k > 0 && t.Factor < 0 ? -t.Factor : t.Factor;
            var sign = k == 0 ? "" : t.Factor < 0 ? " - " : " + ";
            return sign + (factor == 1 ? "" : ExpressionPrinter.FormatConstant(factor) + "*") + "(" + form.Render(t.Node) + ")";
        }));
    }

    /// <summary>The pair energy per neighbour as our model counts it for each atom: Σ a·g(r)·f(r) without f.</summary>
    public double PairFunction(double r)
    {
        var total = 0.0;
        foreach (var (node, a) in _pairSums) total += a * _e.EvaluatePair(node - 1, r);
        return total;
    }

    public double Density(int embedding, double r) => _e.EvaluatePair(_embeddings[embedding].SumNode - 1, r);

    /// <summary>The EAM form of the expression, or null with the reason it has none.</summary>
    public static EamForm? TryCreate(Expression expression, out string reason)
    {
        expression.RequireAtomExpression();
        var form = new EamForm(expression);
        var terms = new List<(int Node, double Factor)>();
        form.CollectTerms(expression.Length - 1, 1.0, terms);

        // Terms grouped by the sum they depend on; sums with identical summands are one variable.
        var groups = new Dictionary<string, (int SumNode, List<(int Node, double Factor)> Terms)>();
        foreach (var (node, factor) in terms)
        {
            if (expression.LevelOf(node) == Level.Constant)
            {
                form.Constant += factor * form.EvaluateWithSum(node, double.NaN);
                continue;
            }
            var keys = form.SumsIn(node).Select(s => (Key: form.SummandKey(s), Node: s)).DistinctBy(s => s.Key).ToList();
            if (keys.Count > 1)
            {
                reason = $"the term {form.Render(node)} is a function of {keys.Count} neighbour sums jointly " +
                         $"({string.Join(", ", keys.Select(k => form.Render(k.Node)))}); setfl (eam/alloy, eam/fs) represents " +
                         "only pair terms plus embedding functions of one density each, so this model can be exported with --format kim only";
                return null;
            }
            var key = keys[0].Key;
            if (!groups.TryGetValue(key, out var group)) groups[key] = group = (keys[0].Node, []);
            group.Terms.Add((node, factor));
        }
        foreach (var (sumNode, group) in groups.Values)
        {
            if (group.All(t => expression.Nodes[t.Node].Kind == NodeKind.Sum))
                form._pairSums.Add((sumNode, group.Sum(t => t.Factor)));
            else
                form._embeddings.Add(new Embedding(form, sumNode, group));
        }
        reason = "";
        return form;
    }

    /// <summary>Splits node i into additive terms, carrying constant factors down through ×, ÷, + and −.</summary>
    private void CollectTerms(int i, double factor, List<(int, double)> terms)
    {
        var node = _e.Nodes[i];
        if (_e.LevelOf(i) == Level.Atom && node.Arity == 2)
        {
            int left = _e.LeftChild(i), right = i - 1;
            switch (node.Kind)
            {
                case NodeKind.Add:
                    CollectTerms(left, factor, terms);
                    CollectTerms(right, factor, terms);
                    return;
                case NodeKind.Sub:
                    CollectTerms(left, factor, terms);
                    CollectTerms(right, -factor, terms);
                    return;
                case NodeKind.Mul when _e.LevelOf(left) == Level.Constant:
                    CollectTerms(right, factor * EvaluateWithSum(left, double.NaN), terms);
                    return;
                case NodeKind.Mul when _e.LevelOf(right) == Level.Constant:
                    CollectTerms(left, factor * EvaluateWithSum(right, double.NaN), terms);
                    return;
                case NodeKind.Div when _e.LevelOf(right) == Level.Constant:
                    CollectTerms(left, factor / EvaluateWithSum(right, double.NaN), terms);
                    return;
            }
        }
        terms.Add((i, factor));
    }

    private IEnumerable<int> SumsIn(int i)
    {
        for (var k = _e.SubtreeStart(i); k <= i; k++)
            if (_e.Nodes[k].Kind == NodeKind.Sum) yield return k;
    }

    private string SummandKey(int sumNode) => ExpressionPrinter.Print(_e.Subtree(sumNode - 1));

    private string Render(int node) => ExpressionPrinter.Print(_e.Subtree(node));

    /// <summary>The atom-level (or constant) subtree at i with every sum in it taking the value <paramref name="sum"/>.</summary>
    private double EvaluateWithSum(int i, double sum)
    {
        var node = _e.Nodes[i];
        switch (node.Kind)
        {
            case NodeKind.Constant: return _e.ConstantOf(i);
            case NodeKind.Sum: return sum;
            case NodeKind.Distance: throw new InvalidOperationException("r outside a sum");
        }
        var op = Operators.Of(node.Kind);
        if (op.Arity == 1) return op.Value(EvaluateWithSum(i - 1, sum), double.NaN);
        return op.Value(EvaluateWithSum(_e.LeftChild(i), sum), EvaluateWithSum(i - 1, sum));
    }
}
