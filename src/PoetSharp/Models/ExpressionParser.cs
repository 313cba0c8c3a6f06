using System.Globalization;

namespace PoetSharp.Models;

/// <summary>
/// Reads the text form of expressions, e.g. <c>sum(r^(10.21 - 5.47*r) - 0.21^r) + 0.97*sum(0.33^r)^-1</c>.
/// </summary>
/// <remarks>
/// <para>Grammar (whitespace ignored; U+2212 − is read as -):</para>
/// <code>
/// expr    := term (('+' | '-') term)*
/// term    := signed (('*' | '/') signed)*
/// signed  := '-' signed | power
/// power   := primary ('^' signed)?          (right-associative: a^b^c = a^(b^c))
/// primary := number | 'r' | ('sum' | 'ang0' | 'ang1' | 'ang2' | 'ang3') ['[' element ']'] '(' expr ')' | 'at' '[' element ']' '(' expr ')' | function '(' expr ')' | '(' expr ')'
/// function:= 'exp' | 'log' | 'sqrt'
/// number  := digits ['.' digits] [('e' | 'E') ['+' | '-'] digits]   (or '.' digits …)
/// </code>
/// <para>The operators, their symbols, precedences and associativity come from the operator table
/// (<see cref="Operators"/>): the left-associative binary operators form one level per precedence (+ − below × ÷), the
/// right-associative one (^) binds a primary to a signed exponent, and the unary operators are functions.</para>
/// <para>Unary minus. A minus directly before a number literal that is not itself raised to a power makes a negative
/// constant: <c>-2*r</c> and <c>r^-9</c> hold the constants −2 and −9. Since ^ binds tighter than unary minus,
/// <c>-2^r</c> is −(2^r), while <c>(-2)^r</c> has the base −2. Any other negation −x (of r, a sum, a parenthesis, a power)
/// is represented as the product −1·x, so <c>-r</c> parses to <c>-1*r</c>; the printer writes it that way.</para>
/// <para>Species: <c>sum[Cu](g)</c> sums over the Cu neighbours only; <c>at[Cu](F)</c> is the energy of the Cu atoms, and a
/// model of several elements is written <c>at[Cu](F_Cu) + at[Ag](F_Ag)</c>, one term per element.</para>
/// <para>Angular densities: <c>ang2(g)</c> is Σ_{j,k} g(r_ij) f(r_ij) g(r_ik) f(r_ik) P_2(cos θ_jik) (orders 0–3), over the
/// neighbours of one element with <c>ang2[S](g)</c>; like sums, they hold a pair expression and do not nest.</para>
/// <para><see cref="Parse"/> accepts pair expressions (building blocks such as <c>r^-6</c>); <see cref="ParseModel"/>
/// also requires an atom expression, where r appears only inside sums.</para>
/// </remarks>
public static class ExpressionParser
{
    /// <summary>Parses an expression (an atom or a pair expression); throws <see cref="ExpressionSyntaxException"/>.</summary>
    public static Expression Parse(string text) => new Parser(text).ParseAll().Expression;

    /// <summary>Parses a model's atom expression: like <see cref="Parse"/>, and r must appear only inside sums.</summary>
    public static Expression ParseModel(string text)
    {
        var parsed = new Parser(text).ParseAll();
        if (parsed.Expression.RootLevel == Level.Pair) throw new ExpressionSyntaxException(parsed.FreeR, "r outside a sum");
        return parsed.Expression;
    }

    /// <param name="FreeR">Position of the first r that is not inside a sum (0 if none).</param>
    /// <param name="IsLiteral">A bare number literal (so that a preceding minus makes it a negative constant).</param>
    private readonly record struct Parsed(Expression Expression, int FreeR, bool IsLiteral = false);

    private sealed class Parser(string text)
    {
        private int _pos;
        private bool _insideSum;

        public Parsed ParseAll()
        {
            SkipSpace();
            if (_pos == text.Length) throw Error(_pos, "empty expression");
            var result = Expr();
            SkipSpace();
            if (_pos < text.Length)
                throw Error(_pos, text[_pos] == ')' ? "unmatched ')'" : $"unexpected '{text[_pos]}' after the expression");
            return result;
        }

        /// <summary>Binding strength of a negative literal (a unary minus): chains of weaker operators take signed operands.</summary>
        private const int SignedPrecedence = 3;

        private Parsed Expr() => Chain(1);

        /// <summary>A chain of the left-associative operators of one precedence, e.g. term (('+' | '-') term)*.</summary>
        private Parsed Chain(int precedence)
        {
            var left = ChainOperand(precedence);
            while (true)
            {
                SkipSpace();
                if (Operators.BySymbol(Peek()) is not { Associativity: Associativity.Left } op || op.Precedence != precedence) return left;
                _pos++;
                left = Combine(op.Kind, left, ChainOperand(precedence));
            }
        }

        private Parsed ChainOperand(int precedence) => precedence + 1 < SignedPrecedence ? Chain(precedence + 1) : Signed();

        private Parsed Signed()
        {
            SkipSpace();
            if (Peek() is not ('-' or '−')) return Power();
            _pos++;
            var operand = Signed();
            if (operand.IsLiteral) return new Parsed(Expression.Constant(-operand.Expression.Constants[0]), 0);
            return Combine(NodeKind.Mul, new Parsed(Expression.Constant(-1.0), 0), operand);
        }

        private Parsed Power()
        {
            var basePart = Primary();
            SkipSpace();
            if (Operators.BySymbol(Peek()) is not { Associativity: Associativity.Right } op) return basePart;
            _pos++;
            return Combine(op.Kind, basePart, Signed());
        }

