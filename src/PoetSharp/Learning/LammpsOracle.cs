using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Learning;

/// <summary>
/// How <see cref="LammpsOracle"/> runs LAMMPS.
/// </summary>
/// <param name="PairStyle">The pair_style line without the command word, e.g. "eam/alloy" or "lj/cut 8.0".</param>
/// <param name="PairCoeffs">The pair_coeff lines without the command word, e.g. "* * /usr/share/lammps/potentials/Cu_mishin1.eam.alloy Cu".</param>
/// <param name="Elements">The element of each atom type: type k+1 is Elements[k] (its mass is <see cref="Atoms.Elements.Mass"/>).</param>
public sealed record LammpsOracleSettings(string PairStyle, IReadOnlyList<string> PairCoeffs, IReadOnlyList<string> Elements)
{
    /// <summary>
    /// The program, optionally followed by arguments that go before "-in in.lmp …": "lmp", "/opt/lammps/bin/lmp",
    /// "mpirun -np 4 lmp" or "lmp -sf omp -pk omp 2". Split at blanks (no quoting).
    /// </summary>
    public string Command { get; init; } = "lmp";

    /// <summary>Wall-clock limit of one call; LAMMPS is killed when it passes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Lines inserted after pair_coeff, e.g. "neigh_modify one 10000" or "pair_modify shift yes".</summary>
    public IReadOnlyList<string> ExtraLines { get; init; } = [];

    /// <summary>
    /// Files whose size and SHA-256 go into the fingerprint besides those found in the pair_style, pair_coeff and extra
    /// lines (which are found automatically when they name an existing file, see <see cref="LammpsOracle"/>).
    /// </summary>
    public IReadOnlyList<string> PotentialFiles { get; init; } = [];

    /// <summary>
    /// Settings for a LAMMPS EAM file, with the style chosen from its name as <see cref="Eam.FromFile"/> does:
    /// *.eam.alloy / *.setfl → eam/alloy and *.eam.fs → eam/fs, with the atom types in the file's element order;
    /// a single-element funcfl *.eam → eam with "pair_coeff 1 1 file". The file is read (and so checked) here.
    /// </summary>
    public static LammpsOracleSettings ForEam(string potentialFile)
    {
        var path = Path.GetFullPath(potentialFile);
        var eam = Eam.FromFile(path);
        var elements = eam.Species!.ToArray();
        return eam.Format switch
        {
            EamFormat.Funcfl => new("eam", [$"1 1 {path}"], elements),
            EamFormat.Setfl => new("eam/alloy", [$"* * {path} {string.Join(" ", elements)}"], elements),
            _ => new("eam/fs", [$"* * {path} {string.Join(" ", elements)}"], elements),
        };
    }
}

/// <summary>
/// Labels structures by running LAMMPS ("run 0") with any pair style and potential file(s): the energy (eV), the
/// forces (eV/Å) and, for cells periodic in all three directions, the virial stress (eV/Å³, tensile positive).
///
/// Each call writes into its folder data.lmp (the structure, atom_style atomic, units metal), in.lmp (the script),
/// and LAMMPS writes log.lammps, result.txt (energy and pressure tensor) and forces.dump (per-atom forces); the
/// program's own output goes to lmp.out. All of it stays there.
///
/// LAMMPS wants a restricted triclinic box: a along x, b in the xy plane, c with positive z, tilts within half a
/// box length. The structure is rotated into that frame (and c is negated when the cell is left-handed, and b, c
/// are reduced by lattice vectors: the periodic structure is the same); forces and stress are rotated back. A
/// non-periodic direction becomes a shrink-wrapped ('s') boundary, with the periodic vectors taking LAMMPS's x (and
/// y) so that tilts only ever involve periodic directions; such cells get no stress.
///
/// Paths in the pair_style, pair_coeff and extra lines are used as written, but lmp runs in the call folder: a
/// relative path naming a file that exists relative to the current directory is made absolute here. A bare file
/// name LAMMPS finds itself in $LAMMPS_POTENTIALS (Debian's lmp also looks in /usr/share/lammps/potentials).
/// Files found any of these ways enter the fingerprint with their size and SHA-256.
///
/// Thread-safe: calls share nothing but the immutable settings.
/// </summary>
public sealed class LammpsOracle : IOracle
{
    /// <summary>
    /// LAMMPS's own factor from eV/Å³ to bar in metal units (force->nktv2p, an older CODATA value). Dividing its
    /// pressures by it recovers the virial to rounding; <see cref="Units.BarPerEvPerA3"/> would be 8e-8 off.
    /// </summary>
    public const double MetalBarPerEvPerA3 = 1.6021765e6;

