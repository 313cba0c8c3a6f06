using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Evaluation;

/// <summary>
/// The neighbour pairs of a whole data set within one cutoff, computed once, as flat arrays (structure of arrays).
/// Every pair appears for both of its atoms (full lists), because a model's energy is a function per atom of sums over
/// all its neighbours. The entries of structure s are [<see cref="PairOffsets"/>[s], <see cref="PairOffsets"/>[s+1]),
/// ordered by the first atom; atom indices <see cref="I"/> and <see cref="J"/> are local to their structure
/// (add <see cref="AtomOffsets"/>[s] for a global index). Only entries with r strictly below the cutoff are kept.
/// Everything that depends only on r (the taper and its derivative) is tabulated here too.
/// </summary>
public sealed class PairTable
{
    public IReadOnlyList<Structure> Structures { get; }
    public double Cutoff { get; }
    public Taper Taper { get; }

    /// <summary>Distance r_ij (Å).</summary>
    public double[] R { get; }
    /// <summary>Displacement r_j − r_i (Å, including the periodic image shift), by component.</summary>
    public double[] Dx { get; }
    public double[] Dy { get; }
    public double[] Dz { get; }
    /// <summary>Taper f(r) and df/dr.</summary>
    public double[] TaperValue { get; }
    public double[] TaperDerivative { get; }
    /// <summary>The atom whose energy the entry contributes to (local index in its structure).</summary>
    public int[] I { get; }
    /// <summary>The neighbour (local index in its structure).</summary>
    public int[] J { get; }
    /// <summary>The element (atomic number) of every atom, by global index.</summary>
    public byte[] AtomElements { get; }
    /// <summary>The element (atomic number) of the neighbour J of every entry.</summary>
    public byte[] ElementJ { get; }
    /// <summary>The elements present, in order of atomic number.</summary>
    public IReadOnlyList<string> Elements { get; }
    /// <summary>Pair entries of structure s: [PairOffsets[s], PairOffsets[s+1]).</summary>
    public int[] PairOffsets { get; }
    /// <summary>Atoms of structure s have global indices [AtomOffsets[s], AtomOffsets[s+1]).</summary>
    public int[] AtomOffsets { get; }

    public int StructureCount => Structures.Count;
    public int PairCount => R.Length;
    public int AtomCount => AtomOffsets[^1];
    public int MaxAtomsPerStructure { get; }
    public int MaxPairsPerStructure { get; }
    /// <summary>Largest number of entries of one atom (its neighbours within the cutoff, images included).</summary>
    public int MaxNeighboursPerAtom { get; }

