using System.Diagnostics;
using System.Globalization;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// Runs a complete LAMMPS input script (for relaxations and strain sequences that the run-0 harness in Support/Lammps.cs
/// does not cover) and reads back the numbers it prints as "key value" lines into result.txt.
/// </summary>
public static class LammpsBulkScript
{
    /// <summary>Mishin's Cu EAM (Phys. Rev. B 63, 224106), the potential the properties are verified on.</summary>
    public static string MishinCu => Lammps.Potential("Cu_mishin1.eam.alloy");

    /// <summary>The lines that set up Mishin's Cu for a box of one atom type.</summary>
    public static string MishinSetup => $"mass 1 63.546\npair_style eam/alloy\npair_coeff * * {MishinCu} Cu\n";

    /// <summary>
    /// Runs the script (units metal, atom_style atomic are prepended) and returns the values written by lines
    /// <c>print "key $(expr:%.17g)" append result.txt screen no</c>.
    /// </summary>
    public static Dictionary<string, double> Run(string script)
    {
        var dir = TestData.TempDir();
        File.WriteAllText(Path.Combine(dir, "in.lmp"), "units metal\natom_style atomic\n" + script);
        var psi = new ProcessStartInfo(Lammps.Executable)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-in", "in.lmp", "-log", "log.lammps", "-screen", "none", "-nocite" }) psi.ArgumentList.Add(a);
        psi.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {Lammps.Executable}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"LAMMPS did not finish within 5 minutes (work folder {dir})");
        }
        var resultFile = Path.Combine(dir, "result.txt");
        if (process.ExitCode != 0 || !File.Exists(resultFile))
        {
            var log = Path.Combine(dir, "log.lammps");
            var tail = File.Exists(log) ? string.Join("\n", File.ReadLines(log).TakeLast(30)) : "(no log)";
            throw new InvalidOperationException($"LAMMPS failed (exit code {process.ExitCode}, work folder {dir}).\n{tail}\n{stdout.Result}{stderr.Result}");
        }
        var values = new Dictionary<string, double>();
        foreach (var line in File.ReadAllLines(resultFile))
        {
            var t = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (t.Length == 2) values[t[0]] = double.Parse(t[1], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        Directory.Delete(dir, recursive: true);
        return values;
    }

    /// <summary>A print line that appends "key value" to result.txt.</summary>
    public static string Print(string key, string expression) => $"print \"{key} $({expression}:%.17g)\" append result.txt screen no\n";
}
