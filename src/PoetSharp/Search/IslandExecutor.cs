using PoetSharp.Models;

namespace PoetSharp.Search;

/// <summary>What one epoch asks of every island: evolve until generation <paramref name="End"/>, stopping early at the deadline (if any).</summary>
public sealed record EpochTask(int End, DateTime? DeadlineUtc)
{
    public bool PastDeadline => DeadlineUtc is { } d && DateTime.UtcNow >= d;
}

/// <summary>
/// One epoch of one island: the unit of work every executor runs, on this machine or on a cluster worker. The island's
/// state goes in (the island itself, or its <see cref="IslandSnapshot"/> restored), and the island comes out at the
/// epoch's end, or earlier at the deadline or when <paramref name="stop"/> turns true, always between two whole
/// generations (<see cref="Island.Step"/> rolls back a generation it cannot finish). Emigrants are drawn from the
/// returned state by the coordinator, once every island has reached the migration (<see cref="SearchEngine"/>).
/// </summary>
internal static class IslandEpoch
{
    /// <summary>Runs the epoch; returns whether the island reached <see cref="EpochTask.End"/>.</summary>
    public static bool Run(Island island, EpochTask task, Func<bool> stop, Action? stepped = null)
    {
        bool Halt() => stop() || task.PastDeadline;
        while (island.Generation < task.End && !Halt())
        {
            if (!island.Step(Halt)) break;
            stepped?.Invoke();
        }
        return island.Generation >= task.End;
    }
}

/// <summary>
/// Where islands evolve: threads of this process (<see cref="ThreadExecutor"/>) or the workers of a cluster
/// (<see cref="Cluster.ClusterExecutor"/>). The coordinator (<see cref="SearchEngine"/>) owns the islands' state and
/// does everything between epochs (the barrier, ring migration, archive merge, history, checkpoint, progress); an
/// executor only advances islands, and leaves each in a valid state between two generations whatever happens.
/// </summary>
public abstract class IslandExecutor : IDisposable
{
    /// <summary>Builds each island's first population (<see cref="Island.Initialise"/>); <paramref name="counted"/> hears each model evaluated (from any thread; it may not be called at all on a cluster).</summary>
    internal abstract void Initialise(List<Island> islands, IReadOnlyList<Expression> seeds, Action? counted);

    /// <summary>Runs one epoch of every island in <paramref name="islands"/> (some may already be at its end), replacing entries with their new state as needed.</summary>
    internal abstract void RunEpoch(List<Island> islands, EpochTask task, CancellationToken cancel, Action? stepped);

    /// <summary>Where islands run, in words (for logs).</summary>
    public abstract string Describe { get; }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>Islands as threads of this process: up to <paramref name="threads"/> at once, each on its own (the search's default).</summary>
public sealed class ThreadExecutor(int threads) : IslandExecutor
{
    public int Threads { get; } = threads >= 1 ? threads : throw new ArgumentException("at least one thread is needed");

    public override string Describe => Threads == 1 ? "one thread" : $"{Threads} threads";

    internal override void Initialise(List<Island> islands, IReadOnlyList<Expression> seeds, Action? counted) =>
        Parallel.ForEach(islands, new ParallelOptions { MaxDegreeOfParallelism = Threads }, island => island.Initialise(seeds, counted));

    internal override void RunEpoch(List<Island> islands, EpochTask task, CancellationToken cancel, Action? stepped) =>
        Parallel.ForEach(islands, new ParallelOptions { MaxDegreeOfParallelism = Threads },
            island => IslandEpoch.Run(island, task, () => cancel.IsCancellationRequested, stepped));
}
