using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Learning;
using PoetSharp.Models;
using PoetSharp.Mtp;

namespace PoetSharp.Cli;

/// <summary>
/// `poet learn`: learning on the fly. MD graded by the extrapolation grade, MaxVol selection, an oracle (a PoetSharp
/// potential, LAMMPS or Quantum ESPRESSO), MTP retraining; a journal, checkpoints and --resume; plots and a summary.
/// </summary>
internal static class LearnCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    public const string RunFile = "learn.json";

    /// <summary>A model to grade or train: an MLIP .mtp file (its species named by <paramref name="elements"/>) or a model file of either family.</summary>
    internal static IParametricModel ReadModel(string path, string[] elements) =>
        path.EndsWith(".mtp", StringComparison.OrdinalIgnoreCase) ? MtpFile.Read(path, elements) : ModelFile.ReadAny(path);

    /// <summary>The value of a --grade-by option.</summary>
    internal static GradeMode ParseGradeMode(string text) => text.ToLowerInvariant() switch
    {
        "configuration" or "cfg" => GradeMode.Configuration,
        "neighbourhood" or "neighborhood" or "nbh" => GradeMode.Neighbourhood,
        var other => throw new ArgumentException($"--grade-by '{other}': expected configuration or neighbourhood"),
    };

    public static Command Create(CliOutput output, CliServices services)
    {
        var structures = new Option<string[]>("--structures", "-s") { HelpName = "PATH", Arity = ArgumentArity.OneOrMore, Description = "Starting structures of the MD runs (any data format; labels are not needed). Every one runs at every temperature and pressure." };
        var data = new Option<string[]>("--data", "-d") { HelpName = "PATH", Arity = ArgumentArity.OneOrMore, Description = "Labelled data to start training from (default: the oracle labels the starting structures)." };
        var validation = new Option<string[]>("--validation") { HelpName = "PATH", Arity = ArgumentArity.OneOrMore, Description = "Labelled data whose errors are reported after every iteration (not trained on)." };
        var oracle = new Option<string>("--oracle") { HelpName = "SPEC", Description = OracleOptions.Help };
        var oracleOptions = new OracleOptions();
        var start = new Option<string>("--start") { HelpName = "FILE", Description = "Start from this model instead of an untrained MTP: an MLIP .mtp file, or a model file (.json) of either family; a closed form keeps its form and has its constants refitted (Levenberg–Marquardt, --train-iterations evaluations) and is graded by its constant Jacobian." };
        var level = new Option<int>("--level") { DefaultValueFactory = _ => 10, HelpName = "L", Description = "Level of an untrained MTP's moment basis." };
        var cutoff = new Option<double>("--cutoff") { DefaultValueFactory = _ => 5.0, HelpName = "Å", Description = "Cutoff of an untrained MTP (Å)." };
        var minDist = new Option<double?>("--min-dist") { HelpName = "Å", Description = "min_dist of an untrained MTP; default: 0.85 × the shortest distance in the starting structures, rounded down to 0.01 Å (MD goes closer than the start)." };
        var basisSize = new Option<int>("--radial-basis-size") { DefaultValueFactory = _ => 8, HelpName = "N", Description = "Chebyshev polynomials per radial function of an untrained MTP." };
        var temperatures = new Option<string>("--temperatures", "-T") { DefaultValueFactory = _ => "300", HelpName = "K,K,…", Description = "MD temperatures (K), comma-separated." };
        var pressures = new Option<string>("--pressures") { HelpName = "bar,bar,…", Description = "Run NPT (isotropic MTK barostat) at these pressures (bar); default: NVT (Langevin) in the structures' own cells." };
        var steps = new Option<long>("--steps") { DefaultValueFactory = _ => 2000, HelpName = "N", Description = "Length of each MD run: learning has converged when every run reaches it below the select threshold." };
        var timeStep = new Option<double>("--time-step") { DefaultValueFactory = _ => 1.0, HelpName = "fs", Description = "MD time step (fs)." };
        var gradeEvery = new Option<int>("--grade-every") { DefaultValueFactory = _ => 1, HelpName = "N", Description = "Grade every N-th configuration (1: each, as MLIP)." };
        var gradeBy = new Option<string>("--grade-by") { DefaultValueFactory = _ => "configuration", HelpName = "configuration|neighbourhood", Description = "Rows of the active set: one per configuration (MLIP's default), or one per atomic neighbourhood." };
        var select = new Option<double>("--select") { DefaultValueFactory = _ => 2.0, HelpName = "γ", Description = "Keep configurations graded above this as candidates for the oracle." };
        var breakAt = new Option<double>("--break") { DefaultValueFactory = _ => 10.0, HelpName = "γ", Description = "Stop an MD run at a configuration graded above this." };
        var virtualRows = new Option<double>("--virtual-row-size") { DefaultValueFactory = _ => ActiveSet.DefaultVirtualRowSize, HelpName = "λ", Description = "While the training data do not span every direction of the linear parameters, an excursion along a missing direction grades as its size over λ (in units of each column's RMS over the data; see docs/learning.md)." };
        var iterations = new Option<int>("--iterations") { DefaultValueFactory = _ => 30, HelpName = "N", Description = "Most learning iterations." };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 0, HelpName = "N", Description = "Most oracle calls per iteration (0: every configuration the batch rule picks)." };
        var batchRule = new Option<string>("--batch-rule") { DefaultValueFactory = _ => "covering", HelpName = "covering|entering", Description = "How an iteration's oracle calls are picked from the candidates: covering, the fewest (greedily, highest grade first) after which no other candidate grades above --select; entering, every candidate owning a row MaxVol swaps into the active set." };
        var parallel = new Option<int>("--oracle-parallel") { DefaultValueFactory = _ => 1, HelpName = "N", Description = "Oracle calls run at once." };
        var trainIterations = new Option<int>("--train-iterations") { DefaultValueFactory = _ => 100, HelpName = "N", Description = "L-BFGS iterations per MTP retraining, or Levenberg–Marquardt evaluations per closed-form refit (both warm-started)." };
        var trainTime = new Option<string>("--train-time") { HelpName = "DURATION", Description = "Wall-clock limit per retraining, e.g. 60s, 5m." };
        var weights = new Option<string>("--weights") { DefaultValueFactory = _ => "1,0.01,0.001", HelpName = "E,F,S", Description = "MTP loss weights of energies, forces and stresses (as fit-mtp)." };
        var time = new Option<string>("--time") { HelpName = "DURATION", Description = "Stop starting new iterations after this long, e.g. 30m." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1, Description = "Seed of the MD runs and of an untrained MTP." };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => -1, HelpName = "N", Description = "Cores (−1: all). MD runs go in parallel, one core each." };
        var resume = new Option<string>("--resume") { HelpName = "DIR", Description = "Continue a run from its folder (settings from DIR/learn.json); completed oracle calls are not repeated." };
        var neb = new Option<string[]>("--neb")
        {
            HelpName = "FILE:I,J", Arity = ArgumentArity.OneOrMore,
            Description = "Also learn a vacancy hop's barrier: in the crystal of FILE (its last structure), atom I hops into the vacant site of atom J (numbers from 1, as in poet barrier). " +
                          "Every iteration runs the climbing-image band with the current model and grades its images; those outside the data go to the oracle like MD configurations. Repeatable; without --structures, only bands are explored.",
        };
        var nebImages = new Option<int>("--neb-images") { DefaultValueFactory = _ => 5, HelpName = "N", Description = "Intermediate images of each --neb band." };
        var nebFmax = new Option<double>("--neb-fmax") { DefaultValueFactory = _ => 0.05, HelpName = "eV/Å", Description = "Force tolerance of each --neb band (loose: learning needs the path; poet barrier then refines the barrier with the learned model)." };
        var nebInterpolation = new Option<string>("--neb-interpolation") { DefaultValueFactory = _ => "linear", HelpName = "linear|idpp", Description = "Starting band of each --neb hop (as poet barrier --interpolation)." };
        var outDir = new Option<string>("--out", "-o") { DefaultValueFactory = _ => "learn", HelpName = "DIR", Description = "Run folder: model.mtp, model.json, training.xyz, journal.jsonl, calls/, state.json, learning-*.png/svg." };

        var command = new Command("learn", "Learning on the fly: MD with an MTP graded by its extrapolation grade (MaxVol active set); configurations beyond the data go to an oracle (a PoetSharp potential, LAMMPS or Quantum ESPRESSO), join the training set, and the MTP is retrained, until whole MD runs stay inside the data.")
        {
            structures, data, validation, oracle, start, level, cutoff, minDist, basisSize, temperatures, pressures, steps, timeStep, gradeEvery, gradeBy,
            select, breakAt, virtualRows, iterations, batch, batchRule, parallel, trainIterations, trainTime, weights, time, seed, threads, resume, outDir,
            neb, nebImages, nebFmax, nebInterpolation,
        };
        oracleOptions.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetResult(resume) is null)
            {
                if (result.GetResult(structures) is null && result.GetResult(neb) is null) result.AddError("give --structures (the MD starting structures) or --neb (a hop to learn), or --resume with a run folder");
                if (result.GetResult(oracle) is null) result.AddError("give --oracle (what labels new configurations), or --resume with a run folder");
            }
        });
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(resume) is { } runDir)
            {
                var (args, typeMap) = ReadRun(runDir);
                // Options given beside --resume (e.g. more --iterations) replace the stored ones.
                var given = parsed.Tokens.SkipWhile(x => x.Type != System.CommandLine.Parsing.TokenType.Command).Skip(1).Select(x => x.Value).ToArray();
                var overrides = Groups(given).Where(g => Canonical(g[0]) is not ("--resume" or "--out" or "--type-map")).ToList();
                var replaced = overrides.Select(g => Canonical(g[0])).ToHashSet();
                var merged = Groups(args).Where(g => !replaced.Contains(Canonical(g[0]))).Concat(overrides).SelectMany(g => g).ToArray();
                var reparsed = command.Parse([.. merged, "--out", runDir]);
                if (reparsed.Errors.Count > 0) throw new ArgumentException($"{Path.Combine(runDir, RunFile)}: the stored arguments no longer parse ({reparsed.Errors[0].Message})");
                var resumedServices = typeMap is null ? services : services with
                {
                    ReadData = p => services.ReadTypedData(p, typeMap),
                    TypeMap = () => typeMap,
                };
                return Execute(reparsed, resumedServices, resuming: true);
            }
            return Execute(parsed, services, resuming: false);
        });
        return command;

        // Option tokens with their values, e.g. ["--temperatures", "300,900"].
        static List<string[]> Groups(string[] tokens)
        {
            var groups = new List<string[]>();
            var current = new List<string>();
            foreach (var t in tokens)
            {
                if (t.StartsWith('-') && !double.TryParse(t, NumberStyles.Float, Inv, out _) && current.Count > 0) { groups.Add([.. current]); current.Clear(); }
                current.Add(t);
            }
            if (current.Count > 0) groups.Add([.. current]);
            return groups;
        }

        string Canonical(string token) => command.Options.FirstOrDefault(o => o.Name == token || o.Aliases.Contains(token))?.Name ?? token;

        int Execute(ParseResult parsed, CliServices svc, bool resuming)
        {
            var clock = Stopwatch.StartNew();
            var dir = parsed.GetValue(outDir)!;
            if (!resuming && File.Exists(Path.Combine(dir, OnTheFlyLearning.StateFile)))
                throw new ArgumentException($"{dir} already holds a learning run: continue it with --resume {dir}, or choose another --out");
            var starts = (parsed.GetValue(structures) ?? []).SelectMany(p => svc.ReadData(p).Structures).ToArray();
            var hops = (parsed.GetValue(neb) ?? []).Select(text => ParseNeb(text, svc)).ToArray();
            var initial = (parsed.GetValue(data) ?? []).SelectMany(p => svc.ReadData(p).Structures).ToArray();
            var validating = (parsed.GetValue(validation) ?? []).SelectMany(p => svc.ReadData(p).Structures).ToArray();
            var elements = svc.TypeMap()?.ToArray() ?? ElementEnergies.ElementsOf(starts.Concat(initial).Concat(hops.Select(h => h.Crystal))).ToArray();
            var theOracle = oracleOptions.Create(parsed.GetValue(oracle)!, parsed, svc, elements);
            var weightSet = MtpLossWeights.Parse(parsed.GetValue(weights)!);

            IParametricModel model;
            if (parsed.GetValue(start) is { } startPath)
            {
                model = ReadModel(startPath, elements);
            }
            else
            {
                var cut = parsed.GetValue(cutoff);
                var probe = new MtpTrainer([.. starts, .. hops.Select(h => h.Crystal)], elements, cut, weightSet, threads: parsed.GetValue(threads));
                var lower = parsed.GetValue(minDist) ?? Math.Floor(100 * 0.85 * probe.DefaultMinDistance()) / 100;
                model = MtpModel.Untrained(parsed.GetValue(level), elements, lower, cut, parsed.GetValue(basisSize), parsed.GetValue(seed), probe.SuggestedScaling(cut));
            }
            var settings = new LearningSettings
            {
                Temperatures = Numbers(parsed.GetValue(temperatures)!, "--temperatures"),
                Pressures = parsed.GetValue(pressures) is { } ps ? Numbers(ps, "--pressures").Select(p => p / Units.BarPerEvPerA3).ToArray() : [],
                Steps = parsed.GetValue(steps),
                TimeStep = parsed.GetValue(timeStep),
                GradeEvery = parsed.GetValue(gradeEvery),
                GradeMode = ParseGradeMode(parsed.GetValue(gradeBy)!),
                SelectThreshold = parsed.GetValue(select),
                BreakThreshold = parsed.GetValue(breakAt),
                VirtualRowSize = parsed.GetValue(virtualRows),
                MaxIterations = parsed.GetValue(iterations),
                MaxBatch = parsed.GetValue(batch),
                BatchRule = ParseBatchRule(parsed.GetValue(batchRule)!),
                OracleParallel = parsed.GetValue(parallel),
                Seed = (ulong)parsed.GetValue(seed),
                Threads = parsed.GetValue(threads),
                TimeLimit = parsed.GetValue(time) is { } t ? FitMtpCommand.ParseDuration(t) : null,
                Band = new PoetSharp.Simulation.NebSettings
                {
                    IntermediateImages = parsed.GetValue(nebImages), ForceTolerance = parsed.GetValue(nebFmax), MaxSteps = 1000,
                    Interpolation = BarrierCommand.ParseInterpolation(parsed.GetValue(nebInterpolation)!),
                },
            };
            TimeSpan? trainLimit = parsed.GetValue(trainTime) is { } tt ? FitMtpCommand.ParseDuration(tt) : null;
            IModelTrainer trainer = model is MtpModel
                ? new MtpRetrainer(weightSet, parsed.GetValue(trainIterations), trainLimit, threads: parsed.GetValue(threads))
                : new ClosedFormRetrainer(parsed.GetValue(trainIterations), trainLimit);

            Directory.CreateDirectory(dir);
            if (!resuming) WriteRun(dir, parsed.Tokens.SkipWhile(x => x.Type != System.CommandLine.Parsing.TokenType.Command).Skip(1).Select(x => x.Value).ToArray(), svc.TypeMap());
            var what = model is MtpModel mtp ? $"{(mtp.Basis.Level > 0 ? $"a level-{mtp.Basis.Level} MTP" : "an MTP")} for {string.Join(", ", elements)} ({mtp.LinearParameterCount} linear parameters)"
                : $"the closed form {model.Name} ({model.ParameterCount} constants, graded by its constant Jacobian)";
            output.Line($"learning on the fly in {dir}: {what}, " +
                        (starts.Length == 0 ? "no MD" :
                            $"{CliOutput.Plural(starts.Length, "starting structure", "starting structures")} × {settings.Temperatures.Count} temperature(s)" +
                            (settings.Pressures.Count > 0 ? $" × {settings.Pressures.Count} pressure(s) (NPT)" : " (NVT)") +
                            $", {settings.Steps} steps of {settings.TimeStep.ToString(Inv)} fs") +
                        $"; oracle: {theOracle.Name}; grades by {settings.GradeMode.ToString().ToLowerInvariant()}, " +
                        $"{settings.BatchRule.ToString().ToLowerInvariant()} batches, " +
                        $"select > {settings.SelectThreshold.ToString(Inv)}, break > {settings.BreakThreshold.ToString(Inv)}" +
                        (hops.Length > 0 ? $"; {CliOutput.Plural(hops.Length, "band", "bands")} of {settings.Band.IntermediateImages} images ({string.Join("; ", hops.Select(h => h.Name))})" : ""));
            var learning = new OnTheFlyLearning(dir, theOracle, settings, starts, model, trainer, initial, validating, output.Line, hops);
            learning.Run();
            LearningPlots.Write(learning.Iterations, dir);
            PrintSummary(learning, clock.Elapsed);
            output.Line($"wrote {(learning.Model is MtpModel ? Path.Combine(dir, "model.mtp") + ", " : "")}{Path.Combine(dir, OnTheFlyLearning.ModelFileName)}, {Path.Combine(dir, OnTheFlyLearning.TrainingFile)}, " +
                        $"{Path.Combine(dir, OracleJournal.FileName)} and learning-errors/learning-cost (.png, .svg)");
            return learning.Converged ? PoetCli.Success : PoetCli.Failure;
        }

        void PrintSummary(OnTheFlyLearning learning, TimeSpan elapsed)
        {
            var table = CliOutput.NewTable(0, "iteration", "runs\ncomplete", "max grade", "selected", "oracle\ncalls", "training\nset", "MD (s)", "oracle (s)", "training (s)",
                "train E\n(meV/atom)", "train F\n(eV/Å)", "valid. E\n(meV/atom)", "valid. F\n(eV/Å)");
            foreach (var r in learning.Iterations)
                CliOutput.AddRow(table, CliOutput.Int(r.Iteration), r.Iteration == 0 ? "–" : $"{r.RunsCompleted}/{r.Runs}", r.Iteration == 0 ? "–" : CliOutput.Sig(r.MaxGrade, 3),
                    CliOutput.Int(r.Selected), CliOutput.Int(r.OracleCalls) + (r.ReusedCalls > 0 ? $" (+{r.ReusedCalls})" : ""), CliOutput.Int(r.TrainingSize),
                    CliOutput.Fixed(r.MdSeconds, 1), CliOutput.Fixed(r.OracleSeconds, 1), CliOutput.Fixed(r.TrainingSeconds, 1),
                    Cell(r.TrainingEnergyRmse), Cell(r.TrainingForceRmse), Cell(r.ValidationEnergyRmse), Cell(r.ValidationForceRmse));
            output.Console.Write(table);
            var its = learning.Iterations;
            output.Line($"{learning.StopReason}; {its.Sum(r => r.OracleCalls)} oracle calls over {its.Count} iterations (0 to {its.Count - 1})" +
                        $" ({learning.Journal.CompletedCount} in the journal), MD {its.Sum(r => r.MdSeconds):0.#} s, oracle {its.Sum(r => r.OracleSeconds):0.#} s, " +
                        $"training {its.Sum(r => r.TrainingSeconds):0.#} s, {elapsed.TotalSeconds:0.#} s in all");
            static string Cell(double x) => double.IsNaN(x) ? "–" : CliOutput.Sig(x, 3);
        }
    }

    /// <summary>A --neb value, FILE:I,J: the last structure of FILE and the hop, numbered from 1 as in the file.</summary>
    private static LearningHop ParseNeb(string text, CliServices services)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            throw new ArgumentException($"--neb '{text}': expected FILE:I,J (atom I hops into the vacant site of atom J, numbers from 1), e.g. --neb cu-vacancy.vasp:2,1");
        var path = text[..colon];
        var data = services.ReadData(path);
        if (data.Count == 0) throw new ArgumentException($"{path}: no structure in the file");
        var crystal = data[data.Count - 1];
        var (from, to) = BarrierCommand.ParseHop(text[(colon + 1)..], crystal, "--neb");
        return new LearningHop(crystal, from, to, $"{Path.GetFileName(path)}: {from + 1} into {to + 1}");
    }

    private static BatchRule ParseBatchRule(string text) => text.Trim().ToLowerInvariant() switch
    {
        "covering" => BatchRule.Covering,
        "entering" => BatchRule.Entering,
        _ => throw new ArgumentException($"--batch-rule '{text}': expected covering or entering"),
    };

    private static double[] Numbers(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ArgumentException($"{option} '{text}': expected comma-separated numbers");
        return parts.Select(p => double.TryParse(p, NumberStyles.Float, Inv, out var v) && double.IsFinite(v)
            ? v : throw new ArgumentException($"{option} '{text}': '{p}' is not a number")).ToArray();
    }

    // The run's own arguments (without --out) and the type map, so that --resume rebuilds the same run.
    private static void WriteRun(string dir, string[] tokens, IReadOnlyList<string>? typeMap)
    {
        var args = new List<string>();
        for (var k = 0; k < tokens.Length; k++)
        {
            if (tokens[k] is "--out" or "-o" or "--type-map") { k++; continue; }
            args.Add(tokens[k]);
        }
        // Paths are made absolute, so that a resume from another working folder reads the same files.
        for (var k = 0; k < args.Count; k++)
            if (!args[k].StartsWith('-') && (File.Exists(args[k]) || Directory.Exists(args[k]))) args[k] = Path.GetFullPath(args[k]);
        var json = new JsonObject
        {
            ["arguments"] = new JsonArray([.. args.Select(a => (JsonNode)a)]),
            ["typeMap"] = typeMap is null ? null : new JsonArray([.. typeMap.Select(e => (JsonNode)e)]),
        };
        File.WriteAllText(Path.Combine(dir, RunFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static (string[] Args, IReadOnlyList<string>? TypeMap) ReadRun(string dir)
    {
        var path = Path.Combine(dir, RunFile);
        var text = InputFile.ReadAllText(path, "a learning run's settings");
        try
        {
            var json = JsonNode.Parse(text)!.AsObject();
            var args = json["arguments"]!.AsArray().Select(n => (string)n!).ToArray();
            var map = json["typeMap"] is JsonArray m ? m.Select(n => (string)n!).ToArray() : null;
            return (args, map);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new DataFormatException(path, null, $"not a learning run's settings ({e.Message})");
        }
    }
}

/// <summary>The oracle options of `poet learn`, and the oracle they describe.</summary>
internal sealed class OracleOptions
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    public const string Help =
        "What labels new configurations: potential:SPEC (a PoetSharp potential as teacher, e.g. potential:Cu_mishin1.eam.alloy or potential:sc); " +
        "lammps:FILE (LAMMPS with an EAM file: eam/alloy, eam/fs or eam by its name); lammps (LAMMPS with --pair-style and --pair-coeff); " +
        "espresso (Quantum ESPRESSO's pw.x; see the --qe-* options).";

    public readonly Option<string> PairStyle = new("--pair-style") { HelpName = "STYLE ARGS", Description = "For --oracle lammps: the pair_style line without the command word, e.g. \"snap\"." };
    public readonly Option<string[]> PairCoeff = new("--pair-coeff") { HelpName = "ARGS", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false, Description = "For --oracle lammps: a pair_coeff line without the command word (repeat for several); atom type k is the k-th element of the run (--type-map order, else by atomic number)." };
    public readonly Option<string> LammpsCommand = new("--lmp") { DefaultValueFactory = _ => "lmp", HelpName = "COMMAND", Description = "The LAMMPS program, with arguments if needed (e.g. \"mpirun -np 4 lmp\")." };
    public readonly Option<string> Timeout = new("--oracle-timeout") { HelpName = "DURATION", Description = "Wall-clock limit of one oracle call (default: 10m for LAMMPS, 1h for Quantum ESPRESSO)." };

    public readonly Option<string> QePseudoDir = new("--qe-pseudo-dir") { HelpName = "DIR", Description = "For --oracle espresso: the pseudopotential folder (default: $ESPRESSO_PSEUDO, else Debian's /usr/share/espresso/pseudo)." };
    public readonly Option<string[]> QePseudo = new("--qe-pseudo") { HelpName = "El=FILE", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false, Description = "For --oracle espresso: the pseudopotential file of an element (repeat; default: a file of the folder named El.*, PBE preferred)." };
    public readonly Option<double> QeEcutWfc = new("--qe-ecutwfc") { DefaultValueFactory = _ => 40, HelpName = "Ry", Description = "For --oracle espresso: the wavefunction cutoff (Ry); check convergence for your pseudopotentials." };
    public readonly Option<double?> QeEcutRho = new("--qe-ecutrho") { HelpName = "Ry", Description = "For --oracle espresso: the charge-density cutoff (Ry; default 8 × ecutwfc)." };
    public readonly Option<double?> QeKSpacing = new("--qe-kspacing") { HelpName = "1/Å", Description = "For --oracle espresso: a Monkhorst–Pack grid of this largest k-point spacing (Å⁻¹, 2π included): n_i = ceil(|b_i| / spacing), instead of the generalized grid." };
    public readonly Option<double> QeKMinDistance = new("--qe-kmin-distance") { DefaultValueFactory = _ => 25, HelpName = "Å", Description = "For --oracle espresso (the default k-points): the generalized grid with the fewest irreducible points whose real-space superlattice has minimum periodic distance ≥ this (Å); see poet kpoints." };
    public readonly Option<string> QeKGrid = new("--qe-kpoints") { HelpName = "NxNxN", Description = "For --oracle espresso: a fixed Monkhorst–Pack grid instead of the generalized grid." };
    public readonly Option<string> QeSmearing = new("--qe-smearing") { DefaultValueFactory = _ => "mv", HelpName = "KIND", Description = "For --oracle espresso: smearing (mv, gaussian, fd, mp, or none for fixed occupations)." };
    public readonly Option<double> QeDegauss = new("--qe-degauss") { DefaultValueFactory = _ => 0.02, HelpName = "Ry", Description = "For --oracle espresso: the smearing width (Ry)." };
    public readonly Option<int> QeRanks = new("--qe-ranks") { DefaultValueFactory = _ => 1, HelpName = "N", Description = "For --oracle espresso: MPI ranks per pw.x call (1: pw.x run directly)." };
    public readonly Option<string> QeCommand = new("--qe-command") { DefaultValueFactory = _ => "pw.x", HelpName = "PROGRAM", Description = "For --oracle espresso: the pw.x program." };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { PairStyle, PairCoeff, LammpsCommand, Timeout, QePseudoDir, QePseudo, QeEcutWfc, QeEcutRho, QeKSpacing, QeKMinDistance, QeKGrid, QeSmearing, QeDegauss, QeRanks, QeCommand })
            command.Options.Add(o);
    }

    public IOracle Create(string spec, ParseResult parsed, CliServices services, string[] elements)
    {
        var colon = spec.IndexOf(':');
        var kind = (colon < 0 ? spec : spec[..colon]).ToLowerInvariant();
        var rest = colon < 0 ? "" : spec[(colon + 1)..];
        TimeSpan? timeout = parsed.GetValue(Timeout) is { } t ? FitMtpCommand.ParseDuration(t) : null;
        switch (kind)
        {
            case "potential":
            {
                if (rest.Length == 0) throw new ArgumentException("--oracle potential:SPEC needs the potential, e.g. potential:Cu_mishin1.eam.alloy");
                var potential = services.CreatePotential(rest);
                var file = File.Exists(rest) ? rest : File.Exists(Path.Combine(PoetSharp.Potentials.PotentialFactory.LammpsPotentialsFolder, rest)) ? Path.Combine(PoetSharp.Potentials.PotentialFactory.LammpsPotentialsFolder, rest) : null;
                return new PotentialOracle(potential, file is null ? rest : $"{Path.GetFullPath(file)} ({new FileInfo(file).Length} bytes)");
            }
            case "lammps":
            {
                LammpsOracleSettings settings;
                if (rest.Length > 0)
                {
                    var file = File.Exists(rest) ? rest : PoetSharp.Potentials.PotentialFactory.ResolveFile(rest);
                    settings = LammpsOracleSettings.ForEam(file);
                }
                else
                {
                    var style = parsed.GetValue(PairStyle) ?? throw new ArgumentException("--oracle lammps needs --pair-style and --pair-coeff (or lammps:FILE for an EAM file)");
                    var coeffs = parsed.GetValue(PairCoeff) ?? throw new ArgumentException("--oracle lammps needs at least one --pair-coeff");
                    settings = new LammpsOracleSettings(style, coeffs, elements);
                }
                settings = settings with { Command = parsed.GetValue(LammpsCommand)! };
                if (timeout is { } limit) settings = settings with { Timeout = limit };
                return new LammpsOracle(settings);
            }
            case "espresso" or "qe":
            {
                var settings = new EspressoSettings
                {
                    Executable = parsed.GetValue(QeCommand)!,
                    MpiRanks = parsed.GetValue(QeRanks),
                    EcutWfc = parsed.GetValue(QeEcutWfc),
                    EcutRho = parsed.GetValue(QeEcutRho),
                    KSpacing = parsed.GetValue(QeKSpacing),
                    KMinDistance = parsed.GetValue(QeKMinDistance),
                    Degauss = parsed.GetValue(QeDegauss),
                    Smearing = parsed.GetValue(QeSmearing) is "none" or "fixed" ? null : parsed.GetValue(QeSmearing),
                };
                if (parsed.GetValue(QePseudoDir) is { } folder) settings = settings with { PseudoFolder = Path.GetFullPath(folder) };
                if (parsed.GetValue(QePseudo) is { Length: > 0 } files)
                    settings = settings with
                    {
                        Pseudopotentials = files.Select(f => f.Split('=', 2) is [var el, var file] && el.Length > 0 && file.Length > 0
                            ? (El: el.Trim(), File: file.Trim())
                            : throw new ArgumentException($"--qe-pseudo '{f}': expected El=FILE, e.g. Cu=Cu.pbe-kjpaw.UPF")).ToDictionary(x => x.El, x => x.File),
                    };
                if (parsed.GetValue(QeKGrid) is { } grid)
                {
                    var n = grid.Split('x', 'X', ',');
                    if (n.Length != 3 || n.Any(v => !int.TryParse(v, NumberStyles.None, Inv, out var k) || k < 1))
                        throw new ArgumentException($"--qe-kpoints '{grid}': expected three positive integers such as 4x4x4");
                    settings = settings with { KGrid = (int.Parse(n[0], Inv), int.Parse(n[1], Inv), int.Parse(n[2], Inv)) };
                }
                if (timeout is { } limit) settings = settings with { Timeout = limit };
                return new EspressoOracle(settings, elements);
            }
            default:
                throw new ArgumentException($"--oracle '{spec}': expected potential:SPEC, lammps:FILE, lammps or espresso");
        }
    }
}
