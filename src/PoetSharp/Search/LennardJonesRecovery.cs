using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Search;

/// <summary>
/// Whether a model is the Lennard-Jones argon that POET's LJ_Ar data were generated with: E_i = Σ_j (A r⁻¹² − B r⁻⁶) f,
/// i.e. ½ Σ_j 4ε[(σ/r)¹² − (σ/r)⁶] f with A = 2εσ¹² and B = 2εσ⁶ (the sum over atoms counts each pair twice), f POET's
/// taper with r_in = 4.3546 Å and r_out = 7.5004 Å. The data carry no record of ε and σ; fitting this form to them
/// (issue 4's refit, energies and forces) gives σ = 3.35013 Å and ε = 0.012334 eV, the reference used here.
/// Judged like <see cref="SuttonChenRecovery"/>, on the form and on the function:
/// (1) the model has pair terms (sums, or additive terms within a sum) that are powers of r with exponents within 1 % of
/// ±12 and ±6, written so or behaving so on 3–7 Å;
/// (2) on 300 atom environments (random neighbour sets between 3.0 Å and the cutoff, 1 to 80 neighbours, and fcc shells
/// at lattice constants 5.0–5.8 Å) the model's atom energy is, up to a constant, a·ρ₁₂ + b·ρ₆ (ρₙ = Σ_j r⁻ⁿ f) to within
/// 10⁻⁴ of its spread, with σ = (a/−b)^(1/6) and ε = b²/(2a) within 1 % of the reference.
/// </summary>
public static class LennardJonesRecovery
{
    public const double Sigma = 3.35013;
    public const double Epsilon = 0.012334;
    /// <summary>The taper of the LJ_Ar data (found by fitting, see the class remarks).</summary>
    public static Taper Taper => new(4.3546, 7.5004);

    /// <summary>A = 2εσ¹², B = 2εσ⁶.</summary>
    public static double A => 2 * Epsilon * Math.Pow(Sigma, 12);
    public static double B => 2 * Epsilon * Math.Pow(Sigma, 6);
    public static string TrueForm => FormattableString.Invariant($"sum({A:F1}*r^-12 - {B:F4}*r^-6)");

    /// <summary>The form test alone (1): pair terms that are powers r^±12 and r^±6, each within 1 % (written so or behaving so on 3–7 Å).</summary>
    public static bool HasForm(Expression model)
    {
        var (pairExponents, _) = RecoveryChecks.PowerExponents(model);
        // Each additive term of each sum's pair expression (LJ is often found as one sum of two terms).
        for (var i = 0; i < model.Length; i++)
            if (model.Nodes[i].Kind == NodeKind.Sum)
                foreach (var term in RecoveryChecks.AdditiveTerms(model, i - 1))
                    if (RecoveryChecks.LocalExponent(model, term, 3.0, 7.0) is { } k) pairExponents.Add(k);
        bool Near(double target) => pairExponents.Any(v => Math.Abs(Math.Abs(v) / target - 1) <= 0.01);
        return Near(12) && Near(6);
    }

    public static RecoveryVerdict Check(Expression model, Taper taper)
    {
        var form = HasForm(model);
        var fit = RecoveryChecks.FitAtomEnergies(model, taper, RecoveryChecks.Environments(3.0, taper.Outer, 80, 5.0, 5.8),
            (r, f) => [RecoveryChecks.Weighted(r, f, -12), RecoveryChecks.Weighted(r, f, -6)]);
        if (fit is not var (c, relative)) return new RecoveryVerdict(false, "the model is not finite on a test environment");
        double a = c[0], b = -c[1];
        double sigma = a > 0 && b > 0 ? Math.Pow(a / b, 1.0 / 6) : double.NaN, epsilon = a > 0 ? b * b / (2 * a) : double.NaN;
        var constants = Math.Abs(sigma / Sigma - 1) <= 0.01 && Math.Abs(epsilon / Epsilon - 1) <= 0.01;
        var found = form && relative <= 1e-4 && constants;
        var detail = FormattableString.Invariant(
            $"σ = {sigma:G6} Å (true {Sigma}), ε = {epsilon:G6} eV (true {Epsilon}), misfit {relative:G2}; form {(form ? "has" : "lacks")} r^±12 and r^±6");
        return new RecoveryVerdict(found, detail);
    }
}
