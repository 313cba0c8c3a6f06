using System.Globalization;
using System.Text;
using System.Text.Json;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Models;

namespace PoetSharp.Search;

/// <summary>Errors of one set (training or validation) in physical units; null where the set has no such label.</summary>
public sealed record SetErrors(string Set, string Group, double? EnergyRmse, double? EnergyMae, double? ForceRmse, double? ForceMae, double? StressRmse);

/// <summary>One model of the reported front.</summary>
/// <param name="ValidationFitness">The fitness the search scored the model by: on a sample of the validation set spread over its groups (<see cref="SearchProblem.ValidationPairs"/>).</param>
/// <param name="FullValidationFitness">The same fitness (no short-range penalty) on every validation structure, or on every training structure when
/// there is no validation set; null where it is not finite (JSON has no infinity), and in files written before it was computed.</param>
public sealed record FrontEntry(
    int Rank, string Expression, string Simplified, int Complexity, double CostPerPair,
    double TrainingFitness, double ValidationFitness, bool ShortRangePassed, string ShortRangeDetail,
    IReadOnlyList<SetErrors> Errors, IReadOnlyList<SetErrors> Groups, string ModelFile,
    Properties.SanityReport? Sanity = null, double? TargetFitness = null, double? FullValidationFitness = null)
{
    public SetErrors? Training => Errors.FirstOrDefault(e => e.Set == "training");
    public SetErrors? Validation => Errors.FirstOrDefault(e => e.Set == "validation");
}

/// <summary>The front file: the run's facts and the front.</summary>
/// <param name="Recommended">The rank of the recommended model (<see cref="Recommendation"/>); null in files written before there was one.</param>
/// <param name="RecommendationReason">Why that model, in words.</param>
public sealed record FrontFile(string Data, int Generations, long Evaluations, long Candidates, double ElapsedSeconds,
    IReadOnlyList<FrontEntry> Front, IReadOnlyList<HistoryPoint> History, int? Recommended = null, string? RecommendationReason = null);

