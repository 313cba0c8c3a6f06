using System.Text.Json;
using System.Text.Json.Serialization;
using PoetSharp.Data;
using PoetSharp.Fitting;
using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Search;

/// <summary>
/// Where a run's data come from, as the command line gave it: stored in the checkpoint so that
/// <c>poet fit --resume</c> rebuilds exactly the same problem (same files, same split).
/// </summary>
public sealed record DataSpec(string[] Data, string[] Validation, double Split, int SplitSeed, double Cutoff, double TaperInner)
{
    /// <summary>The element symbols by type index the data were read with (<c>--type-map</c>), for DeePMD and MLIP data; null if none.</summary>
    public string[]? TypeMap { get; init; }

    public Taper Taper => new(TaperInner, Cutoff);

    /// <summary>Reads the data and splits it (a separate validation set, a random split, or none).</summary>
    public (Dataset Training, Dataset? Validation) Load(Func<string, Dataset> read)
    {
        var all = Concat(Data, read);
        if (Validation.Length > 0) return (all, Concat(Validation, read));
        if (Split > 0)
        {
            var split = DataSplit.Random(all, Split, SplitSeed);
            return (split.Training, split.Validation);
        }
        return (all, null);
    }

    public SearchProblem Problem(Func<string, Dataset> read, SearchSettings settings)
    {
        var (training, validation) = Load(read);
        return new SearchProblem(training, validation, Taper, settings.MaxFitStructures) { Physics = SearchPhysics.Create(settings, training) };
    }

    private static Dataset Concat(string[] paths, Func<string, Dataset> read)
    {
        if (paths.Length == 0) throw new ArgumentException("no data given");
        var sets = paths.Select(read).ToArray();
        return sets.Length == 1 ? sets[0] : Dataset.Concat(string.Join(", ", paths), sets);
    }
}

/// <summary>
/// The whole state of a search as JSON: settings, data description, and per island the generator state, generation,
/// counters, forms seen, population and archive (expressions in their exact text form, constants bit for bit), plus the
/// history. Written to a temporary file and renamed over the old checkpoint, so that a crash (even kill -9) leaves the
/// previous or the new checkpoint, never half of one.
/// </summary>
public static class SearchCheckpoint
{
    public const string FileName = "checkpoint.json";
    private const string Format = "PoetSharp search checkpoint";
    private const int Version = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Write(string path, SearchEngine engine)
    {
        var state = new State
        {
            Format = Format,
            Version = Version,
            Settings = engine.Settings,
            Data = engine.Data,
            ElapsedSeconds = engine.Elapsed.TotalSeconds,
            History = engine.History.ToList(),
            Islands = engine.Islands.Select(IslandSnapshot.Of).ToList(),
        };
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        {
            JsonSerializer.Serialize(stream, state, Options);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The stored settings and data description (to rebuild the problem before <see cref="Resume"/>).</summary>
    public static (SearchSettings Settings, DataSpec? Data, TimeSpan Elapsed) ReadHeader(string path)
    {
        var state = Read(path);
        return (state.Settings!, state.Data, TimeSpan.FromSeconds(state.ElapsedSeconds));
    }

    /// <summary>
    /// An engine in the stored state, over <paramref name="problem"/> (rebuilt from the same data). Limits in
    /// <paramref name="settings"/> (time, generations, threads, checkpoint interval) may differ from the stored ones;
    /// everything that shapes the search itself is taken from the checkpoint.
    /// </summary>
    public static SearchEngine Resume(string path, SearchProblem problem, SearchSettings? settings = null, IslandExecutor? executor = null)
    {
        var state = Read(path);
        var stored = state.Settings!;
        var effective = settings is null ? stored : stored with
        {
            MaxGenerations = settings.MaxGenerations,
            MaxTime = settings.MaxTime,
            Threads = settings.Threads,
            CheckpointInterval = settings.CheckpointInterval,
            FinalFitStructures = settings.FinalFitStructures, // the end of the run only: the search itself is unchanged
        };
        var islands = state.Islands!.Select((s, k) => s.Restore(k, problem, effective, path)).ToList();
        return new SearchEngine(problem, effective, islands, state.History ?? [], TimeSpan.FromSeconds(state.ElapsedSeconds), executor)
        {
            Data = state.Data,
            CheckpointPath = path,
        };
    }

    private static State Read(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"{path}: no checkpoint there");
        State? state;
        try
        {
            state = JsonSerializer.Deserialize<State>(File.ReadAllBytes(path), Options);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (int?)e.LineNumber + 1, "not a valid checkpoint: " + e.Message);
        }
        if (state is not { Format: Format } || state.Settings is null || state.Islands is null)
            throw new DataFormatException(path, null, "not a PoetSharp search checkpoint");
        if (state.Version != Version) throw new DataFormatException(path, null, $"checkpoint version {state.Version}; this program reads version {Version}");
        return state;
    }

    private sealed class State
    {
        public string? Format { get; set; }
        public int Version { get; set; }
        public SearchSettings? Settings { get; set; }
        public DataSpec? Data { get; set; }
        public double ElapsedSeconds { get; set; }
        public List<HistoryPoint>? History { get; set; }
        public List<IslandSnapshot>? Islands { get; set; }
    }
}
