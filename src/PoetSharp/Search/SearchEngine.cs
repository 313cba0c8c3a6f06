using System.Diagnostics;
using PoetSharp.Models;

namespace PoetSharp.Search;

/// <summary>A snapshot of a running search, for progress displays.</summary>
public sealed record SearchProgress(
    int Generation, int MaxGenerations, long Evaluations, long Candidates, double EvaluationsPerSecond,
    double BestValidationFitness, int FrontSize, TimeSpan Elapsed, TimeSpan? Remaining, string BestExpression);

/// <summary>One point of the error history: the best validation fitness on the front after a number of generations.</summary>
public sealed record HistoryPoint(int Generation, double ElapsedSeconds, long Evaluations, double BestValidationFitness, int FrontSize);

/// <summary>
/// The genetic-programming search: islands of <see cref="Island"/> evolve independently within an epoch of
/// <see cref="SearchSettings.MigrationInterval"/> generations (in parallel on an <see cref="IslandExecutor"/>: threads of
/// this process, or the workers of a cluster), then each sends <see cref="SearchSettings.Migrants"/> models to the next island (a ring). The front is the
/// non-dominated union of the islands' archives. Because islands meet only at migrations and each has its own
/// generator, a run limited by generations gives the same front for any number of threads; with a time limit the
/// number of generations varies. The whole state is checkpointed atomically (<see cref="SearchCheckpoint"/>).
/// </summary>
public sealed class SearchEngine
{
    private readonly SearchProblem _problem;
    private readonly List<Island> _islands;
    private readonly List<HistoryPoint> _history;
    private readonly TimeSpan _elapsedBefore;
    private readonly object _progressLock = new();
    private readonly IslandExecutor _executor;

    public SearchSettings Settings { get; }
    public IReadOnlyList<HistoryPoint> History => _history;
    /// <summary>Opaque description of the data (the command line's), stored in checkpoints so that a run can be resumed.</summary>
    public DataSpec? Data { get; init; }
    /// <summary>Where the checkpoint goes (null: none).</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>Checked at each epoch's end: a true result ends the search (e.g. a known form was found).</summary>
    public Func<IReadOnlyList<Candidate>, bool>? StopWhen { get; init; }
    public TimeSpan Elapsed { get; private set; }
    /// <summary>Candidates evaluated and seconds spent by <see cref="Run"/> in this process (the first population and earlier sessions of a resumed run excluded): the search's steady rate.</summary>
    public (long Candidates, double Seconds) RunRate { get; private set; }
    public bool Stopped { get; private set; }

    /// <summary>
    /// A new search: every island starts from the seed models and random trees. <paramref name="initialising"/>, if
    /// given, hears (models evaluated, models wanted) after each model of the first population (from any thread).
    /// Islands evolve on <paramref name="executor"/> (default: <see cref="SearchSettings.Threads"/> threads of this
    /// process); the caller keeps ownership of it.
    /// </summary>
    public SearchEngine(SearchProblem problem, SearchSettings settings, Action<int, int>? initialising = null, IslandExecutor? executor = null)
    {
        settings.Validate();
        _problem = problem;
        Settings = settings;
        _executor = executor ?? new ThreadExecutor(settings.Threads);
        var seeds = settings.SeedModels.Select(ExpressionParser.ParseModel).ToList();
        _islands = Enumerable.Range(0, settings.Islands)
            .Select(k => new Island(k, problem, settings, SearchRandom.ForStream(settings.Seed, k))).ToList();
        var done = 0;
        var wanted = settings.Islands * settings.PopulationSize;
        Action? counted = initialising == null ? null : () => initialising(Interlocked.Increment(ref done), wanted);
        _executor.Initialise(_islands, seeds, counted);
        _history = new List<HistoryPoint>();
        RecordHistory(0);
    }

    internal SearchEngine(SearchProblem problem, SearchSettings settings, List<Island> islands, List<HistoryPoint> history, TimeSpan elapsed,
        IslandExecutor? executor = null)
    {
        settings.Validate();
        _problem = problem;
        Settings = settings;
        _executor = executor ?? new ThreadExecutor(settings.Threads);
        _islands = islands;
        _history = history;
        _elapsedBefore = elapsed;
        Elapsed = elapsed;
    }

    internal IReadOnlyList<Island> Islands => _islands;

    public int Generation => _islands.Min(i => i.Generation);
    public long Evaluations => _islands.Sum(i => i.Evaluations);
    public long CandidatesEvaluated => _islands.Sum(i => i.Candidates);
    public long Duplicates => _islands.Sum(i => i.Duplicates);
    public long Invalid => _islands.Sum(i => i.Invalid);

