using System.Numerics.Tensors;

namespace PoetSharp.Models;

// The power x^y: the one operator whose kernels have special cases (the exponents of the usual potentials by cheaper
// operations, a^b = exp(b ln a) for positive bases, exact derivatives at a zero base).
public static partial class Operators
{
    /// <summary>
    /// x^y as Math.Pow, with the exponents of the usual potentials done by cheaper operations: what the vector kernels
    /// compute element by element (the same up to rounding, and at −0 and −∞ for the exponents ±½, where √ keeps the sign).
    /// The table's scalar <see cref="OperatorDefinition.Value"/> is IEEE Math.Pow itself.
    /// </summary>
    private static double PowValue(double x, double y) => y switch
    {
        1.0 => x,
        2.0 => x * x,
        -1.0 => 1.0 / x,
        0.5 => Math.Sqrt(x),
        -0.5 => 1.0 / Math.Sqrt(x),
        _ => Math.Pow(x, y),
    };

    /// <summary>∂(a^b)/∂a and ∂(a^b)/∂b given v = a^b; zero where the factor that multiplies them vanishes.</summary>
    private static (double Da, double Db) PowFirstPartials(double a, double b, double v)
    {
        var da = b == 0 ? 0 : a != 0 ? b * v / a : b * Math.Pow(a, b - 1);
        var db = v == 0 ? 0 : v * Math.Log(a);
        return (da, db);
    }

    /// <summary>First and second partial derivatives of v = a^b (ln a from the caller when it is not NaN).</summary>
    private static SecondPartials PowSecondPartials(double a, double b, double v, double logA)
    {
        if (a > 0)
        {
            var ln = double.IsNaN(logA) ? Math.Log(a) : logA;
            var q = v / a; // a^(b−1)
            var pb = v * ln;
            return new SecondPartials(b * q, pb, b * (b - 1) * q / a, q * (1 + b * ln), pb * ln);
        }
        {
            // a ≤ 0: the derivatives in b exist only where the value vanishes (a = 0, b > 0); in a from the powers.
            var q = Math.Pow(a, b - 1);
            var pa = b == 0 ? 0 : b * q;
            var paa = b == 0 || b == 1 ? 0 : b * (b - 1) * Math.Pow(a, b - 2);
            var ln = Math.Log(a);
            var pb = v == 0 ? 0 : v * ln;
            var pab = q == 0 ? 0 : q * (1 + b * ln);
            var pbb = v == 0 ? 0 : v * ln * ln;
            return new SecondPartials(pa, pb, paa, pab, pbb);
        }
    }

    private static void PowApply(KernelOperand a, KernelOperand b, Span<double> v)
    {
        if (a.IsVector && b.IsVector)
        {
            for (var i = 0; i < v.Length; i++) v[i] = PowValue(a.Values[i], b.Values[i]);
            return;
        }
        if (!a.IsVector)
        {
            for (var i = 0; i < v.Length; i++) v[i] = PowValue(a.Scalar, b.Values[i]);
            return;
        }
        // The exponents of the usual potentials by the same operations as the scalar value, everything else by Math.Pow.
        var x = a.Values;
        var c = b.Scalar;
        switch (c)
        {
            case 1.0: x.CopyTo(v); break;
            case 2.0: TensorPrimitives.Multiply(x, x, v); break;
            case -1.0: TensorPrimitives.Divide(1.0, x, v); break;
            case 0.5: TensorPrimitives.Sqrt(x, v); break;
            case -0.5: TensorPrimitives.Sqrt(x, v); TensorPrimitives.Divide(1.0, v, v); break;
            default: for (var i = 0; i < v.Length; i++) v[i] = Math.Pow(x[i], c); break;
        }
    }

