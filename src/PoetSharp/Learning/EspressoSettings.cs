using System.Globalization;
using System.Security.Cryptography;
using PoetSharp.Atoms;

namespace PoetSharp.Learning;

/// <summary>
/// How <see cref="EspressoOracle"/> runs Quantum ESPRESSO's pw.x: the program, the pseudopotentials and the SCF settings.
/// Energies are in Rydberg (Ry) here because pw.x takes them so; the oracle's labels are in eV, eV/Å and eV/Å³.
/// The calculation is spin-unpolarised unless <see cref="StartingMagnetization"/> is given.
/// </summary>
public sealed record EspressoSettings
{
    /// <summary>The pw.x program: a name looked up on PATH, or a path. Debian's quantum-espresso package installs /usr/bin/pw.x.</summary>
    public string Executable { get; init; } = "pw.x";

    /// <summary>MPI ranks: 1 runs pw.x directly; more run it under <see cref="MpiLauncher"/> with "-np N".</summary>
    public int MpiRanks { get; init; } = 1;

    /// <summary>The MPI launcher used when <see cref="MpiRanks"/> &gt; 1.</summary>
    public string MpiLauncher { get; init; } = "mpirun";

    /// <summary>
    /// Arguments given to the launcher before the program. The defaults are Open MPI's (Debian's mpirun): it refuses to
    /// run as root without --allow-run-as-root, and without --oversubscribe it refuses more ranks than it counts cores.
    /// </summary>
    public IReadOnlyList<string> MpiArguments { get; init; } = ["--allow-run-as-root", "--oversubscribe"];

    /// <summary>Wall-clock limit of one pw.x run; past it the run and its child processes are killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Folder of the pseudopotential files (pw.x's pseudo_dir): $ESPRESSO_PSEUDO if set, else Debian's /usr/share/espresso/pseudo.</summary>
    public string PseudoFolder { get; init; } = DefaultPseudoFolder;

    /// <summary>
    /// Pseudopotential file name (inside <see cref="PseudoFolder"/>) per element. Elements not listed get one chosen by
    /// <see cref="FindPseudopotential"/>: among the folder's *.UPF files whose name starts with "El." or "El_" (the
    /// element symbol, any case), PBE ones first ("pbe" in the name, but not "pbesol"), then scalar-relativistic ones
    /// (no "rel-"), then the first in ordinal name order. For production runs name the files here: the choice decides the labels.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Pseudopotentials { get; init; }

    /// <summary>Plane-wave cutoff for the wavefunctions (Ry). 40 Ry suits many ultrasoft/PAW sets; check convergence for yours.</summary>
    public double EcutWfc { get; init; } = 40;

    /// <summary>Cutoff for the charge density (Ry); null: 8 × <see cref="EcutWfc"/>, which ultrasoft and PAW sets need (norm-conserving ones could do with 4 ×).</summary>
    public double? EcutRho { get; init; }

    /// <summary>pw.x's smearing ('mv' Marzari–Vanderbilt cold smearing, 'gaussian', 'mp', 'fd'); null: fixed occupations (insulators).</summary>
    public string? Smearing { get; init; } = "mv";

    /// <summary>Smearing width (Ry).</summary>
    public double Degauss { get; init; } = 0.02;

    /// <summary>An explicit Γ-centred Monkhorst–Pack grid; null: from <see cref="KSpacing"/> if set, else the generalized grid of <see cref="KMinDistance"/>.</summary>
    public (int A, int B, int C)? KGrid { get; init; }

    /// <summary>
    /// Largest k-point spacing (Å⁻¹, with the 2π in the reciprocal vectors): n_i = max(1, ceil(|b_i| / spacing)), a
    /// Γ-centred Monkhorst–Pack grid. Null (the default): the generalized grid of <see cref="KMinDistance"/>. The grid
    /// follows the cell, so strained copies of a structure may get different grids; use <see cref="KGrid"/> to fix it.
    /// </summary>
    public double? KSpacing { get; init; }

    /// <summary>
    /// The default k-points: the generalized regular grid (<see cref="PoetSharp.KPoints.KPointGenerator"/>, symmetry from
    /// spglib) with the fewest irreducible points whose real-space superlattice has minimum periodic distance ≥ this (Å),
    /// written as an explicit list with weights. 25 Å samples about as densely as the old default spacing of 0.25 Å⁻¹
    /// (2π/0.25 ≈ 25 Å) with fewer irreducible points. Used when neither <see cref="KGrid"/> nor <see cref="KSpacing"/> is set.
    /// </summary>
    public double KMinDistance { get; init; } = 25;

