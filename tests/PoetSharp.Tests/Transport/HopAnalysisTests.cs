using PoetSharp.Atoms;
using PoetSharp.Simulation;
using PoetSharp.Transport;
using PoetSharp.Tests.Support;
using Xunit;

namespace PoetSharp.Tests.Transport;

/// <summary>Sites from the density, site types from the host, hop detection on trajectories with planted hops, rates and concerted hops.</summary>
public class HopAnalysisTests
{
    private const double Spacing = 3.0, Box = 12.0, Dt = 10.0;
    private static readonly Cell BoxCell = Cell.Orthorhombic(Box, Box, Box);

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>4×4×4 sites 3 Å apart; each has a host S atom 1.0 Å above it (even x index) or 1.3 Å (odd): two site types.</summary>
    private static Vec3 SitePosition(int s) => new(Spacing * (s / 16), Spacing * (s / 4 % 4), Spacing * (s % 4));
    private static Vec3[] Hosts() => Enumerable.Range(0, 64).Select(s => SitePosition(s) + new Vec3(0, 0, s / 16 % 2 == 0 ? 1.0 : 1.3)).ToArray();
    private static bool IsEven(Vec3 site) => (int)Math.Round(site.X / Spacing) % 2 == 0;

    private sealed record Planted(int Frame, int Atom, int From, int To);

    /// <summary>
    /// Li atoms vibrating (σ = 0.05 Å) on their sites, each planted hop a straight move to a neighbouring site over
    /// frames f, f+1, f+2 (a quarter, half, three quarters of the way), arriving at f+3.
    /// </summary>
    private static (DisplacementRecorder Recorder, List<Planted> Hops, int[] Initial) Trajectory(int atoms, int frames, Func<int[], Random, List<(int Atom, int To)>> plan, int seed)
    {
        var random = new Random(seed);
        var sites = Enumerable.Range(0, 64).OrderBy(_ => random.Next()).Take(atoms).ToArray();
        var initial = (int[])sites.Clone();
        var hosts = Hosts();
        var species = Enumerable.Repeat("Li", atoms).Concat(Enumerable.Repeat("S", hosts.Length)).ToArray();
        var positions = new Vec3[atoms + hosts.Length];
        for (var i = 0; i < atoms; i++) positions[i] = SitePosition(sites[i]);
        hosts.CopyTo(positions, atoms);
        var recorder = new DisplacementRecorder(new Structure(BoxCell, positions, species), Dt, "Li");
        var hops = new List<Planted>();
        var moving = new Dictionary<int, (int From, int To, int Start)>();
        for (var f = 0; f < frames; f++)
        {
            var planned = f % 30 == 0 && f > 0 && f < frames - 10 ? plan(sites, random) : [];
            foreach (var (atom, to) in planned)
            {
                hops.Add(new Planted(f, atom, sites[atom], to));
                moving[atom] = (sites[atom], to, f);
                sites[atom] = to;
            }
            for (var i = 0; i < atoms; i++)
            {
                Vec3 centre;
                if (moving.TryGetValue(i, out var m) && f - m.Start < 3)
                {
                    var from = SitePosition(m.From);
                    var d = SitePosition(m.To) - from;
                    d = new Vec3(d.X - Box * Math.Round(d.X / Box), d.Y - Box * Math.Round(d.Y / Box), d.Z - Box * Math.Round(d.Z / Box));
                    centre = from + (f - m.Start + 1) / 4.0 * d;
                }
                else centre = SitePosition(sites[i]);
                positions[i] = centre + 0.05 * new Vec3(Normal(random), Normal(random), Normal(random));
            }
            recorder.Add(positions, BoxCell);
        }
        return (recorder, hops, initial);
    }

    private static int Neighbour(int site, int axis, int direction)
    {
        int i = site / 16, j = site / 4 % 4, k = site % 4;
        if (axis == 0) i = (i + direction + 4) % 4; else if (axis == 1) j = (j + direction + 4) % 4; else k = (k + direction + 4) % 4;
        return 16 * i + 4 * j + k;
    }

    private static SiteSet AllSites() => new(BoxCell, Enumerable.Range(0, 64).Select(s => new Site(BoxCell.ToFractional(SitePosition(s)), IsEven(SitePosition(s)) ? "even" : "odd")).ToArray());