    private static void PowForward(KernelOperand a, KernelOperand b, Span<double> v, Span<double> d, KernelScratch s)
    {
        var n = v.Length;
        if (a.IsVector && b.IsVector)
        {
            ReadOnlySpan<double> x = a.Values, dx = a.Derivatives, y = b.Values, dy = b.Derivatives;
            if (n > 0 && TensorPrimitives.Min(x) > 0)
            {
                // a^b = exp(b ln a); d = v (b' ln a + b a'/a)
                var ln = s.Log[..n];
                var t = s.Temp[..n];
                TensorPrimitives.Log(x, ln);
                TensorPrimitives.Multiply(y, ln, t);
                TensorPrimitives.Exp(t, v);
                TensorPrimitives.Multiply(y, dx, t);
                TensorPrimitives.Divide(t, x, t);
                TensorPrimitives.MultiplyAdd(dy, ln, t, t);
                TensorPrimitives.Multiply(v, t, d);
            }
            else
            {
                for (var p = 0; p < n; p++)
                {
                    var vp = Math.Pow(x[p], y[p]);
                    v[p] = vp;
                    var (pa, pb) = PowFirstPartials(x[p], y[p], vp);
                    d[p] = (dx[p] != 0 ? pa * dx[p] : 0) + (dy[p] != 0 ? pb * dy[p] : 0);
                }
            }
            return;
        }
        if (a.IsVector)
        {
            PowVS(a.Values, a.Derivatives, b.Scalar, v, d, s);
            return;
        }
        {
            var c = a.Scalar;
            ReadOnlySpan<double> y = b.Values, dy = b.Derivatives;
            if (c > 0)
            {
                // c^b = exp(b ln c); d = v ln c b'
                var lnc = Math.Log(c);
                var t = s.Temp[..n];
                TensorPrimitives.Multiply(y, lnc, t);
                TensorPrimitives.Exp(t, v);
                TensorPrimitives.Multiply(dy, lnc, t);
                TensorPrimitives.Multiply(v, t, d);
            }
            else
            {
                for (var p = 0; p < n; p++)
                {
                    var vp = Math.Pow(c, y[p]);
                    v[p] = vp;
                    d[p] = dy[p] != 0 && vp != 0 ? vp * Math.Log(c) * dy[p] : 0;
                }
            }
        }
    }

    /// <summary>a^c for a constant exponent: integers by multiplication, half-integers by a square root and multiplication.</summary>
    private static void PowVS(ReadOnlySpan<double> a, ReadOnlySpan<double> da, double c, Span<double> v, Span<double> d, KernelScratch s)
    {
        var n = a.Length;
        if (c == 0) { v.Fill(1.0); d.Clear(); return; }
        var twice = 2 * c;
        if (Math.Abs(c) <= 32 && twice == Math.Floor(twice))
        {
            // q = a^(|c| − 1) (integer c) or a^(|c| − ½) (half-integer c, times √a); v = q a or 1/(q a).
            var half = twice != 2 * Math.Floor(c);
            var e = (int)Math.Floor(Math.Abs(c)); // the integer part of |c|
            var q = s.Extra[..n];
            var t = s.Temp[..n];
            if (half)
            {
                IntegerPower(a, e, v, t);           // v = a^e
                TensorPrimitives.Sqrt(a, q);
                TensorPrimitives.Multiply(q, v, v); // v = a^|c|
            }
            else
            {
                IntegerPower(a, e - 1, q, t);       // q = a^(|c|−1)
                TensorPrimitives.Multiply(q, a, v); // v = a^|c|
            }
            if (c < 0) TensorPrimitives.Divide(1.0, v, v);
            if (!half && c > 0)
            {
                // Integer c ≥ 1: c a^(c−1) a' from q directly (exact at a = 0).
                TensorPrimitives.Multiply(q, c, t);
                TensorPrimitives.Multiply(t, da, d);
                return;
            }
            // d = c v / a · a'. At a = 0 that is 0/0; it matters only for c > 0 (for c < 0 the value is infinite anyway).
            TensorPrimitives.Multiply(v, c, t);
            TensorPrimitives.Divide(t, a, t);
            TensorPrimitives.Multiply(t, da, d);
            if (c > 0) FixZeroBase(a, da, c, d);
            return;
        }
        if (n > 0 && TensorPrimitives.Min(a) > 0)
        {
            var ln = s.Log[..n];
            var t = s.Temp[..n];
            TensorPrimitives.Log(a, ln);
            TensorPrimitives.Multiply(ln, c, t);
            TensorPrimitives.Exp(t, v);
            TensorPrimitives.Multiply(v, c, t);
            TensorPrimitives.Divide(t, a, t);
            TensorPrimitives.Multiply(t, da, d);
            return;
        }
        for (var p = 0; p < n; p++)
        {
            var vp = Math.Pow(a[p], c);
            v[p] = vp;
            d[p] = da[p] != 0 ? PowFirstPartials(a[p], c, vp).Da * da[p] : 0;
        }
    }

