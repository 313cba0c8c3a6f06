using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Models;

/// <summary>
/// A fitted potential model: the atom expression with its constants (for several elements, one term at[A](F_A) per
/// element, or one expression for every atom whose sums may be species-resolved), the neighbour cutoff (Å), the taper applied in
/// every sum, the species it was fitted for, where it came from, and optionally its errors (e.g. "energy_rmse_meV_per_atom").
/// Saved and loaded by <see cref="ModelFile"/>.
/// </summary>
public sealed record Model(string Name, Expression Expression, double Cutoff, Taper Taper, IReadOnlyList<string> Species) : IParametricModel
{
    public string Family => "expression";
    public int ParameterCount => Expression.ConstantCount;
    public double[] Parameters() => Expression.Constants.ToArray();
    IParametricModel IParametricModel.WithParameters(ReadOnlySpan<double> parameters) => this with { Expression = Expression.WithConstants(parameters) };
    public IPotential CreatePotential() => new ModelPotential(Expression, Taper, Species, Name);

    /// <summary>Free text: data set, date, program version, search settings.</summary>
    public string Provenance { get; init; } = "";

    /// <summary>Named error figures (units in the name); empty if none.</summary>
    public IReadOnlyDictionary<string, double> Errors { get; init; } = new Dictionary<string, double>();

    /// <summary>Throws <see cref="ArgumentException"/> unless the model can be used and saved.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Name);
        ArgumentNullException.ThrowIfNull(Expression);
        ArgumentNullException.ThrowIfNull(Provenance);
        Expression.RequireAtomExpression();
        for (var k = 0; k < Expression.ConstantCount; k++)
            if (!double.IsFinite(Expression.Constants[k])) throw new ArgumentException($"constant {k} is {Expression.Constants[k]}");
        if (!(Cutoff > 0) || !double.IsFinite(Cutoff)) throw new ArgumentException($"cutoff must be positive and finite (got {Cutoff})");
        Taper.Validate();
        if (Taper.Outer > Cutoff) throw new ArgumentException($"taper r_out = {Taper.Outer} Å exceeds the cutoff {Cutoff} Å: the energy would jump at the cutoff");
        if (Species is null || Species.Count == 0) throw new ArgumentException("a model needs at least one species");
        foreach (var s in Species)
            if (!Elements.IsKnown(s)) throw new ArgumentException($"unknown element '{s}'");
        if (Species.Distinct().Count() != Species.Count) throw new ArgumentException("species listed twice");
        // Every element the expression names is one of the model's; per-element terms cover every species.
        foreach (var node in Expression.Nodes)
        {
            if (node.Element == 0) continue;
            var symbol = Elements.Symbol(node.Element);
            if (!Species.Contains(symbol))
                throw new ArgumentException($"the expression names {symbol} (in {(Nodes.IsNeighbourSum(node.Kind) ? Nodes.SumName(node.Kind) : "at")}[{symbol}]) but the model's species are {string.Join(", ", Species)}");
        }
        var terms = Expression.CentralTerms.ToArray();
        if (terms.Length > 0 && terms.Length != Species.Count)
        {
            var missing = Species.Where(s => !terms.Any(t => Elements.Symbol(t.Element) == s));
            throw new ArgumentException($"the model has per-element terms but none for {string.Join(", ", missing)}");
        }
        foreach (var (name, value) in Errors)
            if (!double.IsFinite(value)) throw new ArgumentException($"error '{name}' is {value}");
    }
}
