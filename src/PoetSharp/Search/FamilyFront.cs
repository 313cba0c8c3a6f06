using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Mtp;
using PoetSharp.Potentials;

namespace PoetSharp.Search;

/// <summary>A model offered to <see cref="FamilyFront"/>: the model, a short label for the chart, a one-line description and its model file (relative to the run folder) if any.</summary>
public sealed record FamilyCandidate(IParametricModel Model, string Label, string Summary, string? ModelFile = null);

/// <summary>
/// One model of either family with its complexity (number of fitted parameters), errors (RMSE; energies in meV/atom after the
/// set's best shift, as <see cref="PotentialErrors"/> computes it, forces in eV/Å; null where the set has no such label or no
/// validation set exists), measured cost (µs per atom-step, one thread) and whether it is on the joint front.
/// </summary>
public sealed record FamilyMember(
    string Family, string Label, string Name, string Summary, int Parameters, string? ModelFile,
    double? TrainingEnergyRmse, double? TrainingForceRmse, double? ValidationEnergyRmse, double? ValidationForceRmse,
    double MicrosecondsPerAtomStep, int TimedCalls, bool OnFront)
{
    /// <summary>The energy error the front uses: validation when there is a validation set, else training.</summary>
    public double? EnergyRmse => ValidationEnergyRmse ?? TrainingEnergyRmse;
    public double? ForceRmse => ValidationForceRmse ?? TrainingForceRmse;
}

/// <summary>families.json: how the comparison was made and every model.</summary>
/// <param name="ErrorSet">"validation" or "training": the set whose errors are objectives.</param>
/// <param name="Objectives">The minimised objectives, in words.</param>
/// <param name="CostCell">The cell every model was timed on.</param>
public sealed record FamilyFrontFile(
    string ErrorSet, string EnergyConvention, IReadOnlyList<string> Objectives, string CostCell, int CostAtoms,
    double NeighbourListCutoff, IReadOnlyList<FamilyMember> Models);

/// <summary>How <see cref="FamilyFront"/> times the models.</summary>
public sealed record FamilyFrontOptions
{
    /// <summary>The timing cell is the largest periodic training structure repeated until it has at least this many atoms.</summary>
    public int CostAtoms { get; init; } = 500;
    /// <summary>Untimed calls before the timing.</summary>
    public int WarmupCalls { get; init; } = 3;
    /// <summary>Timed calls per model: as many as fit in <see cref="TimingSeconds"/>, within [<see cref="MinTimedCalls"/>, <see cref="MaxTimedCalls"/>].</summary>
    public double TimingSeconds { get; init; } = 0.3;
    public int MinTimedCalls { get; init; } = 5;
    public int MaxTimedCalls { get; init; } = 200;
    /// <summary>Added to the largest model cutoff for the one neighbour list every model is timed with (Å).</summary>
    public double Skin { get; init; } = 1.0;
    /// <summary>Cores used for the error predictions (−1: all); timing is always on one thread.</summary>
    public int MaxParallelism { get; init; } = -1;
}

/// <summary>
/// One Pareto front across model families (closed forms and moment tensor potentials). Every model is evaluated the same
/// way: errors through <see cref="PotentialErrors"/> on the validation set (the training set when there is none), energies
/// after the set's best constant shift (one reference energy per element with several elements) for both families; cost
/// measured, not modelled: the median wall time of <see cref="IPotential.Compute"/> on one thread on one common cell with a
/// half neighbour list built once (largest cutoff + 1 Å, not timed), per atom. A model is on the front when no other model
/// is at least as good in force RMSE, energy RMSE and cost and better in one (an objective no model has is left out).
/// The number of parameters is reported as the complexity; it is not an objective (the measured cost already grows with it).
/// </summary>
public static class FamilyFront
{
    public const string JsonFile = "families.json";
    public const string MarkdownFile = "families.md";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public const string EnergyConvention = "energy RMSE per atom after the set's best constant shift (per-element reference energies with several elements), the same for both families";

