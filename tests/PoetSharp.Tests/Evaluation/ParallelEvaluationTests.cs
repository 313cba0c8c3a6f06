using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Evaluation;

/// <summary>
/// Allocation is measured with GC.GetTotalAllocatedBytes, which counts every thread of the process, so these tests must
/// not run beside other tests: they form a collection that xunit runs on its own.
/// </summary>
[CollectionDefinition(nameof(AllocationMeasurements), DisableParallelization = true)]
public sealed class AllocationMeasurements;

[Collection(nameof(AllocationMeasurements))]
public class ParallelEvaluationTests(ITestOutputHelper output)
{
    private static readonly Lazy<Dataset> Nvt300 = new(() => PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "NVT_FCC_300K")));

    [Fact]
    public void ParallelEvaluationDoesNotAllocateOnceWarm()
    {
        var structures = Nvt300.Value.Structures;
        var evaluator = new ModelEvaluator(new CompiledModel(ModelEvaluatorTests.Gp1(), Taper.Copper), new PairTable(structures, Taper.Copper));
        Assert.Equal(-1, evaluator.MaxDegreeOfParallelism);
        for (var warm = 0; warm < 3; warm++) evaluator.Evaluate(EvaluationOutputs.AllJacobians);
        const int calls = 200;
        void Calls()
        {
            for (var call = 0; call < calls; call++)
                evaluator.Evaluate(call % 4 == 0 ? EvaluationOutputs.EnergyJacobian : EvaluationOutputs.Basic);
        }

        // Exact: the calling thread and each helper thread, counted by the threads themselves.
        var helpersBefore = IndexedWorkers.HelperAllocatedBytes.Sum();
        var callerBefore = GC.GetAllocatedBytesForCurrentThread();
        var processBefore = GC.GetTotalAllocatedBytes(precise: true);
        Calls();
        var process = GC.GetTotalAllocatedBytes(precise: true) - processBefore;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - callerBefore);
        Assert.Equal(0, IndexedWorkers.HelperAllocatedBytes.Sum() - helpersBefore);

        // Process-wide, as BenchmarkDotNet counts: this includes the test runner's own threads (messages, timers), which
        // allocated 40–220 B per call's duration here (measured below with the same calls single-threaded, for comparison;
        // it grows with the time a call takes on a loaded machine). Parallel.For allocated 1.8–2 kB per call; 512 B per
        // call plus twice the single-threaded background stays clear of both. The exact test is the per-thread one above.
        evaluator.MaxDegreeOfParallelism = 1;
        processBefore = GC.GetTotalAllocatedBytes(precise: true);
        Calls();
        var processSerial = GC.GetTotalAllocatedBytes(precise: true) - processBefore;
        output.WriteLine($"process-wide: {(double)process / calls:F1} B per parallel evaluation ({IndexedWorkers.MaxWorkers} workers), " +
            $"{(double)processSerial / calls:F1} B per single-threaded one");
        Assert.True(process < 512 * calls + 2 * processSerial, $"{(double)process / calls:F1} B allocated per parallel evaluation, process-wide");
    }

    [Fact]
    public void ParallelAndSerialResultsAreBitIdentical()
    {
        var structures = Nvt300.Value.Structures;
        var table = new PairTable(structures, Taper.Copper);
        var parallel = new ModelEvaluator(new CompiledModel(ModelEvaluatorTests.Gp2(), Taper.Copper), table);
        var serial = new ModelEvaluator(parallel.Model, table) { MaxDegreeOfParallelism = 1 };
        var constants = parallel.Model.DefaultConstants.ToArray();
        for (var round = 0; round < 3; round++)
        {
            constants[round] *= 1.01;
            Assert.Equal(0, parallel.Evaluate(constants, EvaluationOutputs.AllJacobians));
            Assert.Equal(0, serial.Evaluate(constants, EvaluationOutputs.AllJacobians));
            Assert.Equal(serial.Energies, parallel.Energies);
            Assert.Equal(serial.AtomEnergies, parallel.AtomEnergies);
            Assert.Equal(serial.Forces, parallel.Forces);
            Assert.Equal(serial.Stresses, parallel.Stresses);
            Assert.Equal(serial.EnergyJacobian, parallel.EnergyJacobian);
            Assert.Equal(serial.ForceJacobian, parallel.ForceJacobian);
            Assert.Equal(serial.StressJacobian, parallel.StressJacobian);
        }
    }

    [Fact]
    public void EvaluatorsOnSeveralThreadsAtOnceGiveTheirSerialResults()
    {
        // Only one job uses the workers at a time; the others run alone on their own threads, with the same results.
        var structures = Nvt300.Value.Structures;
        var table = new PairTable(structures, Taper.Copper);
        var model = new CompiledModel(ModelEvaluatorTests.Gp1(), Taper.Copper);
        var reference = new ModelEvaluator(model, table) { MaxDegreeOfParallelism = 1 };
        reference.Evaluate();
        var evaluators = Enumerable.Range(0, 4).Select(_ => new ModelEvaluator(model, table)).ToArray();
        Parallel.For(0, evaluators.Length, new ParallelOptions { MaxDegreeOfParallelism = evaluators.Length }, k =>
        {
            for (var round = 0; round < 4; round++) evaluators[k].Evaluate();
        });
        foreach (var e in evaluators)
        {
            Assert.Equal(reference.Energies, e.Energies);
            Assert.Equal(reference.Forces, e.Forces);
        }
    }

    [Fact]
    public void InvalidDegreesOfParallelismAreRejected()
    {
        var evaluator = new ModelEvaluator(new CompiledModel(ModelEvaluatorTests.Gp1(), Taper.Copper), new PairTable(ModelEvaluatorTests.SmallStructures(), Taper.Copper));
        Assert.Throws<ArgumentOutOfRangeException>(() => evaluator.MaxDegreeOfParallelism = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => evaluator.MaxDegreeOfParallelism = -2);
        evaluator.MaxDegreeOfParallelism = 64;
        Assert.Equal(0, evaluator.Evaluate());
    }
}
