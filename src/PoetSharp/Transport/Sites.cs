using System.Globalization;
using PoetSharp.Atoms;
using PoetSharp.Simulation;

namespace PoetSharp.Transport;

/// <summary>One site a mobile ion occupies: fractional position in the cell and its type (sites of one type are equivalent).</summary>
public sealed record Site(Vec3 Fractional, string Type);

/// <summary>A set of sites in one cell, with distances by the minimum image.</summary>
public sealed class SiteSet
{
    public Cell Cell { get; }
    public IReadOnlyList<Site> Sites { get; }
    /// <summary>Site types, most populous first.</summary>
    public IReadOnlyList<string> Types { get; }
    /// <summary>How each type was found or given, in words (e.g. its nearest host atoms), by type.</summary>
    public IReadOnlyDictionary<string, string> Descriptions { get; }
    public int Count => Sites.Count;

    public SiteSet(Cell cell, IReadOnlyList<Site> sites, IReadOnlyDictionary<string, string>? descriptions = null)
    {
        if (!cell.FullyPeriodic) throw new ArgumentException("sites need a fully periodic cell");
        if (sites.Count == 0) throw new ArgumentException("no sites");
        Cell = cell;
        Sites = sites.Select(s => s with { Fractional = DisplacementRecorder.Wrap(s.Fractional) }).ToArray();
        Types = Sites.GroupBy(s => s.Type).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).ToArray();
        Descriptions = descriptions ?? new Dictionary<string, string>();
    }

    /// <summary>A fractional difference with whole cells removed (each component in [−½, ½]).</summary>
    public static Vec3 RoundedImage(Vec3 d) => new(d.X - Math.Round(d.X), d.Y - Math.Round(d.Y), d.Z - Math.Round(d.Z));

    /// <summary>Cartesian vector from fractional a to fractional b by the minimum image (exact for reduced cells; Å).</summary>
    public static Vec3 MinimumImage(Cell cell, Vec3 a, Vec3 b)
    {
        var d = RoundedImage(b - a);
        var best = cell.ToCartesian(d);
        // Skewed cells: the rounded image is not always the nearest; look at the neighbouring images too.
        var bestLength = best.LengthSquared;
        for (var i = -1; i <= 1; i++)
            for (var j = -1; j <= 1; j++)
                for (var k = -1; k <= 1; k++)
                {
                    if (i == 0 && j == 0 && k == 0) continue;
                    var v = cell.ToCartesian(new Vec3(d.X + i, d.Y + j, d.Z + k));
                    if (v.LengthSquared < bestLength) { best = v; bestLength = v.LengthSquared; }
                }
        return best;
    }

    /// <summary>The nearest site to a fractional position (in <paramref name="cell"/>, which may differ from the sites' own in NPT) and its distance (Å).</summary>
    /// <remarks>Rounding each fractional difference finds the true nearest image whenever it is closer than half the cell's
    /// smallest height (then every fractional component is below ½), which covers every distance a capture radius asks about.</remarks>
    public (int Site, double Distance) Nearest(Vec3 fractional, Cell cell)
    {
        int best = -1;
        var bestDistance = double.PositiveInfinity;
        for (var s = 0; s < Sites.Count; s++)
        {
            var r = cell.ToCartesian(RoundedImage(Sites[s].Fractional - fractional)).LengthSquared;
            if (r < bestDistance) { bestDistance = r; best = s; }
        }
        return (best, Math.Sqrt(bestDistance));
    }

    /// <summary>The shortest distance between two sites (Å).</summary>
    public double SmallestSeparation()
    {
        var best = double.PositiveInfinity;
        for (var a = 0; a < Sites.Count; a++)
            for (var b = a + 1; b < Sites.Count; b++)
                best = Math.Min(best, MinimumImage(Cell, Sites[a].Fractional, Sites[b].Fractional).Length);
        return best;
    }

    /// <summary>
    /// Reads sites from a text file: one site per line, <c>TYPE fa fb fc</c> (fractional coordinates in the simulated cell),
    /// blank lines and text after '#' ignored. Errors name the file and line.
    /// </summary>
    public static SiteSet Read(string path, Cell cell)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such sites file", path);
        var sites = new List<Site>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 4) throw new FormatException($"{path}:{lineNumber}: expected 'TYPE fa fb fc', got {parts.Length} fields");
            var f = new double[3];
            for (var k = 0; k < 3; k++)
                if (!double.TryParse(parts[k + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out f[k]) || !double.IsFinite(f[k]))
                    throw new FormatException($"{path}:{lineNumber}: '{parts[k + 1]}' is not a finite fractional coordinate");
            sites.Add(new Site(new Vec3(f[0], f[1], f[2]), parts[0]));
        }
        if (sites.Count == 0) throw new FormatException($"{path}: no sites in the file");
        var set = new SiteSet(cell, sites, sites.Select(s => s.Type).Distinct().ToDictionary(t => t, _ => "given in " + Path.GetFileName(path)));
        var shortest = set.Count > 1 ? set.SmallestSeparation() : double.PositiveInfinity;
        if (shortest < 0.1) throw new FormatException($"{path}: two sites are {shortest:G3} Å apart (the same site listed twice?)");
        return set;
    }

    /// <summary>Writes the sites in the format <see cref="Read"/> reads.</summary>
    public void Write(string path)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("# site type, fractional coordinates fa fb fc");
        foreach (var (type, text) in Descriptions) writer.WriteLine($"# {type}: {text}");
        foreach (var s in Sites)
            writer.WriteLine(FormattableString.Invariant($"{s.Type} {s.Fractional.X:F6} {s.Fractional.Y:F6} {s.Fractional.Z:F6}"));
    }
}