    public static FamilyFrontFile Compute(IReadOnlyList<FamilyCandidate> candidates, Dataset training, Dataset? validation, FamilyFrontOptions? options = null, Structure? costCell = null)
    {
        options ??= new FamilyFrontOptions();
        if (candidates.Count == 0) throw new ArgumentException("no models to compare");
        var cell = costCell ?? CostCell(training.Structures, options.CostAtoms);
        var listCutoff = candidates.Max(c => c.Model.Cutoff) + options.Skin;
        var list = NeighbourList.Create(cell, listCutoff, half: true);
        var hasValidation = validation is { Count: > 0 };

        var rows = new List<(FamilyCandidate C, double? TE, double? TF, double? VE, double? VF, double Cost, int Calls)>();
        foreach (var c in candidates)
        {
            var potential = c.Model.CreatePotential();
            var train = PotentialErrors.FromPredictions(potential.Name, PotentialErrors.Predict(potential, training.Structures, options.MaxParallelism));
            var valid = hasValidation ? PotentialErrors.FromPredictions(potential.Name, PotentialErrors.Predict(potential, validation!.Structures, options.MaxParallelism)) : null;
            var (cost, calls) = MeasureCost(SingleThreaded(c.Model), cell, list, options);
            rows.Add((c, train.Overall.Energy?.Rmse, train.Overall.Forces?.Rmse, valid?.Overall.Energy?.Rmse, valid?.Overall.Forces?.Rmse, cost, calls));
        }

        var members = rows.Select(r => new FamilyMember(r.C.Model.Family, r.C.Label, r.C.Model.Name, r.C.Summary, r.C.Model.ParameterCount, r.C.ModelFile,
            r.TE, r.TF, r.VE, r.VF, r.Cost, r.Calls, false)).ToList();
        var objectives = new List<string>();
        var vectors = members.Select(_ => new List<double>()).ToList();
        void Objective(string name, Func<FamilyMember, double?> value)
        {
            if (members.All(m => value(m) is null)) return;
            objectives.Add(name);
            for (var i = 0; i < members.Count; i++)
                vectors[i].Add(value(members[i]) is { } v && double.IsFinite(v) ? v : double.PositiveInfinity);
        }
        var set = hasValidation ? "validation" : "training";
        Objective($"{set} force RMSE (eV/Å)", m => m.ForceRmse);
        Objective($"{set} energy RMSE (meV/atom)", m => m.EnergyRmse);
        Objective("measured cost (µs/atom-step)", m => m.MicrosecondsPerAtomStep);
        var front = NonDominated(vectors.Select(v => v.ToArray()).ToList());
        members = members.Select((m, i) => m with { OnFront = front[i] }).OrderBy(m => m.MicrosecondsPerAtomStep).ToList();
        return new FamilyFrontFile(set, EnergyConvention, objectives, $"{Describe(cell)}", cell.Count, listCutoff, members);
    }

    /// <summary>The potential of a model evaluated on the calling thread only (an MTP's evaluator otherwise uses every core).</summary>
    public static IPotential SingleThreaded(IParametricModel model) => model is MtpModel mtp ? new MtpPotential(mtp, threads: 1) : model.CreatePotential();

