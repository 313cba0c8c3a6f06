namespace PoetSharp.Search;

/// <summary>
/// NSGA-II's selection machinery (Deb et al., IEEE Trans. Evol. Comput. 6, 182 (2002)) over objective vectors, all
/// minimised: fast non-dominated sorting into fronts, crowding distance within a front, the crowded-comparison
/// tournament for parents and the elitist truncation that keeps the next population. Ties are broken by index so that
/// the result depends only on the input order (the search is reproducible).
/// </summary>
public static class Pareto
{
    /// <summary>a dominates b: no worse in every objective and better in one.</summary>
    public static bool Dominates(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var better = false;
        for (var k = 0; k < a.Length; k++)
        {
            if (a[k] > b[k]) return false;
            if (a[k] < b[k]) better = true;
        }
        return better;
    }

    /// <summary>Fronts of indices: front 0 is non-dominated, front 1 is non-dominated once front 0 is removed, …</summary>
    public static List<List<int>> Sort(IReadOnlyList<double[]> points)
    {
        var n = points.Count;
        var dominatedBy = new int[n];
        var dominates = new List<int>[n];
        var fronts = new List<List<int>> { new() };
        for (var p = 0; p < n; p++)
        {
            dominates[p] = new List<int>();
            for (var q = 0; q < n; q++)
            {
                if (p == q) continue;
                if (Dominates(points[p], points[q])) dominates[p].Add(q);
                else if (Dominates(points[q], points[p])) dominatedBy[p]++;
            }
            if (dominatedBy[p] == 0) fronts[0].Add(p);
        }
        for (var f = 0; fronts[f].Count > 0; f++)
        {
            var next = new List<int>();
            foreach (var p in fronts[f])
                foreach (var q in dominates[p])
                    if (--dominatedBy[q] == 0) next.Add(q);
            next.Sort();
            fronts.Add(next);
        }
        fronts.RemoveAt(fronts.Count - 1);
        return fronts;
    }

    /// <summary>Crowding distance of each member of a front (∞ for the extremes of any objective).</summary>
    public static double[] Crowding(IReadOnlyList<double[]> points, IReadOnlyList<int> front)
    {
        var distance = new double[front.Count];
        if (front.Count == 0) return distance;
        var m = points[front[0]].Length;
        var order = new int[front.Count];
        for (var k = 0; k < m; k++)
        {
            for (var i = 0; i < order.Length; i++) order[i] = i;
            var objective = k;
            Array.Sort(order, (x, y) =>
            {
                var c = points[front[x]][objective].CompareTo(points[front[y]][objective]);
                return c != 0 ? c : x.CompareTo(y);
            });
            double low = points[front[order[0]]][k], high = points[front[order[^1]]][k];
            distance[order[0]] = distance[order[^1]] = double.PositiveInfinity;
            if (high <= low) continue;
            for (var i = 1; i < order.Length - 1; i++)
                distance[order[i]] += (points[front[order[i + 1]]][k] - points[front[order[i - 1]]][k]) / (high - low);
        }
        return distance;
    }

    /// <summary>Rank (front number) and crowding distance of every point.</summary>
    public static (int[] Rank, double[] Crowding) RankAndCrowding(IReadOnlyList<double[]> points)
    {
        var rank = new int[points.Count];
        var crowding = new double[points.Count];
        var fronts = Sort(points);
        for (var f = 0; f < fronts.Count; f++)
        {
            var d = Crowding(points, fronts[f]);
            for (var i = 0; i < fronts[f].Count; i++)
            {
                rank[fronts[f][i]] = f;
                crowding[fronts[f][i]] = d[i];
            }
        }
        return (rank, crowding);
    }

    /// <summary>
    /// The indices of the <paramref name="count"/> points NSGA-II keeps: whole fronts in order, then the least crowded
    /// members of the front that does not fit.
    /// </summary>
    public static List<int> Select(IReadOnlyList<double[]> points, int count)
    {
        var chosen = new List<int>(count);
        foreach (var front in Sort(points))
        {
            if (chosen.Count + front.Count <= count)
            {
                chosen.AddRange(front);
                if (chosen.Count == count) break;
                continue;
            }
            var d = Crowding(points, front);
            var order = Enumerable.Range(0, front.Count).OrderByDescending(i => d[i]).ThenBy(i => i);
            chosen.AddRange(order.Take(count - chosen.Count).Select(i => front[i]));
            break;
        }
        return chosen;
    }

    /// <summary>Binary tournament by the crowded comparison: lower rank wins, then larger crowding distance.</summary>
    public static int Tournament(int[] rank, double[] crowding, SearchRandom random)
    {
        int a = random.Next(rank.Length), b = random.Next(rank.Length);
        if (rank[a] != rank[b]) return rank[a] < rank[b] ? a : b;
        if (crowding[a] != crowding[b]) return crowding[a] > crowding[b] ? a : b;
        return Math.Min(a, b);
    }
}
