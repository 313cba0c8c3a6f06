using System.CommandLine;
using System.Globalization;
using PoetSharp.Data;
using PoetSharp.Fitting;
using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Cli;

/// <summary>`poet refit`: fit a model's constants to data; errors before and after, the fitted model file and parity plots.</summary>
internal static class RefitCommand
{
    public static Command Create(CliOutput output, CliServices services)
    {
        var model = new Option<string>("--model", "-m") { Required = true, HelpName = "EXPR|FILE", Description = "The model: " + PotentialFactory.ModelHelp };
        var data = new Option<string[]>("--data", "-d")
        {
            Required = true, HelpName = "PATH", Arity = ArgumentArity.OneOrMore,
            Description = "Training data (repeat to concatenate): " + DataFiles.ReadableFormats + ".",
        };
        var validation = new Option<string[]>("--validation") { HelpName = "PATH", Arity = ArgumentArity.OneOrMore, Description = "Separate validation data." };
        var validationGroups = new Option<string[]>("--validation-group") { HelpName = "NAME", Arity = ArgumentArity.OneOrMore, Description = "Hold out these groups of the data for validation." };
        var split = new Option<double?>("--split") { HelpName = "FRACTION", Description = "Hold out this fraction of the structures, at random (see --seed), for validation." };
        var optimizer = new Option<string>("--optimizer") { DefaultValueFactory = _ => "lm", HelpName = "NAME", Description = "lm (Levenberg–Marquardt), cg (conjugate gradient) or cmaes (CMA-ES)." };
        var weights = new Option<string>("--weights") { DefaultValueFactory = _ => "1,1,1", HelpName = "E,F,S", Description = "Weights of the standardised energy, force and stress errors." };
        var evaluations = new Option<int?>("--max-evaluations") { HelpName = "N", Description = $"Budget of objective evaluations [default: {DefaultEvaluations}; {DefaultTargetEvaluations} with --targets, where each evaluation runs the targets' property suite once per constant]." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1, Description = "Seed of the random split and of CMA-ES." };
        var cutoff = new Option<double>("--cutoff") { DefaultValueFactory = _ => 5.0, HelpName = "Å", Description = "For a --model expression: where the taper reaches zero (Å)." };
        var taperInner = new Option<double>("--taper-inner") { DefaultValueFactory = _ => 3.0, HelpName = "Å", Description = "For a --model expression: where the taper starts to fall (Å)." };
        var outDir = new Option<string>("--out") { DefaultValueFactory = _ => "refit", HelpName = "DIR", Description = "Folder for model.json and the parity plots." };
        var symmetricPairs = new Option<bool>("--symmetric-pairs") { Description = "Several elements: share pair functions between element pairs (φ_AB = φ_BA): each A–B pair term gets its mirror in B's expression, and the fit keeps their constants equal." };
        var solveAmplitudes = new Option<bool>("--solve-amplitudes") { Description = "Set the amplitudes (the constants the energy is linear in) to their least-squares values before the optimiser starts: for rough starting constants." };
        var repulsionWeight = new Option<double>("--repulsion-weight") { HelpName = "λ", Description = "Weight of dimer-repulsion rows in the fit (0, the default: none), as in poet fit: each element pair's dimer must rise in energy as it closes in below the data's distances, or the fit pays for it." };
        var targets = new Option<string?>("--targets")
        {
            HelpName = "FILE",
            Description = "Target properties fitted together with the data, as poet fit --targets takes them (POET's TargetProperties_0K.data or the JSON form, docs/properties.md): " +
                          "the data's standardised residuals and each target's (computed − target) / tolerance in one least-squares fit, with screening set-ups. Data of one element.",
        };
        var targetWeight = new Option<double>("--target-weight") { DefaultValueFactory = _ => Properties.TargetObjective.DefaultWeight, HelpName = "W", Description = "With --targets: how much the targets count against the data (W: every target off by its tolerance adds W/2), as in poet fit." };
        var json = new Option<bool>("--json") { Description = "Write the results as JSON to standard output instead of tables (the model, its constants, the errors before and after, the files written)." };

        var command = new Command("refit", "Fit the constants of a model to data with POET's standardised objective; report errors before and after, write the fitted model and parity plots.")
        {
            model, data, validation, validationGroups, split, optimizer, weights, evaluations, seed, cutoff, taperInner, outDir, symmetricPairs, solveAmplitudes, repulsionWeight,
            targets, targetWeight, json,
        };
        command.Validators.Add(result =>
        {
            var held = (result.GetResult(validation) is not null ? 1 : 0) + (result.GetResult(validationGroups) is not null ? 1 : 0) + (result.GetResult(split) is not null ? 1 : 0);
            if (held > 1) result.AddError("give at most one of --validation, --validation-group and --split");
        });
        command.SetAction(parsed =>
        {
            var modelText = parsed.GetValue(model)!;
            var (expression, taper, species, name) = ReadModel(modelText, parsed.GetValue(taperInner), parsed.GetValue(cutoff));
            var paths = parsed.GetValue(data)!;
            var all = Concat(paths, services);
            // An expression (not a model file) describes the elements of the data.
            if (!modelText.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) species = Evaluation.ElementEnergies.ElementsOf(all.Structures);
            Dataset training = all, validating = null!;
            if (parsed.GetResult(validation) is not null) validating = Concat(parsed.GetValue(validation)!, services);
            else if (parsed.GetResult(validationGroups) is not null)
            {
                var s = DataSplit.ByGroups(all, parsed.GetValue(validationGroups)!);
                (training, validating) = (s.Training, s.Validation);
            }
            else if (parsed.GetValue(split) is { } fraction)
            {
                var s = DataSplit.Random(all, fraction, parsed.GetValue(seed));
                (training, validating) = (s.Training, s.Validation);
            }
            var optimizerName = parsed.GetValue(optimizer)!;
            var minimizer = Optimizers.Create(optimizerName);
            // The element of the targets is the data's (one element; the refit says so otherwise).
            var targetObjective = parsed.GetValue(targets) is { } targetPath
                ? new Properties.TargetObjective(Properties.TargetProperties.Read(targetPath), Evaluation.ElementEnergies.ElementsOf(training.Structures)[0],
                    parsed.GetValue(targetWeight), Properties.PropertySetup.Screening)
                : null;
            var budget = new OptimizationBudget
            {
                MaxEvaluations = parsed.GetValue(evaluations) ?? (targetObjective is null ? DefaultEvaluations : DefaultTargetEvaluations),
                Seed = parsed.GetValue(seed),
            };
            var asJson = parsed.GetValue(json);

            if (!asJson)
                output.Line($"refitting {ExpressionPrinter.Print(expression)} ({expression.ConstantCount} constants) with {minimizer.Name} on " +
                            $"{CliOutput.Plural(training.Count, "training structure", "training structures")}" +
                            (validating is { Count: > 0 } ? $" and {CliOutput.Plural(validating.Count, "validation structure", "validation structures")}" : "") +
                            (targetObjective is { } to ? $", with {CliOutput.Plural(to.Targets.Count, "target property", "target properties")} ({string.Join(", ", to.Groups)}; weight {to.Weight.ToString("G4", CultureInfo.InvariantCulture)})" : ""));
            var result = ConstantRefit.Run(expression, taper, training, validating, minimizer, ParseWeights(parsed.GetValue(weights)!), budget,
                parsed.GetValue(symmetricPairs), parsed.GetValue(solveAmplitudes), parsed.GetValue(repulsionWeight), targetObjective);
            var run = result.Optimization;

            var dir = parsed.GetValue(outDir)!;
            Directory.CreateDirectory(dir);
            var modelPath = Path.Combine(dir, "model.json");
            var errors = new Dictionary<string, double>();
            AddErrors(errors, "training", result.After.Training.Overall);
            if (result.After.Validation is { } v) AddErrors(errors, "validation", v.Overall);
            ModelFile.Write(modelPath, new Model(name, result.Fitted, taper.Outer, taper, species)
            {
                Provenance = $"constants refitted by PoetSharp ({minimizer.Name}, {run.Evaluations} evaluations) on {string.Join(", ", paths)}, {DateTime.UtcNow:yyyy-MM-dd}",
                Errors = errors,
            });
            var plots = new List<string>();
            foreach (var extension in new[] { ".png", ".svg" })
            {
                string energyPlot = Path.Combine(dir, "parity-energy" + extension), forcePlot = Path.Combine(dir, "parity-forces" + extension);
                ParityPlot.WriteEnergies(result.After.Training, energyPlot);
                ParityPlot.WriteForces(result.After.Training, forcePlot);
                plots.Add(energyPlot);
                plots.Add(forcePlot);
            }

            if (asJson)
            {
                WriteJson(output, modelText, paths, training.Count, validating?.Count ?? 0, minimizer.Name, expression, result, modelPath, plots);
                return PoetCli.Success;
            }
            output.Line();
            output.Line("before:");
            output.Out.Write(result.Before.Format());
            output.Line();
            output.Line("after:");
            output.Out.Write(result.After.Format());
            output.Line();
            output.Line($"{minimizer.Name}: {CliOutput.Plural(run.Evaluations, "evaluation", "evaluations")} in {CliOutput.Fixed(result.Elapsed.TotalSeconds, 2)} s, " +
                        $"cost {run.Cost.ToString("G6", CultureInfo.InvariantCulture)}, {(run.Converged ? "converged" : "not converged")}: {run.StopReason}");
            output.Line("fitted: " + ExpressionPrinter.Print(result.Fitted));
            if (result.Targets is { } fittedTargets) WriteTargets(output, fittedTargets);
            if (result.ShortRange is { } shortRange)
                output.Line("short range: " + (shortRange.Passed ? "passes (" : "fails (") + shortRange.Detail + ")");
            output.Line($"wrote {modelPath}, {string.Join(", ", plots)}");
            return PoetCli.Success;
        });
        return command;
    }

