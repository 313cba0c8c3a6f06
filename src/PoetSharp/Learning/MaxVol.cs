namespace PoetSharp.Learning;

/// <summary>
/// The maximum-volume ("MaxVol") row selection of Goreinov, Oseledets, Savostyanov et al. (2010): from an n × m matrix
/// (n ≥ m) choose m rows whose square submatrix S has a locally maximal |det S|. A submatrix is dominant when every
/// entry of C = A S⁻¹ has |c_ij| ≤ 1 + tolerance; while one entry exceeds that, swapping row i in for selected row j
/// multiplies |det S| by |c_ij| > 1, and C is updated by a rank-one correction in O(nm). The start is the row order of
/// Gaussian elimination with partial pivoting (greedy), or a given selection (the current active set).
/// Written here because no maintained .NET package offers it; the algorithm is short and is checked against brute
/// force in the tests.
/// </summary>
public static class MaxVol
{
    /// <summary>The result of a selection: the chosen rows, position by position, and how many swaps were made.</summary>
    public sealed record Selection(int[] Rows, int Swaps, bool Singular);

    /// <summary>
    /// Selects m rows of <paramref name="rows"/> (each of length m). When <paramref name="start"/> is given (m distinct
    /// row indices whose submatrix is non-singular) swaps start from it; otherwise from the greedy pivoting order.
    /// <paramref name="tolerance"/> is how much above 1 an entry must be to swap (MLIP's default threshold is 1.001;
    /// 1e-12 gives a dominant submatrix up to rounding).
    /// </summary>
    public static Selection Select(IReadOnlyList<double[]> rows, int[]? start = null, double tolerance = 1e-9, int maxSwaps = 100_000)
    {
        var n = rows.Count;
        if (n == 0) throw new ArgumentException("MaxVol needs at least one row");
        var m = rows[0].Length;
        foreach (var r in rows)
            if (r.Length != m) throw new ArgumentException($"rows of different lengths ({r.Length} and {m})");
        if (n < m) throw new ArgumentException($"MaxVol needs at least as many rows as columns ({n} rows, {m} columns)");

        var selected = start is null ? GreedyPivots(rows, m) : (int[])start.Clone();
        if (selected.Length != m || selected.Distinct().Count() != m) throw new ArgumentException("the start must name m distinct rows");
        var inverse = Invert(selected.Select(i => rows[i]).ToArray(), m);
        if (inverse is null) return new Selection(selected, 0, true);

        // C = A S⁻¹, row-major n × m.
        var c = new double[n * m];
        for (var i = 0; i < n; i++) MultiplyRow(rows[i], inverse, m, c.AsSpan(i * m, m));
        var column = new double[n];
        var pivotRow = new double[m];
        var swaps = 0;
        void Swap(int bi, int bj)
        {
            // C ← C − C[:, j] (C[i, :] − e_j) / C[i, j]: row i becomes e_j, the old selected row leaves.
            var pivot = c[bi * m + bj];
            for (var q = 0; q < m; q++) pivotRow[q] = c[bi * m + q];
            pivotRow[bj] -= 1;
            for (var i = 0; i < n; i++) column[i] = c[i * m + bj] / pivot;
            for (var i = 0; i < n; i++)
            {
                var f = column[i];
                if (f == 0) continue;
                var row = c.AsSpan(i * m, m);
                for (var q = 0; q < m; q++) row[q] -= f * pivotRow[q];
            }
            selected[bj] = bi;
            swaps++;
        }
        while (swaps < maxSwaps)
        {
            var (bi, bj, best) = (-1, -1, 1.0 + tolerance);
            for (var k = 0; k < c.Length; k++)
            {
                var v = Math.Abs(c[k]);
                if (v > best) { best = v; bi = k / m; bj = k % m; }
            }
            if (bi >= 0) { Swap(bi, bj); continue; }
            // Dominant for single swaps. Exchanging two rows at once multiplies |det| by |det C[{i1,i2},{j1,j2}]|; a pair
            // can win only when both rows hold an entry above 1/√2 in size (the 2 × 2 determinant is at most
            // 2·max₁·max₂), so only those rows (at most 256, the largest first) are tried.
            if (!PairSwap(c, n, m, selected, tolerance, out var i1, out var j1, out var i2, out var j2)) break;
            // Two single swaps in sequence: the first pivot is non-zero (else the determinant is the cross term, so pair
            // the rows the other way round); the second then has the remaining factor.
            if (Math.Abs(c[i1 * m + j1]) < 1e-12) (j1, j2) = (j2, j1);
            Swap(i1, j1);
            Swap(i2, j2);
        }
        return new Selection(selected, swaps, false);
    }

