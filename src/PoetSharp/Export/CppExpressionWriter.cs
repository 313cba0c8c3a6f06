using System.Globalization;
using System.Text;
using PoetSharp.Models;

namespace PoetSharp.Export;

/// <summary>
/// Turns an expression into straight-line C++ that computes a value and its derivatives by forward-mode
/// differentiation: one statement per node, with derivatives known to be zero (constant subtrees) left out.
/// Pair expressions are differentiated with respect to r; atom expressions with respect to each neighbour sum
/// (sum k, in postfix order, reads <c>s[k]</c>; plain sums and angular densities alike, numbered together as
/// <see cref="Expression.SumCount"/> counts them). Each operator's C++ (value and derivative) is its entry in the operator
/// table (<see cref="OperatorDefinition.Cpp"/>, <see cref="OperatorDefinition.CppDerivative"/>). x^y follows the library's
/// evaluator: ∂/∂x = y·x^y/x (y·x^(y−1) at x = 0), ∂/∂y = x^y·ln x, and a partial is used only where the operand's
/// derivative is non-zero.
/// </summary>
internal sealed class CppExpressionWriter
{
    private readonly Expression _e;
    private readonly StringBuilder _code = new();
    private readonly Dictionary<int, string> _value = [];
    private readonly Dictionary<(int Node, int Variable), string> _derivative = [];
    private readonly int[] _sumIndex;
    private readonly string _indent;

    private CppExpressionWriter(Expression e, string indent)
    {
        _e = e;
        _indent = indent;
        _sumIndex = new int[e.Length];
        var k = 0;
        for (var i = 0; i < e.Length; i++) _sumIndex[i] = Nodes.IsNeighbourSum(e.Nodes[i].Kind) ? k++ : -1;
    }

    /// <summary>Statements computing <c>value</c> and <c>derivative</c> (d/dr) of the pair expression rooted at <paramref name="node"/> from <c>r</c>.</summary>
    public static string Pair(Expression e, int node, string indent)
    {
        var w = new CppExpressionWriter(e, indent);
        w.Emit(node, 1);
        w.Line($"value = {w._value[node]};");
        w.Line($"derivative = {w.DerivativeOf(node, 0)};");
        return w._code.ToString();
    }

    /// <summary>
    /// Statements computing <c>energy</c> and <c>dEds[k]</c> of the atom expression from the sums <c>s[k]</c>; an at[A]
    /// term reads the atom's element (atomic number) from <c>z</c>.
    /// </summary>
    public static string Atom(Expression e, string indent)
    {
        var w = new CppExpressionWriter(e, indent);
        var root = e.Length - 1;
        var sums = e.SumCount;
        w.Emit(root, sums);
        w.Line($"energy = {w._value[root]};");
        for (var k = 0; k < sums; k++) w.Line($"dEds[{k}] = {w.DerivativeOf(root, k)};");
        return w._code.ToString();
    }

    private void Line(string s) => _code.Append(_indent).Append(s).Append('\n');

    private string DerivativeOf(int node, int variable) => _derivative.TryGetValue((node, variable), out var d) ? d : "0.0";

    private void Emit(int i, int variables)
    {
        var node = _e.Nodes[i];
        var v = $"v{i}";
        switch (node.Kind)
        {
            case NodeKind.Constant:
                _value[i] = Literal(_e.ConstantOf(i));
                return;
            case NodeKind.Distance:
                _value[i] = "r";
                _derivative[(i, 0)] = "1.0";
                return;
            case NodeKind.Sum or NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3:
                _value[i] = $"s[{_sumIndex[i]}]";
                _derivative[(i, _sumIndex[i])] = "1.0";
                return;
            case NodeKind.Central:
            {
                // at[A](x): x at atoms of element A, 0 elsewhere (selected, so that x may be anything there).
                Emit(i - 1, variables);
                var at = $"z == {node.Element}";
                Line($"const double {v} = ({at}) ? {_value[i - 1]} : 0.0;");
                _value[i] = v;
                for (var k = 0; k < variables; k++)
                {
                    if (!_derivative.TryGetValue((i - 1, k), out var dk)) continue;
                    Line($"const double d{i}_{k} = ({at}) ? {dk} : 0.0;");
                    _derivative[(i, k)] = $"d{i}_{k}";
                }
                return;
            }
        }
        var op = Operators.Of(node.Kind);
        int left = _e.LeftChild(i), right = op.Arity == 2 ? i - 1 : -1;
        Emit(left, variables);
        if (right >= 0) Emit(right, variables);
        string a = _value[left], b = right >= 0 ? _value[right] : null!;
        Line($"const double {v} = {op.Cpp(a, right >= 0 ? b : null)};");
        _value[i] = v;
        var first = true;
        for (var k = 0; k < variables; k++)
        {
            var hasA = _derivative.TryGetValue((left, k), out var da);
            string? db = null;
            var hasB = right >= 0 && _derivative.TryGetValue((right, k), out db);
            if (!hasA && !hasB) continue;
            var d = $"d{i}_{k}";
            var expression = op.CppDerivative(new CppTerms(a, right >= 0 ? b : null, v, hasA ? da : null, hasB ? db : null, i.ToString(CultureInfo.InvariantCulture), first), Line);
            first = false;
            Line($"const double {d} = {expression};");
            _derivative[(i, k)] = d;
        }
    }

    /// <summary>A double literal that reads back to the same bits.</summary>
    public static string Literal(double value)
    {
        var s = value.ToString("R", CultureInfo.InvariantCulture);
        if (!s.Contains('.') && !s.Contains('E')) s += ".0";
        return value < 0 || s.StartsWith('-') ? $"({s})" : s;
    }
}
