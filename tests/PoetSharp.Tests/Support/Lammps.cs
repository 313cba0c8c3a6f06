using System.Diagnostics;
using System.Globalization;
using System.Text;
using PoetSharp.Atoms;

namespace PoetSharp.Tests.Support;

/// <summary>
/// A LAMMPS interaction: the pair_style line and the pair_coeff lines (without the command words). In pair_coeff
/// lines "{elements}" becomes the element symbols in type order and "{type:El}" the type number of element El.
/// <see cref="Elements"/>, if given, fixes the atom types (type k+1 = Elements[k]) so that every element of the
/// potential has a type even when the structure lacks it.
/// </summary>
public sealed record LammpsPair(string Style, IReadOnlyList<string> Coeffs, IReadOnlyList<string>? Elements = null)
{
    /// <summary>A KIM portable model: the script uses "kim init NAME metal" and "kim interactions {elements}" instead of units and pair_style.</summary>
    public string? KimModel { get; init; }

    public static LammpsPair Kim(string model, params string[] elements) => new("kim", [], elements) { KimModel = model };

    /// <summary>
    /// pair_style eam / eam/alloy / eam/fs for a LAMMPS EAM file, chosen by its name as <see cref="PoetSharp.Potentials.Eam.FromFile"/> does.
    /// Funcfl files (one or more, each for the element named by its atomic number) each get a "pair_coeff i i file".
    /// </summary>
    public static LammpsPair Eam(params string[] files)
    {
        var eam = files.Length == 1 ? PoetSharp.Potentials.Eam.FromFile(files[0]) : PoetSharp.Potentials.Eam.ReadFuncfl(files);
        var elements = eam.Species!.ToArray();
        var path = Path.GetFullPath(files[0]);
        return eam.Format switch
        {
            PoetSharp.Potentials.EamFormat.Funcfl => new("eam",
                files.Select((f, k) => $"{{type:{elements[k]}}} {{type:{elements[k]}}} {Path.GetFullPath(f)}").ToArray(), elements),
            PoetSharp.Potentials.EamFormat.Setfl => new("eam/alloy", [$"* * {path} {{elements}}"], elements),
            _ => new("eam/fs", [$"* * {path} {{elements}}"], elements),
        };
    }
}

/// <summary>What LAMMPS computed for a structure, in PoetSharp's frame and units.</summary>
/// <param name="Energy">Total potential energy (eV).</param>
/// <param name="AtomEnergies">Per-atom energies from compute pe/atom (eV).</param>
/// <param name="Forces">Forces (eV/Å) in the structure's frame.</param>
/// <param name="Stress">Virial stress in eV/Å³, tensile positive (zero unless the structure is fully periodic).</param>
/// <param name="Virial">The virial W = Σ r⊗f (eV), i.e. −V·σ, as <see cref="PoetSharp.Potentials.PotentialResult.Virial"/>.</param>
/// <param name="TypeElements">Element of each LAMMPS atom type (type k+1 = TypeElements[k]).</param>
public sealed record LammpsResult(double Energy, double[] AtomEnergies, Vec3[] Forces, Stress Stress, Stress Virial,
    IReadOnlyList<string> TypeElements);

/// <summary>
/// Runs LAMMPS (/usr/bin/lmp, or $POET_LAMMPS) on a structure with "run 0" and reads back the energy, per-atom
/// energies, forces and stress at full precision.
///
/// LAMMPS wants a restricted triclinic box (a ∥ x, b in the xy plane, right-handed, tilts at most half a box
/// length). The cell is therefore rotated (and c flipped if the cell is left-handed, and b, c reduced by lattice
/// vectors — all of which leave the periodic structure unchanged); forces and stress are rotated back.
/// Non-periodic directions become fixed ('f') boundaries spanning the atoms with a margin.
/// </summary>
public static class Lammps
{
    public static string Executable => Environment.GetEnvironmentVariable("POET_LAMMPS") is { Length: > 0 } e ? e : "/usr/bin/lmp";

    public static bool IsAvailable => File.Exists(Executable);

    /// <summary>The folder of LAMMPS's potential files: $POET_LAMMPS_POTENTIALS or /usr/share/lammps/potentials.</summary>
    public static string PotentialsFolder =>
        Environment.GetEnvironmentVariable("POET_LAMMPS_POTENTIALS") is { Length: > 0 } e ? e : "/usr/share/lammps/potentials";

    /// <summary>Path of a file in <see cref="PotentialsFolder"/>.</summary>
    public static string Potential(string fileName) => Path.Combine(PotentialsFolder, fileName);

    /// <summary>Why LAMMPS tests cannot run here, or null when they can.</summary>
    public static string? MissingReason(bool needsExecutable = true) =>
        !Directory.Exists(PotentialsFolder) ? $"LAMMPS potential files not found at {PotentialsFolder} (set POET_LAMMPS_POTENTIALS)"
        : needsExecutable && !IsAvailable ? $"LAMMPS executable not found at {Executable} (set POET_LAMMPS)"
        : null;