    [Fact]
    public void Sites_are_found_at_the_density_maxima_and_typed_by_their_host_environment()
    {
        var (recorder, _, _) = Trajectory(64, 200, (_, _) => [], seed: 1);
        var found = SiteFinder.FromDensity([recorder]);
        Assert.Equal(64, found.Count);
        foreach (var site in found.Sites)
        {
            var (nearest, distance) = AllSites().Nearest(site.Fractional, BoxCell);
            Assert.True(distance < 0.12, $"site at {BoxCell.ToCartesian(site.Fractional)} is {distance:F3} Å from the nearest true site");
        }
        Assert.Equal(2, found.Types.Count);
        // All sites with an even x index share one type, the odd ones the other.
        var byParity = found.Sites.GroupBy(s => IsEven(BoxCell.ToCartesian(s.Fractional)))
            .ToDictionary(g => g.Key, g => g.Select(s => s.Type).Distinct().ToArray());
        Assert.Single(byParity[true]);
        Assert.Single(byParity[false]);
        Assert.NotEqual(byParity[true][0], byParity[false][0]);
        Assert.Contains("S 1.00", found.Descriptions[byParity[true][0]]);
        Assert.Contains("S 1.30", found.Descriptions[byParity[false][0]]);
    }

    /// <summary>Every 30th frame: one atom hops alone, or (every fourth time) two atoms hop at once within 4 Å of each other.</summary>
    private static List<(int, int)> Plan(int[] sites, Random random, ref int calls)
    {
        calls++;
        var together = calls % 4 == 0;
        var result = new List<(int, int)>();
        var occupied = sites.ToHashSet();
        for (var attempt = 0; attempt < 10000 && result.Count < (together ? 2 : 1); attempt++)
        {
            var atom = random.Next(sites.Length);
            if (result.Any(r => r.Item1 == atom)) continue;
            var to = Neighbour(sites[atom], random.Next(3), random.Next(2) * 2 - 1);
            if (occupied.Contains(to)) continue;
            if (result.Count == 1)
            {
                // The partner hops within 4 Å of the first hop (midpoints) — a concerted pair.
                var first = result[0];
                var a = Midpoint(sites[first.Item1], first.Item2);
                var b = Midpoint(sites[atom], to);
                if (SiteSet.MinimumImage(BoxCell, BoxCell.ToFractional(a), BoxCell.ToFractional(b)).Length > 4) continue;
            }
            result.Add((atom, to));
            occupied.Add(to);
        }
        return result;
    }

    private static Vec3 Midpoint(int from, int to) =>
        SitePosition(from) + 0.5 * SiteSet.MinimumImage(BoxCell, BoxCell.ToFractional(SitePosition(from)), BoxCell.ToFractional(SitePosition(to)));

