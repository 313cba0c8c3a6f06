using PoetSharp.Models;

namespace PoetSharp.Search;

/// <summary>
/// A model with fitted constants and its scores. Fitness is POET's objective, ½ Σ r² of the standardised residuals
/// (<see cref="Fitting.FittingObjective"/>): <see cref="TrainingFitness"/> on the structures the constants were fitted to,
/// <see cref="ValidationFitness"/> on the validation set (the training fitness when there is none). Both are multiplied
/// by the short-range penalty for a model that fails the check under <see cref="ShortRangePolicy.Penalise"/>.
/// </summary>
public sealed record Candidate(
    Expression Expression,
    double TrainingFitness,
    double ValidationFitness,
    double CostPerPair,
    bool ShortRangePassed,
    string ShortRangeDetail,
    int Generation)
{
    public int Complexity => Expression.Complexity;
    public ulong Hash => ExpressionHash.Structural(Expression);

    // Fitness spans decades; logarithms make crowding distances meaningful. 1e-30 floors a perfect fit.
    private static double Log(double f) => Math.Log10(Math.Max(f, 1e-30));

    /// <summary>What the population is selected on (all minimised): training fitness, complexity, cost.</summary>
    public double[] SelectionObjectives() => [Log(TrainingFitness), Complexity, CostPerPair];

    /// <summary>What the archive keeps the non-dominated set of: validation fitness, cost, complexity.</summary>
    public double[] ArchiveObjectives() => [Log(ValidationFitness), CostPerPair, Complexity];
}
