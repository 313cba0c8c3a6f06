using BenchmarkDotNet.Running;

// Run all benchmarks, or pick with --filter, e.g.: dotnet run -c Release --project bench/PoetSharp.Bench -- --filter '*Eam*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
