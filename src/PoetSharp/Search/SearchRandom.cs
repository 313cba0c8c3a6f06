namespace PoetSharp.Search;

/// <summary>
/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64: a small, fast generator whose whole state is four
/// 64-bit words, so that a search can be checkpointed and resumed bit for bit (System.Random's state cannot be saved).
/// </summary>
public sealed class SearchRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SearchRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private SearchRandom(ulong[] state) => (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);

    /// <summary>The four state words (for a checkpoint).</summary>
    public ulong[] State => [_s0, _s1, _s2, _s3];

    public static SearchRandom FromState(ulong[] state)
    {
        if (state is not { Length: 4 } || state.All(s => s == 0)) throw new ArgumentException("a xoshiro256** state is four words, not all zero");
        return new SearchRandom(state);
    }

    /// <summary>A generator for a derived stream (an island), independent of this one's sequence.</summary>
    public static SearchRandom ForStream(ulong seed, int stream) => new(seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xD1B54A32D192ED03UL + 1);

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        // Lemire's multiply-shift; the tiny bias for n ≪ 2^64 does not matter here.
        return (int)(((UInt128)NextUInt64() * (ulong)n) >> 64);
    }

    /// <summary>Uniform integer in [min, max).</summary>
    public int Next(int min, int max) => min + Next(max - min);

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal deviate (Box–Muller; one value per call keeps the state simple).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
