using PoetSharp.Atoms;
using PoetSharp.Simulation;

namespace PoetSharp.Learning;

/// <summary>
/// Settings of learning on the fly. Units: K, eV/Å³ (compression positive) for pressures, fs for the time step.
/// Defaults follow MLIP's active learning: select above grade 2, stop the MD run above grade 10.
/// </summary>
public sealed record LearningSettings
{
    /// <summary>Temperatures (K) of the MD runs; every starting structure runs at each (and each pressure).</summary>
    public IReadOnlyList<double> Temperatures { get; init; } = [300];
    /// <summary>Pressures (eV/Å³) of NPT runs; empty: NVT (Langevin) at the structures' own cells.</summary>
    public IReadOnlyList<double> Pressures { get; init; } = [];
    /// <summary>Length of each MD run (steps); learning has converged when every run reaches it below the select threshold.</summary>
    public long Steps { get; init; } = 2000;
    public double TimeStep { get; init; } = 1.0;
    /// <summary>Langevin damping time or Nosé–Hoover period (fs).</summary>
    public double ThermostatTime { get; init; } = 100;
    /// <summary>Grade every this many steps (1: every configuration, as MLIP does).</summary>
    public int GradeEvery { get; init; } = 1;
    /// <summary>Configurations graded above this are kept as candidates for the oracle (MLIP's select threshold, 2).</summary>
    public double SelectThreshold { get; init; } = 2;
    /// <summary>An MD run stops at a configuration graded above this (MLIP's break threshold, 10): it is too far from the data to trust.</summary>
    public double BreakThreshold { get; init; } = 10;
    public GradeMode GradeMode { get; init; } = GradeMode.Configuration;
    /// <summary>
    /// λ of the active set's virtual rows (<see cref="ActiveSet"/>): while the training data do not span every direction of
    /// the linear parameters, an excursion along a missing direction grades as its size over λ (column-scaled units).
    /// </summary>
    public double VirtualRowSize { get; init; } = ActiveSet.DefaultVirtualRowSize;
    /// <summary>Most iterations (MD, selection, oracle, retraining) before giving up.</summary>
    public int MaxIterations { get; init; } = 30;
    /// <summary>Oracle calls run at once.</summary>
    public int OracleParallel { get; init; } = 1;
    /// <summary>Candidates kept per MD run (the highest-graded when more appear).</summary>
    public int MaxCandidatesPerRun { get; init; } = 200;
    /// <summary>Most configurations sent to the oracle per iteration (0: every one the batch rule picks).</summary>
    public int MaxBatch { get; init; }
    /// <summary>How an iteration's batch is picked from the candidates (<see cref="Learning.BatchRule"/>).</summary>
    public BatchRule BatchRule { get; init; } = BatchRule.Covering;
    public ulong Seed { get; init; } = 1;
    /// <summary>Cores for MD runs (run in parallel, one core each) and training (−1: all).</summary>
    public int Threads { get; init; } = -1;
    /// <summary>Stop starting new iterations after this long (null: no limit).</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>
    /// The band of every vacancy hop explored beside the MD runs (<see cref="LearningHop"/>): few images and a loose
    /// tolerance, since the band only has to find where the path goes; the last iteration's bands give the barriers.
    /// </summary>
    public NebSettings Band { get; init; } = new() { IntermediateImages = 5, ForceTolerance = 0.05, MaxSteps = 1000 };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Temperatures.Count == 0) throw new ArgumentException("give at least one MD temperature");
        foreach (var t in Temperatures)
            if (!(t > 0) || !double.IsFinite(t)) throw new ArgumentException($"MD temperatures must be positive (got {t} K)");
        foreach (var p in Pressures)
            if (!double.IsFinite(p)) throw new ArgumentException("MD pressures must be finite");
        if (Steps < 1) throw new ArgumentException($"each MD run needs at least one step (got {Steps})");
        if (!(TimeStep > 0) || !double.IsFinite(TimeStep)) throw new ArgumentException($"the time step must be positive (got {TimeStep} fs)");
        if (GradeEvery < 1) throw new ArgumentException($"--grade-every must be at least 1 (got {GradeEvery})");
        if (!(SelectThreshold >= 1) || !double.IsFinite(SelectThreshold))
            throw new ArgumentException($"the select threshold must be at least 1 (grades ≤ 1 interpolate the data; got {SelectThreshold})");
        if (!(BreakThreshold >= SelectThreshold) || !double.IsFinite(BreakThreshold))
            throw new ArgumentException($"the break threshold ({BreakThreshold}) must be at least the select threshold ({SelectThreshold})");
        if (!(VirtualRowSize > 0) || !double.IsFinite(VirtualRowSize)) throw new ArgumentException($"the virtual row size must be positive (got {VirtualRowSize})");
        if (MaxIterations < 1) throw new ArgumentException($"at least one iteration (got {MaxIterations})");
        if (OracleParallel < 1) throw new ArgumentException($"at least one oracle call at a time (got {OracleParallel})");
        if (MaxCandidatesPerRun < 1) throw new ArgumentException($"keep at least one candidate per run (got {MaxCandidatesPerRun})");
        if (MaxBatch < 0) throw new ArgumentException($"the batch limit must be ≥ 0 (got {MaxBatch})");
        if (Band.IntermediateImages < 1) throw new ArgumentException($"a band needs at least one intermediate image (got {Band.IntermediateImages})");
        if (!(Band.ForceTolerance > 0) || !double.IsFinite(Band.ForceTolerance)) throw new ArgumentException($"the band's force tolerance must be positive (got {Band.ForceTolerance} eV/Å)");
        if (Band.MaxSteps < 1) throw new ArgumentException($"a band needs at least one step (got {Band.MaxSteps})");
    }
}

