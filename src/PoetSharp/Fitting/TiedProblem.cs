namespace PoetSharp.Fitting;

/// <summary>
/// A least-squares problem whose parameters are tied in groups: the inner problem's parameter k takes the value of
/// free parameter <c>map[k]</c>, so c = M p with M a 0/1 matrix, and ∂r/∂p = (∂r/∂c) M (the columns of a group summed).
/// Used where a model holds the same function twice and must keep it identical, e.g. the A–B pair function of a
/// model of several elements written in both A's and B's expression (<see cref="Models.PairSymmetry"/>).
/// </summary>
public sealed class TiedProblem : ILeastSquaresProblem
{
    private readonly ILeastSquaresProblem _inner;
    private readonly int[] _map;
    private readonly double[] _full;
    private double[] _fullJacobian = [];

    /// <param name="inner">The problem in all its parameters.</param>
    /// <param name="map">For each inner parameter, the free parameter it takes (0 … count − 1, every one used).</param>
    public TiedProblem(ILeastSquaresProblem inner, int[] map)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(map);
        if (map.Length != inner.ParameterCount) throw new ArgumentException($"the tie map has {map.Length} entries for {inner.ParameterCount} parameters");
        ParameterCount = map.Length == 0 ? 0 : map.Max() + 1;
        var used = new bool[ParameterCount];
        foreach (var m in map)
        {
            if (m < 0) throw new ArgumentException("the tie map has a negative entry");
            used[m] = true;
        }
        if (used.Any(u => !u)) throw new ArgumentException("the tie map leaves a free parameter unused");
        _inner = inner;
        _map = map;
        _full = new double[map.Length];
    }

    public int ParameterCount { get; }
    public int ResidualCount => _inner.ResidualCount;
    public bool HasJacobian => _inner.HasJacobian;

    /// <summary>The inner problem's parameters c = M p.</summary>
    public double[] Expand(ReadOnlySpan<double> free)
    {
        var c = new double[_map.Length];
        for (var k = 0; k < c.Length; k++) c[k] = free[_map[k]];
        return c;
    }

    /// <summary>Free parameters from inner ones: each group's mean (its value when the group is already tied).</summary>
    public double[] Reduce(ReadOnlySpan<double> full)
    {
        var p = new double[ParameterCount];
        var n = new int[ParameterCount];
        for (var k = 0; k < _map.Length; k++)
        {
            p[_map[k]] += full[k];
            n[_map[k]]++;
        }
        for (var j = 0; j < p.Length; j++) p[j] /= n[j];
        return p;
    }

    public bool Evaluate(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian)
    {
        var n = _map.Length;
        for (var k = 0; k < n; k++) _full[k] = parameters[_map[k]];
        if (jacobian.IsEmpty) return _inner.Evaluate(_full, residuals, default);
        if (_fullJacobian.Length != residuals.Length * n) _fullJacobian = new double[residuals.Length * n];
        if (!_inner.Evaluate(_full, residuals, _fullJacobian)) return false;
        var m = ParameterCount;
        jacobian[..(residuals.Length * m)].Clear();
        for (var i = 0; i < residuals.Length; i++)
            for (var k = 0; k < n; k++) jacobian[i * m + _map[k]] += _fullJacobian[i * n + k];
        return true;
    }
}
