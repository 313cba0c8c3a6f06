using System.Runtime.ExceptionServices;

namespace PoetSharp.Evaluation;

/// <summary>Work over the indices [0, count): each index is run exactly once, by one of the workers (0 is the calling thread).</summary>
internal interface IIndexedWork
{
    void Run(int index, int worker);
}

/// <summary>
/// A process-wide set of persistent background threads (one fewer than the cores) that run an <see cref="IIndexedWork"/>
/// together with the calling thread, handing out indices one at a time. Unlike Parallel.For a call allocates nothing:
/// threads, wake-up signals and the caller's work object are reused. One job runs at a time; a caller that finds the
/// workers busy (another evaluator on another thread, or a nested call) runs its whole job alone on its own thread.
/// Callers must therefore not depend on which worker runs an index, only that each runs once.
/// </summary>
internal static class IndexedWorkers
{
    /// <summary>Background threads besides the caller.</summary>
    public static readonly int HelperCount = Math.Max(0, Environment.ProcessorCount - 1);

    /// <summary>Largest worker index passed to <see cref="IIndexedWork.Run"/>, plus one.</summary>
    public static int MaxWorkers => HelperCount + 1;

    /// <summary>
    /// GC.GetAllocatedBytesForCurrentThread of each helper thread at the end of its last job: lets a test see exactly what
    /// the helpers allocate, which process-wide counters cannot separate from the test runner's own threads.
    /// </summary>
    internal static readonly long[] HelperAllocatedBytes = new long[HelperCount];

    // Jobs are announced by incrementing _job under Signal; helpers with index < _helpers take part. Monitor.Wait and
    // PulseAll on a lock object made once allocate nothing (ManualResetEventSlim makes its lock object lazily, the first
    // time a wait has to block, which would show up as a stray allocation in some later call).
    private static readonly object Signal = new();
    private static int _busy;
    private static bool _threadsStarted;
    private static long _job;
    private static IIndexedWork? _work;
    private static int _count, _next, _helpers, _pending;
    private static ExceptionDispatchInfo? _failure;

    /// <summary>Runs <paramref name="work"/> for every index in [0, count) on at most <paramref name="maxWorkers"/> threads (−1: all).</summary>
    public static void Run(IIndexedWork work, int count, int maxWorkers)
    {
        var allowed = maxWorkers < 1 ? MaxWorkers : Math.Min(maxWorkers, MaxWorkers);
        var helpers = Math.Min(allowed - 1, count - 1);
        if (helpers <= 0 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (var i = 0; i < count; i++) work.Run(i, 0);
            return;
        }
        try
        {
            if (!_threadsStarted) StartThreads();
            lock (Signal)
            {
                _work = work;
                _count = count;
                _next = 0;
                _helpers = helpers;
                _pending = helpers;
                _failure = null;
                _job++;
                Monitor.PulseAll(Signal);
            }
            Drain(0);
            // The helpers finish within about one index of the caller: spin briefly before sleeping.
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) > 0 && !spin.NextSpinWillYield) spin.SpinOnce();
            lock (Signal)
            {
                while (_pending > 0) Monitor.Wait(Signal);
            }
            _work = null;
            var failure = _failure;
            _failure = null;
            failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private static void StartThreads()
    {
        for (var h = 0; h < HelperCount; h++)
            new Thread(HelperLoop) { IsBackground = true, Name = $"PoetSharp worker {h + 1}" }.Start(h);
        _threadsStarted = true;
    }

    private static void HelperLoop(object? state)
    {
        var h = (int)state!;
        long seen = 0;
        while (true)
        {
            bool takesPart;
            lock (Signal)
            {
                while (_job == seen) Monitor.Wait(Signal);
                seen = _job;
                takesPart = h < _helpers;
            }
            if (!takesPart) continue;
            Drain(h + 1);
            HelperAllocatedBytes[h] = GC.GetAllocatedBytesForCurrentThread();
            if (Interlocked.Decrement(ref _pending) == 0)
                lock (Signal) Monitor.PulseAll(Signal);
        }
    }

    private static void Drain(int worker)
    {
        var work = _work!;
        var count = _count;
        while (true)
        {
            var i = Interlocked.Increment(ref _next) - 1;
            if (i >= count) return;
            try
            {
                work.Run(i, worker);
            }
            catch (Exception e)
            {
                // The first failure is rethrown on the caller; the remaining indices are abandoned.
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
                Volatile.Write(ref _next, count);
                return;
            }
        }
    }
}
