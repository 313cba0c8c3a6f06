using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Mtp;
using PoetSharp.Potentials;
using PoetSharp.Simulation;

namespace PoetSharp.Learning;

/// <summary>
/// Learning on the fly (Podryabinkin and Shapeev 2017; MLIP's active learning), one iteration at a time:
/// <list type="number">
/// <item>the active set of the training set under the current model (<see cref="ExtrapolationFeatures"/>, <see cref="ActiveSet"/>);</item>
/// <item>MD from every starting structure at every temperature (and pressure), each configuration graded; those above the
/// select threshold are kept, and a run stops at the first above the break threshold;</item>
/// <item>a batch is picked from all kept configurations (<see cref="BatchRule"/>: by default the fewest after which none
/// grades above the select threshold);</item>
/// <item>the oracle labels them (several calls at once; every call journalled, so that a killed run resumes without
/// repeating one);</item>
/// <item>the model is retrained from its current parameters on the grown set.</item>
/// </list>
/// It stops when every MD run reaches its full length below the select threshold (converged), or at the iteration or
/// time limit. After each iteration the state (model, training set, iteration records) is checkpointed in the run folder.
/// MD runs are independent and run in parallel, one core each, with seeds from (seed, iteration, run): the whole loop is
/// deterministic for a seed whatever the number of cores.
/// </summary>
public sealed class OnTheFlyLearning
{
    public const string StateFile = "state.json";
    public const string TrainingFile = "training.xyz";
    public const string ModelFileName = "model.json";
    public const string BarriersFile = "barriers.csv";

    private readonly string _folder;
    private readonly LearningSettings _settings;
    private readonly IReadOnlyList<Structure> _starts;
    private readonly IReadOnlyList<LearningHop> _hops;
    private readonly IModelTrainer _trainer;
    private readonly IReadOnlyList<Structure> _validation;
    private readonly Action<string> _log;
    private readonly List<Structure> _training = new();
    private readonly List<LearningIteration> _iterations = new();

    public OracleJournal Journal { get; }
    public IParametricModel Model { get; private set; }
    public IReadOnlyList<Structure> Training => _training;
    public IReadOnlyList<LearningIteration> Iterations => _iterations;
    public bool Converged => _iterations.Count > 0 && _iterations[^1].Converged;
    /// <summary>Why <see cref="Run"/> stopped.</summary>
    public string StopReason { get; private set; } = "";

    /// <param name="folder">The run folder: journal, oracle calls, checkpoints, summary.</param>
    /// <param name="starts">Starting structures of the MD runs (each at every temperature and pressure).</param>
    /// <param name="initialModel">The model to start from (untrained or trained).</param>
    /// <param name="initialTraining">Labelled data to start from; when empty, the oracle labels the starting structures first.</param>
    /// <param name="validation">Labelled data whose errors are reported after every iteration (may be empty).</param>
    /// <param name="hops">Vacancy hops whose bands are explored beside the MD runs (may be empty; then starts may be too).</param>
    public OnTheFlyLearning(string folder, IOracle oracle, LearningSettings settings, IReadOnlyList<Structure> starts, IParametricModel initialModel,
        IModelTrainer trainer, IReadOnlyList<Structure>? initialTraining = null, IReadOnlyList<Structure>? validation = null, Action<string>? log = null,
        IReadOnlyList<LearningHop>? hops = null)
    {
        settings.Validate();
        hops ??= [];
        if (starts.Count == 0 && hops.Count == 0) throw new ArgumentException("give at least one starting structure for the MD runs, or a vacancy hop to learn");
        foreach (var h in hops)
        {
            // The band's own checks (indices, elements, periodic cell) before any oracle work.
            _ = VacancyHopBarrier.Endpoints(h.Crystal, h.From, h.To);
            foreach (var e in h.Crystal.Species.Distinct())
                if (!initialModel.Species.Contains(e)) throw new ArgumentException($"the crystal of {h.Name} holds {e}, which the model ({string.Join(", ", initialModel.Species)}) lacks");
        }
        foreach (var s in starts.Concat(hops.Select(h => h.Crystal)))
        {
            if (s.Count < 2) throw new ArgumentException($"starting structure {s} has fewer than two atoms");
            foreach (var e in s.Species.Distinct())
                if (!initialModel.Species.Contains(e)) throw new ArgumentException($"starting structure {s} holds {e}, which the model ({string.Join(", ", initialModel.Species)}) lacks");
            if (oracle.Species is { } known)
                foreach (var e in s.Species.Distinct())
                    if (!known.Contains(e)) throw new ArgumentException($"starting structure {s} holds {e}, which the oracle ({oracle.Name}) cannot label");
        }
        Directory.CreateDirectory(folder);
        _folder = folder;
        _settings = settings;
        _starts = starts;
        _hops = hops;
        _trainer = trainer;
        _validation = validation ?? [];
        _log = log ?? (_ => { });
        Journal = new OracleJournal(folder, oracle);
        Model = initialModel;
        if (initialTraining is not null) _training.AddRange(initialTraining);
        if (File.Exists(Path.Combine(folder, StateFile))) Restore();
    }