    [Fact]
    public void Planted_hops_are_detected_with_their_times_rates_and_concerted_share()
    {
        var calls = 0;
        var (recorder, planted, initial) = Trajectory(16, 3000, (sites, random) => Plan(sites, random, ref calls), seed: 7);
        var sites = AllSites();
        var stats = HopAnalysis.Analyse(recorder, sites, new HopSettings { CaptureRadius = 0.5, ConcertedTime = 50, ConcertedDistance = 4, Trials = 40 });

        Assert.Equal(planted.Count, stats.Hops.Count);
        var detected = stats.Hops.OrderBy(h => h.Time).ThenBy(h => h.Atom).ToArray();
        var expected = planted.OrderBy(p => p.Frame).ThenBy(p => p.Atom).ToArray();
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k].Atom, detected[k].Atom);
            Assert.Equal(expected[k].From, detected[k].From);
            Assert.Equal(expected[k].To, detected[k].To);
            // Last at the old site at f − 1 (a quarter of the way is 0.75 Å out), first at the new one at f + 3.
            Assert.Equal((expected[k].Frame - 1) * Dt, detected[k].Left, 9);
            Assert.Equal((expected[k].Frame + 3) * Dt, detected[k].Arrived, 9);
            Assert.Equal(Spacing, detected[k].Distance, 9);
        }

        // Rates per type: hops out of the type over the atom-time spent on it (arrival to arrival).
        var duration = (recorder.FrameCount - 1) * Dt;
        var residence = new Dictionary<string, double> { ["even"] = 0, ["odd"] = 0 };
        var count = new Dictionary<string, int> { ["even"] = 0, ["odd"] = 0 };
        for (var atom = 0; atom < 16; atom++)
        {
            var (site, since) = (initial[atom], 0.0);
            foreach (var p in planted.Where(p => p.Atom == atom).OrderBy(p => p.Frame))
            {
                var type = sites.Sites[site].Type;
                residence[type] += (p.Frame + 3) * Dt - since;
                count[type]++;
                (site, since) = (p.To, (p.Frame + 3) * Dt);
            }
            residence[sites.Sites[site].Type] += duration - since;
        }
        foreach (var rate in stats.Rates)
        {
            Assert.Equal(count[rate.Type], rate.Hops);
            Assert.Equal(residence[rate.Type], rate.Residence, 6);
            Assert.Equal(count[rate.Type] / (residence[rate.Type] / 1000), rate.Rate, 9);
            Assert.Equal(32, rate.Sites);
        }
        Assert.Equal(16.0 / 64 * 2, stats.Rates.Sum(r => r.Occupancy), 9); // 16 atoms over 64 sites, two types of 32

        // Every fourth planting is a concerted pair; plantings are 30 frames (300 fs) apart, beyond the 50 fs window.
        var pairs = planted.GroupBy(p => p.Frame).Count(g => g.Count() == 2);
        Assert.True(pairs >= 20, $"{pairs} pairs planted");
        Assert.Equal(2.0 * pairs / planted.Count, stats.Concerted.Fraction, 9);
        Assert.True(stats.Concerted.UncorrelatedFraction < 0.5 * stats.Concerted.Fraction,
            $"uncorrelated {stats.Concerted.UncorrelatedFraction} against {stats.Concerted.Fraction}");
        Assert.True(stats.Concerted.Enhancement > 2);

        // The scan over time windows: the one equal to the chosen window gives the same share; windows shorter than the
        // 300 fs between plantings see exactly the planted pairs; a window wider than it also joins hops of different
        // plantings, so its share rises and the ratio to chance falls towards 1.
        Assert.Equal([50.0, 100, 200, 500, 1000], stats.ConcertedScan.Select(c => c.TimeWindow));
        Assert.All(stats.ConcertedScan, c => Assert.Equal(4, c.DistanceWindow));
        Assert.Equal(stats.Concerted.Fraction, stats.ConcertedScan[0].Fraction);
        Assert.Equal(stats.Concerted.UncorrelatedFraction, stats.ConcertedScan[0].UncorrelatedFraction);
        Assert.Equal(stats.Concerted.Fraction, stats.ConcertedScan[2].Fraction, 9);
        Assert.True(stats.ConcertedScan[4].Fraction > stats.ConcertedScan[2].Fraction);
        Assert.True(stats.ConcertedScan[4].Enhancement < stats.ConcertedScan[0].Enhancement);
    }

    [Fact]
    public void Vibrating_atoms_that_never_hop_give_no_hops()
    {
        var (recorder, _, _) = Trajectory(16, 300, (_, _) => [], seed: 3);
        var stats = HopAnalysis.Analyse(recorder, AllSites());
        Assert.Empty(stats.Hops);
        Assert.All(stats.Rates, r => Assert.Equal(0, r.Rate));
        Assert.True(double.IsNaN(stats.Concerted.Fraction));
    }

    [Fact]
    public void A_sites_file_is_read_and_bad_ones_are_refused_with_file_and_line()
    {
        var folder = TestData.TempDir();
        string Write(string name, string text) { var p = Path.Combine(folder, name); File.WriteAllText(p, text); return p; }
        var good = AllSites();
        var path = Path.Combine(folder, "sites.txt");
        good.Write(path);
        var read = SiteSet.Read(path, BoxCell);
        Assert.Equal(64, read.Count);
        Assert.Equal(good.Sites.Select(s => s.Type), read.Sites.Select(s => s.Type));
        Assert.All(good.Sites.Zip(read.Sites), p => Assert.True((p.First.Fractional - p.Second.Fractional).Length < 1e-6));

        void Bad(string name, string text, params string[] expected)
        {
            var e = Assert.ThrowsAny<Exception>(() => SiteSet.Read(Write(name, text), BoxCell));
            Assert.True(e is FormatException or FileNotFoundException, e.GetType().Name);
            foreach (var x in expected) Assert.Contains(x, e.Message);
        }
        Bad("fields.txt", "# sites\nA 0 0 0\nB 0.5 0.5\n", "fields.txt:3", "3 fields");
        Bad("text.txt", "A 0 0 0\nB 0.5 x 0.5\n", "text.txt:2", "'x'");
        Bad("nan.txt", "A 0 0 0\nB 0.5 NaN 0.5\n", "nan.txt:2", "NaN");
        Bad("empty.txt", "# nothing\n\n", "empty.txt", "no sites");
        Bad("twice.txt", "A 0 0 0\nA 0 0 0\n", "twice.txt", "same site");
        var missing = Assert.Throws<FileNotFoundException>(() => SiteSet.Read(Path.Combine(folder, "none.txt"), BoxCell));
        Assert.Contains("none.txt", missing.Message);
    }
}
