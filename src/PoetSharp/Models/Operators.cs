using System.Numerics.Tensors;

namespace PoetSharp.Models;

/// <summary>How a chain of one binary operator groups: a − b − c is (a − b) − c (left), a^b^c is a^(b^c) (right).</summary>
public enum Associativity : byte
{
    Left,
    Right,
}

/// <summary>
/// An operand of a vectorised kernel: a vector (values and, at pair level, d/dr per element) or one scalar that holds
/// for every element (a constant subtree). A unary operator's kernels get <c>default</c> as their second operand.
/// </summary>
public readonly ref struct KernelOperand
{
    private KernelOperand(ReadOnlySpan<double> values, ReadOnlySpan<double> derivatives, double scalar, bool isVector)
    {
        Values = values;
        Derivatives = derivatives;
        Scalar = scalar;
        IsVector = isVector;
    }

    public ReadOnlySpan<double> Values { get; }
    /// <summary>d/dr of each element (pair level; empty where not needed).</summary>
    public ReadOnlySpan<double> Derivatives { get; }
    public double Scalar { get; }
    public bool IsVector { get; }

    public static KernelOperand Vector(ReadOnlySpan<double> values, ReadOnlySpan<double> derivatives = default) => new(values, derivatives, 0, true);
    public static KernelOperand Constant(double value) => new(default, default, value, false);

    public double this[int i] => IsVector ? Values[i] : Scalar;
}

/// <summary>Scratch buffers a kernel may overwrite, each at least as long as its output.</summary>
public readonly ref struct KernelScratch(Span<double> log, Span<double> temp, Span<double> extra)
{
    public Span<double> Log { get; } = log;
    public Span<double> Temp { get; } = temp;
    public Span<double> Extra { get; } = extra;
}

/// <summary>First and second partial derivatives of v = op(a, b) (those in b zero for a unary operator).</summary>
public readonly record struct SecondPartials(double Da, double Db, double Daa, double Dab, double Dbb);

/// <summary>v = op(a, b) on one pair of values (a unary operator ignores b).</summary>
public delegate double OperatorValue(double a, double b);
/// <summary>∂v/∂a and ∂v/∂b at (a, b) given v = op(a, b).</summary>
public delegate (double Da, double Db) OperatorPartials(double a, double b, double v);
/// <summary>First and second partials at (a, b) given v; <paramref name="logA"/> is ln a where the caller has it (NaN otherwise).</summary>
public delegate SecondPartials OperatorSecondPartials(double a, double b, double v, double logA);
/// <summary>Values only, element by element: v = op(a, b).</summary>
public delegate void ValueKernel(KernelOperand a, KernelOperand b, Span<double> v);
/// <summary>Values and d/dr (forward mode) element by element from the operands' values and d/dr.</summary>
public delegate void ForwardKernel(KernelOperand a, KernelOperand b, Span<double> v, Span<double> d, KernelScratch scratch);
/// <summary>
/// Reverse mode: <c>contribution = adjoint · ∂v/∂(operand)</c> element by element (operand 0 is a, 1 is b). Elements whose
/// adjoint is zero may hold anything (0·∞ must not count; the caller masks them).
/// </summary>
public delegate void AdjointKernel(int operand, ReadOnlySpan<double> adjoint, KernelOperand a, KernelOperand b, ReadOnlySpan<double> v, Span<double> contribution);
/// <summary>The text of a form from the texts of its operands (b null for a unary operator).</summary>
public delegate string OperatorForm(string a, string? b);
/// <summary>
/// A C++ expression for the derivative of node v with respect to one variable, given the operands' derivatives (null
/// where known to be zero; never both). <paramref name="line"/> writes a statement before it: an operator whose partials
/// take statements writes them when <see cref="CppTerms.First"/> (the first variable of this node).
/// </summary>
public delegate string CppDerivativeForm(CppTerms terms, Action<string> line);
/// <summary>Cost (ns per element) of the node at <paramref name="node"/>; <paramref name="levels"/> gives each node's level.</summary>
public delegate double OperatorCost(Expression e, int node, IReadOnlyList<Level> levels);

/// <summary>The C++ names of a node's operands (b null for a unary operator), of its value and of the operands' derivatives.</summary>
public readonly record struct CppTerms(string A, string? B, string V, string? Da, string? Db, string Id, bool First);

