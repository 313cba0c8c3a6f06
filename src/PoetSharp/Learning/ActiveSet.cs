namespace PoetSharp.Learning;

/// <summary>Where a row of an active set comes from: a training structure and, for neighbourhood rows, its atom (−1: the whole configuration).</summary>
public readonly record struct RowSource(int Structure, int Atom)
{
    /// <summary>A virtual row λ·e_k: it holds a direction no training data has explored yet.</summary>
    public static readonly RowSource Virtual = new(-1, -1);
    public bool IsVirtual => Structure < 0;
}

/// <summary>
/// The D-optimality active set of Podryabinkin and Shapeev (2017): m rows (m = number of linear parameters) chosen from the
/// training data by <see cref="MaxVol"/> so that |det S| is locally maximal. The extrapolation grade of a new row b is
/// γ = max_k |(b S⁻¹)_k|: the largest factor by which swapping b into the set would grow |det S|. γ ≤ 1 means b is an
/// interpolation of the active rows' span; γ &gt; 1 that it extends the data.
/// <para>
/// Columns are scaled by their root mean square over the rows the set was built from, which leaves every grade unchanged
/// (b D (S D)⁻¹ = b S⁻¹) but keeps the elimination well conditioned. When the data do not span all m directions, the
/// missing ones are held by virtual rows λ·e_k (λ in scaled units, <see cref="DefaultVirtualRowSize"/> unless given): a configuration with a
/// component along an unexplored direction then grades far above any threshold, which is the point of learning on the fly.
/// </para>
/// Immutable; <see cref="Grade"/> is thread-safe.
/// </summary>
public sealed class ActiveSet
{
    /// <summary>
    /// Default size of a virtual row in column-scaled units. Chosen by bench/lotf-copper.sh's sweep (10⁻⁸, 10⁻³, 10⁻², 10⁻¹;
    /// docs/learning.md): near rounding (10⁻⁸), the first MD steps away from a few starting lattices already grade 10⁷ and the
    /// loop spends its calls on near-copies of them; 10⁻² needed a third of the calls for the same errors.
    /// </summary>
    public const double DefaultVirtualRowSize = 1e-2;

    private readonly double[] _scale;     // column RMS (1 where zero)
    private readonly double[][] _rows;    // m scaled rows
    private readonly double[] _inverse;   // S⁻¹, row-major m × m
    [ThreadStatic] private static double[]? t_scratch;

    public int Width { get; }
    public IReadOnlyList<RowSource> Sources { get; }
    /// <summary>How many of the m rows are virtual (directions no data has explored).</summary>
    public int VirtualRows => Sources.Count(s => s.IsVirtual);
    /// <summary>Training structures that own at least one active row.</summary>
    public IReadOnlyList<int> Structures => Sources.Where(s => !s.IsVirtual).Select(s => s.Structure).Distinct().Order().ToArray();

    private ActiveSet(double[] scale, double[][] rows, RowSource[] sources, double[] inverse)
    {
        _scale = scale;
        _rows = rows;
        Sources = sources;
        _inverse = inverse;
        Width = scale.Length;
    }

