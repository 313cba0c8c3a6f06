using System.Diagnostics;
using Akka;
using Akka.Actor;
using PoetSharp.Models;
using PoetSharp.Search;
using AkkaCluster = Akka.Cluster.Cluster;

namespace PoetSharp.Cluster;

/// <summary>
/// Islands evolved by the worker processes of an Akka.NET cluster, this process being the coordinator (and a worker
/// too). Each epoch, every island's state goes out as an <see cref="IslandSnapshot"/> and comes back advanced; the
/// coordinator (<see cref="SearchEngine"/>) keeps the only authoritative copy, so that a lost worker costs the epoch
/// of its islands and nothing else, and checkpoints and <c>--resume</c> cover the whole cluster. Islands restored from
/// snapshots evolve exactly as in one process, so a run limited by generations gives the same front on any number of
/// processes.
/// </summary>
public sealed class ClusterExecutor : IslandExecutor
{
    private readonly ActorSystem _system;
    private readonly IActorRef _coordinator;
    private readonly SearchProblem _problem;
    private readonly SearchSettings _settings;
    private readonly Action<string> _log;
    private readonly ClusterOptions _options;
    private int _workers;
    // Worker time spent evolving islands, and wall time × capacity of the epochs: their ratio is how busy the workers
    // were (the rest is the barrier, the wire and the coordinator's share).
    private double _busySeconds, _capacitySeconds;

    private ClusterExecutor(ActorSystem system, IActorRef coordinator, SearchProblem problem, SearchSettings settings, ClusterOptions options, Action<string> log)
    {
        (_system, _coordinator, _problem, _settings, _options, _log) = (system, coordinator, problem, settings, options, log);
    }

    /// <summary>
    /// Starts the coordinator of a run: the seed node on <see cref="ClusterOptions.SeedHost"/>:<see cref="ClusterOptions.SeedPort"/>
    /// (listening on <see cref="ClusterOptions.Bind"/>), a worker in this process on the problem already read, and waits
    /// up to <see cref="ClusterOptions.JoinTimeout"/> for <see cref="ClusterOptions.ExpectedWorkers"/> more. Workers are
    /// sent <paramref name="settings"/> and <paramref name="data"/> (paths made absolute) to read the data themselves.
    /// </summary>
    public static ClusterExecutor StartCoordinator(ClusterOptions options, SearchSettings settings, DataSpec data, SearchProblem problem, Action<string> log)
    {
        if (options.Role != ClusterRole.Coordinator) throw new ArgumentException("this process is not the coordinator");
        var system = ClusterNode.Start(options);
        var welcome = new Welcome(settings, Absolute(data));
        var coordinator = system.ActorOf(Props.Create(() => new CoordinatorActor(options.Secret, welcome, log)), ClusterNode.CoordinatorName);
        var exit = new TaskCompletionSource<int>();
        Func<SearchSettings, DataSpec, SearchProblem> same = (_, _) => problem;
        Action<string> quiet = _ => { };
        system.ActorOf(Props.Create(() => new WorkerActor(options.Secret, coordinator.Path, options.Threads, same, quiet, exit)), ClusterNode.WorkerName);
        var executor = new ClusterExecutor(system, coordinator, problem, settings, options, log);
        log($"coordinator listening on {options.PublicHost}:{options.SeedPort} ({options.Origin}); " +
            (options.ExpectedWorkers > 0 ? $"waiting up to {options.JoinTimeout.TotalSeconds:F0} s for {options.ExpectedWorkers} worker process{(options.ExpectedWorkers == 1 ? "" : "es")}" : "workers may join at any time"));
        var ready = coordinator.Ask<CoordinatorActor.WorkersReady>(new CoordinatorActor.AwaitWorkers(1 + options.ExpectedWorkers, options.JoinTimeout)).GetAwaiter().GetResult();
        executor._workers = ready.Count;
        log($"{ready.Count} worker process{(ready.Count == 1 ? "" : "es")} (this one included) at the start");
        return executor;
    }

    public override string Describe =>
        $"an Akka.NET cluster coordinated from {_options.PublicHost}:{_options.SeedPort} ({_workers} worker process{(_workers == 1 ? "" : "es")} at the start" +
        (_capacitySeconds > 0 ? $"; workers busy {100 * _busySeconds / _capacitySeconds:F0} % of the epochs' time)" : ")");

    internal override void Initialise(List<Island> islands, IReadOnlyList<Expression> seeds, Action? counted)
    {
        var result = RunBatch(islands.Select(i => (i.Index, (IslandSnapshot?)null)).ToList(), 0, null, CancellationToken.None);
        Restore(islands, result);
        if (result.Count != islands.Count) throw new InvalidOperationException("the cluster stopped before every island had its first population");
    }

    internal override void RunEpoch(List<Island> islands, EpochTask task, CancellationToken cancel, Action? stepped)
    {
        // Taking and restoring snapshots is the coordinator's serial share of an epoch: done on every core.
        var items = islands.Where(i => i.Generation < task.End).AsParallel().AsOrdered()
            .Select(i => (i.Index, (IslandSnapshot?)IslandSnapshot.Of(i))).ToList();
        if (items.Count == 0) return;
        var result = RunBatch(items, task.End, task.DeadlineUtc, cancel);
        Restore(islands, result);
    }