    /// <summary>Runs iterations until converged, or until the iteration or time limit.</summary>
    public void Run(CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        if (_iterations.Count == 0 && !File.Exists(Path.Combine(_folder, StateFile))) Start(cancellation);
        while (true)
        {
            if (Converged) { StopReason = "converged: every MD run and band stayed below the select threshold"; break; }
            if (_iterations.Count - 1 >= _settings.MaxIterations) { StopReason = $"iteration limit ({_settings.MaxIterations}) reached without convergence"; break; }
            if (_settings.TimeLimit is { } limit && clock.Elapsed >= limit) { StopReason = $"time limit ({limit.TotalMinutes:0.#} min) reached without convergence"; break; }
            cancellation.ThrowIfCancellationRequested();
            Iterate(_iterations.Count, cancellation);
        }
        _log(StopReason);
    }

    // Iteration 0: label the starting structures if no training data was given, and train the starting model.
    private void Start(CancellationToken cancellation)
    {
        var oracleClock = Stopwatch.StartNew();
        var (made, reused, failed) = (0, 0, 0);
        if (_training.Count == 0)
        {
            // Without MD starts, the hops' perfect crystals are the first data.
            var first = _starts.Count > 0 ? _starts : _hops.Select(h => h.Crystal).ToArray();
            _log($"labelling the {first.Count} starting structures with {Journal.Oracle.Name}");
            var calls = LabelAll(first, cancellation);
            for (var k = 0; k < calls.Length; k++)
            {
                Count(calls[k], ref made, ref reused, ref failed);
                if (calls[k].Label is { } label) _training.Add(Labelled(label, first[k], "start", $"start-{k + 1}"));
            }
            if (_training.Count == 0) throw new IOException($"the oracle could not label any starting structure (see {Path.Combine(_folder, OracleJournal.FileName)})");
        }
        var oracleSeconds = oracleClock.Elapsed.TotalSeconds;
        var trainClock = Stopwatch.StartNew();
        Model = _trainer.Train(Model, _training, cancellation);
        var record = WithErrors(new LearningIteration
        {
            Iteration = 0, OracleCalls = made, ReusedCalls = reused, FailedCalls = failed, TrainingSize = _training.Count,
            OracleSeconds = oracleSeconds, TrainingSeconds = trainClock.Elapsed.TotalSeconds,
        });
        _iterations.Add(record);
        _log(Describe(record));
        Save();
    }

