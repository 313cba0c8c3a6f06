namespace PoetSharp.Tests.Support;

/// <summary>External references some tests compare against.</summary>
[Flags]
public enum External
{
    None = 0,
    /// <summary>LAMMPS (/usr/bin/lmp) with its potential files: Debian's lammps package.</summary>
    Lammps = 1,
    /// <summary>ASE for the system Python (/usr/bin/python3): Debian's python3-ase.</summary>
    Ase = 2,
    /// <summary>The workplace's shared data folder (../shared/data): the mlearn training sets.</summary>
    SharedData = 4,
    /// <summary>phonopy for the system Python (/usr/bin/python3): Debian's python3-phonopy.</summary>
    Phonopy = 8,
    /// <summary>Building and installing KIM API portable models: kim-api-collections-management, cmake, make, g++ (Debian: libkim-api-dev cmake make g++).</summary>
    Kim = 16,
    /// <summary>Quantum ESPRESSO's pw.x on PATH and Debian's pseudopotential folder /usr/share/espresso/pseudo: Debian's quantum-espresso and quantum-espresso-data.</summary>
    Espresso = 32,
    /// <summary>spglib's C library (libsymspg.so.2): Debian's libsymspg-dev.</summary>
    SpglibLibrary = 64,
    /// <summary>spglib for the system Python (/usr/bin/python3), the independent reference for symmetry and k-point reduction: Debian's python3-spglib.</summary>
    SpglibPython = 128,
}

/// <summary>
/// Decides whether a test that needs external references runs. Under CI (CI=true, where .ci/run installs them) such a
/// test always runs, so a missing reference fails it loudly; on a developer machine that lacks one it is reported as
/// skipped, with the install command, rather than passing without checking anything.
/// </summary>
public static class Requirements
{
    public static bool Available(External need) => need switch
    {
        External.Lammps => Lammps.MissingReason(needsExecutable: true) is null,
        External.Ase => AsePython.WhyUnavailable is null,
        External.SharedData => SharedAvailable(),
        External.Phonopy => PhonopyImports.Value,
        External.Kim => new[] { "kim-api-collections-management", "cmake", "make", "g++" }.All(OnPath),
        External.Espresso => OnPath("pw.x") && Directory.Exists(DebianEspressoPseudo),
        External.SpglibLibrary => PoetSharp.Symmetry.Spglib.WhyUnavailable() is null,
        External.SpglibPython => SpglibImports.Value,
        _ => true,
    };

    /// <summary>The pseudopotentials of Debian's quantum-espresso-data, which the Quantum ESPRESSO tests name.</summary>
    public const string DebianEspressoPseudo = "/usr/share/espresso/pseudo";

    private static readonly Lazy<bool> PhonopyImports = new(() =>
    {
        try { AsePython.Run("import phonopy"); return true; }
        catch (Exception) { return false; }
    });

    private static readonly Lazy<bool> SpglibImports = new(() =>
    {
        try { AsePython.Run("import spglib"); return true; }
        catch (Exception) { return false; }
    });

    /// <summary>The skip reason, except under CI where nothing is skipped.</summary>
    public static string? UnlessCi(string? reason) => IsCi ? null : reason;

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? SkipReason(External needs)
    {
        if (IsCi) return null;
        var missing = new List<string>();
        if (needs.HasFlag(External.Lammps) && !Available(External.Lammps)) missing.Add("LAMMPS (apt-get install -y lammps)");
        if (needs.HasFlag(External.Ase) && !Available(External.Ase)) missing.Add("ASE (apt-get install -y python3-ase)");
        if (needs.HasFlag(External.SharedData) && !Available(External.SharedData)) missing.Add("the shared data folder (set POET_SHARED_DATA)");
        if (needs.HasFlag(External.Phonopy) && !Available(External.Phonopy)) missing.Add("phonopy (apt-get install -y python3-phonopy)");
        if (needs.HasFlag(External.Kim) && !Available(External.Kim)) missing.Add("the KIM API build tools (apt-get install -y libkim-api-dev cmake make g++)");
        if (needs.HasFlag(External.Espresso) && !Available(External.Espresso)) missing.Add("Quantum ESPRESSO (apt-get install -y quantum-espresso quantum-espresso-data)");
        if (needs.HasFlag(External.SpglibLibrary) && !Available(External.SpglibLibrary)) missing.Add("spglib (apt-get install -y libsymspg-dev)");
        if (needs.HasFlag(External.SpglibPython) && !Available(External.SpglibPython)) missing.Add("spglib for Python (apt-get install -y python3-spglib)");
        return missing.Count == 0 ? null : "needs " + string.Join(" and ", missing);
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, program)));

    private static bool SharedAvailable()
    {
        try { return Directory.Exists(TestData.Shared()); }
        catch (InvalidOperationException) { return false; }
    }
}

/// <summary>A fact that needs external references (see <see cref="Requirements"/>).</summary>
public sealed class NeedsFactAttribute : FactAttribute
{
    public NeedsFactAttribute(External needs) => Skip = Requirements.SkipReason(needs);
}

/// <summary>A theory that needs external references (see <see cref="Requirements"/>).</summary>
public sealed class NeedsTheoryAttribute : TheoryAttribute
{
    public NeedsTheoryAttribute(External needs) => Skip = Requirements.SkipReason(needs);
}