    private readonly string _program;
    private readonly string[] _arguments;
    private readonly string _pairStyle;
    private readonly string[] _pairCoeffs;
    private readonly string[] _extraLines;
    private readonly string[] _elements;
    private readonly Lazy<string> _fingerprint;

    public LammpsOracleSettings Settings { get; }

    public LammpsOracle(LammpsOracleSettings settings)
    {
        Settings = settings;
        var command = settings.Command.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (command.Length == 0) throw new ArgumentException("the LAMMPS command is empty");
        _program = command[0];
        _arguments = command[1..];
        if (settings.Elements.Count == 0) throw new ArgumentException("the LAMMPS oracle needs at least one element (atom type)");
        foreach (var e in settings.Elements)
            if (!Atoms.Elements.IsKnown(e)) throw new ArgumentException($"'{e}' is not an element symbol (atom types are elements, for their masses)");
        if (settings.Elements.Distinct().Count() != settings.Elements.Count)
            throw new ArgumentException($"an element is listed twice among the atom types: {string.Join(" ", settings.Elements)}");
        if (!(settings.Timeout > TimeSpan.Zero)) throw new ArgumentException($"the timeout must be positive, not {settings.Timeout}");
        _elements = settings.Elements.ToArray();
        _pairStyle = ScriptLine(settings.PairStyle, "pair_style");
        if (_pairStyle.Length == 0) throw new ArgumentException("the pair_style line is empty");
        _pairCoeffs = settings.PairCoeffs.Select(c => ScriptLine(c, "pair_coeff")).ToArray();
        _extraLines = settings.ExtraLines.Select(l => ScriptLine(l, null)).ToArray();
        // Hashing a potential file takes a moment (Mishin's Cu is 0.7 MB); only the journal asks for it.
        _fingerprint = new Lazy<string>(MakeFingerprint, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>An oracle for a LAMMPS EAM file (see <see cref="LammpsOracleSettings.ForEam"/>), run by <paramref name="command"/>.</summary>
    public static LammpsOracle ForEam(string potentialFile, string command = "lmp") =>
        new(LammpsOracleSettings.ForEam(potentialFile) with { Command = command });

    public string Name => $"LAMMPS ({_pairStyle}; {string.Join(" ", _elements)})";

    public string Fingerprint => _fingerprint.Value;

    public IReadOnlyList<string>? Species => _elements;

    // One line of the script: blanks trimmed, a repeated command word dropped, relative paths of existing files made
    // absolute (lmp runs in the call folder). A line break would smuggle a second command into the script.
    private static string ScriptLine(string line, string? command)
    {
        if (line.Contains('\n') || line.Contains('\r')) throw new ArgumentException($"a LAMMPS line must be one line: '{line}'");
        var tokens = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
        if (command is not null && tokens.Count > 0 && tokens[0] == command) tokens.RemoveAt(0);
        for (var i = 0; i < tokens.Count; i++)
            if (!Path.IsPathRooted(tokens[i]) && (tokens[i].Contains('/') || tokens[i].Contains('.')) && File.Exists(tokens[i]))
                tokens[i] = Path.GetFullPath(tokens[i]);
        return string.Join(" ", tokens);
    }

    private string MakeFingerprint()
    {
        var files = _pairCoeffs.Prepend(_pairStyle).Concat(_extraLines)
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(FindPotentialFile).OfType<string>()
            .Concat(Settings.PotentialFiles.Select(Path.GetFullPath))
            .Distinct().ToList();
        var sb = new StringBuilder("lammps-oracle v1");
        sb.Append($" command='{string.Join(" ", _arguments.Prepend(_program))}'");
        sb.Append($" pair_style='{_pairStyle}'");
        sb.Append($" pair_coeff='{string.Join("' '", _pairCoeffs)}'");
        sb.Append($" types='{string.Join(" ", _elements)}'");
        if (_extraLines.Length > 0) sb.Append($" extra='{string.Join("' '", _extraLines)}'");
        foreach (var f in files)
        {
            if (!File.Exists(f)) { sb.Append($" file='{f}' missing"); continue; }
            using var stream = File.OpenRead(f);
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            sb.Append($" file='{f}' bytes={new FileInfo(f).Length} sha256={hash}");
        }
        return sb.ToString();
    }

    // The file a token of a script line names, as LAMMPS would find it: an absolute path, else a bare name in
    // $LAMMPS_POTENTIALS or Debian's potentials folder. Tokens that name no file (elements, numbers, keywords) give null.
    private static string? FindPotentialFile(string token)
    {
        if (Path.IsPathRooted(token)) return File.Exists(token) ? token : null;
        if (token.Contains('/') || !token.Contains('.')) return null;
        foreach (var folder in new[] { Environment.GetEnvironmentVariable("LAMMPS_POTENTIALS"), "/usr/share/lammps/potentials" })
            if (!string.IsNullOrEmpty(folder) && File.Exists(Path.Combine(folder, token)))
                return Path.Combine(folder, token);
        return null;
    }

    // ---------------------------------------------------------------- one call

    public OracleLabel Compute(Structure structure, string workFolder, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        foreach (var s in structure.Species.Distinct())
            if (Array.IndexOf(_elements, s) < 0)
                throw new OracleException(Name, workFolder,
                    $"the structure has element {s}, which this oracle's atom types ({string.Join(" ", _elements)}) lack; nothing was run");

        var box = LammpsBox.For(structure);
        File.WriteAllText(Path.Combine(workFolder, "data.lmp"), DataFile(structure, box));
        File.WriteAllText(Path.Combine(workFolder, "in.lmp"), Script(box));
        Run(workFolder, cancellation);

        var (energy, pressure) = ReadResult(Name, workFolder);
        var forces = ReadForces(Name, workFolder, structure.Count);
        for (var i = 0; i < forces.Length; i++) forces[i] = box.FromLammps(forces[i]);
        // LAMMPS's pressure tensor is the virial over the volume, compression positive, in bar; with "NULL virial"
        // it has no kinetic part. PoetSharp's stress is its negative in eV/Å³.
        Stress? stress = box.FullyPeriodic ? (-1.0 / MetalBarPerEvPerA3) * box.FromLammps(pressure) : null;
        var label = new OracleLabel(energy, forces, stress);
        label.CheckFinite(Name, workFolder);
        return label;
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private string DataFile(Structure s, LammpsBox box)
    {
        var sb = new StringBuilder();
        sb.Append("LAMMPS data file written by PoetSharp's LammpsOracle: ").AppendLine(s.ToString()).AppendLine();
        sb.AppendLine($"{s.Count} atoms").AppendLine($"{_elements.Length} atom types").AppendLine();
        sb.AppendLine($"{F(box.Lo.X)} {F(box.Lo.X + box.Lx)} xlo xhi");
        sb.AppendLine($"{F(box.Lo.Y)} {F(box.Lo.Y + box.Ly)} ylo yhi");
        sb.AppendLine($"{F(box.Lo.Z)} {F(box.Lo.Z + box.Lz)} zlo zhi");
        if (box.Tilted) sb.AppendLine($"{F(box.Xy)} {F(box.Xz)} {F(box.Yz)} xy xz yz");
        sb.AppendLine().AppendLine("Masses").AppendLine();
        for (var t = 0; t < _elements.Length; t++) sb.AppendLine($"{t + 1} {F(Atoms.Elements.Mass(_elements[t]))}  # {_elements[t]}");
        sb.AppendLine().AppendLine("Atoms # atomic").AppendLine();
        for (var i = 0; i < s.Count; i++)
        {
            var r = box.Positions[i];
            sb.AppendLine($"{i + 1} {Array.IndexOf(_elements, s.Species[i]) + 1} {F(r.X)} {F(r.Y)} {F(r.Z)}");
        }
        return sb.ToString();
    }

    private string Script(LammpsBox box)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Written by PoetSharp's LammpsOracle: energy, forces and virial of one structure; nothing moves.");
        sb.AppendLine("units metal").AppendLine("atom_style atomic");
        sb.AppendLine("boundary " + string.Join(" ", box.Periodic.Select(p => p ? "p" : "s")));
        // Reduced tilts are within half a box length; only rounding at exactly half needs the permission.
        if (box.TiltAtLimit) sb.AppendLine("box tilt large");
        sb.AppendLine("read_data data.lmp");
        sb.AppendLine("pair_style " + _pairStyle);
        foreach (var c in _pairCoeffs) sb.AppendLine("pair_coeff " + c);
        foreach (var l in _extraLines) sb.AppendLine(l);
        sb.AppendLine("compute poet_virial all pressure NULL virial");
        // The compute in thermo output makes it current at step 0, so the print below may read it.
        sb.AppendLine("thermo_style custom step pe c_poet_virial[1] c_poet_virial[2] c_poet_virial[3] c_poet_virial[4] c_poet_virial[5] c_poet_virial[6]");
        sb.AppendLine("thermo_modify norm no format float %.17g");
        sb.AppendLine("dump poet_forces all custom 1 forces.dump id fx fy fz");
        sb.AppendLine("dump_modify poet_forces format float %.17g sort id");
        sb.AppendLine("run 0");
        // pe, then pxx pyy pzz pxy pxz pyz (bar); "end" marks a complete line.
        sb.AppendLine("print \"result $(pe:%.17g) $(c_poet_virial[1]:%.17g) $(c_poet_virial[2]:%.17g) $(c_poet_virial[3]:%.17g) " +
                      "$(c_poet_virial[4]:%.17g) $(c_poet_virial[5]:%.17g) $(c_poet_virial[6]:%.17g) end\" file result.txt screen no");
        return sb.ToString();
    }

    // ---------------------------------------------------------------- running

    private void Run(string folder, CancellationToken cancellation)
    {
        var psi = new ProcessStartInfo(_program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in _arguments) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "-in", "in.lmp", "-log", "log.lammps", "-screen", "none", "-nocite" }) psi.ArgumentList.Add(a);
        // Several calls run at once; an OpenMP-enabled build would otherwise give each one every core.
        psi.Environment["OMP_NUM_THREADS"] = "1";

        var output = new StringBuilder();
        void Collect(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        }

        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new OracleException(Name, folder,
                $"cannot start LAMMPS '{_program}' ({e.Message}); install it (Debian: apt-get install -y lammps) or set the command to its path", e);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var stopwatch = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(Settings.Timeout);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        var finished = false;
        try
        {
            process.WaitForExitAsync(either.Token).GetAwaiter().GetResult();
            finished = true;
        }
        catch (OperationCanceledException)
        {
            // The whole tree: "mpirun … lmp" or a wrapper script would otherwise leave LAMMPS running.
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { } // it exited just now
            process.WaitForExit(10_000);
        }
        string text;
        lock (output) text = output.ToString();
        TryWrite(Path.Combine(folder, "lmp.out"), text);

        cancellation.ThrowIfCancellationRequested();
        if (!finished)
            throw new OracleException(Name, folder, $"LAMMPS timed out after {stopwatch.Elapsed.TotalSeconds:F1} s (limit {Settings.Timeout.TotalSeconds:G4} s) and was killed");

        var errors = ErrorLines(folder, text);
        if (process.ExitCode != 0 || errors.Count > 0)
        {
            var why = errors.Count > 0
                ? "LAMMPS stopped with " + string.Join(" | ", errors.Take(3).Select(l => $"\"{l}\""))
                : $"LAMMPS exited with code {process.ExitCode}";
            if (errors.Count > 0 && process.ExitCode != 0) why += $" (exit code {process.ExitCode})";
            if (errors.Count == 0)
            {
                // A crash (a signal, an MPI abort) leaves no ERROR line: the ends of its output and of the log are the best hint.
                if (LastLines(text.Split('\n'), 3) is { } outputTail) why += "; its output ends: " + outputTail;
                var log = Path.Combine(folder, "log.lammps");
                if (File.Exists(log) && LastLines(File.ReadLines(log), 3) is { } logTail) why += "; log.lammps ends: " + logTail;
            }
            throw new OracleException(Name, folder, why);
        }
    }