/// <summary>
/// One arithmetic operator of the hypothesis space, everything every part of the library needs to know about it: syntax
/// (text and LaTeX), values and derivatives (scalar, and vectorised span kernels for the compiled evaluator), C++ for
/// the KIM export, and the cost estimate. The structural kinds (constants, r, neighbour sums) have no entry.
/// </summary>
public sealed class OperatorDefinition
{
    public required NodeKind Kind { get; init; }
    /// <summary>Lower-case name (settings, the CLI's --operators): add, sub, mul, div, pow, exp, log, sqrt.</summary>
    public required string Name { get; init; }
    public required int Arity { get; init; }
    /// <summary>The infix symbol of a binary operator (+ - * / ^); the function name of a unary one (written f(x)).</summary>
    public required string Symbol { get; init; }
    /// <summary>Binding strength in text: + − 1, × ÷ 2, (a negative constant 3), ^ 4, functions (like leaves) 5.</summary>
    public required int Precedence { get; init; }
    public required Associativity Associativity { get; init; }
    /// <summary>Whether the printed symbol has a space on each side (a + b, but a*b).</summary>
    public required bool Spaced { get; init; }

    /// <summary>Binding strength in LaTeX (a \frac groups like a leaf).</summary>
    public required int LatexPrecedence { get; init; }
    /// <summary>Whether the LaTeX form delimits its first or second operand itself (\frac{a}{b}, x^{b}, \sqrt{a}): no parentheses.</summary>
    public required bool LatexGroupsA { get; init; }
    public required bool LatexGroupsB { get; init; }
    /// <summary>Whether a right operand of the same LaTeX precedence needs parentheses (a − (b − c): yes; a (b c): no).</summary>
    public required bool LatexParenthesisesEqualRight { get; init; }
    /// <summary>The LaTeX form from the operands' LaTeX (already in parentheses where needed).</summary>
    public required OperatorForm Latex { get; init; }

    public required OperatorValue Value { get; init; }
    public required OperatorPartials Partials { get; init; }
    public required OperatorSecondPartials SecondPartials { get; init; }
    /// <summary>Whether <see cref="SecondPartials"/> uses ln a (so that a vectorised pass may compute it per batch).</summary>
    public required bool SecondPartialsUseLogA { get; init; }

    public required ValueKernel Apply { get; init; }
    public required ForwardKernel Forward { get; init; }
    public required AdjointKernel Adjoint { get; init; }

    /// <summary>The C++ expression of the value from the operands' C++ expressions.</summary>
    public required OperatorForm Cpp { get; init; }
    public required CppDerivativeForm CppDerivative { get; init; }

    public required OperatorCost Cost { get; init; }

    public bool IsUnary => Arity == 1;

    /// <summary>v = op(a) or op(a, b).</summary>
    public double Evaluate(double a, double b = double.NaN) => Value(a, b);

    public override string ToString() => Name;
}

/// <summary>
/// The operator table: one <see cref="OperatorDefinition"/> per arithmetic <see cref="NodeKind"/>, in the spirit of
/// Operon's dispatch table. Printers, the parser, the simplifier, the evaluators, the C++ writer, the cost model and the
/// search all dispatch through it; the structural kinds (<see cref="NodeKind.Constant"/>, <see cref="NodeKind.Distance"/>,
/// <see cref="NodeKind.Sum"/>) are handled by each of them on their own.
/// </summary>
public static partial class Operators
{
    // The lists live in a nested class so that they are built after every entry (static fields of the partial class
    // are initialised in an unspecified order across its files).
    private static class Registry
    {
        public static readonly OperatorDefinition?[] Table = Build();
        public static readonly OperatorDefinition[] All = Table.Where(d => d is not null).Select(d => d!).ToArray();
        public static readonly NodeKind[] Binary = All.Where(d => d.Arity == 2).Select(d => d.Kind).ToArray();
        public static readonly NodeKind[] Unary = All.Where(d => d.Arity == 1).Select(d => d.Kind).ToArray();
    }

    private static OperatorDefinition?[] Table => Registry.Table;

    /// <summary>Every operator, in <see cref="NodeKind"/> order.</summary>
    public static IReadOnlyList<OperatorDefinition> All => Registry.All;

    /// <summary>The binary operators in <see cref="NodeKind"/> order (+ − × ÷ ^).</summary>
    public static IReadOnlyList<NodeKind> Binary => Registry.Binary;

