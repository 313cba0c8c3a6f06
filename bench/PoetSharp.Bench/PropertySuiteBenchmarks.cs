using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using PoetSharp.Potentials;
using PoetSharp.Properties;

namespace PoetSharp.Bench;

/// <summary>
/// The whole property suite (<see cref="PropertySuite.Run"/>: every group, 46 tasks) on Mishin's Cu EAM
/// (Cu_mishin1.eam.alloy), on all cores and on one. The target is under 3 minutes on two cores. One iteration is
/// a full suite; the time of each task of the last run is printed at the end (tasks overlap, so they add up to more).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class PropertySuiteBenchmarks
{
    private IPotential _mishin = null!;
    private PropertySuiteResult? _last;

    [Params(1, 2)]
    public int Cores { get; set; }

    [GlobalSetup]
    public void Setup() => _mishin = PotentialFactory.Create("Cu_mishin1.eam.alloy");

    [Benchmark]
    public int WholeSuite()
    {
        _last = PropertySuite.Run(_mishin, new PropertySuiteOptions { MaxParallelism = Cores });
        return _last.Properties.Count;
    }

    [GlobalCleanup]
    public void Report()
    {
        if (_last == null) return;
        Console.WriteLine($"// {Cores} core(s): suite {_last.Elapsed.TotalSeconds:F2} s; slowest tasks:");
        foreach (var t in _last.Timings.Take(8)) Console.WriteLine($"//   {t.Task,-36} {t.Elapsed.TotalSeconds,6:F2} s");
    }
}