    private void Iterate(int iteration, CancellationToken cancellation)
    {
        // 1. The active set of the training data under the current model.
        var features = ExtrapolationFeatures.For(Model, _settings.GradeMode);
        var active = features.BuildActiveSet(_training, _settings.Threads, _settings.VirtualRowSize);

        // 2. MD runs, each graded on the fly; independent, so in parallel, one core each.
        var mdClock = Stopwatch.StartNew();
        var tasks = (from s in Enumerable.Range(0, _starts.Count)
                     from t in _settings.Temperatures
                     from p in _settings.Pressures.Count == 0 ? [double.NaN] : _settings.Pressures
                     select (Start: s, Temperature: t, Pressure: p)).ToArray();
        var runs = new RunResult[tasks.Length];
        var potential = Model is MtpModel mtp ? new MtpPotential(mtp, threads: 1) : Model.CreatePotential();
        Parallel.For(0, tasks.Length, new ParallelOptions { MaxDegreeOfParallelism = _settings.Threads < 1 ? -1 : _settings.Threads, CancellationToken = cancellation },
            k => runs[k] = RunMd(k, tasks[k].Start, tasks[k].Temperature, tasks[k].Pressure, iteration, potential, features, active));
        // 2b. The bands of the vacancy hops, each image graded (in parallel too: one band per core).
        var bands = new RunResult[_hops.Count];
        var barriers = new VacancyHopResult?[_hops.Count];
        Parallel.For(0, _hops.Count, new ParallelOptions { MaxDegreeOfParallelism = _settings.Threads < 1 ? -1 : _settings.Threads, CancellationToken = cancellation },
            h => (bands[h], barriers[h]) = RunBand(tasks.Length + h, _hops[h], potential, features, active));
        LogBands(iteration, bands, barriers);
        runs = [.. runs, .. bands];
        var mdSeconds = mdClock.Elapsed.TotalSeconds;
        var candidates = runs.SelectMany(r => r.Candidates).ToList();
        var maxGrade = runs.Max(r => r.MaxGrade);
        var completed = runs.Count(r => r.Completed);
        var steps = runs.Sum(r => r.Steps);
        if (candidates.Count == 0 && completed == runs.Length)
        {
            var done = new LearningIteration
            {
                Iteration = iteration, Runs = runs.Length, RunsCompleted = completed, MdSteps = steps, MaxGrade = maxGrade,
                TrainingSize = _training.Count, MdSeconds = mdSeconds, Converged = true,
                TrainingEnergyRmse = _iterations[^1].TrainingEnergyRmse, TrainingForceRmse = _iterations[^1].TrainingForceRmse,
                ValidationEnergyRmse = _iterations[^1].ValidationEnergyRmse, ValidationForceRmse = _iterations[^1].ValidationForceRmse,
            };
            _iterations.Add(done);
            _log(Describe(done));
            Save();
            return;
        }

        // A run that stopped without a finite configuration to label (its energies became non-finite) cannot be learned from.
        if (candidates.Count == 0)
            throw new InvalidOperationException($"iteration {iteration}: {runs.Length - completed} run(s) stopped outside the data but left no finite configuration for the oracle " +
                                                "(their energies became non-finite): the model is unusable there; start from more data or another model");

        // 3. MaxVol selection from the pooled candidates.
        var selected = Select(features, active, candidates);

        // 4. The oracle.
        var oracleClock = Stopwatch.StartNew();
        var calls = LabelAll(selected.Select(c => c.Structure).ToList(), cancellation);
        var (made, reused, failed) = (0, 0, 0);
        for (var k = 0; k < calls.Length; k++)
        {
            Count(calls[k], ref made, ref reused, ref failed);
            if (calls[k].Label is { } label)
                _training.Add(Labelled(label, selected[k].Structure, "learned", selected[k].Run >= tasks.Length
                    ? $"iteration-{iteration}-band-{selected[k].Run - tasks.Length + 1}-image-{selected[k].Step}"
                    : $"iteration-{iteration}-run-{selected[k].Run + 1}-step-{selected[k].Step}"));
            else _log($"  oracle call in {calls[k].Folder} failed: {calls[k].Failure}; that configuration is left out");
        }
        var oracleSeconds = oracleClock.Elapsed.TotalSeconds;
        if (made + reused == 0) throw new IOException($"every oracle call of iteration {iteration} failed (see {Path.Combine(_folder, OracleJournal.FileName)})");

        // 5. Retraining from the current parameters.
        var trainClock = Stopwatch.StartNew();
        Model = _trainer.Train(Model, _training, cancellation);
        var record = WithErrors(new LearningIteration
        {
            Iteration = iteration, Runs = runs.Length, RunsCompleted = completed, MdSteps = steps, MaxGrade = maxGrade,
            Candidates = candidates.Count, Selected = selected.Count, OracleCalls = made, ReusedCalls = reused, FailedCalls = failed,
            TrainingSize = _training.Count, MdSeconds = mdSeconds, OracleSeconds = oracleSeconds, TrainingSeconds = trainClock.Elapsed.TotalSeconds,
        });
        _iterations.Add(record);
        _log(Describe(record));
        Save();
    }