    /// <summary>The unary operators (functions) in <see cref="NodeKind"/> order.</summary>
    public static IReadOnlyList<NodeKind> Unary => Registry.Unary;

    /// <summary>Whether the kind is an operator of the table (not a constant, r or a neighbour sum).</summary>
    public static bool IsOperator(NodeKind kind) => (int)kind < Table.Length && Table[(int)kind] is not null;

    /// <summary>The table entry of an operator; throws for the structural kinds.</summary>
    public static OperatorDefinition Of(NodeKind kind) =>
        (int)kind < Table.Length && Table[(int)kind] is { } d ? d : throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an operator of the table");

    /// <summary>The binary operator written with this symbol (− U+2212 reads as -), or null.</summary>
    public static OperatorDefinition? BySymbol(char symbol)
    {
        if (symbol == '−') symbol = '-';
        foreach (var d in All)
            if (d.Arity == 2 && d.Symbol.Length == 1 && d.Symbol[0] == symbol) return d;
        return null;
    }

    /// <summary>The unary operator (function) of this name, or null.</summary>
    public static OperatorDefinition? ByFunctionName(string name)
    {
        foreach (var d in All)
            if (d.Arity == 1 && d.Symbol == name) return d;
        return null;
    }

    /// <summary>The operator of this <see cref="OperatorDefinition.Name"/> (case-insensitive), or null.</summary>
    public static OperatorDefinition? ByName(string name)
    {
        foreach (var d in All)
            if (string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) return d;
        return null;
    }

    private static OperatorDefinition?[] Build()
    {
        var kinds = Enum.GetValues<NodeKind>();
        var table = new OperatorDefinition?[kinds.Max(k => (int)k) + 1];
        foreach (var d in new[] { Add, Sub, Mul, Div, Pow, Exp, Log, Sqrt }) table[(int)d.Kind] = d;
        return table;
    }

    // ---- helpers shared by the entries

    /// <summary>An infix operator's text with the symbol spaced or not.</summary>
    private static string Infix(string a, string? b, string symbol) => $"{a}{symbol}{b}";

    // ---- + − × ÷

    private static readonly OperatorDefinition Add = new()
    {
        Kind = NodeKind.Add, Name = "add", Arity = 2, Symbol = "+", Precedence = 1, Associativity = Associativity.Left, Spaced = true,
        LatexPrecedence = 1, LatexGroupsA = false, LatexGroupsB = false, LatexParenthesisesEqualRight = true,
        Latex = (a, b) => Infix(a, b, " + "),
        Value = (a, b) => a + b,
        Partials = (_, _, _) => (1, 1),
        SecondPartials = (_, _, _, _) => new SecondPartials(1, 1, 0, 0, 0),
        SecondPartialsUseLogA = false,
        Apply = (a, b, v) =>
        {
            if (a.IsVector && b.IsVector) TensorPrimitives.Add(a.Values, b.Values, v);
            else if (a.IsVector) TensorPrimitives.Add(a.Values, b.Scalar, v);
            else TensorPrimitives.Add(b.Values, a.Scalar, v); // c + b: addition is commutative in IEEE arithmetic
        },
        Forward = (a, b, v, d, _) =>
        {
            if (a.IsVector && b.IsVector) { TensorPrimitives.Add(a.Values, b.Values, v); TensorPrimitives.Add(a.Derivatives, b.Derivatives, d); }
            else if (a.IsVector) { TensorPrimitives.Add(a.Values, b.Scalar, v); a.Derivatives.CopyTo(d); }
            else { TensorPrimitives.Add(b.Values, a.Scalar, v); b.Derivatives.CopyTo(d); }
        },
        Adjoint = (_, adj, _, _, _, t) => adj.CopyTo(t),
        Cpp = (a, b) => $"{a} + {b}",
        CppDerivative = (x, _) => x.Db is null ? x.Da! : x.Da is null ? x.Db : $"{x.Da} + {x.Db}",
        Cost = (_, _, _) => CostModel.Multiply,
    };