/// <summary>Settings of <see cref="SiteFinder.FromDensity"/>.</summary>
public sealed record SiteFinderSettings
{
    /// <summary>Spacing of the density grid (Å).</summary>
    public double GridSpacing { get; init; } = 0.2;
    /// <summary>Width σ of the Gaussian that smooths the histogram (Å).</summary>
    public double Smoothing { get; init; } = 0.3;
    /// <summary>Maxima closer than this to a denser one are the same site (Å).</summary>
    public double MinimumSeparation { get; init; } = 1.0;
    /// <summary>A maximum counts as a site when its density is at least this fraction of the highest.</summary>
    public double MinimumRelativeDensity { get; init; } = 0.02;
    /// <summary>Sites whose nearest host atoms differ by at most this (Å, distance by distance) are of one type.</summary>
    public double TypeTolerance { get; init; } = 0.25;
    /// <summary>Host neighbours compared when typing sites.</summary>
    public int TypeNeighbours { get; init; } = 6;
}

/// <summary>
/// Finds the sites of a mobile species from where its atoms spend their time: the time-averaged density on a grid
/// (histogram of every recorded position in the crystal frame, smoothed by a Gaussian), whose local maxima are the sites.
/// Sites are then typed by their environment — the distances to their nearest host atoms (time-averaged positions):
/// sites with the same distances are crystallographically alike, which is what a hop rate per site type needs.
/// </summary>
public static class SiteFinder
{
    public static SiteSet FromDensity(IReadOnlyList<DisplacementRecorder> runs, SiteFinderSettings? settings = null)
    {
        settings ??= new SiteFinderSettings();
        if (runs.Count == 0) throw new ArgumentException("no trajectory to find sites in");
        foreach (var r in runs)
            if (!r.HasCells) throw new ArgumentException("site finding needs frames recorded with their cells");
        var cell = runs[0].MeanCell();
        var n = new int[3];
        for (var k = 0; k < 3; k++) n[k] = Math.Max(4, (int)Math.Ceiling(cell[k].Length / settings.GridSpacing));
        var grid = new double[n[0] * n[1] * n[2]];
        int Index(int i, int j, int k) => (Mod(i, n[0]) * n[1] + Mod(j, n[1])) * n[2] + Mod(k, n[2]);

        // Histogram by cloud-in-cell (trilinear) deposition: smoother than nearest-point binning for the same grid.
        foreach (var run in runs)
            for (var f = 0; f < run.FrameCount; f++)
                foreach (var s in run.FractionalPositions(f))
                {
                    double gx = s.X * n[0], gy = s.Y * n[1], gz = s.Z * n[2];
                    int i0 = (int)Math.Floor(gx), j0 = (int)Math.Floor(gy), k0 = (int)Math.Floor(gz);
                    double fx = gx - i0, fy = gy - j0, fz = gz - k0;
                    for (var di = 0; di < 2; di++)
                        for (var dj = 0; dj < 2; dj++)
                            for (var dk = 0; dk < 2; dk++)
                                grid[Index(i0 + di, j0 + dj, k0 + dk)] += (di == 0 ? 1 - fx : fx) * (dj == 0 ? 1 - fy : fy) * (dk == 0 ? 1 - fz : fz);
                }

        // Separable periodic Gaussian smoothing along the three grid directions (exact for orthogonal cells, a close
        // approximation for mildly skewed ones: the width is set in Å along each cell vector).
        for (var axis = 0; axis < 3; axis++)
        {
            var step = cell[axis].Length / n[axis];
            var half = Math.Min(n[axis] / 2, (int)Math.Ceiling(3 * settings.Smoothing / step));
            var kernel = Enumerable.Range(-half, 2 * half + 1).Select(m => Math.Exp(-0.5 * Math.Pow(m * step / settings.Smoothing, 2))).ToArray();
            var copy = (double[])grid.Clone();
            for (var i = 0; i < n[0]; i++)
                for (var j = 0; j < n[1]; j++)
                    for (var k = 0; k < n[2]; k++)
                    {
                        var sum = 0.0;
                        for (var m = -half; m <= half; m++)
                            sum += kernel[m + half] * copy[axis switch { 0 => Index(i + m, j, k), 1 => Index(i, j + m, k), _ => Index(i, j, k + m) }];
                        grid[Index(i, j, k)] = sum;
                    }
        }

        var peak = grid.Max();
        if (!(peak > 0)) throw new ArgumentException("no recorded positions to find sites in");
        var maxima = new List<(Vec3 Fractional, double Density)>();
        for (var i = 0; i < n[0]; i++)
            for (var j = 0; j < n[1]; j++)
                for (var k = 0; k < n[2]; k++)
                {
                    var v = grid[Index(i, j, k)];
                    if (v < settings.MinimumRelativeDensity * peak) continue;
                    var isMax = true;
                    for (var di = -1; di <= 1 && isMax; di++)
                        for (var dj = -1; dj <= 1 && isMax; dj++)
                            for (var dk = -1; dk <= 1 && isMax; dk++)
                                if ((di, dj, dk) != (0, 0, 0) && grid[Index(i + di, j + dj, k + dk)] > v) isMax = false;
                    if (isMax) maxima.Add((new Vec3((double)i / n[0], (double)j / n[1], (double)k / n[2]), v));
                }

        // Densest first; a maximum within the minimum separation of an accepted site is a shoulder of that site.
        var accepted = new List<Vec3>();
        foreach (var (f, _) in maxima.OrderByDescending(m => m.Density))
            if (accepted.All(a => SiteSet.MinimumImage(cell, a, f).Length >= settings.MinimumSeparation)) accepted.Add(f);

        return Typed(cell, accepted, runs[0], settings);
    }