    private sealed record RunResult(List<LearningCandidate> Candidates, double MaxGrade, long Steps, bool Completed);

    private RunResult RunMd(int run, int start, double temperature, double pressure, int iteration, IPotential potential, ExtrapolationFeatures features, ActiveSet active)
    {
        var settings = new MdSettings
        {
            TimeStep = _settings.TimeStep,
            Ensemble = double.IsNaN(pressure) ? Ensemble.Langevin : Ensemble.NptIsotropic,
            Temperature = temperature,
            Pressure = double.IsNaN(pressure) ? 0 : pressure,
            ThermostatTime = _settings.ThermostatTime,
            Seed = _settings.Seed * 1_000_003UL + (ulong)iteration * 10_007UL + (ulong)run + 1,
        };
        var candidates = new List<LearningCandidate>();
        var maxGrade = 0.0;
        var initial = _starts[start];
        MolecularDynamics md;
        try { md = new MolecularDynamics(potential, initial, settings); }
        catch (ArgumentException e) { throw new ArgumentException($"starting structure {initial}: {e.Message}", e); }
        // The starting configuration is graded too: it may already lie outside the data.
        for (long step = 0; step <= _settings.Steps; step++)
        {
            if (step > 0) md.Advance();
            if (step % _settings.GradeEvery != 0 && step != _settings.Steps) continue;
            var finite = double.IsFinite(md.PotentialEnergy);
            var grade = finite ? features.Grade(active, md.Structure) : double.PositiveInfinity;
            if (!double.IsNaN(grade)) maxGrade = Math.Max(maxGrade, grade);
            if (finite && grade > _settings.SelectThreshold)
            {
                var s = md.Structure;
                candidates.Add(new LearningCandidate(new Structure(s.Cell, s.WrappedPositions(), (string[])s.Species.Clone(), s.Name, s.Group), grade, run, step));
                if (candidates.Count > 2 * _settings.MaxCandidatesPerRun) Thin(candidates);
            }
            if (!(grade <= _settings.BreakThreshold)) return new RunResult(Thinned(candidates), maxGrade, step, false);
        }
        return new RunResult(Thinned(candidates), maxGrade, _settings.Steps, true);

        List<LearningCandidate> Thinned(List<LearningCandidate> list)
        {
            if (list.Count > _settings.MaxCandidatesPerRun) Thin(list);
            return list;
        }
        void Thin(List<LearningCandidate> list)
        {
            // Keep the highest-graded, in the order they were met.
            var keep = list.OrderByDescending(c => c.Grade).ThenBy(c => c.Step).Take(_settings.MaxCandidatesPerRun).ToHashSet();
            list.RemoveAll(c => !keep.Contains(c));
        }
    }

    // One band with the current model, every image graded (endpoints too: a vacancy may itself lie outside the data).
    // "Completed" as for MD: no image above the break threshold. A band that fell into a spurious well has its fallen
    // image among the candidates, which is the point.
    private (RunResult Run, VacancyHopResult? Barrier) RunBand(int run, LearningHop hop, IPotential potential, ExtrapolationFeatures features, ActiveSet active)
    {
        VacancyHopResult result;
        try { result = VacancyHopBarrier.Run(potential, hop.Crystal, hop.From, hop.To, _settings.Band); }
        catch (ArgumentException e) { throw new ArgumentException($"{hop.Name}: {e.Message}", e); }
        var candidates = new List<LearningCandidate>();
        var maxGrade = 0.0;
        var images = result.Band.Images;
        for (var m = 0; m < images.Count; m++)
        {
            var finite = double.IsFinite(result.Band.Energies[m]);
            var grade = finite ? features.Grade(active, images[m]) : double.PositiveInfinity;
            if (!double.IsNaN(grade)) maxGrade = Math.Max(maxGrade, grade);
            if (finite && grade > _settings.SelectThreshold)
            {
                var s = images[m];
                candidates.Add(new LearningCandidate(new Structure(s.Cell, s.WrappedPositions(), (string[])s.Species.Clone(), s.Name, s.Group), grade, run, m));
            }
        }
        return (new RunResult(candidates, maxGrade, 0, maxGrade <= _settings.BreakThreshold), result);
    }