    /// <summary>Why candidates were invalid, summed over the islands, most frequent first.</summary>
    public IReadOnlyList<(string Reason, long Count)> InvalidReasons =>
        _islands.SelectMany(i => i.InvalidReasons).GroupBy(p => p.Key).Select(g => (g.Key, g.Sum(p => p.Value)))
            .OrderByDescending(p => p.Item2).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();

    /// <summary>Where the islands evolve, in words.</summary>
    public string ExecutorDescription => _executor.Describe;

    /// <summary>The current front, sorted by complexity then fitness.</summary>
    public IReadOnlyList<Candidate> Front => Archive.Merge(_islands.Select(i => i.Archive), Settings.ArchiveCapacity).Members;

    /// <summary>
    /// Runs until the generation or time limit, <see cref="StopWhen"/>, or cancellation (Ctrl-C); writes a checkpoint
    /// every <see cref="SearchSettings.CheckpointInterval"/> and at the end. Returns the front.
    /// </summary>
    public IReadOnlyList<Candidate> Run(CancellationToken cancel = default, IProgress<SearchProgress>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var lastCheckpoint = clock.Elapsed;
        var evaluationsAtStart = Evaluations;
        var candidatesAtStart = CandidatesEvaluated;
        bool OutOfTime() => Settings.MaxTime is { } t && _elapsedBefore + clock.Elapsed >= t;
        bool Done(Island island) => Settings.MaxGenerations > 0 && island.Generation >= Settings.MaxGenerations;
        Stopped = false;
        while (!cancel.IsCancellationRequested && !OutOfTime() && !_islands.All(Done))
        {
            var epochEnd = (Generation / Settings.MigrationInterval + 1) * Settings.MigrationInterval;
            if (Settings.MaxGenerations > 0) epochEnd = Math.Min(epochEnd, Settings.MaxGenerations);
            DateTime? deadline = Settings.MaxTime is { } limit ? DateTime.UtcNow + (limit - _elapsedBefore - clock.Elapsed) : null;
            _executor.RunEpoch(_islands, new EpochTask(epochEnd, deadline), cancel, progress == null ? null : () => Report(progress, clock, evaluationsAtStart));
            if (progress != null) Report(progress, clock, evaluationsAtStart);
            Elapsed = _elapsedBefore + clock.Elapsed;
            if (_islands.All(i => i.Generation == epochEnd))
            {
                if (epochEnd % Settings.MigrationInterval == 0) Migrate();
                RecordHistory(epochEnd);
            }
            if (CheckpointPath != null && clock.Elapsed - lastCheckpoint >= Settings.CheckpointInterval)
            {
                SearchCheckpoint.Write(CheckpointPath, this);
                lastCheckpoint = clock.Elapsed;
            }
            if (StopWhen != null && StopWhen(Front))
            {
                Stopped = true;
                break;
            }
        }
        Elapsed = _elapsedBefore + clock.Elapsed;
        RunRate = (RunRate.Candidates + CandidatesEvaluated - candidatesAtStart, RunRate.Seconds + clock.Elapsed.TotalSeconds);
        if (CheckpointPath != null) SearchCheckpoint.Write(CheckpointPath, this);
        return Front;
    }

    private void Migrate()
    {
        if (_islands.Count < 2 || Settings.Migrants == 0) return;
        var outgoing = _islands.Select(i => i.Emigrants(Settings.Migrants)).ToList();
        for (var k = 0; k < _islands.Count; k++) _islands[(k + 1) % _islands.Count].Receive(outgoing[k]);
    }

    private void RecordHistory(int generation)
    {
        var front = Front;
        _history.Add(new HistoryPoint(generation, Elapsed.TotalSeconds, Evaluations,
            front.Count > 0 ? front.Min(c => c.ValidationFitness) : double.NaN, front.Count));
    }

    private void Report(IProgress<SearchProgress> progress, Stopwatch clock, long evaluationsAtStart)
    {
        lock (_progressLock)
        {
            var front = Front;
            var best = front.MinBy(c => c.ValidationFitness);
            var elapsed = _elapsedBefore + clock.Elapsed;
            TimeSpan? remaining = Settings.MaxTime is { } t ? (t - elapsed < TimeSpan.Zero ? TimeSpan.Zero : t - elapsed) : null;
            var rate = (Evaluations - evaluationsAtStart) / Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
            progress.Report(new SearchProgress(_islands.Sum(i => i.Generation) / _islands.Count, Settings.MaxGenerations, Evaluations, CandidatesEvaluated,
                rate, best?.ValidationFitness ?? double.NaN, front.Count, elapsed, remaining, best?.Expression.ToString() ?? ""));
        }
    }
}
