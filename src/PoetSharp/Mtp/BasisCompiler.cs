namespace PoetSharp.Mtp;

/// <summary>
/// Turns contraction graphs into the product program of <see cref="MomentBasis"/>.
/// <para>
/// A graph's factors are contracted one at a time, left to right. After factors 0…t the partial result T_t keeps, for
/// each later factor w, one group of the indices that will be contracted with w. Since w is a symmetric tensor only the
/// counts (a, b, c) of x, y, z in a group matter, so T_t is stored by counts, as the sum over all index tuples with
/// those counts ("summed components"). Adding factor t then is
/// T̃_t[α_w] = Σ_κ Σ_{β_w + γ_w = α_w} T̃_{t−1}[κ; β_w] · Π_w multinom(γ_w) · M_t[κ + Σ_w γ_w],
/// κ running over the counts of the group that meets factor t. Every term is one product of two moments with an
/// integer multiplicity. Partial results shared by several graphs (same factors and edges so far) are made once.
/// </para>
/// </summary>
internal sealed class BasisCompiler(int level)
{
    // Basic moments by (μ, a, b, c), numbered in order of first use; products' moments numbered from 0 separately and
    // shifted behind the basic ones at the end.
    private readonly Dictionary<(int, int, int, int), int> _basic = [];
    private readonly List<(int Mu, int A, int B, int C)> _basicList = [];
    private int _productMoments;
    private readonly List<(long Left, long Right, double Mult, int Out)> _products = [];
    private readonly Dictionary<string, Dictionary<string, int>> _partials = [];

    // A moment reference before renumbering: basic k as −(k + 1), product moment p as p.
    private long Basic(int mu, (int A, int B, int C) c)
    {
        if (!_basic.TryGetValue((mu, c.A, c.B, c.C), out var k))
        {
            k = _basicList.Count;
            _basic[(mu, c.A, c.B, c.C)] = k;
            _basicList.Add((mu, c.A, c.B, c.C));
        }
        return -(k + 1);
    }

    public MomentBasis Compile(List<ContractionGraph> graphs)
    {
        var scalars = new List<long>();
        foreach (var g in graphs) scalars.Add(CompileGraph(g));
        var nb = _basicList.Count;
        int Final(long reference) => reference < 0 ? (int)(-reference - 1) : nb + (int)reference;
        return new MomentBasis(
            _basicList.Select(b => b.Mu).ToArray(),
            _basicList.Select(b => (b.A, b.B, b.C)).ToArray(),
            _products.Select(p => (Final(p.Left), Final(p.Right), p.Mult, nb + p.Out)).ToArray(),
            scalars.Select(Final).ToArray(),
            nb + _productMoments,
            level);
    }

    private long CompileGraph(ContractionGraph g)
    {
        var n = g.Factors.Length;
        if (n == 1) return Basic(g.Factors[0].Mu, (0, 0, 0));
        // T_0 is not stored: its components are multiples of basic moments of factor 0.
        var previous = FirstFactor(g);
        for (var t = 1; t < n; t++) previous = AddFactor(g, t, previous);
        return previous.Single().Reference;
    }

    // A partial result's components: counts per outside group (in order of w), the moment holding it and, for T_0 only,
    // the multiplicity that moment is to be multiplied by.
    private sealed record Component((int A, int B, int C)[] Groups, long Reference, double Scale);

    private List<Component> FirstFactor(ContractionGraph g)
    {
        var n = g.Factors.Length;
        var sizes = Enumerable.Range(1, n - 1).Select(w => g.Edges[0, w]).ToArray();
        var result = new List<Component>();
        foreach (var groups in AllCounts(sizes))
        {
            var total = Sum(groups);
            var scale = groups.Aggregate(1.0, (s, c) => s * Multinomial(c));
            result.Add(new Component(groups, Basic(g.Factors[0].Mu, total), scale));
        }
        return result;
    }

