using System.Diagnostics;
using PoetSharp.Data;
using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Fitting;

/// <summary>The outcome of refitting a model's constants.</summary>
/// <param name="Fitted">The expression with the best constants found.</param>
/// <param name="Optimization">What the optimiser did (evaluations, cost, why it stopped).</param>
/// <param name="Before">Errors with the starting constants (training and validation).</param>
/// <param name="After">Errors with the fitted constants.</param>
/// <param name="Elapsed">Wall time of the optimisation.</param>
public sealed record RefitResult(Expression Fitted, OptimizationResult Optimization, FitReport Before, FitReport After, TimeSpan Elapsed);

/// <summary>
/// Refits the constants of a fixed functional form: POET's standardised objective on the training set, minimised by the
/// chosen optimiser from the model's current constants, with errors before and after on training and validation sets.
/// </summary>
public static class ConstantRefit
{
    public static RefitResult Run(Expression expression, Taper taper, Dataset training, Dataset? validation,
        IOptimizer optimizer, ObjectiveWeights? weights = null, OptimizationBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        expression.RequireAtomExpression();
        if (training.Count == 0) throw new ArgumentException("the training set is empty");
        if (expression.ConstantCount == 0) throw new ArgumentException("the model has no constants to fit");
        var before = FitReport.Create(expression, taper, expression.Constants, training, validation);
        var objective = new FittingObjective(expression, taper, training.Structures, weights);
        var clock = Stopwatch.StartNew();
        var result = optimizer.Minimize(objective, expression.Constants, budget ?? new OptimizationBudget());
        clock.Stop();
        if (!double.IsFinite(result.Cost))
            throw new ArgumentException($"no valid constants found: {result.StopReason} (the model gives NaN or ∞ on the training data)");
        var fitted = expression.WithConstants(result.Parameters);
        var after = FitReport.Create(fitted, taper, fitted.Constants, training, validation);
        return new RefitResult(fitted, result, before, after, clock.Elapsed);
    }
}
