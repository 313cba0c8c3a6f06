using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Learning;

namespace PoetSharp.Cli;

/// <summary>
/// `poet select`: active selection from a pool of structures (MLIP's select-add): which pool structures extend a model's
/// training set in the D-optimality sense, written out to be labelled or trained on.
/// </summary>
internal static class SelectCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliOutput output, CliServices services)
    {
        var model = new Option<string>("--model", "-m") { HelpName = "FILE", Description = "The model whose extrapolation grade decides: an MLIP .mtp file (--type-map names its species) or a model file (.json) of either family.", Required = true };
        var training = new Option<string[]>("--data", "-d") { HelpName = "PATH", Arity = ArgumentArity.OneOrMore, Description = "The model's training data (its active set is built from these): " + DataFiles.ReadableFormats + ".", Required = true };
        var pool = new Option<string[]>("--pool") { HelpName = "PATH", Arity = ArgumentArity.OneOrMore, Description = "Structures to choose from (labelled or not; any readable format).", Required = true };
        var gradeBy = new Option<string>("--grade-by") { DefaultValueFactory = _ => "configuration", HelpName = "configuration|neighbourhood", Description = "Rows of the active set: one per configuration (MLIP's default), or one per atomic neighbourhood (finds one unusual atom in a large cell)." };
        var threshold = new Option<double>("--threshold") { DefaultValueFactory = _ => 1.1, HelpName = "γ", Description = "A pool structure is a candidate while its grade exceeds this (≥ 1; 1.1 leaves a margin so that rounding never picks a copy of the training data)." };
        var rule = new Option<string>("--rule") { DefaultValueFactory = _ => "rounds", HelpName = "rounds|covering", Description = "rounds: every structure whose rows MaxVol swaps in, round after round (MLIP's select-add; for a pool already labelled); covering: the fewest, greedily, after which no pool structure grades above the threshold (for choosing what to send to DFT; poet learn's batches)." };
        var max = new Option<int>("--max") { DefaultValueFactory = _ => 0, HelpName = "N", Description = "Choose at most N structures (0: as many as extend the active set)." };
        var virtualRows = new Option<double>("--virtual-row-size") { DefaultValueFactory = _ => ActiveSet.DefaultVirtualRowSize, HelpName = "λ", Description = "Size of the active set's virtual rows in directions the training data leave unexplored (as poet learn)." };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => -1, HelpName = "N", Description = "Cores to use (−1: all)." };
        var grades = new Option<string>("--grades") { HelpName = "FILE.csv", Description = "Also write every pool structure's grade against the training set (index, group, name, atoms, grade, chosen)." };
        var outFile = new Option<string>("--out", "-o") { DefaultValueFactory = _ => "selected.xyz", HelpName = "FILE", Description = "Where the chosen structures go, with their labels: extended XYZ (.xyz) or MLIP configurations (.cfg)." };

        var command = new Command("select", "Choose the structures of a pool that extend a model's training data (D-optimality / MaxVol, as MLIP's select-add): the pool is graded against the training set's active set, and the structures that enlarge it most are written out, round after round, until no pool structure grades above the threshold.")
        {
            model, training, pool, gradeBy, threshold, rule, max, virtualRows, threads, grades, outFile,
        };
        command.SetAction(parsed =>
        {
            var clock = Stopwatch.StartNew();
            var trained = parsed.GetValue(training)!.SelectMany(p => services.ReadData(p).Structures).ToArray();
            var candidates = parsed.GetValue(pool)!.SelectMany(p => services.ReadData(p).Structures).ToArray();
            var modelPath = parsed.GetValue(model)!;
            var elements = services.TypeMap()?.ToArray() ?? ElementEnergies.ElementsOf(trained.Concat(candidates)).ToArray();
            var chosenModel = LearnCommand.ReadModel(modelPath, elements);
            var mode = LearnCommand.ParseGradeMode(parsed.GetValue(gradeBy)!);
            var features = ExtrapolationFeatures.For(chosenModel, mode);
            var gamma = parsed.GetValue(threshold);
            var covering = parsed.GetValue(rule)!.Trim().ToLowerInvariant() switch
            {
                "rounds" => false,
                "covering" => true,
                var other => throw new ArgumentException($"--rule '{other}': expected rounds or covering"),
            };
            output.Line($"model {modelPath} ({chosenModel.Family}, {features.Width} linear parameters); training: {CliOutput.Plural(trained.Length, "structure", "structures")}; " +
                        $"pool: {CliOutput.Plural(candidates.Length, "structure", "structures")}; grades by {mode.ToString().ToLowerInvariant()}, threshold γ = {gamma.ToString("G4", Inv)}, {(covering ? "covering" : "rounds")}");
            if (candidates.Length == 0) throw new ArgumentException("the pool holds no structures");

            var result = PoolSelection.Select(features, trained, candidates, gamma, parsed.GetValue(max), parsed.GetValue(threads), parsed.GetValue(virtualRows), output.Line, covering);
            var selected = result.Selected.Select(k => candidates[k]).ToList();
            var path = parsed.GetValue(outFile)!;
            services.WriteData(path, new Dataset(selected, path));

            var table = CliOutput.NewTable(1, "pool group", "structures", "above γ", "largest γ", "chosen");
            var isChosen = new bool[candidates.Length];
            foreach (var k in result.Selected) isChosen[k] = true;
            foreach (var g in Enumerable.Range(0, candidates.Length).GroupBy(k => candidates[k].Group))
                CliOutput.AddRow(table, CliOutput.GroupName(g.Key), CliOutput.Int(g.Count()), CliOutput.Int(g.Count(k => !(result.Grades[k] <= gamma))),
                    CliOutput.Sig(g.Max(k => result.Grades[k])), CliOutput.Int(g.Count(k => isChosen[k])));
            output.Console.Write(table);
            output.Line($"chose {CliOutput.Plural(selected.Count, "structure", "structures")} ({CliOutput.Plural(selected.Sum(s => s.Count), "atom", "atoms")}) of the " +
                        $"{CliOutput.Int(result.AboveThreshold(gamma))} graded above γ = {gamma.ToString("G4", Inv)}, in {CliOutput.Plural(result.Rounds, "round", "rounds")}" +
                        (result.Remaining > 0 ? $"; {CliOutput.Int(result.Remaining)} still above it (--max reached)" : "; none left above it") +
                        $"; wrote {path} ({clock.Elapsed.TotalSeconds:0.#} s)");

            if (parsed.GetValue(grades) is { } gradesPath)
            {
                using var w = new StreamWriter(gradesPath);
                w.WriteLine("index,group,name,atoms,grade,chosen");
                for (var k = 0; k < candidates.Length; k++)
                    w.WriteLine(string.Join(',', k.ToString(Inv), Csv(candidates[k].Group), Csv(candidates[k].Name), candidates[k].Count.ToString(Inv),
                        result.Grades[k].ToString("R", Inv), isChosen[k] ? "1" : "0"));
            }
            return PoetCli.Success;
        });
        return command;
    }

    private static string Csv(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
