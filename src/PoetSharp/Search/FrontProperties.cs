using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PoetSharp.Atoms;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Properties;

namespace PoetSharp.Search;

/// <summary>Settings of <see cref="FrontProperties.Write"/>.</summary>
public sealed record FrontPropertiesOptions
{
    /// <summary>
    /// The property groups (names from <see cref="PropertySuite.Groups"/>); null or empty: all. The whole suite takes about
    /// 1.3 s per model on one core (GP1; the stacking-fault curve, which the report does not draw, is cut to its end points),
    /// so nothing is left out by default; see docs/front.md.
    /// </summary>
    public IReadOnlyCollection<string>? Only { get; init; }
    /// <summary>The target properties the errors and the property score are taken against; null: values only, no errors, no charts.</summary>
    public TargetProperties? Targets { get; init; }
    /// <summary>Potentials to compute beside the front models (e.g. an EAM file from <see cref="PotentialFactory.Create"/>).</summary>
    public IReadOnlyList<IPotential> Compare { get; init; } = [];
    /// <summary>
    /// Models trained on the run's own data with far more freedom than a closed form (the MTPs of <c>--mtp-levels</c>):
    /// computed beside the front like <see cref="Compare"/>, and, with targets, the last of them is the reference of the
    /// recommended model's <see cref="TargetAttribution"/> (which of its target misses the data allow).
    /// </summary>
    public IReadOnlyList<IPotential> DataReferences { get; init; } = [];
    /// <summary>The element of the crystals; null: the first front model's first species, else Cu.</summary>
    public string? Element { get; init; }
    /// <summary>Cores to use; null: all.</summary>
    public int? MaxParallelism { get; init; }
    /// <summary>Called (serialised) with a line as each potential's suite finishes.</summary>
    public Action<string>? Progress { get; init; }
    /// <summary>The recommendation rule's parameters; null: the defaults.</summary>
    public RecommendationRule? Rule { get; init; }
}

/// <summary>
/// The error of a potential on one chart group's target properties: the mean absolute relative error (%) or, for a group
/// of energy differences (bcc−fcc, hcp−fcc), the mean absolute error in meV/atom. Null when a target property of the group
/// could not be computed (<paramref name="Missing"/> names it).
/// </summary>
public sealed record PropertyGroupError(string Group, double? Value, string Unit, IReadOnlyList<string> Properties, string? Missing);

/// <summary>The properties of one potential of the report: a front model (<paramref name="Entry"/> set) or a comparison potential.</summary>
public sealed record PotentialProperties(string Label, FrontEntry? Entry, PropertySuiteResult Suite, IReadOnlyList<PropertyComparison> Rows,
    PropertyScoreResult? Score, IReadOnlyList<PropertyGroupError> GroupErrors)
{
    public PropertyGroupError? ErrorOf(string chartGroup) => GroupErrors.FirstOrDefault(g => g.Group == chartGroup);
}

/// <summary>What <see cref="FrontProperties.Write"/> computed and wrote.</summary>
/// <param name="Front">The front with its new recommendation, as written to front.json.</param>
/// <param name="ChartGroups">The groups that got a chart (those with a target property).</param>
/// <param name="Files">Every file written, with its path.</param>
public sealed record FrontPropertiesResult(string Folder, string Element, IReadOnlyList<string> Groups, TargetProperties? Targets,
    IReadOnlyList<PotentialProperties> Models, IReadOnlyList<PotentialProperties> Comparisons, FrontFile Front, RecommendedModel? Recommendation,
    IReadOnlyList<string> ChartGroups, IReadOnlyList<string> Files, TimeSpan Elapsed)
{
    /// <summary>The recommended model's targets against the last data reference (<see cref="FrontPropertiesOptions.DataReferences"/>); null without targets, a recommendation or a data reference.</summary>
    public TargetAttributionReport? Attribution { get; init; }
}

