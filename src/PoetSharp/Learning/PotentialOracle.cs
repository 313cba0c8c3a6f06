using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Learning;

/// <summary>
/// A PoetSharp potential as the oracle (a "teacher"): for tests, demos and method studies, e.g. learning an MTP of
/// the Mishin EAM. Writes nothing but a one-line record of the call into its folder.
/// </summary>
public sealed class PotentialOracle(IPotential potential, string description) : IOracle
{
    public string Name => $"PoetSharp {potential.Name}";
    public string Fingerprint => $"poetsharp-potential {description}";
    public IReadOnlyList<string>? Species => potential.Species;

    public OracleLabel Compute(Structure structure, string workFolder, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        potential.CheckSpecies(structure);
        var r = potential.Compute(structure);
        var label = new OracleLabel(r.Energy, r.Forces.ToArray(), structure.Cell.FullyPeriodic ? r.Stress : null);
        label.CheckFinite(Name, workFolder);
        File.WriteAllText(Path.Combine(workFolder, "call.txt"), $"{Name}: {structure.Count} atoms, E = {r.Energy:R} eV\n");
        return label;
    }
}