    /// <summary>
    /// The refit as one JSON object: the model as given and as fitted (printed text, and its constants in the order they
    /// appear in that text, as in model files), the optimiser's run, the errors before and after on each set (fields as
    /// in `poet eval --json`) and the files written.
    /// </summary>
    private static void WriteJson(CliOutput output, string modelText, string[] paths, int trainingCount, int validationCount, string optimizerName,
        Expression start, RefitResult result, string modelPath, IReadOnlyList<string> plots)
    {
        static object Errors(FitReport report) => new
        {
            Training = Set(report.Training),
            Validation = report.Validation is { } v ? Set(v) : null,
            ValidationEnergyAtTrainingShift = report.ValidationEnergyAtTrainingShift,
        };
        static object Set(Evaluation.PotentialErrors e) => new { e.EnergyShift, e.EnergyShiftStructures, e.Overall, PerGroup = e.Groups };
        var run = result.Optimization;
        var report = new
        {
            Model = modelText,
            Data = paths,
            TrainingStructures = trainingCount,
            ValidationStructures = validationCount,
            Units = new { Energy = "meV/atom", Forces = "eV/Å", Stress = "GPa", EnergyShift = "eV/atom" },
            Start = new { Expression = ExpressionPrinter.Print(start), Constants = ExpressionPrinter.FoldSigns(start).Constants.ToArray() },
            Fitted = new { Expression = ExpressionPrinter.Print(result.Fitted), Constants = ExpressionPrinter.FoldSigns(result.Fitted).Constants.ToArray() },
            Optimizer = new { Name = optimizerName, run.Evaluations, run.Cost, run.Converged, run.StopReason, Seconds = result.Elapsed.TotalSeconds },
            Before = Errors(result.Before),
            After = Errors(result.After),
            ShortRange = result.ShortRange is { } sr ? new { sr.Passed, sr.Detail } : null,
            Targets = result.Targets is { } t ? new
            {
                t.Objective.Source.Path,
                t.Objective.Weight,
                Setup = "screening",
                TermBefore = t.Before.Fitness,
                TermAfter = t.After.Fitness,
                ScoreBefore = t.Before.Score,
                ScoreAfter = t.After.Score,
                Properties = t.Before.Terms.Zip(t.After.Terms, (b, a) => new
                {
                    a.Target.Name,
                    a.Target.Structure,
                    a.Target.Unit,
                    Target = a.Target.Value,
                    a.Tolerance,
                    Before = b.Computed,
                    After = a.Computed,
                    MetBefore = b.Met,
                    MetAfter = a.Met,
                }).ToArray(),
            } : null,
            Files = new { Model = modelPath, Plots = plots },
        };
        output.WriteJson(report);
    }

