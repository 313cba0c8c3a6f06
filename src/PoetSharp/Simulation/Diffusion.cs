using PoetSharp.Atoms;

namespace PoetSharp.Simulation;

/// <summary>A diffusion coefficient (Å²/fs and cm²/s) from the slope of the mean-squared displacement, with its standard error.</summary>
/// <param name="Value">D = slope / (2 d), d the number of directions in the MSD (3, or 1 along one axis) (Å²/fs).</param>
/// <param name="StandardError">From block averaging: the spread of D between independent blocks of the run / √blocks (Å²/fs); NaN with one block.</param>
/// <param name="Blocks">D in each block (Å²/fs).</param>
/// <param name="WindowStart">Start of the fitted lag window (fs).</param>
/// <param name="WindowEnd">End of the fitted lag window (fs).</param>
public sealed record Diffusivity(double Value, double StandardError, double[] Blocks, double WindowStart, double WindowEnd)
{
    /// <summary>1 Å²/fs in cm²/s.</summary>
    public const double SquareCentimetresPerSecondPerA2PerFs = 0.1;
    public double InSquareCentimetresPerSecond => Value * SquareCentimetresPerSecondPerA2PerFs;
    public double StandardErrorInSquareCentimetresPerSecond => StandardError * SquareCentimetresPerSecondPerA2PerFs;
}

/// <summary>Which mean-squared displacement a diffusivity comes from.</summary>
public enum DisplacementKind
{
    /// <summary>Tracer (self) diffusion: ⟨|Δr_i|²⟩ averaged over the followed atoms.</summary>
    Tracer,
    /// <summary>
    /// Collective (charge, or "jump") diffusion: ⟨|Σ_i Δr_i|²⟩ / N, the displacement of the followed atoms' centre of
    /// mass times N. It carries the cross-correlations between atoms that ionic conductivity sees and the tracer misses;
    /// the Haven ratio is D_tracer / D_collective.
    /// </summary>
    Collective,
}

/// <summary>
/// Records unwrapped positions during a run (relative to the centre of mass of the other atoms when one species is
/// followed, else of all atoms, so that a thermostat's random walk of the whole crystal is not counted as diffusion) and computes mean-squared displacements — tracer or collective, in all or
/// one Cartesian direction — averaged over every time origin, and diffusivities from a linear fit over a lag window.
/// It also keeps each frame's cell, so that positions can be put back into the crystal frame (for site and hop analysis),
/// and the time-averaged fractional positions of the other atoms (the host lattice the sites sit in).
/// </summary>
public sealed class DisplacementRecorder
{
    private readonly List<Vec3[]> _frames = [];
    private readonly List<Cell> _cells = [];
    private readonly int[] _atoms;
    private readonly int[] _host;
    private readonly double[] _mass;
    private Vec3[]? _hostSum;
    private Vec3 _firstCentre;

    /// <summary>Time between recorded frames (fs).</summary>
    public double Interval { get; }
    public int FrameCount => _frames.Count;
    /// <summary>Number of atoms whose displacement counts.</summary>
    public int AtomCount => _atoms.Length;
    /// <summary>The followed species (null: all atoms).</summary>
    public string? Species { get; }
    /// <summary>Indices (in the simulated structure) of the followed atoms and of the others.</summary>
    public IReadOnlyList<int> Atoms => _atoms;
    public IReadOnlyList<int> HostAtoms => _host;
    /// <summary>Species of every atom of the simulated structure.</summary>
    public IReadOnlyList<string> AllSpecies { get; }

    /// <param name="structure">The simulated structure (species and masses).</param>
    /// <param name="interval">Time between the frames that will be added (fs).</param>
    /// <param name="species">Only atoms of this element count (null: all).</param>
    public DisplacementRecorder(Structure structure, double interval, string? species = null)
    {
        if (!(interval > 0)) throw new ArgumentException($"the sampling interval must be positive (got {interval} fs)");
        Interval = interval;
        Species = species;
        AllSpecies = (string[])structure.Species.Clone();
        _mass = structure.Species.Select(Elements.Mass).ToArray();
        _atoms = Enumerable.Range(0, structure.Count).Where(i => species is null || structure.Species[i] == species).ToArray();
        _host = Enumerable.Range(0, structure.Count).Where(i => species is not null && structure.Species[i] != species).ToArray();
        if (_atoms.Length == 0)
            throw new ArgumentException($"no atoms of {species} to follow (the structure has {string.Join(", ", structure.DistinctSpecies())})");
    }