/// <summary>
/// The property suite on every model of a run's front and on comparison potentials: properties.json, properties.md and POET's
/// "Pareto frontier" charts (property error against complexity, one per property group, PNG and SVG) in the run folder, and
/// the recommendation redone with the property scores (front.json, front.md, summary.md). See docs/front.md.
/// </summary>
public static class FrontProperties
{
    public const string JsonFile = "properties.json";
    public const string MarkdownFile = "properties.md";
    public const string ChartPrefix = "property-errors-";

    // The generalized stacking-fault curve is not drawn per front model: its two end points are the cheapest the suite
    // allows (γ_isf and γ_usf have their own tasks and do not depend on it).
    private const int StackingCurvePoints = 2;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Chart groups, in order: the suite's groups with vacancy, migration and dumbbell drawn together as defects.</summary>
    public static string ChartGroupOf(string suiteGroup) => suiteGroup is "vacancy" or "migration" or "dumbbell" ? "defects" : suiteGroup;

    /// <summary>Computes and writes everything for the run folder (which must hold front.json and the model files).</summary>
    public static FrontPropertiesResult Write(string runFolder, FrontPropertiesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var groups = PropertySuite.ResolveGroups(options.Only);
        if (options.MaxParallelism is < 1) throw new ArgumentException("the parallelism must be at least 1");
        var front = RunOutputs.Read(runFolder);

        var potentials = new List<(string Label, FrontEntry? Entry, IPotential Potential)>();
        foreach (var entry in front.Front)
        {
            var model = ModelFile.Read(Path.Combine(runFolder, entry.ModelFile));
            potentials.Add(($"model {entry.Rank}", entry, new ModelPotential(model.Expression, model.Taper, model.Species, model.Name)));
        }
        potentials.AddRange(options.Compare.Select(p => (p.Name, (FrontEntry?)null, p)));
        potentials.AddRange(options.DataReferences.Select(p => (DataReferenceLabel(p), (FrontEntry?)null, p)));
        if (options.Element is null && potentials.FirstOrDefault(p => p.Entry is not null).Potential?.Species is { Count: > 1 } several)
            throw new ArgumentException($"the front's models describe {string.Join(", ", several)}: give the element whose properties to compute (--element)");
        var element = options.Element ?? (potentials.Count > 0 && potentials[0].Entry is not null ? CubicReference.Element(potentials[0].Potential, null) : "Cu");
        if (!Elements.IsKnown(element)) throw new ArgumentException($"'{element}' is not an element symbol");
        // Fail before the long computation when a potential does not describe the element.
        foreach (var (_, _, potential) in potentials) potential.CheckSpecies(Lattices.FccPrimitive(element, 1.0));

        var suites = RunSuites(potentials.Select(p => (p.Label, p.Potential)).ToList(), groups, element, options);
        var computed = potentials.Select((p, i) => Assess(p.Label, p.Entry, suites[i], options.Targets)).ToList();
        var models = computed.Where(c => c.Entry is not null).ToList();
        var comparisons = computed.Where(c => c.Entry is null).ToList();

        var scores = models.Where(m => m.Score is not null).ToDictionary(m => m.Entry!.Rank, m => m.Score!.Value);
        var meetingEvery = models.Where(m => m.Score is { MeetsEvery: true }).Select(m => m.Entry!.Rank).ToHashSet();
        front = Recommendation.Apply(front, scores, options.Rule, meetingEvery);
        var recommendation = front.Recommended is int r ? new RecommendedModel(r, front.RecommendationReason!) : null;

        var chartGroups = ChartGroups(computed);
        TargetAttributionReport? attribution = null;
        if (options.Targets is not null && options.DataReferences.Count > 0 && front.Recommended is int rank)
        {
            var model = models.First(m => m.Entry!.Rank == rank);
            var reference = comparisons.Last();
            attribution = TargetAttribution.Compare($"model {rank}", model.Rows, reference.Label, reference.Rows);
            if (attribution.Rows.Count == 0) attribution = null; // no target among the groups computed
        }
        var files = new List<string>();
        void Save(string name, string text)
        {
            var path = Path.Combine(runFolder, name);
            File.WriteAllText(path, text, new UTF8Encoding(false));
            files.Add(path);
        }
        var result = new FrontPropertiesResult(runFolder, element, groups, options.Targets, models, comparisons, front, recommendation, chartGroups, files, TimeSpan.Zero)
        {
            Attribution = attribution,
        };
        Save(JsonFile, Json(result) + "\n");
        Save(MarkdownFile, Markdown(result));
        foreach (var group in chartGroups)
            foreach (var extension in new[] { ".png", ".svg" })
            {
                var path = Path.Combine(runFolder, ChartPrefix + group + extension);
                WriteChart(result, group, path);
                files.Add(path);
            }
        RunOutputs.WriteFront(runFolder, front);
        RunOutputs.UpdateSummary(runFolder, front,
            [$"Properties of every front model{(comparisons.Count > 0 ? " and of " + string.Join(", ", comparisons.Select(c => c.Label)) : "")}: " +
             $"{MarkdownFile}, {JsonFile}" + (chartGroups.Count > 0 ? $", and the error against complexity per group in {ChartPrefix}GROUP.png/.svg." : "."),
             .. attribution is null ? Array.Empty<string>() : [attribution.Sentence() + $" Per target: {MarkdownFile}."]]);
        files.AddRange(new[] { RunOutputs.FrontJson, "front.md", "summary.md" }.Select(f => Path.Combine(runFolder, f)));
        return result with { Elapsed = clock.Elapsed };
    }