    private static readonly OperatorDefinition Sub = new()
    {
        Kind = NodeKind.Sub, Name = "sub", Arity = 2, Symbol = "-", Precedence = 1, Associativity = Associativity.Left, Spaced = true,
        LatexPrecedence = 1, LatexGroupsA = false, LatexGroupsB = false, LatexParenthesisesEqualRight = true,
        Latex = (a, b) => Infix(a, b, " - "),
        Value = (a, b) => a - b,
        Partials = (_, _, _) => (1, -1),
        SecondPartials = (_, _, _, _) => new SecondPartials(1, -1, 0, 0, 0),
        SecondPartialsUseLogA = false,
        Apply = (a, b, v) =>
        {
            if (a.IsVector && b.IsVector) TensorPrimitives.Subtract(a.Values, b.Values, v);
            else if (a.IsVector) TensorPrimitives.Subtract(a.Values, b.Scalar, v);
            else TensorPrimitives.Subtract(a.Scalar, b.Values, v);
        },
        Forward = (a, b, v, d, _) =>
        {
            if (a.IsVector && b.IsVector) { TensorPrimitives.Subtract(a.Values, b.Values, v); TensorPrimitives.Subtract(a.Derivatives, b.Derivatives, d); }
            else if (a.IsVector) { TensorPrimitives.Subtract(a.Values, b.Scalar, v); a.Derivatives.CopyTo(d); }
            else { TensorPrimitives.Subtract(a.Scalar, b.Values, v); TensorPrimitives.Negate(b.Derivatives, d); }
        },
        Adjoint = (operand, adj, _, _, _, t) =>
        {
            if (operand == 0) adj.CopyTo(t); else TensorPrimitives.Negate(adj, t);
        },
        Cpp = (a, b) => $"{a} - {b}",
        CppDerivative = (x, _) => x.Db is null ? x.Da! : x.Da is null ? $"-{x.Db}" : $"{x.Da} - {x.Db}",
        Cost = (_, _, _) => CostModel.Multiply,
    };

    private static readonly OperatorDefinition Mul = new()
    {
        Kind = NodeKind.Mul, Name = "mul", Arity = 2, Symbol = "*", Precedence = 2, Associativity = Associativity.Left, Spaced = false,
        LatexPrecedence = 2, LatexGroupsA = false, LatexGroupsB = false, LatexParenthesisesEqualRight = false,
        // Juxtaposed, except before a digit (2 \cdot 3, not 23).
        Latex = (a, b) => a + (b!.Length > 0 && char.IsAsciiDigit(b[0]) ? @" \cdot " : " ") + b,
        Value = (a, b) => a * b,
        Partials = (a, b, _) => (b, a),
        SecondPartials = (a, b, _, _) => new SecondPartials(b, a, 0, 1, 0),
        SecondPartialsUseLogA = false,
        Apply = (a, b, v) =>
        {
            if (a.IsVector && b.IsVector) TensorPrimitives.Multiply(a.Values, b.Values, v);
            else if (a.IsVector) TensorPrimitives.Multiply(a.Values, b.Scalar, v);
            else TensorPrimitives.Multiply(b.Values, a.Scalar, v);
        },
        Forward = (a, b, v, d, _) =>
        {
            if (a.IsVector && b.IsVector)
            {
                TensorPrimitives.Multiply(a.Values, b.Values, v);
                TensorPrimitives.Multiply(a.Derivatives, b.Values, d);
                TensorPrimitives.MultiplyAdd(a.Values, b.Derivatives, d, d);
            }
            else if (a.IsVector) { TensorPrimitives.Multiply(a.Values, b.Scalar, v); TensorPrimitives.Multiply(a.Derivatives, b.Scalar, d); }
            else { TensorPrimitives.Multiply(b.Values, a.Scalar, v); TensorPrimitives.Multiply(b.Derivatives, a.Scalar, d); }
        },
        Adjoint = (operand, adj, a, b, _, t) =>
        {
            var other = operand == 0 ? b : a;
            if (other.IsVector) TensorPrimitives.Multiply(adj, other.Values, t); else TensorPrimitives.Multiply(adj, other.Scalar, t);
        },
        Cpp = (a, b) => $"{a} * {b}",
        CppDerivative = (x, _) => x.Db is null ? $"{x.Da} * {x.B}" : x.Da is null ? $"{x.A} * {x.Db}" : $"{x.Da} * {x.B} + {x.A} * {x.Db}",
        Cost = (_, _, _) => CostModel.Multiply,
    };