    // "ERROR: …" or "ERROR on proc 0: …" lines of the log and of the program's output, in that order, without repeats.
    private static List<string> ErrorLines(string folder, string output)
    {
        var log = Path.Combine(folder, "log.lammps");
        var lines = (File.Exists(log) ? File.ReadLines(log) : []).Concat(output.Split('\n'));
        return lines.Select(l => l.Trim()).Where(l => l.StartsWith("ERROR", StringComparison.Ordinal)).Distinct().ToList();
    }

    // The last n non-blank lines, joined on one line (null if there are none).
    private static string? LastLines(IEnumerable<string> lines, int n)
    {
        var last = lines.Select(l => l.Trim()).Where(l => l.Length > 0).TakeLast(n).ToList();
        return last.Count == 0 ? null : string.Join(" / ", last);
    }

    private static void TryWrite(string path, string text)
    {
        try { File.WriteAllText(path, text); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    // ---------------------------------------------------------------- reading

    private static double Number(string token, Func<string> where)
    {
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return v;
        // C's printf writes "nan", "-nan", "inf", "-inf": non-finite, reported as such by CheckFinite.
        var t = token.TrimStart('-', '+').ToLowerInvariant();
        if (t is "nan") return double.NaN;
        if (t is "inf" or "infinity") return token.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
        throw new FormatException($"'{token}' is not a number ({where()})");
    }

    /// <summary>
    /// Reads result.txt of a call: "result pe pxx pyy pzz pxy pxz pyz end" (eV; bar, compression positive, in
    /// LAMMPS's frame). Returns the energy and the pressure tensor.
    /// </summary>
    internal static (double Energy, Stress Pressure) ReadResult(string oracle, string folder)
    {
        var path = Path.Combine(folder, "result.txt");
        if (!File.Exists(path)) throw new OracleException(oracle, folder, "LAMMPS finished but wrote no result.txt (energy and pressure)");
        var t = File.ReadAllText(path).Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (t.Length != 9 || t[0] != "result" || t[8] != "end")
            throw new OracleException(oracle, folder,
                $"result.txt is truncated or malformed: expected 'result', the energy, six pressure components and 'end', found {t.Length} word(s)");
        try
        {
            var v = t[1..8].Select((x, k) => Number(x, () => $"word {k + 2} of result.txt")).ToArray();
            // LAMMPS orders them xx yy zz xy xz yz; Stress takes xx yy zz yz xz xy.
            return (v[0], new Stress(v[1], v[2], v[3], v[6], v[5], v[4]));
        }
        catch (FormatException e)
        {
            throw new OracleException(oracle, folder, e.Message, e);
        }
    }

    /// <summary>
    /// Reads forces.dump of a call (one snapshot of "id fx fy fz", eV/Å, LAMMPS's frame) into atom order, checking the
    /// atom count, that every id from 1 to <paramref name="atomCount"/> appears once, and that the file is complete.
    /// </summary>
    internal static Vec3[] ReadForces(string oracle, string folder, int atomCount)
    {
        var path = Path.Combine(folder, "forces.dump");
        if (!File.Exists(path)) throw new OracleException(oracle, folder, "LAMMPS finished but wrote no forces.dump");
        var lines = File.ReadAllLines(path);
        OracleException Bad(string why) => new(oracle, folder, $"forces.dump: {why}");

        var n = Array.FindIndex(lines, l => l.StartsWith("ITEM: NUMBER OF ATOMS", StringComparison.Ordinal));
        if (n < 0 || n + 1 >= lines.Length) throw Bad("truncated: no number of atoms");
        if (!int.TryParse(lines[n + 1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
            throw Bad($"'{lines[n + 1].Trim()}' is not a number of atoms");
        if (count != atomCount) throw Bad($"LAMMPS has {count} atoms, the structure {atomCount}");
        var head = Array.FindIndex(lines, l => l.StartsWith("ITEM: ATOMS", StringComparison.Ordinal));
        if (head < 0) throw Bad("truncated: no ITEM: ATOMS section");
        var columns = lines[head].Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..];
        if (!columns.SequenceEqual(["id", "fx", "fy", "fz"])) throw Bad($"columns are '{string.Join(" ", columns)}', not 'id fx fy fz'");
        var rows = lines.Skip(head + 1).Where(l => l.Trim().Length > 0).ToArray();
        if (rows.Length < atomCount) throw Bad($"truncated: {rows.Length} of {atomCount} atom lines");
        if (rows.Length > atomCount) throw Bad($"{rows.Length} atom lines for {atomCount} atoms");

        var forces = new Vec3[atomCount];
        var seen = new bool[atomCount];
        for (var k = 0; k < atomCount; k++)
        {
            var line = head + 2 + k;
            var t = rows[k].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (t.Length != 4) throw Bad($"truncated or malformed atom line {line}: '{rows[k].Trim()}'");
            if (!int.TryParse(t[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) || id < 1 || id > atomCount || seen[id - 1])
                throw Bad($"line {line}: atom id '{t[0]}' is not a new id from 1 to {atomCount}");
            seen[id - 1] = true;
            try
            {
                forces[id - 1] = new Vec3(Number(t[1], () => $"line {line}"), Number(t[2], () => $"line {line}"), Number(t[3], () => $"line {line}"));
            }
            catch (FormatException e)
            {
                throw new OracleException(oracle, folder, "forces.dump: " + e.Message, e);
            }
        }
        return forces;
    }
}

/// <summary>
/// The LAMMPS box for a structure: the rotation R into LAMMPS's frame (r_lammps = R·r, rows E1, E2, E3), the
/// restricted triclinic box, and the positions in it (wrapped into the box along periodic directions).
/// </summary>
internal sealed class LammpsBox
{
    private readonly Vec3 _e1, _e2, _e3;
    public double Lx { get; private set; }
    public double Ly { get; private set; }
    public double Lz { get; private set; }
    public double Xy { get; }
    public double Xz { get; }
    public double Yz { get; }
    public Vec3 Lo { get; private set; }
    /// <summary>Periodicity along LAMMPS's x, y, z.</summary>
    public bool[] Periodic { get; }
    public Vec3[] Positions { get; private set; } = [];

    public bool FullyPeriodic => Periodic[0] && Periodic[1] && Periodic[2];
    public bool Tilted => Xy != 0 || Xz != 0 || Yz != 0;
    public bool TiltAtLimit => Math.Abs(Xy) >= 0.5 * Lx * (1 - 1e-12) || Math.Abs(Xz) >= 0.5 * Lx * (1 - 1e-12) || Math.Abs(Yz) >= 0.5 * Ly * (1 - 1e-12);

    private LammpsBox(Vec3 e1, Vec3 e2, Vec3 e3, bool[] periodic, double lx, double ly, double lz, double xy, double xz, double yz)
    {
        (_e1, _e2, _e3) = (e1, e2, e3);
        Periodic = periodic;
        (Lx, Ly, Lz, Xy, Xz, Yz) = (lx, ly, lz, xy, xz, yz);
    }

    public Vec3 ToLammps(Vec3 r) => new(Vec3.Dot(_e1, r), Vec3.Dot(_e2, r), Vec3.Dot(_e3, r));

    /// <summary>Rᵀ·v: a vector (force) from LAMMPS's frame back to the structure's.</summary>
    public Vec3 FromLammps(Vec3 v) => v.X * _e1 + v.Y * _e2 + v.Z * _e3;

    /// <summary>Rᵀ·σ·R: a tensor from LAMMPS's frame back to the structure's.</summary>
    public Stress FromLammps(Stress s)
    {
        Span<Vec3> e = [_e1, _e2, _e3];
        var m = new double[9];
        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
            {
                var sum = 0.0;
                for (var k = 0; k < 3; k++)
                    for (var l = 0; l < 3; l++)
                        sum += e[k][a] * s.Component(k, l) * e[l][b];
                m[3 * a + b] = sum;
            }
        return Stress.FromMatrix(m);
    }

    /// <param name="nonPeriodicMargin">Distance (Å) between the atoms and the box faces along non-periodic directions.</param>
    public static LammpsBox For(Structure structure, double nonPeriodicMargin = DefaultNonPeriodicMargin)
    {
        var cell = structure.Cell;
        // The periodic vectors, in order, become LAMMPS's a, b, c; the non-periodic directions complete the frame
        // orthogonally, so no tilt involves a non-periodic direction (LAMMPS forbids that).
        var vectors = Enumerable.Range(0, 3).Where(cell.IsPeriodic).Select(k => cell[k]).ToArray();
        var np = vectors.Length;
        Vec3 e1, e2, e3;
        if (np >= 2)
        {
            e1 = vectors[0] / vectors[0].Length;
            e3 = Vec3.Cross(vectors[0], vectors[1]);
            e3 /= e3.Length;
            e2 = Vec3.Cross(e3, e1);
        }
        else if (np == 1)
        {
            e1 = vectors[0] / vectors[0].Length;
            var trial = Math.Abs(e1.X) < 0.9 ? new Vec3(1, 0, 0) : new Vec3(0, 1, 0);
            e3 = Vec3.Cross(e1, trial);
            e3 /= e3.Length;
            e2 = Vec3.Cross(e3, e1);
        }
        else (e1, e2, e3) = (new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, 1));

        double R(Vec3 e, Vec3 v) => Vec3.Dot(e, v);
        double lx = 0, ly = 0, lz = 0, xy = 0, xz = 0, yz = 0;
        if (np >= 1) lx = vectors[0].Length;
        if (np >= 2) { xy = R(e1, vectors[1]); ly = R(e2, vectors[1]); }
        if (np == 3)
        {
            var c = vectors[2];
            // A left-handed cell: −c spans the same lattice and points to positive z.
            if (R(e3, c) < 0) c = -c;
            xz = R(e1, c); yz = R(e2, c); lz = R(e3, c);
            // c − n·b brings yz within ±ly/2 (and changes xz by n·xy); then c − m·a brings xz within ±lx/2.
            var n = Math.Round(yz / ly);
            yz -= n * ly; xz -= n * xy;
            xz -= Math.Round(xz / lx) * lx;
        }
        if (np >= 2) xy -= Math.Round(xy / lx) * lx;

        var box = new LammpsBox(e1, e2, e3, [np >= 1, np >= 2, np >= 3], lx, ly, lz, xy, xz, yz);
        box.Place(structure, nonPeriodicMargin);
        return box;
    }

    // Rotates and wraps the positions and sets the box's extent along non-periodic directions.
    private void Place(Structure s, double margin)
    {
        var r = s.Positions.Select(ToLammps).ToArray();
        for (var i = 0; i < r.Length; i++)
        {
            // Fractional coordinates of the upper-triangular box (rows (lx,0,0), (xy,ly,0), (xz,yz,lz)), wrapped into [0, 1).
            // All three first, then the wrapping: each one depends on the unwrapped ones after it.
            var p = r[i];
            var sz = Periodic[2] ? p.Z / Lz : 0;
            var sy = Periodic[1] ? (p.Y - sz * Yz) / Ly : 0;
            var sx = Periodic[0] ? (p.X - sz * Xz - sy * Xy) / Lx : 0;
            (sx, sy, sz) = (Wrap(sx), Wrap(sy), Wrap(sz));
            r[i] = new Vec3(
                Periodic[0] ? sx * Lx + sy * Xy + sz * Xz : p.X,
                Periodic[1] ? sy * Ly + sz * Yz : p.Y,
                Periodic[2] ? sz * Lz : p.Z);
        }
        Positions = r;
        var lo = Vec3.Zero;
        for (var k = 0; k < 3; k++)
        {
            if (Periodic[k]) continue;
            double min = r.Length == 0 ? 0 : r.Min(v => v[k]), max = r.Length == 0 ? 0 : r.Max(v => v[k]);
            var length = max - min + 2 * margin;
            lo = k switch { 0 => lo with { X = min - margin }, 1 => lo with { Y = min - margin }, _ => lo with { Z = min - margin } };
            if (k == 0) Lx = length; else if (k == 1) Ly = length; else Lz = length;
        }
        Lo = lo;
    }

    // Distance (Å) between the atoms and the initial box faces along non-periodic directions; the boundary is
    // shrink-wrapped at setup anyway, the margin only keeps the data file's box from having zero thickness.
    private const double DefaultNonPeriodicMargin = 1.0;

    private static double Wrap(double s)
    {
        s -= Math.Floor(s);
        return s >= 1 ? 0 : s;
    }
}