    /// <summary>Builds the table with the taper's outer radius as the cutoff.</summary>
    public PairTable(IReadOnlyList<Structure> structures, Taper taper)
    {
        ArgumentNullException.ThrowIfNull(structures);
        taper.Validate();
        Structures = structures;
        Taper = taper;
        Cutoff = taper.Outer;
        var n = structures.Count;
        PairOffsets = new int[n + 1];
        AtomOffsets = new int[n + 1];

        // Full lists are built in parallel, then counted and copied in order.
        var lists = new NeighbourList[n];
        Parallel.For(0, n, s => lists[s] = NeighbourList.Create(structures[s], Cutoff, half: false));
        var counts = new int[n];
        var cutoff2 = Cutoff * Cutoff;
        Parallel.For(0, n, s =>
        {
            var list = lists[s];
            var positions = structures[s].Positions;
            var count = 0;
            for (var i = 0; i < list.AtomCount; i++)
                for (var k = list.Offsets[i]; k < list.Offsets[i + 1]; k++)
                    if (list.Displacement(positions, i, k).LengthSquared < cutoff2) count++;
            counts[s] = count;
        });
        for (var s = 0; s < n; s++)
        {
            PairOffsets[s + 1] = PairOffsets[s] + counts[s];
            AtomOffsets[s + 1] = AtomOffsets[s] + structures[s].Count;
            MaxAtomsPerStructure = Math.Max(MaxAtomsPerStructure, structures[s].Count);
            MaxPairsPerStructure = Math.Max(MaxPairsPerStructure, counts[s]);
        }
        var total = PairOffsets[n];
        R = new double[total]; Dx = new double[total]; Dy = new double[total]; Dz = new double[total];
        TaperValue = new double[total]; TaperDerivative = new double[total];
        I = new int[total]; J = new int[total];
        AtomElements = new byte[AtomOffsets[n]];
        ElementJ = new byte[total];
        for (var s = 0; s < n; s++)
        {
            var species = structures[s].Species;
            for (var a = 0; a < species.Length; a++) AtomElements[AtomOffsets[s] + a] = checked((byte)Atoms.Elements.AtomicNumber(species[a]));
        }
        Elements = AtomElements.Distinct().Order().Select(z => Atoms.Elements.Symbol(z)).ToArray();
        Parallel.For(0, n, s =>
        {
            var list = lists[s];
            var positions = structures[s].Positions;
            var p = PairOffsets[s];
            for (var i = 0; i < list.AtomCount; i++)
            {
                for (var k = list.Offsets[i]; k < list.Offsets[i + 1]; k++)
                {
                    var d = list.Displacement(positions, i, k);
                    var r2 = d.LengthSquared;
                    if (r2 >= cutoff2) continue;
                    var r = Math.Sqrt(r2);
                    R[p] = r; Dx[p] = d.X; Dy[p] = d.Y; Dz[p] = d.Z;
                    (TaperValue[p], TaperDerivative[p]) = taper.Evaluate(r);
                    I[p] = i; J[p] = list.Neighbours[k];
                    ElementJ[p] = AtomElements[AtomOffsets[s] + J[p]];
                    p++;
                }
            }
        });
        // Entries are ordered by atom, so an atom's neighbours are one run of equal I within its structure.
        for (var s = 0; s < n; s++)
        {
            for (int p = PairOffsets[s], end = PairOffsets[s + 1]; p < end;)
            {
                var q = p + 1;
                while (q < end && I[q] == I[p]) q++;
                MaxNeighboursPerAtom = Math.Max(MaxNeighboursPerAtom, q - p);
                p = q;
            }
        }
    }

    /// <summary>The pair entries of one structure as spans.</summary>
    internal PairSpans Of(int s)
    {
        int a = PairOffsets[s], n = PairOffsets[s + 1] - a;
        int a0 = AtomOffsets[s], atoms = AtomOffsets[s + 1] - a0;
        return new PairSpans(R.AsSpan(a, n), Dx.AsSpan(a, n), Dy.AsSpan(a, n), Dz.AsSpan(a, n),
            TaperValue.AsSpan(a, n), TaperDerivative.AsSpan(a, n), I.AsSpan(a, n), J.AsSpan(a, n),
            AtomElements.AsSpan(a0, atoms), ElementJ.AsSpan(a, n));
    }
}

/// <summary>Full-list pair entries of one structure (local atom indices), as a <see cref="PairTable"/> slice or a potential's scratch.</summary>
/// <remarks><see cref="Elements"/> (one per atom of the structure) and <see cref="ElementJ"/> (one per entry) are atomic
/// numbers; a species-resolved model needs them, others may leave them empty.</remarks>
internal readonly ref struct PairSpans(
    ReadOnlySpan<double> r, ReadOnlySpan<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> dz,
    ReadOnlySpan<double> taper, ReadOnlySpan<double> taperDerivative, ReadOnlySpan<int> i, ReadOnlySpan<int> j,
    ReadOnlySpan<byte> elements = default, ReadOnlySpan<byte> elementJ = default)
{
    public readonly ReadOnlySpan<double> R = r, Dx = dx, Dy = dy, Dz = dz, Taper = taper, TaperDerivative = taperDerivative;
    public readonly ReadOnlySpan<int> I = i, J = j;
    public readonly ReadOnlySpan<byte> Elements = elements, ElementJ = elementJ;
    public int Count => R.Length;
}
