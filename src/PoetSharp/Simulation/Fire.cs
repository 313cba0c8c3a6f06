namespace PoetSharp.Simulation;

/// <summary>
/// Parameters of the FIRE minimiser (Bitzek, Koskinen, Gähler, Moseler, Gumbsch, PRL 97, 170201 (2006)):
/// N_min = 5, f_inc = 1.1, f_dec = 0.5, α_start = 0.1, f_α = 0.99, with the time steps ASE uses for unit masses
/// (Δt = 0.1, Δt_max = 1.0 in units where a force of 1 eV/Å accelerates a coordinate by 1 Å per unit time²).
/// </summary>
public sealed record FireParameters
{
    public double TimeStep { get; init; } = 0.1;
    public double MaxTimeStep { get; init; } = 1.0;
    public int MinStepsBeforeIncrease { get; init; } = 5;
    public double TimeStepIncrease { get; init; } = 1.1;
    public double TimeStepDecrease { get; init; } = 0.5;
    public double AlphaStart { get; init; } = 0.1;
    public double AlphaDecrease { get; init; } = 0.99;
}

/// <summary>
/// FIRE on a flat vector of coordinates: damped dynamics with unit masses, velocities mixed towards the force,
/// reset when the power F·v turns negative. The step is capped so that no group of three coordinates (an atom)
/// moves farther than a given length. Allocation-free after construction.
/// </summary>
internal sealed class Fire
{
    private readonly FireParameters _p;
    private readonly double[] _v;
    private double _dt, _alpha;
    private int _positiveSteps;

    public Fire(int size, FireParameters parameters)
    {
        _p = parameters;
        _v = new double[size];
        Reset();
    }

    public void Reset()
    {
        Array.Clear(_v);
        _dt = _p.TimeStep;
        _alpha = _p.AlphaStart;
        _positiveSteps = 0;
    }

    /// <summary>Moves <paramref name="x"/> one FIRE step along the forces <paramref name="force"/> (minus the gradient).</summary>
    public void Step(Span<double> x, ReadOnlySpan<double> force, double maxStep)
    {
        var n = _v.Length;
        double power = 0, vv = 0, ff = 0;
        for (var k = 0; k < n; k++)
        {
            power += force[k] * _v[k];
            vv += _v[k] * _v[k];
            ff += force[k] * force[k];
        }
        if (power > 0)
        {
            var mix = ff > 0 ? _alpha * Math.Sqrt(vv / ff) : 0;
            for (var k = 0; k < n; k++) _v[k] = (1 - _alpha) * _v[k] + mix * force[k];
            if (_positiveSteps > _p.MinStepsBeforeIncrease)
            {
                _dt = Math.Min(_dt * _p.TimeStepIncrease, _p.MaxTimeStep);
                _alpha *= _p.AlphaDecrease;
            }
            _positiveSteps++;
        }
        else
        {
            Array.Clear(_v);
            _alpha = _p.AlphaStart;
            _dt *= _p.TimeStepDecrease;
            _positiveSteps = 0;
        }

        for (var k = 0; k < n; k++) _v[k] += _dt * force[k];
        // The largest displacement of a group of three coordinates decides the cap.
        var largest = 0.0;
        for (var k = 0; k < n; k += 3)
        {
            var s = 0.0;
            for (var m = k; m < Math.Min(k + 3, n); m++) s += _v[m] * _v[m];
            largest = Math.Max(largest, s);
        }
        largest = _dt * Math.Sqrt(largest);
        var scale = largest > maxStep ? maxStep / largest : 1.0;
        for (var k = 0; k < n; k++) x[k] += scale * _dt * _v[k];
    }
}
