using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PoetSharp.Search;

namespace PoetSharp.Cli;

/// <summary>
/// `poet demo`: POET's headline experiment. Searches the shipped EAM_Cu data (generated with Sutton–Chen copper and the
/// 3–5 Å taper) from random trees, stops as soon as the front holds Sutton–Chen (<see cref="SuttonChenRecovery"/>) or
/// the time runs out, and prints the recovered model beside the true one. `--target lj` does the same for Lennard-Jones
/// argon from the LJ_Ar data (<see cref="LennardJonesRecovery"/>).
/// <para>
/// The search does not know the answer: at each epoch's end it polishes the constants of the
/// <see cref="PolishedPerEpoch"/> front models most accurate on the validation set (chosen by fitness alone, never by
/// their form), and only then asks the rediscovery check whether one of them is the true potential. The metals prior of
/// the grammar is on by default and reported; `--no-prior` turns it off.
/// </para>
/// </summary>
internal static class DemoCommand
{
    /// <summary>Front models whose constants are polished at each epoch's end: the most accurate on validation fitness.</summary>
    internal const int PolishedPerEpoch = 3;

    public static Command Create(CliOutput output, CliServices services)
    {
        var target = new Option<string>("--target") { DefaultValueFactory = _ => "sc", HelpName = "sc|lj|alloy", Description = "What to rediscover: sc (Sutton–Chen copper from EAM_Cu), lj (Lennard-Jones argon from LJ_Ar) or alloy (the Rafii-Tabar–Sutton Cu–Ni alloy from data/alloy/CuNi_RTS)." };
        var data = new Option<string>("--data") { HelpName = "PATH", Description = "The data (default: data/poet/EAM_Cu, data/poet/LJ_Ar or data/alloy/CuNi_RTS/CuNi_RTS.xyz of the repository)." };
        var time = new Option<string>("--time") { DefaultValueFactory = _ => "5m", HelpName = "DURATION", Description = "Time limit." };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 1UL, Description = "Seed of the search." };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => Environment.ProcessorCount, HelpName = "N", Description = "Islands evolved at once." };
        var outDir = new Option<string>("--out") { DefaultValueFactory = _ => "demo-run", HelpName = "DIR", Description = "Run folder." };
        var seedModels = new Option<string[]>("--seed-model") { HelpName = "EXPR", Arity = ArgumentArity.OneOrMore, Description = "Put a known form in the first population (then it is no rediscovery)." };
        var noPrior = new Option<bool>("--no-prior") { Description = "Turn off the metals prior (random trees with the embedded-atom shape Σg + c·(Σh)^p, on by default)." };
        var command = new Command("demo", "Rediscover Sutton–Chen copper from the EAM_Cu data (POET's headline experiment), or Lennard-Jones argon from LJ_Ar, and compare with the true form.")
        {
            target, data, time, seed, threads, outDir, seedModels, noPrior,
        };
        command.SetAction(parsed =>
        {
            var folder = parsed.GetValue(outDir)!;
            var goal = RecoveryTarget.Parse(parsed.GetValue(target)!);
            var path = parsed.GetValue(data) ?? FindData(goal.DataFolder, services.WorkingFolder(), AppContext.BaseDirectory);
            var spec = new DataSpec([path], [], 0.2, (int)(parsed.GetValue(seed) % int.MaxValue), goal.Taper.Outer, goal.Taper.Inner);
            var settings = DemoSettings(parsed.GetValue(seed), parsed.GetValue(threads), SearchRunner.ParseDuration(parsed.GetValue(time)!), parsed.GetValue(seedModels) ?? [])
                with { Weights = goal.Weights, MetalsPrior = !parsed.GetValue(noPrior) };
            var problem = spec.Problem(services.ReadData, settings);
            if (File.Exists(Path.Combine(folder, SearchCheckpoint.FileName))) File.Delete(Path.Combine(folder, SearchCheckpoint.FileName));
            Directory.CreateDirectory(folder);
            output.Line($"rediscovering {goal.Name} from {path}: {CliOutput.Plural(problem.Training.Count, "training structure", "training structures")}, " +
                        $"{settings.Islands} islands × {settings.PopulationSize} models on {settings.Threads} threads, up to {SearchRunner.Clock(settings.MaxTime!.Value)}" +
                        (settings.SeedModels.Count > 0 ? " (seeded with --seed-model: not a rediscovery)" : ""));
            output.Line(SearchRunner.PriorNote(settings));
            var clock = Stopwatch.StartNew();
            var found = TimeSpan.Zero;
            Models.Expression? recovered = null;
            var polished = new HashSet<ulong>();
            var engine = new SearchEngine(problem, settings, SearchRunner.FirstPopulation(output))
            {
                Data = spec,
                CheckpointPath = Path.Combine(folder, SearchCheckpoint.FileName),
                // The most accurate front models (whose exponents the search's short fits may have left a few per cent
                // off) get their constants polished, then judged. They are chosen by validation fitness alone: picking
                // them by their form would use the answer the demo is meant to find.
                StopWhen = front =>
                {
                    foreach (var c in front.OrderBy(c => c.ValidationFitness).Take(PolishedPerEpoch))
                    {
                        if (!polished.Add(Models.ExpressionHash.Exact(c.Expression))) continue;
                        var model = problem.Polish(c.Expression, settings, 300);
                        if (!goal.Check(model, problem.Taper).Found) continue;
                        recovered = model;
                        found = clock.Elapsed;
                        return true;
                    }
                    return false;
                },
            };
            SearchRunner.Run(output, engine, output.Console.Profile.Capabilities.Interactive);
            var searched = clock.Elapsed;
            var front = RunOutputs.Write(folder, engine, problem, path, [SearchRunner.PriorNote(settings)]);
            var shown = recovered ?? problem.Polish(engine.Front.MinBy(c => c.ValidationFitness)!.Expression, settings, 300);
            var verdict = goal.Check(shown, problem.Taper);
            // Shown without vestigial terms, unless dropping them loses the verdict.
            var pruned = problem.Prune(shown, settings, 100);
            var prunedVerdict = goal.Check(pruned, problem.Taper);
            if (prunedVerdict.Found || !verdict.Found) (shown, verdict) = (pruned, prunedVerdict);
            // Found only by the final polish (the search ran out of time first): it took the whole search.
            if (verdict.Found && recovered == null) found = searched;
            output.Line();
            FitCommand.PrintFront(output, front);
            output.Line();
            output.Line($"true:      {goal.TrueForm}");
            output.Line($"recovered: {shown}");
            output.Line($"           {verdict.Detail}");
            var inv = CultureInfo.InvariantCulture;
            output.Line(verdict.Found
                ? $"found: yes, after {found.TotalSeconds.ToString("F1", inv)} s ({engine.Generation} generations, {engine.Evaluations.ToString("N0", inv)} evaluations)"
                : $"found: no, within {searched.TotalSeconds.ToString("F1", inv)} s ({engine.Generation} generations); the most accurate model is shown");
            output.Line($"prior: {(settings.MetalsPrior ? "on" : "off")}");
            output.Line($"evaluations: {engine.Evaluations.ToString("N0", inv)} objective evaluations ({engine.CandidatesEvaluated.ToString("N0", inv)} candidates) in " +
                        $"{searched.TotalSeconds.ToString("F1", inv)} s: {(engine.Evaluations / Math.Max(searched.TotalSeconds, 1e-3)).ToString("F0", inv)} evaluations/s");
            return PoetCli.Success;
        });
        return command;
    }

    /// <summary>The demo's search: the default settings (no knowledge of the answer), with short epochs.</summary>
    internal static SearchSettings DemoSettings(ulong seed, int threads, TimeSpan time, IReadOnlyList<string> seedModels) => new()
    {
        Seed = seed,
        Threads = threads,
        Islands = Math.Max(2, threads),
        MaxTime = time,
        SeedModels = seedModels,
        CheckpointInterval = TimeSpan.FromSeconds(60),
        // Shorter epochs: the stop test (is Sutton–Chen on the front?) runs at each epoch's end.
        MigrationInterval = 2,
    };

    /// <summary>
    /// The shipped data data/NAME (a folder or a file), looked for in each start folder and its parents in turn: the demo passes
    /// the current folder and the program's own folder, so that it finds the repository's data when run from inside the
    /// repository or from anywhere else with a program built there.
    /// </summary>
    internal static string FindData(string name, params string[] starts)
    {
        foreach (var start in starts)
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data", name);
                if (Directory.Exists(candidate) || File.Exists(candidate)) return candidate;
            }
        throw new ArgumentException($"the demo's data (data/{name} of the PoetSharp repository) were not found in or above " +
                                    $"{string.Join(" or ", starts.Select(s => Path.TrimEndingDirectorySeparator(Path.GetFullPath(s))))}; give --data PATH");
    }
}