    // One log line per band and one row per band in barriers.csv: how the barrier moves as the model learns.
    private void LogBands(int iteration, RunResult[] bands, VacancyHopResult?[] barriers)
    {
        if (bands.Length == 0) return;
        var path = Path.Combine(_folder, BarriersFile);
        // A resumed run repeats the iteration it was killed in: its rows are replaced, not added twice.
        var lines = File.Exists(path)
            ? File.ReadAllLines(path).Where(l => !l.StartsWith(FormattableString.Invariant($"{iteration},"), StringComparison.Ordinal)).ToList()
            : ["iteration,hop,forward_eV,backward_eV,converged,max_grade"];
        for (var h = 0; h < bands.Length; h++)
        {
            var b = barriers[h]!;
            _log(FormattableString.Invariant(
                $"  band {h + 1} ({_hops[h].Name}): forward {b.ForwardBarrier:F4} eV, backward {b.BackwardBarrier:F4} eV, {(b.Band.Converged ? "converged" : "not converged")}, largest grade {bands[h].MaxGrade:0.###}"));
            lines.Add(FormattableString.Invariant(
                $"{iteration},{_hops[h].Name.Replace(',', ';')},{b.ForwardBarrier:R},{b.BackwardBarrier:R},{(b.Band.Converged ? "yes" : "no")},{bands[h].MaxGrade:R}"));
        }
        File.WriteAllLines(path, lines);
    }

    private List<LearningCandidate> Select(ExtrapolationFeatures features, ActiveSet active, List<LearningCandidate> candidates)
    {
        var perCandidate = new List<double[]>[candidates.Count];
        Parallel.For(0, candidates.Count, new ParallelOptions { MaxDegreeOfParallelism = _settings.Threads < 1 ? -1 : _settings.Threads },
            k => perCandidate[k] = features.Rows(candidates[k].Structure));
        List<int> batch;
        if (_settings.BatchRule == BatchRule.Covering)
            batch = active.SelectCovering(perCandidate, _settings.SelectThreshold, _settings.MaxBatch, _settings.Threads, _training.Count).Order().ToList();
        else
        {
            var rows = new List<double[]>();
            var owner = new List<int>();
            for (var k = 0; k < candidates.Count; k++)
                foreach (var r in perCandidate[k]) { rows.Add(r); owner.Add(k); }
            batch = active.SelectEntering(rows).Select(i => owner[i]).Distinct().Order().ToList();
        }
        // Every candidate graded above the select threshold against this same set, so either rule takes at least one;
        // keep the most extreme if rounding says otherwise.
        if (batch.Count == 0) batch.Add(Enumerable.Range(0, candidates.Count).MaxBy(k => candidates[k].Grade));
        if (_settings.MaxBatch > 0 && batch.Count > _settings.MaxBatch)
            batch = batch.OrderByDescending(k => candidates[k].Grade).Take(_settings.MaxBatch).Order().ToList();
        return batch.Select(k => candidates[k]).ToList();
    }

