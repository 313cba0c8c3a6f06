using System.CommandLine;
using PoetSharp.Potentials;

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
        HelpName = "EXPR|FILE",
        Description = "Instead of --potential, a POET model: " + PotentialFactory.ModelHelp,
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
                 (!hasModel || result.GetValue(Model)!.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
            result.AddError("--cutoff and --taper-inner apply to a --model expression only (a model file carries its own taper)");
    });

    /// <summary>The potential the options name: the model (with the taper options) or the potential specification.</summary>
    public IPotential Create(ParseResult parsed, CliServices services) =>
        parsed.GetValue(Model) is { } model
            ? services.CreateModel(model, new Taper(parsed.GetValue(TaperInner), parsed.GetValue(Cutoff)))
            : services.CreatePotential(parsed.GetValue(Potential)!);
}