/// <summary>
/// Everything a run leaves in its folder: front.json, front.md (the table, with errors per group), one model file per
/// front model (models/model-NN.json), the front and history plots (PNG and SVG) and summary.md.
/// Front models' constants are polished first (<see cref="SearchProblem.PolishFinal"/>),
/// and every figure is computed on the full training and validation sets.
/// </summary>
public static class RunOutputs
{
    public const string FrontJson = "front.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <param name="progress">Told what the end stage is doing (it can take many minutes on a large front with targets), one line at a time.</param>
    public static FrontFile Write(string folder, SearchEngine engine, SearchProblem problem, string dataDescription, IEnumerable<string>? summaryNotes = null,
        Action<string>? progress = null)
    {
        var gate = new object();
        void Tell(string line)
        {
            if (progress is null) return;
            lock (gate) progress(line);
        }
        Directory.CreateDirectory(Path.Combine(folder, "models"));
        var entries = new List<FrontEntry>();
        // Each model's constants polished on the data first (front order kept), so that algebraic rewrites of
        // one function, found with slightly different constants, agree and are reported once, in their simplest form.
        var searched = engine.Front;
        var polished = new Candidate[searched.Count];
        // As many workers as the run was given (--threads): a run sharing its machine, or a cluster process beside others
        // on one node, must not take every core at the end.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = engine.Settings.Threads };
        Tell($"polishing the constants of the {searched.Count} front models");
        Parallel.For(0, searched.Count, parallel, k => polished[k] = searched[k] with { Expression = Refit(searched[k].Expression, problem, engine.Settings) });
        var members = FrontCollapse.Distinct(polished, problem);
        var finished = new (Expression Model, Properties.SanityReport? Sanity, double? Target)[members.Count];
        if (problem.Physics is { } physics)
            Tell($"{members.Count} distinct models; " + (physics.Targets is null ? "checking their physics" : "refitting each on data and targets, then checking its physics"));
        var done = 0;
        // Largest models first, one at a time to each worker: a joint refit costs about (constants + 1) property suites per
        // step, and the front's most complex model, left for last, kept one core busy for minutes while the other idled.
        var order = Enumerable.Range(0, members.Count).OrderByDescending(k => members[k].Expression.ConstantCount)
            .ThenByDescending(k => members[k].Expression.Complexity).ToArray();
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(order, loadBalance: true), parallel, k =>
        {
            finished[k] = Finish(members[k].Expression, problem, engine.Settings);
            var count = Interlocked.Increment(ref done);
            if (problem.Physics is not null) Tell($"front model {count} of {members.Count} finished");
        });
        RefitContenders(finished, problem, engine.Settings, parallel, Tell);
        Tell("writing the error report and model files");
        // Candidates were scored on a sample of the validation set (at most twice the fitting structures). A front model is
        // judged, and recommended, on all of it: on NbMoTaW a model whose sampled fitness was the best (0.176) had
        // 2,289 meV/atom on the whole validation set, failing on W structures the sample did not hold.
        var whole = new PairTable((problem.Validation ?? problem.Training).Structures, problem.Taper);
        var rank = 0;
        foreach (var c in members)
        {
            var (model, sanity, target) = finished[rank];
            rank++;
            var shortRange = engine.Settings.ShortRange == ShortRangePolicy.Off ? new ShortRangeResult(true, "not checked") : problem.ShortRange.Check(model, problem.Elements);
            var report = FitReport.Create(model, problem.Taper, model.Constants, problem.Training, problem.Validation, engine.Settings.Threads);
            var errors = new List<SetErrors> { Of("training", "", report.Training.Overall) };
            if (report.Validation is { } v) errors.Add(Of("validation", "", v.Overall));
            var groups = report.Training.Groups.Select(g => Of("training", g.Name, g)).ToList();
            if (report.Validation is { } vg) groups.AddRange(vg.Groups.Select(g => Of("validation", g.Name, g)));
            var file = Path.Combine("models", $"model-{rank:D2}.json");
            var figures = new Dictionary<string, double>();
            foreach (var e in errors)
            {
                if (e.EnergyRmse is { } er) figures[$"{e.Set}_energy_rmse_meV_per_atom"] = er;
                if (e.ForceRmse is { } fr) figures[$"{e.Set}_force_rmse_eV_per_A"] = fr;
            }
            ModelFile.Write(Path.Combine(folder, file), new Model($"front model {rank}", model, problem.Taper.Outer, problem.Taper, Species(problem.Training))
            {
                Provenance = $"PoetSharp search (seed {engine.Settings.Seed}, generation {c.Generation}) on {dataDescription}, {DateTime.UtcNow:yyyy-MM-dd}",
                Errors = figures,
            });
            entries.Add(new FrontEntry(rank, model.ToString(), Simplifier.Simplify(model).ToString(), model.Complexity, CostModel.PerPair(model),
                c.TrainingFitness, c.ValidationFitness, shortRange.Passed, shortRange.Detail, errors, groups, file, sanity, target,
                FullFitness(model, whole, problem, engine.Settings)));
        }
        var front = Recommendation.Apply(new FrontFile(dataDescription, engine.Generation, engine.Evaluations, engine.CandidatesEvaluated, engine.Elapsed.TotalSeconds, entries, engine.History));
        WriteFront(folder, front);
        FrontPlot(front, Path.Combine(folder, "front"));
        HistoryPlot(front, Path.Combine(folder, "history"));
        File.WriteAllText(Path.Combine(folder, "summary.md"), Summary(front, engine.Settings, [.. RunNotes(engine, problem), .. summaryNotes ?? []]));
        return front;
    }

    /// <summary>Writes front.json and front.md (again, e.g. with a new recommendation).</summary>
    public static void WriteFront(string folder, FrontFile front)
    {
        File.WriteAllText(Path.Combine(folder, FrontJson), JsonSerializer.Serialize(front, Json));
        File.WriteAllText(Path.Combine(folder, "front.md"), Table(front));
    }

    /// <summary>
    /// Rewrites the part of summary.md that comes from the front (from "## Front" on), keeping the run's facts above it;
    /// a folder without a summary gets one with only that part. <paramref name="lines"/> go after the front's table (e.g. which files hold the front's properties).
    /// </summary>
    public static void UpdateSummary(string folder, FrontFile front, IEnumerable<string>? lines = null)
    {
        var path = Path.Combine(folder, "summary.md");
        var old = File.Exists(path) ? File.ReadAllText(path) : "";
        var at = old.IndexOf(FrontHeading, StringComparison.Ordinal);
        var head = at >= 0 ? old[..at] : "# PoetSharp search" + Environment.NewLine + Environment.NewLine;
        File.WriteAllText(path, head + SummaryOfFront(front, lines ?? []));
    }

    public static FrontFile Read(string folder)
    {
        var path = Path.Combine(folder, FrontJson);
        if (!File.Exists(path)) throw new ArgumentException($"{folder}: no {FrontJson} (not a finished run folder)");
        try
        {
            return JsonSerializer.Deserialize<FrontFile>(File.ReadAllBytes(path), Json) ?? throw new DataFormatException(path, null, "empty front file");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (int?)e.LineNumber + 1, "not a valid front file: " + e.Message);
        }
    }

    private static Expression Refit(Expression e, SearchProblem problem, SearchSettings settings) => problem.PolishFinal(e, settings);

    /// <summary>
    /// A front model's final constants and physics (after its polish on the data): refitted on data and targets together
    /// (<see cref="JointRefit"/>) when the run has targets; then its sanity checks and target term at those constants.
    /// </summary>
    private static (Expression Model, Properties.SanityReport? Sanity, double? Target) Finish(Expression model, SearchProblem problem, SearchSettings settings, int? evaluations = null)
    {
        if (problem.Physics is not { } physics) return (model, null, null);
        if (physics.Targets is { } targets) model = JointRefit.Run(model, problem, settings, targets, evaluations ?? settings.TargetRefitEvaluations);
        var potential = new Potentials.ModelPotential(new CompiledModel(model, problem.Taper), [physics.Element]);
        var sanity = physics.Sanity(potential, settings);
        return (model, sanity.Checks.Count > 0 ? sanity : null, physics.Targets?.Evaluate(potential).Fitness);
    }

    /// <summary>
    /// The contenders for the recommendation, the <see cref="SearchSettings.ContenderRefitModels"/> models that pass the
    /// sanity checks with the lowest joint cost (data fitness on the final polish's structures + target term, the cost
    /// the joint refit lowers), get the joint refit run on from where the short one stopped, up to
    /// <see cref="SearchSettings.ContenderRefitEvaluations"/> iterations; their physics is checked again at the new constants.
    /// </summary>
    private static void RefitContenders((Expression Model, Properties.SanityReport? Sanity, double? Target)[] finished, SearchProblem problem, SearchSettings settings,
        ParallelOptions parallel, Action<string> tell)
    {
        if (problem.Physics?.Targets is null || settings.ContenderRefitModels == 0 || settings.ContenderRefitEvaluations <= settings.TargetRefitEvaluations) return;
        var pairs = problem.FinalFitPairs(settings);
        var joint = finished.Select(f => f.Target is { } t && FullFitness(f.Model, pairs, problem, settings) is { } data ? data + t : double.PositiveInfinity).ToArray();
        var contenders = Enumerable.Range(0, finished.Length).Where(k => finished[k].Sanity is not { Passed: false } && double.IsFinite(joint[k]))
            .OrderBy(k => joint[k]).Take(settings.ContenderRefitModels).ToArray();
        if (contenders.Length == 0) return;
        tell($"refitting the {contenders.Length} contenders for the recommendation on data and targets (up to {settings.ContenderRefitEvaluations} iterations each)");
        Parallel.ForEach(contenders, parallel, k => finished[k] = Finish(finished[k].Model, problem, settings, settings.ContenderRefitEvaluations));
    }

    private static string[] Species(Dataset data) => data.Structures.SelectMany(s => s.Species).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The search's fitness of a model on the structures of <paramref name="pairs"/>, on the training set's scales; null where not finite.</summary>
    internal static double? FullFitness(Expression model, PairTable pairs, SearchProblem problem, SearchSettings settings)
    {
        var objective = new FittingObjective(new ModelEvaluator(new CompiledModel(model, problem.Taper), pairs), settings.Weights, problem.Scales);
        var cost = objective.Cost(model.Constants);
        return double.IsFinite(cost) ? cost : null;
    }

    private static SetErrors Of(string set, string group, ErrorSummary s) =>
        new(set, group, s.Energy?.Rmse, s.Energy?.Mae, s.Forces?.Rmse, s.Forces?.Mae, s.Stress?.Rmse);

    private static string F(double? x, string format) => x is { } v ? v.ToString(format, Inv) : "–";

    /// <summary>The front as a Markdown table, then the errors of every group.</summary>
    /// <summary>"ok", "–" (not checked) or the failed checks' details.</summary>
    public static string SanityCell(Properties.SanityReport? sanity) => sanity is null ? "–" : sanity.Passed ? "ok" : "fails: " + sanity.Summary;

    public static string Table(FrontFile front)
    {
        var b = new StringBuilder();
        b.AppendLine("| # | complexity | cost (ns/pair) | train E (meV/atom) | train F (eV/Å) | valid. E (meV/atom) | valid. F (eV/Å) | fitness (valid. sample) | fitness (all valid.) | targets term | short range | sanity | simplified | expression |");
        b.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|");
        foreach (var e in front.Front)
            b.AppendLine($"| {e.Rank}{(e.Rank == front.Recommended ? " ★" : "")} | {e.Complexity} | {e.CostPerPair.ToString("F1", Inv)} | {F(e.Training?.EnergyRmse, "G4")} | {F(e.Training?.ForceRmse, "G3")} | " +
                         $"{F(e.Validation?.EnergyRmse, "G4")} | {F(e.Validation?.ForceRmse, "G3")} | {e.ValidationFitness.ToString("G3", Inv)} | {(e.FullValidationFitness is { } full ? full.ToString("G3", Inv) : front.Front.Any(x => x.FullValidationFitness is not null) ? "not finite" : "–")} | {F(e.TargetFitness, "G3")} | " +
                         $"{(e.ShortRangePassed ? "ok" : "fails")} | {SanityCell(e.Sanity)} | `{e.Simplified}` | `{e.Expression}` |");
        if (front.Recommended is not null) b.AppendLine().AppendLine($"★ recommended: {front.RecommendationReason}");
        b.AppendLine();
        b.AppendLine("Errors per group (RMSE; energies after the set's best constant shift):");
        b.AppendLine();
        b.AppendLine("| # | set | group | E (meV/atom) | F (eV/Å) |");
        b.AppendLine("|---|---|---|---:|---:|");
        foreach (var e in front.Front)
            foreach (var g in e.Groups)
                b.AppendLine($"| {e.Rank} | {g.Set} | {(g.Group.Length > 0 ? g.Group : "(no group)")} | {F(g.EnergyRmse, "F3")} | {F(g.ForceRmse, "F4")} |");
        return b.ToString();
    }

    /// <summary>Where the islands evolved, and why candidates had no score (most frequent reasons first).</summary>
    private static string CountOf(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    internal static IEnumerable<string> RunNotes(SearchEngine engine, SearchProblem problem)
    {
        yield return $"islands evolved on {engine.ExecutorDescription}";
        var limits = engine.Settings.Limits ?? TreeLimits.ForElements(problem.Elements.Count);
        yield return $"size limits: {limits.MaxNodes} nodes and depth {limits.MaxDepth} per {(problem.Elements.Count > 1 ? "element's expression" : "model")}" +
                     (engine.Settings.Limits is null ? $" (the default for {CountOf(problem.Elements.Count, "element")})" : "");
        if (engine.Settings.SymmetricPairs && problem.Elements.Count > 1)
            yield return "pair functions shared between element pairs (φ_AB = φ_BA): each A–B pair term has its mirror in B's expression, constants tied in every fit";
        yield return $"constant fits: {engine.Settings.Optimizer}, {engine.Settings.ConstantEvaluations} evaluations per candidate, " +
                     (engine.Settings.SolveAmplitudes ? "amplitudes solved exactly first" : "no amplitude solve (--no-amplitude-solve)");
        if (engine.Settings.RepulsionWeight > 0 && problem.RepulsionOf(engine.Settings) is { } rows)
            yield return $"dimer-repulsion rows in every constant fit: {CountOf(rows.RowCount, "row")} (every element pair, dimers {problem.ShortRange.Step.ToString("F2", Inv)} Å apart down to " +
                         $"{problem.ShortRange.MinDistance.ToString("F1", Inv)} Å), weight {engine.Settings.RepulsionWeight.ToString("G4", Inv)}; reported fitness is the data's alone";
        var fit = problem.FitPairs.Structures;
        var groups = fit.Select(s => s.Group).Distinct().Count();
        if (groups > 1)
            yield return $"constants fitted on {CountOf(fit.Count, "structure")} from {CountOf(groups, "group")} of the training data (every group represented)";
        if (engine.Settings.FinalRefitEvaluations > 0)
            yield return $"front models polished at the end: {engine.Settings.FinalRefitEvaluations} evaluations on {CountOf(problem.FinalFitPairs(engine.Settings).Structures.Count, "training structure")}";
        if (problem.Physics?.Targets is not null && engine.Settings.TargetRefitEvaluations > 0)
            yield return $"then refitted on data and targets together: {engine.Settings.TargetRefitEvaluations} iterations each" +
                         (engine.Settings.ContenderRefitModels > 0 && engine.Settings.ContenderRefitEvaluations > engine.Settings.TargetRefitEvaluations
                             ? $", up to {engine.Settings.ContenderRefitEvaluations} for the {engine.Settings.ContenderRefitModels} sane models of lowest joint cost (the recommendation's contenders)" : "");
        if (engine.RunRate.Seconds > 0)
            yield return $"search rate: {engine.RunRate.Candidates:N0} candidates in {engine.RunRate.Seconds.ToString("F1", Inv)} s, " +
                         $"{(engine.RunRate.Candidates / engine.RunRate.Seconds).ToString("F1", Inv)} candidates/s (first population excluded)";
        var settings = engine.Settings;
        if (Enum.GetValues<Operator>().Any(op => settings.MutationWeights.GetValueOrDefault(op) != SearchSettings.DefaultMutationWeights.GetValueOrDefault(op)))
            yield return "mutation weights: " + string.Join(", ", SearchSettings.MutationNames.Select(n => $"{n.Key} {settings.MutationWeights.GetValueOrDefault(n.Value).ToString("G4", Inv)}"));
        if (settings.Priors != GrammarPriors.Default)
            yield return $"grammar priors: embedded-atom shape {settings.Priors.EmbeddedAtomShare.ToString("G4", Inv)}, sums over every neighbour {settings.Priors.AnyNeighbourShare.ToString("G4", Inv)}, " +
                         $"function nodes {settings.Priors.UnaryShare.ToString("G4", Inv)}, r^(a − b·r) pair terms {settings.Priors.PowerDecayShare.ToString("G4", Inv)}, inverse embeddings {settings.Priors.InverseEmbeddingShare.ToString("G4", Inv)}";
        var reasons = engine.InvalidReasons;
        if (reasons.Count > 0)
            yield return $"{engine.Invalid:N0} candidates without a score: " + string.Join("; ", reasons.Select(r => $"{r.Count:N0} {r.Reason}"));
    }

    private static string Summary(FrontFile front, SearchSettings settings, IEnumerable<string> notes)
    {
        var b = new StringBuilder();
        b.AppendLine("# PoetSharp search");
        b.AppendLine();
        b.AppendLine($"- data: {front.Data}");
        b.AppendLine($"- seed {settings.Seed}, {settings.Islands} islands × {settings.PopulationSize} models, {settings.OffspringPerGeneration} offspring per generation, " +
                     $"constants by {settings.Optimizer} ({settings.ConstantEvaluations} evaluations on ≤ {settings.MaxFitStructures} structures), short-range check: {settings.ShortRange}, " +
                     $"sanity checks: {settings.Sanity}" + (settings.TargetsPath is { } tp ? $", targets {tp} ({settings.TargetMode}, weight {settings.TargetWeight.ToString("G3", Inv)})" : ""));
        b.AppendLine($"- {front.Candidates / Math.Max(front.ElapsedSeconds, 1e-3):F1} candidates/s");
        var rate = front.Evaluations / Math.Max(front.ElapsedSeconds, 1e-3);
        b.AppendLine($"- {front.Generations} generations, {front.Candidates:N0} candidates fitted, {front.Evaluations:N0} objective evaluations in " +
                     $"{front.ElapsedSeconds.ToString("F0", Inv)} s ({rate.ToString("F0", Inv)} evaluations/s)");
        foreach (var n in notes) b.AppendLine($"- {n}");
        b.AppendLine();
        b.Append(SummaryOfFront(front, []));
        return b.ToString();
    }

    private const string FrontHeading = "## Front";

    /// <summary>
    /// What angular densities buy on this front: how many models hold them, of which orders, and the best validation
    /// fitness with and without them; null when no front model has one.
    /// </summary>
    internal static string? AngularNote(IReadOnlyList<FrontEntry> front)
    {
        var parsed = front.Select(e => (Entry: e, Model: Models.ExpressionParser.ParseModel(e.Expression))).ToList();
        var angular = parsed.Where(p => p.Model.HasAngular).ToList();
        if (angular.Count == 0) return null;
        var orders = angular.SelectMany(p => p.Model.Nodes.ToArray()).Where(n => Models.Nodes.IsAngular(n.Kind))
            .Select(n => Models.Nodes.AngularOrder(n.Kind)).Distinct().Order();
        static string Best(IEnumerable<FrontEntry> entries) => entries.MinBy(e => e.ValidationFitness) is { } e
            ? $"{e.ValidationFitness.ToString("G3", Inv)} (model {e.Rank}, {e.Complexity} nodes, {e.CostPerPair.ToString("F1", Inv)} ns/pair)"
            : "none";
        return $"Angular densities: {angular.Count} of {front.Count} front models hold them (orders {string.Join(", ", orders)}); " +
               $"best validation fitness with them {Best(angular.Select(p => p.Entry))}, without {Best(parsed.Where(p => !p.Model.HasAngular).Select(p => p.Entry))}.";
    }

    /// <summary>The part of summary.md that depends only on the front (so that <see cref="UpdateSummary"/> can redo it).</summary>
    private static string SummaryOfFront(FrontFile front, IEnumerable<string> lines)
    {
        var b = new StringBuilder();
        b.AppendLine(FrontHeading);
        b.AppendLine();
        b.Append(Table(front));
        b.AppendLine();
        if (AngularNote(front.Front) is { } angular) { b.AppendLine(angular); b.AppendLine(); }
        b.AppendLine("Plots: front.png/.svg (validation fitness against complexity, coloured by cost), history.png/.svg (best validation fitness per generation).");
        foreach (var line in lines) b.AppendLine().AppendLine(line);
        return b.ToString();
    }

    private static void FrontPlot(FrontFile front, string pathWithoutExtension)
    {
        var plot = new ScottPlot.Plot();
        if (front.Front.Count > 0)
        {
            double low = front.Front.Min(e => e.CostPerPair), high = front.Front.Max(e => e.CostPerPair);
            var colormap = new ScottPlot.Colormaps.Viridis();
            foreach (var e in front.Front)
            {
                var marker = plot.Add.Marker(e.Complexity, Math.Log10(Math.Max(e.ValidationFitness, 1e-30)));
                marker.Color = colormap.GetColor(high > low ? (e.CostPerPair - low) / (high - low) : 0.5);
                marker.Size = 10;
            }
            plot.Title($"front: colour = cost, {low.ToString("F1", Inv)} (dark) to {high.ToString("F1", Inv)} ns/pair (light)");
        }
        plot.XLabel("complexity (nodes)");
        plot.YLabel("log10 validation fitness");
        plot.SavePng(pathWithoutExtension + ".png", 700, 500);
        plot.SaveSvg(pathWithoutExtension + ".svg", 700, 500);
    }

    private static void HistoryPlot(FrontFile front, string pathWithoutExtension)
    {
        var plot = new ScottPlot.Plot();
        var points = front.History.Where(h => h.BestValidationFitness > 0 && double.IsFinite(h.BestValidationFitness)).ToArray();
        if (points.Length > 0)
            plot.Add.Scatter(points.Select(h => (double)h.Generation).ToArray(), points.Select(h => Math.Log10(h.BestValidationFitness)).ToArray());
        plot.Title("best validation fitness on the front");
        plot.XLabel("generation");
        plot.YLabel("log10 validation fitness");
        plot.SavePng(pathWithoutExtension + ".png", 700, 500);
        plot.SaveSvg(pathWithoutExtension + ".svg", 700, 500);
    }
}
