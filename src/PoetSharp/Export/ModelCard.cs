using System.Globalization;
using System.Text;
using PoetSharp.Atoms;
using PoetSharp.Models;

namespace PoetSharp.Export;

/// <summary>
/// MODEL.md: a short Markdown card for an exported model — expression, LaTeX, cutoff and taper, training data and
/// errors when the model carries them, and the exact LAMMPS commands for the files written.
/// </summary>
public static class ModelCard
{
    /// <param name="setfl">The setfl export, if one was written.</param>
    /// <param name="kimItem">The KIM item name, if a KIM model was written.</param>
    /// <param name="setflUnavailable">Why no setfl file could be written, if that was asked for or checked.</param>
    public static string Render(Model model, LammpsExport? setfl, string? kimItem, bool kimInstalled, string? setflUnavailable = null)
    {
        var md = new StringBuilder();
        md.Append($"# {model.Name}\n\n");
        md.Append($"A POET interatomic potential for {string.Join(", ", model.Species)}, exported by PoetSharp.\n\n");
        md.Append("## Model\n\n");
        md.Append("Energy of atom *i* (eV), with every `sum(g)` read as Σ_j g(r_ij) f(r_ij) over the neighbours *j* of *i*; the total energy is Σ_i E_i:\n\n");
        md.Append("```\nE_i = ").Append(model.Expression).Append("\n```\n\n");
        md.Append("$$E_i = ").Append(LatexPrinter.Print(model.Expression)).Append("$$\n\n");
        md.Append("| | |\n|---|---|\n");
        md.Append($"| species | {string.Join(", ", model.Species)} |\n");
        md.Append($"| cutoff | {G(model.Cutoff)} Å |\n");
        md.Append($"| taper f(r) | 1 below {G(model.Taper.Inner)} Å, (2r² − 3r_in² + r_out²)(r_out² − r²)² / (r_out² − r_in²)³ up to {G(model.Taper.Outer)} Å, 0 beyond |\n");
        md.Append($"| complexity | {model.Expression.Complexity} nodes, {model.Expression.SumCount} neighbour sum(s), {model.Expression.ConstantCount} constants |\n");
        md.Append($"| units | Å, eV (LAMMPS `units metal`) |\n\n");

        md.Append("## Training data and errors\n\n");
        md.Append(model.Provenance.Length > 0 ? model.Provenance + "\n\n" : "The model file records no provenance.\n\n");
        if (model.Errors.Count > 0)
        {
            md.Append("| error | value |\n|---|---|\n");
            foreach (var (name, value) in model.Errors) md.Append($"| {name} | {G(value)} |\n");
            md.Append('\n');
        }
        else md.Append("The model file records no error figures.\n\n");

        md.Append("## Running it in LAMMPS\n\n");
        if (setfl is not null)
        {
            md.Append($"Tabulated ({string.Join(", ", setfl.Files.Select(f => "`" + Path.GetFileName(f) + "`"))}); run from the folder that holds the file(s), atom types 1…{model.Species.Count} = {string.Join(" ", model.Species)}:\n\n");
            md.Append("```\nunits metal\n");
            md.Append("pair_style ").Append(setfl.PairStyle).Append('\n');
            foreach (var c in setfl.PairCoeffs) md.Append("pair_coeff ").Append(c).Append('\n');
            md.Append("```\n\n");
            foreach (var note in setfl.Notes) md.Append("- ").Append(note).Append('\n');
            md.Append('\n');
        }
        else if (setflUnavailable is not null) md.Append("No setfl table: ").Append(setflUnavailable).Append(".\n\n");
        if (kimItem is not null) KimSection(md, kimItem, kimInstalled, model.Species);
        return md.ToString();
    }

    /// <summary>MODEL.md for a moment tensor potential exported as a KIM portable model (its only export format).</summary>
    public static string Render(Mtp.MtpModel model, string? kimItem, bool kimInstalled)
    {
        var md = new StringBuilder();
        var basis = model.Basis;
        md.Append($"# {model.Name}\n\n");
        md.Append($"A moment tensor potential (Shapeev 2016; MLIP's MTP1m) for {string.Join(", ", model.Elements)}, exported by PoetSharp.\n\n");
        md.Append("## Model\n\n");
        md.Append("E_i = ξ_{s_i} + Σ_α w_α B_α, the B_α scalar contractions of the moments M_{μ,ν} = Σ_j f_μ(r_ij) r̂_ij^{⊗ν}, with radial functions ");
        md.Append("f_μ(r) = Σ_β c_{μβ} T_β(ξ(r)) · scaling · (R_cut − r)² on a Chebyshev basis; the total energy is Σ_i E_i.\n\n");
        md.Append("| | |\n|---|---|\n");
        md.Append($"| species | {string.Join(", ", model.Elements)} (species number k = element k) |\n");
        md.Append($"| cutoff | {G(model.Cutoff)} Å (Chebyshev interval from {G(model.MinDistance)} Å) |\n");
        if (basis.Level > 0) md.Append($"| level | {basis.Level} |\n");
        md.Append($"| basis | {basis.ScalarCount} scalar moments from {basis.BasicCount} basic moments and {basis.Products.Length} products |\n");
        md.Append($"| radial functions | {model.RadialFunctionCount} per species pair, {model.RadialBasisSize} Chebyshev polynomials each |\n");
        md.Append($"| parameters | {model.ParameterCount} |\n");
        md.Append($"| units | Å, eV (LAMMPS `units metal`) |\n\n");
        md.Append("## Running it in LAMMPS\n\n");
        md.Append("No setfl table: a moment tensor potential is not of EAM form.\n\n");
        if (kimItem is not null) KimSection(md, kimItem, kimInstalled, model.Elements);
        return md.ToString();
    }

    private static void KimSection(StringBuilder md, string kimItem, bool kimInstalled, IReadOnlyList<string> species)
    {
        var masses = string.Join("\n", species.Select((s, k) => $"mass {k + 1} {G(Elements.Mass(s))}"));
        md.Append($"KIM API portable model `{kimItem}` (C++ source in `{kimItem}/`)");
        md.Append(kimInstalled
            ? ", installed in the user collection.\n\n"
            : $". Build and install it with `kim-api-collections-management install user {kimItem}` (needs cmake, a C++ compiler and the KIM API development files), then:\n\n");
        if (kimInstalled) md.Append("Then:\n\n");
        md.Append($"```\nkim init {kimItem} metal\nread_data …   # or create_box/create_atoms\nkim interactions {string.Join(" ", species)}\n{masses}\n```\n\n");
        md.Append("`kim init` must come before the box is defined and `kim interactions` after it. The model also works in any other KIM-compliant simulator (ASE through kimpy, GULP, DL_POLY).\n");
    }

    private static string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