    /// <summary>
    /// The suite on every potential, several at once: with more potentials than cores each suite runs on one core (the
    /// suites are independent, so that scales best); with fewer, each gets a share of the cores for its own tasks.
    /// </summary>
    private static PropertySuiteResult[] RunSuites(IReadOnlyList<(string Label, IPotential Potential)> potentials, IReadOnlyList<string> groups,
        string element, FrontPropertiesOptions options)
    {
        var cores = options.MaxParallelism ?? Environment.ProcessorCount;
        var each = Math.Max(1, cores / Math.Max(1, potentials.Count));
        var results = new PropertySuiteResult[potentials.Count];
        var progressLock = new object();
        var done = 0;
        Parallel.For(0, potentials.Count, new ParallelOptions { MaxDegreeOfParallelism = cores }, i =>
        {
            var suite = PropertySuite.Run(potentials[i].Potential, new PropertySuiteOptions
            {
                Element = element, Only = groups, MaxParallelism = each, StackingCurvePoints = StackingCurvePoints,
                // A target vacancy or dumbbell that names its cell is computed in that cell.
                Setup = options.Targets?.Apply(PropertySetup.Converged) ?? PropertySetup.Converged,
            });
            results[i] = suite;
            if (options.Progress is null) return;
            var bad = suite.Properties.Count(p => !p.IsOk);
            lock (progressLock)
                options.Progress(FormattableString.Invariant(
                    $"[{++done}/{potentials.Count}] {potentials[i].Label}: {suite.Properties.Count} properties in {suite.Elapsed.TotalSeconds:F1} s{(bad > 0 ? $", {bad} not ok" : "")}"));
        });
        return results;
    }

    private static PotentialProperties Assess(string label, FrontEntry? entry, PropertySuiteResult suite, TargetProperties? targets)
    {
        var rows = suite.Compare(targets);
        return new PotentialProperties(label, entry, suite, rows, PropertyScore.Of(rows), GroupErrors(rows));
    }

    /// <summary>An energy difference (bcc−fcc, hcp−fcc) is judged by its absolute error: it is a few meV/atom, so percentages of it say little.</summary>
    private static bool IsEnergyDifference(PropertyComparison row) => row.Name.StartsWith("delta_", StringComparison.Ordinal) && row.Unit == "eV/atom";

