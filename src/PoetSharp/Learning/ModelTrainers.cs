using PoetSharp.Atoms;
using PoetSharp.Models;
using PoetSharp.Mtp;

namespace PoetSharp.Learning;

/// <summary>Retrains a model on a (grown) training set, starting from the current parameters (warm start).</summary>
public interface IModelTrainer
{
    string Description { get; }
    IParametricModel Train(IParametricModel start, IReadOnlyList<Structure> training, CancellationToken cancellation = default);
}

/// <summary>
/// MTP retraining as <c>poet fit-mtp --start</c> does it: variable projection from the current radial coefficients,
/// the linear ones solved exactly, for a number of L-BFGS iterations or a wall-clock limit.
/// </summary>
public sealed class MtpRetrainer(MtpLossWeights weights, int iterations, TimeSpan? timeLimit = null, double ridge = 1e-10, int threads = -1) : IModelTrainer
{
    public string Description => $"MTP, {iterations} L-BFGS iterations{(timeLimit is { } t ? $" or {t.TotalSeconds:0} s" : "")} per retraining, weights {weights.Energy},{weights.Forces},{weights.Stress}";

    public IParametricModel Train(IParametricModel start, IReadOnlyList<Structure> training, CancellationToken cancellation = default)
    {
        if (start is not MtpModel mtp) throw new ArgumentException($"the MTP trainer cannot train a model of family '{start.Family}'");
        var trainer = new MtpTrainer(training, mtp.Elements, mtp.Cutoff, weights, ridge, threads);
        var limit = timeLimit;
        return trainer.Fit(mtp, iterations, timeLimit: limit, stop: () => cancellation.IsCancellationRequested);
    }
}

/// <summary>
/// Closed-form retraining as <c>poet refit</c> does it: the functional form kept, its constants refitted by
/// Levenberg–Marquardt on POET's standardised objective from their current values.
/// </summary>
public sealed class ClosedFormRetrainer(int maxEvaluations = 200, TimeSpan? timeLimit = null) : IModelTrainer
{
    public string Description => $"closed form, Levenberg–Marquardt refit of the constants (at most {maxEvaluations} evaluations per retraining)";

    public IParametricModel Train(IParametricModel start, IReadOnlyList<Structure> training, CancellationToken cancellation = default)
    {
        if (start is not Model model) throw new ArgumentException($"the closed-form trainer cannot train a model of family '{start.Family}'");
        var result = Fitting.ConstantRefit.Run(model.Expression, model.Taper, new Data.Dataset(training), null, new Fitting.LevenbergMarquardt(),
            budget: new Fitting.OptimizationBudget { MaxEvaluations = maxEvaluations, MaxTime = timeLimit });
        return model with { Expression = result.Fitted };
    }
}