    private static int Mod(int i, int n) => ((i % n) + n) % n;

    /// <summary>Types sites by the sorted distances to their nearest host atoms (time-averaged), named A, B, … by descending count.</summary>
    private static SiteSet Typed(Cell cell, List<Vec3> sites, DisplacementRecorder run, SiteFinderSettings settings)
    {
        var host = run.MeanHostFractionalPositions();
        var hostSpecies = run.HostAtoms.Select(i => run.AllSpecies[i]).ToArray();
        var neighbours = Math.Min(settings.TypeNeighbours, host.Length);
        var fingerprints = sites.Select(s => host.Select((h, k) => (Distance: SiteSet.MinimumImage(cell, s, h).Length, Species: hostSpecies[k]))
            .OrderBy(x => x.Distance).Take(neighbours).ToArray()).ToArray();
        var representatives = new List<(double Distance, string Species)[]>();
        var typeOf = new int[sites.Count];
        for (var s = 0; s < sites.Count; s++)
        {
            var match = representatives.FindIndex(r => r.Length == fingerprints[s].Length
                && r.Zip(fingerprints[s]).All(p => Math.Abs(p.First.Distance - p.Second.Distance) <= settings.TypeTolerance));
            if (match < 0) { representatives.Add(fingerprints[s]); match = representatives.Count - 1; }
            typeOf[s] = match;
        }
        // Name types by descending population, so the labels do not depend on the order maxima were found in.
        var order = Enumerable.Range(0, representatives.Count).OrderByDescending(t => typeOf.Count(x => x == t)).ToArray();
        var names = new string[representatives.Count];
        for (var rank = 0; rank < order.Length; rank++) names[order[rank]] = TypeName(rank);
        var descriptions = new Dictionary<string, string>();
        for (var t = 0; t < representatives.Count; t++)
        {
            var members = Enumerable.Range(0, sites.Count).Where(s => typeOf[s] == t).ToArray();
            var r = representatives[t];
            descriptions[names[t]] = host.Length == 0
                ? $"{members.Length} sites"
                : $"{members.Length} sites; nearest host atoms " + string.Join(", ", r.Take(4).Select(x => FormattableString.Invariant($"{x.Species} {x.Distance:F2}"))) + " Å";
        }
        return new SiteSet(cell, sites.Select((f, s) => new Site(f, names[typeOf[s]])).ToArray(), descriptions);
    }

    private static string TypeName(int rank) => rank < 26 ? ((char)('A' + rank)).ToString() : "T" + (rank + 1).ToString(CultureInfo.InvariantCulture);
}