    /// <summary>Adds a frame of unwrapped positions (every <see cref="Interval"/> fs), with the cell they sit in (null: the cell of the first frame, or none).</summary>
    public void Add(ReadOnlySpan<Vec3> positions, Cell? cell = null)
    {
        if (positions.Length != _mass.Length) throw new ArgumentException($"a frame of {positions.Length} atoms for a recorder of {_mass.Length}");
        // The reference: the host framework's centre of mass when a species is followed (its drift removed, as
        // conductivity needs: the ions' displacement relative to the lattice they move through), else the whole system's.
        var centre = Vec3.Zero;
        var total = 0.0;
        if (_host.Length > 0)
            foreach (var i in _host) { centre += _mass[i] * positions[i]; total += _mass[i]; }
        else
            for (var i = 0; i < positions.Length; i++) { centre += _mass[i] * positions[i]; total += _mass[i]; }
        centre /= total;
        if (_frames.Count == 0) _firstCentre = centre;
        var frame = new Vec3[_atoms.Length];
        for (var k = 0; k < _atoms.Length; k++) frame[k] = positions[_atoms[k]] - centre;
        _frames.Add(frame);
        cell ??= _cells.Count > 0 ? _cells[^1] : null;
        if (cell is null) return;
        _cells.Add(cell);
        // Host positions in the crystal frame (centre of mass held where it was at the first frame), unwrapped, so
        // that their average over the run is the mean lattice position even for atoms that cross a face.
        _hostSum ??= new Vec3[_host.Length];
        for (var k = 0; k < _host.Length; k++) _hostSum[k] += cell.ToFractional(positions[_host[k]] - centre + _firstCentre);
    }

    /// <summary>Whether every frame came with its cell (needed for sites and hops).</summary>
    public bool HasCells => _cells.Count == _frames.Count && _frames.Count > 0;

    /// <summary>The cell of a frame.</summary>
    public Cell CellAt(int frame) => HasCells ? _cells[frame] : throw new InvalidOperationException("the frames were recorded without their cells");

    /// <summary>Fractional coordinates of the followed atoms in frame <paramref name="frame"/>, in the crystal frame (reference centre of mass as at the first frame), wrapped into [0, 1).</summary>
    public Vec3[] FractionalPositions(int frame)
    {
        var cell = CellAt(frame);
        var f = _frames[frame];
        var result = new Vec3[f.Length];
        for (var k = 0; k < f.Length; k++) result[k] = Wrap(cell.ToFractional(f[k] + _firstCentre));
        return result;
    }

    /// <summary>The host atoms' time-averaged fractional positions, wrapped into [0, 1).</summary>
    public Vec3[] MeanHostFractionalPositions()
    {
        if (!HasCells) throw new InvalidOperationException("the frames were recorded without their cells");
        return _hostSum!.Select(s => Wrap(s / _frames.Count)).ToArray();
    }

    /// <summary>The cell averaged over the frames (vector by vector).</summary>
    public Cell MeanCell()
    {
        if (!HasCells) throw new InvalidOperationException("the frames were recorded without their cells");
        Vec3 a = Vec3.Zero, b = Vec3.Zero, c = Vec3.Zero;
        foreach (var cell in _cells) { a += cell.A; b += cell.B; c += cell.C; }
        return _cells[0].WithVectors(a / _cells.Count, b / _cells.Count, c / _cells.Count);
    }

    internal static Vec3 Wrap(Vec3 s) => new(s.X - Math.Floor(s.X), s.Y - Math.Floor(s.Y), s.Z - Math.Floor(s.Z));

    /// <summary>Tracer MSD (Å²) at lags 0, 1, …, maxLag frames, over frames [first, first + count), averaged over all origins.</summary>
    public double[] MeanSquaredDisplacement(int maxLag, int first = 0, int count = -1) => Total(Components(maxLag, DisplacementKind.Tracer, first, count));