    /// <summary>SCF convergence threshold per atom (Ry): pw.x's conv_thr is this times the number of atoms, so the per-atom accuracy does not depend on the cell size.</summary>
    public double ConvThrPerAtom { get; init; } = 1e-8;

    /// <summary>pw.x's mixing_beta.</summary>
    public double MixingBeta { get; init; } = 0.7;

    /// <summary>pw.x's electron_maxstep: SCF iterations before giving up ("convergence NOT achieved").</summary>
    public int ElectronMaxStep { get; init; } = 100;

    /// <summary>Starting magnetisation (−1…1) per element; when given, the run is spin-polarised (nspin = 2) for every structure.</summary>
    public IReadOnlyDictionary<string, double>? StartingMagnetization { get; init; }

    // pw.x's names for its smearing functions (its input description, &SYSTEM smearing).
    private static readonly string[] KnownSmearings =
        ["gaussian", "gauss", "methfessel-paxton", "m-p", "mp", "marzari-vanderbilt", "cold", "m-v", "mv", "fermi-dirac", "f-d", "fd"];

    /// <summary>$ESPRESSO_PSEUDO (pw.x's own default) if set, else /usr/share/espresso/pseudo (Debian's quantum-espresso-data).</summary>
    public static string DefaultPseudoFolder =>
        Environment.GetEnvironmentVariable("ESPRESSO_PSEUDO") is { Length: > 0 } e ? e : "/usr/share/espresso/pseudo";

    /// <summary>pw.x's ecutrho (Ry).</summary>
    public double EffectiveEcutRho => EcutRho ?? 8 * EcutWfc;

