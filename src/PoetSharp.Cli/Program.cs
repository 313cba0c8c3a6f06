using PoetSharp.Cli;

return PoetCli.Run(args, Console.Out, Console.Error, stdoutIsTerminal: !Console.IsOutputRedirected);
