using PoetSharp.Atoms;

namespace PoetSharp.Mtp;

/// <summary>
/// Every atom's neighbours within a cutoff (a full list: each pair appears once under each atom), as an MTP needs:
/// displacements d = r_j − r_i, neighbour indices, species numbers, and for each entry the index of the same pair seen
/// from the other atom, so forces gather without write conflicts. Built from a half list; buffers grow only.
/// </summary>
public sealed class MtpNeighbourhoods
{
    private int[] _offsets = [0];
    private int[] _neighbour = [];
    private int[] _mirror = [];
    private Vec3[] _d = [];
    private int[] _types = [];
    private int[] _neighbourType = [];
    private int[] _count = [];

    public int AtomCount { get; private set; }
    public int EntryCount => _offsets[AtomCount];
    public ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, AtomCount + 1);
    public ReadOnlySpan<Vec3> Displacements => _d.AsSpan(0, EntryCount);
    public ReadOnlySpan<int> Neighbours => _neighbour.AsSpan(0, EntryCount);
    public ReadOnlySpan<int> Mirrors => _mirror.AsSpan(0, EntryCount);
    /// <summary>Species number of each atom.</summary>
    public ReadOnlySpan<int> Types => _types.AsSpan(0, AtomCount);
    /// <summary>Species number of each entry's neighbour.</summary>
    public ReadOnlySpan<int> NeighbourTypes => _neighbourType.AsSpan(0, EntryCount);
    public int MaxNeighbours { get; private set; }

    /// <summary>Builds from a half list (any cutoff ≥ <paramref name="cutoff"/>), keeping pairs closer than the cutoff.</summary>
    public void Build(Structure structure, NeighbourList halfList, double cutoff, string[] elements)
    {
        if (!halfList.IsHalf) throw new ArgumentException("an MTP needs a half neighbour list to build from");
        var n = structure.Count;
        if (halfList.AtomCount != n) throw new ArgumentException($"the neighbour list has {halfList.AtomCount} atoms, the structure {n}");
        if (halfList.Cutoff < cutoff) throw new ArgumentException($"the neighbour list cutoff {halfList.Cutoff} Å is below the MTP's {cutoff} Å");
        AtomCount = n;
        if (_offsets.Length < n + 1) _offsets = new int[n + 1];
        if (_count.Length < n + 1) _count = new int[n + 1];
        if (_types.Length < n) _types = new int[n];
        Potentials.SpeciesTypes.Map(structure.Species, elements, _types, "the MTP");

        var positions = structure.Positions;
        var offsets = halfList.Offsets;
        var neighbours = halfList.Neighbours;
        var cut2 = cutoff * cutoff;
        Array.Clear(_count, 0, n + 1);
        for (var i = 0; i < n; i++)
            for (var k = offsets[i]; k < offsets[i + 1]; k++)
            {
                if (halfList.Displacement(positions, i, k).LengthSquared >= cut2) continue;
                _count[i]++;
                _count[neighbours[k]]++;
            }
        _offsets[0] = 0;
        MaxNeighbours = 0;
        for (var i = 0; i < n; i++)
        {
            _offsets[i + 1] = _offsets[i] + _count[i];
            MaxNeighbours = Math.Max(MaxNeighbours, _count[i]);
        }
        var entries = _offsets[n];
        if (_d.Length < entries)
        {
            var size = Math.Max(entries, 2 * _d.Length);
            _d = new Vec3[size]; _neighbour = new int[size]; _mirror = new int[size]; _neighbourType = new int[size];
        }
        // Fill: _count becomes the next free entry of each atom.
        for (var i = 0; i < n; i++) _count[i] = _offsets[i];
        for (var i = 0; i < n; i++)
            for (var k = offsets[i]; k < offsets[i + 1]; k++)
            {
                var d = halfList.Displacement(positions, i, k);
                if (d.LengthSquared >= cut2) continue;
                var j = neighbours[k];
                var a = _count[i]++;
                var b = _count[j]++;
                _d[a] = d; _neighbour[a] = j; _neighbourType[a] = _types[j]; _mirror[a] = b;
                _d[b] = -1.0 * d; _neighbour[b] = i; _neighbourType[b] = _types[i]; _mirror[b] = a;
            }
    }
}
