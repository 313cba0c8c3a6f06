namespace PoetSharp.Search;

/// <summary>
/// The non-dominated models seen so far over (validation fitness, cost per pair, complexity): a model enters unless an
/// archived one dominates it (or has the same form and is no worse), and pushes out those it dominates. Beyond
/// <see cref="Capacity"/> the most crowded members (NSGA-II crowding distance) are dropped, never an extreme one.
/// Members are kept sorted by complexity, then fitness, so that the archive's content does not depend on the order of
/// offers among equal models.
/// </summary>
public sealed class Archive(int capacity)
{
    private readonly List<Candidate> _members = new();

    public int Capacity { get; } = capacity;
    public IReadOnlyList<Candidate> Members => _members;

    public bool Offer(Candidate candidate)
    {
        // A candidate whose physics was only estimated could not have entered when it was scored.
        if (candidate.Physics == PhysicsStatus.Estimated) return false;
        var point = candidate.ArchiveObjectives();
        var hash = candidate.Hash;
        foreach (var m in _members)
        {
            var other = m.ArchiveObjectives();
            if (Pareto.Dominates(other, point)) return false;
            if (m.Hash == hash && !Pareto.Dominates(point, other)) return false;
            if (other.AsSpan().SequenceEqual(point)) return false;
        }
        _members.RemoveAll(m => Pareto.Dominates(point, m.ArchiveObjectives()) || m.Hash == hash);
        _members.Add(candidate);
        if (_members.Count > Capacity) Thin();
        _members.Sort(Order);
        return true;
    }

    /// <summary>Whether a candidate scoring at best <paramref name="point"/> (archive objectives) could enter: no member dominates or equals it.</summary>
    public bool CouldEnter(double[] point)
    {
        foreach (var m in _members)
        {
            var other = m.ArchiveObjectives();
            if (Pareto.Dominates(other, point) || other.AsSpan().SequenceEqual(point)) return false;
        }
        return true;
    }

    private static int Order(Candidate a, Candidate b)
    {
        var c = a.Complexity.CompareTo(b.Complexity);
        if (c == 0) c = a.ValidationFitness.CompareTo(b.ValidationFitness);
        if (c == 0) c = a.CostPerPair.CompareTo(b.CostPerPair);
        // The exact text tells apart trees that print alike once their signs are folded.
        if (c == 0) c = string.CompareOrdinal(Models.ExpressionPrinter.PrintExact(a.Expression), Models.ExpressionPrinter.PrintExact(b.Expression));
        return c;
    }

    private void Thin()
    {
        while (_members.Count > Capacity)
        {
            var points = _members.Select(m => m.ArchiveObjectives()).ToArray();
            var d = Pareto.Crowding(points, Enumerable.Range(0, points.Length).ToArray());
            var worst = 0;
            for (var i = 1; i < d.Length; i++) if (d[i] < d[worst]) worst = i;
            _members.RemoveAt(worst);
        }
    }

    /// <summary>The non-dominated union of several archives, as one archive.</summary>
    public static Archive Merge(IEnumerable<Archive> archives, int capacity)
    {
        var merged = new Archive(capacity);
        foreach (var c in archives.SelectMany(a => a.Members).OrderBy(c => c, Comparer<Candidate>.Create(Order))) merged.Offer(c);
        return merged;
    }
}