    /// <summary>Builds the active set of <paramref name="rows"/> (unscaled, all of one width) with their sources.</summary>
    /// <param name="virtualRowSize">λ: a direction the data leave unexplored counts as explored to this amplitude (column-scaled units).
    /// Larger values grade small excursions along such directions lower (a regularisation of S).</param>
    public static ActiveSet Build(IReadOnlyList<double[]> rows, IReadOnlyList<RowSource> sources, int width, double virtualRowSize = DefaultVirtualRowSize)
    {
        if (!(virtualRowSize > 0) || !double.IsFinite(virtualRowSize)) throw new ArgumentException($"the virtual row size must be positive (got {virtualRowSize})");
        if (rows.Count != sources.Count) throw new ArgumentException($"{rows.Count} rows but {sources.Count} sources");
        foreach (var r in rows)
        {
            if (r.Length != width) throw new ArgumentException($"a row of length {r.Length} for an active set of width {width}");
            foreach (var x in r)
                if (!double.IsFinite(x)) throw new ArgumentException("a row of the active set is not finite");
        }
        var scale = new double[width];
        foreach (var r in rows)
            for (var k = 0; k < width; k++) scale[k] += r[k] * r[k];
        for (var k = 0; k < width; k++) scale[k] = scale[k] > 0 ? Math.Sqrt(scale[k] / rows.Count) : 1;

        // Data rows, then one virtual row per column: MaxVol's greedy start takes a virtual row only for a column the
        // data leave (numerically) empty, and later swaps replace it as soon as a data row does better.
        var all = new List<double[]>(rows.Count + width);
        all.AddRange(rows.Select(r => Scaled(r, scale)));
        for (var k = 0; k < width; k++)
        {
            var e = new double[width];
            e[k] = virtualRowSize;
            all.Add(e);
        }
        var selection = MaxVol.Select(all);
        if (selection.Singular) throw new InvalidOperationException("the active set is singular even with virtual rows (a bug)");
        var chosen = selection.Rows.Select(i => all[i]).ToArray();
        var chosenSources = selection.Rows.Select(i => i < rows.Count ? sources[i] : RowSource.Virtual).ToArray();
        var inverse = MaxVol.Invert(chosen, width) ?? throw new InvalidOperationException("the active set is singular (a bug)");
        return new ActiveSet(scale, chosen, chosenSources, inverse);
    }

    private static double[] Scaled(ReadOnlySpan<double> row, double[] scale)
    {
        var s = new double[scale.Length];
        for (var k = 0; k < s.Length; k++) s[k] = row[k] / scale[k];
        return s;
    }

    /// <summary>The extrapolation grade γ = max_k |(b S⁻¹)_k| of one unscaled row.</summary>
    public double Grade(ReadOnlySpan<double> row)
    {
        if (row.Length != Width) throw new ArgumentException($"a row of length {row.Length} for an active set of width {Width}");
        var scaled = t_scratch is { } s && s.Length >= 2 * Width ? s : t_scratch = new double[2 * Width];
        var b = scaled.AsSpan(0, Width);
        var c = scaled.AsSpan(Width, Width);
        for (var k = 0; k < Width; k++) b[k] = row[k] / _scale[k];
        MaxVol.MultiplyRow(b, _inverse, Width, c);
        var grade = 0.0;
        for (var k = 0; k < Width; k++)
        {
            var v = Math.Abs(c[k]);
            if (!(v <= grade)) grade = v; // NaN propagates as the grade
        }
        return grade;
    }

    /// <summary>
    /// This set after MaxVol has swapped in whichever of <paramref name="rows"/> (unscaled) enlarge |det S| (column scales
    /// kept): the active set once those rows join the data; <paramref name="source"/> is recorded for each row that enters.
    /// </summary>
    public ActiveSet With(IReadOnlyList<double[]> rows, RowSource source, double tolerance = 1e-9)
    {
        if (rows.Count == 0) return this;
        var all = new List<double[]>(_rows.Length + rows.Count);
        all.AddRange(_rows);
        foreach (var r in rows)
        {
            if (r.Length != Width) throw new ArgumentException($"a row of length {r.Length} for an active set of width {Width}");
            foreach (var x in r)
                if (!double.IsFinite(x)) throw new ArgumentException("a row offered to the active set is not finite");
            all.Add(Scaled(r, _scale));
        }
        var selection = MaxVol.Select(all, Enumerable.Range(0, Width).ToArray(), tolerance);
        if (selection.Swaps == 0) return this;
        var chosen = selection.Rows.Select(i => all[i]).ToArray();
        var sources = selection.Rows.Select(i => i < Width ? Sources[i] : source).ToArray();
        var inverse = MaxVol.Invert(chosen, Width) ?? throw new InvalidOperationException("the active set became singular (a bug)");
        return new ActiveSet(_scale, chosen, sources, inverse);
    }

