using PoetSharp.Atoms;
using PoetSharp.Simulation;

namespace PoetSharp.Transport;

/// <summary>
/// One site-to-site hop of one atom. Times in fs from the start of the recording: the atom was last at its old site at
/// <see cref="Left"/> and first at its new one at <see cref="Arrived"/>; <see cref="Time"/> is halfway.
/// </summary>
/// <param name="Midpoint">Cartesian midpoint of the two sites (Å, in the sites' cell), where the hop happened.</param>
/// <param name="Distance">Site-to-site distance (Å).</param>
/// <param name="Returns">Whether the hop goes back to the site the atom came from by its previous hop.</param>
public sealed record Hop(int Atom, int From, int To, double Left, double Arrived, Vec3 Midpoint, double Distance, bool Returns)
{
    public double Time => 0.5 * (Left + Arrived);
}

/// <summary>Hops out of the sites of one type: count, the time atoms spent there, and the rate per atom.</summary>
/// <param name="Residence">Atom-time attributed to sites of this type (fs): from arriving until arriving at the next site.</param>
/// <param name="Rate">Hops out per atom per ps (Hops / Residence).</param>
/// <param name="Occupancy">Mean number of atoms on a site of this type (residence / (sites × run)).</param>
public sealed record SiteTypeRate(string Type, int Sites, int Hops, double Residence, double Rate, double Occupancy);

/// <summary>How many hops went from sites of one type to another, and how far.</summary>
public sealed record TransitionCount(string From, string To, int Hops, double MeanDistance);

/// <summary>Concerted migration: the share of hops with another atom's hop nearby in time and space, against uncorrelated hopping.</summary>
/// <param name="TimeWindow">Two hops are together when their times differ by at most this (fs).</param>
/// <param name="DistanceWindow">… and their midpoints are at most this far apart (Å).</param>
/// <param name="Fraction">Observed share of hops that are together with another.</param>
/// <param name="UncorrelatedFraction">The same share when each atom's hop times are shifted by its own random offset
/// (cyclically within the run): each atom keeps its own hop rate and sequence, the correlation between atoms is gone.
/// Mean over the trials.</param>
/// <param name="UncorrelatedSpread">Standard deviation of that share over the trials.</param>
public sealed record ConcertedHops(double TimeWindow, double DistanceWindow, int Hops, double Fraction, double UncorrelatedFraction,
    double UncorrelatedSpread, int Trials)
{
    /// <summary>Observed over uncorrelated share: above 1, hops cluster together more than chance gives.</summary>
    public double Enhancement => UncorrelatedFraction > 0 ? Fraction / UncorrelatedFraction : double.NaN;
}

/// <summary>Everything the hop analysis of one trajectory finds.</summary>
/// <param name="Duration">Length of the recording (fs).</param>
/// <param name="ConcertedScan">The concerted share at each of <see cref="HopSettings.ScanTimes"/> (at the distance window of
/// <see cref="Concerted"/>): where hops come together more often than chance, and over what time.</param>
public sealed record HopStatistics(IReadOnlyList<Hop> Hops, SiteTypeRate[] Rates, TransitionCount[] Transitions, ConcertedHops Concerted,
    double Duration, int Atoms, double CaptureRadius, double ReturnFraction, IReadOnlyList<ConcertedHops> ConcertedScan);