    private const int DefaultEvaluations = 2000;
    private const int DefaultTargetEvaluations = 60;

    /// <summary>The target properties before and after a joint refit, one row each, and how many are met.</summary>
    private static void WriteTargets(CliOutput output, RefitTargets targets)
    {
        var table = CliOutput.NewTable(3, "property", "structure", "unit", "target", "tolerance", "before", "after", "after − target", "met");
        string Value(double? v) => v is { } x && double.IsFinite(x) ? CliOutput.Sig(x, 5) : "failed";
        foreach (var (b, a) in targets.Before.Terms.Zip(targets.After.Terms))
            CliOutput.AddRow(table, a.Target.Name, a.Target.Structure, a.Target.Unit, CliOutput.Sig(a.Target.Value, 5), CliOutput.Sig(a.Tolerance, 3), Value(b.Computed), Value(a.Computed),
                a.Computed is { } v && double.IsFinite(v) ? CliOutput.Sig(v - a.Target.Value, 3) : "–", a.Met ? "yes" : "no");
        output.Line();
        output.Line($"target properties (screening set-ups; weight {targets.Objective.Weight.ToString("G4", CultureInfo.InvariantCulture)}):");
        output.Console.Write(table);
        int metBefore = targets.Before.Terms.Count(t => t.Met), metAfter = targets.After.Terms.Count(t => t.Met), n = targets.After.Terms.Count;
        output.Line($"targets met: {metBefore}/{n} before, {metAfter}/{n} after; target term {CliOutput.Sig(targets.Before.Fitness, 4)} → {CliOutput.Sig(targets.After.Fitness, 4)} " +
                    $"(property score {CliOutput.Sig(targets.Before.Score, 3)} → {CliOutput.Sig(targets.After.Score, 3)}); converged set-ups: poet properties --model FILE --reference {targets.Objective.Source.Path}");
    }