    /// <summary>
    /// LAMMPS's own conversion of eV/Å³ to bar in metal units (force->nktv2p, an older CODATA value). Converting
    /// its pressures back with it recovers the virial to rounding; <see cref="Units.BarPerEvPerA3"/> differs by 8e-8.
    /// </summary>
    public const double LammpsBarPerEvPerA3 = 1.6021765e6;

    /// <summary>Distance added on each side of the atoms along a non-periodic direction (Å).</summary>
    public const double NonPeriodicMargin = 10.0;

    /// <summary>
    /// Computes the structure with LAMMPS. <paramref name="masses"/> overrides the standard atomic masses;
    /// <paramref name="extraCommands"/> go after pair_coeff (e.g. "neigh_modify one 10000").
    /// The work folder is removed unless <paramref name="keepFolder"/>; it is named in any error.
    /// </summary>
    public static LammpsResult Compute(Structure structure, LammpsPair pair, IReadOnlyDictionary<string, double>? masses = null,
        IEnumerable<string>? extraCommands = null, bool keepFolder = false)
    {
        if (!IsAvailable) throw new InvalidOperationException($"LAMMPS executable not found at {Executable} (set POET_LAMMPS to its path)");
        var types = pair.Elements?.ToList() ?? structure.DistinctSpecies().ToList();
        foreach (var s in structure.Species)
            if (!types.Contains(s)) throw new ArgumentException($"structure has element {s}, which the LAMMPS pair setup does not list ({string.Join(" ", types)})");

        // The rotation into LAMMPS's restricted triclinic box is the library's (the LAMMPS oracle writes the same files).
        var frame = PoetSharp.Learning.LammpsBox.For(structure, NonPeriodicMargin);
        var dir = TestData.TempDir();
        File.WriteAllText(Path.Combine(dir, "data.lmp"), DataFile(structure, frame, types, masses));
        File.WriteAllText(Path.Combine(dir, "in.lmp"), Script(frame, pair, types, extraCommands));
        Execute(dir);
        var result = Read(dir, structure, frame, types);
        if (!keepFolder) TryDelete(dir);
        return result;
    }

    // ---------------------------------------------------------------- input

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string DataFile(Structure s, PoetSharp.Learning.LammpsBox frame, List<string> types, IReadOnlyDictionary<string, double>? masses)
    {
        var r = frame.Positions;
        var sb = new StringBuilder();
        sb.AppendLine("LAMMPS data file written by the PoetSharp test harness").AppendLine();
        sb.AppendLine($"{s.Count} atoms").AppendLine($"{types.Count} atom types").AppendLine();
        sb.AppendLine($"{F(frame.Lo.X)} {F(frame.Lo.X + frame.Lx)} xlo xhi");
        sb.AppendLine($"{F(frame.Lo.Y)} {F(frame.Lo.Y + frame.Ly)} ylo yhi");
        sb.AppendLine($"{F(frame.Lo.Z)} {F(frame.Lo.Z + frame.Lz)} zlo zhi");
        if (frame.Tilted) sb.AppendLine($"{F(frame.Xy)} {F(frame.Xz)} {F(frame.Yz)} xy xz yz");
        sb.AppendLine().AppendLine("Masses").AppendLine();
        for (var t = 0; t < types.Count; t++)
        {
            var m = masses != null && masses.TryGetValue(types[t], out var given) ? given : Elements.Mass(types[t]);
            sb.AppendLine($"{t + 1} {F(m)}");
        }
        sb.AppendLine().AppendLine("Atoms # atomic").AppendLine();
        for (var i = 0; i < s.Count; i++)
            sb.AppendLine($"{i + 1} {types.IndexOf(s.Species[i]) + 1} {F(r[i].X)} {F(r[i].Y)} {F(r[i].Z)}");
        return sb.ToString();
    }

