using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Fitting;
using PoetSharp.Mtp;

namespace PoetSharp.Cli;

/// <summary>`poet fit-mtp`: train a moment tensor potential; write it as an MLIP .mtp file with a summary of its errors.</summary>
internal static class FitMtpCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliOutput output, CliServices services)
    {
        var data = new Option<string[]>("--data", "-d") { HelpName = "PATH", Arity = ArgumentArity.OneOrMore, Description = "Training data (repeat to concatenate): " + DataFiles.ReadableFormats + "." };
        var validation = new Option<string[]>("--validation") { HelpName = "PATH", Arity = ArgumentArity.OneOrMore, Description = "Separate validation data." };
        var split = new Option<double?>("--split") { HelpName = "FRACTION", Description = "Hold out this fraction of the structures, at random (see --seed), for validation." };
        var level = new Option<int>("--level") { DefaultValueFactory = _ => 16, HelpName = "L", Description = "Level of the moment basis: every contraction of moments with level ≤ L (MLIP's lev(M_μν) = 2 + 4μ + ν)." };
        var cutoff = new Option<double>("--cutoff") { DefaultValueFactory = _ => 5.0, HelpName = "Å", Description = "Cutoff R_cut (max_dist) in Å." };
        var minDist = new Option<double?>("--min-dist") { HelpName = "Å", Description = "Lower end of the Chebyshev interval (min_dist); default: the shortest distance in the training data, rounded down to 0.01 Å." };
        var basisSize = new Option<int>("--radial-basis-size") { DefaultValueFactory = _ => 8, HelpName = "N", Description = "Chebyshev polynomials per radial function." };
        var weights = new Option<string>("--weights") { DefaultValueFactory = _ => "1,0.01,0.001", HelpName = "E,F,S", Description = "Weights of energies (per structure, divided by its atoms), forces (per component) and virial stresses (divided by atoms); MLIP's defaults." };
        var iterations = new Option<int>("--iterations") { DefaultValueFactory = _ => 200, HelpName = "N", Description = "L-BFGS iterations on the radial coefficients (the linear ones are solved exactly at every step)." };
        var time = new Option<string>("--time") { HelpName = "DURATION", Description = "Wall-clock limit for the whole training, e.g. 30m, 2h, 90s (split evenly between --restarts; checked between iterations)." };
        var restarts = new Option<int>("--restarts") { DefaultValueFactory = _ => 1, HelpName = "N", Description = "Independent starts from different random radial coefficients; the best on the training loss is kept." };
        var ridge = new Option<double>("--ridge") { DefaultValueFactory = _ => 1e-10, HelpName = "λ", Description = "Ridge on the linear coefficients (relative, on unit-scaled columns)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1, Description = "Seed of the random split and of the starting radial coefficients." };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => -1, HelpName = "N", Description = "Cores to use (−1: all)." };
        var start = new Option<string>("--start") { HelpName = "FILE.mtp", Description = "Start from this potential (its basis, radial functions and cutoff) instead of an untrained one; --type-map names its species." };
        var resume = new Option<string>("--resume") { HelpName = "DIR", Description = "Continue a run: its data, settings and species from DIR/fit.json, starting from DIR/model.mtp." };
        var core = new Option<string>("--core") { DefaultValueFactory = _ => "none", HelpName = "none|zbl", Description = "Short-range core. zbl: below each species pair's shortest distance in the training data the radial functions are held near their value there and ZBL repulsion takes over, so MD cannot fall into the untrained short range of a pair (kept in model.json; model.mtp, for MLIP, is the bare MTP; nothing changes on the training data). none: the bare MTP, as MLIP trains it." };
        core.AcceptOnlyFromAmong("none", "zbl");
        var coreWidth = new Option<double>("--core-width") { DefaultValueFactory = _ => 0.25, HelpName = "Å", Description = "Width of the core's clamp and switch below each inner radius: the radial functions are never evaluated closer than the inner radius minus this, and ZBL is fully on below it." };
        var outDir = new Option<string>("--out", "-o") { DefaultValueFactory = _ => "mtp-fit", HelpName = "DIR", Description = "Folder for model.mtp (written whenever the loss improves) and fit.json." };

        var command = new Command("fit-mtp", "Train a moment tensor potential (Shapeev; MLIP-2's form): linear coefficients by least squares, radial ones by L-BFGS (variable projection); writes an MLIP .mtp file and per-group errors.")
        {
            data, validation, split, level, cutoff, minDist, basisSize, weights, iterations, time, restarts, ridge, seed, threads, start, resume, core, coreWidth, outDir,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(validation) is not null && result.GetResult(split) is not null) result.AddError("give at most one of --validation and --split");
            if ((result.GetResult(data) is null) == (result.GetResult(resume) is null)) result.AddError("give --data, or --resume with a run folder");
            if (result.GetResult(start) is not null && result.GetResult(resume) is not null) result.AddError("--start and --resume both choose the starting model: give one");
        });
        command.SetAction(parsed =>
        {
            var clock = Stopwatch.StartNew();
            var dir = parsed.GetValue(outDir)!;
            string[] dataPaths, validationPaths;
            double? splitFraction;
            var s = new Settings(parsed.GetValue(level), parsed.GetValue(cutoff), parsed.GetValue(minDist), parsed.GetValue(basisSize), parsed.GetValue(weights)!,
                parsed.GetValue(ridge), parsed.GetValue(seed), parsed.GetValue(core)!, parsed.GetValue(coreWidth));
            string? startPath = parsed.GetValue(start);
            string[]? elements = services.TypeMap()?.ToArray();
            if (parsed.GetValue(resume) is { } runDir)
            {
                var stored = ReadRun(runDir);
                (dataPaths, validationPaths, splitFraction, s, elements) = (stored.Data, stored.Validation, stored.Split, stored.Settings, stored.Elements);
                startPath = Path.Combine(runDir, "model.mtp");
                if (!parsed.Given(outDir)) dir = runDir;
            }
            else
            {
                dataPaths = parsed.GetValue(data)!;
                validationPaths = parsed.GetValue(validation) ?? [];
                splitFraction = parsed.GetValue(split);
            }
            var weightSet = MtpLossWeights.Parse(s.Weights);

            var all = Concat(dataPaths, services);
            Dataset training = all;
            Dataset? validating = null;
            if (validationPaths.Length > 0) validating = Concat(validationPaths, services);
            else if (splitFraction is double fraction)
            {
                var split2 = DataSplit.Random(all, fraction, s.Seed);
                (training, validating) = (split2.Training, split2.Validation);
            }
            // Species numbers: the type map's order (MLIP numbering) if given, else the data's elements by atomic number.
            elements ??= ElementEnergies.ElementsOf(all.Structures).ToArray();
            var missing = training.Structures.Concat(validating?.Structures ?? []).SelectMany(x => x.Species).Distinct().Where(e => !elements.Contains(e)).ToArray();
            if (missing.Length > 0) throw new ArgumentException($"the data hold {string.Join(", ", missing)}, which the species list {string.Join(",", elements)} lacks");

            MtpModel? initial = startPath is null ? null : MtpFile.Read(startPath, elements);
            var cut = initial?.Cutoff ?? s.Cutoff;
            var trainer = new MtpTrainer(training.Structures, elements, cut, weightSet, s.Ridge, parsed.GetValue(threads));
            var lower = initial?.MinDistance ?? s.MinDistance ?? trainer.DefaultMinDistance();
            var scaling = trainer.SuggestedScaling(cut);
            var shortRange = s.Core == "zbl" ? trainer.Core(s.CoreWidth) : null;
            output.Line($"training {(initial is null ? $"a level-{s.Level} MTP" : $"{startPath}")} for {string.Join(", ", elements)} on {CliOutput.Plural(training.Count, "structure", "structures")}" +
                        (validating is { Count: > 0 } ? $", validating on {validating.Count}" : "") +
                        $"; cutoff {cut.ToString(Inv)} Å, min_dist {lower.ToString(Inv)} Å, weights {s.Weights}");
            if (shortRange is not null)
                output.Line($"short-range core: ZBL below each pair's shortest training distance, radial functions held within {s.CoreWidth.ToString(Inv)} Å below it (" +
                            string.Join(", ", Enumerable.Range(0, elements.Length).SelectMany(a => Enumerable.Range(a, elements.Length - a)
                                .Select(b => $"{elements[a]}-{elements[b]} {shortRange.Inner[a * elements.Length + b].ToString("0.00", Inv)} Å"))) + ")");
            Directory.CreateDirectory(dir);
            var modelPath = Path.Combine(dir, "model.mtp");

            MtpModel? best = null;
            var bestLoss = double.PositiveInfinity;
            var restartCount = Math.Max(1, parsed.GetValue(restarts));
            TimeSpan? perStart = parsed.GetValue(time) is { } timeText ? ParseDuration(timeText) / restartCount : null;
            for (var r = 0; r < restartCount; r++)
            {
                var from = (initial ?? MtpModel.Untrained(s.Level, elements, lower, cut, s.RadialBasisSize, s.Seed + r, scaling)).WithCore(shortRange);
                if (r == 0 && initial is null)
                    output.Line($"basis: {from.Basis.ScalarCount} basis functions from {from.Basis.MomentCount} moments ({from.Basis.Products.Length} products), " +
                                $"{from.RadialParameterCount} radial and {from.LinearParameterCount} linear coefficients");
                var lastPrinted = TimeSpan.Zero;
                var fitted = trainer.Fit(from, parsed.GetValue(iterations), p =>
                {
                    if (p.Evaluation == 1 || p.Elapsed - lastPrinted > TimeSpan.FromSeconds(10))
                    {
                        lastPrinted = p.Elapsed;
                        output.Line($"  start {p.Restart + 1} evaluation {p.Evaluation}: loss {CliOutput.Sig(p.Loss)}, energy RMSE {CliOutput.Sig(1000 * p.EnergyRmsePerAtom)} meV/atom, " +
                                    $"force RMSE {CliOutput.Sig(p.ForceRmse)} eV/Å ({CliOutput.Fixed(p.Elapsed.TotalSeconds, 0)} s)");
                    }
                }, r, improved: (model, loss) =>
                {
                    if (loss < bestLoss)
                    {
                        bestLoss = loss;
                        best = model;
                        MtpFile.Write(modelPath, model);
                    }
                }, timeLimit: perStart);
                var finalLoss = trainer.LossAndGradient(fitted, new double[fitted.ParameterCount]).Loss;
                output.Line($"start {r + 1}: training loss {CliOutput.Sig(finalLoss)}" + $" after {trainer.Iterations} L-BFGS iterations ({trainer.StopReason})");
            }
            var result = best!;
            MtpFile.Write(modelPath, result);

            var potential = new MtpPotential(result);
            var trainErrors = MtpGroupErrors.Of(PotentialErrors.Predict(potential, training.Structures));
            var validErrors = validating is { Count: > 0 } ? MtpGroupErrors.Of(PotentialErrors.Predict(potential, validating.Structures)) : null;
            PrintErrors(output, "training", trainErrors);
            if (validErrors is not null) PrintErrors(output, "validation", validErrors);
            var errorFigures = new Dictionary<string, double>();
            void Figures(string set, MtpGroupErrors e)
            {
                if (double.IsFinite(e.EnergyRmse)) errorFigures[$"{set}_energy_rmse_meV_per_atom"] = e.EnergyRmse;
                if (double.IsFinite(e.ForceRmse)) errorFigures[$"{set}_force_rmse_eV_per_A"] = e.ForceRmse;
                if (double.IsFinite(e.StressRmseGPa)) errorFigures[$"{set}_stress_rmse_GPa"] = e.StressRmseGPa;
            }
            Figures("training", trainErrors[0]);
            if (validErrors is not null) Figures("validation", validErrors[0]);
            var modelFile = Path.Combine(dir, "model.json");
            Models.ModelFile.Write(modelFile, result.WithName(result.Basis.Level > 0 ? $"MTP level {result.Basis.Level}" : result.Name),
                $"poet fit-mtp on {string.Join(", ", dataPaths)}; weights {s.Weights}", errorFigures);
            WriteRun(Path.Combine(dir, "fit.json"), dataPaths, validationPaths, splitFraction, s, elements, result, bestLoss, trainErrors, validErrors, clock.Elapsed);
            output.Line($"wrote {modelPath} (MLIP .mtp; species {string.Join(", ", elements.Select((e, i) => $"{i} = {e}"))}{(shortRange is null ? "" : "; without the core")}), " +
                        $"{modelFile} (the same with its elements named{(shortRange is null ? "" : " and its core")}, for --model) and {Path.Combine(dir, "fit.json")} " +
                        $"in {CliOutput.Fixed(clock.Elapsed.TotalSeconds, 1)} s");
            return PoetCli.Success;
        });
        return command;
    }

    internal static TimeSpan ParseDuration(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        var unit = t.Length > 0 && char.IsLetter(t[^1]) ? t[^1] : 's';
        var number = char.IsLetter(t[^1]) ? t[..^1] : t;
        if (!double.TryParse(number, NumberStyles.Float, Inv, out var v) || !(v > 0) || !double.IsFinite(v) || unit is not ('s' or 'm' or 'h'))
            throw new ArgumentException($"--time '{text}': expected a positive duration such as 90s, 30m or 2h");
        return unit switch { 'h' => TimeSpan.FromHours(v), 'm' => TimeSpan.FromMinutes(v), _ => TimeSpan.FromSeconds(v) };
    }

    private sealed record Settings(int Level, double Cutoff, double? MinDistance, int RadialBasisSize, string Weights, double Ridge, int Seed,
        string Core, double CoreWidth);

    private static Dataset Concat(string[] paths, CliServices services)
    {
        var sets = paths.Select(services.ReadData).ToArray();
        return sets.Length == 1 ? sets[0] : Dataset.Concat(string.Join(", ", paths), sets);
    }

    private static void PrintErrors(CliOutput output, string name, List<MtpGroupErrors> errors)
    {
        var table = CliOutput.NewTable(1, name, "structures", "energy RMSE\n(meV/atom)", "energy MAE\n(meV/atom)", "force RMSE\n(eV/Å)", "force MAE\n(eV/Å)", "stress RMSE\n(GPa)");
        foreach (var e in errors)
            CliOutput.AddRow(table, CliOutput.GroupName(e.Group), CliOutput.Int(e.Structures), Cell(e.EnergyRmse), Cell(e.EnergyMae), Cell(e.ForceRmse), Cell(e.ForceMae), Cell(e.StressRmseGPa));
        output.Console.Write(table);
        static string Cell(double x) => double.IsNaN(x) ? "–" : CliOutput.Sig(x);
    }

    private static void WriteRun(string path, string[] data, string[] validation, double? split, Settings s, string[] elements, MtpModel model, double loss,
        List<MtpGroupErrors> training, List<MtpGroupErrors>? validating, TimeSpan elapsed)
    {
        static JsonArray Errors(List<MtpGroupErrors> errors) => new([.. errors.Select(e => (JsonNode)new JsonObject
        {
            ["group"] = e.Group, ["structures"] = e.Structures, ["atoms"] = e.Atoms,
            ["energyRmseMeVPerAtom"] = Finite(e.EnergyRmse), ["energyMaeMeVPerAtom"] = Finite(e.EnergyMae),
            ["forceRmse"] = Finite(e.ForceRmse), ["forceMae"] = Finite(e.ForceMae), ["stressRmseGPa"] = Finite(e.StressRmseGPa),
        })]);
        var json = new JsonObject
        {
            ["data"] = new JsonArray([.. data.Select(d => (JsonNode)Path.GetFullPath(d))]),
            ["validation"] = new JsonArray([.. validation.Select(d => (JsonNode)Path.GetFullPath(d))]),
            ["split"] = split,
            ["elements"] = new JsonArray([.. elements.Select(e => (JsonNode)e)]),
            ["settings"] = new JsonObject
            {
                ["level"] = s.Level, ["cutoff"] = model.Cutoff, ["minDist"] = model.MinDistance, ["radialBasisSize"] = model.RadialBasisSize,
                ["weights"] = s.Weights, ["ridge"] = s.Ridge, ["seed"] = s.Seed, ["core"] = s.Core, ["coreWidth"] = s.CoreWidth,
            },
            ["basisFunctions"] = model.Basis.ScalarCount,
            ["parameters"] = model.ParameterCount,
            ["trainingLoss"] = Finite(loss),
            ["seconds"] = elapsed.TotalSeconds,
            ["training"] = Errors(training),
            ["validationErrors"] = validating is null ? null : Errors(validating),
        };
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static JsonNode? Finite(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    private static (string[] Data, string[] Validation, double? Split, Settings Settings, string[] Elements) ReadRun(string dir)
    {
        var path = Path.Combine(dir, "fit.json");
        var text = InputFile.ReadAllText(path, "a fit-mtp run summary");
        try
        {
            var json = JsonNode.Parse(text)!.AsObject();
            var st = json["settings"]!.AsObject();
            var settings = new Settings((int)st["level"]!, (double)st["cutoff"]!, (double?)st["minDist"], (int)st["radialBasisSize"]!, (string)st["weights"]!,
                (double)st["ridge"]!, (int)st["seed"]!, (string?)st["core"] ?? "none", (double?)st["coreWidth"] ?? 0.25);
            return (json["data"]!.AsArray().Select(n => (string)n!).ToArray(), json["validation"]!.AsArray().Select(n => (string)n!).ToArray(),
                (double?)json["split"], settings, json["elements"]!.AsArray().Select(n => (string)n!).ToArray());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new DataFormatException(path, null, $"not a fit-mtp run summary ({e.Message})");
        }
    }
}
