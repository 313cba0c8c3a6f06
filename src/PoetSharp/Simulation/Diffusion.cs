using PoetSharp.Atoms;

namespace PoetSharp.Simulation;

/// <summary>A diffusion coefficient (Å²/fs and cm²/s) from the slope of the mean-squared displacement, with its standard error.</summary>
/// <param name="Value">D = slope / 6 (Å²/fs).</param>
/// <param name="StandardError">From block averaging: the spread of D between independent blocks of the run / √blocks (Å²/fs); NaN with one block.</param>
/// <param name="Blocks">D in each block (Å²/fs).</param>
/// <param name="WindowStart">Start of the fitted lag window (fs).</param>
/// <param name="WindowEnd">End of the fitted lag window (fs).</param>
public sealed record Diffusivity(double Value, double StandardError, double[] Blocks, double WindowStart, double WindowEnd)
{
    /// <summary>1 Å²/fs in cm²/s.</summary>
    public const double SquareCentimetresPerSecondPerA2PerFs = 0.1;
    public double InSquareCentimetresPerSecond => Value * SquareCentimetresPerSecondPerA2PerFs;
}

/// <summary>
/// Records unwrapped positions during a run (relative to the centre of mass, so that a thermostat's random walk of the
/// whole crystal is not counted as diffusion) and computes the mean-squared displacement averaged over atoms and
/// over every time origin, and the diffusivity from a linear fit over a lag window.
/// </summary>
public sealed class DisplacementRecorder
{
    private readonly List<Vec3[]> _frames = [];
    private readonly int[] _atoms;
    private readonly double[] _mass;

    /// <summary>Time between recorded frames (fs).</summary>
    public double Interval { get; }
    public int FrameCount => _frames.Count;
    /// <summary>Number of atoms whose displacement counts.</summary>
    public int AtomCount => _atoms.Length;

    /// <param name="structure">The simulated structure (species and masses).</param>
    /// <param name="interval">Time between the frames that will be added (fs).</param>
    /// <param name="species">Only atoms of this element count (null: all).</param>
    public DisplacementRecorder(Structure structure, double interval, string? species = null)
    {
        if (!(interval > 0)) throw new ArgumentException($"the sampling interval must be positive (got {interval} fs)");
        Interval = interval;
        _mass = structure.Species.Select(Elements.Mass).ToArray();
        _atoms = Enumerable.Range(0, structure.Count).Where(i => species is null || structure.Species[i] == species).ToArray();
        if (_atoms.Length == 0) throw new ArgumentException($"no atoms of {species} to follow");
    }

    /// <summary>Adds a frame of unwrapped positions (e.g. <see cref="MolecularDynamics.Structure"/>'s, every <see cref="Interval"/> fs).</summary>
    public void Add(ReadOnlySpan<Vec3> positions)
    {
        var centre = Vec3.Zero;
        var total = 0.0;
        for (var i = 0; i < positions.Length; i++) { centre += _mass[i] * positions[i]; total += _mass[i]; }
        centre /= total;
        var frame = new Vec3[_atoms.Length];
        for (var k = 0; k < _atoms.Length; k++) frame[k] = positions[_atoms[k]] - centre;
        _frames.Add(frame);
    }

    /// <summary>MSD (Å²) at lags 0, 1, …, maxLag frames, over frames [first, first + count), averaged over all origins.</summary>
    public double[] MeanSquaredDisplacement(int maxLag, int first = 0, int count = -1)
    {
        if (count < 0) count = _frames.Count - first;
        if (first < 0 || first + count > _frames.Count) throw new ArgumentOutOfRangeException(nameof(count));
        maxLag = Math.Min(maxLag, count - 1);
        var msd = new double[maxLag + 1];
        for (var lag = 1; lag <= maxLag; lag++)
        {
            var sum = 0.0;
            for (var origin = first; origin + lag < first + count; origin++)
            {
                var a = _frames[origin];
                var b = _frames[origin + lag];
                for (var k = 0; k < a.Length; k++) sum += (b[k] - a[k]).LengthSquared;
            }
            msd[lag] = sum / ((count - lag) * (double)_atoms.Length);
        }
        return msd;
    }

    /// <summary>
    /// D from MSD(τ) = 6Dτ + b fitted over lags [windowStart, windowEnd] (fs), and its error from <paramref name="blocks"/>
    /// consecutive independent blocks of the run (each long enough for the window).
    /// </summary>
    public Diffusivity Diffusivity(double windowStart, double windowEnd, int blocks = 5)
    {
        if (!(windowStart >= 0) || !(windowEnd > windowStart)) throw new ArgumentException($"the fit window [{windowStart}, {windowEnd}] fs is empty");
        if (blocks < 1) throw new ArgumentException("at least one block");
        int lo = (int)Math.Round(windowStart / Interval), hi = (int)Math.Round(windowEnd / Interval);
        if (hi <= lo) hi = lo + 1;
        var perBlock = _frames.Count / blocks;
        if (perBlock <= hi + 1)
            throw new ArgumentException($"{_frames.Count} frames make blocks of {perBlock} frames, too short for lags up to {windowEnd} fs ({hi} frames): record longer or use fewer blocks or a shorter window");
        var values = new double[blocks];
        for (var b = 0; b < blocks; b++)
            values[b] = Slope(MeanSquaredDisplacement(hi, b * perBlock, perBlock), lo, hi) / 6;
        var all = Slope(MeanSquaredDisplacement(hi), lo, hi) / 6;
        double error = double.NaN;
        if (blocks > 1)
        {
            var mean = values.Average();
            var variance = values.Sum(v => (v - mean) * (v - mean)) / (blocks - 1);
            error = Math.Sqrt(variance / blocks);
        }
        return new Diffusivity(all, error, values, lo * Interval, hi * Interval);
    }

    private double Slope(double[] msd, int lo, int hi)
    {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        var n = hi - lo + 1;
        for (var k = lo; k <= hi; k++)
        {
            var t = k * Interval;
            sx += t; sy += msd[k]; sxx += t * t; sxy += t * msd[k];
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }
}
