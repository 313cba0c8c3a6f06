using System.Diagnostics;
using Xunit.Sdk;

namespace PoetSharp.Tests.Support;

/// <summary>Runs Python scripts with the system interpreter that has ASE 3.22 (/usr/bin/python3, not the pyenv one on PATH).</summary>
public static class AsePython
{
    public const string Interpreter = "/usr/bin/python3";

    private static readonly Lazy<string?> Unavailable = new(Probe);

    /// <summary>Why ASE cannot be used here, or null when it can.</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    private static string? Probe()
    {
        if (!File.Exists(Interpreter)) return $"{Interpreter} does not exist";
        try
        {
            var (code, _, stderr) = Execute("import ase, numpy", [], TimeSpan.FromSeconds(60));
            return code == 0 ? null : $"{Interpreter} cannot import ase: {stderr.Trim()}";
        }
        catch (Exception e)
        {
            return $"{Interpreter} cannot be run: {e.Message}";
        }
    }

    /// <summary>Runs the script with the given arguments and returns its standard output; fails the test with its standard error if it fails or hangs.</summary>
    public static string Run(string script, params string[] args)
    {
        var (code, stdout, stderr) = Execute(script, args, TimeSpan.FromSeconds(120));
        if (code != 0)
            throw new XunitException($"python exited with code {code}.\n--- stderr ---\n{stderr}\n--- stdout ---\n{stdout}");
        return stdout;
    }

    private static (int Code, string Stdout, string Stderr) Execute(string script, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Keep user site packages and PYTHONPATH from changing which ASE is imported.
        psi.Environment["PYTHONNOUSERSITE"] = "1";
        psi.Environment.Remove("PYTHONPATH");
        psi.Environment.Remove("PYTHONHOME");

        using var process = Process.Start(psi) ?? throw new XunitException($"cannot start {Interpreter}");
        // Read both streams concurrently so that a full pipe cannot block the child.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new XunitException($"python did not finish within {timeout.TotalSeconds} s");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

