using System.Diagnostics;
using Akka.Actor;
using PoetSharp.Models;
using PoetSharp.Search;

namespace PoetSharp.Cluster;

/// <summary>
/// A worker: says Hello to the coordinator until it answers, checks the coordinator's proof of the shared secret and
/// proves its own, loads the data of the run specification it is welcomed with, then evolves the islands it is sent,
/// up to <c>capacity</c> at once, each on a thread of its own (<see cref="IslandEpoch"/>). It ends (through
/// <c>exit</c>) on Shutdown (0), when its data cannot be loaded (1), when refused or the secrets differ (2), or when
/// the coordinator is gone (3).
/// </summary>
internal sealed class WorkerActor : ReceiveActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private sealed record HelloTick;
    private sealed record Loaded(SearchProblem? Problem, SearchSettings Settings, string? Error, double Seconds);

    private readonly string _secret;
    private readonly ActorPath _coordinatorPath;
    private readonly int _capacity;
    private readonly Func<SearchSettings, DataSpec, SearchProblem> _load;
    private readonly Action<string> _log;
    private readonly TaskCompletionSource<int> _exit;
    private readonly string _nonce = ClusterSecret.Nonce();
    private IActorRef? _coordinator;
    private SearchProblem? _problem;
    private SearchSettings? _settings;
    private IReadOnlyList<Expression> _seeds = [];
    private long _stopUpTo;

    public WorkerActor(string secret, ActorPath coordinatorPath, int capacity, Func<SearchSettings, DataSpec, SearchProblem> load,
        Action<string> log, TaskCompletionSource<int> exit)
    {
        (_secret, _coordinatorPath, _capacity, _load, _log, _exit) = (secret, coordinatorPath, capacity, load, log, exit);
        Receive<HelloTick>(_ => SayHello());
        Receive<Challenge>(OnChallenge);
        Receive<Welcome>(OnWelcome);
        Receive<Loaded>(OnLoaded);
        Receive<Work>(OnWork);
        Receive<StopWork>(s => Interlocked.Exchange(ref _stopUpTo, Math.Max(Interlocked.Read(ref _stopUpTo), s.UpToTask)));
        Receive<Refused>(r => End(2, $"the coordinator refused this worker: {r.Reason}"));
        Receive<Shutdown>(s => End(0, s.Reason));
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_coordinator)) LostCoordinator("its process ended");
        });
        // Under the cluster provider a remote actor's death is only reported once its node is removed; an unreachable
        // coordinator (killed, or its host gone) is noticed here, by the failure detector.
        Receive<Akka.Cluster.ClusterEvent.UnreachableMember>(m =>
        {
            if (m.Member.Address.Equals(_coordinatorPath.Address)) LostCoordinator("it is unreachable");
        });
        Receive<Akka.Cluster.ClusterEvent.MemberRemoved>(m =>
        {
            if (m.Member.Address.Equals(_coordinatorPath.Address)) LostCoordinator("it left the cluster");
        });
    }

    private void LostCoordinator(string why) =>
        End(3, $"lost the coordinator at {_coordinatorPath.Address} ({why}); this worker stops (a coordinator's run continues from its checkpoint with --resume)");

    protected override void PreStart()
    {
        if (_coordinatorPath.Address.HasGlobalScope)
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, Akka.Cluster.ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(Akka.Cluster.ClusterEvent.UnreachableMember), typeof(Akka.Cluster.ClusterEvent.MemberRemoved));
        Self.Tell(new HelloTick());
    }

    private void SayHello()
    {
        if (_coordinator != null || _exit.Task.IsCompleted) return;
        Context.ActorSelection(_coordinatorPath).Tell(new Hello(_nonce, _capacity, System.Net.Dns.GetHostName(), Environment.ProcessId));
        // The coordinator may not be up yet, or the cluster not yet joined: ask again until it answers.
        Timers.StartSingleTimer("hello", new HelloTick(), TimeSpan.FromSeconds(1));
    }

    private void OnChallenge(Challenge c)
    {
        if (_coordinator != null || _exit.Task.IsCompleted) return;
        var trusted = ClusterSecret.Check(_secret, "coordinator", _nonce, "", c.CoordinatorProof);
        // The proof goes back either way, so that the coordinator can log the refusal at once.
        Sender.Tell(new Proof(ClusterSecret.Prove(_secret, "worker", c.Nonce, _nonce)));
        if (!trusted)
        {
            End(2, $"the coordinator at {_coordinatorPath.Address} does not hold this run's shared secret; this worker takes no part");
            return;
        }
        _coordinator = Sender;
        Context.Watch(_coordinator);
    }

    private void OnWelcome(Welcome w)
    {
        if (_coordinator == null || !Sender.Equals(_coordinator) || _problem != null) return;
        _log($"joined the run of the coordinator at {_coordinatorPath.Address}; reading {string.Join(", ", w.Data.Data)}");
        var self = Self;
        Task.Factory.StartNew(() =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                return new Loaded(_load(w.Settings, w.Data), w.Settings, null, clock.Elapsed.TotalSeconds);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return new Loaded(null, w.Settings, e.Message, 0);
            }
        }, TaskCreationOptions.LongRunning).PipeTo(self);
    }

    private void OnLoaded(Loaded l)
    {
        if (l.Problem is null)
        {
            _coordinator!.Tell(new WorkerFailed($"cannot read the run's data: {l.Error}"));
            End(1, $"cannot read the run's data: {l.Error}");
            return;
        }
        (_problem, _settings) = (l.Problem, l.Settings);
        _seeds = l.Settings.SeedModels.Select(ExpressionParser.ParseModel).ToList();
        _coordinator!.Tell(new Ready(l.Seconds));
    }

    private void OnWork(Work w)
    {
        if (_problem is not { } problem || _settings is not { } settings || !Sender.Equals(_coordinator)) return;
        var coordinator = _coordinator!;
        var self = Self; // answers name this worker as their sender: the coordinator accepts a result only from the worker it gave the island to
        var deadline = w.RemainingSeconds is { } s ? DateTime.UtcNow + TimeSpan.FromSeconds(Math.Max(0, s)) : (DateTime?)null;
        Task.Factory.StartNew(() =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                Island island;
                bool reached;
                if (w.Snapshot is null)
                {
                    island = new Island(w.Island, problem, settings, SearchRandom.ForStream(settings.Seed, w.Island));
                    island.Initialise(_seeds);
                    reached = true;
                }
                else
                {
                    island = w.Snapshot.Restore(w.Island, problem, settings, $"the coordinator's state of island {w.Island}");
                    reached = IslandEpoch.Run(island, new EpochTask(w.End, deadline), () => Interlocked.Read(ref _stopUpTo) >= w.TaskId);
                }
                var snapshot = IslandSnapshot.Of(island);
                var delta = w.Snapshot?.Seen is not null;
                if (delta)
                {
                    // Only what this epoch added (it never removes a form seen before it).
                    var known = new HashSet<ulong>(w.Snapshot!.Seen!);
                    snapshot.Seen = snapshot.Seen!.Where(h => !known.Contains(h)).ToArray();
                }
                coordinator.Tell(new WorkDone(w.TaskId, w.Island, snapshot, reached, clock.Elapsed.TotalSeconds, delta), self);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                coordinator.Tell(new WorkFailed(w.TaskId, w.Island, $"{e.GetType().Name}: {e.Message}"), self);
            }
        }, TaskCreationOptions.LongRunning);
    }

    private void End(int code, string message)
    {
        if (_exit.Task.IsCompleted) return;
        _log(message);
        // Stop what runs here at its next generation's end.
        Interlocked.Exchange(ref _stopUpTo, long.MaxValue);
        _exit.TrySetResult(code);
    }
}