    private List<Component> AddFactor(ContractionGraph g, int t, List<Component> previous)
    {
        var n = g.Factors.Length;
        var key = PartialKey(g, t);
        var outSizes = Enumerable.Range(t + 1, n - t - 1).Select(w => g.Edges[t, w]).ToArray();
        if (!_partials.TryGetValue(key, out var made))
        {
            made = [];
            var terms = new Dictionary<(long, long, int), double>();
            foreach (var p in previous)
            {
                var kappa = p.Groups[0];               // meets factor t
                var rest = p.Groups[1..];              // β_w for w > t
                foreach (var gammas in AllCounts(outSizes))
                {
                    var alphas = new (int, int, int)[rest.Length];
                    var mult = p.Scale;
                    var own = kappa;
                    for (var w = 0; w < rest.Length; w++)
                    {
                        alphas[w] = Add(rest[w], gammas[w]);
                        mult *= Multinomial(gammas[w]);
                        own = Add(own, gammas[w]);
                    }
                    var componentKey = string.Join(";", alphas);
                    if (!made.TryGetValue(componentKey, out var output)) made[componentKey] = output = _productMoments++;
                    var right = Basic(g.Factors[t].Mu, own);
                    var termKey = (p.Reference, right, output);
                    terms[termKey] = terms.GetValueOrDefault(termKey) + mult;
                }
            }
            foreach (var ((left, right, output), mult) in terms) _products.Add((left, right, mult, output));
            _partials[key] = made;
        }
        // The stored components of T_t, with their counts recovered from the keys.
        var outCounts = AllCounts(outSizes.Select((s, w) => s + Enumerable.Range(0, t).Sum(k => g.Edges[k, t + 1 + w])).ToArray());
        var result = new List<Component>();
        foreach (var groups in outCounts)
            if (made.TryGetValue(string.Join(";", groups), out var reference)) result.Add(new Component(groups, reference, 1.0));
        return result;
    }

    // What T_t depends on: the factors so far, the edges among them, and each later factor's edges into them.
    private static string PartialKey(ContractionGraph g, int t)
    {
        var n = g.Factors.Length;
        var parts = new List<string>();
        for (var k = 0; k <= t; k++) parts.Add($"{g.Factors[k].Mu}.{g.Factors[k].Nu}");
        for (var k = 0; k <= t; k++)
            for (var l = k + 1; l <= t; l++) parts.Add(g.Edges[k, l].ToString());
        for (var w = t + 1; w < n; w++)
            parts.Add("w" + string.Join(",", Enumerable.Range(0, t + 1).Select(k => g.Edges[k, w])));
        return string.Join("|", parts);
    }

    private static (int A, int B, int C) Add((int A, int B, int C) x, (int A, int B, int C) y) => (x.A + y.A, x.B + y.B, x.C + y.C);

    private static (int A, int B, int C) Sum((int A, int B, int C)[] xs) => xs.Aggregate((0, 0, 0), (s, x) => Add(s, x));

    /// <summary>(a + b + c)! / (a! b! c!): how many index tuples have these counts.</summary>
    internal static double Multinomial((int A, int B, int C) c) =>
        Factorial(c.A + c.B + c.C) / (Factorial(c.A) * Factorial(c.B) * Factorial(c.C));

    private static double Factorial(int k)
    {
        var f = 1.0;
        for (var i = 2; i <= k; i++) f *= i;
        return f;
    }

    /// <summary>Count triples of the given sizes, one per group; all combinations, in a fixed order.</summary>
    internal static List<(int A, int B, int C)[]> AllCounts(int[] sizes)
    {
        var result = new List<(int, int, int)[]> { Array.Empty<(int, int, int)>() };
        foreach (var s in sizes)
        {
            var next = new List<(int, int, int)[]>();
            foreach (var prefix in result)
                for (var a = s; a >= 0; a--)
                    for (var b = s - a; b >= 0; b--)
                        next.Add([.. prefix, (a, b, s - a - b)]);
            result = next;
        }
        return result;
    }
}
