namespace PoetSharp.Fitting;

/// <summary>
/// A least-squares problem seen in parameters measured in units of their starting magnitudes: c = s ∘ x. Methods that
/// use only the gradient (conjugate gradient) stall when parameters differ by orders of magnitude — Sutton–Chen's
/// constants run from 0.5 to 644 — because the cost's curvature then differs by the square of that between directions;
/// this diagonal rescaling removes the part of the ill-conditioning that comes from units.
/// </summary>
internal sealed class ScaledProblem : ILeastSquaresProblem
{
    private readonly ILeastSquaresProblem _inner;
    private readonly double[] _scales;
    private readonly double[] _parameters;

    public ScaledProblem(ILeastSquaresProblem inner, ReadOnlySpan<double> start)
    {
        _inner = inner;
        _scales = Scales(start);
        _parameters = new double[start.Length];
    }

    public int ParameterCount => _inner.ParameterCount;
    public int ResidualCount => _inner.ResidualCount;
    public bool HasJacobian => _inner.HasJacobian;

    /// <summary>|c_k| of the start, or 1 for a zero (or non-finite) starting value.</summary>
    public static double[] Scales(ReadOnlySpan<double> start)
    {
        var s = new double[start.Length];
        for (var k = 0; k < s.Length; k++) s[k] = start[k] != 0 && double.IsFinite(start[k]) ? Math.Abs(start[k]) : 1.0;
        return s;
    }

    public void ToScaled(ReadOnlySpan<double> parameters, Span<double> scaled)
    {
        for (var k = 0; k < scaled.Length; k++) scaled[k] = parameters[k] / _scales[k];
    }

    public double[] FromScaled(ReadOnlySpan<double> scaled)
    {
        var c = new double[scaled.Length];
        for (var k = 0; k < c.Length; k++) c[k] = scaled[k] * _scales[k];
        return c;
    }

    public bool Evaluate(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian)
    {
        var n = _scales.Length;
        for (var k = 0; k < n; k++) _parameters[k] = parameters[k] * _scales[k];
        if (!_inner.Evaluate(_parameters, residuals, jacobian)) return false;
        if (!jacobian.IsEmpty)
            for (var i = 0; i < residuals.Length; i++)
                for (var k = 0; k < n; k++) jacobian[i * n + k] *= _scales[k];
        return true;
    }
}
