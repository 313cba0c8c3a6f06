using PoetSharp.Models;

namespace PoetSharp.Export;

/// <summary>
/// A model's atom expression read as an embedded-atom model:
/// E_i = C + Σ_j φ(r_ij) + Σ_k F_k(ρ_k,i), ρ_k,i = Σ_j g_k(r_ij) f(r_ij), where φ(r) = Σ_p a_p g_p(r) f(r) collects
/// the sums that enter linearly. Recognised from the tree: the expression is split into additive terms (through
/// + and −, and through products and quotients with constant factors); constant terms make C; each other term must
/// depend on a single neighbour sum (sums with the same summand count as one), or on a single linear combination of
/// sums (Σ_k c_k Σ_j g_k, as the density of an EAM alloy, Σ_{j∈Cu} ρ_Cu + Σ_{j∈Ni} ρ_Ni, is written). A sum that appears
/// only linearly is pair energy; any other sum or combination is a density with an embedding function made of all the
/// terms that contain it. Sums over the neighbours of one element (sum[B]) give pair and density functions per
/// neighbour element (<see cref="PairFunction(double, byte)"/>, <see cref="Density(int, double, byte)"/>).
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

    /// <summary>
    /// One density ρ = Σ_k c_k Σ_j g_k(r) f(r) (the node <see cref="DensityNode"/>: one sum, or a linear combination of
    /// sums) and its embedding F(ρ) = Σ factor·term(ρ).
    /// </summary>
    public sealed class Embedding(EamForm form, int densityNode, IReadOnlyList<(int SumNode, double Coefficient)> combination,
        List<(int Node, double Factor)> terms)
    {
        /// <summary>The node whose value is the density: a sum, or a linear combination of sums.</summary>
        public int DensityNode { get; } = densityNode;

        /// <summary>The sums of the density with their coefficients.</summary>
        public IReadOnlyList<(int SumNode, double Coefficient)> Combination { get; } = combination;

        /// <summary>The density for a report: the summand g(r) of a single sum, else the combination of sums.</summary>
        public string DensityText => Combination.Count == 1 && Combination[0].Coefficient == 1
            ? ExpressionPrinter.Print(form._e.Subtree(Combination[0].SumNode - 1))
            : ExpressionPrinter.Print(form._e.Subtree(DensityNode));

        public double F(double rho)
        {
            var total = 0.0;
            foreach (var (node, factor) in terms) total += factor * form.EvaluateWithDensity(node, DensityNode, rho);
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
    public double PairFunction(double r) => PairFunction(r, 0);

    /// <summary>
    /// The pair energy per neighbour of element <paramref name="neighbourElement"/> (atomic number; 0: the sums over
    /// every neighbour only, as for a model of one element), without f.
    /// </summary>
    public double PairFunction(double r, byte neighbourElement)
    {
        var total = 0.0;
        foreach (var (node, a) in _pairSums)
            if (Takes(node, neighbourElement)) total += a * _e.EvaluatePair(node - 1, r);
        return total;
    }

    /// <summary>The summand of density <paramref name="embedding"/>, Σ_k c_k g_k(r), without f.</summary>
    public double Density(int embedding, double r) => Density(embedding, r, 0);

    /// <summary>The summand of density <paramref name="embedding"/> for a neighbour of element <paramref name="neighbourElement"/>.</summary>
    public double Density(int embedding, double r, byte neighbourElement)
    {
        var total = 0.0;
        foreach (var (node, c) in _embeddings[embedding].Combination)
            if (Takes(node, neighbourElement)) total += c * _e.EvaluatePair(node - 1, r);
        return total;
    }

    /// <summary>Whether the sum at <paramref name="sumNode"/> takes a neighbour of the element (0: sums over every neighbour only).</summary>
    private bool Takes(int sumNode, byte element) => _e.Nodes[sumNode].Element == 0 || _e.Nodes[sumNode].Element == element;

    /// <summary>The EAM form of the expression, or null with the reason it has none.</summary>
    public static EamForm? TryCreate(Expression expression, out string reason)
    {
        expression.RequireAtomExpression();
        // An angular density depends on the angles between neighbours (a three-body term): no pair function or embedding
        // of a pair density represents it, and the sums analysis below sees only plain sums.
        for (var i = 0; i < expression.Length; i++)
        {
            if (!Nodes.IsAngular(expression.Nodes[i].Kind)) continue;
            reason = $"{ExpressionPrinter.Print(expression.Subtree(i))} is an angular density (Σ_j Σ_k φ_j φ_k P_l(cos θ_jik), " +
                     "which depends on the angles between neighbours), not an EAM density; setfl (eam/alloy, eam/fs) represents " +
                     "only pair terms plus embedding functions of pair densities, so this model can be exported with --format kim only";
            return null;
        }
        var form = new EamForm(expression);
        var terms = new List<(int Node, double Factor)>();
        form.CollectTerms(expression.Length - 1, 1.0, terms);

        // Terms grouped by the density they depend on: one sum (sums with identical summands are one variable), or one
        // linear combination of sums.
        var groups = new Dictionary<string, (int DensityNode, List<(int Node, double Factor)> Terms)>();
        foreach (var (node, factor) in terms)
        {
            if (expression.LevelOf(node) == Level.Constant)
            {
                form.Constant += factor * form.EvaluateWithDensity(node, -1, double.NaN);
                continue;
            }
            var keys = form.SumsIn(node).Select(s => (Key: form.SummandKey(s), Node: s)).DistinctBy(s => s.Key).ToList();
            var density = keys.Count == 1 ? keys[0].Node : form.CombinationOf(node);
            if (density < 0)
            {
                reason = $"the term {form.Render(node)} is a function of {keys.Count} neighbour sums jointly " +
                         $"({string.Join(", ", keys.Select(k => form.Render(k.Node)))}), not of one linear combination of them; setfl (eam/alloy, eam/fs) " +
                         "represents only pair terms plus embedding functions of one density each, so this model can be exported with --format kim only";
                return null;
            }
            var key = keys.Count == 1 ? keys[0].Key : "combination " + form.Render(density);
            if (!groups.TryGetValue(key, out var group)) groups[key] = group = (density, []);
            group.Terms.Add((node, factor));
        }
        foreach (var (densityNode, group) in groups.Values)
        {
            if (group.All(t => expression.Nodes[t.Node].Kind == NodeKind.Sum))
                form._pairSums.Add((densityNode, group.Sum(t => t.Factor)));
            else
                form._embeddings.Add(new Embedding(form, densityNode,
                    expression.Nodes[densityNode].Kind == NodeKind.Sum ? [(densityNode, 1.0)] : form.LinearSums(densityNode, 1.0)!, group));
        }
        reason = "";
        return form;
    }

    /// <summary>
    /// The smallest subtree of term <paramref name="term"/> that holds every sum of the term, if it is a linear combination
    /// of sums and every sum of the term lies in it; −1 otherwise.
    /// </summary>
    private int CombinationOf(int term)
    {
        var sums = SumsIn(term).ToList();
        for (var i = _e.SubtreeStart(term); i <= term; i++)
        {
            var start = _e.SubtreeStart(i);
            if (!sums.All(s => s >= start && s <= i)) continue;
            // The first node (in postfix order) whose subtree holds every sum is the smallest such subtree.
            return LinearSums(i, 1.0) is not null ? i : -1;
        }
        return -1;
    }

    /// <summary>The sums of the subtree at i with their coefficients when it is Σ c_k·sum_k (+ −, constant factors and divisors), else null.</summary>
    private List<(int SumNode, double Coefficient)>? LinearSums(int i, double factor)
    {
        var node = _e.Nodes[i];
        if (node.Kind == NodeKind.Sum) return [(i, factor)];
        if (node.Arity != 2) return null;
        int left = _e.LeftChild(i), right = i - 1;
        switch (node.Kind)
        {
            case NodeKind.Add:
            case NodeKind.Sub:
            {
                var a = LinearSums(left, factor);
                var b = LinearSums(right, node.Kind == NodeKind.Sub ? -factor : factor);
                return a is null || b is null ? null : [.. a, .. b];
            }
            case NodeKind.Mul when _e.LevelOf(left) == Level.Constant:
                return LinearSums(right, factor * EvaluateWithDensity(left, -1, double.NaN));
            case NodeKind.Mul when _e.LevelOf(right) == Level.Constant:
                return LinearSums(left, factor * EvaluateWithDensity(right, -1, double.NaN));
            case NodeKind.Div when _e.LevelOf(right) == Level.Constant:
                return LinearSums(left, factor / EvaluateWithDensity(right, -1, double.NaN));
            default:
                return null;
        }
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
                    CollectTerms(right, factor * EvaluateWithDensity(left, -1, double.NaN), terms);
                    return;
                case NodeKind.Mul when _e.LevelOf(right) == Level.Constant:
                    CollectTerms(left, factor * EvaluateWithDensity(right, -1, double.NaN), terms);
                    return;
                case NodeKind.Div when _e.LevelOf(right) == Level.Constant:
                    CollectTerms(left, factor / EvaluateWithDensity(right, -1, double.NaN), terms);
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

    /// <summary>
    /// The atom-level (or constant) subtree at i with the density node <paramref name="densityNode"/> (and every sum, when
    /// the density is one sum) taking the value <paramref name="rho"/>.
    /// </summary>
    private double EvaluateWithDensity(int i, int densityNode, double rho)
    {
        if (i == densityNode) return rho;
        var node = _e.Nodes[i];
        switch (node.Kind)
        {
            case NodeKind.Constant: return _e.ConstantOf(i);
            case NodeKind.Sum: return rho;
            case NodeKind.Distance: throw new InvalidOperationException("r outside a sum");
            case NodeKind.Central: throw new InvalidOperationException("at[..] inside an element's expression");
        }
        var op = Operators.Of(node.Kind);
        if (op.Arity == 1) return op.Value(EvaluateWithDensity(i - 1, densityNode, rho), double.NaN);
        return op.Value(EvaluateWithDensity(_e.LeftChild(i), densityNode, rho), EvaluateWithDensity(i - 1, densityNode, rho));
    }
}