    private OracleCall[] LabelAll(IReadOnlyList<Structure> structures, CancellationToken cancellation)
    {
        var calls = new OracleCall[structures.Count];
        var done = 0;
        Parallel.For(0, structures.Count, new ParallelOptions { MaxDegreeOfParallelism = _settings.OracleParallel, CancellationToken = cancellation }, k =>
        {
            calls[k] = Journal.Label(structures[k], cancellation);
            var n = Interlocked.Increment(ref done);
            var c = calls[k];
            // Live progress for slow oracles (DFT): one line per call.
            if (!c.Reused) _log($"  oracle call {n}/{structures.Count} ({c.Folder}, {structures[k].Count} atoms): {(c.Label is null ? "failed: " + c.Failure : $"{c.Seconds:0.#} s")}");
        });
        return calls;
    }

    private static void Count(OracleCall call, ref int made, ref int reused, ref int failed)
    {
        if (call.Label is null) failed++;
        else if (call.Reused) reused++;
        else made++;
    }

    private static Structure Labelled(OracleLabel label, Structure structure, string group, string name)
    {
        var s = label.Apply(structure);
        s.Group = group;
        s.Name = name;
        return s;
    }

    private LearningIteration WithErrors(LearningIteration record)
    {
        var potential = Model.CreatePotential();
        var (e, f) = Errors(potential, _training);
        record = record with { TrainingEnergyRmse = e, TrainingForceRmse = f };
        if (_validation.Count == 0) return record;
        (e, f) = Errors(potential, _validation);
        return record with { ValidationEnergyRmse = e, ValidationForceRmse = f };
    }

    // Energy RMSE (meV/atom) and force RMSE (eV/Å). An MTP carries its own reference energies (species coefficients) and
    // is compared as MLIP does, without a shift; a closed form is compared up to one energy per element, as everywhere
    // else in PoetSharp.
    private (double Energy, double Forces) Errors(IPotential potential, IReadOnlyList<Structure> structures)
    {
        var predictions = PotentialErrors.Predict(potential, structures, _settings.Threads);
        if (Model is MtpModel)
        {
            var e = MtpGroupErrors.Of(predictions)[0];
            return (e.EnergyRmse, e.ForceRmse);
        }
        var overall = PotentialErrors.FromPredictions(potential.Name, predictions).Overall;
        return (overall.Energy?.Rmse ?? double.NaN, overall.Forces?.Rmse ?? double.NaN);
    }

    /// <summary>One line per iteration for the log.</summary>
    public static string Describe(LearningIteration r)
    {
        var errors = $"training {r.TrainingEnergyRmse:0.###} meV/atom, {r.TrainingForceRmse:0.####} eV/Å" +
                     (double.IsNaN(r.ValidationEnergyRmse) ? "" : $"; validation {r.ValidationEnergyRmse:0.###} meV/atom, {r.ValidationForceRmse:0.####} eV/Å");
        if (r.Iteration == 0)
            return $"iteration 0: {r.TrainingSize} starting configurations ({r.OracleCalls} oracle calls, {r.ReusedCalls} from the journal), trained in {r.TrainingSeconds:0.#} s; {errors}";
        if (r.Converged)
            return $"iteration {r.Iteration}: all {r.Runs} runs (MD and bands) stayed inside the data, grades ≤ {r.MaxGrade:0.###} ({r.MdSteps} MD steps): converged";
        return $"iteration {r.Iteration}: {r.RunsCompleted}/{r.Runs} runs complete ({r.MdSteps} MD steps, max grade {r.MaxGrade:0.##}), {r.Candidates} candidates, " +
               $"{r.Selected} selected, {r.OracleCalls} oracle calls{(r.ReusedCalls > 0 ? $" (+{r.ReusedCalls} from the journal)" : "")}{(r.FailedCalls > 0 ? $", {r.FailedCalls} failed" : "")}; " +
               $"{r.TrainingSize} in training; MD {r.MdSeconds:0.#} s, oracle {r.OracleSeconds:0.#} s, training {r.TrainingSeconds:0.#} s; {errors}";
    }

    // Checkpoint: the model, the training set and the iteration records, each written to a temporary file and renamed,
    // so that a kill leaves either the old or the new state.
    private void Save()
    {
        var modelPath = Path.Combine(_folder, ModelFileName);
        Replace(modelPath, tmp =>
        {
            switch (Model)
            {
                case MtpModel m: ModelFile.Write(tmp, m, "poet learn (learning on the fly)"); break;
                case Model e: ModelFile.Write(tmp, e); break;
                default: throw new ArgumentException($"cannot save a model of family '{Model.Family}'");
            }
        });
        if (Model is MtpModel mtp) Replace(Path.Combine(_folder, "model.mtp"), tmp => MtpFile.Write(tmp, mtp));
        Replace(Path.Combine(_folder, TrainingFile), tmp => ExtendedXyz.Write(tmp, _training));
        var state = new JsonObject
        {
            ["iterations"] = JsonSerializer.SerializeToNode(_iterations.Select(ToJson).ToArray()),
            ["trainingSize"] = _training.Count,
            ["oracle"] = Journal.Oracle.Fingerprint,
        };
        Replace(Path.Combine(_folder, StateFile), tmp => File.WriteAllText(tmp, state.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
    }

    private static void Replace(string path, Action<string> write)
    {
        var tmp = path + ".tmp";
        write(tmp);
        File.Move(tmp, path, overwrite: true);
    }

    private static JsonObject ToJson(LearningIteration r) => new()
    {
        ["iteration"] = r.Iteration, ["runs"] = r.Runs, ["runsCompleted"] = r.RunsCompleted, ["mdSteps"] = r.MdSteps,
        ["maxGrade"] = Finite(r.MaxGrade), ["candidates"] = r.Candidates, ["selected"] = r.Selected,
        ["oracleCalls"] = r.OracleCalls, ["reusedCalls"] = r.ReusedCalls, ["failedCalls"] = r.FailedCalls, ["trainingSize"] = r.TrainingSize,
        ["mdSeconds"] = r.MdSeconds, ["oracleSeconds"] = r.OracleSeconds, ["trainingSeconds"] = r.TrainingSeconds,
        ["trainingEnergyRmseMeVPerAtom"] = Finite(r.TrainingEnergyRmse), ["trainingForceRmse"] = Finite(r.TrainingForceRmse),
        ["validationEnergyRmseMeVPerAtom"] = Finite(r.ValidationEnergyRmse), ["validationForceRmse"] = Finite(r.ValidationForceRmse),
        ["converged"] = r.Converged,
    };

    private static JsonNode? Finite(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;
    private static double Number(JsonNode? n) => n is null ? double.NaN : (double)n;

    private void Restore()
    {
        var statePath = Path.Combine(_folder, StateFile);
        var text = InputFile.ReadAllText(statePath, "a learning run's state");
        try
        {
            var json = JsonNode.Parse(text)!.AsObject();
            if ((string?)json["oracle"] is { } fingerprint && fingerprint != Journal.Oracle.Fingerprint)
                throw new ArgumentException($"{statePath}: this run was made with another oracle ({fingerprint}); resume it with the same oracle settings or start a new folder");
            _iterations.Clear();
            foreach (var node in json["iterations"]!.AsArray())
            {
                var o = node!.AsObject();
                _iterations.Add(new LearningIteration
                {
                    Iteration = (int)o["iteration"]!, Runs = (int)o["runs"]!, RunsCompleted = (int)o["runsCompleted"]!, MdSteps = (long)o["mdSteps"]!,
                    MaxGrade = Number(o["maxGrade"]), Candidates = (int)o["candidates"]!, Selected = (int)o["selected"]!,
                    OracleCalls = (int)o["oracleCalls"]!, ReusedCalls = (int)o["reusedCalls"]!, FailedCalls = (int)o["failedCalls"]!,
                    TrainingSize = (int)o["trainingSize"]!, MdSeconds = (double)o["mdSeconds"]!, OracleSeconds = (double)o["oracleSeconds"]!,
                    TrainingSeconds = (double)o["trainingSeconds"]!, TrainingEnergyRmse = Number(o["trainingEnergyRmseMeVPerAtom"]),
                    TrainingForceRmse = Number(o["trainingForceRmse"]), ValidationEnergyRmse = Number(o["validationEnergyRmseMeVPerAtom"]),
                    ValidationForceRmse = Number(o["validationForceRmse"]), Converged = (bool)o["converged"]!,
                });
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new DataFormatException(statePath, null, $"not a learning run's state ({e.Message})");
        }
        _training.Clear();
        _training.AddRange(DataFiles.Read(Path.Combine(_folder, TrainingFile)).Structures);
        var model = ModelFile.ReadAny(Path.Combine(_folder, ModelFileName));
        Model = model;
        _log($"resuming {_folder} after iteration {_iterations.Count - 1}: {_training.Count} configurations in training, {Journal.CompletedCount} oracle calls in the journal");
    }
}
