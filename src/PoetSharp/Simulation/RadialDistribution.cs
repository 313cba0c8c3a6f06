using PoetSharp.Atoms;

namespace PoetSharp.Simulation;

/// <summary>
/// The radial distribution function g(r) of a periodic structure, accumulated over frames: the number of neighbours
/// in each shell [r, r + dr) per atom, divided by what an ideal gas of the same density would put there.
/// </summary>
public sealed class RadialDistribution
{
    private readonly double[] _counts;
    private readonly NeighbourList _list = new();
    private double _densitySum;
    private long _atomFrames;

    public double MaxDistance { get; }
    public double BinWidth { get; }
    public int Frames { get; private set; }

    public RadialDistribution(double maxDistance, int bins = 200)
    {
        if (!(maxDistance > 0) || bins < 1) throw new ArgumentException("g(r) needs a positive range and at least one bin");
        MaxDistance = maxDistance;
        BinWidth = maxDistance / bins;
        _counts = new double[bins];
    }

    public void Add(Structure structure)
    {
        if (!structure.Cell.FullyPeriodic) throw new ArgumentException("g(r) is normalised by the density of a periodic cell");
        _list.Build(structure.Cell, structure.Positions, MaxDistance, half: true);
        var offsets = _list.Offsets;
        for (var i = 0; i < structure.Count; i++)
            for (var k = offsets[i]; k < offsets[i + 1]; k++)
            {
                var r = _list.Displacement(structure.Positions, i, k).Length;
                var bin = (int)(r / BinWidth);
                if (bin < _counts.Length) _counts[bin] += 2; // each half-list pair is a neighbour of both atoms
            }
        _densitySum += structure.Count * (structure.Count / structure.Cell.Volume);
        _atomFrames += structure.Count;
        Frames++;
    }

    /// <summary>Bin centres (Å) and g(r).</summary>
    public (double[] R, double[] G) Result()
    {
        if (Frames == 0) throw new InvalidOperationException("no frames added");
        var density = _densitySum / _atomFrames;
        var r = new double[_counts.Length];
        var g = new double[_counts.Length];
        for (var b = 0; b < _counts.Length; b++)
        {
            double lo = b * BinWidth, hi = lo + BinWidth;
            r[b] = lo + 0.5 * BinWidth;
            var shell = 4.0 / 3.0 * Math.PI * (hi * hi * hi - lo * lo * lo);
            g[b] = _counts[b] / (_atomFrames * density * shell);
        }
        return (r, g);
    }
}