    private void Restore(List<Island> islands, Dictionary<int, WorkDone> result)
    {
        var restored = result.AsParallel().Select(p =>
        {
            var snapshot = p.Value.Snapshot;
            // The forms seen before the epoch are here already; the worker sent those it added.
            if (p.Value.SeenIsDelta) snapshot.Seen = [.. islands[p.Key].Seen, .. snapshot.Seen ?? []];
            return (p.Key, Island: snapshot.Restore(p.Key, _problem, _settings, $"island {p.Key} from a worker"));
        }).ToList();
        foreach (var (k, island) in restored) islands[k] = island;
    }

    private Dictionary<int, WorkDone> RunBatch(List<(int, IslandSnapshot?)> items, int end, DateTime? deadline, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var ask = _coordinator.Ask<CoordinatorActor.BatchResult>(new CoordinatorActor.RunBatch(items, end, deadline), Timeout.InfiniteTimeSpan);
        using (cancel.Register(() => _coordinator.Tell(new CoordinatorActor.CancelBatch())))
        {
            var result = ask.GetAwaiter().GetResult();
            if (result.Failure != null) throw new InvalidOperationException(result.Failure);
            _busySeconds += result.Done.Values.Sum(d => d.Seconds);
            _capacitySeconds += clock.Elapsed.TotalSeconds * Math.Max(1, Math.Min(result.Capacity, items.Count));
            return result.Done;
        }
    }

    /// <summary>Tells every worker the run is over, leaves the cluster and stops this node.</summary>
    public override void Dispose()
    {
        try
        {
            _coordinator.Ask<Done>(new CoordinatorActor.ShutdownAll("the run is over"), TimeSpan.FromSeconds(5)).Wait(TimeSpan.FromSeconds(6));
            // Give the shutdown messages a moment on the wire before this node goes.
            Thread.Sleep(300);
            AkkaCluster.Get(_system).LeaveAsync().Wait(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is AggregateException or TimeoutException or AskTimeoutException or TaskCanceledException)
        {
            // Leaving is a courtesy: the workers also stop when the coordinator is gone.
        }
        _system.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.Dispose();
    }

    /// <summary>
    /// Runs a worker process until the run ends: joins the cluster at the seed, proves the secret, reads the data the
    /// coordinator names, evolves islands. Returns the process's exit code (0: the run ended; 1: the data could not be
    /// read; 2: refused, or the coordinator does not hold the secret; 3: the coordinator was lost).
    /// </summary>
    public static int RunWorker(ClusterOptions options, Func<SearchSettings, DataSpec, SearchProblem> load, Action<string> log, CancellationToken cancel = default)
    {
        if (options.Role != ClusterRole.Worker) throw new ArgumentException("this process is not a worker");
        var system = ClusterNode.Start(options);
        var exit = new TaskCompletionSource<int>();
        var path = new RootActorPath(new Address("akka.tcp", ClusterNode.SystemName, options.SeedHost, options.SeedPort)) / "user" / ClusterNode.CoordinatorName;
        log($"worker on {options.PublicHost} ({options.Origin}), {options.Threads} island{(options.Threads == 1 ? "" : "s")} at once; joining the coordinator at {options.SeedHost}:{options.SeedPort}");
        system.ActorOf(Props.Create(() => new WorkerActor(options.Secret, path, options.Threads, load, log, exit)), ClusterNode.WorkerName);
        using var registration = cancel.Register(() => exit.TrySetResult(130));
        var clock = Stopwatch.StartNew();
        // A coordinator that never answers: give up after the join timeout (it may not have started, or the seed is wrong).
        // Once it has answered, losing it is the failure detector's business (the worker actor hears of it).
        var answered = false;
        while (!exit.Task.Wait(TimeSpan.FromSeconds(1)))
            if (!answered && clock.Elapsed > options.JoinTimeout + TimeSpan.FromSeconds(30) && !(answered = Answers(system, path)))
            {
                log($"no coordinator answered at {options.SeedHost}:{options.SeedPort} within {clock.Elapsed.TotalSeconds:F0} s");
                exit.TrySetResult(3);
            }
        try
        {
            AkkaCluster.Get(system).LeaveAsync().Wait(TimeSpan.FromSeconds(3));
        }
        catch (Exception e) when (e is AggregateException or TimeoutException or TaskCanceledException)
        {
        }
        system.Terminate().Wait(TimeSpan.FromSeconds(5));
        return exit.Task.Result;
    }

    private static bool Answers(ActorSystem system, ActorPath path)
    {
        try
        {
            return system.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(2)).Wait(TimeSpan.FromSeconds(3));
        }
        catch (Exception e) when (e is AggregateException or ActorNotFoundException or TimeoutException or TaskCanceledException)
        {
            return false;
        }
    }


    private static DataSpec Absolute(DataSpec d) => d with
    {
        Data = d.Data.Select(Path.GetFullPath).ToArray(),
        Validation = d.Validation.Select(Path.GetFullPath).ToArray(),
    };
}
