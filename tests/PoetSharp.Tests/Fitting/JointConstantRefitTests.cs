using PoetSharp.Data;
using PoetSharp.Fitting;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Properties;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Fitting;

/// <summary>
/// <c>poet refit --targets</c>'s library half: the constants of a form fitted on data and target properties together.
/// Sutton–Chen copper data (the form that made them, at the constants that made them) against a lattice-constant target
/// 1 % above the one those constants give: the data alone keep the constants, the targets pull the lattice constant over.
/// </summary>
public class JointConstantRefitTests
{
    private const string SuttonChen = "sum(644.52*r^-9) - sum(527.62*r^-6)^0.5";

    private static Dataset Data => DataFiles.Read(TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K"));

    private static TargetObjective LatticeTarget(double a0, double weight)
    {
        var path = Path.Combine(TestData.TempDir(), "targets.json");
        File.WriteAllText(path, FormattableString.Invariant($$"""{"properties": [{"property": "a0", "structure": "FCC", "value": {{a0:R}}, "unit": "Å"}]}"""));
        return new TargetObjective(TargetProperties.Read(path), "Cu", weight, PropertySetup.Screening);
    }

    private static double LatticeOf(Expression e, Taper taper, TargetObjective objective) =>
        objective.Evaluate(new ModelPotential(new PoetSharp.Evaluation.CompiledModel(e, taper), ["Cu"])).Terms.Single().Computed!.Value;

    [Fact]
    public void TheTargetsPullAPropertyTheDataAloneWouldKeep()
    {
        var taper = new Taper(3, 5);
        var model = ExpressionParser.ParseModel(SuttonChen);
        var data = Data;
        var own = LatticeOf(model, taper, LatticeTarget(3.6, 1));
        var target = 1.01 * own;
        var objective = LatticeTarget(target, 1);
        var budget = new OptimizationBudget { MaxEvaluations = 40 };

        var dataOnly = ConstantRefit.Run(model, taper, data, null, new LevenbergMarquardt(), budget: budget);
        Assert.Null(dataOnly.Targets);
        var joint = ConstantRefit.Run(model, taper, data, null, new LevenbergMarquardt(), budget: budget, targets: objective);

        // The data alone keep the lattice constant where the constants that made them put it.
        Assert.Equal(own, LatticeOf(dataOnly.Fitted, taper, objective), 3e-4);
        // With the target, a0 moves most of the way to it (W = 1: a lattice constant off by its 0.3 % tolerance
        // counts as much as the data's whole standardised error) while the data's error grows.
        var moved = LatticeOf(joint.Fitted, taper, objective);
        Assert.True(Math.Abs(moved - target) < 0.5 * Math.Abs(own - target), $"a0 {moved} Å: not pulled towards {target} from {own}");
        Assert.True(joint.After.Training.Overall.Forces!.Rmse > dataOnly.After.Training.Overall.Forces!.Rmse);

        // The reported terms are the objective's own evaluation of the start and the fitted model (what poet properties
        // prints with the same set-up), and the joint cost fell.
        var targets = joint.Targets!;
        Assert.Same(objective, targets.Objective);
        Assert.Equal(own, targets.Before.Terms.Single().Computed!.Value, 12);
        Assert.Equal(moved, targets.After.Terms.Single().Computed!.Value, 12);
        var dataCost = (Expression e) => new FittingObjective(e, taper, data.Structures).Cost(e.Constants);
        Assert.True(dataCost(joint.Fitted) + targets.After.Fitness < dataCost(model) + targets.Before.Fitness);
        Assert.Equal(joint.Optimization.Cost, dataCost(joint.Fitted) + targets.After.Fitness, 1e-9);
    }

    [Fact]
    public void TargetsOfOneElementNeedDataOfThatElement()
    {
        var alloy = DataFiles.Read(TestData.Repo("alloy", "CuNi_RTS", "CuNi_RTS.xyz"));
        var model = ExpressionParser.ParseModel(SuttonChen);
        var e = Assert.Throws<ArgumentException>(() =>
            ConstantRefit.Run(model, new Taper(3, 5), alloy, null, new LevenbergMarquardt(), targets: LatticeTarget(3.6, 0.01)));
        Assert.Contains("target properties need training data of one element; the data hold ", e.Message);
        Assert.Contains("Cu", e.Message[^8..]);
        var nickel = Assert.Throws<ArgumentException>(() => ConstantRefit.Run(model, new Taper(3, 5), Data, null, new LevenbergMarquardt(),
            targets: new TargetObjective(TargetProperties.Read(TestData.Repo("poet", "DFT_Cu", "0K", "TargetProperties_0K.data")), "Ni")));
        Assert.Equal("the target properties are of Ni; the training data are of Cu", nickel.Message);
    }
}