    private static readonly OperatorDefinition Div = new()
    {
        Kind = NodeKind.Div, Name = "div", Arity = 2, Symbol = "/", Precedence = 2, Associativity = Associativity.Left, Spaced = false,
        LatexPrecedence = 5, LatexGroupsA = true, LatexGroupsB = true, LatexParenthesisesEqualRight = false,
        Latex = (a, b) => $@"\frac{{{a}}}{{{b}}}",
        Value = (a, b) => a / b,
        Partials = (_, b, v) => (1 / b, -v / b),
        SecondPartials = (_, b, v, _) => new SecondPartials(1 / b, -v / b, 0, -1 / (b * b), 2 * v / (b * b)),
        SecondPartialsUseLogA = false,
        Apply = (a, b, v) =>
        {
            if (a.IsVector && b.IsVector) TensorPrimitives.Divide(a.Values, b.Values, v);
            else if (a.IsVector) TensorPrimitives.Divide(a.Values, b.Scalar, v);
            else TensorPrimitives.Divide(a.Scalar, b.Values, v);
        },
        Forward = (a, b, v, d, s) =>
        {
            if (a.IsVector && b.IsVector)
            {
                // (a' − v b') / b
                TensorPrimitives.Divide(a.Values, b.Values, v);
                var t = s.Temp[..v.Length];
                TensorPrimitives.Multiply(v, b.Derivatives, t);
                TensorPrimitives.Subtract(a.Derivatives, t, d);
                TensorPrimitives.Divide(d, b.Values, d);
            }
            else if (a.IsVector) { TensorPrimitives.Divide(a.Values, b.Scalar, v); TensorPrimitives.Divide(a.Derivatives, b.Scalar, d); }
            else
            {
                // c/b, d = −v b'/b
                TensorPrimitives.Divide(a.Scalar, b.Values, v);
                TensorPrimitives.Multiply(v, b.Derivatives, d);
                TensorPrimitives.Divide(d, b.Values, d);
                TensorPrimitives.Negate(d, d);
            }
        },
        Adjoint = (operand, adj, _, b, v, t) =>
        {
            if (operand == 0)
            {
                if (b.IsVector) TensorPrimitives.Divide(adj, b.Values, t); else TensorPrimitives.Divide(adj, b.Scalar, t);
                return;
            }
            // −adj · v / b
            TensorPrimitives.Multiply(adj, v, t);
            if (b.IsVector) TensorPrimitives.Divide(t, b.Values, t); else TensorPrimitives.Divide(t, b.Scalar, t);
            TensorPrimitives.Negate(t, t);
        },
        Cpp = (a, b) => $"{a} / {b}",
        CppDerivative = (x, _) => x.Db is null ? $"{x.Da} / {x.B}" : x.Da is null ? $"-{x.V} * {x.Db} / {x.B}" : $"({x.Da} - {x.V} * {x.Db}) / {x.B}",
        Cost = (_, _, _) => CostModel.Divide,
    };

    // ---- ^ (kernels in Operators.Pow.cs)

    private static readonly OperatorDefinition Pow = new()
    {
        Kind = NodeKind.Pow, Name = "pow", Arity = 2, Symbol = "^", Precedence = 4, Associativity = Associativity.Right, Spaced = false,
        LatexPrecedence = 4, LatexGroupsA = false, LatexGroupsB = true, LatexParenthesisesEqualRight = false,
        Latex = (a, b) => $"{a}^{{{b}}}",
        Value = Math.Pow,
        Partials = (a, b, v) => PowFirstPartials(a, b, v),
        SecondPartials = PowSecondPartials,
        SecondPartialsUseLogA = true,
        Apply = PowApply,
        Forward = PowForward,
        Adjoint = PowAdjoint,
        Cpp = (a, b) => $"std::pow({a}, {b})",
        CppDerivative = (x, line) =>
        {
            if (x.First)
            {
                line($"double pa{x.Id}, pb{x.Id};");
                line($"PowPartials({x.A}, {x.B}, {x.V}, pa{x.Id}, pb{x.Id});");
            }
            var ta = $"({x.Da} != 0.0 ? pa{x.Id} * {x.Da} : 0.0)";
            var tb = $"({x.Db} != 0.0 ? pb{x.Id} * {x.Db} : 0.0)";
            return x.Db is null ? ta : x.Da is null ? tb : $"{ta} + {tb}";
        },
        Cost = PowCost,
    };

    // ---- functions: exp, log, sqrt

