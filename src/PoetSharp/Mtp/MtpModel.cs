namespace PoetSharp.Mtp;

/// <summary>
/// A moment tensor potential (Shapeev 2016; MLIP-2's "MTP1m"). The energy of atom i of species s_i is
/// E_i = ξ_{s_i} + Σ_α w_α B_α(n_i),
/// where the B_α are the scalar moments of <see cref="Basis"/> built from
/// M_{μ,ν} = Σ_j f_μ^{s_i s_j}(r_ij) r̂_ij^{⊗ν}, with radial functions on a Chebyshev basis
/// f_μ^{st}(r) = Σ_β c^{st}_{μβ} T_β(ξ(r)) · scaling · (R_cut − r)²  for r &lt; R_cut, else 0,
/// ξ(r) = (2r − (min_dist + R_cut)) / (R_cut − min_dist). Species numbers are MLIP's 0, 1, …; <see cref="Elements"/>
/// names each one (an .mtp file numbers species but names none). Units: Å and eV.
/// </summary>
public sealed class MtpModel : Models.IParametricModel
{
    public string Family => "mtp";
    IReadOnlyList<string> Models.IParametricModel.Species => Elements;
    Models.IParametricModel Models.IParametricModel.WithParameters(ReadOnlySpan<double> parameters) => WithParameters(parameters);
    public Potentials.IPotential CreatePotential() => new MtpPotential(this);

    public MomentBasis Basis { get; }
    /// <summary>Element of each species number (length <see cref="SpeciesCount"/>).</summary>
    public string[] Elements { get; }
    public int SpeciesCount => Elements.Length;
    public double Scaling { get; }
    /// <summary>min_dist (Å): the lower end of the Chebyshev interval (not a hard limit: closer pairs extrapolate).</summary>
    public double MinDistance { get; }
    /// <summary>max_dist = R_cut (Å).</summary>
    public double Cutoff { get; }
    /// <summary>Number of Chebyshev polynomials per radial function.</summary>
    public int RadialBasisSize { get; }
    /// <summary>Number of radial functions f_μ (at least the basis's).</summary>
    public int RadialFunctionCount { get; }
    /// <summary>c^{st}_{μβ} at [((s·S + t)·nμ + μ)·nβ + β].</summary>
    public double[] RadialCoefficients { get; }
    /// <summary>ξ_s (eV).</summary>
    public double[] SpeciesCoefficients { get; }
    /// <summary>w_α (eV), one per scalar moment.</summary>
    public double[] MomentCoefficients { get; }
    public string Name { get; }
    /// <summary>The short-range core (radial functions switched off and ZBL repulsion below each pair's inner radius), or null: the bare MTP, as MLIP runs it.</summary>
    public MtpCore? Core { get; }

    public MtpModel(MomentBasis basis, string[] elements, double scaling, double minDistance, double cutoff, int radialBasisSize,
        int radialFunctionCount, double[] radialCoefficients, double[] speciesCoefficients, double[] momentCoefficients, string name = "MTP",
        MtpCore? core = null)
    {
        Basis = basis;
        Elements = elements;
        Scaling = scaling;
        MinDistance = minDistance;
        Cutoff = cutoff;
        RadialBasisSize = radialBasisSize;
        RadialFunctionCount = radialFunctionCount;
        RadialCoefficients = radialCoefficients;
        SpeciesCoefficients = speciesCoefficients;
        MomentCoefficients = momentCoefficients;
        Name = name;
        Core = core;
        Validate();
    }

    public int RadialParameterCount => SpeciesCount * SpeciesCount * RadialFunctionCount * RadialBasisSize;
    /// <summary>Linear parameters: ξ_s then w_α.</summary>
    public int LinearParameterCount => SpeciesCount + Basis.ScalarCount;
    public int ParameterCount => RadialParameterCount + LinearParameterCount;

    public int RadialIndex(int s, int t, int mu, int beta) => ((s * SpeciesCount + t) * RadialFunctionCount + mu) * RadialBasisSize + beta;