        private Parsed Primary()
        {
            SkipSpace();
            var start = _pos;
            if (_pos == text.Length) throw Error(_pos, "expected a number, r, sum( or '(' but the text ends");
            var c = text[_pos];
            if (char.IsAsciiDigit(c) || c == '.') return new Parsed(Expression.Constant(Number()), 0, IsLiteral: true);
            if (c == '(')
            {
                _pos++;
                var inner = Expr();
                Expect(')');
                return inner with { IsLiteral = false };
            }
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
                var name = text[start.._pos];
                switch (name)
                {
                    case "r":
                        return new Parsed(Expression.Distance, start + 1);
                    case "sum" or "ang0" or "ang1" or "ang2" or "ang3":
                    {
                        if (_insideSum) throw Error(start, $"{name} inside a sum");
                        SkipSpace();
                        var element = Peek() == '[' ? ElementName() : null;
                        SkipSpace();
                        if (Peek() != '(') throw Error(_pos, $"expected '(' after {name}");
                        _pos++;
                        _insideSum = true;
                        var inner = Expr();
                        _insideSum = false;
                        Expect(')');
                        return new Parsed(name == "sum" ? Expression.Sum(inner.Expression, element) : Expression.Angular(name[3] - '0', inner.Expression, element), 0);
                    }
                    case "at":
                    {
                        if (_insideSum) throw Error(start, "at[..] inside a sum");
                        SkipSpace();
                        if (Peek() != '[') throw Error(_pos, "expected '[' and an element after at");
                        var element = ElementName();
                        SkipSpace();
                        if (Peek() != '(') throw Error(_pos, $"expected '(' after at[{element}]");
                        _pos++;
                        var innerStart = _pos;
                        var inner = Expr();
                        Expect(')');
                        if (inner.Expression.RootLevel == Level.Pair) throw Error(inner.FreeR - 1, "r outside a sum");
                        try { return new Parsed(Expression.At(element, inner.Expression), 0); }
                        catch (ArgumentException e) { throw Error(innerStart, e.Message); }
                    }
                }
                if (Operators.ByFunctionName(name) is { } function)
                {
                    SkipSpace();
                    if (Peek() != '(') throw Error(_pos, $"expected '(' after {name}");
                    _pos++;
                    var argument = Expr();
                    Expect(')');
                    try { return new Parsed(Expression.Combine(function.Kind, argument.Expression, null), argument.FreeR); }
                    catch (ArgumentException e) { throw Error(start, e.Message); } // e.g. exp(at[Cu](…))
                }
                if (name.Equals("nan", StringComparison.OrdinalIgnoreCase) || name.StartsWith("inf", StringComparison.OrdinalIgnoreCase))
                    throw Error(start, $"'{name}' is not a finite number");
                throw Error(start, $"unknown identifier '{name}' (expected r, sum, ang0–ang3, at or a function: {FunctionNames})");
            }
            throw Error(start, $"expected a number, r, sum( or '(' but found '{c}'");
        }

        /// <summary>'[' element symbol ']', e.g. [Cu].</summary>
        private string ElementName()
        {
            Expect('[');
            SkipSpace();
            var start = _pos;
            while (_pos < text.Length && char.IsAsciiLetter(text[_pos])) _pos++;
            var symbol = text[start.._pos];
            if (symbol.Length == 0) throw Error(start, "expected an element symbol in [..]");
            if (!Atoms.Elements.IsKnown(symbol)) throw Error(start, $"unknown element '{symbol}'");
            Expect(']');
            return symbol;
        }

        private double Number()
        {
            var start = _pos;
            var digits = 0;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) { _pos++; digits++; }
            if (Peek() == '.')
            {
                _pos++;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) { _pos++; digits++; }
            }
            if (digits == 0) throw Error(start, "malformed number");
            if (Peek() is 'e' or 'E')
            {
                _pos++;
                if (Peek() is '+' or '-') _pos++;
                var exponentDigits = 0;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) { _pos++; exponentDigits++; }
                if (exponentDigits == 0) throw Error(start, "malformed number (exponent without digits)");
            }
            if (_pos < text.Length && (char.IsAsciiLetter(text[_pos]) || text[_pos] == '_'))
                throw Error(_pos, $"unexpected '{text[_pos]}' after a number (missing operator?)");
            var value = double.Parse(text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!double.IsFinite(value)) throw Error(start, "number out of range");
            return value;
        }

        /// <summary>Applies an operator, rejecting r combined with a sum here (with a position) rather than in the tree's constructor.</summary>
        private Parsed Combine(NodeKind kind, Parsed left, Parsed right)
        {
            var (l, r) = (left.Expression.RootLevel, right.Expression.RootLevel);
            if (l == Level.Pair && r == Level.Atom) throw Error(left.FreeR - 1, "r outside a sum");
            if (l == Level.Atom && r == Level.Pair) throw Error(right.FreeR - 1, "r outside a sum");
            var freeR = left.FreeR != 0 ? left.FreeR : right.FreeR;
            try { return new Parsed(Expression.Combine(kind, left.Expression, right.Expression), freeR); }
            catch (ArgumentException e) { throw Error(_pos - 1, e.Message); } // e.g. at[..] terms inside a product
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c) throw Error(_pos, $"expected '{c}'");
            _pos++;
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private static readonly string FunctionNames = string.Join(", ", Operators.Unary.Select(k => Operators.Of(k).Symbol));

        private static ExpressionSyntaxException Error(int index, string reason) => new(index + 1, reason);
    }
}