    private static bool PairSwap(double[] c, int n, int m, int[] selected, double tolerance, out int i1, out int j1, out int i2, out int j2)
    {
        (i1, j1, i2, j2) = (-1, -1, -1, -1);
        var isSelected = new HashSet<int>(selected);
        var rows = new List<(int Row, double Max)>();
        for (var i = 0; i < n; i++)
        {
            if (isSelected.Contains(i)) continue;
            var max = 0.0;
            for (var q = 0; q < m; q++) max = Math.Max(max, Math.Abs(c[i * m + q]));
            if (max > Math.Sqrt(0.5)) rows.Add((i, max));
        }
        if (rows.Count < 2) return false;
        var tried = rows.OrderByDescending(r => r.Max).Take(256).Select(r => r.Row).ToArray();
        var best = 1.0 + tolerance;
        for (var a = 0; a < tried.Length; a++)
            for (var b = a + 1; b < tried.Length; b++)
            {
                var ra = c.AsSpan(tried[a] * m, m);
                var rb = c.AsSpan(tried[b] * m, m);
                for (var p = 0; p < m; p++)
                    for (var q = p + 1; q < m; q++)
                    {
                        var det = Math.Abs(ra[p] * rb[q] - ra[q] * rb[p]);
                        if (det > best) { best = det; (i1, j1, i2, j2) = (tried[a], p, tried[b], q); }
                    }
            }
        return i1 >= 0;
    }

    /// <summary>Row order of Gaussian elimination with partial pivoting on a copy: for each column, the remaining row of largest |entry|.</summary>
    private static int[] GreedyPivots(IReadOnlyList<double[]> rows, int m)
    {
        var n = rows.Count;
        var work = rows.Select(r => (double[])r.Clone()).ToArray();
        var used = new bool[n];
        var pivots = new int[m];
        for (var j = 0; j < m; j++)
        {
            var (best, bestValue) = (-1, -1.0);
            for (var i = 0; i < n; i++)
                if (!used[i] && Math.Abs(work[i][j]) > bestValue) { best = i; bestValue = Math.Abs(work[i][j]); }
            pivots[j] = best;
            used[best] = true;
            if (bestValue == 0) continue; // rank-deficient: the inverse below reports it
            var p = work[best];
            for (var i = 0; i < n; i++)
            {
                if (used[i]) continue;
                var f = work[i][j] / p[j];
                if (f == 0) continue;
                for (var q = j; q < m; q++) work[i][q] -= f * p[q];
            }
        }
        return pivots;
    }

    /// <summary>Row vector times matrix: out = row · M (M row-major m × m).</summary>
    internal static void MultiplyRow(ReadOnlySpan<double> row, double[] matrix, int m, Span<double> result)
    {
        result.Clear();
        for (var k = 0; k < m; k++)
        {
            var a = row[k];
            if (a == 0) continue;
            var mk = matrix.AsSpan(k * m, m);
            for (var q = 0; q < m; q++) result[q] += a * mk[q];
        }
    }

    /// <summary>The inverse (row-major) of the square matrix with the given rows, or null when it is numerically singular.</summary>
    internal static double[]? Invert(double[][] rows, int m)
    {
        var a = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowArrays(rows);
        var lu = a.LU();
        var det = Math.Abs(lu.Determinant);
        // Singular when a pivot is negligible against the matrix's scale.
        var scale = a.Enumerate().Select(Math.Abs).DefaultIfEmpty(0).Max();
        if (det == 0 || !double.IsFinite(det) || scale == 0) return null;
        var upper = lu.U;
        for (var k = 0; k < m; k++)
            if (Math.Abs(upper[k, k]) < 1e-13 * scale) return null;
        var inv = lu.Inverse();
        var flat = new double[m * m];
        for (var i = 0; i < m; i++)
            for (var j = 0; j < m; j++) flat[i * m + j] = inv[i, j];
        return flat;
    }

    /// <summary>|det| of the square matrix with the given rows (tests, reports).</summary>
    public static double AbsDeterminant(IReadOnlyList<double[]> rows) =>
        Math.Abs(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowArrays(rows).Determinant());
}
