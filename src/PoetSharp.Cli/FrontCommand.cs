using System.CommandLine;
using PoetSharp.Search;

namespace PoetSharp.Cli;

/// <summary>`poet front RUN_DIR`: prints a finished run's front.</summary>
internal static class FrontCommand
{
    public static Command Create(CliOutput output, CliServices services)
    {
        var run = new Argument<string>("RUN_DIR") { Description = "A run folder written by poet fit or poet demo." };
        var command = new Command("front", "Print the Pareto front of a run (from its front.json).") { run };
        command.SetAction(parsed =>
        {
            FitCommand.PrintFront(output, RunOutputs.Read(parsed.GetValue(run)!));
            return PoetCli.Success;
        });
        return command;
    }
}
