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
public sealed record RefitResult(Expression Fitted, OptimizationResult Optimization, FitReport Before, FitReport After, TimeSpan Elapsed)
{
    /// <summary>The fitted model's short-range check (<see cref="Search.ShortRangeCheck"/> of the training data), as a search reports it.</summary>
    public Search.ShortRangeResult? ShortRange { get; init; }

    /// <summary>With target properties (a joint refit): the targets' terms before and after; null otherwise.</summary>
    public RefitTargets? Targets { get; init; }
}

/// <summary>
/// The target properties of a joint refit of data and targets: the objective (its weight W, set-up and tolerances) and
/// its evaluation with the starting and the fitted constants.
/// </summary>
public sealed record RefitTargets(Properties.TargetObjective Objective, Properties.TargetEvaluation Before, Properties.TargetEvaluation After);

/// <summary>
/// Refits the constants of a fixed functional form: POET's standardised objective on the training set, minimised by the
/// chosen optimiser from the model's current constants, with errors before and after on training and validation sets.
/// </summary>
public static class ConstantRefit
{
    /// <param name="symmetricPairs">Share pair functions between element pairs (φ_AB = φ_BA): the model is first given
    /// every mirror (<see cref="PairSymmetry.Tie"/>), and the fit keeps the tied constants equal.</param>
    /// <param name="solveAmplitudes">Set the amplitudes to their least-squares values before the optimiser starts
    /// (<see cref="LinearProjection"/>): for a start whose amplitudes are rough.</param>
    /// <param name="repulsionWeight">λ of dimer-repulsion rows in the fit (<see cref="Search.DimerRepulsion"/>; 0: none),
    /// as <c>poet fit --repulsion-weight</c>: the fitted model pays for dimers that do not rise in energy as they close in.</param>
    /// <param name="targets">Target properties fitted together with the data (<see cref="Search.JointObjective"/>: the data's
    /// standardised residuals followed by the targets', ½ Σ r² being the fitness a search with these targets in its
    /// fitness ranks by): for data of one element, that element's targets. Each evaluation with a Jacobian then runs
    /// the targets' property suite once per constant and once more, so budgets are tens of evaluations, not thousands.</param>
    public static RefitResult Run(Expression expression, Taper taper, Dataset training, Dataset? validation,
        IOptimizer optimizer, ObjectiveWeights? weights = null, OptimizationBudget? budget = null, bool symmetricPairs = false, bool solveAmplitudes = false,
        double repulsionWeight = 0, Properties.TargetObjective? targets = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        expression.RequireAtomExpression();
        if (training.Count == 0) throw new ArgumentException("the training set is empty");
        if (expression.ConstantCount == 0) throw new ArgumentException("the model has no constants to fit");
        var elements = Evaluation.ElementEnergies.ElementsOf(training.Structures);
        if (targets != null && elements.Length != 1)
            throw new ArgumentException($"target properties need training data of one element; the data hold {string.Join(", ", elements)}");
        if (targets != null && elements[0] != targets.Element)
            throw new ArgumentException($"the target properties are of {targets.Element}; the training data are of {elements[0]}");
        if (symmetricPairs)
        {
            if (expression.CentralTerms.Length < 2) throw new ArgumentException("shared pair functions need a model of several elements (at[A](…) + at[B](…))");
            expression = PairSymmetry.Tie(expression);
        }
        var before = FitReport.Create(expression, taper, expression.Constants, training, validation);
        if (!(repulsionWeight >= 0) || !double.IsFinite(repulsionWeight)) throw new ArgumentException($"the repulsion weight must be finite and non-negative, got {repulsionWeight}");
        var objective = new FittingObjective(expression, taper, training.Structures, weights);
        var check = Search.ShortRangeCheck.For(training.Structures, taper);
        ILeastSquaresProblem fit = repulsionWeight > 0
            ? new Search.DimerRepulsion(elements, check, taper, repulsionWeight, objective.Scales.Energy)
                .Append(objective, objective.Evaluator.Model)
            : objective;
        budget ??= new OptimizationBudget();
        var start = expression.Constants.ToArray();
        var linear = solveAmplitudes ? LinearConstants.Of(expression) : null;
        Properties.TargetEvaluation? targetsBefore = null;
        if (targets != null)
        {
            targetsBefore = targets.Evaluate(Potential(expression, taper, targets.Element));
            // The targets are not affine in the amplitudes: they are solved on the data alone, then the joint fit starts there.
            if (linear != null && budget.MaxEvaluations >= 2)
            {
                (start, _) = LinearProjection.Apply(fit, start, linear, out var used);
                budget = budget with { MaxEvaluations = budget.MaxEvaluations - used };
                linear = null;
            }
            fit = new Search.JointObjective(fit, targets, expression, taper, targets.Element);
        }
        var clock = Stopwatch.StartNew();
        var result = TiedFit.Minimize(optimizer, fit, start, symmetricPairs ? PairSymmetry.Ties(expression) : null, budget, linear);
        clock.Stop();
        if (!double.IsFinite(result.Cost))
            throw new ArgumentException($"no valid constants found: {result.StopReason} (the model gives NaN or ∞ on the training data)");
        var fitted = expression.WithConstants(result.Parameters);
        var after = FitReport.Create(fitted, taper, fitted.Constants, training, validation);
        return new RefitResult(fitted, result, before, after, clock.Elapsed)
        {
            ShortRange = check.Check(fitted, elements),
            Targets = targets is null ? null : new RefitTargets(targets, targetsBefore!, targets.Evaluate(Potential(fitted, taper, targets.Element))),
        };
    }

    private static ModelPotential Potential(Expression expression, Taper taper, string element) =>
        new(new Evaluation.CompiledModel(expression, taper), [element]);
}
