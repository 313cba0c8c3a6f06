using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Potentials;
using PoetSharp.Tests.Evaluation;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Fitting;

public class SplitTests(ITestOutputHelper output)
{
    private static Dataset Data => ObjectiveTests.Training.Value;

    private static void AssertPartition(Dataset data, DataSplit split)
    {
        Assert.Equal(data.Count, split.Training.Count + split.Validation.Count);
        Assert.Empty(split.Training.Structures.Intersect(split.Validation.Structures));
        // Each part keeps the data set's order.
        var index = data.Structures.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i);
        foreach (var part in new[] { split.Training, split.Validation })
        {
            var order = part.Structures.Select(s => index[s]).ToArray();
            Assert.Equal(order.Order(), order);
        }
    }

    [Fact]
    public void Random_split_is_deterministic_and_sized_by_the_fraction()
    {
        var a = DataSplit.Random(Data, 0.2, seed: 7);
        var b = DataSplit.Random(Data, 0.2, seed: 7);
        var c = DataSplit.Random(Data, 0.2, seed: 8);
        AssertPartition(Data, a);
        Assert.Equal(30, a.Validation.Count);
        Assert.Equal(a.Validation.Structures, b.Validation.Structures);
        Assert.NotEqual(a.Validation.Structures, c.Validation.Structures);
        // A random draw should touch all three source folders.
        Assert.Equal(3, a.Validation.Structures.Select(s => s.Group).Distinct().Count());

        Assert.Empty(DataSplit.Random(Data, 0, 1).Validation.Structures);
        var tiny = new Dataset(Data.Structures.Take(3));
        Assert.Single(DataSplit.Random(tiny, 0.01, 1).Validation.Structures); // a positive fraction leaves one out
        Assert.Equal(2, DataSplit.Random(tiny, 0.99, 1).Validation.Count);    // and keeps one for training
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Random(Data, 1.0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Random(Data, double.NaN, 1));
    }

    [Fact]
    public void Split_by_groups()
    {
        var groups = Data.Groups;
        output.WriteLine(string.Join(", ", groups));
        Assert.Equal(3, groups.Count);
        var split = DataSplit.ByGroups(Data, [groups[2]]);
        AssertPartition(Data, split);
        Assert.All(split.Validation.Structures, s => Assert.Equal(groups[2], s.Group));
        Assert.All(split.Training.Structures, s => Assert.NotEqual(groups[2], s.Group));
        Assert.Equal(Data.Group(groups[2]).Count, split.Validation.Count);
        var e = Assert.Throws<ArgumentException>(() => DataSplit.ByGroups(Data, ["no such group"]));
        Assert.Contains("no such group", e.Message);
        Assert.Contains(groups[0], e.Message);
    }
}
