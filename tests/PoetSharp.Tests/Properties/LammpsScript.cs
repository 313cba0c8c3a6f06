using System.Diagnostics;
using System.Globalization;
using System.Text;
using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// Runs hand-written LAMMPS input scripts (minimize, neb, change_box …) for the defect, surface and stacking-fault
/// references, and reads back the numbers the script prints as "name value" lines into result.txt.
/// Multi-replica runs (neb) go through mpirun with one process per partition.
/// </summary>
internal static class LammpsScript
{
    public static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>eV/Å² in J/m².</summary>
    public const double EvPerA2InJPerM2 = 16.021766208;

    /// <summary>LAMMPS's conjugate-gradient minimisation to forces of 1e-10 eV/Å (in practice to its line-search limit).</summary>
    public const string Minimize = "min_style cg\nminimize 0 1e-10 100000 1000000\n";

    /// <summary>Mishin's Cu EAM read by our code from the file LAMMPS uses (read once).</summary>
    public static IPotential MishinEam => MishinEamFile.Value;

    private static readonly Lazy<IPotential> MishinEamFile = new(() => PotentialFactory.Create(Lammps.Potential("Cu_mishin1.eam.alloy")));

    /// <summary>The pair lines of the Mishin Cu EAM (the potential all these references use).</summary>
    public static string MishinPair =>
        $"mass 1 63.546\npair_style eam/alloy\npair_coeff * * {Lammps.Potential("Cu_mishin1.eam.alloy")} Cu\n";

    /// <summary>Prints a thermo quantity (or any equal-style expression) at full precision as a result line.</summary>
    public static string Print(string name, string expression) =>
        $"print \"{name} $({expression}:%.17g)\" append result.txt screen no\n";

    /// <summary>
    /// A one-type LAMMPS data file of a structure whose cell already has LAMMPS's restricted form
    /// (A along x, B in the xy plane, C with positive z); positions are written as they are (LAMMPS wraps them).
    /// </summary>
    public static string DataFile(Structure s)
    {
        var (a, b, c) = (s.Cell.A, s.Cell.B, s.Cell.C);
        if (a.Y != 0 || a.Z != 0 || b.Z != 0 || !(c.Z > 0) || !(a.X > 0) || !(b.Y > 0))
            throw new ArgumentException("the cell is not in LAMMPS's restricted triclinic form");
        var sb = new StringBuilder();
        sb.AppendLine("written by the PoetSharp defect tests").AppendLine();
        sb.AppendLine($"{s.Count} atoms").AppendLine("1 atom types").AppendLine();
        sb.AppendLine($"0 {F(a.X)} xlo xhi").AppendLine($"0 {F(b.Y)} ylo yhi").AppendLine($"0 {F(c.Z)} zlo zhi");
        sb.AppendLine($"{F(b.X)} {F(c.X)} {F(c.Y)} xy xz yz").AppendLine();
        sb.AppendLine("Atoms # atomic").AppendLine();
        for (var i = 0; i < s.Count; i++)
        {
            var p = s.Positions[i];
            sb.AppendLine($"{i + 1} 1 {F(p.X)} {F(p.Y)} {F(p.Z)}");
        }
        return sb.ToString();
    }

    /// <summary>Header lines common to the scripts.</summary>
    public const string Header = "units metal\natom_style atomic\natom_modify map array\nboundary p p p\nbox tilt large\n";

    /// <summary>
    /// Runs <paramref name="script"/> (written as in.lmp, beside <paramref name="files"/>) and returns the printed values.
    /// With more than one partition, runs mpirun -np P lmp -partition Px1.
    /// </summary>
    public static LammpsOutput Run(string script, IReadOnlyDictionary<string, string>? files = null, int partitions = 1, bool expectResult = true)
    {
        var dir = TestData.TempDir();
        File.WriteAllText(Path.Combine(dir, "in.lmp"), script);
        foreach (var (name, text) in files ?? new Dictionary<string, string>()) File.WriteAllText(Path.Combine(dir, name), text);
        var psi = partitions > 1 ? new ProcessStartInfo("mpirun") : new ProcessStartInfo(Lammps.Executable);
        if (partitions > 1)
            foreach (var arg in new[] { "--allow-run-as-root", "--oversubscribe", "-np", partitions.ToString(CultureInfo.InvariantCulture), Lammps.Executable, "-partition", $"{partitions}x1" })
                psi.ArgumentList.Add(arg);
        foreach (var arg in new[] { "-in", "in.lmp", "-log", "log.lammps", "-screen", "none", "-nocite" }) psi.ArgumentList.Add(arg);
        psi.WorkingDirectory = dir;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start LAMMPS");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"LAMMPS did not finish in 5 minutes (work folder {dir})");
        }
        var result = Path.Combine(dir, "result.txt");
        if (process.ExitCode != 0 || (expectResult && !File.Exists(result)))
        {
            var log = Path.Combine(dir, "log.lammps");
            var tail = File.Exists(log) ? string.Join("\n", File.ReadLines(log).TakeLast(30)) : "(no log)";
            throw new InvalidOperationException($"LAMMPS failed (exit {process.ExitCode}, folder {dir})\n{tail}\n{stdout.Result}{stderr.Result}");
        }
        var values = new Dictionary<string, double>();
        foreach (var line in File.Exists(result) ? File.ReadAllLines(result) : [])
        {
            var t = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (t.Length == 2) values[t[0]] = double.Parse(t[1], CultureInfo.InvariantCulture);
        }
        return new LammpsOutput(values, dir);
    }
}

/// <summary>The values a script printed, and its work folder (for its logs).</summary>
internal sealed record LammpsOutput(IReadOnlyDictionary<string, double> Values, string Folder)
{
    public double this[string name] => Values.TryGetValue(name, out var v) ? v
        : throw new InvalidOperationException($"LAMMPS printed no '{name}' (folder {Folder})");
}
