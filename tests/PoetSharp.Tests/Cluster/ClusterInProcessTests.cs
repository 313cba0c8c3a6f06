using System.Diagnostics;
using PoetSharp.Cluster;
using PoetSharp.Search;
using PoetSharp.Tests.Search;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cluster;

/// <summary>A cluster of one (the coordinator and its own worker, in this process): time limits and cancellation end a run between whole generations.</summary>
public sealed class ClusterInProcessTests
{
    private static ClusterExecutor Start(SearchSettings settings, List<string> log, int? port = null) => ClusterExecutor.StartCoordinator(
        new ClusterOptions { Role = ClusterRole.Coordinator, SeedHost = "127.0.0.1", SeedPort = port ?? PoetProcess.FreePort(), Secret = "in-process-secret", Threads = 1 },
        settings, new DataSpec(["unused.xyz"], [], 0, 1, 5, 3), SearchEngineTests.Problem.Value, line => { lock (log) log.Add(line); });

    [Fact]
    public void TheCoordinatorListensOnLoopbackOnly()
    {
        var port = PoetProcess.FreePort();
        using var executor = Start(SearchEngineTests.Tiny(1), [], port);
        var listeners = System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Where(e => e.Port == port).ToList();
        Assert.NotEmpty(listeners);
        Assert.All(listeners, e => Assert.True(System.Net.IPAddress.IsLoopback(e.Address), $"listening on {e}"));
    }

    [Fact]
    public void ATimeLimitAndCancellationEndAClusterRunBetweenGenerations()
    {
        var log = new List<string>();
        var timed = SearchEngineTests.Tiny(0) with { MaxGenerations = 0, MaxTime = TimeSpan.FromSeconds(3), Islands = 2 };
        using (var executor = Start(timed, log))
        {
            var engine = new SearchEngine(SearchEngineTests.Problem.Value, timed, null, executor);
            var clock = Stopwatch.StartNew();
            engine.Run();
            Assert.InRange(clock.Elapsed.TotalSeconds, 2.5, 30);
            Assert.Contains("Akka.NET cluster", engine.ExecutorDescription);
            AssertWholeGenerations(engine, timed);
        }
        Assert.Contains(log, l => l.Contains("1 worker process (this one included) at the start", StringComparison.Ordinal));

        var open = SearchEngineTests.Tiny(100000) with { Islands = 2 };
        using (var executor = Start(open, log))
        {
            var engine = new SearchEngine(SearchEngineTests.Problem.Value, open, null, executor);
            // Cancelled once the first generation is reported, not after a fixed time: on a loaded machine the first
            // population alone can outlast any fixed delay, and then no generation would be left to interrupt.
            using var cancel = new CancellationTokenSource();
            var clock = Stopwatch.StartNew();
            engine.Run(cancel.Token, new CancelAfterFirstGeneration(cancel));
            Assert.InRange(clock.Elapsed.TotalSeconds, 0, 60);
            Assert.InRange(engine.Generation, 1, 99999);
            AssertWholeGenerations(engine, open);
        }
    }

    /// <summary>Every island is at a whole generation: its state restores and steps on.</summary>
    private static void AssertWholeGenerations(SearchEngine engine, SearchSettings settings)
    {
        foreach (var island in engine.Islands)
        {
            var copy = IslandSnapshot.Of(island).Restore(island.Index, SearchEngineTests.Problem.Value, settings, "test");
            Assert.True(IslandEpoch.Run(copy, new EpochTask(island.Generation + 1, null), () => false));
        }
    }

    /// <summary>Cancels the run, synchronously, at the first progress report after a whole generation.</summary>
    private sealed class CancelAfterFirstGeneration(CancellationTokenSource cancel) : IProgress<SearchProgress>
    {
        public void Report(SearchProgress value)
        {
            if (value.Generation >= 1) cancel.Cancel();
        }
    }
}