    /// <summary>Throws an <see cref="ArgumentException"/> for settings pw.x would reject or that make no sense.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException("Quantum ESPRESSO settings: " + message);
        }
        Require(!string.IsNullOrWhiteSpace(Executable), "the pw.x command is empty");
        Require(MpiRanks >= 1, $"MPI ranks must be at least 1 (got {MpiRanks})");
        Require(MpiRanks == 1 || !string.IsNullOrWhiteSpace(MpiLauncher), "the MPI launcher is empty");
        Require(Timeout > TimeSpan.Zero, $"the timeout must be positive (got {Timeout})");
        Require(!string.IsNullOrWhiteSpace(PseudoFolder), "the pseudopotential folder is empty");
        // The folder goes into a quoted Fortran string of the input.
        Require(!PseudoFolder.Contains('\'') && !PseudoFolder.Contains('\n'), $"the pseudopotential folder '{PseudoFolder}' contains a quote or a line break");
        Require(double.IsFinite(EcutWfc) && EcutWfc > 0, $"ecutwfc must be positive (got {EcutWfc} Ry)");
        // pw.x itself stops when ecutrho < 4 ecutwfc: the density needs twice the wavefunctions' largest wave vector.
        Require(double.IsFinite(EffectiveEcutRho) && EffectiveEcutRho >= 4 * EcutWfc,
            $"ecutrho must be at least 4 × ecutwfc = {4 * EcutWfc} Ry (got {EffectiveEcutRho} Ry)");
        Require(Smearing is null || KnownSmearings.Contains(Smearing),
            $"unknown smearing '{Smearing}' (pw.x knows {string.Join(", ", KnownSmearings)})");
        Require(Smearing is null || (double.IsFinite(Degauss) && Degauss > 0), $"degauss must be positive (got {Degauss} Ry)");
        if (KGrid is { } g) Require(g.A >= 1 && g.B >= 1 && g.C >= 1, $"k-point grid entries must be at least 1 (got {g.A} {g.B} {g.C})");
        else if (KSpacing is { } spacing) Require(double.IsFinite(spacing) && spacing > 0, $"the k-point spacing must be positive (got {spacing} 1/Å)");
        else Require(double.IsFinite(KMinDistance) && KMinDistance > 0, $"the k-point minimum distance must be positive (got {KMinDistance} Å)");
        Require(double.IsFinite(ConvThrPerAtom) && ConvThrPerAtom > 0, $"conv_thr per atom must be positive (got {ConvThrPerAtom} Ry)");
        Require(double.IsFinite(MixingBeta) && MixingBeta > 0 && MixingBeta <= 1, $"mixing_beta must be in (0, 1] (got {MixingBeta})");
        Require(ElectronMaxStep >= 1, $"electron_maxstep must be at least 1 (got {ElectronMaxStep})");
        foreach (var (element, file) in Pseudopotentials ?? new Dictionary<string, string>())
        {
            Require(Elements.IsKnown(element), $"unknown element '{element}' among the pseudopotentials");
            Require(!string.IsNullOrWhiteSpace(file) && Path.GetFileName(file) == file,
                $"the pseudopotential of {element} must be a file name inside the pseudopotential folder (got '{file}')");
        }
        foreach (var (element, m) in StartingMagnetization ?? new Dictionary<string, double>())
        {
            Require(Elements.IsKnown(element), $"unknown element '{element}' in the starting magnetisation");
            Require(double.IsFinite(m) && m >= -1 && m <= 1, $"the starting magnetisation of {element} must be in [-1, 1] (got {m})");
        }
    }

    /// <summary>
    /// The pseudopotential file name for an element: the one named in <see cref="Pseudopotentials"/>, else the choice
    /// described there among the files of <see cref="PseudoFolder"/>; null when there is none (or the folder is missing).
    /// </summary>
    public string? FindPseudopotential(string element)
    {
        if (Pseudopotentials is not null && Pseudopotentials.TryGetValue(element, out var named)) return named;
        if (!Directory.Exists(PseudoFolder)) return null;
        return Directory.EnumerateFiles(PseudoFolder)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => name.EndsWith(".upf", StringComparison.OrdinalIgnoreCase)
                           && (name.StartsWith(element + ".", StringComparison.OrdinalIgnoreCase)
                               || name.StartsWith(element + "_", StringComparison.OrdinalIgnoreCase)))
            .OrderBy(name => IsPbe(name) ? 0 : 1)
            .ThenBy(name => name.Contains("rel-", StringComparison.OrdinalIgnoreCase) ? 1 : 0)
            .ThenBy(name => name, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private static bool IsPbe(string name)
    {
        var lower = name.ToLowerInvariant();
        for (var i = lower.IndexOf("pbe", StringComparison.Ordinal); i >= 0; i = lower.IndexOf("pbe", i + 1, StringComparison.Ordinal))
            if (string.CompareOrdinal(lower, i, "pbesol", 0, 6) != 0) return true;
        return false;
    }

    /// <summary>
    /// The settings that decide the labels, as one line (see <see cref="IOracle.Fingerprint"/>): program, pseudopotential
    /// files of <paramref name="species"/> with their sizes and SHA-256 prefixes, cutoffs, smearing, k-points, conv_thr and
    /// magnetisation. MPI ranks, timeout, mixing and the iteration limit are left out: they change how a run gets to the
    /// converged state, not the state. With <paramref name="species"/> null only the named pseudopotentials are hashed and
    /// the rest are described by the folder and the choice rule; otherwise the folder is left out, as the hashes identify the files.
    /// </summary>
    public string Fingerprint(IReadOnlyList<string>? species)
    {
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        var parts = new List<string> { $"quantum-espresso program={Executable}" };
        var resolved = EspressoOracle.ResolveProgram(Executable);
        if (resolved is not null && resolved != Executable) parts.Add($"({resolved})");
        // Files that are hashed are identified by their contents, wherever they lie; the folder matters only for the automatic choice.
        var elements = species ?? (IEnumerable<string>?)Pseudopotentials?.Keys ?? [];
        foreach (var element in elements.Distinct().OrderBy(e => e, StringComparer.Ordinal))
            parts.Add($"{element}={DescribePseudopotential(FindPseudopotential(element))}");
        if (species is null) parts.Add($"other elements: chosen in {Path.GetFullPath(PseudoFolder)} (PBE first)");
        parts.Add($"ecutwfc={F(EcutWfc)}Ry ecutrho={F(EffectiveEcutRho)}Ry");
        parts.Add(Smearing is null ? "occupations=fixed" : $"smearing={Smearing} degauss={F(Degauss)}Ry");
        parts.Add(KGrid is { } g ? $"k-grid={g.A}x{g.B}x{g.C} (Γ-centred)"
            : KSpacing is { } spacing ? $"k-spacing={F(spacing)}/Å (Γ-centred)"
            : $"k-grid=generalized r_min={F(KMinDistance)}Å (fewest irreducible points, default budget)");
        parts.Add($"conv_thr={F(ConvThrPerAtom)}Ry/atom");
        if (StartingMagnetization is { Count: > 0 } mag)
            parts.Add("nspin=2 starting_magnetization " + string.Join(",", mag.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={F(p.Value)}")));
        return string.Join(" ", parts);
    }

    private string DescribePseudopotential(string? file)
    {
        if (file is null) return "(none found)";
        var path = Path.Combine(PseudoFolder, file);
        try
        {
            using var stream = File.OpenRead(path);
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
            return $"{file}({stream.Length}B,sha256:{hash})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{file}(unreadable)";
        }
    }
}
