using PoetSharp.Atoms;
using PoetSharp.Learning;
using PoetSharp.Models;
using PoetSharp.Mtp;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit;

namespace PoetSharp.Tests.Learning;

public class ActiveSetTests
{
    private static readonly MtpModel Mtp = MtpModel.Untrained(10, ["Cu"], 2.0, 5.0, radialBasisSize: 6, seed: 4, scaling: 0.04);

    // Training data: thermal-like snapshots of fcc copper near its lattice constant.
    private static List<Structure> Training(int count) =>
        Enumerable.Range(0, count).Select(k => Builders.Rattled(Lattices.Fcc("Cu", 3.58 + 0.01 * (k % 5), 2, 2, 2), 0.08, 10 + k)).ToList();

    [Theory]
    [InlineData(GradeMode.Configuration, 1e-8)]
    [InlineData(GradeMode.Neighbourhood, 1e-8)]
    [InlineData(GradeMode.Configuration, ActiveSet.DefaultVirtualRowSize)]
    [InlineData(GradeMode.Neighbourhood, ActiveSet.DefaultVirtualRowSize)]
    public void Grades_are_at_most_one_on_the_training_data_and_large_far_from_it(GradeMode mode, double virtualRowSize)
    {
        var features = ExtrapolationFeatures.For(Mtp, mode);
        var training = Training(40);
        var set = features.BuildActiveSet(training, virtualRowSize: virtualRowSize);
        Assert.Equal(Mtp.LinearParameterCount, set.Width);
        // Near rounding, 40 snapshots span every direction; a coarser λ leaves the weakly explored ones virtual.
        if (virtualRowSize < 1e-6) Assert.Equal(0, set.VirtualRows);
        // MaxVol leaves a dominant active set: every training row, active or not, interpolates it.
        foreach (var s in training) Assert.InRange(features.Grade(set, s), 0, 1 + 1e-8);
        // The active rows themselves grade exactly 1.
        foreach (var source in set.Sources.Where(x => !x.IsVirtual))
        {
            var rows = features.Rows(training[source.Structure]);
            Assert.Equal(1.0, set.Grade(rows[mode == GradeMode.Configuration ? 0 : source.Atom]), 1e-8);
        }
        // A strongly compressed crystal and a close pair are unlike anything in the data.
        var compressed = Builders.Rattled(Lattices.Fcc("Cu", 3.1, 2, 2, 2), 0.08, 99);
        Assert.True(features.Grade(set, compressed) > 2, $"compressed: {features.Grade(set, compressed)}");
        var pair = Builders.Rattled(Lattices.Fcc("Cu", 3.6, 2, 2, 2), 0.05, 98);
        pair.Positions[1] = pair.Positions[0] + new Vec3(1.6, 1.1, 0);
        Assert.True(features.Grade(set, pair) > 2, $"close pair: {features.Grade(set, pair)}");
    }

    [Fact]
    public void Too_little_data_leaves_virtual_rows_that_make_new_directions_grade_high()
    {
        var features = ExtrapolationFeatures.For(Mtp, GradeMode.Configuration);
        var training = Training(3);
        var set = features.BuildActiveSet(training);
        Assert.Equal(Mtp.LinearParameterCount - 3, set.VirtualRows);
        foreach (var s in training) Assert.InRange(features.Grade(set, s), 0, 1 + 1e-8);
        Assert.True(features.Grade(set, Training(8)[7]) > 10);
    }

    [Fact]
    public void Selection_adds_rows_that_enlarge_the_determinant()
    {
        var features = ExtrapolationFeatures.For(Mtp, GradeMode.Configuration);
        var training = Training(30);
        var set = features.BuildActiveSet(training);
        // Candidates: 5 copies of training rows (nothing new) and 3 hot, compressed snapshots (new).
        var candidates = training.Take(5).Concat(Enumerable.Range(0, 3).Select(k => Builders.Rattled(Lattices.Fcc("Cu", 3.35, 2, 2, 2), 0.2, 50 + k)))
            .Select(s => features.Rows(s)[0]).ToList();
        var entering = set.SelectEntering(candidates);
        Assert.NotEmpty(entering);
        Assert.All(entering, i => Assert.True(i >= 5));
    }