    /// <summary>The error per chart group over the rows with a target (see <see cref="PropertyGroupError"/>).</summary>
    public static IReadOnlyList<PropertyGroupError> GroupErrors(IReadOnlyList<PropertyComparison> rows)
    {
        var errors = new List<PropertyGroupError>();
        var targetRows = rows.Where(r => r is { Computed: not null, Reference: not null } && r.Note.Length == 0).ToList();
        foreach (var group in targetRows.GroupBy(r => ChartGroupOf(r.Computed!.Group)))
        {
            var absolute = group.All(IsEnergyDifference);
            var counted = group.Where(r => absolute || r.Reference!.Value != 0).ToList();
            if (counted.Count == 0) continue;
            var names = counted.Select(r => $"{r.Name} {r.Structure}").ToList();
            var failed = counted.Where(r => r.Computed!.Status != PropertyStatus.Ok).Select(r => $"{r.Name} {r.Structure}").ToList();
            double? value = failed.Count > 0 ? null
                : absolute ? 1000 * counted.Average(r => Math.Abs(r.AbsoluteError!.Value))
                : 100 * counted.Average(r => Math.Abs(r.RelativeError!.Value));
            errors.Add(new PropertyGroupError(group.Key, value, absolute ? "meV/atom" : "%", names,
                failed.Count > 0 ? "not computed: " + string.Join(", ", failed) : null));
        }
        return errors;
    }

    private static IReadOnlyList<string> ChartGroups(IEnumerable<PotentialProperties> all)
    {
        var present = all.SelectMany(p => p.GroupErrors.Select(g => g.Group)).ToHashSet();
        return PropertySuite.Groups.Select(ChartGroupOf).Distinct().Where(present.Contains).ToList();
    }

    private static string Json(FrontPropertiesResult result)
    {
        object Potential(PotentialProperties p) => new
        {
            p.Entry?.Rank,
            Name = p.Label,
            p.Entry?.Expression,
            p.Entry?.Simplified,
            p.Entry?.Complexity,
            p.Entry?.ModelFile,
            p.Entry?.ValidationFitness,
            p.Entry?.ShortRangePassed,
            p.Entry?.Sanity,
            PropertyScore = p.Score,
            GroupErrors = p.GroupErrors,
            Seconds = p.Suite.Elapsed.TotalSeconds,
            Properties = p.Rows.Select(row =>
            {
                var scored = PropertyScore.Ratio(row);
                var tolerance = TargetTolerances.Rule(row.Name, row.Structure);
                return PropertyReportRow.Of(row) with
                {
                    Tolerance = scored is null ? null : tolerance.Value,
                    ToleranceKind = scored is null ? null : tolerance.Relative ? "relative" : "absolute",
                    ErrorPerTolerance = scored,
                };
            }),
        };
        var report = new
        {
            Run = result.Folder,
            result.Element,
            result.Groups,
            Targets = result.Targets is { } t ? new { t.Path, t.Title } : null,
            result.Front.Recommended,
            result.Front.RecommendationReason,
            Models = result.Models.Select(Potential),
            Comparisons = result.Comparisons.Select(Potential),
            Attribution = result.Attribution is { } a ? new
            {
                Model = a.ModelLabel,
                Reference = a.ReferenceLabel,
                Summary = a.Sentence(),
                Targets = a.Rows.Select(r => new
                {
                    Property = r.Name, r.Structure, r.Unit, r.Target, r.Tolerance, r.Model, r.ModelError, r.ModelRatio,
                    r.Reference, r.ReferenceError, r.ReferenceRatio, Verdict = r.Verdict.ToString(),
                }),
            } : null,
        };
        return JsonSerializer.Serialize(report, JsonOptions);
    }