/// <summary>Settings of <see cref="HopAnalysis.Analyse"/>.</summary>
public sealed record HopSettings
{
    /// <summary>An atom is at a site when within this distance (Å); null: 40 % of the shortest site separation, at most 1 Å.
    /// Between sites it keeps its old site, so vibrations across the midpoint do not count as hops.</summary>
    public double? CaptureRadius { get; init; }
    /// <summary>
    /// The default <see cref="ConcertedTime"/> (fs). 100 fs: on the LGPS benchmark (500–1000 K, docs/benchmarks.md) the
    /// share of hops a 0.5 ps window calls concerted was 54–94 % for uncorrelated hopping alone (ratio to chance
    /// 1.02–1.20), too wide to show correlation; at 0.1 ps the uncorrelated share stays below half at every temperature
    /// (15–44 %) and the ratio is 1.13–1.43. Shorter windows approach the sampling interval, which sets how well hop times
    /// are known.
    /// </summary>
    public const double DefaultConcertedTime = 100;
    /// <summary>Time window of concerted hops (fs).</summary>
    public double ConcertedTime { get; init; } = DefaultConcertedTime;
    /// <summary>Distance window of concerted hops (Å).</summary>
    public double ConcertedDistance { get; init; } = 5;
    /// <summary>
    /// Time windows (fs) at which the concerted share is also reported, beside <see cref="ConcertedTime"/>: one window
    /// cannot tell correlation from chance at every hop rate (at LGPS's 900 K rates, 0.5 ps and 5 Å catch 94 % of hops even
    /// when uncorrelated), while the ratio to the uncorrelated share across windows shows over what time hops cluster.
    /// </summary>
    public double[] ScanTimes { get; init; } = [50, 100, 200, 500, 1000];
    /// <summary>Random trials of the uncorrelated baseline.</summary>
    public int Trials { get; init; } = 50;
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// Site-to-site hops of a mobile species from a recorded trajectory: each atom is assigned to the nearest site when it
/// comes within the capture radius of it, and a hop is a change of that assignment. From the hops: rates per site type,
/// transition counts, the share of immediate returns, and the share of concerted hops against uncorrelated hopping.
/// </summary>
public static class HopAnalysis
{
    public static HopStatistics Analyse(DisplacementRecorder run, SiteSet sites, HopSettings? settings = null)
    {
        settings ??= new HopSettings();
        if (!run.HasCells) throw new ArgumentException("hop analysis needs frames recorded with their cells");
        if (run.FrameCount < 2) throw new ArgumentException("hop analysis needs at least two frames");
        var capture = settings.CaptureRadius ?? Math.Min(1.0, 0.4 * (sites.Count > 1 ? sites.SmallestSeparation() : 2.5));
        if (!(capture > 0)) throw new ArgumentException($"the capture radius must be positive (got {capture} Å)");
        var atoms = run.AtomCount;
        var current = new int[atoms];
        var previous = Enumerable.Repeat(-1, atoms).ToArray();
        var lastAtCurrent = new double[atoms];
        var arrivedAt = new double[atoms];
        var residence = new double[sites.Count];
        var hops = new List<Hop>();

        var first = run.FractionalPositions(0);
        for (var a = 0; a < atoms; a++) current[a] = sites.Nearest(first[a], run.CellAt(0)).Site;
        for (var f = 0; f < run.FrameCount; f++)
        {
            var time = f * run.Interval;
            var positions = f == 0 ? first : run.FractionalPositions(f);
            var cell = run.CellAt(f);
            for (var a = 0; a < atoms; a++)
            {
                var (site, distance) = sites.Nearest(positions[a], cell);
                if (distance > capture) continue;
                if (site == current[a]) { lastAtCurrent[a] = time; continue; }
                var vector = SiteSet.MinimumImage(sites.Cell, sites.Sites[current[a]].Fractional, sites.Sites[site].Fractional);
                var midpoint = sites.Cell.ToCartesian(sites.Sites[current[a]].Fractional) + 0.5 * vector;
                hops.Add(new Hop(a, current[a], site, lastAtCurrent[a], time, midpoint, vector.Length, site == previous[a]));
                residence[current[a]] += time - arrivedAt[a];
                arrivedAt[a] = time;
                previous[a] = current[a];
                current[a] = site;
                lastAtCurrent[a] = time;
            }
        }
        var duration = (run.FrameCount - 1) * run.Interval;
        for (var a = 0; a < atoms; a++) residence[current[a]] += duration - arrivedAt[a];

        var rates = sites.Types.Select(type =>
        {
            var members = Enumerable.Range(0, sites.Count).Where(s => sites.Sites[s].Type == type).ToArray();
            var count = hops.Count(h => sites.Sites[h.From].Type == type);
            var time = members.Sum(s => residence[s]);
            return new SiteTypeRate(type, members.Length, count, time, time > 0 ? count / (time / 1000) : double.NaN,
                duration > 0 ? time / (members.Length * duration) : double.NaN);
        }).ToArray();
        var transitions = hops.GroupBy(h => (From: sites.Sites[h.From].Type, To: sites.Sites[h.To].Type))
            .OrderBy(g => g.Key.From, StringComparer.Ordinal).ThenBy(g => g.Key.To, StringComparer.Ordinal)
            .Select(g => new TransitionCount(g.Key.From, g.Key.To, g.Count(), g.Average(h => h.Distance))).ToArray();
        var concerted = Concerted(hops, sites.Cell, duration, atoms, settings);
        var scan = settings.ScanTimes.Select(t => Concerted(hops, sites.Cell, duration, atoms, settings with { ConcertedTime = t })).ToArray();
        var returns = hops.Count > 0 ? hops.Count(h => h.Returns) / (double)hops.Count : double.NaN;
        return new HopStatistics(hops, rates, transitions, concerted, duration, atoms, capture, returns, scan);
    }

