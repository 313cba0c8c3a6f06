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