    /// <summary>The grade of a group of rows (a configuration's neighbourhoods): the largest of theirs.</summary>
    public double Grade(IReadOnlyList<double[]> rows)
    {
        var grade = 0.0;
        foreach (var r in rows)
        {
            var g = Grade(r);
            if (!(g <= grade)) grade = g;
        }
        return grade;
    }

    /// <summary>
    /// A covering batch: which of <paramref name="groups"/> (each a configuration's rows, unscaled) to label so that, once
    /// they join the data, no other group grades above <paramref name="threshold"/>. Greedy: the highest-graded group is
    /// taken, folded into the set by MaxVol (<see cref="With"/>), and the rest graded again, until none is above the
    /// threshold or <paramref name="limit"/> groups are taken (0: no limit). Returns indices into
    /// <paramref name="groups"/>, in the order taken; in the set they are folded into, the rows of the k-th group taken
    /// count as training structure <paramref name="sourceOffset"/> + k.
    /// <para>
    /// Why not every group that owns a row MaxVol swaps in (<see cref="SelectEntering"/>): among near-copies from one MD
    /// run, each may own a row that enlarges |det S| a little once the others are in, so that rule sends all of them to
    /// the oracle; after the first is labelled the others mostly interpolate. Covering asks for the fewest labels that
    /// leave every candidate inside the data, which is what an expensive oracle should be asked for.
    /// </para>
    /// </summary>
    public int[] SelectCovering(IReadOnlyList<IReadOnlyList<double[]>> groups, double threshold, int limit = 0, int threads = -1, int sourceOffset = 0) =>
        SelectCovering(groups, threshold, limit, threads, sourceOffset, out _);

    /// <inheritdoc cref="SelectCovering(IReadOnlyList{IReadOnlyList{double[]}}, double, int, int, int)"/>
    /// <param name="grown">This set with the chosen groups folded in, in the order taken.</param>
    public int[] SelectCovering(IReadOnlyList<IReadOnlyList<double[]>> groups, double threshold, int limit, int threads, int sourceOffset, out ActiveSet grown)
    {
        if (!(threshold >= 1) || !double.IsFinite(threshold)) throw new ArgumentException($"the covering threshold must be at least 1 (got {threshold})");
        var taken = new List<int>();
        var open = Enumerable.Range(0, groups.Count).ToList();
        var set = this;
        var grades = new double[groups.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads < 1 ? -1 : threads };
        while (open.Count > 0 && (limit <= 0 || taken.Count < limit))
        {
            var current = set;
            Parallel.ForEach(open, options, g => grades[g] = current.Grade(groups[g]));
            // The highest grade first; ties (and NaN, which should not occur) by index, so the choice is deterministic.
            var best = open.Where(g => double.IsFinite(grades[g])).DefaultIfEmpty(-1).MaxBy(g => g < 0 ? double.NegativeInfinity : grades[g]);
            if (best < 0) break;
            if (!(grades[best] > threshold)) break;
            set = set.With(groups[best], new RowSource(sourceOffset + taken.Count, -1));
            taken.Add(best);
            open.Remove(best);
        }
        grown = set;
        return taken.ToArray();
    }

    /// <summary>
    /// Which of <paramref name="candidates"/> (unscaled rows) MaxVol would swap into this set: the rows that most enlarge
    /// |det S|, at most m of them. Returns their indices into <paramref name="candidates"/>, in increasing order.
    /// </summary>
    public int[] SelectEntering(IReadOnlyList<double[]> candidates, double tolerance = 1e-9)
    {
        if (candidates.Count == 0) return [];
        var all = new List<double[]>(_rows.Length + candidates.Count);
        all.AddRange(_rows);
        foreach (var r in candidates)
        {
            if (r.Length != Width) throw new ArgumentException($"a row of length {r.Length} for an active set of width {Width}");
            all.Add(Scaled(r, _scale));
        }
        var start = Enumerable.Range(0, Width).ToArray();
        var selection = MaxVol.Select(all, start, tolerance);
        return selection.Rows.Where(i => i >= Width).Select(i => i - Width).Order().ToArray();
    }
}
