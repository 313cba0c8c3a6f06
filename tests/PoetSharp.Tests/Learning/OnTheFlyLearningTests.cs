using PoetSharp.Atoms;
using PoetSharp.Learning;
using PoetSharp.Mtp;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Learning;

public class OnTheFlyLearningTests(ITestOutputHelper output)
{
    private static readonly IOracle Teacher = new PotentialOracle(SuttonChen.CopperPoet(), "Sutton-Chen copper (POET)");

    private static LearningSettings Settings => new()
    {
        Temperatures = [300, 900],
        Steps = 150,
        TimeStep = 2,
        GradeEvery = 5,
        MaxIterations = 6,
        Seed = 3,
    };

    private static Structure[] Starts => [Builders.Rattled(Lattices.Fcc("Cu", 3.61, 2, 2, 2), 0.02, 1)];

    private static MtpModel Untrained() => MtpModel.Untrained(6, ["Cu"], 2.0, 5.0, radialBasisSize: 6, seed: 1, scaling: 0.04);

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), "poetsharp-tests", "learn-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void The_loop_grows_the_training_set_from_the_oracle_and_checkpoints_every_iteration()
    {
        var folder = NewFolder();
        var learning = new OnTheFlyLearning(folder, Teacher, Settings, Starts, Untrained(), new MtpRetrainer(new MtpLossWeights(), 40), log: output.WriteLine);
        learning.Run();
        var iterations = learning.Iterations;
        Assert.True(iterations.Count >= 2);
        Assert.Equal(1, iterations[0].OracleCalls); // the starting structure
        // Every configuration in training came from one oracle call: the journal's calls and the training set agree.
        var calls = iterations.Sum(r => r.OracleCalls);
        Assert.Equal(calls, learning.Training.Count);
        Assert.Equal(calls, File.ReadAllLines(Path.Combine(folder, OracleJournal.FileName)).Length);
        Assert.True(iterations.Skip(1).First().Selected > 0);
        // Labels in training are the teacher's.
        var last = learning.Training[^1];
        var reference = SuttonChen.CopperPoet().Compute(last);
        Assert.Equal(reference.Energy, last.Energy!.Value, 1e-9);
        // The checkpoint restores the same state.
        var restored = new OnTheFlyLearning(folder, Teacher, Settings, Starts, Untrained(), new MtpRetrainer(new MtpLossWeights(), 40));
        Assert.Equal(iterations.Count, restored.Iterations.Count);
        Assert.Equal(learning.Training.Count, restored.Training.Count);
        Assert.Equal(((MtpModel)learning.Model).Parameters(), ((MtpModel)restored.Model).Parameters());
        output.WriteLine(learning.StopReason);
    }
}
