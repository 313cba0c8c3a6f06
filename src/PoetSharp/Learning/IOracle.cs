using PoetSharp.Atoms;

namespace PoetSharp.Learning;

/// <summary>
/// The reference that labels configurations during learning on the fly: DFT (Quantum ESPRESSO), LAMMPS with a
/// published potential, or a PoetSharp potential acting as a teacher. Implementations are thread-safe: the learning
/// loop calls several at once (each in its own folder).
/// </summary>
public interface IOracle
{
    /// <summary>A short human-readable description, e.g. "Quantum ESPRESSO (pw.x, 2 ranks)".</summary>
    string Name { get; }

    /// <summary>
    /// Everything that decides the labels (program, potential file, cutoffs, k-point density, …) as one line: a journal
    /// of calls made under another fingerprint is not reused on resume.
    /// </summary>
    string Fingerprint { get; }

    /// <summary>Species the oracle can label (null: any).</summary>
    IReadOnlyList<string>? Species { get; }

    /// <summary>
    /// Labels one structure: total energy (eV), forces (eV/Å) and, for a cell periodic in all three directions, the
    /// stress (eV/Å³, tensile positive). Files the call writes (its input and output) go into
    /// <paramref name="workFolder"/>, which exists and is empty, and are kept there. Failures (a program missing, a crash,
    /// no convergence, a timeout, a missing pseudopotential) throw an <see cref="OracleException"/> naming that folder.
    /// </summary>
    OracleLabel Compute(Structure structure, string workFolder, CancellationToken cancellation = default);
}

/// <summary>What an oracle returns for one structure.</summary>
/// <param name="Energy">Total energy (eV).</param>
/// <param name="Forces">Forces −∂E/∂r_i (eV/Å), one per atom.</param>
/// <param name="Stress">Virial stress (eV/Å³, tensile positive); null where the oracle or the cell gives none.</param>
public sealed record OracleLabel(double Energy, Vec3[] Forces, Stress? Stress)
{
    /// <summary>A copy of <paramref name="structure"/> carrying these labels.</summary>
    public Structure Apply(Structure structure)
    {
        if (Forces.Length != structure.Count)
            throw new ArgumentException($"{Forces.Length} forces for {structure.Count} atoms");
        var labelled = structure.Clone();
        labelled.Energy = Energy;
        labelled.Forces = (Vec3[])Forces.Clone();
        labelled.Stress = Stress;
        return labelled;
    }

    /// <summary>Throws an <see cref="OracleException"/> unless energy, forces and stress are all finite.</summary>
    public void CheckFinite(string oracle, string workFolder)
    {
        if (!double.IsFinite(Energy)) throw new OracleException(oracle, workFolder, $"the energy is {Energy}");
        for (var i = 0; i < Forces.Length; i++)
            if (!double.IsFinite(Forces[i].X) || !double.IsFinite(Forces[i].Y) || !double.IsFinite(Forces[i].Z))
                throw new OracleException(oracle, workFolder, $"the force on atom {i + 1} is not finite");
        if (Stress is { IsFinite: false }) throw new OracleException(oracle, workFolder, "the stress is not finite");
    }
}

/// <summary>An oracle call that failed: which oracle, where its files are, and why, in one line.</summary>
public sealed class OracleException(string oracle, string workFolder, string reason, Exception? inner = null)
    : IOException($"{oracle}: {reason} (files of this call: {workFolder})", inner)
{
    public string Oracle { get; } = oracle;
    public string WorkFolder { get; } = workFolder;
    public string Reason { get; } = reason;
}
