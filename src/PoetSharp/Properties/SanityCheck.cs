namespace PoetSharp.Properties;

/// <summary>The crystal structures the physical sanity checks compare (the data's ground state is one of them).</summary>
public enum CrystalStructure
{
    Fcc,
    Bcc,
    Hcp,
}

/// <summary>What happens to a search candidate that fails a physical sanity check (like <c>--short-range</c>).</summary>
public enum SanityPolicy
{
    /// <summary>Not checked.</summary>
    Off,
    /// <summary>Kept, with its fitness multiplied by a penalty (the default).</summary>
    Penalise,
    /// <summary>Discarded.</summary>
    Reject,
}

/// <summary>
/// One physical sanity check of a potential: its name ("cohesive energy", "ground state", "Born stability", "vacancy
/// formation", "stacking fault"), whether it passed, the number it rests on (with its unit in <paramref name="Detail"/>),
/// and a line saying what was found.
/// </summary>
public sealed record SanityCheckResult(string Name, bool Passed, double? Value, string Detail);

/// <summary>All sanity checks of one potential.</summary>
public sealed record SanityReport(IReadOnlyList<SanityCheckResult> Checks)
{
    public bool Passed => Checks.All(c => c.Passed);

    /// <summary>"ok" or the failed checks' details joined by "; ".</summary>
    public string Summary => Passed ? "ok" : string.Join("; ", Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Detail}"));

    public static SanityReport NotChecked { get; } = new([]);
}