    [Theory]
    [InlineData(GradeMode.Configuration)]
    [InlineData(GradeMode.Neighbourhood)]
    public void A_covering_batch_leaves_every_candidate_inside_the_data_with_fewer_labels(GradeMode mode)
    {
        var features = ExtrapolationFeatures.For(Mtp, mode);
        var set = features.BuildActiveSet(Training(30));
        // Candidates as an MD run far from the data produces them: three hot, compressed states, each seen four times
        // with small differences (near-copies), and two copies of training data.
        var candidates = new List<Structure>();
        for (var state = 0; state < 3; state++)
            for (var copy = 0; copy < 4; copy++)
                candidates.Add(Builders.Rattled(Builders.Rattled(Lattices.Fcc("Cu", 3.25 + 0.06 * state, 2, 2, 2), 0.2, 70 + state), 0.005, 200 + 10 * state + copy));
        candidates.AddRange(Training(2));
        var groups = candidates.Select(c => (IReadOnlyList<double[]>)features.Rows(c)).ToList();
        const double threshold = 2;
        var taken = set.SelectCovering(groups, threshold);
        Assert.NotEmpty(taken);
        Assert.Equal(taken.Length, taken.Distinct().Count());
        Assert.DoesNotContain(12, taken);
        Assert.DoesNotContain(13, taken);
        // The first taken is the highest-graded candidate.
        var grades = groups.Select(g => set.Grade(g)).ToArray();
        Assert.Equal(Enumerable.Range(0, groups.Count).MaxBy(k => grades[k]), taken[0]);
        // Once the batch joins the data, no candidate grades above the threshold (grown the way the next iteration's
        // active set grows: MaxVol over the old set and the batch's rows).
        var grown = set;
        foreach (var k in taken) grown = grown.With(groups[k], new RowSource(100 + k, -1));
        foreach (var g in groups) Assert.InRange(grown.Grade(g), 0, threshold);
        // Near-copies cover each other: fewer labels than states × copies, and fewer than the entering rule asks for.
        var rows = new List<double[]>();
        var owner = new List<int>();
        for (var k = 0; k < groups.Count; k++)
            foreach (var r in groups[k]) { rows.Add(r); owner.Add(k); }
        var entering = set.SelectEntering(rows).Select(i => owner[i]).Distinct().Count();
        Assert.True(taken.Length < 12 && taken.Length <= entering, $"covering took {taken.Length}, entering {entering}");
        // A limit keeps the first ones, and the same call gives the same batch on one thread.
        Assert.Equal(taken.Take(1), set.SelectCovering(groups, threshold, limit: 1));
        Assert.Equal(taken, set.SelectCovering(groups, threshold, threads: 1));
        // Nothing above the threshold: nothing taken.
        Assert.Empty(set.SelectCovering(groups.Skip(12).ToList(), threshold));
        Assert.Throws<ArgumentException>(() => set.SelectCovering(groups, 0.5));
    }

    [Fact]
    public void Closed_form_models_are_graded_by_their_constant_Jacobian()
    {
        var model = new Model("SC", ExpressionParser.ParseModel("sum(644.52*r^-9) - sum(527.62*r^-6)^0.5"), 5, new Taper(3, 5), ["Cu"]);
        var features = ExtrapolationFeatures.For(model, GradeMode.Configuration);
        Assert.Equal(model.Expression.ConstantCount + 1, features.Width);
        var training = Training(12);
        var set = features.BuildActiveSet(training);
        foreach (var s in training) Assert.InRange(features.Grade(set, s), 0, 1 + 1e-8);
        var compressed = Builders.Rattled(Lattices.Fcc("Cu", 3.1, 2, 2, 2), 0.08, 99);
        Assert.True(features.Grade(set, compressed) > 2, $"compressed: {features.Grade(set, compressed)}");
        Assert.Throws<ArgumentException>(() => ExtrapolationFeatures.For(model, GradeMode.Neighbourhood));
    }
}
