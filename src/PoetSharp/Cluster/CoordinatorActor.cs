using Akka;
using Akka.Actor;
using Akka.Event;
using PoetSharp.Search;
using AkkaCluster = Akka.Cluster.Cluster;
using ClusterEvent = Akka.Cluster.ClusterEvent;

namespace PoetSharp.Cluster;

/// <summary>
/// The coordinator's side of the protocol: admits workers that prove the shared secret (and refuses, logs and downs
/// any other node), hands out the islands of each batch (one epoch, or the first populations) to ready workers up to
/// their capacity, and collects the results. A worker that dies or becomes unreachable is downed, and the islands it
/// was running go back to the queue from the state they had before, under a new task number, so a late answer from
/// the lost worker is ignored and no island enters the front twice.
/// </summary>
internal sealed class CoordinatorActor : ReceiveActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    // Local messages between the executor (a plain thread) and this actor; they never cross the network.
    public sealed record RunBatch(IReadOnlyList<(int Island, IslandSnapshot? Snapshot)> Items, int End, DateTime? DeadlineUtc);
    /// <summary>The islands' results, or why the batch failed; <paramref name="Capacity"/>: islands the ready workers can run at once.</summary>
    public sealed record BatchResult(Dictionary<int, WorkDone> Done, string? Failure, int Capacity);
    public sealed record CancelBatch;
    public sealed record AwaitWorkers(int Count, TimeSpan Timeout);
    public sealed record WorkersReady(int Count, IReadOnlyList<string> Names);
    public sealed record ShutdownAll(string Reason);
    private sealed record JoinDeadline(Akka.Actor.Address Address);
    private sealed record AwaitTimeout(long Id);
    private sealed record DownLater(Akka.Actor.Address Address);

    private sealed class WorkerInfo(IActorRef actor, Hello hello, string challenge)
    {
        public IActorRef Actor { get; } = actor;
        public Hello Hello { get; } = hello;
        public string Challenge { get; } = challenge;
        public bool Authenticated { get; set; }
        public bool Ready { get; set; }
        public HashSet<long> Running { get; } = new();
        public int Order { get; set; }
        public string Name => $"{Hello.Host}:{Hello.ProcessId} ({Actor.Path.Address})";
        public int Free => Hello.Capacity - Running.Count;
    }

    private readonly string _secret;
    private readonly Welcome _welcome;
    private readonly Action<string> _log;
    private readonly AkkaCluster _cluster;
    private readonly List<WorkerInfo> _workers = new();
    private readonly HashSet<Akka.Actor.Address> _refused = new();
    private int _joined;
    // The batch in progress.
    private IActorRef? _replyTo;
    private RunBatch? _batch;
    private readonly Queue<int> _queue = new();
    private readonly Dictionary<int, IslandSnapshot?> _items = new();
    private readonly Dictionary<long, (int Island, WorkerInfo Worker)> _inFlight = new();
    private readonly Dictionary<int, WorkDone> _done = new();
    private string? _failure;
    private bool _stopping;
    private bool _closing;
    private long _nextTask;
    // Who waits for workers.
    private (IActorRef ReplyTo, int Count, long Id)? _awaiting;
    private long _awaitId;

    public CoordinatorActor(string secret, Welcome welcome, Action<string> log)
    {
        (_secret, _welcome, _log) = (secret, welcome, log);
        _cluster = AkkaCluster.Get(Context.System);
        Receive<Hello>(OnHello);
        Receive<Proof>(OnProof);
        Receive<Ready>(OnReady);
        // Every handler is an action (never "not handled"): an unhandled Terminated would stop this actor.
        Receive<WorkerFailed>(f =>
        {
            if (Find(Sender) is { } w) Lose(w, $"cannot take part: {f.Reason}");
        });
        Receive<WorkDone>(OnDone);
        Receive<WorkFailed>(OnFailed);
        Receive<Terminated>(t =>
        {
            if (Find(t.ActorRef) is { } w) Lose(w, "its process ended");
        });
        Receive<ClusterEvent.MemberUp>(m => OnMemberUp(m.Member));
        Receive<ClusterEvent.UnreachableMember>(m => LoseAt(m.Member.Address, "unreachable (no heartbeat)"));
        Receive<ClusterEvent.MemberRemoved>(m => LoseAt(m.Member.Address, "left the cluster"));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<JoinDeadline>(OnJoinDeadline);
        Receive<DownLater>(d => _cluster.Down(d.Address));
        Receive<RunBatch>(OnRunBatch);
        Receive<CancelBatch>(_ => Stop());
        Receive<AwaitWorkers>(OnAwait);
        Receive<AwaitTimeout>(t =>
        {
            if (_awaiting is { } a && a.Id == t.Id) ReplyReady();
        });
        Receive<ShutdownAll>(s =>
        {
            _closing = true;
            foreach (var w in _workers.Where(w => w.Authenticated)) w.Actor.Tell(new Shutdown(s.Reason));
            Sender.Tell(Done.Instance);
        });
    }

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.UnreachableMember));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private WorkerInfo? Find(IActorRef actor) => _workers.FirstOrDefault(w => w.Actor.Equals(actor));

    private void OnHello(Hello h)
    {
        if (Find(Sender) is { } known)
        {
            // A repeated Hello (the first answer is on its way): the same challenge again.
            if (!known.Authenticated) Sender.Tell(new Challenge(known.Challenge, ClusterSecret.Prove(_secret, "coordinator", known.Hello.Nonce, "")));
            return;
        }
        if (_refused.Contains(Sender.Path.Address))
        {
            Sender.Tell(new Refused("this node was refused before"));
            return;
        }
        if (h.Capacity < 1) return;
        var w = new WorkerInfo(Sender, h, ClusterSecret.Nonce());
        _workers.Add(w);
        Context.Watch(Sender);
        Sender.Tell(new Challenge(w.Challenge, ClusterSecret.Prove(_secret, "coordinator", h.Nonce, "")));
    }

    private void OnProof(Proof p)
    {
        if (Find(Sender) is not { Authenticated: false } w) return;
        if (!ClusterSecret.Check(_secret, "worker", w.Challenge, w.Hello.Nonce, p.Mac))
        {
            Refuse(w, "it does not hold the run's shared secret");
            return;
        }
        w.Authenticated = true;
        w.Order = _joined++;
        Sender.Tell(_welcome);
    }

    private void Refuse(WorkerInfo w, string reason)
    {
        _log($"refused node {w.Actor.Path.Address} ({w.Hello.Host}, process {w.Hello.ProcessId}): {reason}");
        w.Actor.Tell(new Refused(reason));
        _workers.Remove(w);
        Context.Unwatch(w.Actor);
        var address = w.Actor.Path.Address;
        if (address.HasGlobalScope)
        {
            _refused.Add(address);
            // Leave the refusal a moment to arrive, then take the node out of the cluster.
            Timers.StartSingleTimer(("down", address), new DownLater(address), TimeSpan.FromSeconds(1));
        }
    }

    private void OnReady(Ready r)
    {
        if (Find(Sender) is not { Authenticated: true } w) return;
        w.Ready = true;
        _log($"worker {w.Name} ready: {w.Hello.Capacity} island{(w.Hello.Capacity == 1 ? "" : "s")} at once, data read in {r.LoadSeconds:F1} s");
        if (_awaiting is { } a && _workers.Count(x => x.Ready) >= a.Count) ReplyReady();
        Dispatch();
    }

    private void OnMemberUp(Akka.Cluster.Member member)
    {
        if (member.Address.Equals(_cluster.SelfAddress)) return;
        Timers.StartSingleTimer(("join", member.Address), new JoinDeadline(member.Address), TimeSpan.FromSeconds(20));
    }

    private void OnJoinDeadline(JoinDeadline d)
    {
        if (_refused.Contains(d.Address) || _workers.Any(w => w.Authenticated && w.Actor.Path.Address.Equals(d.Address))) return;
        if (_cluster.State.Members.All(m => !m.Address.Equals(d.Address))) return;
        _log($"refused node {d.Address}: it joined the cluster but did not prove the run's shared secret within 20 s");
        _refused.Add(d.Address);
        _workers.RemoveAll(w => w.Actor.Path.Address.Equals(d.Address));
        _cluster.Down(d.Address);
    }

    private void LoseAt(Akka.Actor.Address address, string why)
    {
        foreach (var w in _workers.Where(w => w.Actor.Path.Address.Equals(address)).ToList()) Lose(w, why);
        if (!_refused.Contains(address) && !address.Equals(_cluster.SelfAddress) && why.StartsWith("unreachable", StringComparison.Ordinal)) _cluster.Down(address);
    }

    private void Lose(WorkerInfo w, string why)
    {
        if (!_workers.Remove(w)) return;
        Context.Unwatch(w.Actor);
        if (_closing) return;
        var islands = new List<int>();
        foreach (var task in w.Running)
        {
            if (!_inFlight.Remove(task, out var entry)) continue;
            islands.Add(entry.Island);
            // Run again from the state it had before this epoch (a fresh task number: a late answer is ignored).
            if (!_stopping) _queue.Enqueue(entry.Island);
        }
        _log($"lost worker {w.Name}: {why}" + (islands.Count == 0 ? "" :
            _stopping ? (islands.Count == 1 ? $"; island {islands[0]} keeps its state from before this epoch" : $"; islands {string.Join(", ", islands)} keep their state from before this epoch")
                      : islands.Count == 1 ? $"; island {islands[0]} runs again from its state before this epoch on the other workers" : $"; islands {string.Join(", ", islands)} run again from their state before this epoch on the other workers"));
        if (w.Actor.Path.Address.HasGlobalScope) _cluster.Down(w.Actor.Path.Address);
        if (_workers.Count(x => x.Ready) == 0 && _batch != null)
            _log("no worker left to run the islands; waiting for one to join");
        Dispatch();
        Complete();
    }

    private void OnRunBatch(RunBatch b)
    {
        (_replyTo, _batch, _failure, _stopping) = (Sender, b, null, false);
        _queue.Clear();
        _items.Clear();
        _done.Clear();
        foreach (var (island, snapshot) in b.Items)
        {
            _items[island] = snapshot;
            _queue.Enqueue(island);
        }
        Dispatch();
        Complete();
    }

    private void Dispatch()
    {
        if (_batch is not { } b || _stopping) return;
        while (_queue.Count > 0)
        {
            var w = _workers.Where(x => x.Ready && x.Free > 0).OrderByDescending(x => x.Free).ThenBy(x => x.Order).FirstOrDefault();
            if (w == null) return;
            var island = _queue.Dequeue();
            var task = ++_nextTask;
            double? remaining = b.DeadlineUtc is { } d ? (d - DateTime.UtcNow).TotalSeconds : null;
            w.Running.Add(task);
            _inFlight[task] = (island, w);
            w.Actor.Tell(new Work(task, island, _items[island], b.End, remaining));
        }
    }

    private void OnDone(WorkDone d)
    {
        if (!_inFlight.TryGetValue(d.TaskId, out var entry) || !entry.Worker.Actor.Equals(Sender) || entry.Island != d.Island) return;
        _inFlight.Remove(d.TaskId);
        entry.Worker.Running.Remove(d.TaskId);
        _done[d.Island] = d;
        Dispatch();
        Complete();
    }

    private void OnFailed(WorkFailed f)
    {
        if (!_inFlight.TryGetValue(f.TaskId, out var entry) || !entry.Worker.Actor.Equals(Sender)) return;
        _inFlight.Remove(f.TaskId);
        entry.Worker.Running.Remove(f.TaskId);
        // The same state fails the same way anywhere: the run stops with the reason.
        _failure ??= $"island {f.Island} failed on worker {entry.Worker.Name}: {f.Reason}";
        Stop();
    }

    private void Stop()
    {
        if (_batch == null) return;
        _stopping = true;
        _queue.Clear();
        foreach (var w in _workers.Where(w => w.Running.Count > 0)) w.Actor.Tell(new StopWork(_nextTask));
        Complete();
    }

    private void Complete()
    {
        if (_batch == null || _queue.Count > 0 || _inFlight.Count > 0) return;
        _replyTo!.Tell(new BatchResult(new Dictionary<int, WorkDone>(_done), _failure, _workers.Where(w => w.Ready).Sum(w => w.Hello.Capacity)));
        (_batch, _replyTo) = (null, null);
    }

    private void OnAwait(AwaitWorkers a)
    {
        _awaiting = (Sender, a.Count, ++_awaitId);
        if (_workers.Count(x => x.Ready) >= a.Count) ReplyReady();
        else Timers.StartSingleTimer("await", new AwaitTimeout(_awaitId), a.Timeout);
    }

    private void ReplyReady()
    {
        if (_awaiting is not { } a) return;
        var ready = _workers.Where(x => x.Ready).OrderBy(x => x.Order).ToList();
        a.ReplyTo.Tell(new WorkersReady(ready.Count, ready.Select(x => x.Name).ToList()));
        _awaiting = null;
    }
}
