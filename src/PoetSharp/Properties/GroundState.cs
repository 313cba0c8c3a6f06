using PoetSharp.Atoms;

namespace PoetSharp.Properties;

/// <summary>
/// The ground-state crystal structure of a data set, for the physical sanity checks: the structure of its lowest-energy
/// (per atom) labelled structure, recognised atom by atom by adaptive common-neighbour analysis (Stukowski, Modelling
/// Simul. Mater. Sci. Eng. 20, 045021 (2012)) and decided by a majority vote over the atoms.
/// </summary>
public static class GroundState
{
    /// <summary>The user's name of a structure: "fcc", "bcc" or "hcp" (any case).</summary>
    public static CrystalStructure Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "fcc" => CrystalStructure.Fcc,
            "bcc" => CrystalStructure.Bcc,
            "hcp" => CrystalStructure.Hcp,
            _ => throw new ArgumentException($"unknown crystal structure '{text}': expected fcc, bcc or hcp"),
        };
    }

    /// <summary>
    /// The crystal structure of the fully periodic structure with the lowest finite energy per atom (null when it is none
    /// of fcc, bcc and hcp, e.g. a liquid). Energies per atom are compared across structures, so the data should be of
    /// one element. Throws ArgumentException when no fully periodic structure carries an energy.
    /// </summary>
    public static CrystalStructure? Identify(IReadOnlyList<Structure> structures)
    {
        ArgumentNullException.ThrowIfNull(structures);
        var lowest = structures
            .Where(s => s.Cell.FullyPeriodic && s.Count > 0 && s.Energy is double e && double.IsFinite(e))
            .MinBy(s => s.EnergyPerAtom!.Value);
        if (lowest is null) throw new ArgumentException("no fully periodic structure with an energy: the ground state cannot be identified");
        return Classify(lowest);
    }

    /// <summary>
    /// The structure most of the atoms have (fcc, bcc or hcp by adaptive common-neighbour analysis), or null when the
    /// largest group is the atoms that are none of them (a liquid, an amorphous solid, a cluster). Thermal displacements
    /// of a solid leave most atoms recognised, since the analysis adapts its bond cutoff to each atom's neighbours.
    /// </summary>
    public static CrystalStructure? Classify(Structure structure)
    {
        ArgumentNullException.ThrowIfNull(structure);
        if (!structure.Cell.FullyPeriodic || structure.Count == 0) throw new ArgumentException("common-neighbour analysis needs a fully periodic structure with atoms");
        // 1.8 (V/N)^(1/3) reaches past the 14 neighbours bcc needs (at 1.26 (V/N)^(1/3)) and the 12 of fcc and hcp (at 1.12).
        var cutoff = 1.8 * Math.Cbrt(structure.Cell.Volume / structure.Count);
        var list = NeighbourList.Create(structure, cutoff, half: false);
        var votes = new int[4]; // fcc, bcc, hcp, none
        var neighbours = new List<(double Distance, Vec3 Vector)>();
        for (var i = 0; i < structure.Count; i++)
        {
            neighbours.Clear();
            for (var k = list.Offsets[i]; k < list.Offsets[i + 1]; k++)
            {
                var d = list.Displacement(structure.Positions, i, k);
                neighbours.Add((d.Length, d));
            }
            neighbours.Sort((p, q) => p.Distance.CompareTo(q.Distance));
            var kind = OfAtom(neighbours);
            votes[kind is null ? 3 : (int)kind.Value]++;
        }
        var winner = Array.IndexOf(votes, votes.Max());
        return winner == 3 ? null : (CrystalStructure)winner;
    }

    /// <summary>The adaptive CNA type of one atom from its neighbours sorted by distance; null when none fits.</summary>
    private static CrystalStructure? OfAtom(List<(double Distance, Vec3 Vector)> sorted)
    {
        const double factor = 0.5 * (1 + 1.4142135623730951); // halfway between the first and second shells of fcc
        if (sorted.Count >= 12)
        {
            var cut = factor * sorted.Take(12).Average(n => n.Distance);
            var signatures = Signatures(sorted, 12, cut);
            // fcc: 12 × (4 2 1); hcp: 6 × (4 2 1) and 6 × (4 2 2).
            var s421 = signatures.Count(s => s == (4, 2, 1));
            var s422 = signatures.Count(s => s == (4, 2, 2));
            if (s421 == 12) return CrystalStructure.Fcc;
            if (s421 == 6 && s422 == 6) return CrystalStructure.Hcp;
        }
        if (sorted.Count >= 14)
        {
            // The 8 first neighbours at √3/2 a and the 6 second at a: both scaled to a, then halfway to the third shell.
            var a = 0.5 * (2 / Math.Sqrt(3) * sorted.Take(8).Average(n => n.Distance) + sorted.Skip(8).Take(6).Average(n => n.Distance));
            var signatures = Signatures(sorted, 14, factor * a);
            // bcc: 8 × (6 6 6) and 6 × (4 4 4).
            if (signatures.Count(s => s == (6, 6, 6)) == 8 && signatures.Count(s => s == (4, 4, 4)) == 6) return CrystalStructure.Bcc;
        }
        return null;
    }

    /// <summary>
    /// For each of the <paramref name="count"/> nearest neighbours j: the number of common neighbours (among the same
    /// set, within <paramref name="cut"/> of j), the bonds among them, and the bonds in their largest connected cluster.
    /// </summary>
    private static (int Common, int Bonds, int Chain)[] Signatures(List<(double Distance, Vec3 Vector)> sorted, int count, double cut)
    {
        // A neighbour farther than the bond cutoff is not a neighbour in this shell: then the atom fits no pattern.
        if (sorted[count - 1].Distance > cut) return [];
        var cut2 = cut * cut;
        var bonded = new bool[count, count];
        for (var p = 0; p < count; p++)
            for (var q = p + 1; q < count; q++)
                bonded[p, q] = bonded[q, p] = (sorted[p].Vector - sorted[q].Vector).LengthSquared < cut2;
        var result = new (int, int, int)[count];
        var common = new List<int>();
        var bonds = new List<(int, int)>();
        for (var j = 0; j < count; j++)
        {
            common.Clear();
            for (var k = 0; k < count; k++) if (k != j && bonded[j, k]) common.Add(k);
            bonds.Clear();
            for (var p = 0; p < common.Count; p++)
                for (var q = p + 1; q < common.Count; q++)
                    if (bonded[common[p], common[q]]) bonds.Add((common[p], common[q]));
            result[j] = (common.Count, bonds.Count, LargestBondCluster(bonds));
        }
        return result;
    }

    /// <summary>The number of bonds in the largest set of bonds connected through shared atoms.</summary>
    private static int LargestBondCluster(List<(int A, int B)> bonds)
    {
        var cluster = Enumerable.Range(0, bonds.Count).ToArray();
        int Root(int b) => cluster[b] == b ? b : cluster[b] = Root(cluster[b]);
        for (var p = 0; p < bonds.Count; p++)
            for (var q = p + 1; q < bonds.Count; q++)
            {
                var (a, b) = bonds[p];
                var (c, d) = bonds[q];
                if (a == c || a == d || b == c || b == d) cluster[Root(p)] = Root(q);
            }
        return bonds.Count == 0 ? 0 : Enumerable.Range(0, bonds.Count).GroupBy(Root).Max(g => g.Count());
    }
}
