using System.Reflection;
using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Tests.Models;

/// <summary>
/// Coverage of the operator table: every non-structural <see cref="NodeKind"/> has a complete entry, and every part of the
/// entry agrees with the others (derivatives with finite differences of the value, the vector kernels with the scalar
/// value, the printed text with the parser, the C++ forms are there).
/// </summary>
public class OperatorTableTests
{
    private static readonly NodeKind[] Structural =
        [NodeKind.Constant, NodeKind.Distance, NodeKind.Sum, NodeKind.Central, NodeKind.Angular0, NodeKind.Angular1, NodeKind.Angular2, NodeKind.Angular3];

    public static TheoryData<NodeKind> OperatorKinds()
    {
        var data = new TheoryData<NodeKind>();
        foreach (var kind in Enum.GetValues<NodeKind>())
            if (!Structural.Contains(kind)) data.Add(kind);
        return data;
    }

    /// <summary>Points (a, b) inside every operator's domain (a &gt; 0 for log, sqrt and powers), b ignored by unary ones.</summary>
    private static readonly (double A, double B)[] Points = [(1.3, 0.7), (2.1, -1.4), (0.6, 2.5), (3.7, 3.0), (0.9, -0.5)];

    [Fact]
    public void EveryKindIsStructuralOrHasAnEntry()
    {
        foreach (var kind in Enum.GetValues<NodeKind>())
        {
            if (Structural.Contains(kind))
            {
                Assert.False(Operators.IsOperator(kind));
                Assert.Throws<ArgumentOutOfRangeException>(() => Operators.Of(kind));
                continue;
            }
            Assert.True(Operators.IsOperator(kind), $"{kind} has no entry in the operator table");
            Assert.Equal(kind, Operators.Of(kind).Kind);
            Assert.Equal(Operators.Of(kind).Arity, Nodes.Arity(kind));
        }
        Assert.Equal(Operators.All.Count, Operators.Binary.Count + Operators.Unary.Count);
        Assert.Equal(Operators.All.Count, Operators.All.Select(o => o.Name).Distinct().Count());
        Assert.Equal(Operators.All.Count, Operators.All.Select(o => o.Symbol).Distinct().Count());
        Assert.Equal([NodeKind.Add, NodeKind.Sub, NodeKind.Mul, NodeKind.Div, NodeKind.Pow], Operators.Binary);
    }

    [Theory]
    [MemberData(nameof(OperatorKinds))]
    public void EveryPartOfTheEntryIsPresent(NodeKind kind)
    {
        var op = Operators.Of(kind);
        foreach (var property in typeof(OperatorDefinition).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(op);
            if (typeof(Delegate).IsAssignableFrom(property.PropertyType) || property.PropertyType == typeof(string))
                Assert.True(value is not null && value is not "", $"{kind}: {property.Name} is missing");
        }
        Assert.InRange(op.Arity, 1, 2);
        Assert.InRange(op.Precedence, 1, 5);
        Assert.InRange(op.LatexPrecedence, 1, 5);
        Assert.Same(op, Operators.ByName(op.Name));
        if (op.Arity == 2)
        {
            Assert.Equal(1, op.Symbol.Length);
            Assert.Same(op, Operators.BySymbol(op.Symbol[0]));
        }
        else Assert.Same(op, Operators.ByFunctionName(op.Symbol));
        Assert.True(op.Cost(Expression.Sum(Operand(op, Expression.Distance, Expression.Constant(1.7))), op.Arity == 2 ? 2 : 1, Levels(op)) > 0,
            $"{kind}: no cost");
    }

    private static Level[] Levels(OperatorDefinition op) =>
        op.Arity == 2 ? [Level.Pair, Level.Constant, Level.Pair, Level.Atom] : [Level.Pair, Level.Pair, Level.Atom];

    private static Expression Operand(OperatorDefinition op, Expression a, Expression b) =>
        Expression.Combine(op.Kind, a, op.Arity == 2 ? b : null);

    /// <summary>Central difference of f at x with step h·max(1, |x|) (fourth order).</summary>
    private static double Slope(Func<double, double> f, double x)
    {
        var h = 1e-4 * Math.Max(1, Math.Abs(x));
        return (8 * (f(x + h) - f(x - h)) - (f(x + 2 * h) - f(x - 2 * h))) / (12 * h);
    }

    private static void Close(double expected, double actual, string what, double tolerance = 1e-7) =>
        Assert.True(expected.Equals(actual) || Math.Abs(expected - actual) <= tolerance * (1 + Math.Abs(expected)), $"{what}: expected {expected:G15}, got {actual:G15}");