    private static string Markdown(FrontPropertiesResult result)
    {
        var b = new StringBuilder();
        var all = result.Models.Concat(result.Comparisons).ToList();
        b.AppendLine("# Properties of the front");
        b.AppendLine();
        b.AppendLine($"- run: {result.Folder}; element {result.Element}; groups: {string.Join(", ", result.Groups)}");
        b.AppendLine(result.Targets is { } t
            ? $"- targets: {t.Path}{(t.Title.Length > 0 ? $" ({t.Title})" : "")}; each cell is the value and its error (relative, or absolute for the energy differences and the vacancy), **bold** beyond the tolerance"
            : "- no targets: values only");
        foreach (var p in all)
            b.AppendLine(FormattableString.Invariant($"- {p.Label}: {p.Suite.Properties.Count} properties in {p.Suite.Elapsed.TotalSeconds:F1} s") +
                         (p.Entry is { } e ? $", {e.Complexity} nodes: `{e.Simplified}`" : ""));
        if (result.Front.Recommended is not null) b.AppendLine().AppendLine($"★ recommended: {result.Front.RecommendationReason}");
        b.AppendLine();

        string Header(PotentialProperties p) => p.Entry is { } e ? $"{e.Rank}{(e.Rank == result.Front.Recommended ? " ★" : "")} ({e.Complexity} nodes)" : p.Label;
        b.AppendLine($"| property | structure | unit | target | tolerance | {string.Join(" | ", all.Select(Header))} |");
        b.AppendLine($"|---|---|---|---:|---:|{string.Concat(all.Select(_ => "---:|"))}");
        // Rows in the suite's order: that of the potential with the most rows first (a potential with no lattice constant
        // has fewer, e.g. no c/a), then any others.
        foreach (var key in all.OrderByDescending(p => p.Rows.Count).SelectMany(p => p.Rows).Select(r => (r.Name, r.Structure)).Distinct())
        {
            var sample = all.SelectMany(p => p.Rows).First(r => (r.Name, r.Structure) == key);
            var tolerance = TargetTolerances.Rule(key.Name, key.Structure);
            var hasTarget = sample.Reference is not null;
            var cells = all.Select(p => p.Rows.FirstOrDefault(r => (r.Name, r.Structure) == key) is { } row ? Cell(row) : "–");
            b.AppendLine($"| {key.Name} | {key.Structure} | {sample.Unit} | {(hasTarget ? Num(sample.Reference!.Value) : "–")} | " +
                         $"{(hasTarget ? tolerance.Describe(sample.Unit) : "–")} | {string.Join(" | ", cells)} |");
        }
        if (result.Targets is not null)
        {
            b.AppendLine($"| **property score** | | | | | {string.Join(" | ", all.Select(p => p.Score is { } s ? s.Value.ToString("F2", Inv) : "–"))} |");
            foreach (var group in result.ChartGroups)
            {
                var unit = all.Select(p => p.ErrorOf(group)).First(g => g is not null)!.Unit;
                b.AppendLine($"| {group} error (mean, {unit}) | | | | | " +
                             string.Join(" | ", all.Select(p => p.ErrorOf(group) is { Value: double v } ? v.ToString("F2", Inv) : "–")) + " |");
            }
            b.AppendLine();
            b.AppendLine($"Property score: root mean square of |error| / tolerance, each group weighing the same; an error beyond {PropertyScore.Cap:G} " +
                         $"tolerances, or a property not computed, counts as {PropertyScore.Cap:G}. Group errors are drawn against complexity in " +
                         $"{ChartPrefix}GROUP.png/.svg ({string.Join(", ", result.ChartGroups)}).");
        }

        if (result.Attribution is { } attribution) b.AppendLine().Append(attribution.Markdown());

        // One line per potential and reason: a potential without an fcc lattice constant fails everything for one reason.
        var problems = all.SelectMany(p => p.Suite.Properties.All(q => q.Status == PropertyStatus.Failed)
                ? [$"- {p.Label}: all {p.Suite.Properties.Count} properties failed: {FirstCause(p.Suite.Properties[0].Reason)}"]
                : p.Suite.Properties.Where(q => !q.IsOk)
                    .GroupBy(q => (q.Status, Reason: FirstCause(q.Reason)))
                    .Select(g => $"- {p.Label}: {string.Join(", ", g.Select(q => $"{q.Name} {q.Structure}"))}: {PropertyReportRow.StatusText(g.Key.Status)}: {g.Key.Reason}"))
            .ToList();
        if (problems.Count > 0)
        {
            b.AppendLine();
            b.AppendLine("## Properties not computed");
            b.AppendLine();
            foreach (var line in problems) b.AppendLine(line);
        }

        var checkedModels = result.Models.Where(m => m.Entry!.Sanity is { Checks.Count: > 0 }).ToList();
        if (checkedModels.Count > 0)
        {
            b.AppendLine();
            b.AppendLine("## Sanity checks");
            foreach (var m in checkedModels)
            {
                b.AppendLine();
                b.AppendLine($"### {m.Label}: {(m.Entry!.Sanity!.Passed ? "passes" : "fails")}");
                b.AppendLine();
                b.AppendLine("| check | result | value | detail |");
                b.AppendLine("|---|---|---:|---|");
                foreach (var c in m.Entry.Sanity.Checks)
                    b.AppendLine($"| {c.Name} | {(c.Passed ? "ok" : "fails")} | {(c.Value is double v ? Num(v) : "–")} | {c.Detail} |");
            }
        }
        return b.ToString();
    }

