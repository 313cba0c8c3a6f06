using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Properties;

namespace PoetSharp.Search;

/// <summary>
/// Data and target properties as one least-squares problem over a model's constants: POET's standardised data
/// residuals (<see cref="FittingObjective"/>) followed by the target residuals (<see cref="TargetObjective.Residuals"/>),
/// so that ½ Σ r² is the fitness a search with targets in the fitness ranks by (the data block may carry more rows, such
/// as <c>poet refit</c>'s dimer-repulsion rows). The data block's Jacobian is exact; the
/// targets' is taken by forward differences with steps of 3e-3 of each constant (at least 1e-5): the properties rest on
/// relaxations stopped at a force tolerance, whose energies carry noise (about 1e-5 of a tolerance for the surfaces)
/// that a machine-precision step would turn into garbage; at 3e-3 the noise and the step's truncation error are each
/// about a per cent of the derivative, ample for Levenberg–Marquardt's steps.
/// </summary>
internal sealed class JointObjective : ILeastSquaresProblem
{
    private readonly ILeastSquaresProblem _data;
    private readonly TargetObjective _targets;
    private readonly Expression _form;
    private readonly Taper _taper;
    private readonly string _element;

    public JointObjective(ILeastSquaresProblem data, TargetObjective targets, Expression form, Taper taper, string element)
    {
        _data = data;
        _targets = targets;
        _form = form;
        _taper = taper;
        _element = element;
        ResidualCount = data.ResidualCount + targets.ResidualCount;
    }

    public int ParameterCount => _form.ConstantCount;
    public int ResidualCount { get; }

    /// <summary>The target residuals at <paramref name="constants"/>; false when a residual is not finite.</summary>
    private bool TargetResiduals(ReadOnlySpan<double> constants, Span<double> residuals)
    {
        var potential = new ModelPotential(new CompiledModel(_form.WithConstants(constants.ToArray()), _taper), [_element]);
        _targets.Residuals(_targets.Evaluate(potential), residuals);
        foreach (var r in residuals) if (!double.IsFinite(r)) return false;
        return true;
    }

    public bool Evaluate(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian)
    {
        int nd = _data.ResidualCount, np = ParameterCount, nt = _targets.ResidualCount;
        var dataJacobian = jacobian.IsEmpty ? Span<double>.Empty : jacobian[..(nd * np)];
        if (!_data.Evaluate(parameters, residuals[..nd], dataJacobian)) return false;
        var target = residuals[nd..];
        if (!TargetResiduals(parameters, target)) return false;
        if (jacobian.IsEmpty) return true;
        var shifted = parameters.ToArray();
        var moved = new double[nt];
        for (var k = 0; k < np; k++)
        {
            var h = Math.Max(3e-3 * Math.Abs(parameters[k]), 1e-5);
            shifted[k] = parameters[k] + h;
            if (!TargetResiduals(shifted, moved)) return false;
            shifted[k] = parameters[k];
            for (var i = 0; i < nt; i++) jacobian[(nd + i) * np + k] = (moved[i] - target[i]) / h;
        }
        return true;
    }
}

/// <summary>The final refit of a front model's constants on data and targets together (<see cref="JointObjective"/>, Levenberg–Marquardt).</summary>
public static class JointRefit
{
    /// <summary>
    /// The model with its constants refitted on the structures of the front's final polish (<see cref="SearchProblem.FinalFitPairs"/>)
    /// and the targets, or the model as given when the
    /// refit does not lower the joint cost (or there is nothing to fit). Costs about (constants + 1) × <paramref name="evaluations"/>
    /// property evaluations.
    /// </summary>
    public static Expression Run(Expression model, SearchProblem problem, SearchSettings settings, TargetObjective targets, int evaluations)
    {
        if (model.ConstantCount == 0 || evaluations <= 0 || problem.Physics is not { } physics) return model;
        var data = new FittingObjective(new ModelEvaluator(new CompiledModel(model, problem.Taper), problem.FinalFitPairs(settings)) { MaxDegreeOfParallelism = 1 },
            settings.Weights, problem.Scales);
        var joint = new JointObjective(data, targets, model, problem.Taper, physics.Element);
        var residuals = new double[joint.ResidualCount];
        if (!joint.Evaluate(model.Constants, residuals, [])) return model;
        var start = 0.5 * residuals.Sum(r => r * r);
        OptimizationResult result;
        try
        {
            result = new LevenbergMarquardt().Minimize(joint, model.Constants,
                new OptimizationBudget { MaxEvaluations = evaluations, RelativeCostTolerance = 1e-8, ParameterTolerance = 1e-10 });
        }
        catch (MathNet.Numerics.NonConvergenceException)
        {
            return model;
        }
        return double.IsFinite(result.Cost) && result.Cost < start ? model.WithConstants(result.Parameters) : model;
    }
}