    private static string Script(PoetSharp.Learning.LammpsBox frame, LammpsPair pair, List<string> types, IEnumerable<string>? extra)
    {
        string Expand(string line)
        {
            line = line.Replace("{elements}", string.Join(" ", types));
            foreach (var (el, t) in types.Select((e, k) => (e, k + 1))) line = line.Replace($"{{type:{el}}}", t.ToString(CultureInfo.InvariantCulture));
            if (line.Contains("{type:")) throw new ArgumentException($"pair_coeff line names an element without an atom type: {line}");
            return line;
        }
        var sb = new StringBuilder();
        sb.AppendLine(pair.KimModel is null ? "units metal" : $"kim init {pair.KimModel} metal").AppendLine("atom_style atomic").AppendLine("atom_modify map array");
        sb.AppendLine("boundary " + string.Join(" ", frame.Periodic.Select(p => p ? "p" : "f")));
        if (frame.TiltAtLimit) sb.AppendLine("box tilt large");
        sb.AppendLine("read_data data.lmp");
        if (pair.KimModel is not null) sb.AppendLine("kim interactions " + string.Join(" ", types));
        else
        {
            sb.AppendLine("pair_style " + pair.Style);
            foreach (var c in pair.Coeffs) sb.AppendLine("pair_coeff " + Expand(c));
        }
        foreach (var c in extra ?? []) sb.AppendLine(c);
        sb.AppendLine("compute peatom all pe/atom");
        sb.AppendLine("dump forces all custom 1 forces.dump id fx fy fz c_peatom");
        sb.AppendLine("dump_modify forces format float %.17g sort id");
        sb.AppendLine("thermo_style custom step pe pxx pyy pzz pxy pxz pyz vol");
        sb.AppendLine("thermo_modify format float %.17g");
        sb.AppendLine("run 0");
        sb.AppendLine("print \"$(pe:%.17g) $(pxx:%.17g) $(pyy:%.17g) $(pzz:%.17g) $(pyz:%.17g) $(pxz:%.17g) $(pxy:%.17g) $(vol:%.17g)\" file result.txt screen no");
        return sb.ToString();
    }

    // ---------------------------------------------------------------- running and reading

    private static void Execute(string dir)
    {
        var psi = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-in", "in.lmp", "-log", "log.lammps", "-screen", "none", "-nocite" }) psi.ArgumentList.Add(a);
        psi.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {Executable}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"LAMMPS did not finish within 10 minutes (work folder {dir})");
        }
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(dir, "result.txt")))
        {
            var log = Path.Combine(dir, "log.lammps");
            var tail = File.Exists(log) ? string.Join("\n", File.ReadLines(log).TakeLast(30)) : "(no log)";
            throw new InvalidOperationException(
                $"LAMMPS failed (exit code {process.ExitCode}, work folder {dir}).\n--- log tail ---\n{tail}\n--- output ---\n{stdout.Result}{stderr.Result}");
        }
    }

    private static LammpsResult Read(string dir, Structure s, PoetSharp.Learning.LammpsBox frame, List<string> types)
    {
        static double P(string t) => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture);
        var v = File.ReadAllText(Path.Combine(dir, "result.txt")).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(P).ToArray();
        if (v.Length != 8) throw new InvalidOperationException($"unexpected LAMMPS result line in {dir}/result.txt");
        var energy = v[0];
        // LAMMPS's pressure tensor (bar, compression positive) in its frame; with zero velocities it is the virial / V.
        var pressure = new Stress(v[1], v[2], v[3], v[4], v[5], v[6]);
        var volume = v[7];
        var virial = frame.FromLammps((volume / LammpsBarPerEvPerA3) * pressure);
        var stress = frame.FullyPeriodic ? (-1.0 / LammpsBarPerEvPerA3) * frame.FromLammps(pressure) : Stress.Zero;

        var forces = new Vec3[s.Count];
        var atomEnergies = new double[s.Count];
        var lines = File.ReadAllLines(Path.Combine(dir, "forces.dump"));
        var start = Array.FindIndex(lines, l => l.StartsWith("ITEM: ATOMS", StringComparison.Ordinal)) + 1;
        if (start == 0 || lines.Length < start + s.Count) throw new InvalidOperationException($"truncated LAMMPS dump in {dir}/forces.dump");
        for (var i = 0; i < s.Count; i++)
        {
            var t = lines[start + i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var id = int.Parse(t[0], CultureInfo.InvariantCulture);
            if (id != i + 1) throw new InvalidOperationException($"LAMMPS dump not sorted by id in {dir}/forces.dump");
            forces[i] = frame.FromLammps(new Vec3(P(t[1]), P(t[2]), P(t[3])));
            atomEnergies[i] = P(t[4]);
        }
        return new LammpsResult(energy, atomEnergies, forces, stress, virial, types);
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A fact that needs the LAMMPS potential files (and, by default, the LAMMPS executable); skipped where they are missing.</summary>
public sealed class LammpsFactAttribute : FactAttribute
{
    public LammpsFactAttribute(bool needsExecutable = true)
    {
        Skip = Requirements.UnlessCi(Lammps.MissingReason(needsExecutable));
    }
}

/// <summary>A theory that needs the LAMMPS potential files (and, by default, the LAMMPS executable); skipped where they are missing.</summary>
public sealed class LammpsTheoryAttribute : TheoryAttribute
{
    public LammpsTheoryAttribute(bool needsExecutable = true)
    {
        Skip = Requirements.UnlessCi(Lammps.MissingReason(needsExecutable));
    }
}