    private static void FixZeroBase(ReadOnlySpan<double> a, ReadOnlySpan<double> da, double c, Span<double> d)
    {
        for (var p = 0; p < a.Length; p++)
            if (a[p] == 0) d[p] = da[p] != 0 ? c * Math.Pow(a[p], c - 1) * da[p] : 0;
    }

    /// <summary>result = a^e for e ≥ 0 by binary powering (scratch is overwritten).</summary>
    private static void IntegerPower(ReadOnlySpan<double> a, int e, Span<double> result, Span<double> scratch)
    {
        result.Fill(1.0);
        if (e == 0) return;
        a.CopyTo(scratch);
        while (true)
        {
            if ((e & 1) != 0) TensorPrimitives.Multiply(result, scratch, result);
            e >>= 1;
            if (e == 0) return;
            TensorPrimitives.Multiply(scratch, scratch, scratch);
        }
    }

    private static void PowAdjoint(int operand, ReadOnlySpan<double> adj, KernelOperand a, KernelOperand b, ReadOnlySpan<double> v, Span<double> t)
    {
        var n = t.Length;
        if (operand == 0)
        {
            for (var i = 0; i < n; i++)
            {
                double va = a[i], vb = b[i];
                var da = vb == 0 ? 0 : va != 0 ? vb * v[i] / va : vb * Math.Pow(va, vb - 1);
                t[i] = adj[i] * da;
            }
            return;
        }
        // adj · v · ln a, nothing where v = 0
        for (var i = 0; i < n; i++) t[i] = v[i] == 0 ? 0 : adj[i] * v[i] * Math.Log(a[i]);
    }

    /// <summary>
    /// Powers x^c with a constant exponent c: an integer |c| ≤ 16 costs the multiplications of binary exponentiation,
    /// plus a division if c &lt; 0; a half integer a square root, the multiplications for the integer part and one more,
    /// plus a division if c &lt; 0; any other c a pow. c^x with constant c is exp(x·ln c): one multiply and an exp.
    /// </summary>
    private static double PowCost(Expression e, int i, IReadOnlyList<Level> levels)
    {
        int baseIndex = e.LeftChild(i), exponentIndex = i - 1;
        if (levels[exponentIndex] == Level.Constant)
        {
            // A constant subtree has no r and no sums, so evaluating it at any r gives its value.
            var c = e.EvaluatePair(exponentIndex, 0.0);
            var n = Math.Abs(c);
            var division = c < 0 ? CostModel.Divide : 0;
            if (n <= 16 && n == Math.Floor(n)) return CostModel.Multiplications((int)n) * CostModel.Multiply + division;
            if (n <= 16 && 2 * n == Math.Floor(2 * n))
            {
                var whole = (int)Math.Floor(n);
                return CostModel.SquareRoot + (whole > 0 ? (CostModel.Multiplications(whole) + 1) * CostModel.Multiply : 0) + division;
            }
            return CostModel.Pow;
        }
        if (levels[baseIndex] == Level.Constant) return CostModel.Multiply + CostModel.Exp;
        return CostModel.Pow;
    }
}
