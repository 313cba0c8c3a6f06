using PoetSharp.Atoms;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Atoms;

public class NeighbourListTests
{
    /// <summary>(Atoms may sit up to 3 cells outside; the image range covers that.) Every (i, j, image) with |r_j + image − r_i| &lt; cutoff, by looping over enough images explicitly.</summary>
    private static List<(int i, int j, int a, int b, int c, double r)> BruteForce(Structure s, double cutoff)
    {
        var h = s.Cell.Heights();
        int na = s.Cell.PeriodicA ? (int)Math.Ceiling(cutoff / h.X) + 4 : 0;
        int nb = s.Cell.PeriodicB ? (int)Math.Ceiling(cutoff / h.Y) + 4 : 0;
        int nc = s.Cell.PeriodicC ? (int)Math.Ceiling(cutoff / h.Z) + 4 : 0;
        var basis = s.Cell.CompletedBasis();
        var pairs = new List<(int, int, int, int, int, double)>();
        for (var i = 0; i < s.Count; i++)
            for (var j = 0; j < s.Count; j++)
                for (var a = -na; a <= na; a++)
                    for (var b = -nb; b <= nb; b++)
                        for (var c = -nc; c <= nc; c++)
                        {
                            if (i == j && a == 0 && b == 0 && c == 0) continue;
                            var d = s.Positions[j] - s.Positions[i] + a * basis[0] + b * basis[1] + c * basis[2];
                            var r = d.Length;
                            if (r < cutoff) pairs.Add((i, j, a, b, c, r));
                        }
        return pairs;
    }

    private static List<(int i, int j, int a, int b, int c, double r)> FromList(Structure s, NeighbourList list)
    {
        var pairs = new List<(int, int, int, int, int, double)>();
        for (var i = 0; i < s.Count; i++)
            for (var k = list.Offsets[i]; k < list.Offsets[i + 1]; k++)
            {
                var (a, b, c) = list.ShiftCells[list.ShiftIndex[k]];
                pairs.Add((i, list.Neighbours[k], a, b, c, list.Displacement(s.Positions, i, k).Length));
            }
        return pairs;
    }

    public static IEnumerable<object[]> Cases()
    {
        // (atoms, cell length, cutoff, seed, periodic a/b/c)
        yield return [20, 6.0, 5.0, 1, true, true, true];     // cell smaller than the cutoff in places: several images
        yield return [32, 7.3, 5.0, 2, true, true, true];     // the DFT_Cu situation
        yield return [5, 2.5, 6.0, 3, true, true, true];      // tiny cell: many images, atoms meet themselves
        yield return [200, 15.0, 4.0, 4, true, true, true];   // several bins per direction
        yield return [60, 12.0, 5.0, 5, true, true, false];   // slab
        yield return [40, 10.0, 5.0, 6, false, true, false];  // wire
        yield return [50, 10.0, 4.5, 7, false, false, false]; // cluster
        yield return [1, 3.0, 7.0, 8, true, true, true];      // a single atom and its images
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FullListEqualsBruteForceOnRandomTriclinicCells(int n, double length, double cutoff, int seed, bool pa, bool pb, bool pc)
    {
        var s = Builders.RandomTriclinic(n, length, seed, pa, pb, pc);
        // Move some atoms outside the cell so wrapping is exercised.
        for (var i = 0; i < s.Count; i += 3) s.Positions[i] += s.Cell.A * (i % 2 == 0 ? 1.0 : -2.0);
        var expected = BruteForce(s, cutoff).Select(p => (p.i, p.j, p.a, p.b, p.c)).OrderBy(p => p).ToList();
        var list = NeighbourList.Create(s, cutoff, half: false);
        var actual = FromList(s, list).Select(p => (p.i, p.j, p.a, p.b, p.c)).OrderBy(p => p).ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual);
        Assert.Equal(list.PairCount, actual.Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void HalfListHoldsEachPairOnce(int n, double length, double cutoff, int seed, bool pa, bool pb, bool pc)
    {
        var s = Builders.RandomTriclinic(n, length, seed, pa, pb, pc);
        var full = FromList(s, NeighbourList.Create(s, cutoff, half: false));
        var half = FromList(s, NeighbourList.Create(s, cutoff, half: true));
        Assert.Equal(full.Count, 2 * half.Count);
        // Each half entry and its mirror (j, i, −shift) together give the full list exactly.
        var mirrored = half.Concat(half.Select(p => (p.j, p.i, -p.a, -p.b, -p.c, p.r))).Select(p => (p.Item1, p.Item2, p.Item3, p.Item4, p.Item5)).OrderBy(p => p).ToList();
        Assert.Equal(full.Select(p => (p.i, p.j, p.a, p.b, p.c)).OrderBy(p => p).ToList(), mirrored);
    }

    [Fact]
    public void FccNeighbourShellsAreCounted()
    {
        // fcc: 12 neighbours at a/√2, 6 at a, 24 at a·√(3/2). A cutoff between the 3rd and 4th shells gives 42.
        const double a = 3.615;
        var s = Builders.Fcc("Cu", a, 1); // a 4-atom cell much smaller than the cutoff
        var list = NeighbourList.Create(s, 1.3 * a, half: false);
        for (var i = 0; i < s.Count; i++) Assert.Equal(42, list.NeighbourCount(i));
    }

    [Fact]
    public void BuffersAreReusedAcrossBuilds()
    {
        var list = new NeighbourList();
        var big = Builders.Rattled(Builders.Fcc("Cu", 3.615, 4), 0.1, 1);
        list.Build(big, 5.0, half: true);
        var pairsBig = list.PairCount;
        var small = Builders.Fcc("Cu", 3.615, 2);
        list.Build(small, 5.0, half: true);
        Assert.Equal(small.Count, list.AtomCount);
        Assert.Equal(NeighbourList.Create(small, 5.0, true).PairCount, list.PairCount);
        list.Build(big, 5.0, half: true);
        Assert.Equal(pairsBig, list.PairCount);
        // A second build of the same size allocates (almost) nothing. The least of three rebuilds: on a busy CI host one
        // rebuild once counted 4,216 bytes that were not the list's (runtime work on the thread, e.g. a method's tier-up).
        var allocated = long.MaxValue;
        for (var trial = 0; trial < 3; trial++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            list.Build(big, 5.0, half: true);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(allocated < 4096, $"rebuild allocated {allocated} bytes");
    }

    [Fact]
    public void NonFiniteCutoffOrPositionIsRejected()
    {
        var s = Builders.Fcc("Cu", 3.615, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => NeighbourList.Create(s, double.NaN, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => NeighbourList.Create(s, 0, true));
        s.Positions[0] = new Vec3(double.NaN, 0, 0);
        Assert.Throws<ArgumentException>(() => NeighbourList.Create(s, 3, true));
    }
}