    /// <summary>
    /// The share of hops with another atom's hop within the time and distance windows, and the same share after shifting
    /// every atom's hop times by an independent random offset (cyclic in the run), averaged over the trials.
    /// </summary>
    public static ConcertedHops Concerted(IReadOnlyList<Hop> hops, Cell cell, double duration, int atoms, HopSettings settings)
    {
        if (!(settings.ConcertedTime >= 0) || !(settings.ConcertedDistance >= 0))
            throw new ArgumentException("the concerted-hop windows must be ≥ 0");
        if (settings.Trials < 1) throw new ArgumentException("the uncorrelated baseline needs at least one trial");
        var times = hops.Select(h => h.Time).ToArray();
        var observed = Share(hops, times, cell, settings);
        var random = new Random(unchecked((int)settings.Seed));
        var shares = new double[settings.Trials];
        var offsets = new double[atoms];
        var shifted = new double[hops.Count];
        for (var t = 0; t < settings.Trials; t++)
        {
            for (var a = 0; a < atoms; a++) offsets[a] = random.NextDouble() * duration;
            for (var h = 0; h < hops.Count; h++)
            {
                var s = times[h] + offsets[hops[h].Atom];
                shifted[h] = duration > 0 ? s % duration : s;
            }
            shares[t] = Share(hops, shifted, cell, settings);
        }
        var mean = shares.Average();
        var spread = shares.Length > 1 ? Math.Sqrt(shares.Sum(s => (s - mean) * (s - mean)) / (shares.Length - 1)) : 0;
        return new ConcertedHops(settings.ConcertedTime, settings.ConcertedDistance, hops.Count, observed, mean, spread, settings.Trials);
    }

    /// <summary>Share of hops with a partner: sorted by time, each hop looks only at those inside its time window.</summary>
    private static double Share(IReadOnlyList<Hop> hops, double[] times, Cell cell, HopSettings settings)
    {
        if (hops.Count == 0) return double.NaN;
        var order = Enumerable.Range(0, hops.Count).OrderBy(h => times[h]).ToArray();
        var midpoints = hops.Select(h => cell.ToFractional(h.Midpoint)).ToArray();
        var orthogonal = IsOrthogonal(cell);
        var together = new bool[hops.Count];
        var d2 = settings.ConcertedDistance * settings.ConcertedDistance;
        for (var i = 0; i < order.Length; i++)
        {
            var a = order[i];
            for (var j = i + 1; j < order.Length && times[order[j]] - times[a] <= settings.ConcertedTime; j++)
            {
                var b = order[j];
                if (hops[a].Atom == hops[b].Atom) continue;
                // Rounding gives the nearest image in an orthogonal cell; a skewed one may need the neighbouring images.
                var r2 = cell.ToCartesian(SiteSet.RoundedImage(midpoints[b] - midpoints[a])).LengthSquared;
                if (r2 > d2 && !orthogonal) r2 = SiteSet.MinimumImage(cell, midpoints[a], midpoints[b]).LengthSquared;
                if (r2 > d2) continue;
                together[a] = together[b] = true;
            }
        }
        return together.Count(x => x) / (double)hops.Count;
    }

    private static bool IsOrthogonal(Cell cell)
    {
        double Cos(Vec3 u, Vec3 v) => Math.Abs(Vec3.Dot(u, v)) / (u.Length * v.Length);
        return Cos(cell.A, cell.B) < 1e-9 && Cos(cell.A, cell.C) < 1e-9 && Cos(cell.B, cell.C) < 1e-9;
    }
}