    private static readonly OperatorDefinition Exp = new()
    {
        Kind = NodeKind.Exp, Name = "exp", Arity = 1, Symbol = "exp", Precedence = 5, Associativity = Associativity.Left, Spaced = false,
        LatexPrecedence = 5, LatexGroupsA = true, LatexGroupsB = true, LatexParenthesisesEqualRight = false,
        Latex = (a, _) => $@"\exp\left({a}\right)",
        Value = (a, _) => Math.Exp(a),
        Partials = (_, _, v) => (v, 0),
        SecondPartials = (_, _, v, _) => new SecondPartials(v, 0, v, 0, 0),
        SecondPartialsUseLogA = false,
        Apply = (a, _, v) =>
        {
            if (a.IsVector) TensorPrimitives.Exp(a.Values, v); else v.Fill(Math.Exp(a.Scalar));
        },
        Forward = (a, _, v, d, _) =>
        {
            // v = e^a, d = a' v
            TensorPrimitives.Exp(a.Values, v);
            TensorPrimitives.Multiply(a.Derivatives, v, d);
        },
        Adjoint = (_, adj, _, _, v, t) => TensorPrimitives.Multiply(adj, v, t),
        Cpp = (a, _) => $"std::exp({a})",
        CppDerivative = (x, _) => $"{x.Da} * {x.V}",
        Cost = (_, _, _) => CostModel.Exp,
    };

    private static readonly OperatorDefinition Log = new()
    {
        Kind = NodeKind.Log, Name = "log", Arity = 1, Symbol = "log", Precedence = 5, Associativity = Associativity.Left, Spaced = false,
        LatexPrecedence = 5, LatexGroupsA = true, LatexGroupsB = true, LatexParenthesisesEqualRight = false,
        Latex = (a, _) => $@"\ln\left({a}\right)",
        Value = (a, _) => Math.Log(a),
        Partials = (a, _, _) => (1 / a, 0),
        SecondPartials = (a, _, _, _) => new SecondPartials(1 / a, 0, -1 / (a * a), 0, 0),
        SecondPartialsUseLogA = false,
        Apply = (a, _, v) =>
        {
            if (a.IsVector) TensorPrimitives.Log(a.Values, v); else v.Fill(Math.Log(a.Scalar));
        },
        Forward = (a, _, v, d, _) =>
        {
            // v = ln a, d = a'/a
            TensorPrimitives.Log(a.Values, v);
            TensorPrimitives.Divide(a.Derivatives, a.Values, d);
        },
        Adjoint = (_, adj, a, _, _, t) =>
        {
            if (a.IsVector) TensorPrimitives.Divide(adj, a.Values, t); else TensorPrimitives.Divide(adj, a.Scalar, t);
        },
        Cpp = (a, _) => $"std::log({a})",
        CppDerivative = (x, _) => $"{x.Da} / {x.A}",
        Cost = (_, _, _) => CostModel.Log,
    };

    private static readonly OperatorDefinition Sqrt = new()
    {
        Kind = NodeKind.Sqrt, Name = "sqrt", Arity = 1, Symbol = "sqrt", Precedence = 5, Associativity = Associativity.Left, Spaced = false,
        LatexPrecedence = 5, LatexGroupsA = true, LatexGroupsB = true, LatexParenthesisesEqualRight = false,
        Latex = (a, _) => $@"\sqrt{{{a}}}",
        Value = (a, _) => Math.Sqrt(a),
        Partials = (_, _, v) => (0.5 / v, 0),
        SecondPartials = (a, _, v, _) => new SecondPartials(0.5 / v, 0, -0.25 / (a * v), 0, 0),
        SecondPartialsUseLogA = false,
        Apply = (a, _, v) =>
        {
            if (a.IsVector) TensorPrimitives.Sqrt(a.Values, v); else v.Fill(Math.Sqrt(a.Scalar));
        },
        Forward = (a, _, v, d, s) =>
        {
            // v = √a, d = a' / (2v)
            TensorPrimitives.Sqrt(a.Values, v);
            var t = s.Temp[..v.Length];
            TensorPrimitives.Multiply(v, 2.0, t);
            TensorPrimitives.Divide(a.Derivatives, t, d);
        },
        Adjoint = (_, adj, _, _, v, t) =>
        {
            TensorPrimitives.Multiply(v, 2.0, t);
            TensorPrimitives.Divide(adj, t, t);
        },
        Cpp = (a, _) => $"std::sqrt({a})",
        CppDerivative = (x, _) => $"{x.Da} / (2.0 * {x.V})",
        Cost = (_, _, _) => CostModel.SquareRoot,
    };
}