    /// <summary>Median wall time of one <see cref="IPotential.Compute"/> per atom (µs) after warm-up calls, and the number of timed calls.</summary>
    public static (double MicrosecondsPerAtomStep, int Calls) MeasureCost(IPotential potential, Structure cell, NeighbourList halfList, FamilyFrontOptions? options = null)
    {
        options ??= new FamilyFrontOptions();
        var result = new PotentialResult();
        for (var k = 0; k < options.WarmupCalls; k++) potential.Compute(cell, halfList, result);
        var clock = Stopwatch.StartNew();
        potential.Compute(cell, halfList, result);
        var once = clock.Elapsed.TotalSeconds;
        var calls = (int)Math.Clamp(Math.Ceiling(options.TimingSeconds / Math.Max(once, 1e-9)), options.MinTimedCalls, options.MaxTimedCalls);
        var times = new double[calls];
        for (var k = 0; k < calls; k++)
        {
            clock.Restart();
            potential.Compute(cell, halfList, result);
            times[k] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        var median = calls % 2 == 1 ? times[calls / 2] : 0.5 * (times[calls / 2 - 1] + times[calls / 2]);
        return (1e6 * median / cell.Count, calls);
    }

    /// <summary>
    /// The timing cell: the training structure with the most atoms among the fully periodic ones (else among all), its
    /// labels dropped, repeated along its periodic directions (always the one with the smallest repeated height) until it
    /// has at least <paramref name="atoms"/> atoms.
    /// </summary>
    public static Structure CostCell(IReadOnlyList<Structure> structures, int atoms = 500)
    {
        if (structures.Count == 0) throw new ArgumentException("no structures to build the timing cell from");
        var periodic = structures.Where(s => s.Cell.FullyPeriodic).ToList();
        var source = (periodic.Count > 0 ? periodic : structures).MaxBy(s => s.Count)!;
        var repeats = new[] { 1, 1, 1 };
        var heights = source.Cell.Heights();
        var h = new[] { heights.X, heights.Y, heights.Z };
        if (source.Cell.AnyPeriodic)
            while (source.Count * repeats[0] * repeats[1] * repeats[2] < atoms)
            {
                var axis = Enumerable.Range(0, 3).Where(source.Cell.IsPeriodic).MinBy(k => repeats[k] * h[k]);
                repeats[axis]++;
            }
        return Repeat(source, repeats[0], repeats[1], repeats[2]);
    }

    /// <summary>The structure repeated na × nb × nc times (without labels).</summary>
    public static Structure Repeat(Structure s, int na, int nb, int nc)
    {
        var cell = s.Cell;
        var positions = new List<Vec3>(s.Count * na * nb * nc);
        var species = new List<string>(positions.Capacity);
        for (var a = 0; a < na; a++)
            for (var b = 0; b < nb; b++)
                for (var c = 0; c < nc; c++)
                {
                    var shift = a * cell.A + b * cell.B + c * cell.C;
                    for (var i = 0; i < s.Count; i++)
                    {
                        positions.Add(s.Positions[i] + shift);
                        species.Add(s.Species[i]);
                    }
                }
        var repeated = new Cell(na * cell.A, nb * cell.B, nc * cell.C, cell.PeriodicA, cell.PeriodicB, cell.PeriodicC);
        var name = (s.Name.Length > 0 ? s.Name : "structure") + (na * nb * nc > 1 ? $" ×{na}×{nb}×{nc}" : "");
        return new Structure(repeated, positions.ToArray(), species.ToArray(), name, s.Group);
    }

    /// <summary>Marks the vectors (minimised in every component) that no other vector dominates.</summary>
    public static bool[] NonDominated(IReadOnlyList<double[]> objectives)
    {
        var n = objectives.Count;
        var result = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var dominated = false;
            for (var j = 0; j < n && !dominated; j++)
            {
                if (j == i) continue;
                bool noWorse = true, better = false;
                for (var k = 0; k < objectives[i].Length; k++)
                {
                    if (objectives[j][k] > objectives[i][k]) { noWorse = false; break; }
                    if (objectives[j][k] < objectives[i][k]) better = true;
                }
                dominated = noWorse && better;
            }
            result[i] = !dominated;
        }
        return result;
    }

    private static string Describe(Structure s)
    {
        var composition = string.Join(" ", s.Species.GroupBy(x => x).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}{g.Count()}"));
        return $"{s.Name} ({s.Count} atoms: {composition})";
    }

