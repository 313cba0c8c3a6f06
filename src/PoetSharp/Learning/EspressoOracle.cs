using System.ComponentModel;
using System.Diagnostics;
using PoetSharp.Atoms;

namespace PoetSharp.Learning;

/// <summary>
/// Density-functional labels from Quantum ESPRESSO's pw.x: one SCF run per structure with forces and stress.
/// Each call writes pw.in into its folder, runs pw.x there (stdout to pw.out, stderr to pw.err), removes the large
/// scratch files of pw.x's outdir (wavefunctions, charge density; its XML summary stays), and reads pw.out. Units are
/// converted at that boundary only: labels are eV, eV/Å and eV/Å³ (tensile positive). Thread-safe: calls share nothing
/// but the read-only settings, so several may run at once in different folders.
/// </summary>
public sealed class EspressoOracle : IOracle
{
    private readonly EspressoSettings _settings;
    private readonly string[]? _species;
    private readonly Lazy<string> _fingerprint;

    /// <summary>
    /// An oracle with the given settings. <paramref name="species"/>, if given, are the elements it labels: the
    /// fingerprint then names and hashes their pseudopotentials, and other elements are refused.
    /// </summary>
    public EspressoOracle(EspressoSettings? settings = null, IEnumerable<string>? species = null)
    {
        _settings = settings ?? new EspressoSettings();
        _settings.Validate();
        _species = species?.Distinct().ToArray();
        if (_species is not null)
            foreach (var s in _species)
                if (!Elements.IsKnown(s)) throw new ArgumentException($"unknown element '{s}'");
        // Hashing the pseudopotentials reads files of a few MB: once, on first use.
        _fingerprint = new Lazy<string>(() => _settings.Fingerprint(_species), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public EspressoSettings Settings => _settings;

    public string Name => _settings.MpiRanks == 1 ? "Quantum ESPRESSO (pw.x)" : $"Quantum ESPRESSO (pw.x, {_settings.MpiRanks} ranks)";

    public string Fingerprint => _fingerprint.Value;

    public IReadOnlyList<string>? Species => _species;

    /// <summary>Names of the files a call leaves in its folder.</summary>
    public const string InputFile = "pw.in", OutputFile = "pw.out", ErrorFile = "pw.err";

    public OracleLabel Compute(Structure structure, string workFolder, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(structure);
        if (structure.Count == 0) throw new ArgumentException("Quantum ESPRESSO cannot label a structure without atoms");
        if (!structure.Cell.FullyPeriodic)
            throw new ArgumentException(
                $"Quantum ESPRESSO's pw.x treats all three directions as periodic, but {structure} is not periodic along " +
                string.Join(" and ", new[] { "a", "b", "c" }.Where((_, k) => !structure.Cell.IsPeriodic(k))) +
                " (put a molecule or slab into a fully periodic cell with vacuum around it)");
        if (_species is not null)
            foreach (var s in structure.DistinctSpecies())
                if (!_species.Contains(s))
                    throw new ArgumentException($"{Name} was set up for {string.Join(" ", _species)}; {structure} contains {s}");
        if (!Directory.Exists(workFolder)) throw new DirectoryNotFoundException($"the oracle's work folder {workFolder} does not exist");
        cancellation.ThrowIfCancellationRequested();

        // Everything that can be checked without running pw.x is checked first, so such a failure costs nothing.
        var pseudopotentials = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var element in structure.DistinctSpecies())
        {
            var file = _settings.FindPseudopotential(element);
            if (file is null || !File.Exists(Path.Combine(_settings.PseudoFolder, file)))
                throw new OracleException(Name, workFolder, file is null
                    ? $"no pseudopotential for {element} in {_settings.PseudoFolder} (looked for {element}.*.UPF or {element}_*.UPF; name one in the settings' Pseudopotentials)"
                    : $"the pseudopotential {file} for {element} is not in {_settings.PseudoFolder}");
            pseudopotentials[element] = file;
        }
        var (program, arguments) = CommandLine(workFolder);

        File.WriteAllText(Path.Combine(workFolder, InputFile), EspressoInput.Write(structure, _settings, pseudopotentials));
        int exitCode;
        try
        {
            exitCode = Run(program, arguments, workFolder, cancellation);
        }
        finally
        {
            RemoveScratch(workFolder);
        }
        return Read(workFolder, structure.Count, exitCode);
    }

    /// <summary>
    /// Reads the labels of a finished call from pw.out (and pw.err) in <paramref name="workFolder"/>, given pw.x's exit
    /// code; throws an <see cref="OracleException"/> for a run that failed. Compute uses it; it also re-reads old calls.
    /// </summary>
    public OracleLabel Read(string workFolder, int atomCount, int exitCode = 0)
    {
        var outPath = Path.Combine(workFolder, OutputFile);
        if (!File.Exists(outPath)) throw new OracleException(Name, workFolder, $"pw.x left no {OutputFile}");
        var text = File.ReadAllText(outPath);
        var errPath = Path.Combine(workFolder, ErrorFile);
        var errors = File.Exists(errPath) ? File.ReadAllText(errPath) : "";

        // The most specific reason first: pw.x's own words, then the exit code, then what is missing from the output.
        if (EspressoOutput.NotConverged(text) is { } notConverged) throw new OracleException(Name, workFolder, notConverged);
        if (EspressoOutput.ErrorMessage(text) is { } error) throw new OracleException(Name, workFolder, $"pw.x stopped with an error: {error}");
        if (exitCode != 0)
        {
            var last = EspressoOutput.LastMeaningfulLine(errors) ?? EspressoOutput.LastMeaningfulLine(text) ?? "no output";
            throw new OracleException(Name, workFolder, $"pw.x exited with code {exitCode}; its last words: \"{last}\"");
        }
        OracleLabel label;
        try
        {
            label = EspressoOutput.Read(text, atomCount);
        }
        catch (FormatException e)
        {
            throw new OracleException(Name, workFolder, e.Message, e);
        }
        label.CheckFinite(Name, workFolder);
        return label;
    }

    /// <summary>The program to start and its arguments: pw.x itself, or the MPI launcher with pw.x's full path.</summary>
    private (string Program, List<string> Arguments) CommandLine(string workFolder)
    {
        var pw = ResolveProgram(_settings.Executable)
                 ?? throw new OracleException(Name, workFolder,
                     $"the Quantum ESPRESSO program '{_settings.Executable}' was not found " +
                     (_settings.Executable.Contains('/') ? "" : "on PATH ") +
                     "(Debian's quantum-espresso package provides pw.x: apt-get install -y quantum-espresso quantum-espresso-data)");
        var pwArguments = new List<string> { "-input", InputFile };
        if (_settings.MpiRanks == 1) return (pw, pwArguments);
        var launcher = ResolveProgram(_settings.MpiLauncher)
                       ?? throw new OracleException(Name, workFolder,
                           $"the MPI launcher '{_settings.MpiLauncher}' for {_settings.MpiRanks} ranks was not found (Debian: apt-get install -y openmpi-bin)");
        return (launcher, ["-np", _settings.MpiRanks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. _settings.MpiArguments, pw, .. pwArguments]);
    }

    /// <summary>A command's full path: itself if it contains '/' and exists, else the first match on PATH; null if none.</summary>
    public static string? ResolveProgram(string command)
    {
        if (command.Contains('/')) return File.Exists(command) ? Path.GetFullPath(command) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, command);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Runs the command in the folder, stdout to pw.out and stderr to pw.err; the exit code, or an exception for a timeout or cancellation.</summary>
    private int Run(string program, List<string> arguments, string workFolder, CancellationToken cancellation)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workFolder,
            UseShellExecute = false,
            // pw.x reads its input from -input; an empty stdin keeps it (and mpirun) from waiting on ours.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        // Threads inside each rank would compete with other calls and ranks for the cores; the user's choice stands.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_NUM_THREADS"))) psi.Environment["OMP_NUM_THREADS"] = "1";

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new OracleException(Name, workFolder, $"cannot start {program}: {e.Message}", e);
        }
        process.StandardInput.Close();
        using var stdout = File.Create(Path.Combine(workFolder, OutputFile));
        using var stderr = File.Create(Path.Combine(workFolder, ErrorFile));
        var copies = Task.WhenAll(process.StandardOutput.BaseStream.CopyToAsync(stdout), process.StandardError.BaseStream.CopyToAsync(stderr));