    /// <summary>How a data reference is labelled in the tables: its name and where it was trained.</summary>
    public static string DataReferenceLabel(IPotential potential) => $"{potential.Name} on this run's data";

    /// <summary>The root cause of a failure: the suite prefixes dependants' reasons with "could not be computed:" and "no fcc lattice constant:".</summary>
    private static string FirstCause(string reason)
    {
        foreach (var prefix in new[] { "could not be computed: ", "no fcc lattice constant: ", "a lattice constant could not be found: " })
            if (reason.StartsWith(prefix, StringComparison.Ordinal)) return FirstCause(reason[prefix.Length..]);
        return reason;
    }

    private static string Num(double x) => x.ToString("G6", Inv);

    private static string Signed(double x, string format) => (x >= 0 ? "+" : "") + x.ToString(format, Inv);

    /// <summary>The value and its error, the error bold beyond the tolerance; a property without a value says why not.</summary>
    private static string Cell(PropertyComparison row)
    {
        if (row.Computed is not { } c) return "not computed";
        if (c.Status == PropertyStatus.Failed) return "failed";
        if (c.Status == PropertyStatus.NotConverged) return "not converged";
        var text = Num(c.Value!.Value);
        if (row.Reference is null || PropertyScore.Ratio(row) is not double ratio) return text;
        var relative = TargetTolerances.Rule(row.Name, row.Structure).Relative;
        var error = relative ? Signed(100 * row.RelativeError!.Value, "F2") + " %" : Signed(row.AbsoluteError!.Value, "G3");
        return ratio > 1 ? $"{text} (**{error}**)" : $"{text} ({error})";
    }

