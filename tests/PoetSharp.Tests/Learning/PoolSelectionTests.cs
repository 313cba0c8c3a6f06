using PoetSharp.Atoms;
using PoetSharp.Learning;
using PoetSharp.Mtp;
using PoetSharp.Tests.Support;
using Xunit;

namespace PoetSharp.Tests.Learning;

public class PoolSelectionTests
{
    private static readonly MtpModel Mtp = MtpModel.Untrained(10, ["Cu"], 2.0, 5.0, radialBasisSize: 6, seed: 4, scaling: 0.04);

    // Thermal-like snapshots of fcc copper near its lattice constant.
    private static List<Structure> Snapshots(int count, int seed) =>
        Enumerable.Range(0, count).Select(k => Builders.Rattled(Lattices.Fcc("Cu", 3.58 + 0.01 * (k % 5), 2, 2, 2), 0.08, seed + k)).ToList();

    // Unlike the snapshots: compressed and hot, or with one close pair.
    private static List<Structure> Unusual(int count, int seed) =>
        Enumerable.Range(0, count).Select(k =>
        {
            var s = Builders.Rattled(Lattices.Fcc("Cu", 3.30 + 0.03 * k, 2, 2, 2), 0.2, seed + k);
            if (k % 2 == 1) s.Positions[1] = s.Positions[0] + new Vec3(1.55 + 0.05 * k, 1.0, 0);
            return s;
        }).ToList();

    [Theory]
    [InlineData(GradeMode.Configuration)]
    [InlineData(GradeMode.Neighbourhood)]
    public void Only_structures_unlike_the_training_data_are_chosen_and_afterwards_nothing_in_the_pool_grades_above_the_threshold(GradeMode mode)
    {
        var features = ExtrapolationFeatures.For(Mtp, mode);
        var training = Snapshots(40, 10);
        // The pool: exact copies of training structures (nothing new), then six unusual ones.
        var pool = training.Take(8).Select(s => s.Clone()).Concat(Unusual(6, 200)).ToList();
        var result = PoolSelection.Select(features, training, pool, threshold: 1.1);

        Assert.NotEmpty(result.Selected);
        Assert.All(result.Selected, k => Assert.True(k >= 8, $"a copy of the training data was chosen: {k}"));
        Assert.Equal(result.Selected.Count, result.Selected.Distinct().Count());
        for (var k = 0; k < 8; k++) Assert.InRange(result.Grades[k], 0, 1 + 1e-8);
        for (var k = 8; k < pool.Count; k++) Assert.True(result.Grades[k] > 1.1, $"unusual structure {k} grades {result.Grades[k]}");
        Assert.Equal(0, result.Remaining);

        // The stopping rule: against the active set of the training data and the chosen structures, no pool structure
        // grades above the threshold any more.
        var after = features.BuildActiveSet(training.Concat(result.Selected.Select(k => pool[k])).ToList());
        foreach (var s in pool) Assert.True(features.Grade(after, s) <= 1.1, $"still {features.Grade(after, s)}");
    }

