using PoetSharp.Atoms;

namespace PoetSharp.Learning;

/// <summary>What <see cref="PoolSelection.Select"/> found: the chosen pool structures and every pool structure's grade.</summary>
/// <param name="Selected">Indices into the pool, in the order they were chosen (round by round, within a round by pool index; covering: in the order taken).</param>
/// <param name="Grades">Each pool structure's grade against the training set's active set (before anything was added).</param>
/// <param name="Rounds">Rounds run: MaxVol passes, each followed by a new active set over the training set and the chosen so far (covering: one pass).</param>
/// <param name="Remaining">Pool structures still graded above the threshold against the final active set (not chosen because of the cap).</param>
public sealed record PoolSelectionResult(IReadOnlyList<int> Selected, double[] Grades, int Rounds, int Remaining)
{
    /// <summary>Pool structures graded above the threshold at the start.</summary>
    public int AboveThreshold(double threshold) => Grades.Count(g => !(g <= threshold));
}

/// <summary>
/// Active selection from a pool of existing structures (MLIP's <c>select-add</c>): the structures of the pool that extend
/// the training set's D-optimality active set, so that training on the training set plus the chosen ones covers what
/// the pool holds. This is learning on the fly without MD and without an oracle: the pool is already labelled (earlier
/// DFT, another group's data set), or is labelled afterwards, and only the informative part is trained on.
/// <para>
/// Each round grades the pool against the current active set; the structures above the threshold offer their rows
/// (one per configuration, or one per atom) and MaxVol swaps in those that enlarge |det S| most (at most m rows, so
/// at most m structures a round). The active set is then rebuilt over the training set and everything chosen so far,
/// and the pool graded again, until no structure grades above the threshold or <c>max</c> structures are chosen.
/// Without retraining the features (for an MTP, the radial functions) stay those of the given model, as in MLIP.
/// </para>
/// </summary>
public static class PoolSelection
{
    /// <param name="threshold">A pool structure is a candidate while its grade exceeds this (1: it would enlarge |det S|).</param>
    /// <param name="max">Most structures to choose (0: no cap). When a round's choice passes the cap, its highest-graded are kept.</param>
    /// <param name="covering">Instead of rounds, choose the fewest (<see cref="ActiveSet.SelectCovering"/>, as <c>poet learn</c>'s
    /// default batches): the highest-graded candidate first, folded into the active set, the rest graded again, until none
    /// grades above the threshold. For choosing what to send to DFT, where each structure costs a calculation.</param>
    public static PoolSelectionResult Select(ExtrapolationFeatures features, IReadOnlyList<Structure> training, IReadOnlyList<Structure> pool,
        double threshold = 1.0, int max = 0, int threads = -1, double virtualRowSize = ActiveSet.DefaultVirtualRowSize,
        Action<string>? log = null, bool covering = false)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!(threshold >= 1) || !double.IsFinite(threshold)) throw new ArgumentException($"the selection threshold must be at least 1 (got {threshold})");
        if (max < 0) throw new ArgumentException($"the most structures to choose must be 0 (no cap) or positive (got {max})");
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads < 1 ? -1 : threads };
        var chosen = new List<int>();
        var taken = new bool[pool.Count];
        var current = training.ToList();
        var active = features.BuildActiveSet(current, threads, virtualRowSize);
        double[]? first = null;
        var rounds = 0;
        while (true)
        {
            var grades = new double[pool.Count];
            var rows = new List<double[]>?[pool.Count];
            Parallel.For(0, pool.Count, options, k =>
            {
                if (taken[k]) { grades[k] = 0; return; }
                var own = features.Rows(pool[k]);
                var grade = active.Grade(own);
                grades[k] = grade;
                // Only a candidate's rows are kept: a pool of 10⁵ neighbourhoods would not fit otherwise.
                if (!(grade <= threshold)) rows[k] = own;
            });
            first ??= (double[])grades.Clone();
            var candidates = Enumerable.Range(0, pool.Count).Where(k => !taken[k] && !(grades[k] <= threshold)).ToList();
            var capLeft = max == 0 ? int.MaxValue : max - chosen.Count;
            if (candidates.Count == 0 || capLeft <= 0)
                return new PoolSelectionResult(chosen, first, rounds, candidates.Count);

            // A structure with a non-finite row (a broken label-free structure, an MTP outside its own range) cannot be
            // placed in the determinant; it is reported by its grade and left out.
            var finite = candidates.Where(k => rows[k]!.All(r => r.All(double.IsFinite))).ToList();
            if (covering)
            {
                // One greedy pass: each structure taken is folded into the set before the rest are graded again, so
                // the pass ends when every candidate lies inside training + chosen.
                var order = active.SelectCovering(finite.Select(k => (IReadOnlyList<double[]>)rows[k]!).ToList(), threshold,
                    max == 0 ? 0 : capLeft, threads, current.Count, out var grown);
                foreach (var i in order) { taken[finite[i]] = true; chosen.Add(finite[i]); }
                rounds = 1;
                log?.Invoke($"covering: {candidates.Count} pool structures above γ = {threshold:G3} (largest {candidates.Max(k => grades[k]):G4}), {order.Length} chosen");
                // Without a cap the pass ends with every candidate inside the grown set; with one, count those still outside.
                var remaining = 0;
                if (max != 0 && order.Length == capLeft)
                    remaining = finite.Where(k => !taken[k]).Count(k => !(grown.Grade(rows[k]!) <= threshold));
                return new PoolSelectionResult(chosen, first, rounds, remaining + candidates.Count - finite.Count);
            }
            var offered = new List<double[]>();
            var owner = new List<int>();
            foreach (var k in finite)
                foreach (var r in rows[k]!) { offered.Add(r); owner.Add(k); }
            var entering = offered.Count == 0 ? [] : active.SelectEntering(offered).Select(i => owner[i]).Distinct().ToList();
            // Rounding can leave MaxVol without a swap although a row grades above 1 + tolerance: take the most extreme.
            if (entering.Count == 0 && finite.Count > 0) entering.Add(finite.MaxBy(k => grades[k]));
            if (entering.Count == 0)
                return new PoolSelectionResult(chosen, first, rounds, candidates.Count);
            if (entering.Count > capLeft)
                entering = entering.OrderByDescending(k => grades[k]).ThenBy(k => k).Take(capLeft).ToList();
            entering.Sort();
            rounds++;
            foreach (var k in entering) { taken[k] = true; chosen.Add(k); current.Add(pool[k]); }
            log?.Invoke($"round {rounds}: {candidates.Count} pool structures above γ = {threshold:G3} (largest {candidates.Max(k => grades[k]):G4}), {entering.Count} chosen, {chosen.Count} in all");
            active = features.BuildActiveSet(current, threads, virtualRowSize);
        }
    }
}