    /// <summary>
    /// POET's "Pareto frontier" chart for one group: each front model's error against its complexity (the recommended one
    /// highlighted, ranks as labels) and each comparison potential's error as a labelled horizontal line. Errors that span
    /// more than a factor of 20 are drawn on a logarithmic axis, where a 0.2 % model and an 80 % one both stay readable.
    /// </summary>
    private static void WriteChart(FrontPropertiesResult result, string group, string path)
    {
        var plot = new ScottPlot.Plot();
        var points = result.Models.Select(m => (Entry: m.Entry!, Error: m.ErrorOf(group)?.Value)).Where(p => p.Error is not null)
            .Select(p => (p.Entry, Error: p.Error!.Value)).ToList();
        var lines = result.Comparisons.Select(c => (c.Label, Error: c.ErrorOf(group)?.Value)).Where(l => l.Error is not null)
            .Select(l => (l.Label, Error: l.Error!.Value)).ToList();
        var first = result.Models.Concat(result.Comparisons).Select(p => p.ErrorOf(group)).First(g => g is not null)!;
        var values = points.Select(p => p.Error).Concat(lines.Select(l => l.Error)).ToList();
        var positive = values.Where(v => v > 0).DefaultIfEmpty(1).ToList();
        var logarithmic = positive.Max() > 20 * positive.Min();
        // On the logarithmic axis an exact zero sits at the floor, a tenth of the smallest positive error.
        var floor = positive.Min() / 10;
        double Y(double v) => logarithmic ? Math.Log10(Math.Max(v, floor)) : v;

        var complexities = result.Models.Select(m => (double)m.Entry!.Complexity).DefaultIfEmpty(0).ToList();
        double left = complexities.Min() - 1, right = complexities.Max() + 1;
        if (points.Count > 0)
        {
            var markers = plot.Add.ScatterPoints(points.Select(p => (double)p.Entry.Complexity).ToArray(), points.Select(p => Y(p.Error)).ToArray());
            markers.MarkerSize = 9;
            markers.Color = ScottPlot.Colors.SteelBlue;
            markers.LegendText = "front models (label: rank)";
            foreach (var (entry, error) in points)
            {
                var label = plot.Add.Text(entry.Rank.ToString(Inv), entry.Complexity, Y(error));
                label.LabelFontSize = 11;
                label.OffsetX = 6;
                label.OffsetY = -6;
            }
            if (points.FirstOrDefault(p => p.Entry.Rank == result.Front.Recommended) is { Entry: not null } chosen)
            {
                var ring = plot.Add.Marker(chosen.Entry.Complexity, Y(chosen.Error), ScottPlot.MarkerShape.OpenCircle, 18, ScottPlot.Colors.Red);
                ring.LegendText = $"recommended (model {chosen.Entry.Rank})";
            }
        }
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = plot.Add.HorizontalLine(Y(lines[i].Error));
            line.Color = palette.GetColor(i + 1);
            line.LinePattern = ScottPlot.LinePattern.Dashed;
            line.LineWidth = 2;
            line.LegendText = lines[i].Label;
            // The line's own label would sit on the axis, rotated; a short one above its left end, where the front's
            // simplest (usually least accurate, so highest) models leave room, reads better. The legend has the full name.
            var name = plot.Add.Text(lines[i].Label.Length > 30 ? lines[i].Label[..29] + "…" : lines[i].Label, left, Y(lines[i].Error));
            name.LabelFontSize = 10;
            name.LabelFontColor = line.Color;
            name.LabelAlignment = ScottPlot.Alignment.LowerLeft;
        }
        var unitLabel = first.Unit == "%" ? "mean |relative error| (%)" : $"mean |error| ({first.Unit})";
        if (logarithmic)
        {
            var ticks = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Math.Pow(10, y).ToString("G3", Inv),
            };
            plot.Axes.Left.TickGenerator = ticks;
            plot.Axes.SetLimits(left, right, Math.Floor(Y(floor)), Math.Ceiling(Y(positive.Max()) + 0.05));
            unitLabel += ", logarithmic";
        }
        else plot.Axes.SetLimits(left, right, 0, 1.1 * Math.Max(values.DefaultIfEmpty(1).Max(), 1e-9));
        plot.Title($"{group}: {Abbreviate(first.Properties)}");
        plot.XLabel("complexity (nodes)");
        plot.YLabel(unitLabel);
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        PropertyPlots.Save(plot, path, 800, 600);
    }

    private static string Abbreviate(IReadOnlyList<string> properties) =>
        properties.Count <= 5 ? string.Join(", ", properties) : $"{properties.Count} properties ({properties[0]} … {properties[^1]})";
}