    [Theory]
    [InlineData(GradeMode.Configuration)]
    [InlineData(GradeMode.Neighbourhood)]
    public void Covering_chooses_no_more_than_rounds_and_leaves_the_pool_inside_the_grown_set(GradeMode mode)
    {
        var features = ExtrapolationFeatures.For(Mtp, mode);
        var training = Snapshots(40, 10);
        // Copies of the training data, then unusual structures each present three times with small differences.
        var unusual = Unusual(4, 200);
        var pool = training.Take(4).Select(s => s.Clone())
            .Concat(unusual.SelectMany((u, k) => Enumerable.Range(0, 3).Select(c => Builders.Rattled(u, 0.004, 500 + 10 * k + c)))).ToList();
        var rounds = PoolSelection.Select(features, training, pool, threshold: 1.1);
        var covering = PoolSelection.Select(features, training, pool, threshold: 1.1, covering: true);

        Assert.NotEmpty(covering.Selected);
        Assert.All(covering.Selected, k => Assert.True(k >= 4, $"a copy of the training data was chosen: {k}"));
        Assert.Equal(covering.Selected.Count, covering.Selected.Distinct().Count());
        Assert.True(covering.Selected.Count <= rounds.Selected.Count, $"covering {covering.Selected.Count}, rounds {rounds.Selected.Count}");
        Assert.True(covering.Selected.Count < pool.Count - 4, "near-copies should cover each other");
        Assert.Equal(rounds.Grades, covering.Grades);
        Assert.Equal(0, covering.Remaining);
        // Against the training set's active set grown by the chosen structures, in the order chosen, nothing is left above.
        var grown = features.BuildActiveSet(training);
        for (var j = 0; j < covering.Selected.Count; j++)
            grown = grown.With(features.Rows(pool[covering.Selected[j]]), new RowSource(training.Count + j, -1));
        foreach (var s in pool) Assert.True(features.Grade(grown, s) <= 1.1, $"still {features.Grade(grown, s)}");
        // A cap keeps the first ones taken and counts what is still outside.
        var capped = PoolSelection.Select(features, training, pool, threshold: 1.1, max: 1, covering: true);
        Assert.Equal(covering.Selected.Take(1), capped.Selected);
        Assert.True(capped.Remaining > 0 || covering.Selected.Count == 1);
    }

    [Fact]
    public void The_cap_keeps_the_highest_graded_and_reports_what_is_left()
    {
        var features = ExtrapolationFeatures.For(Mtp, GradeMode.Configuration);
        var training = Snapshots(40, 10);
        var pool = Unusual(8, 300);
        var all = PoolSelection.Select(features, training, pool);
        Assert.True(all.Selected.Count > 2, $"only {all.Selected.Count} chosen without a cap");

        var capped = PoolSelection.Select(features, training, pool, max: 2);
        Assert.Equal(2, capped.Selected.Count);
        Assert.True(capped.Remaining > 0);
        Assert.Equal(all.Grades, capped.Grades);
        // MaxVol's first round holds them (a cap keeps the highest-graded of a round's choice).
        Assert.All(capped.Selected, k => Assert.Contains(k, all.Selected));
        Assert.Equal(1, capped.Rounds);
    }

    [Fact]
    public void The_choice_does_not_depend_on_the_number_of_cores()
    {
        var features = ExtrapolationFeatures.For(Mtp, GradeMode.Neighbourhood);
        var training = Snapshots(30, 10);
        var pool = Snapshots(10, 500).Concat(Unusual(6, 600)).ToList();
        var one = PoolSelection.Select(features, training, pool, threads: 1);
        var many = PoolSelection.Select(features, training, pool, threads: -1);
        Assert.Equal(one.Selected, many.Selected);
        Assert.Equal(one.Grades, many.Grades);
    }

    [Fact]
    public void A_pool_inside_the_data_gives_nothing()
    {
        var features = ExtrapolationFeatures.For(Mtp, GradeMode.Configuration);
        var training = Snapshots(40, 10);
        var result = PoolSelection.Select(features, training, training.Take(10).ToList());
        Assert.Empty(result.Selected);
        Assert.Equal(0, result.Rounds);
    }

    [Theory]
    [InlineData(0.9, 0)]
    [InlineData(double.NaN, 0)]
    [InlineData(1.1, -1)]
    public void Bad_settings_are_refused(double threshold, int max)
    {
        var features = ExtrapolationFeatures.For(Mtp, GradeMode.Configuration);
        var e = Assert.Throws<ArgumentException>(() => PoolSelection.Select(features, Snapshots(5, 1), Snapshots(2, 50), threshold, max));
        Assert.Contains(threshold < 1 || double.IsNaN(threshold) ? "threshold" : "most structures", e.Message);
    }
}
