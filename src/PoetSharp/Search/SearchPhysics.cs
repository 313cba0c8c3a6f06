using PoetSharp.Data;
using PoetSharp.Potentials;
using PoetSharp.Properties;

namespace PoetSharp.Search;

/// <summary>
/// What a search knows of the physics its models must get right: the element, the ground-state crystal of the data
/// (for the sanity checks) and the target properties (for the fitness). Built once per run from the settings and the
/// training data; shared read-only by the islands.
/// </summary>
public sealed class SearchPhysics
{
    public string Element { get; }
    /// <summary>The ground state the sanity checks compare against; null when it is neither given nor identifiable (the checks are then off).</summary>
    public CrystalStructure? GroundState { get; }
    public TargetObjective? Targets { get; }
    /// <summary>What was decided and why (printed in the run's summary).</summary>
    public IReadOnlyList<string> Notes { get; }

    public SearchPhysics(string element, CrystalStructure? groundState, TargetObjective? targets, IReadOnlyList<string> notes)
    {
        Element = element;
        GroundState = groundState;
        Targets = targets;
        Notes = notes;
    }

    /// <summary>
    /// The physics of a run, or null when there is nothing to check (no targets and sanity off, or data of several
    /// elements, which the property suite does not describe yet). Throws ArgumentException for a targets file the suite
    /// cannot compute, with the file's name.
    /// </summary>
    public static SearchPhysics? Create(SearchSettings settings, Dataset training)
    {
        var species = training.Structures.SelectMany(s => s.Species).Distinct().Order(StringComparer.Ordinal).ToArray();
        var wantsTargets = settings.TargetsPath != null;
        if (!wantsTargets && settings.Sanity == SanityPolicy.Off) return null;
        if (species.Length != 1)
        {
            if (wantsTargets) throw new ArgumentException($"target properties need data of one element; the data hold {string.Join(", ", species)}");
            return null;
        }
        var notes = new List<string>();
        CrystalStructure? ground = null;
        if (settings.GroundState is { } given)
        {
            ground = Properties.GroundState.Parse(given);
            notes.Add($"ground state {ground.Value.ToString().ToLowerInvariant()} (given)");
        }
        else if (Properties.GroundState.Identify(training.Structures) is { } found)
        {
            ground = found;
            notes.Add($"ground state {found.ToString().ToLowerInvariant()} (the lowest-energy training structure's neighbour shells)");
        }
        else if (settings.Sanity != SanityPolicy.Off)
            notes.Add("sanity checks off: the ground state of the data could not be identified (give --ground-state fcc|bcc|hcp)");
        TargetObjective? targets = null;
        if (settings.TargetsPath is { } path)
        {
            var file = TargetProperties.Read(path);
            targets = new TargetObjective(file, species[0], settings.TargetWeight, PropertySetup.Screening);
            notes.Add($"{targets.Targets.Count} target properties from {path} ({string.Join(", ", targets.Groups)}), weight {settings.TargetWeight}, " +
                      (settings.TargetMode == TargetMode.Fitness ? "added to the fitness" : "a separate objective"));
            foreach (var t in targets.Targets.Where(t => t.DescribeSetup().Length > 0))
                notes.Add($"target {t.Name} {t.Structure} is computed as its reference was: {t.DescribeSetup()}");
            // Targets from another source can contradict the data (another functional, other DFT settings, another
            // volume); where the data's strained cells measure an elastic constant, say how the two compare.
            notes.AddRange(ElasticFromData.CompareWithTargets(ElasticFromData.Find(training.Structures), file));
        }
        if (targets == null && ground == null) return null;
        return new SearchPhysics(species[0], ground, targets, notes);
    }

    /// <summary>The sanity checks (screening set-ups) of a potential; NotChecked when the policy is off or the ground state is unknown.</summary>
    public SanityReport Sanity(IPotential potential, SearchSettings settings) =>
        settings.Sanity == SanityPolicy.Off || GroundState is not { } g ? SanityReport.NotChecked
        // A rejected model needs no more than its first failure.
        : PhysicalSanity.Check(potential, Element, g, settings.Sanity == SanityPolicy.Reject ? RejectSettings : null);

    private static readonly SanitySettings RejectSettings = SanitySettings.Default with { StopAtFirstFailure = true };
}