    [Theory]
    [MemberData(nameof(OperatorKinds))]
    public void DerivativesMatchFiniteDifferences(NodeKind kind)
    {
        var op = Operators.Of(kind);
        var unary = op.Arity == 1;
        foreach (var (a, b0) in Points)
        {
            var b = unary ? double.NaN : b0;
            var v = op.Value(a, b);
            Assert.True(double.IsFinite(v), $"{kind}({a}, {b}) is not finite");
            var (da, db) = op.Partials(a, b, v);
            Close(Slope(x => op.Value(x, b), a), da, $"{kind} ∂/∂a at ({a}, {b})");
            if (!unary) Close(Slope(y => op.Value(a, y), b), db, $"{kind} ∂/∂b at ({a}, {b})");
            else Assert.Equal(0.0, db);

            foreach (var logA in new[] { double.NaN, Math.Log(a) })
            {
                var p = op.SecondPartials(a, b, v, logA);
                Close(da, p.Da, $"{kind} second partials' ∂/∂a", 1e-12);
                Close(db, p.Db, $"{kind} second partials' ∂/∂b", 1e-12);
                Close(Slope(x => op.Partials(x, b, op.Value(x, b)).Da, a), p.Daa, $"{kind} ∂²/∂a² at ({a}, {b})", 1e-6);
                if (unary)
                {
                    Assert.Equal(0.0, p.Dab);
                    Assert.Equal(0.0, p.Dbb);
                    continue;
                }
                Close(Slope(y => op.Partials(a, y, op.Value(a, y)).Da, b), p.Dab, $"{kind} ∂²/∂a∂b at ({a}, {b})", 1e-6);
                Close(Slope(y => op.Partials(a, y, op.Value(a, y)).Db, b), p.Dbb, $"{kind} ∂²/∂b² at ({a}, {b})", 1e-6);
            }
        }
    }

    /// <summary>The kernels' operand shapes: both vectors, vector and scalar, scalar and vector (binary); one vector (unary).</summary>
    private static IEnumerable<(bool VectorA, bool VectorB)> Shapes(OperatorDefinition op) =>
        op.Arity == 1 ? [(true, false)] : [(true, true), (true, false), (false, true)];

