using PoetSharp.Atoms;
using PoetSharp.Symmetry;

namespace PoetSharp.Simulation;

/// <summary>
/// One class of symmetry-equivalent vacancy hops: every pair of sites of one element that a space-group operation carries
/// onto the representative pair (<see cref="From"/>, <see cref="To"/>; 0-based atom indices, From &lt; To).
/// </summary>
/// <param name="From">The representative pair's lower atom index.</param>
/// <param name="To">The representative pair's higher atom index.</param>
/// <param name="Vector">Minimum-image vector from <see cref="From"/> to <see cref="To"/> (Å).</param>
/// <param name="FromSite">Orbit of <see cref="From"/>'s site: its lowest-numbered equivalent atom.</param>
/// <param name="ToSite">Orbit of <see cref="To"/>'s site.</param>
/// <param name="Count">How many pairs of sites in the cell belong to the class.</param>
public sealed record HopClass(int From, int To, Vec3 Vector, int FromSite, int ToSite, int Count)
{
    public double Distance => Vector.Length;

    /// <summary>
    /// Both sites in one orbit: a vacancy on either is the same defect, so the hop's barrier is the same both ways and
    /// its endpoints must relax to the same energy (a check on the calculation, not an assumption).
    /// </summary>
    public bool Symmetric => FromSite == ToSite;
}

/// <summary>
/// The distinct vacancy hops of one element in a crystal: the pairs of its sites closer than a distance, grouped by the
/// crystal's symmetry (<see cref="SiteSymmetry"/>). A NEB study of a complex crystal (a superionic conductor's Li
/// sublattice, with several Wyckoff sites and partial order) starts from this list: which hops exist, which are
/// symmetric, and how many of each the cell holds.
/// </summary>
public static class VacancyHops
{
    /// <summary>The hop classes of <paramref name="species"/> with sites at most <paramref name="maxDistance"/> Å apart (minimum image), shortest first.</summary>
    public static IReadOnlyList<HopClass> Distinct(Structure crystal, string species, double maxDistance, SiteSymmetry symmetry)
    {
        ArgumentNullException.ThrowIfNull(crystal);
        ArgumentNullException.ThrowIfNull(symmetry);
        if (!(maxDistance > 0) || !double.IsFinite(maxDistance)) throw new ArgumentException($"the largest hop distance must be a positive length in Å, not {maxDistance}");
        if (symmetry.EquivalentAtoms.Length != crystal.Count) throw new ArgumentException($"the symmetry was found for {symmetry.EquivalentAtoms.Length} atoms, not {crystal.Count}");
        var atoms = Enumerable.Range(0, crystal.Count).Where(i => crystal.Species[i] == species).ToArray();
        if (atoms.Length < 2)
            throw new ArgumentException($"the crystal holds {atoms.Length} {species} atom{(atoms.Length == 1 ? "" : "s")}; a hop needs two (elements: {string.Join(", ", crystal.DistinctSpecies())})");

        var pairs = new List<(int I, int J, Vec3 Vector)>();
        var index = new Dictionary<(int, int), int>();
        for (var a = 0; a < atoms.Length; a++)
            for (var b = a + 1; b < atoms.Length; b++)
            {
                var v = MinimumImage(crystal, atoms[a], atoms[b]);
                if (v.Length > maxDistance) continue;
                index[(atoms[a], atoms[b])] = pairs.Count;
                pairs.Add((atoms[a], atoms[b], v));
            }

        // Classes: the orbits of the pairs under the atom permutations of the operations.
        var root = Enumerable.Range(0, pairs.Count).ToArray();
        int Root(int p) { while (root[p] != p) p = root[p] = root[root[p]]; return p; }
        foreach (var perm in symmetry.Permutations)
            for (var p = 0; p < pairs.Count; p++)
            {
                var (i, j) = (perm[pairs[p].I], perm[pairs[p].J]);
                if (!index.TryGetValue((Math.Min(i, j), Math.Max(i, j)), out var q)) continue; // a pair whose image is longer than the minimum image (not expected)
                var (x, y) = (Root(p), Root(q));
                if (x != y) root[Math.Max(x, y)] = Math.Min(x, y);
            }
        return Enumerable.Range(0, pairs.Count).GroupBy(Root)
            .Select(g =>
            {
                var (i, j, v) = pairs[g.Key]; // the class's first pair in (I, J) order: its lowest-numbered one
                return new HopClass(i, j, v, symmetry.EquivalentAtoms[i], symmetry.EquivalentAtoms[j], g.Count());
            })
            .OrderBy(h => Math.Round(h.Distance, 6)).ThenBy(h => h.From).ThenBy(h => h.To).ToArray();
    }

    /// <summary>Minimum-image vector from atom <paramref name="a"/> to atom <paramref name="b"/> along the periodic directions (Å).</summary>
    public static Vec3 MinimumImage(Structure crystal, int a, int b) => crystal.Cell.MinimumImage(crystal.Positions[b] - crystal.Positions[a]);
}