    /// <summary>Writes families.json, families.md and families.png/.svg into the folder.</summary>
    public static void Write(string folder, FamilyFrontFile file)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, JsonFile), JsonSerializer.Serialize(file, Json));
        File.WriteAllText(Path.Combine(folder, MarkdownFile), Table(file));
        Plot(file, Path.Combine(folder, "families"));
    }

    /// <summary>
    /// The moment tensor potentials of the folder's families.json (those <c>poet fit --mtp-levels</c> trained on the run's
    /// data), fewest parameters first; none when the folder has no families.json.
    /// </summary>
    public static IReadOnlyList<IPotential> TrainedReferences(string folder)
    {
        if (Read(folder) is not { } file) return [];
        return file.Models.Where(m => m.Family == "mtp" && m.ModelFile is not null).OrderBy(m => m.Parameters)
            .Select(m => ModelFile.ReadAny(Path.Combine(folder, m.ModelFile!)).CreatePotential()).ToList();
    }

    /// <summary>The folder's families.json, or null when it has none.</summary>
    public static FamilyFrontFile? Read(string folder)
    {
        var path = Path.Combine(folder, JsonFile);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<FamilyFrontFile>(File.ReadAllBytes(path), Json) ?? throw new DataFormatException(path, null, "empty families file");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (int?)e.LineNumber + 1, "not a valid families file: " + e.Message);
        }
    }

    private static string F(double? x, string format) => x is { } v ? v.ToString(format, Inv) : "–";

    /// <summary>The Markdown of families.md: the table (cheapest first), then how it was computed.</summary>
    public static string Table(FamilyFrontFile file)
    {
        var b = new StringBuilder();
        b.AppendLine("# One front across model families");
        b.AppendLine();
        b.AppendLine("| front | family | model | parameters | cost (µs/atom-step) | train E (meV/atom) | train F (eV/Å) | valid. E (meV/atom) | valid. F (eV/Å) | summary |");
        b.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var m in file.Models)
            b.AppendLine($"| {(m.OnFront ? "●" : "")} | {m.Family} | {m.Name} | {m.Parameters} | {m.MicrosecondsPerAtomStep.ToString("G3", Inv)} | {F(m.TrainingEnergyRmse, "G4")} | {F(m.TrainingForceRmse, "G3")} | " +
                         $"{F(m.ValidationEnergyRmse, "G4")} | {F(m.ValidationForceRmse, "G3")} | `{m.Summary.Replace("|", "\\|")}` |");
        b.AppendLine();
        b.AppendLine($"● on the front: no other model of either family is at least as good in every objective and better in one; objectives (minimised): {string.Join(", ", file.Objectives)}.");
        b.AppendLine($"Parameters (the complexity) are the fitted numbers of each model (a closed form's constants; an MTP's radial, species and moment coefficients); they are reported, not an objective.");
        b.AppendLine($"Errors: RMSE; {file.EnergyConvention}; forces per component.");
        b.AppendLine($"Cost: measured, the median wall time of one energy-and-forces evaluation on one thread per atom, on {file.CostCell}, " +
                     $"half neighbour list built once with cutoff {file.NeighbourListCutoff.ToString("G4", Inv)} Å (not timed), after warm-up calls.");
        b.AppendLine();
        b.AppendLine("Chart: families.png/.svg (error against measured cost).");
        return b.ToString();
    }

    /// <summary>The chart: force RMSE (energy RMSE when no model has forces) against measured cost, both logarithmic; circles closed forms, squares MTPs, front points filled.</summary>
    public static void Plot(FamilyFrontFile file, string pathWithoutExtension)
    {
        var plot = new ScottPlot.Plot();
        var useForces = file.Models.Any(m => m.ForceRmse is not null);
        double? Error(FamilyMember m) => useForces ? m.ForceRmse : m.EnergyRmse;
        var shown = file.Models.Where(m => Error(m) is { } e && e > 0 && double.IsFinite(e) && m.MicrosecondsPerAtomStep > 0).ToList();
        var colors = new Dictionary<string, ScottPlot.Color> { ["expression"] = ScottPlot.Colors.SteelBlue, ["mtp"] = ScottPlot.Colors.DarkOrange };
        foreach (var family in shown.Select(m => m.Family).Distinct())
        {
            var color = colors.TryGetValue(family, out var c) ? c : ScottPlot.Colors.Gray;
            var familyName = family == "expression" ? "closed form" : family == "mtp" ? "MTP" : family;
            foreach (var onFront in new[] { true, false })
            {
                var points = shown.Where(m => m.Family == family && m.OnFront == onFront).ToList();
                if (points.Count == 0) continue;
                var shape = family == "mtp" ? (onFront ? ScottPlot.MarkerShape.FilledSquare : ScottPlot.MarkerShape.OpenSquare)
                                            : (onFront ? ScottPlot.MarkerShape.FilledCircle : ScottPlot.MarkerShape.OpenCircle);
                var markers = plot.Add.Markers(points.Select(m => Math.Log10(m.MicrosecondsPerAtomStep)).ToArray(),
                    points.Select(m => Math.Log10(Error(m)!.Value)).ToArray(), shape, onFront ? 12 : 9, color);
                markers.LegendText = $"{familyName}{(onFront ? ", on the front" : ", dominated")}";
            }
        }
        foreach (var m in shown)
        {
            var label = plot.Add.Text(m.Label, Math.Log10(m.MicrosecondsPerAtomStep), Math.Log10(Error(m)!.Value));
            label.LabelFontSize = 10;
            label.OffsetX = 7;
            label.OffsetY = -7;
        }
        ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = v => Math.Pow(10, v).ToString("G3", Inv),
        };
        plot.Axes.Bottom.TickGenerator = LogTicks();
        plot.Axes.Left.TickGenerator = LogTicks();
        if (shown.Count > 0)
        {
            var xs = shown.Select(m => Math.Log10(m.MicrosecondsPerAtomStep)).ToList();
            var ys = shown.Select(m => Math.Log10(Error(m)!.Value)).ToList();
            plot.Axes.SetLimits(Math.Floor(xs.Min() - 0.05), Math.Ceiling(xs.Max() + 0.05), Math.Floor(ys.Min() - 0.05), Math.Ceiling(ys.Max() + 0.05));
        }
        plot.Title($"closed forms and MTPs: {file.ErrorSet} error against measured cost");
        plot.XLabel($"cost (µs/atom-step, one thread, {file.CostAtoms} atoms; logarithmic)");
        plot.YLabel(useForces ? $"{file.ErrorSet} force RMSE (eV/Å; logarithmic)" : $"{file.ErrorSet} energy RMSE (meV/atom; logarithmic)");
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        plot.SavePng(pathWithoutExtension + ".png", 800, 600);
        plot.SaveSvg(pathWithoutExtension + ".svg", 800, 600);
    }

    /// <summary>
    /// Trains a moment tensor potential of one level on the structures, as poet fit-mtp does by default (min_dist the
    /// shortest distance in the data rounded down to 0.01 Å, 8 Chebyshev polynomials, MLIP's loss weights, the trainer's
    /// suggested scaling), until the time limit or <paramref name="maxIterations"/> L-BFGS iterations.
    /// </summary>
    public static MtpModel TrainMtp(IReadOnlyList<Structure> structures, string[] elements, double cutoff, int level, TimeSpan timeLimit, int threads = -1,
        int seed = 1, int maxIterations = 100_000, Action<MtpFitProgress>? progress = null)
    {
        var trainer = new MtpTrainer(structures, elements, cutoff, new MtpLossWeights(), 1e-10, threads);
        var lower = trainer.DefaultMinDistance();
        var start = MtpModel.Untrained(level, elements, lower, cutoff, 8, seed, trainer.SuggestedScaling(cutoff));
        return trainer.Fit(start, maxIterations, progress, timeLimit: timeLimit).WithName($"MTP level {level}");
    }
}