    [Theory]
    [MemberData(nameof(OperatorKinds))]
    public void VectorKernelsAgreeWithTheScalarValueAndPartials(NodeKind kind)
    {
        var op = Operators.Of(kind);
        const int n = 37; // not a multiple of any vector width: the kernels' tails run too
        var random = new Random(5);
        double[] a = new double[n], da = new double[n], b = new double[n], db = new double[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = 0.2 + 3 * random.NextDouble();
            b[i] = -2 + 4 * random.NextDouble();
            da[i] = -1 + 2 * random.NextDouble();
            db[i] = -1 + 2 * random.NextDouble();
        }
        // Scalar operands, including the exponents a power's kernels treat specially.
        double[] scalarsA = [0.4, 1.7], scalarsB = [2, -1, 0.5, -0.5, 1, 3, -6, 2.5, 1.7, 0];
        double[] adjoint = new double[n], v = new double[n], d = new double[n], t = new double[n];
        double[] log = new double[n], temp = new double[n], extra = new double[n];
        for (var i = 0; i < n; i++) adjoint[i] = i % 7 == 0 ? 0 : -1 + 2 * random.NextDouble();
        foreach (var (vectorA, vectorB) in Shapes(op))
        {
            foreach (var ca in vectorA ? [double.NaN] : scalarsA)
            {
                foreach (var cb in vectorB || op.Arity == 1 ? [double.NaN] : scalarsB)
                {
                    var what = $"{kind} ({(vectorA ? "vector" : ca.ToString())}, {(op.Arity == 1 ? "-" : vectorB ? "vector" : cb.ToString())})";
                    double A(int i) => vectorA ? a[i] : ca;
                    double B(int i) => op.Arity == 1 ? double.NaN : vectorB ? b[i] : cb;
                    KernelOperand OperandA() => vectorA ? KernelOperand.Vector(a, da) : KernelOperand.Constant(ca);
                    KernelOperand OperandB() => op.Arity == 1 ? default : vectorB ? KernelOperand.Vector(b, db) : KernelOperand.Constant(cb);

                    op.Apply(OperandA(), OperandB(), v);
                    for (var i = 0; i < n; i++) Close(op.Value(A(i), B(i)), v[i], $"{what}: value {i}", 1e-13);

                    Array.Clear(d);
                    op.Forward(OperandA(), OperandB(), v, d, new KernelScratch(log, temp, extra));
                    for (var i = 0; i < n; i++)
                    {
                        var value = op.Value(A(i), B(i));
                        Close(value, v[i], $"{what}: forward value {i}", 1e-13);
                        var (pa, pb) = op.Partials(A(i), B(i), value);
                        var expected = (vectorA ? pa * da[i] : 0) + (vectorB && op.Arity == 2 ? pb * db[i] : 0);
                        Close(expected, d[i], $"{what}: forward d/dr {i}", 1e-12);
                    }

                    for (var operand = 0; operand < op.Arity; operand++)
                    {
                        op.Adjoint(operand, adjoint, OperandA(), OperandB(), v, t);
                        for (var i = 0; i < n; i++)
                        {
                            if (adjoint[i] == 0) continue;
                            var (pa, pb) = op.Partials(A(i), B(i), v[i]);
                            Close(adjoint[i] * (operand == 0 ? pa : pb), t[i], $"{what}: adjoint of operand {operand}, element {i}", 1e-12);
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(OperatorKinds))]
    public void PrintedTextParsesBackToTheSameTree(NodeKind kind)
    {
        var op = Operators.Of(kind);
        var r = Expression.Distance;
        Expression Make(Expression x, Expression y) => Operand(op, x, y);
        var trees = new List<Expression>
        {
            // Pair level, atom level, as operands of every other operator and with other operators as operands.
            Expression.Sum(Make(r, 1.5)),
            Expression.Sum(Make(Expression.Constant(2.5) * r, Expression.Constant(-3.0))),
            Make(Expression.Sum(r), 0.5) + Expression.Sum(Make(r - 0.25, r)),
            Expression.Constant(-2.0) * Make(Expression.Sum(Expression.Pow(r, -6.0)), Expression.Sum(r)),
        };
        foreach (var other in Operators.All)
        {
            trees.Add(Expression.Sum(Operand(other, Make(r, 1.25), Make(2.0, r))));
            trees.Add(Expression.Sum(Make(Operand(other, r, 0.75), Operand(other, 1.5, r))));
            trees.Add(Operand(other, Make(Expression.Sum(r), Expression.Constant(-1.5)), Expression.Sum(Make(r, 3.0))));
        }
        foreach (var tree in trees)
        {
            var text = ExpressionPrinter.PrintExact(tree);
            var parsed = ExpressionParser.Parse(text);
            Assert.True(tree.Nodes.SequenceEqual(parsed.Nodes), $"{kind}: {text} parses to {ExpressionPrinter.PrintExact(parsed)}");
            Assert.Equal(tree.Constants.ToArray(), parsed.Constants.ToArray());
            // The readable text folds signs but keeps the value.
            var readable = ExpressionParser.Parse(ExpressionPrinter.Print(tree));
            double[] distances = [2.3, 2.9, 3.6];
            var expected = tree.EvaluateAtom(distances, Taper.Copper);
            var actual = readable.EvaluateAtom(distances, Taper.Copper);
            Assert.True(expected.Equals(actual) || Math.Abs(expected - actual) <= 1e-14 * Math.Abs(expected), $"{text}: {expected:R} became {actual:R}");
            Assert.False(string.IsNullOrWhiteSpace(LatexPrinter.Print(tree)));
        }
        var latex = LatexPrinter.Print(Expression.Sum(Make(r, 1.5)));
        Assert.Contains("r_{ij}", latex);
        if (op.Arity == 1) Assert.Contains(op.Symbol == "log" ? @"\ln" : op.Symbol, latex);
    }

    [Theory]
    [MemberData(nameof(OperatorKinds))]
    public void CppFormsAreThere(NodeKind kind)
    {
        var op = Operators.Of(kind);
        var b = op.Arity == 2 ? "y" : null;
        var value = op.Cpp("x", b);
        Assert.Contains("x", value);
        if (b != null) Assert.Contains("y", value);
        var lines = new List<string>();
        var withA = op.CppDerivative(new CppTerms("x", b, "v", "dx", null, "7", First: true), lines.Add);
        Assert.Contains("dx", withA);
        if (b == null) return;
        var withB = op.CppDerivative(new CppTerms("x", b, "v", null, "dy", "7", First: false), lines.Add);
        Assert.Contains("dy", withB);
        var both = op.CppDerivative(new CppTerms("x", b, "v", "dx", "dy", "7", First: false), lines.Add);
        Assert.Contains("dx", both);
        Assert.Contains("dy", both);
    }
}