    private static (Expression, Taper, IReadOnlyList<string>, string) ReadModel(string text, double taperInner, double cutoff)
    {
        if (text.EndsWith(".mtp", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{text} is a moment tensor potential: refit it with poet fit-mtp --start {text} --data … (refit fits the constants of closed-form models)");
        if (text.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            // A model file of another family is trained by its own command.
            if (ModelFile.ReadAny(text) is not Model m)
                throw new ArgumentException($"{text} holds a moment tensor potential: refit it with poet fit-mtp --start FILE.mtp --data … " +
                                            "(the .mtp written beside it; refit fits the constants of closed-form models)");
            return (m.Expression, m.Taper, m.Species, m.Name);
        }
        var taper = new Taper(taperInner, cutoff);
        taper.Validate();
        return (ExpressionParser.ParseModel(text), taper, ["Cu"], "refitted model");
    }

    private static Dataset Concat(string[] paths, CliServices services)
    {
        var sets = paths.Select(services.ReadData).ToArray();
        return sets.Length == 1 ? sets[0] : Dataset.Concat(string.Join(", ", paths), sets);
    }

    private static ObjectiveWeights ParseWeights(string text)
    {
        var parts = text.Split(',');
        var values = parts.Select(p => double.TryParse(p.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && double.IsFinite(v) ? v : double.NaN).ToArray();
        if (values.Length != 3 || values.Any(double.IsNaN))
            throw new ArgumentException($"--weights '{text}': expected three non-negative numbers E,F,S (e.g. 1,1,0)");
        return new ObjectiveWeights(values[0], values[1], values[2]);
    }

    private static void AddErrors(Dictionary<string, double> errors, string set, Evaluation.ErrorSummary s)
    {
        if (s.Energy is { } e) { errors[$"{set}_energy_rmse_meV_per_atom"] = e.Rmse; errors[$"{set}_energy_mae_meV_per_atom"] = e.Mae; }
        if (s.Forces is { } f) { errors[$"{set}_force_rmse_eV_per_A"] = f.Rmse; errors[$"{set}_force_mae_eV_per_A"] = f.Mae; }
        if (s.Stress is { } t) { errors[$"{set}_stress_rmse_GPa"] = t.Rmse; errors[$"{set}_stress_mae_GPa"] = t.Mae; }
    }
}