/// <summary>How learning on the fly picks the configurations of an iteration to send to the oracle.</summary>
public enum BatchRule
{
    /// <summary>
    /// The fewest, greedily, that leave every other candidate at or below the select threshold once they join the data
    /// (<see cref="ActiveSet.SelectCovering"/>): the highest-graded first, then the highest-graded of the rest against the
    /// grown active set, and so on.
    /// </summary>
    Covering,
    /// <summary>Every candidate that owns a row MaxVol swaps into the active set (<see cref="ActiveSet.SelectEntering"/>; up to m).</summary>
    Entering,
}

/// <summary>What one iteration of learning on the fly did and cost.</summary>
public sealed record LearningIteration
{
    public int Iteration { get; init; }
    /// <summary>MD runs started, and how many reached the full length without breaking.</summary>
    public int Runs { get; init; }
    public int RunsCompleted { get; init; }
    public long MdSteps { get; init; }
    /// <summary>Largest grade any graded configuration reached.</summary>
    public double MaxGrade { get; init; }
    public int Candidates { get; init; }
    public int Selected { get; init; }
    /// <summary>New oracle calls made, calls answered from the journal, and calls that failed.</summary>
    public int OracleCalls { get; init; }
    public int ReusedCalls { get; init; }
    public int FailedCalls { get; init; }
    public int TrainingSize { get; init; }
    public double MdSeconds { get; init; }
    public double OracleSeconds { get; init; }
    public double TrainingSeconds { get; init; }
    /// <summary>Errors after this iteration's training (meV/atom, eV/Å), on the training set and on the validation set if one is given.</summary>
    public double TrainingEnergyRmse { get; init; } = double.NaN;
    public double TrainingForceRmse { get; init; } = double.NaN;
    public double ValidationEnergyRmse { get; init; } = double.NaN;
    public double ValidationForceRmse { get; init; } = double.NaN;
    /// <summary>True when every MD run reached its full length below the select threshold: learning is done.</summary>
    public bool Converged { get; init; }
}

/// <summary>A candidate configuration met during MD: its copy (positions wrapped) and its grade.</summary>
public sealed record LearningCandidate(Structure Structure, double Grade, int Run, long Step);

/// <summary>
/// A vacancy hop whose climbing-image band is explored in every learning iteration beside the MD runs (MLIP users
/// learn barriers this way): atom <see cref="From"/> of <see cref="Crystal"/> hops into the vacant site of atom
/// <see cref="To"/> (0-based, <see cref="VacancyHopBarrier"/>). Every image of the band is graded; those above the select
/// threshold are candidates like MD configurations, and learning has converged only when every band lies inside the data.
/// </summary>
public sealed record LearningHop(Structure Crystal, int From, int To, string Name);
