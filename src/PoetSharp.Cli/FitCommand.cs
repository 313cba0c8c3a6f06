using Spectre.Console;
using System.CommandLine;
using System.Globalization;
using PoetSharp.Cluster;
using PoetSharp.Data;
using PoetSharp.Potentials;
using PoetSharp.Search;

namespace PoetSharp.Cli;

/// <summary>`poet fit`: the genetic-programming search for potential models on the Pareto front; `--resume` continues a run.</summary>
internal static class FitCommand
{
    public static Command Create(CliOutput output, CliServices services)
    {
        var data = new Option<string[]>("--data", "-d") { HelpName = "PATH", Arity = ArgumentArity.OneOrMore, Description = "Training data (repeat to concatenate): " + DataFiles.ReadableFormats + "." };
        var validation = new Option<string[]>("--validation") { HelpName = "PATH", Arity = ArgumentArity.OneOrMore, Description = "Separate validation data (otherwise --split)." };
        var split = new Option<double?>("--split") { HelpName = "FRACTION", Description = "Hold out this fraction of the structures for validation (default 0.2 without --validation)." };
        var cutoff = new Option<double>("--cutoff") { DefaultValueFactory = _ => 5.0, HelpName = "Å", Description = "Where the taper reaches zero (Å)." };
        var taperInner = new Option<double>("--taper-inner") { DefaultValueFactory = _ => 3.0, HelpName = "Å", Description = "Where the taper starts to fall (Å)." };
        var time = new Option<string>("--time") { HelpName = "DURATION", Description = "Time limit, e.g. 90s, 10m, 1h (default 5m unless --generations is given; with --resume: more time)." };
        var generations = new Option<int?>("--generations") { HelpName = "N", Description = "Generations per island (with --resume: the new total)." };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 1UL, Description = "Seed of the search and of the random split." };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => Environment.ProcessorCount, HelpName = "N", Description = "Islands evolved at once, and the workers of the end-of-run polish of the front; 1 is bit-for-bit reproducible." };
        var islands = new Option<int?>("--islands") { HelpName = "N", Description = "Number of islands (default: the number of cores, at least 2)." };
        var population = new Option<int>("--population") { DefaultValueFactory = _ => new SearchSettings().PopulationSize, HelpName = "N", Description = "Models per island." };
        var outDir = new Option<string>("--out") { DefaultValueFactory = _ => "run", HelpName = "DIR", Description = "Run folder (front, models, plots, summary, checkpoint)." };
        var seedModels = new Option<string[]>("--seed-model") { HelpName = "EXPR", Arity = ArgumentArity.OneOrMore, Description = "A known form to put in the first population (repeatable)." };
        var resume = new Option<string>("--resume") { HelpName = "RUN_DIR", Description = "Continue the run saved in this folder." };
        var optimizer = new Option<string>("--optimizer") { DefaultValueFactory = _ => "lm", HelpName = "NAME", Description = "Optimiser of every candidate's constants: lm, cg or cmaes." };
        var constantEvaluations = new Option<int>("--constant-evaluations") { DefaultValueFactory = _ => new SearchSettings().ConstantEvaluations, HelpName = "N", Description = "Objective evaluations per candidate's constant fit." };
        var fitStructures = new Option<int>("--fit-structures") { DefaultValueFactory = _ => new SearchSettings().MaxFitStructures, HelpName = "N", Description = "Training structures the candidates are fitted on (spread over the set)." };
        var finalFitStructures = new Option<int>("--final-fit-structures") { DefaultValueFactory = _ => new SearchSettings().FinalFitStructures, HelpName = "N", Description = "Training structures (spread over the set) the front models' constants are polished on when the run ends (default 128); a resumed run may change it." };
        var shortRange = new Option<string>("--short-range") { DefaultValueFactory = _ => "penalise", HelpName = "penalise|reject|off", Description = "What to do with models that are not repulsive at short range." };
        var repulsionWeight = new Option<double>("--repulsion-weight") { HelpName = "λ", Description = "Weight of dimer-repulsion rows in every constant fit (default: 1 for data of several elements, else 0, none): each element pair's dimer must rise in energy as it closes in below the data's distances, or the fit pays for it. A resumed run keeps the value it started with." };
        var screen = new Option<double>("--screen-factor") { DefaultValueFactory = _ => new SearchSettings().ScreenFactor, HelpName = "X", Description = "Screening of offspring: constants first fitted on a quarter of the fitting structures, the full fit only for those within X times the population's median fitness (0: no screening)." };
        var targets = new Option<string>("--targets") { HelpName = "FILE", Description = "Target properties (POET's TargetProperties_0K.data or its JSON form) that become part of the fitness (see --target-mode)." };
        var targetMode = new Option<string>("--target-mode") { DefaultValueFactory = _ => "fitness", HelpName = "fitness|objective", Description = "Targets added to the fitness, or a separate objective of the front." };
        var targetWeight = new Option<double>("--target-weight") { DefaultValueFactory = _ => Properties.TargetObjective.DefaultWeight, HelpName = "W", Description = "How much the targets count against the data (W: every target off by its tolerance adds W/2)." };
        var contenders = new Option<int>("--contenders") { DefaultValueFactory = _ => new SearchSettings().ContenderRefitModels, HelpName = "N", Description = "With --targets: how many sane front models of lowest joint cost (the recommendation's contenders) get the joint refit run on to convergence (0: none)." };
        var contenderRefit = new Option<int>("--contender-refit-evaluations") { DefaultValueFactory = _ => new SearchSettings().ContenderRefitEvaluations, HelpName = "N", Description = "Iterations of the contenders' joint refit (--contenders)." };
        var targetRefit = new Option<int>("--target-refit-evaluations") { DefaultValueFactory = _ => new SearchSettings().TargetRefitEvaluations, HelpName = "N", Description = "Iterations of the final joint refit of front models on data and targets (0: none)." };
        var sanity = new Option<string>("--sanity") { DefaultValueFactory = _ => "penalise", HelpName = "penalise|reject|off", Description = "Physical sanity checks of models that could enter the front (cohesive energy, ground state, Born stability, vacancy, stacking fault)." };
        var groundState = new Option<string>("--ground-state") { HelpName = "fcc|bcc|hcp", Description = "The data's ground-state crystal for the sanity checks (default: identified from the lowest-energy training structure)." };
        var symmetricPairs = new Option<bool>("--symmetric-pairs") { Description = "Several elements: pair functions shared between element pairs (φ_AB = φ_BA, as EAM alloys): every A–B pair term of A's expression has its mirror in B's, with the same constants in every fit. A resumed run keeps the setting it started with." };
        var maxNodes = new Option<int?>("--max-nodes") { HelpName = "N", Description = "Size limit of each element's expression in nodes (default 31, and 14 more for each element beyond two)." };
        var noAmplitudeSolve = new Option<bool>("--no-amplitude-solve") { Description = "Turn off the exact solve of each candidate's amplitudes (the constants its energy is linear in) before its constant fit (on by default). A resumed run keeps the setting it started with." };
        var noPrior = new Option<bool>("--no-prior") { Description = "Turn off the metals prior (a quarter of random trees with the embedded-atom shape Σg + c·(Σh)^p, on by default). A resumed run keeps the setting it started with." };
        var operators = new Option<string>("--operators") { HelpName = "LIST", Description = "Functions the search may use besides + - * / ^, comma-separated: exp, log, sqrt, or all (default: none). A resumed run keeps the operators it started with." };
        var angular = new Option<string>("--angular")
        {
            HelpName = "ORDERS", Arity = ArgumentArity.ZeroOrOne,
            Description = "Let the search use angular densities ang_l(g) = Σ_jk g g P_l(cos θ) (MEAM's partial densities; bcc metals, covalent solids, polyanions): " +
                          "the orders, comma-separated (0,1,2,3 or all; alone: all). 30 % of new sums become angular and a quarter of random trees have the MEAM-like shape. " +
                          "A resumed run keeps the setting it started with.",
        };
        var mutationWeights = new Option<string>("--mutation-weights")
        {
            HelpName = "LIST",
            Description = "Relative weights of the mutations, name=weight comma-separated, the rest at their defaults: point=2, subtree=1, insertion=1, deletion=1, " +
                          "hoist=0.5, add-term=1, remove-term=0.5, jitter=1 (0 turns one off). A resumed run keeps the weights it started with.",
        };
        var priors = new Option<string>("--priors")
        {
            HelpName = "LIST",
            Description = "The random-tree grammar's priors, name=probability comma-separated, the rest at their defaults: eam=0.25 (embedded-atom shape, with the metals prior), " +
                          "any-neighbour=0.3 (several elements: sums over every neighbour), function=0.15 (function nodes, with --operators), power-decay=0 (pair terms r^(a − b·r), the motif of POET's GP1–GP3), inverse-embedding=0 (embedded-atom shapes with a second term a·(b + Σh)^-q, b > 0: dear surfaces, cheap vacancies). A resumed run keeps its priors.",
        };
        var noProperties = new Option<bool>("--no-properties") { Description = "Skip the property suite on every front model at the end (poet front RUN_DIR --properties does it later)." };
        var compare = new Option<string[]>("--compare")
        {
            HelpName = "POTENTIAL", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true,
            Description = "Potentials whose properties are computed beside the front models' at the end (e.g. Cu_mishin1.eam.alloy).",
        };
        var mtpLevels = new Option<string>("--mtp-levels")
        {
            HelpName = "L,L,…",
            Description = "After the search, train one moment tensor potential per level (e.g. 8,12,16) on the run's training data with the run's cutoff and threads, " +
                          "and compare them with the front's closed forms on one front (families.md, families.json, families.png/.svg).",
        };
        var mtpTime = new Option<string>("--mtp-time") { HelpName = "DURATION", Description = "With --mtp-levels: training time of each MTP (per level, default 5m)." };
        var cluster = new Option<string>("--cluster")
        {
            HelpName = "slurm|seed=HOST:PORT",
            Description = "Run the islands on several processes (an Akka.NET cluster; docs/cluster.md): slurm under srun (rank 0 coordinates), or seed=HOST:PORT " +
                          "with --role. Every process needs the run's shared secret (POET_CLUSTER_SECRET or --secret-file).",
        };
        var role = new Option<string>("--role") { HelpName = "coordinator|worker", Description = "With --cluster seed=…: this process coordinates the run (and evolves islands), or only evolves islands (it needs no --data)." };
        var bind = new Option<string>("--bind") { HelpName = "ADDRESS", Description = "With --cluster: the interface this process listens on (default loopback; under Slurm on several nodes, this host's name)." };
        var secretFile = new Option<string>("--secret-file") { HelpName = "FILE", Description = "With --cluster: a file holding the run's shared secret (otherwise the environment variable POET_CLUSTER_SECRET)." };
        var workers = new Option<int?>("--workers") { HelpName = "N", Description = "With --cluster on the coordinator: worker processes to wait for (60 s at most) before the first population (default: the launcher's task count less one, or none)." };
        var joinTimeout = new Option<string>("--join-timeout") { HelpName = "DURATION", Description = "With --cluster on the coordinator: how long to wait for the --workers (default 60s); the run then starts with those that are ready, and later ones join as they come." };
        var checkpoint = new Option<string>("--checkpoint-interval") { DefaultValueFactory = _ => "60s", HelpName = "DURATION", Description = "How often the state is saved." };

        var command = new Command("fit", "Search for potential models (genetic programming on the Pareto front of accuracy, cost and complexity); writes the front, model files, plots and a summary to the run folder.")
        {
            data, validation, split, cutoff, taperInner, time, generations, seed, threads, islands, population, outDir, seedModels, resume,
            optimizer, constantEvaluations, noAmplitudeSolve, fitStructures, finalFitStructures, screen, shortRange, repulsionWeight, noPrior, symmetricPairs, maxNodes, operators, angular, mutationWeights, priors, checkpoint,
            targets, targetMode, targetWeight, targetRefit, contenders, contenderRefit, sanity, groundState, noProperties, compare, mtpLevels, mtpTime,
            cluster, role, bind, secretFile, workers, joinTimeout,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(resume) is null && result.GetResult(data) is null && result.GetResult(cluster) is null) result.AddError("give --data (or --resume RUN_DIR)");
            if (result.GetResult(cluster) is null)
                foreach (var o in new Option[] { role, bind, secretFile, workers, joinTimeout })
                    if (result.GetResult(o) is not null) result.AddError($"{o.Name} applies with --cluster only");
            if (result.GetResult(validation) is not null && result.GetResult(split) is not null) result.AddError("give at most one of --validation and --split");
            if (result.GetResult(mtpTime) is not null && result.GetResult(mtpLevels) is null) result.AddError("--mtp-time applies with --mtp-levels only");
        });
        command.SetAction(parsed =>
        {
            var interval = SearchRunner.ParseDuration(parsed.GetValue(checkpoint)!);
            // The MTP options are checked before the search, so that a typo does not cost a run.
            var levels = parsed.GetValue(mtpLevels) is { } levelText ? ParseLevels(levelText) : [];
            var mtpLimit = parsed.GetValue(mtpTime) is { } mtpText ? SearchRunner.ParseDuration(mtpText) : TimeSpan.FromMinutes(5);
            TimeSpan? limit = parsed.GetValue(time) is { } t ? SearchRunner.ParseDuration(t) : null;
            var maxGenerations = parsed.GetValue(generations);
            ClusterOptions? clusterOptions = null;
            if (parsed.GetValue(cluster) is { } clusterText)
            {
                clusterOptions = ClusterOptions.Parse(clusterText, parsed.GetValue(role), parsed.GetValue(bind), parsed.GetValue(secretFile), parsed.GetValue(threads));
                if (parsed.GetValue(workers) is { } w)
                {
                    if (w < 0) throw new ArgumentException("--workers: the number of worker processes cannot be negative");
                    clusterOptions = clusterOptions with { ExpectedWorkers = w };
                }
                if (parsed.GetValue(joinTimeout) is { } jt) clusterOptions = clusterOptions with { JoinTimeout = SearchRunner.ParseDuration(jt) };
                if (clusterOptions.Role == ClusterRole.Worker) return RunWorker(output, services, clusterOptions);
                if (parsed.GetValue(resume) is null && parsed.GetValue(data) is null) throw new ArgumentException("the coordinator of a cluster run needs --data (or --resume RUN_DIR)");
            }
            ClusterExecutor? executor = null;
            void Log(string line)
            {
                lock (output) output.Error.WriteLine("poet cluster: " + line);
            }
            SearchEngine engine;
            SearchProblem problem;
            string folder;
            if (parsed.GetValue(resume) is { } runDir)
            {
                folder = runDir;
                var path = Path.Combine(runDir, SearchCheckpoint.FileName);
                var (stored, spec, elapsed) = SearchCheckpoint.ReadHeader(path);
                if (spec is null) throw new ArgumentException($"{path}: the checkpoint does not say where its data came from");
                if (parsed.GetValue(noPrior) && stored.MetalsPrior)
                    throw new ArgumentException($"--no-prior: the run in {runDir} was started with the metals prior, and a resumed run keeps the settings it started with");
                if (parsed.GetValue(noAmplitudeSolve) && stored.SolveAmplitudes)
                    throw new ArgumentException($"--no-amplitude-solve: the run in {runDir} was started with the amplitude solve, and a resumed run keeps the settings it started with");
                if (parsed.GetResult(repulsionWeight) is not null && parsed.GetValue(repulsionWeight) != stored.RepulsionWeight)
                    throw new ArgumentException($"--repulsion-weight: the run in {runDir} was started with weight {stored.RepulsionWeight.ToString(System.Globalization.CultureInfo.InvariantCulture)}, and a resumed run keeps the settings it started with");
                if (parsed.GetValue(symmetricPairs) && !stored.SymmetricPairs)
                    throw new ArgumentException($"--symmetric-pairs: the run in {runDir} was started without shared pair functions, and a resumed run keeps the settings it started with");
                if (parsed.GetValue(maxNodes) is { } mn && (stored.Limits?.MaxNodes ?? -1) != mn)
                    throw new ArgumentException($"--max-nodes: the run in {runDir} was started with other size limits, and a resumed run keeps the settings it started with");
                if (parsed.GetResult(angular) is not null && !AngularOrders(parsed.GetValue(angular)).SequenceEqual(stored.Angular?.Orders ?? []))
                    throw new ArgumentException($"--angular: the run in {runDir} was started {(stored.Angular is null ? "without angular densities" : $"with the angular orders {string.Join(",", stored.Angular.Orders)}")}, and a resumed run keeps the settings it started with");
                if (parsed.GetValue(operators) is { } list && !SearchSettings.ParseOperatorSet(list).SequenceEqual(stored.OperatorSet))
                    throw new ArgumentException($"--operators: the run in {runDir} was started with the operators {string.Join(", ", stored.OperatorSet)}, and a resumed run keeps the settings it started with");
                if (parsed.GetValue(mutationWeights) is { } mw && !SameWeights(SearchSettings.ParseMutationWeights(mw), stored.MutationWeights))
                    throw new ArgumentException($"--mutation-weights: the run in {runDir} was started with other mutation weights, and a resumed run keeps the settings it started with");
                if (parsed.GetValue(priors) is { } pr && GrammarPriors.Parse(pr) != stored.Priors)
                    throw new ArgumentException($"--priors: the run in {runDir} was started with other grammar priors, and a resumed run keeps the settings it started with");
                // The data are read again as the run first read them: with its stored type map unless one is given now.
                var given = services.TypeMap();
                if (given is not null && spec.TypeMap is { } storedMap && !given.SequenceEqual(storedMap))
                    throw new ArgumentException($"--type-map: the run in {runDir} read its data with the type map {string.Join(",", storedMap)}");
                Func<string, Data.Dataset> read = given is null && spec.TypeMap is { } map ? p => services.ReadTypedData(p, map) : services.ReadData;
                problem = spec.Problem(read, stored);
                // --time gives more time on top of what the run has used; --generations a new total; neither: the stored limits.
                var settings = stored with
                {
                    Threads = parsed.GetValue(threads),
                    CheckpointInterval = interval,
                    MaxGenerations = maxGenerations ?? stored.MaxGenerations,
                    // Only the end of the run uses it, so a resumed run may change it (or finish again with it: --resume alone
                    // on a run whose limit is reached writes the outputs anew).
                    FinalFitStructures = parsed.Given(finalFitStructures) ? parsed.GetValue(finalFitStructures) : stored.FinalFitStructures,
                    MaxTime = limit is { } more ? elapsed + more : maxGenerations is not null ? null : stored.MaxTime,
                };
                if (clusterOptions != null) executor = ClusterExecutor.StartCoordinator(clusterOptions, settings, spec, problem, Log);
                engine = SearchCheckpoint.Resume(path, problem, settings, executor);
                output.Line($"resuming {runDir} at generation {engine.Generation} ({SearchRunner.Clock(engine.Elapsed)} elapsed)");
                output.Line(SearchRunner.PriorNote(engine.Settings));
                if (SearchRunner.OperatorNote(engine.Settings) is { } resumedOperators) output.Line(resumedOperators);
            }
            else
            {
                folder = parsed.GetValue(outDir)!;
                if (File.Exists(Path.Combine(folder, SearchCheckpoint.FileName)))
                    throw new ArgumentException($"{folder} already holds a run: continue it with --resume {folder} or choose another --out");
                var validationPaths = parsed.GetValue(validation) ?? [];
                var spec = new DataSpec(parsed.GetValue(data)!, validationPaths,
                    validationPaths.Length > 0 ? 0 : parsed.GetValue(split) ?? 0.2, (int)(parsed.GetValue(seed) % int.MaxValue),
                    parsed.GetValue(cutoff), parsed.GetValue(taperInner)) { TypeMap = services.TypeMap()?.ToArray() };
                var settings = new SearchSettings
                {
                    Seed = parsed.GetValue(seed),
                    Threads = parsed.GetValue(threads),
                    Islands = parsed.GetValue(islands) ?? Math.Max(2, Environment.ProcessorCount),
                    PopulationSize = parsed.GetValue(population),
                    OffspringPerGeneration = parsed.GetValue(population),
                    MaxGenerations = maxGenerations ?? 0,
                    MaxTime = limit ?? (maxGenerations is null ? TimeSpan.FromMinutes(5) : null),
                    Optimizer = parsed.GetValue(optimizer)!,
                    ConstantEvaluations = parsed.GetValue(constantEvaluations),
                    SolveAmplitudes = !parsed.GetValue(noAmplitudeSolve),
                    MaxFitStructures = parsed.GetValue(fitStructures),
                    FinalFitStructures = parsed.GetValue(finalFitStructures),
                    ScreenFactor = parsed.GetValue(screen),
                    ShortRange = ParsePolicy(parsed.GetValue(shortRange)!),
                    RepulsionWeight = parsed.GetValue(repulsionWeight),
                    TargetsPath = parsed.GetValue(targets),
                    TargetMode = ParseTargetMode(parsed.GetValue(targetMode)!),
                    TargetWeight = parsed.GetValue(targetWeight),
                    TargetRefitEvaluations = parsed.GetValue(targetRefit),
                    ContenderRefitModels = parsed.GetValue(contenders),
                    ContenderRefitEvaluations = parsed.GetValue(contenderRefit),
                    Sanity = ParseSanity(parsed.GetValue(sanity)!),
                    GroundState = parsed.GetValue(groundState),
                    MetalsPrior = !parsed.GetValue(noPrior),
                    SymmetricPairs = parsed.GetValue(symmetricPairs),
                    Limits = parsed.GetValue(maxNodes) is { } nodes ? TreeLimits.ForNodes(nodes) : null,
                    OperatorSet = parsed.GetValue(operators) is { } list ? SearchSettings.ParseOperatorSet(list) : SearchSettings.DefaultOperatorSet,
                    Angular = parsed.GetResult(angular) is null ? null : new AngularSearch { Orders = AngularOrders(parsed.GetValue(angular)) },
                    CheckpointInterval = interval,
                    SeedModels = parsed.GetValue(seedModels) ?? [],
                    MutationWeights = parsed.GetValue(mutationWeights) is { } mw ? SearchSettings.ParseMutationWeights(mw) : SearchSettings.DefaultMutationWeights,
                    Priors = parsed.GetValue(priors) is { } pr ? GrammarPriors.Parse(pr) : GrammarPriors.Default,
                };
                foreach (var m in settings.SeedModels) Models.ExpressionParser.ParseModel(m);
                settings.Validate();
                problem = spec.Problem(services.ReadData, settings);
                // Data of several elements: dimer-repulsion rows on unless the user set a weight. Random alloy forms are mostly
                // attractive somewhere among the element pairs at short range, where such data hold no distances (docs/search.md).
                if (parsed.GetResult(repulsionWeight) is null && problem.Elements.Count > 1)
                    settings = settings with { RepulsionWeight = SearchSettings.SeveralElementsRepulsionWeight };
                Directory.CreateDirectory(folder);
                output.Line($"searching on {CliOutput.Plural(problem.Training.Count, "training structure", "training structures")}" +
                            (problem.Validation is { } v ? $" and {CliOutput.Plural(v.Count, "validation structure", "validation structures")}" : "") +
                            $": {settings.Islands} islands × {settings.PopulationSize} models, {settings.Threads} threads, " +
                            (settings.MaxTime is { } mt ? $"time limit {SearchRunner.Clock(mt)}" : $"{settings.MaxGenerations} generations"));
                output.Line(SearchRunner.PriorNote(settings));
                if (SearchRunner.OperatorNote(settings) is { } operatorNote) output.Line(operatorNote);
                if (clusterOptions != null) executor = ClusterExecutor.StartCoordinator(clusterOptions, settings, spec, problem, Log);
                engine = new SearchEngine(problem, settings, SearchRunner.FirstPopulation(output), executor) { Data = spec, CheckpointPath = Path.Combine(folder, SearchCheckpoint.FileName) };
            }
            try
            {
                SearchRunner.Run(output, engine, output.Console.Profile.Capabilities.Interactive);
            }
            finally
            {
                // The workers are released as soon as the search ends; the outputs are the coordinator's alone.
                executor?.Dispose();
            }
            if (problem.Physics is { } physics) foreach (var n in physics.Notes) output.Line(n);
            var endStage = System.Diagnostics.Stopwatch.StartNew();
            var front = RunOutputs.Write(folder, engine, problem, string.Join(", ", engine.Data?.Data ?? []), [SearchRunner.PriorNote(engine.Settings), .. SearchRunner.OperatorNote(engine.Settings) is { } operatorSet ? [operatorSet] : Array.Empty<string>(), .. problem.Physics?.Notes ?? []],
                progress: line => output.Error.WriteLine($"poet: {line} ({SearchRunner.Clock(endStage.Elapsed)})"));
            var severalElements = problem.Elements.Count > 1;
            // The MTPs of --mtp-levels are trained first: with targets, the property report then tells which of the
            // recommended model's misses the data allow (an MTP trained on the same data meets them) and which they do not.
            var trained = levels.Length > 0 ? Families(output, folder, front, problem, engine.Settings, levels, mtpLimit) : [];
            if (!parsed.GetValue(noProperties) && !severalElements)
            {
                // Every front model's properties (converged set-ups) beside the targets; the recommendation then uses them.
                var comparisons = (parsed.GetValue(compare) ?? []).Select(services.CreatePotential).ToList();
                var reference = engine.Settings.TargetsPath is { } tp ? Properties.TargetProperties.Read(tp) : null;
                output.Error.WriteLine($"poet: computing the properties of {CliOutput.Plural(front.Front.Count, "front model", "front models")}");
                var result = FrontProperties.Write(folder, new FrontPropertiesOptions
                {
                    Targets = reference, Compare = comparisons, DataReferences = trained, MaxParallelism = engine.Settings.Threads,
                    Progress = line => output.Error.WriteLine("poet: " + line),
                    Rule = new RecommendationRule { TargetWeight = engine.Settings.TargetWeight },
                });
                front = result.Front;
                output.Line();
                PrintFront(output, front);
                FrontCommand.PrintProperties(output, result);
            }
            else
            {
                output.Line();
                PrintFront(output, front);
                if (severalElements && !parsed.GetValue(noProperties))
                    output.Line($"note: the property suite was not run: the models describe {string.Join(", ", problem.Elements)}; " +
                                "poet front RUN_DIR --properties --element X gives one element's properties, poet properties --model M.json a model's");
            }
            FrontCommand.PrintRecommendation(output, front);
            output.Line($"wrote {Path.Combine(folder, RunOutputs.FrontJson)}, front.md, models/, front.png/.svg, history.png/.svg, summary.md, {SearchCheckpoint.FileName}" +
                        (levels.Length > 0 ? $", {FamilyFront.MarkdownFile}, {FamilyFront.JsonFile}, families.png/.svg, models/mtp-LL.json and .mtp" : ""));
            return PoetCli.Success;
        });
        return command;
    }

    /// <summary>
    /// A worker process of a cluster run: it reads the data the coordinator's run specification names (with the type map
    /// stored there, as --resume does) and evolves the islands it is sent until the run ends.
    /// </summary>
    private static int RunWorker(CliOutput output, CliServices services, ClusterOptions options)
    {
        void Log(string line)
        {
            lock (output) output.Error.WriteLine("poet worker: " + line);
        }
        SearchProblem Load(SearchSettings settings, DataSpec spec)
        {
            Func<string, Data.Dataset> read = spec.TypeMap is { } map ? p => services.ReadTypedData(p, map) : services.ReadData;
            return spec.Problem(read, settings);
        }
        using var cancel = new CancellationTokenSource();
        void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            cancel.Cancel();
        }
        Console.CancelKeyPress += OnCancel;
        try
        {
            var code = ClusterExecutor.RunWorker(options, Load, Log, cancel.Token);
            return code == 0 ? PoetCli.Success : code;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancel;
        }
    }

    /// <summary>"8,12,16": MTP levels, each at least 2, no repeats.</summary>
    public static int[] ParseLevels(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var levels = new List<int>();
        foreach (var p in parts)
        {
            if (!int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var level) || level < 2 || level > 28)
                throw new ArgumentException($"--mtp-levels '{text}': '{p}' is not an MTP level (an integer from 2 to 28, e.g. 8,12,16)");
            if (!levels.Contains(level)) levels.Add(level);
        }
        if (levels.Count == 0) throw new ArgumentException($"--mtp-levels '{text}': give at least one level, e.g. 8,12,16");
        return levels.ToArray();
    }

    /// <summary>
    /// --mtp-levels: trains one MTP per level on the run's training data (the run's cutoff, fit-mtp's other defaults, the
    /// run's threads, <paramref name="perLevel"/> each), then puts them and the front's closed forms on one front
    /// (<see cref="FamilyFront"/>) and writes families.md/.json/.png/.svg and models/mtp-LL.json and .mtp. Returns the MTPs as
    /// potentials, the data references of the property report (<see cref="FrontPropertiesOptions.DataReferences"/>).
    /// </summary>
    private static IReadOnlyList<IPotential> Families(CliOutput output, string folder, FrontFile front, SearchProblem problem, SearchSettings settings, int[] levels, TimeSpan perLevel)
    {
        var trained = new List<IPotential>();
        var inv = CultureInfo.InvariantCulture;
        var elements = problem.Elements.ToArray();
        var cutoff = problem.Taper.Outer;
        var candidates = new List<FamilyCandidate>();
        foreach (var e in front.Front)
        {
            var model = Models.ModelFile.Read(Path.Combine(folder, e.ModelFile));
            candidates.Add(new FamilyCandidate(model, $"#{e.Rank}", e.Simplified, e.ModelFile));
        }
        Directory.CreateDirectory(Path.Combine(folder, "models"));
        foreach (var level in levels)
        {
            output.Line($"training a level-{level} MTP for {string.Join(", ", elements)} on {CliOutput.Plural(problem.Training.Count, "training structure", "training structures")}, " +
                        $"cutoff {cutoff.ToString(inv)} Å, for {SearchRunner.Clock(perLevel)}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var last = TimeSpan.Zero;
            var mtp = FamilyFront.TrainMtp(problem.Training.Structures, elements, cutoff, level, perLevel, settings.Threads, (int)(settings.Seed % int.MaxValue), progress: p =>
            {
                if (p.Evaluation != 1 && p.Elapsed - last < TimeSpan.FromSeconds(30)) return;
                last = p.Elapsed;
                output.Line($"  evaluation {p.Evaluation}: energy RMSE {CliOutput.Sig(1000 * p.EnergyRmsePerAtom)} meV/atom, force RMSE {CliOutput.Sig(p.ForceRmse)} eV/Å ({CliOutput.Fixed(p.Elapsed.TotalSeconds, 0)} s)");
            });
            var file = Path.Combine("models", $"mtp-{level:D2}.json");
            Models.ModelFile.Write(Path.Combine(folder, file), mtp, $"poet fit --mtp-levels (level {level}, {CliOutput.Fixed(clock.Elapsed.TotalSeconds, 0)} s) on {front.Data}, {DateTime.UtcNow:yyyy-MM-dd}");
            Mtp.MtpFile.Write(Path.Combine(folder, "models", $"mtp-{level:D2}.mtp"), mtp);
            candidates.Add(new FamilyCandidate(mtp, $"L{level}", $"MTP level {level}: {mtp.Basis.ScalarCount} basis functions, {mtp.RadialParameterCount} radial coefficients", file));
            trained.Add(mtp.CreatePotential());
        }
        output.Line($"measuring every model's cost and errors ({CliOutput.Plural(candidates.Count, "model", "models")})");
        var families = FamilyFront.Compute(candidates, problem.Training, problem.Validation, new FamilyFrontOptions { MaxParallelism = settings.Threads });
        FamilyFront.Write(folder, families);
        output.Line();
        FrontCommand.PrintFamilies(output, families);
        output.Line();
        return trained;
    }

    public static ShortRangePolicy ParsePolicy(string text) => text.ToLowerInvariant() switch
    {
        "penalise" or "penalize" => ShortRangePolicy.Penalise,
        "reject" => ShortRangePolicy.Reject,
        "off" => ShortRangePolicy.Off,
        _ => throw new ArgumentException($"--short-range '{text}': expected penalise, reject or off"),
    };

    public static Properties.SanityPolicy ParseSanity(string text) => text.ToLowerInvariant() switch
    {
        "penalise" or "penalize" => Properties.SanityPolicy.Penalise,
        "reject" => Properties.SanityPolicy.Reject,
        "off" => Properties.SanityPolicy.Off,
        _ => throw new ArgumentException($"--sanity '{text}': expected penalise, reject or off"),
    };

    public static TargetMode ParseTargetMode(string text) => text.ToLowerInvariant() switch
    {
        "fitness" => TargetMode.Fitness,
        "objective" => TargetMode.Objective,
        _ => throw new ArgumentException($"--target-mode '{text}': expected fitness or objective"),
    };

    /// <summary>The front as a console table.</summary>
    public static void PrintFront(CliOutput output, FrontFile front)
    {
        var inv = CultureInfo.InvariantCulture;
        output.Line($"front after {front.Generations} generations, {front.Candidates.ToString("N0", inv)} candidates, {front.Evaluations.ToString("N0", inv)} evaluations, " +
                    $"{SearchRunner.Clock(TimeSpan.FromSeconds(front.ElapsedSeconds))}:");
        var table = CliOutput.NewTable(0, "#", "nodes", "ns/pair", "train E", "train F", "valid E", "valid F", "targets", "short range", "sanity", "model (simplified)");
        foreach (var e in front.Front)
            CliOutput.AddRow(table, e.Rank.ToString(inv) + (e.Rank == front.Recommended ? " ★" : ""), e.Complexity.ToString(inv), CliOutput.Fixed(e.CostPerPair, 1),
                Num(e.Training?.EnergyRmse, 4), Num(e.Training?.ForceRmse, 3), Num(e.Validation?.EnergyRmse, 4), Num(e.Validation?.ForceRmse, 3),
                Num(e.TargetFitness, 3), e.ShortRangePassed ? "ok" : "fails", e.Sanity is null ? "–" : e.Sanity.Passed ? "ok" : "fails", e.Simplified);
        table.Columns[10].LeftAligned();
        output.Console.Write(table);
        output.Line("errors: E in meV/atom, F in eV/Å (RMSE); targets: the target-property term of the fitness; per-group errors and failed sanity checks in front.md");
    }

    private static string Num(double? x, int digits) => x is { } v ? CliOutput.Sig(v, digits) : "–";

    private static bool SameWeights(IReadOnlyDictionary<Operator, double> a, IReadOnlyDictionary<Operator, double> b) =>
        Enum.GetValues<Operator>().All(op => a.GetValueOrDefault(op) == b.GetValueOrDefault(op));

    /// <summary>The orders of --angular: all four when the option is given alone.</summary>
    private static IReadOnlyList<int> AngularOrders(string? value) => string.IsNullOrWhiteSpace(value) ? [0, 1, 2, 3] : AngularSearch.ParseOrders(value);
}
