namespace PoetSharp.Mtp;

/// <summary>
/// The moment basis of a moment tensor potential (Shapeev 2016; MLIP-2), as a small program over numbered moments:
/// <list type="bullet">
/// <item>the first <see cref="BasicCount"/> moments are components of M_{μ,ν} = Σ_j f_μ(r_ij) r̂_ij^{⊗ν}, entry k being
/// Σ_j f_{μ_k}(r_ij) x̂^{a_k} ŷ^{b_k} ẑ^{c_k} with a_k + b_k + c_k = ν_k;</item>
/// <item>the products then add, in order, <c>moment[Out] += Mult · moment[Left] · moment[Right]</c>;</item>
/// <item>the scalar basis functions B_α are the moments listed in <see cref="Scalars"/>.</item>
/// </list>
/// This is the representation MLIP's <c>.mtp</c> files use (alpha_index_basic, alpha_index_times, alpha_moment_mapping),
/// so a file's basis runs unchanged, and <see cref="Generate"/> writes every contraction of a level in the same form.
/// </summary>
public sealed class MomentBasis
{
    /// <summary>Radial function index μ of each basic moment.</summary>
    public int[] Mu { get; }
    /// <summary>Powers (a, b, c) of x̂, ŷ, ẑ of each basic moment.</summary>
    public (int A, int B, int C)[] Powers { get; }
    /// <summary>The products, applied in order.</summary>
    public (int Left, int Right, double Mult, int Out)[] Products { get; }
    /// <summary>Moment index of each scalar basis function B_α.</summary>
    public int[] Scalars { get; }
    /// <summary>Number of moments (basic and products).</summary>
    public int MomentCount { get; }

    public int BasicCount => Mu.Length;
    public int ScalarCount => Scalars.Length;
    /// <summary>Number of radial functions the basis uses (largest μ + 1).</summary>
    public int RadialFunctionCount => Mu.Length == 0 ? 0 : Mu.Max() + 1;
    /// <summary>Largest tensor rank ν among the basic moments.</summary>
    public int MaxRank => Powers.Length == 0 ? 0 : Powers.Max(p => p.A + p.B + p.C);
    /// <summary>The level the basis was generated for (0 when read from a file that does not say).</summary>
    public int Level { get; }

    public MomentBasis(int[] mu, (int, int, int)[] powers, (int, int, double, int)[] products, int[] scalars, int momentCount, int level = 0)
    {
        if (mu.Length != powers.Length) throw new ArgumentException("one μ per basic moment is needed");
        Mu = mu;
        Powers = powers;
        Products = products;
        Scalars = scalars;
        MomentCount = momentCount;
        Level = level;
        Validate();
    }

    /// <summary>Checks indices: products read only moments already complete and write only product moments.</summary>
    private void Validate()
    {
        for (var k = 0; k < Mu.Length; k++)
        {
            if (Mu[k] < 0) throw new ArgumentException($"basic moment {k} has a negative radial index {Mu[k]}");
            var (a, b, c) = Powers[k];
            if (a < 0 || b < 0 || c < 0) throw new ArgumentException($"basic moment {k} has a negative power");
        }
        if (MomentCount < BasicCount) throw new ArgumentException($"{MomentCount} moments cannot hold {BasicCount} basic ones");
        foreach (var (l, r, _, o) in Products)
        {
            if (l < 0 || r < 0 || o < 0 || l >= MomentCount || r >= MomentCount || o >= MomentCount)
                throw new ArgumentException($"a product ({l}, {r}) → {o} refers to a moment outside 0…{MomentCount - 1}");
            if (o < BasicCount) throw new ArgumentException($"a product writes basic moment {o}");
            if (l >= o || r >= o) throw new ArgumentException($"a product ({l}, {r}) → {o} reads a moment not yet complete");
        }
        foreach (var s in Scalars)
            if (s < 0 || s >= MomentCount) throw new ArgumentException($"scalar moment {s} outside 0…{MomentCount - 1}");
        // The reverse sweep of the gradient needs every product into a moment to come before any product reading it.
        var lastWrite = new int[MomentCount];
        Array.Fill(lastWrite, -1);
        for (var p = 0; p < Products.Length; p++)
        {
            lastWrite[Products[p].Out] = p;
        }
        var firstRead = new int[MomentCount];
        Array.Fill(firstRead, int.MaxValue);
        for (var p = 0; p < Products.Length; p++)
        {
            var (l, r, _, _) = Products[p];
            firstRead[l] = Math.Min(firstRead[l], p);
            firstRead[r] = Math.Min(firstRead[r], p);
        }
        for (var k = 0; k < MomentCount; k++)
            if (lastWrite[k] >= 0 && firstRead[k] < lastWrite[k])
                throw new ArgumentException($"moment {k} is read by product {firstRead[k]} before its last product {lastWrite[k]}");
    }

    /// <summary>lev(M_{μ,ν}) = 2 + 4μ + ν (Shapeev 2016).</summary>
    public static int MomentLevel(int mu, int nu) => 2 + 4 * mu + nu;

    /// <summary>
    /// Every scalar contraction of at most <paramref name="maxFactors"/> moment tensors with level ≤ <paramref name="level"/>.
    /// A contraction is a loopless multigraph on its factors, factor k of degree ν_k (an index contracted within one
    /// factor only lowers its rank, since |r̂| = 1, so self-loops add nothing); graphs that differ only by swapping equal
    /// factors are one function. Disconnected graphs (products of smaller invariants) are included. With
    /// <paramref name="maxFactors"/> = 4 this gives the same counts per level as MLIP's published templates (for level 20:
    /// 1, 1, 3, 4, 7, 13, 23, 40, 71, 125 at levels 2, 4, …, 20; 288 in all; a test checks it against Cu_mtp.mtp).
    /// </summary>
    public static MomentBasis Generate(int level, int maxFactors = 4)
    {
        if (level < 2) throw new ArgumentException($"an MTP level must be at least 2 (got {level})");
        if (maxFactors < 1 || maxFactors > 6) throw new ArgumentException($"maxFactors must be 1…6 (got {maxFactors})");
        var graphs = ContractionGraphs.Enumerate(level, maxFactors);
        return new BasisCompiler(level).Compile(graphs);
    }
}
