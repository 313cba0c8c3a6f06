using PoetSharp.Models;

namespace PoetSharp.Search;

/// <summary>
/// A model with fitted constants and its scores. Fitness is POET's objective, ½ Σ r² of the standardised residuals
/// (<see cref="Fitting.FittingObjective"/>): <see cref="TrainingFitness"/> on the structures the constants were fitted to,
/// <see cref="ValidationFitness"/> on the validation set (the training fitness when there is none). Both are multiplied
/// by the short-range penalty for a model that fails the check under <see cref="ShortRangePolicy.Penalise"/>.
/// <para>
/// With physics in the search (<see cref="SearchPhysics"/>): <see cref="TargetFitness"/> is the target-property term
/// (<see cref="Properties.TargetObjective"/>); under <see cref="TargetMode.Fitness"/> it is included in both fitnesses,
/// under <see cref="TargetMode.Objective"/> it is a fourth objective of selection and archive. A failed sanity check
/// multiplies both fitnesses by the sanity penalty. <see cref="Physics"/> says whether these were computed or, for a
/// candidate that could not have entered the archive, estimated (such a candidate never enters it).
/// </para>
/// </summary>
public sealed record Candidate(
    Expression Expression,
    double TrainingFitness,
    double ValidationFitness,
    double CostPerPair,
    bool ShortRangePassed,
    string ShortRangeDetail,
    int Generation,
    double TargetFitness = 0,
    PhysicsStatus Physics = PhysicsStatus.Off,
    bool SanityPassed = true,
    string SanityDetail = "",
    bool TargetObjective = false)
{
    public int Complexity => Expression.Complexity;
    public ulong Hash => ExpressionHash.Structural(Expression);

    // Fitness spans decades; logarithms make crowding distances meaningful. 1e-30 floors a perfect fit.
    private static double Log(double f) => Math.Log10(Math.Max(f, 1e-30));

    /// <summary>What the population is selected on (all minimised): training fitness, complexity, cost.</summary>
    public double[] SelectionObjectives() =>
        TargetObjective ? [Log(TrainingFitness), Complexity, CostPerPair, Log(TargetFitness)] : [Log(TrainingFitness), Complexity, CostPerPair];

    /// <summary>What the archive keeps the non-dominated set of: validation fitness, cost, complexity (and the target term as a separate objective).</summary>
    public double[] ArchiveObjectives() => ArchivePoint(ValidationFitness, CostPerPair, Complexity, TargetObjective ? TargetFitness : null);

    internal static double[] ArchivePoint(double validation, double cost, int complexity, double? target) =>
        target is { } t ? [Log(validation), cost, complexity, Log(t)] : [Log(validation), cost, complexity];
}

/// <summary>Whether a candidate's physics (sanity checks, target properties) was computed.</summary>
public enum PhysicsStatus
{
    /// <summary>No physics in this search.</summary>
    Off,
    /// <summary>Computed: the fitness includes it.</summary>
    Evaluated,
    /// <summary>Not computed, because the candidate could not have entered the archive; the fitness holds an estimate.</summary>
    Estimated,
}
