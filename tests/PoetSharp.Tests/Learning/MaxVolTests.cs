using PoetSharp.Learning;
using Xunit;

namespace PoetSharp.Tests.Learning;

public class MaxVolTests
{
    private static double[][] RandomRows(Random random, int n, int m) =>
        Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, m).Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToArray();

    private static IEnumerable<int[]> Subsets(int n, int m, int from = 0)
    {
        if (m == 0) { yield return []; yield break; }
        for (var i = from; i <= n - m; i++)
            foreach (var rest in Subsets(n, m - 1, i + 1)) yield return [i, .. rest];
    }

    private static double BruteForceMaximum(double[][] rows, int m) =>
        Subsets(rows.Length, m).Max(s => MaxVol.AbsDeterminant(s.Select(i => rows[i]).ToArray()));

    [Theory]
    [InlineData(6, 1)]
    [InlineData(6, 2)]
    [InlineData(8, 3)]
    [InlineData(9, 4)]
    public void Selection_equals_the_brute_force_maximum_determinant_on_small_cases(int n, int m)
    {
        // MaxVol stops at a submatrix no single or pair swap enlarges; on these sizes that is the global maximum in all
        // 40 random cases per size, each checked against the enumeration of every m-subset.
        var random = new Random(1000 * n + m);
        var failures = 0;
        for (var trial = 0; trial < 40; trial++)
        {
            var rows = RandomRows(random, n, m);
            var selection = MaxVol.Select(rows, tolerance: 1e-12);
            Assert.False(selection.Singular);
            Assert.Equal(m, selection.Rows.Distinct().Count());
            var found = MaxVol.AbsDeterminant(selection.Rows.Select(i => rows[i]).ToArray());
            if (Math.Abs(BruteForceMaximum(rows, m) - found) > 1e-10) failures++;
        }
        Assert.Equal(0, failures);
    }

    [Theory]
    [InlineData(10, 5)]
    [InlineData(12, 6)]
    [InlineData(60, 8)]
    public void Selection_is_dominant_and_within_Hadamards_bound_of_the_maximum(int n, int m)
    {
        // Beyond the sizes above a local optimum may miss the global one; what always holds is dominance (every entry of
        // A S⁻¹ at most 1 in size), and with it |det S_max| ≤ m^(m/2) |det S| by Hadamard's inequality on C = A S⁻¹.
        var random = new Random(7 * n + m);
        var exact = 0;
        for (var trial = 0; trial < 20; trial++)
        {
            var rows = RandomRows(random, n, m);
            var selection = MaxVol.Select(rows, tolerance: 1e-12);
            var chosen = selection.Rows.Select(i => rows[i]).ToArray();
            var inverse = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowArrays(chosen).Inverse();
            var c = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowArrays(rows) * inverse;
            Assert.True(c.Enumerate().Max(Math.Abs) <= 1 + 1e-9);
            var found = MaxVol.AbsDeterminant(chosen);
            if (n <= 12)
            {
                var best = BruteForceMaximum(rows, m);
                Assert.True(best <= Math.Pow(m, m / 2.0) * found * (1 + 1e-12));
                if (Math.Abs(best - found) <= 1e-10 * best) exact++;
            }
        }
        if (n <= 12) Assert.True(exact >= 15, $"only {exact} of 20 selections were the global maximum");
    }

    [Fact]
    public void A_start_selection_is_improved_and_a_rank_deficient_matrix_is_reported()
    {
        var random = new Random(3);
        var rows = RandomRows(random, 12, 4);
        var start = new[] { 0, 1, 2, 3 };
        var before = MaxVol.AbsDeterminant(start.Select(i => rows[i]).ToArray());
        var selection = MaxVol.Select(rows, start);
        Assert.True(MaxVol.AbsDeterminant(selection.Rows.Select(i => rows[i]).ToArray()) >= before);
        Assert.True(selection.Swaps > 0);

        var flat = Enumerable.Range(0, 6).Select(i => new double[] { i, 2 * i, 1 }).ToArray(); // rank 2
        Assert.True(MaxVol.Select(flat).Singular);
        Assert.Throws<ArgumentException>(() => MaxVol.Select(RandomRows(random, 2, 3)));
    }
}
