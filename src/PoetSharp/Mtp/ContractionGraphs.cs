namespace PoetSharp.Mtp;

/// <summary>
/// One scalar contraction of moment tensors: factors (μ_k, ν_k), sorted, and how many indices each pair of factors
/// contracts (Edges[k, l] = Edges[l, k]; row k sums to ν_k; no self-contraction).
/// </summary>
internal sealed record ContractionGraph((int Mu, int Nu)[] Factors, int[,] Edges)
{
    public int Level => Factors.Sum(f => MomentBasis.MomentLevel(f.Mu, f.Nu));
}

/// <summary>Enumerates every scalar contraction up to a level, each once (up to swapping equal factors).</summary>
internal static class ContractionGraphs
{
    public static List<ContractionGraph> Enumerate(int level, int maxFactors)
    {
        // Every moment tensor that fits: 2 + 4μ + ν ≤ level.
        var labels = new List<(int Mu, int Nu)>();
        for (var mu = 0; MomentBasis.MomentLevel(mu, 0) <= level; mu++)
            for (var nu = 0; MomentBasis.MomentLevel(mu, nu) <= level; nu++)
                labels.Add((mu, nu));

        var found = new List<(string Key, ContractionGraph Graph)>();
        var seen = new HashSet<string>();
        var factors = new List<(int Mu, int Nu)>();

        void Extend(int from, int used)
        {
            if (factors.Count > 0) Realise([.. factors], seen, found);
            if (factors.Count == maxFactors) return;
            for (var i = from; i < labels.Count; i++)
            {
                var l = MomentBasis.MomentLevel(labels[i].Mu, labels[i].Nu);
                if (used + l > level) continue;
                factors.Add(labels[i]);
                Extend(i, used + l);
                factors.RemoveAt(factors.Count - 1);
            }
        }
        Extend(0, 0);
        // Deterministic order: by level, then number of factors, then the canonical key.
        return found.OrderBy(f => f.Graph.Level).ThenBy(f => f.Graph.Factors.Length).ThenBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => f.Graph).ToList();
    }

    // All loopless multigraphs with the given degrees, each isomorphism class once.
    private static void Realise((int Mu, int Nu)[] factors, HashSet<string> seen, List<(string, ContractionGraph)> found)
    {
        var n = factors.Length;
        if (factors.Sum(f => f.Nu) % 2 != 0) return;
        if (n == 1 && factors[0].Nu != 0) return;
        var pairs = new List<(int, int)>();
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++) pairs.Add((i, j));
        var edges = new int[n, n];
        var remaining = factors.Select(f => f.Nu).ToArray();
        var permutations = LabelPreservingPermutations(factors);

        void Assign(int p)
        {
            if (p == pairs.Count)
            {
                if (remaining.Any(r => r != 0)) return;
                var key = CanonicalKey(factors, edges, permutations);
                if (seen.Add(key)) found.Add((key, new ContractionGraph(factors, (int[,])edges.Clone())));
                return;
            }
            var (i, j) = pairs[p];
            // The last pair touching i must use up what i has left.
            var lastForI = !pairs.Skip(p + 1).Any(q => q.Item1 == i || q.Item2 == i);
            var max = Math.Min(remaining[i], remaining[j]);
            for (var m = lastForI ? remaining[i] : 0; m <= max; m++)
            {
                edges[i, j] = edges[j, i] = m;
                remaining[i] -= m; remaining[j] -= m;
                Assign(p + 1);
                remaining[i] += m; remaining[j] += m;
            }
            edges[i, j] = edges[j, i] = 0;
        }
        Assign(0);
    }

    private static string CanonicalKey((int Mu, int Nu)[] factors, int[,] edges, List<int[]> permutations)
    {
        var n = factors.Length;
        string? best = null;
        foreach (var p in permutations)
        {
            var parts = new int[n * (n - 1) / 2];
            var q = 0;
            for (var i = 0; i < n; i++)
                for (var j = i + 1; j < n; j++) parts[q++] = edges[p[i], p[j]];
            var key = string.Join(",", parts);
            if (best is null || string.CompareOrdinal(key, best) < 0) best = key;
        }
        return string.Join(";", factors.Select(f => $"{f.Mu}.{f.Nu}")) + "|" + best;
    }

    // Permutations of factor positions that map each factor onto an equal one.
    private static List<int[]> LabelPreservingPermutations((int Mu, int Nu)[] factors)
    {
        var n = factors.Length;
        var result = new List<int[]>();
        var current = new int[n];
        var used = new bool[n];
        void Build(int i)
        {
            if (i == n) { result.Add((int[])current.Clone()); return; }
            for (var j = 0; j < n; j++)
            {
                if (used[j] || factors[j] != factors[i]) continue;
                used[j] = true; current[i] = j;
                Build(i + 1);
                used[j] = false;
            }
        }
        Build(0);
        return result;
    }
}
