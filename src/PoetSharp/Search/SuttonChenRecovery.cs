using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Search;

/// <summary>
/// Whether a model is Sutton–Chen copper as POET's EAM_Cu data were generated with it: E_i = A Σ_j r⁻⁹ f − (B Σ_j r⁻⁶ f)^½
/// with A = 644.52 and B = 527.62 (eV, Å; f the taper). Judged on the form and on the function, whatever the algebra:
/// (1) the model has powers of r with exponents within 1 % of ±9 and ±6 and an atom-level power within 1 % of ±½;
/// (2) on 300 atom environments (random neighbour sets between 1.8 Å and the cutoff, 1 to 60 neighbours, and fcc shells
/// at lattice constants 3.3–3.9 Å) the model's atom energy is, up to a constant, a·ρ₉ + b·√ρ₆ (ρₙ = Σ_j r⁻ⁿ f) to within
/// 10⁻⁴ of its spread, with a within 1 % of A and b within 1 % of −√B.
/// </summary>
public static class SuttonChenRecovery
{
    public const double A = 644.52;
    public const double B = 527.62;
    public const string TrueForm = "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5";

    /// <summary>
    /// The form test alone (1): pair terms that are powers r^±9 and r^±6 and an atom-level power ±½, each within 1 %.
    /// A sum's pair term counts as a power r^k when it is written so (r^k) or when it behaves so on 1.8–5 Å: the local
    /// exponent d ln|g| / d ln r is the same everywhere there to 0.1 % (r^-5/r is r^-6 whatever the algebra).
    /// </summary>
    public static bool HasForm(Expression model)
    {
        var (pairExponents, atomExponents) = RecoveryChecks.PowerExponents(model);
        for (var i = 0; i < model.Length; i++)
            if (model.Nodes[i].Kind == NodeKind.Sum && RecoveryChecks.LocalExponent(model, i - 1) is { } k) pairExponents.Add(k);
        bool Near(IEnumerable<double> values, double target) => values.Any(v => Math.Abs(Math.Abs(v) / target - 1) <= 0.01);
        return Near(pairExponents, 9) && Near(pairExponents, 6) && Near(atomExponents, 0.5);
    }

    public static RecoveryVerdict Check(Expression model, Taper taper)
    {
        var form = HasForm(model);
        // Least squares for E = a ρ9 + b √ρ6 + c over the environments.
        var fit = RecoveryChecks.FitAtomEnergies(model, taper, RecoveryChecks.Environments(1.8, taper.Outer, 60, 3.3, 3.9),
            (r, f) => [RecoveryChecks.Weighted(r, f, -9), Math.Sqrt(RecoveryChecks.Weighted(r, f, -6))]);
        if (fit is not var (coefficients, relative)) return new RecoveryVerdict(false, "the model is not finite on a test environment");
        double a = coefficients[0], b = coefficients[1];
        var constants = Math.Abs(a / A - 1) <= 0.01 && Math.Abs(b / -Math.Sqrt(B) - 1) <= 0.01;
        var found = form && relative <= 1e-4 && constants;
        var detail = FormattableString.Invariant(
            $"A = {a:G6} (true {A}), √B = {-b:G6} (true {Math.Sqrt(B):G6}), misfit {relative:G2}; form {(form ? "has" : "lacks")} r^±9, r^±6 and a square root");
        return new RecoveryVerdict(found, detail);
    }
}