    private void Validate()
    {
        if (Elements.Length == 0) throw new ArgumentException("an MTP needs at least one species");
        if (Elements.Distinct().Count() != Elements.Length) throw new ArgumentException($"species named twice: {string.Join(", ", Elements)}");
        if (!(double.IsFinite(Scaling) && Scaling > 0)) throw new ArgumentException($"scaling must be positive and finite (got {Scaling})");
        if (!(double.IsFinite(MinDistance) && double.IsFinite(Cutoff) && MinDistance >= 0 && Cutoff > MinDistance))
            throw new ArgumentException($"need 0 ≤ min_dist < max_dist (got {MinDistance}, {Cutoff})");
        if (RadialBasisSize < 2) throw new ArgumentException($"radial_basis_size must be at least 2 (got {RadialBasisSize})");
        if (RadialFunctionCount < Basis.RadialFunctionCount)
            throw new ArgumentException($"the basis uses {Basis.RadialFunctionCount} radial functions but only {RadialFunctionCount} are given");
        if (RadialCoefficients.Length != RadialParameterCount)
            throw new ArgumentException($"expected {RadialParameterCount} radial coefficients, got {RadialCoefficients.Length}");
        if (SpeciesCoefficients.Length != SpeciesCount)
            throw new ArgumentException($"expected {SpeciesCount} species coefficients, got {SpeciesCoefficients.Length}");
        if (MomentCoefficients.Length != Basis.ScalarCount)
            throw new ArgumentException($"expected {Basis.ScalarCount} moment coefficients, got {MomentCoefficients.Length}");
        foreach (var v in RadialCoefficients.Concat(SpeciesCoefficients).Concat(MomentCoefficients))
            if (!double.IsFinite(v)) throw new ArgumentException("an MTP coefficient is not finite");
        if (Core is { } core)
        {
            if (core.SpeciesCount != SpeciesCount) throw new ArgumentException($"the core is for {core.SpeciesCount} species, the potential has {SpeciesCount}");
            if (core.Reach > Cutoff) throw new ArgumentException($"the core's largest inner radius {core.Reach} Å exceeds the cutoff {Cutoff} Å");
        }
    }

    /// <summary>All parameters in one vector: radial coefficients, species coefficients, moment coefficients.</summary>
    public double[] Parameters() => [.. RadialCoefficients, .. SpeciesCoefficients, .. MomentCoefficients];

    /// <summary>The same model with new parameters (in the order of <see cref="Parameters"/>).</summary>
    public MtpModel WithParameters(ReadOnlySpan<double> p)
    {
        if (p.Length != ParameterCount) throw new ArgumentException($"expected {ParameterCount} parameters, got {p.Length}");
        var r = RadialParameterCount;
        return new MtpModel(Basis, Elements, Scaling, MinDistance, Cutoff, RadialBasisSize, RadialFunctionCount,
            p[..r].ToArray(), p.Slice(r, SpeciesCount).ToArray(), p[(r + SpeciesCount)..].ToArray(), Name, Core);
    }

    public MtpModel WithLinear(ReadOnlySpan<double> speciesCoefficients, ReadOnlySpan<double> momentCoefficients) =>
        new(Basis, Elements, Scaling, MinDistance, Cutoff, RadialBasisSize, RadialFunctionCount, RadialCoefficients,
            speciesCoefficients.ToArray(), momentCoefficients.ToArray(), Name, Core);

    public MtpModel WithRadial(ReadOnlySpan<double> radialCoefficients) =>
        new(Basis, Elements, Scaling, MinDistance, Cutoff, RadialBasisSize, RadialFunctionCount, radialCoefficients.ToArray(),
            SpeciesCoefficients, MomentCoefficients, Name, Core);

    public MtpModel WithName(string name) =>
        new(Basis, Elements, Scaling, MinDistance, Cutoff, RadialBasisSize, RadialFunctionCount, RadialCoefficients,
            SpeciesCoefficients, MomentCoefficients, name, Core);

    /// <summary>The same model named for other elements; a core keeps its radii, its repulsion follows the new elements.</summary>
    public MtpModel WithElements(string[] elements) =>
        new(Basis, elements, Scaling, MinDistance, Cutoff, RadialBasisSize, RadialFunctionCount, RadialCoefficients,
            SpeciesCoefficients, MomentCoefficients, Name, Core is null ? null : new MtpCore(Core.Inner, Core.Width, elements));

    /// <summary>The same model with another short-range core (null: none).</summary>
    public MtpModel WithCore(MtpCore? core) =>
        new(Basis, Elements, Scaling, MinDistance, Cutoff, RadialBasisSize, RadialFunctionCount, RadialCoefficients,
            SpeciesCoefficients, MomentCoefficients, Name, core);

    /// <summary>
    /// An untrained MTP of a level (all contractions, <see cref="MomentBasis.Generate"/>), with radial coefficients drawn
    /// near the identity (radial function μ starts close to Chebyshev polynomial μ) and linear coefficients zero.
    /// </summary>
    public static MtpModel Untrained(int level, string[] elements, double minDistance, double cutoff, int radialBasisSize = 8, int seed = 1, double scaling = 1.0)
    {
        var basis = MomentBasis.Generate(level);
        var nmu = basis.RadialFunctionCount;
        var s = elements.Length;
        var radial = new double[s * s * nmu * radialBasisSize];
        var random = new Random(seed);
        for (var pair = 0; pair < s * s; pair++)
            for (var mu = 0; mu < nmu; mu++)
                for (var b = 0; b < radialBasisSize; b++)
                    radial[(pair * nmu + mu) * radialBasisSize + b] = (b == mu % radialBasisSize ? 1.0 : 0.0) + 0.1 * (2 * random.NextDouble() - 1);
        return new MtpModel(basis, elements, scaling, minDistance, cutoff, radialBasisSize, nmu, radial, new double[s],
            new double[basis.ScalarCount], $"MTP level {level}");
    }
}