    /// <summary>
    /// MSD (Å²) per Cartesian direction: [x, y, z][lag] at lags 0 … maxLag frames over frames [first, first + count),
    /// averaged over every origin; tracer (per atom) or collective (of the summed displacement, divided by the atom count).
    /// </summary>
    public double[][] Components(int maxLag, DisplacementKind kind, int first = 0, int count = -1)
    {
        if (count < 0) count = _frames.Count - first;
        if (first < 0 || first + count > _frames.Count) throw new ArgumentOutOfRangeException(nameof(count));
        maxLag = Math.Max(0, Math.Min(maxLag, count - 1));
        var msd = new double[3][];
        for (var a = 0; a < 3; a++) msd[a] = new double[maxLag + 1];
        for (var lag = 1; lag <= maxLag; lag++)
        {
            double sx = 0, sy = 0, sz = 0;
            for (var origin = first; origin + lag < first + count; origin++)
            {
                var a = _frames[origin];
                var b = _frames[origin + lag];
                if (kind == DisplacementKind.Tracer)
                    for (var k = 0; k < a.Length; k++)
                    {
                        var d = b[k] - a[k];
                        sx += d.X * d.X; sy += d.Y * d.Y; sz += d.Z * d.Z;
                    }
                else
                {
                    var d = Vec3.Zero;
                    for (var k = 0; k < a.Length; k++) d += b[k] - a[k];
                    sx += d.X * d.X; sy += d.Y * d.Y; sz += d.Z * d.Z;
                }
            }
            var norm = (count - lag) * (double)_atoms.Length;
            msd[0][lag] = sx / norm; msd[1][lag] = sy / norm; msd[2][lag] = sz / norm;
        }
        return msd;
    }

    private static double[] Total(double[][] components)
    {
        var total = new double[components[0].Length];
        for (var k = 0; k < total.Length; k++) total[k] = components[0][k] + components[1][k] + components[2][k];
        return total;
    }

    /// <summary>
    /// D from MSD(τ) = 2dDτ + b fitted over lags [windowStart, windowEnd] (fs), and its error from <paramref name="blocks"/>
    /// consecutive independent blocks of the run (each long enough for the window). <paramref name="axis"/> 0, 1, 2 fits
    /// the x, y or z part alone (d = 1); null the whole (d = 3). <paramref name="frames"/> limits the fit to the run's first frames.
    /// </summary>
    public Diffusivity Diffusivity(double windowStart, double windowEnd, int blocks = 5, DisplacementKind kind = DisplacementKind.Tracer, int? axis = null, int frames = -1)
    {
        if (!(windowStart >= 0) || !(windowEnd > windowStart)) throw new ArgumentException($"the fit window [{windowStart}, {windowEnd}] fs is empty");
        if (blocks < 1) throw new ArgumentException("at least one block");
        if (axis is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(axis));
        if (frames < 0 || frames > _frames.Count) frames = _frames.Count;
        int lo = (int)Math.Round(windowStart / Interval), hi = (int)Math.Round(windowEnd / Interval);
        if (hi <= lo) hi = lo + 1;
        var perBlock = frames / blocks;
        if (perBlock <= hi + 1)
            throw new ArgumentException($"{frames} frames make blocks of {perBlock} frames, too short for lags up to {windowEnd} fs ({hi} frames): record longer or use fewer blocks or a shorter window");
        var dims = axis is null ? 3 : 1;
        double Fit(int first, int count)
        {
            var parts = Components(hi, kind, first, count);
            return Slope(axis is { } a ? parts[a] : Total(parts), lo, hi) / (2 * dims);
        }
        var values = new double[blocks];
        for (var b = 0; b < blocks; b++) values[b] = Fit(b * perBlock, perBlock);
        var all = Fit(0, frames);
        double error = double.NaN;
        if (blocks > 1)
        {
            var mean = values.Average();
            var variance = values.Sum(v => (v - mean) * (v - mean)) / (blocks - 1);
            error = Math.Sqrt(variance / blocks);
        }
        return new Diffusivity(all, error, values, lo * Interval, hi * Interval);
    }

    /// <summary>The default lag window (fs) for <paramref name="blocks"/> blocks: 10 % to 40 % of a block.</summary>
    public (double Start, double End) DefaultWindow(int blocks)
    {
        var total = (_frames.Count - 1) * Interval;
        return (0.1 * total / blocks, 0.4 * total / blocks);
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
