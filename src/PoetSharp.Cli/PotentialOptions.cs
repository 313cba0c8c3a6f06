using System.CommandLine;
using PoetSharp.Potentials;
using PoetSharp.Search;

namespace PoetSharp.Cli;

/// <summary>
/// The options that choose what to compute with, shared by the commands that take a potential: `--potential SPEC` or
/// `--model EXPR|FILE`, with `--cutoff` and `--taper-inner` for a model given as an expression.
/// </summary>
internal sealed class PotentialOptions
{
    public readonly Option<string> Potential = new("--potential", "-p")
    {
        HelpName = "SPEC",
        Description = "The potential: " + PotentialFactory.Help,
    };
    public readonly Option<string> Model = new("--model", "-m")
    {
        HelpName = "EXPR|FILE|RUN_DIR",
        Description = "Instead of --potential, a POET model: " + PotentialFactory.ModelHelp + " " + RunFolderHelp,
    };
    public readonly Option<double> Cutoff = new("--cutoff")
    {
        HelpName = "Å",
        DefaultValueFactory = _ => 5.0,
        Description = "For a --model expression: the cutoff, where the taper reaches zero (Å).",
    };
    public readonly Option<double> TaperInner = new("--taper-inner")
    {
        HelpName = "Å",
        DefaultValueFactory = _ => 3.0,
        Description = "For a --model expression: where the taper starts to fall from 1 (Å).",
    };

    /// <summary>Adds the four options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Potential, Model, Cutoff, TaperInner }) command.Options.Add(option);
    }

    /// <summary>Requires exactly one of --potential and --model, and the taper options only with a model expression.</summary>
    public void AddValidator(Command command) => command.Validators.Add(result =>
    {
        var hasPotential = result.GetResult(Potential) is not null;
        var hasModel = result.GetResult(Model) is not null;
        if (hasPotential == hasModel) result.AddError("give exactly one of --potential and --model");
        else if ((result.GetResult(Cutoff) is not null || result.GetResult(TaperInner) is not null) &&
                 (!hasModel || CarriesItsTaper(result.GetValue(Model)!)))
            result.AddError("--cutoff and --taper-inner apply to a --model expression only (a model file carries its own taper)");
    });

    /// <summary>The potential the options name: the model (with the taper options) or the potential specification.</summary>
    public IPotential Create(ParseResult parsed, CliServices services, CliOutput output) =>
        parsed.GetValue(Model) is { } model
            ? services.CreateModel(ResolveModel(model, output), new Taper(parsed.GetValue(TaperInner), parsed.GetValue(Cutoff)))
            : services.CreatePotential(parsed.GetValue(Potential)!);

    public const string RunFolderHelp = "Or a run folder of poet fit (holding front.json): its recommended model.";

    /// <summary>A model file, or a run folder standing for one: these carry their own taper.</summary>
    public static bool CarriesItsTaper(string model) => model.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || Directory.Exists(model);

    /// <summary>
    /// A --model value naming a folder is a run folder: it stands for the file of its recommended model (or, in a front
    /// written before recommendations, the lowest validation fitness), and the choice is said on stderr, which keeps stdout
    /// for tables and JSON. Anything else is returned as it is.
    /// </summary>
    public static string ResolveModel(string model, CliOutput output)
    {
        if (!Directory.Exists(model)) return model;
        var choice = Recommendation.ModelOf(model);
        output.Error.WriteLine($"poet: using {choice.Description}");
        return choice.ModelPath;
    }
}
