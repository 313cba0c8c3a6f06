using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Potentials;
using PoetSharp.Tests.Evaluation;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Fitting;

public class ObjectiveReportTests(ITestOutputHelper output)
{
    [Fact]
    public void Report_for_GP1_equals_the_error_tables()
    {
        var data = ObjectiveTests.Training.Value;
        var gp1 = ModelEvaluatorTests.Gp1();
        var report = FitReport.Create(gp1, Taper.Copper, gp1.Constants, data);
        var errors = PotentialErrors.Evaluate(new ModelPotential(gp1, Taper.Copper), data);
        output.WriteLine(report.Format());
        Assert.Null(report.Validation);
        Assert.Equal(4.83, report.Training.Overall.Energy!.Rmse, 0.005);
        Assert.Equal(4.00, report.Training.Overall.Energy!.Mae, 0.005);
        Assert.Equal(0.099, report.Training.Overall.Forces!.Rmse, 0.0005);
        Assert.Equal(0.073, report.Training.Overall.Forces!.Mae, 0.0005);
        Assert.Equal(errors.Overall, report.Training.Overall);
    }

    [Fact]
    public void Report_with_validation_and_other_constants()
    {
        var data = ObjectiveTests.Training.Value;
        var split = DataSplit.Random(data, 0.25, seed: 3);
        var gp1 = ModelEvaluatorTests.Gp1();
        var constants = gp1.Constants.ToArray();
        constants[0] *= 1.01;
        var report = FitReport.Create(gp1, Taper.Copper, constants, split.Training, split.Validation);
        output.WriteLine(report.Format());
        var potential = new ModelPotential(gp1.WithConstants(constants), Taper.Copper);
        Assert.Equal(PotentialErrors.Evaluate(potential, split.Training).Overall, report.Training.Overall);
        var validation = PotentialErrors.Evaluate(potential, split.Validation);
        Assert.Equal(validation.Overall, report.Validation!.Overall);

        // With the training shift the validation energy error is at least that with its own (best) shift.
        var atTrainingShift = report.ValidationEnergyAtTrainingShift!;
        Assert.Equal(split.Validation.Count, atTrainingShift.Values);
        Assert.True(atTrainingShift.Rmse >= validation.Overall.Energy!.Rmse - 1e-9);
        var expected = Math.Sqrt(split.Validation.Structures.Select(s =>
        {
            var p = validation.Predictions.Single(x => x.Structure == s);
            var d = 1000 * (p.EnergyPerAtom + report.Training.EnergyShift - s.EnergyPerAtom!.Value);
            return d * d;
        }).Average());
        Assert.Equal(expected, atTrainingShift.Rmse, 1e-9);
        var text = report.Format();
        Assert.Contains("validation", text);
        Assert.Contains("meV/atom", text);
    }
}
