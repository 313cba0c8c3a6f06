using PoetSharp.Cli;
using PoetSharp.Data;
using PoetSharp.Potentials;

namespace PoetSharp.Tests.Cli;

/// <summary>Runs `poet` in-process and captures its exit code and output.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static CliRun Of(params string[] args) => Run(args, CliServices.Default);

    public static CliRun Run(string[] args, CliServices services)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = PoetCli.Run(args, stdout, stderr, stdoutIsTerminal: false, services);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Asserts the one-line error form: `poet: error: …`, no stack trace.</summary>
    public void AssertOneLineError(int exitCode)
    {
        Assert.Equal(exitCode, ExitCode);
        var lines = Stderr.TrimEnd().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("poet: error: ", lines[0]);
        Assert.DoesNotContain("   at ", Stderr);
    }
}

/// <summary>Library calls replaced by in-memory data sets and a test potential, for testing the commands' wiring.</summary>
internal sealed class FakeServices
{
    public Dictionary<string, Dataset> Data { get; } = new();
    public Dictionary<string, Dataset> Written { get; } = new();
    /// <summary>The working folder the commands see (null: the process's).</summary>
    public string? WorkingFolder { get; init; }

    public CliServices Services => new(
        path => Data.TryGetValue(path, out var d) ? d : DataFiles.Read(path),
        (path, data) => Written[path] = data,
        spec => spec == "springs" ? new Evaluation.SpringPotential(species: "Cu") : PotentialFactory.Create(spec),
        PotentialFactory.CreateModel)
    {
        WorkingFolder = WorkingFolder is { } folder ? () => folder : Directory.GetCurrentDirectory,
    };

    public CliRun Run(params string[] args) => CliRun.Run(args, Services);
}
