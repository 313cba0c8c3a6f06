namespace PoetSharp.Simulation;

/// <summary>
/// xoshiro256** (Blackman and Vigna) seeded by SplitMix64, with normal deviates by the polar method. Written here
/// rather than using <see cref="Random"/> because its whole state is four numbers that a restart file can store, so a
/// restarted run continues the same random sequence.
/// </summary>
public sealed class RandomStream
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    public RandomStream(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>The state: four words, and a pending normal deviate (NaN when none).</summary>
    public (ulong[] Words, double Spare) State
    {
        get => ([_s0, _s1, _s2, _s3], _hasSpare ? _spare : double.NaN);
        set
        {
            if (value.Words is not { Length: 4 } w || (w[0] | w[1] | w[2] | w[3]) == 0)
                throw new ArgumentException("a random-stream state is four words, not all zero");
            (_s0, _s1, _s2, _s3) = (w[0], w[1], w[2], w[3]);
            _hasSpare = !double.IsNaN(value.Spare);
            _spare = _hasSpare ? value.Spare : 0;
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal deviate.</summary>
    public double NextNormal()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        var factor = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = v * factor;
        _hasSpare = true;
        return u * factor;
    }
}
