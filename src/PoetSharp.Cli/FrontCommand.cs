using System.CommandLine;
using Spectre.Console;
using PoetSharp.Properties;
using PoetSharp.Search;

namespace PoetSharp.Cli;

/// <summary>`poet front RUN_DIR`: prints a finished run's front and its recommended model; with --properties, computes the properties of every front model first.</summary>
internal static class FrontCommand
{
    private static readonly System.Globalization.CultureInfo Inv = System.Globalization.CultureInfo.InvariantCulture;

    public static Command Create(CliOutput output, CliServices services)
    {
        var run = new Argument<string>("RUN_DIR") { Description = "A run folder written by poet fit or poet demo." };
        var properties = new Option<bool>("--properties")
        {
            Description = "Run the property suite on every front model (in parallel) and write properties.json, properties.md and the charts of " +
                          "property error against complexity (property-errors-GROUP.png/.svg) into the run folder; the recommended model is chosen again with the property scores.",
        };
        var compare = new Option<string[]>("--compare")
        {
            HelpName = "POTENTIAL", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true,
            Description = "With --properties: potentials to compute beside the front models (repeatable), as --potential takes them (see poet eval --help): " +
                          "e.g. Cu_mishin1.eam.alloy (a bare file name is also looked up among LAMMPS's potentials) or sc.",
        };
        var targets = new Option<string>("--targets")
        {
            HelpName = "FILE",
            Description = "With --properties: the target properties (POET's TargetProperties_0K.data) the errors and the property score are taken against.",
        };
        var only = PropertiesCommand.OnlyOption("With --properties: the property groups (comma-separated or repeated; default all): " +
                                                string.Join(", ", PropertySuite.Groups) + ".");
        var element = new Option<string>("--element", "-e") { HelpName = "SYMBOL", Description = "With --properties: the element of the crystals (default: the models' species)." };
        var threads = new Option<int?>("--threads") { HelpName = "N", Description = "With --properties: cores to use (default: all)." };
        var command = new Command("front", "Print the Pareto front of a run (from its front.json) and its recommended model; with --properties, compute every front model's properties.")
        {
            run, properties, compare, targets, only, element, threads,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(properties)) return;
            foreach (var option in new Option[] { compare, targets, only, element, threads })
                if (result.GetResult(option) is not null) result.AddError($"{option.Name} applies with --properties only");
        });
        command.SetAction(parsed =>
        {
            var folder = parsed.GetValue(run)!;
            if (!parsed.GetValue(properties))
            {
                var front = RunOutputs.Read(folder);
                FitCommand.PrintFront(output, front);
                PrintRecommendation(output, front);
                if (FamilyFront.Read(folder) is { } families)
                {
                    output.Line();
                    PrintFamilies(output, families);
                }
                return PoetCli.Success;
            }
            if (parsed.GetValue(threads) is < 1) throw new ArgumentException("--threads must be at least 1");
            var groups = PropertiesCommand.Groups(parsed, only);
            RunOutputs.Read(folder); // a folder that is not a run fails before the potentials are read
            // Targets and comparison potentials are read before the long computation, so that a bad file fails at once.
            var runSettings = RunSettings(folder);
            var targetFile = parsed.GetValue(targets) is { } path ? TargetProperties.Read(path) : RunTargets(output, runSettings);
            var comparisons = (parsed.GetValue(compare) ?? []).Select(services.CreatePotential).ToList();
            // The MTPs the run trained on its own data (--mtp-levels) come along: they say which target misses the data allow.
            var trained = FamilyFront.TrainedReferences(folder);
            if (trained.Count > 0) output.Error.WriteLine($"poet: with the run's own {string.Join(", ", trained.Select(t => t.Name))} (families.json) beside the front");
            output.Error.WriteLine($"poet: computing {(groups.Length == 0 ? "all properties" : string.Join(", ", groups))} " +
                                   $"for the front of {folder}{(comparisons.Count > 0 ? " and " + string.Join(", ", comparisons.Select(c => c.Name)) : "")}");
            var result = FrontProperties.Write(folder, new FrontPropertiesOptions
            {
                Only = groups, Targets = targetFile, Compare = comparisons, DataReferences = trained, Element = parsed.GetValue(element),
                MaxParallelism = parsed.GetValue(threads), Progress = line => output.Error.WriteLine("poet: " + line),
                Rule = new RecommendationRule { TargetWeight = runSettings?.TargetWeight ?? TargetObjective.DefaultWeight },
            });
            FitCommand.PrintFront(output, result.Front);
            PrintProperties(output, result);
            PrintRecommendation(output, result.Front);
            output.Line($"wrote {string.Join(", ", result.Files)}");
            return PoetCli.Success;
        });
        return command;
    }

    /// <summary>The front across families (families.json) as a console table, cheapest first.</summary>
    public static void PrintFamilies(CliOutput output, FamilyFrontFile families)
    {
        output.Line($"one front across families ({families.ErrorSet} errors; cost measured on {families.CostCell}, one thread):");
        var table = CliOutput.NewTable(0, "front", "family", "model", "parameters", "µs/atom-step", "train E", "train F", "valid E", "valid F", "summary");
        foreach (var m in families.Models)
            CliOutput.AddRow(table, m.OnFront ? "●" : "", m.Family, m.Name, m.Parameters.ToString(Inv), CliOutput.Sig(m.MicrosecondsPerAtomStep, 3),
                Num(m.TrainingEnergyRmse, 4), Num(m.TrainingForceRmse, 3), Num(m.ValidationEnergyRmse, 4), Num(m.ValidationForceRmse, 3), m.Summary);
        table.Columns[9].LeftAligned();
        output.Console.Write(table);
        output.Line($"● on the front of {string.Join(", ", families.Objectives)}; E in meV/atom (after the set's best shift, both families), F in eV/Å (RMSE); families.md has the rule");
        static string Num(double? x, int digits) => x is { } v ? CliOutput.Sig(v, digits) : "–";
    }

    /// <summary>The target properties the run was searched with (its checkpoint's settings), when that file is still there.</summary>
    private static TargetProperties? RunTargets(CliOutput output, SearchSettings? runSettings)
    {
        if (runSettings?.TargetsPath is not { } path) return null;
        if (!File.Exists(path))
        {
            output.Error.WriteLine($"poet: the run's targets {path} are gone; give --targets to compare with targets");
            return null;
        }
        output.Error.WriteLine($"poet: comparing with the run's targets {path}");
        return TargetProperties.Read(path);
    }

    /// <summary>The settings the run was searched with (its checkpoint's), when that file is still there.</summary>
    private static SearchSettings? RunSettings(string folder)
    {
        var checkpoint = Path.Combine(folder, SearchCheckpoint.FileName);
        return File.Exists(checkpoint) ? SearchCheckpoint.ReadHeader(checkpoint).Settings : null;
    }

    /// <summary>The recommended model, or, for a front.json written before recommendations, the one the rule picks from it now.</summary>
    internal static void PrintRecommendation(CliOutput output, FrontFile front)
    {
        if (front.Recommended is not null) output.Line($"★ recommended: {front.RecommendationReason}");
        else if (Recommendation.Choose(front.Front) is { } now)
            output.Line($"★ recommended (chosen now; front.json records none): {now.Reason}");
    }

    /// <summary>One row per potential: property score, error per chart group, properties not ok, and the suite's time.</summary>
    internal static void PrintProperties(CliOutput output, FrontPropertiesResult result)
    {
        var all = result.Models.Concat(result.Comparisons).ToList();
        var groupUnits = result.ChartGroups.Select(g => (Group: g, all.Select(p => p.ErrorOf(g)).First(e => e is not null)!.Unit)).ToList();
        var headers = new[] { "potential", "nodes", "score" }.Concat(groupUnits.Select(g => $"{g.Group} ({g.Unit})")).Concat(["not ok", "time (s)"]).ToArray();
        var table = CliOutput.NewTable(1, headers);
        foreach (var p in all)
        {
            var name = p.Entry is { } e ? $"model {e.Rank}{(e.Rank == result.Front.Recommended ? " ★" : "")}" : p.Label;
            var cells = new List<string> { name, p.Entry?.Complexity.ToString(Inv) ?? "–", p.Score is { } s ? CliOutput.Fixed(s.Value, 2) : "–" };
            cells.AddRange(groupUnits.Select(g => p.ErrorOf(g.Group) is { Value: double v } ? CliOutput.Fixed(v, 2) : "–"));
            cells.Add(p.Suite.Properties.Count(q => !q.IsOk).ToString(Inv));
            cells.Add(CliOutput.Fixed(p.Suite.Elapsed.TotalSeconds, 1));
            CliOutput.AddRow(table, cells.ToArray());
        }
        output.Line($"properties ({string.Join(", ", result.Groups)}) of {CliOutput.Plural(result.Models.Count, "front model", "front models")} " +
                    $"in {CliOutput.Fixed(result.Elapsed.TotalSeconds, 1)} s" +
                    (result.Targets is { } t ? $", against {t.Path}" : ", no targets (no errors, no score)") + ":");
        output.Console.Write(table);
        if (result.Targets is not null)
            output.Line("score: RMS of |error| / tolerance over the target properties (each group weighing the same); group errors: mean |relative error| or mean |error|; details in properties.md");
        if (result.Attribution is { } attribution) output.Line(attribution.Sentence() + " Per target: properties.md.");
    }
}