        using var timeout = new CancellationTokenSource(_settings.Timeout);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        try
        {
            process.WaitForExitAsync(either.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // mpirun's ranks (and whatever a wrapper script started) are children: kill them all, not only the top process.
            try { process.Kill(entireProcessTree: true); }
            catch (Exception e) when (e is InvalidOperationException or Win32Exception) { /* exited meanwhile */ }
            process.WaitForExit(10_000);
            WaitForCopies(copies);
            cancellation.ThrowIfCancellationRequested();
            throw new OracleException(Name, workFolder,
                $"pw.x timed out: it did not finish within {_settings.Timeout.TotalSeconds:0.###} s and was killed (with its child processes)");
        }
        WaitForCopies(copies);
        return process.ExitCode;
    }

    // A grandchild that outlives the process could hold the pipes open; the files are complete enough after a while.
    private static void WaitForCopies(Task copies)
    {
        try { copies.Wait(TimeSpan.FromSeconds(10)); }
        catch (AggregateException) { /* a broken pipe: what was written stays in the files */ }
    }

    /// <summary>
    /// Deletes pw.x's scratch files (wavefunctions, charge density, mixing history, a copy of each pseudopotential)
    /// from the call's outdir: they are large and no use once the labels are read. The XML summary stays.
    /// </summary>
    private static void RemoveScratch(string workFolder)
    {
        var outdir = Path.Combine(workFolder, EspressoInput.OutFolder);
        if (!Directory.Exists(outdir)) return;
        try
        {
            foreach (var file in Directory.EnumerateFiles(outdir, "*", SearchOption.AllDirectories).ToList())
                if (!file.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)) File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Failing to tidy up must not cost a label that was computed; the files stay, in the call's own folder.
        }
    }
}
