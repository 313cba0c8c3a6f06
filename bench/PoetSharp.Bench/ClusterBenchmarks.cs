using System.Diagnostics;
using Akka.Actor;
using BenchmarkDotNet.Attributes;
using PoetSharp.Cluster;
using PoetSharp.Data;
using PoetSharp.Potentials;
using PoetSharp.Search;

namespace PoetSharp.Bench;

/// <summary>
/// What the cluster adds to one epoch of one island, on one core: taking the island's snapshot, serialising it into a
/// Work message and back (what crosses the wire, both ways), and restoring the island on the coordinator. The island
/// is a DFT_Cu search island (48 models, its archive) with 30,000 forms seen, as after a long run. The baseline is one
/// generation of the same island, timed once in the setup (a generation takes seconds, too long for repeated
/// measurement): an epoch is 4 generations, so the cluster's share of an island-epoch is the sum of the rows below
/// over 4 × that time. The serialised size is printed too.
/// </summary>
[MemoryDiagnoser]
public class ClusterBenchmarks
{
    private SearchProblem _problem = null!;
    private SearchSettings _settings = null!;
    private Island _island = null!;
    private IslandSnapshot _snapshot = null!;
    private ActorSystem _system = null!;
    private ClusterMessageSerializer _serializer = null!;
    private Work _work = null!;
    private byte[] _bytes = null!;

    [GlobalSetup]
    public void Setup()
    {
        var data = ModelBenchmarks.DftCuTraining();
        _problem = new SearchProblem(data, null, Taper.Copper, 16);
        _settings = new SearchSettings { Seed = 1, Islands = 1, Threads = 1, MaxGenerations = 10 };
        _island = new Island(0, _problem, _settings, SearchRandom.ForStream(1, 0));
        _island.Initialise([]);
        var clock = Stopwatch.StartNew();
        IslandEpoch.Run(_island, new EpochTask(2, null), () => false);
        Console.WriteLine($"// one generation of the island: {clock.Elapsed.TotalSeconds / 2:F2} s (48 offspring, DFT_Cu, one core)");
        var random = new Random(7);
        while (_island.Seen.Count < 30000) _island.Seen.Add((ulong)random.NextInt64() * 2 + 1);
        _snapshot = IslandSnapshot.Of(_island);
        _system = ClusterNode.Start(new ClusterOptions { Role = ClusterRole.Worker, SeedHost = "127.0.0.1", SeedPort = 1, Secret = "benchmark-secret" });
        _work = new Work(1, 0, _snapshot, 4, null);
        _serializer = (ClusterMessageSerializer)_system.Serialization.FindSerializerFor(_work);
        _bytes = _serializer.ToBinary(_work);
        Console.WriteLine($"// a Work message: {_bytes.Length / 1024.0:F0} KiB ({_snapshot.Population!.Count} models, {_snapshot.Archive!.Count} archived, {_snapshot.Seen!.Length} forms seen)");
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Benchmark]
    public IslandSnapshot Snapshot() => IslandSnapshot.Of(_island);

    [Benchmark]
    public byte[] Serialise() => _serializer.ToBinary(_work);

    [Benchmark]
    public object Deserialise() => _serializer.FromBinary(_bytes, nameof(Work));

    [Benchmark]
    public int Restore() => _snapshot.Restore(0, _problem, _settings, "benchmark").Population.Count;
}
