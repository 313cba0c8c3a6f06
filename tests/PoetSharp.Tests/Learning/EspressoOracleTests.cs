using System.Diagnostics;
using System.Globalization;
using PoetSharp.Atoms;
using PoetSharp.Learning;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Learning;

/// <summary>
/// The Quantum ESPRESSO oracle: reading pw.x's output (units, signs, failures) from hand-made texts, running stand-in
/// programs (timeouts, cancellation, missing programs and pseudopotentials), and, with pw.x installed, forces and stress
/// against finite differences of its own energies.
/// </summary>
public class EspressoOracleTests(ITestOutputHelper output)
{
    // ------------------------------------------------------------------ hand-made pw.x output

    private const string ForceBlock = """
             Forces acting on atoms (cartesian axes, Ry/au):

             atom    1 type  1   force =     0.00399980    0.00171868   -0.00095813
             atom    2 type  1   force =    -0.00399980   -0.00171868    0.00095813

             Total force =     0.006304     Total SCF correction =     0.000004
        """;

    // Ry/Bohr³ in the first three columns, kbar in the last three (pw.x prints both; P is the mean of the diagonal).
    private const string StressBlock = """
             Computing stress (Cartesian axis) and pressure

                  total   stress  (Ry/bohr**3)                   (kbar)     P=     -103.75
          -0.00075526  -0.00000043  -0.00002676         -111.10       -0.06       -3.94
          -0.00000043  -0.00076203   0.00001165           -0.06     -112.10        1.71
          -0.00002676   0.00001165  -0.00059853           -3.94        1.71      -88.05

        """;

    private static string PwOut(string? energyLine = "!    total energy              =    -426.24879466 Ry",
        string? forces = ForceBlock, string? stress = StressBlock, string? middle = null, bool done = true) =>
        string.Join("\n", new[]
        {
            "     Program PWSCF v.6.7MaX starts on  5Dec2026 at  4:44:14",
            "     Parallel version (MPI), running on     1 processors",
            "     total cpu time spent up to now is        0.4 secs",
            "     End of self-consistent calculation",
            "     convergence has been achieved in  19 iterations",
            middle,
            energyLine,
            "     estimated scf accuracy    <          3.4E-09 Ry",
            "     smearing contrib. (-TS)   =       0.00130495 Ry",
            forces,
            stress,
            done ? "     Writing output data file ./out/pw.save/\n\n   JOB DONE.\n" : null,
        }.Where(l => l is not null)) + "\n";

    /// <summary>A folder holding <paramref name="text"/> as pw.out, read back by an oracle as a finished call with the given exit code.</summary>
    private static OracleLabel ReadCanned(string text, int atoms = 2, int exitCode = 0)
    {
        var folder = TestData.TempDir();
        File.WriteAllText(Path.Combine(folder, EspressoOracle.OutputFile), text);
        return new EspressoOracle().Read(folder, atoms, exitCode);
    }

    private static OracleException ReadFails(string text, int atoms = 2, int exitCode = 0) =>
        Assert.Throws<OracleException>(() => ReadCanned(text, atoms, exitCode));

    [Fact]
    public void ReadsEnergyForcesAndStressInEvAndAngstrom()
    {
        var label = ReadCanned(PwOut());
        const double ry = 13.605693122994, bohr = 0.529177210903;
        Assert.Equal(-426.24879466 * ry, label.Energy, 9);
        Assert.Equal(2, label.Forces.Length);
        Assert.Equal(0.00399980 * ry / bohr, label.Forces[0].X, 12);
        Assert.Equal(0.00171868 * ry / bohr, label.Forces[0].Y, 12);
        Assert.Equal(-0.00095813 * ry / bohr, label.Forces[0].Z, 12);
        Assert.Equal(0.00095813 * ry / bohr, label.Forces[1].Z, 12);

        // pw.x's stress is compression-positive; PoetSharp's is tensile-positive: the signs flip.
        var s = label.Stress!.Value;
        var perRyBohr3 = ry / (bohr * bohr * bohr);
        Assert.Equal(0.00075526 * perRyBohr3, s.Xx, 12);
        Assert.Equal(0.00076203 * perRyBohr3, s.Yy, 12);
        Assert.Equal(0.00059853 * perRyBohr3, s.Zz, 12);
        Assert.Equal(-0.00001165 * perRyBohr3, s.Yz, 12);
        Assert.Equal(0.00002676 * perRyBohr3, s.Xz, 12);
        Assert.Equal(0.00000043 * perRyBohr3, s.Xy, 12);
        // The conversion agrees with pw.x's own kbar columns (printed to 0.01 kbar) and its P (compression positive).
        Assert.Equal(111.10, s.Xx * Units.KbarPerEvPerA3, 0.006);
        Assert.Equal(-3.94, -s.Xz * Units.KbarPerEvPerA3, 0.006);
        Assert.Equal(-103.75, s.Pressure * Units.KbarPerEvPerA3, 0.006);
    }

    [Fact]
    public void ReadsTheLastEnergyAndTheForceBlockOnly()
    {
        // An earlier "!" line (e.g. of a previous ionic step) and the verbose force terms after the block do not count.
        var verboseTerms = "     The non-local contrib.  to forces\n     atom    1 type  1   force =     1.0    1.0    1.0\n" +
                           "     atom    2 type  1   force =     1.0    1.0    1.0\n";
        var label = ReadCanned(PwOut(middle: "!    total energy              =    -400.00000000 Ry", forces: ForceBlock + "\n" + verboseTerms));
        Assert.Equal(-426.24879466 * Units.EvPerRydberg, label.Energy, 9);
        Assert.Equal(0.00399980 * EspressoOutput.ForceFactor, label.Forces[0].X, 12);
    }

    [Fact]
    public void UnconvergedScfIsAnOracleExceptionSayingSo()
    {
        // pw.x 6.7 goes on to write its data file and exits with code 2, printing no "!" line.
        var text = PwOut(energyLine: null, forces: null, stress: null,
            middle: "     convergence NOT achieved after 100 iterations: stopping");
        var e = ReadFails(text, exitCode: 2);
        Assert.Contains("convergence NOT achieved after 100 iterations", e.Message);
        Assert.Contains("did not converge", e.Reason);
        Assert.False(string.IsNullOrEmpty(e.WorkFolder));
        Assert.Contains(e.WorkFolder, e.Message);
    }

    [Fact]
    public void ErrorBetweenPercentLinesIsQuoted()
    {
        var rule = " " + new string('%', 78);
        var text = string.Join("\n",
            "     Reading input from pw.in", "", rule,
            "     Error in routine readpp (1):",
            "     file /usr/share/espresso/pseudo/Cu.nothere.UPF not found",
            rule, "", "     stopping ...", "");
        var e = ReadFails(text, exitCode: 1);
        Assert.Contains("Error in routine readpp (1): file /usr/share/espresso/pseudo/Cu.nothere.UPF not found", e.Reason);
        Assert.StartsWith("pw.x stopped with an error", e.Reason);
    }

    [Fact]
    public void NonZeroExitWithoutMessageQuotesTheLastLine()
    {
        var folder = TestData.TempDir();
        File.WriteAllText(Path.Combine(folder, EspressoOracle.OutputFile), PwOut(forces: null, stress: null, done: false));
        File.WriteAllText(Path.Combine(folder, EspressoOracle.ErrorFile), "Program received signal SIGSEGV: Segmentation fault\n\n");
        var e = Assert.Throws<OracleException>(() => new EspressoOracle().Read(folder, 2, exitCode: 139));
        Assert.Contains("exited with code 139", e.Reason);
        Assert.Contains("Segmentation fault", e.Reason);
    }

    [Fact]
    public void TruncatedOutputIsAClearError()
    {
        var noForces = ReadFails(PwOut(forces: null, stress: null, done: false));
        Assert.Contains("no forces", noForces.Reason);
        var noStress = ReadFails(PwOut(stress: null));
        Assert.Contains("no stress", noStress.Reason);
        var noEnergy = ReadFails(PwOut(energyLine: null));
        Assert.Contains("no final total energy", noEnergy.Reason);
        var empty = ReadFails("");
        Assert.Contains("no final total energy", empty.Reason);
    }

    [Fact]
    public void WrongAtomCountIsAnError()
    {
        var e = ReadFails(PwOut(), atoms: 3);
        Assert.Contains("forces on 2 atoms", e.Reason);
        Assert.Contains("has 3", e.Reason);
    }

    [Fact]
    public void NonFiniteValuesAreErrors()
    {
        var nanForce = ReadFails(PwOut(forces: ForceBlock.Replace("-0.00095813", "NaN")));
        Assert.Contains("force on atom 1 is not finite", nanForce.Reason);
        // Fortran fills a field that overflows its format with '*'.
        var overflow = ReadFails(PwOut(forces: ForceBlock.Replace("0.00171868", "**********")));
        Assert.Contains("not finite", overflow.Reason);
        var nanEnergy = ReadFails(PwOut(energyLine: "!    total energy              =    NaN Ry"));
        Assert.Contains("energy is NaN", nanEnergy.Reason);
        var nanStress = ReadFails(PwOut(stress: StressBlock.Replace("-0.00076203", "NaN")));
        Assert.Contains("stress is not finite", nanStress.Reason);
    }

    // ------------------------------------------------------------------ settings, input, checks before running

    private static Structure CopperPair(double a = 3.62)
    {
        // fcc Cu as a tetragonal two-atom cell (a/√2 × a/√2 × a), slightly sheared and with atom 2 off its site, so that
        // forces and all stress components are non-zero.
        var h = a / 2;
        var cell = new Cell(new Vec3(h, h, 0), new Vec3(-h, h + 0.03, 0), new Vec3(0.04, 0, a));
        var frac2 = new Vec3(0.5, 0.5, 0.5);
        var r2 = cell.ToCartesian(frac2) + new Vec3(0.06, -0.04, 0.05);
        return new Structure(cell, [new Vec3(0.01, 0.02, -0.01), r2], ["Cu", "Cu"], "Cu pair");
    }

    /// <summary>A pseudopotential folder of empty files with the given names.</summary>
    private static string PseudoFolder(params string[] names)
    {
        var folder = TestData.TempDir();
        foreach (var n in names) File.WriteAllText(Path.Combine(folder, n), "<UPF version=\"2.0.1\"></UPF>\n");
        return folder;
    }

    [Fact]
    public void DefaultPseudopotentialPrefersPbe()
    {
        var folder = PseudoFolder("Cu.pz-d-rrkjus.UPF", "Cu.pbesol-n-kjpaw.UPF", "Cu.rel-pbe-n-rrkjus.UPF", "Cu.pbe-n-kjpaw.UPF",
            "Cu.pbe-a.psp8", "Co.pbe-a.UPF", "Cux.pbe.UPF", "C.pbe-rrkjus.UPF", "Ni_ONCV_PBE.upf", "Ni.pz-nd.UPF");
        var settings = new EspressoSettings { PseudoFolder = folder };
        Assert.Equal("Cu.pbe-n-kjpaw.UPF", settings.FindPseudopotential("Cu"));
        Assert.Equal("C.pbe-rrkjus.UPF", settings.FindPseudopotential("C"));
        Assert.Equal("Ni_ONCV_PBE.upf", settings.FindPseudopotential("Ni"));
        Assert.Null(settings.FindPseudopotential("Ag"));
        // Without PBE, the others in name order; a named file wins.
        Assert.Equal("Cu.pz-d-rrkjus.UPF", new EspressoSettings { PseudoFolder = PseudoFolder("Cu.vbc.UPF", "Cu.pz-d-rrkjus.UPF") }.FindPseudopotential("Cu"));
        Assert.Equal("Cu.mine.UPF", (settings with { Pseudopotentials = new Dictionary<string, string> { ["Cu"] = "Cu.mine.UPF" } }).FindPseudopotential("Cu"));
    }

    [Fact]
    public void KPointGridFollowsTheSpacingOrIsGiven()
    {
        var settings = new EspressoSettings { KSpacing = 0.25 };
        // |b| = 2π/L: 1.571, 1.257, 0.628 Å⁻¹ over 0.25 Å⁻¹ → 6.28, 5.03, 2.51 → 7, 6, 3.
        Assert.Equal((7, 6, 3), EspressoInput.KGrid(Cell.Orthorhombic(4, 5, 10), settings));
        // Exactly 2π/(L·spacing) = 8 stays 8 despite rounding; a long axis gets one point, not zero.
        Assert.Equal((8, 8, 1), EspressoInput.KGrid(Cell.Orthorhombic(Math.PI, Math.PI, 100), settings));
        // fcc primitive, a = 3.61: |b| = 2π√3/a = 3.0146 Å⁻¹ → 12.06 → 13 along each.
        Assert.Equal((13, 13, 13), EspressoInput.KGrid(Lattices.FccPrimitive("Cu", 3.61).Cell, settings));
        Assert.Equal((2, 3, 4), EspressoInput.KGrid(Cell.Orthorhombic(4, 5, 10), settings with { KGrid = (2, 3, 4) }));
    }

    [Fact]
    public void InputStatesTheSettingsInAngstrom()
    {
        var s = CopperPair();
        var settings = new EspressoSettings { PseudoFolder = "/pseudo", EcutWfc = 30, KGrid = (3, 3, 2), ConvThrPerAtom = 1e-9 };
        var text = EspressoInput.Write(s, settings, new Dictionary<string, string> { ["Cu"] = "Cu.test.UPF" });
        foreach (var expected in new[]
                 {
                     "calculation = 'scf'", "tprnfor = .true.", "tstress = .true.", "outdir = './out'", "pseudo_dir = '/pseudo'",
                     "ibrav = 0", "nat = 2", "ntyp = 1", "ecutwfc = 30\n", "ecutrho = 240\n", "occupations = 'smearing'",
                     "smearing = 'mv'", "degauss = 0.02", "conv_thr = 2E-09", "mixing_beta = 0.7", "electron_maxstep = 100",
                     "ATOMIC_SPECIES\n  Cu 63.546 Cu.test.UPF\n", "CELL_PARAMETERS angstrom\n  1.81 1.81 0\n",
                     "ATOMIC_POSITIONS angstrom\n  Cu 0.01 0.02 -0.01\n", "K_POINTS automatic\n  3 3 2 0 0 0\n",
                 })
            Assert.Contains(expected, text);
        Assert.DoesNotContain("nspin", text);
        var magnetic = EspressoInput.Write(s, settings with { StartingMagnetization = new Dictionary<string, double> { ["Cu"] = 0.3 } },
            new Dictionary<string, string> { ["Cu"] = "Cu.test.UPF" });
        Assert.Contains("nspin = 2\n  starting_magnetization(1) = 0.3\n", magnetic);
    }

    [Fact]
    public void FingerprintChangesWithWhatDecidesTheLabels()
    {
        var folder = PseudoFolder("Cu.pbe-a.UPF");
        var baseline = new EspressoSettings { PseudoFolder = folder };
        string Print(EspressoSettings s) => new EspressoOracle(s, ["Cu"]).Fingerprint;
        var reference = Print(baseline);
        Assert.Contains("Cu=Cu.pbe-a.UPF(", reference);
        Assert.Contains("sha256:", reference);
        Assert.Equal(reference, Print(baseline with { MpiRanks = 4, Timeout = TimeSpan.FromMinutes(5), MixingBeta = 0.3 }));
        foreach (var changed in new[]
                 {
                     baseline with { EcutWfc = 50 }, baseline with { EcutRho = 400 }, baseline with { Degauss = 0.01 },
                     baseline with { Smearing = "gaussian" }, baseline with { KSpacing = 0.2 }, baseline with { KGrid = (4, 4, 4) }, baseline with { KMinDistance = 30 },
                     baseline with { ConvThrPerAtom = 1e-10 }, baseline with { Executable = "/opt/qe/bin/pw.x" },
                     baseline with { StartingMagnetization = new Dictionary<string, double> { ["Cu"] = 0.2 } },
                 })
            Assert.NotEqual(reference, Print(changed));
        // The same file name with other contents is another pseudopotential.
        File.AppendAllText(Path.Combine(folder, "Cu.pbe-a.UPF"), "<!-- edited -->\n");
        Assert.NotEqual(reference, Print(baseline));
    }

    [Fact]
    public void SettingsAndStructuresPwCannotTakeAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new EspressoOracle(new EspressoSettings { EcutWfc = 30, EcutRho = 100 }));
        Assert.Throws<ArgumentException>(() => new EspressoOracle(new EspressoSettings { MpiRanks = 0 }));
        Assert.Throws<ArgumentException>(() => new EspressoOracle(new EspressoSettings { Smearing = "cold-ish" }));
        Assert.Throws<ArgumentException>(() => new EspressoOracle(new EspressoSettings { KSpacing = 0 }));
        Assert.Throws<ArgumentException>(() => new EspressoOracle(new EspressoSettings { KMinDistance = -1 }));
        var oracle = new EspressoOracle(new EspressoSettings { PseudoFolder = PseudoFolder("Cu.pbe.UPF") }, ["Cu"]);
        var slab = CopperPair();
        slab.Cell = new Cell(slab.Cell.A, slab.Cell.B, slab.Cell.C, periodicC: false);
        var e = Assert.Throws<ArgumentException>(() => oracle.Compute(slab, TestData.TempDir()));
        Assert.Contains("not periodic along c", e.Message);
        var silver = new Structure(Cell.Orthorhombic(3, 3, 3), [Vec3.Zero], ["Ag"]);
        Assert.Throws<ArgumentException>(() => oracle.Compute(silver, TestData.TempDir()));
    }

    [Fact]
    public void MissingPseudopotentialNamesTheElementAndFolder()
    {
        var folder = PseudoFolder("Co.pbe.UPF");
        var work = TestData.TempDir();
        var e = Assert.Throws<OracleException>(() =>
            new EspressoOracle(new EspressoSettings { PseudoFolder = folder, Executable = "/bin/false" }).Compute(CopperPair(), work));
        Assert.Contains("no pseudopotential for Cu", e.Reason);
        Assert.Contains(folder, e.Reason);
        Assert.Equal(work, e.WorkFolder);
        Assert.False(File.Exists(Path.Combine(work, EspressoOracle.InputFile)), "checked before anything was written or run");
        var named = Assert.Throws<OracleException>(() => new EspressoOracle(new EspressoSettings
        {
            PseudoFolder = folder, Pseudopotentials = new Dictionary<string, string> { ["Cu"] = "Cu.gone.UPF" },
        }).Compute(CopperPair(), TestData.TempDir()));
        Assert.Contains("Cu.gone.UPF for Cu", named.Reason);
    }

    [Fact]
    public void MissingProgramGivesTheInstallHint()
    {
        var settings = new EspressoSettings { PseudoFolder = PseudoFolder("Cu.pbe.UPF"), Executable = "pw.x-that-does-not-exist" };
        var e = Assert.Throws<OracleException>(() => new EspressoOracle(settings).Compute(CopperPair(), TestData.TempDir()));
        Assert.Contains("'pw.x-that-does-not-exist' was not found on PATH", e.Reason);
        Assert.Contains("apt-get install -y quantum-espresso quantum-espresso-data", e.Reason);
        var path = Assert.Throws<OracleException>(() =>
            new EspressoOracle(settings with { Executable = "/nonexistent/bin/pw.x" }).Compute(CopperPair(), TestData.TempDir()));
        Assert.Contains("'/nonexistent/bin/pw.x' was not found", path.Reason);
    }

    /// <summary>An executable shell script in a fresh folder, standing in for pw.x.</summary>
    private static string Script(string body)
    {
        var path = Path.Combine(TestData.TempDir(), "fake-pw.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        // The oracle runs on Linux (pw.x does); the guard is for the analyser.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public void StandInProgramRunsThroughTheWholeCall()
    {
        // A script that checks its arguments, leaves scratch files as pw.x does and prints a finished run's output.
        var canned = Path.Combine(TestData.TempDir(), "canned.out");
        File.WriteAllText(canned, PwOut());
        var script = Script($$"""
            [ "$1" = "-input" ] && [ -f "$2" ] || { echo "bad arguments: $*" >&2; exit 3; }
            mkdir -p out/pw.save
            echo data > out/pw.save/wfc1.dat
            echo data > out/pw.save/charge-density.dat
            echo '<xml/>' > out/pw.save/data-file-schema.xml
            echo "OMP_NUM_THREADS=$OMP_NUM_THREADS" >&2
            cat '{{canned}}'
            """);
        var oracle = new EspressoOracle(new EspressoSettings { PseudoFolder = PseudoFolder("Cu.pbe.UPF"), Executable = script }, ["Cu"]);
        var work = TestData.TempDir();
        var label = oracle.Compute(CopperPair(), work);
        Assert.Equal(-426.24879466 * Units.EvPerRydberg, label.Energy, 9);
        Assert.Contains("Cu 63.546 Cu.pbe.UPF", File.ReadAllText(Path.Combine(work, EspressoOracle.InputFile)));
        Assert.Equal(PwOut(), File.ReadAllText(Path.Combine(work, EspressoOracle.OutputFile)));
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_NUM_THREADS")))
            Assert.Contains("OMP_NUM_THREADS=1", File.ReadAllText(Path.Combine(work, EspressoOracle.ErrorFile)));
        // The scratch files are gone, the XML summary stays.
        Assert.False(File.Exists(Path.Combine(work, "out", "pw.save", "wfc1.dat")));
        Assert.False(File.Exists(Path.Combine(work, "out", "pw.save", "charge-density.dat")));
        Assert.True(File.Exists(Path.Combine(work, "out", "pw.save", "data-file-schema.xml")));
    }

    [Fact]
    public void TimeoutKillsTheRunAndItsChildrenAndKeepsTheFiles()
    {
        // The shell waits on a child; killing only the shell would leave the sleep running.
        var script = Script("echo started\nsleep 60 &\necho $! > sleep.pid\nwait\necho not reached\n");
        // A fixed grid: the clock here is the run's, and the generalized grid's search (about a second, far more in a
        // Debug build) would eat into it.
        var settings = new EspressoSettings { PseudoFolder = PseudoFolder("Cu.pbe.UPF"), Executable = script, Timeout = TimeSpan.FromSeconds(1), KGrid = (2, 2, 2) };
        var work = TestData.TempDir();
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<OracleException>(() => new EspressoOracle(settings).Compute(CopperPair(), work));
        output.WriteLine($"timed out after {watch.Elapsed.TotalSeconds:F2} s: {e.Message}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.Contains("timed out", e.Reason);
        Assert.Contains("within 1 s", e.Reason);
        Assert.True(File.Exists(Path.Combine(work, EspressoOracle.InputFile)));
        Assert.Equal("started\n", File.ReadAllText(Path.Combine(work, EspressoOracle.OutputFile)));
        AssertGone(int.Parse(File.ReadAllText(Path.Combine(work, "sleep.pid")).Trim(), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void CancellationKillsTheRun()
    {
        var script = Script("sleep 60 &\necho $! > sleep.pid\nwait\n");
        var settings = new EspressoSettings { PseudoFolder = PseudoFolder("Cu.pbe.UPF"), Executable = script, KGrid = (2, 2, 2) };
        var work = TestData.TempDir();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var watch = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => new EspressoOracle(settings).Compute(CopperPair(), work, cancel.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.True(File.Exists(Path.Combine(work, EspressoOracle.InputFile)));
        AssertGone(int.Parse(File.ReadAllText(Path.Combine(work, "sleep.pid")).Trim(), CultureInfo.InvariantCulture));
    }

    // A killed process whose parent is gone may linger as a zombie until something reaps it: that counts as gone.
    private static void AssertGone(int pid)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var stat = $"/proc/{pid}/stat";
            string? text = null;
            try { text = File.ReadAllText(stat); }
            catch (IOException) { }
            if (text is null) return;
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            if (state is "Z" or "X") return;
            Thread.Sleep(100);
        }
        Assert.Fail($"process {pid} (the stand-in's child) still runs after the oracle gave up");
    }

    // ------------------------------------------------------------------ with pw.x: labels against finite differences

    /// <summary>
    /// Small and quick but tight enough for finite differences: LDA ultrasoft Cu (the fastest Cu set Debian ships) at
    /// 35 Ry, where the analytic stress and the fixed-cutoff energy derivative agree to about 0.5 %; a fixed k grid, so
    /// that strained copies use the same one; conv_thr 1e-10 Ry per atom.
    /// </summary>
    private static readonly EspressoSettings Quick = new()
    {
        PseudoFolder = Requirements.DebianEspressoPseudo,
        Pseudopotentials = new Dictionary<string, string> { ["Cu"] = "Cu.pz-d-rrkjus.UPF" },
        EcutWfc = 35,
        KGrid = (3, 3, 2),
        ConvThrPerAtom = 1e-10,
    };

    private static readonly Lazy<(OracleLabel Label, string Folder, double Seconds)> Reference = new(() =>
    {
        var folder = TestData.TempDir();
        var watch = Stopwatch.StartNew();
        var label = new EspressoOracle(Quick, ["Cu"]).Compute(CopperPair(), folder);
        return (label, folder, watch.Elapsed.TotalSeconds);
    });

    /// <summary>Energies of the structures, two pw.x runs at a time (which also exercises calls running at once).</summary>
    private double[] Energies(params Structure[] structures)
    {
        var oracle = new EspressoOracle(Quick, ["Cu"]);
        var energies = new double[structures.Length];
        var watch = Stopwatch.StartNew();
        Parallel.For(0, structures.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 },
            i => energies[i] = oracle.Compute(structures[i], TestData.TempDir()).Energy);
        output.WriteLine($"{structures.Length} pw.x runs, two at a time: {watch.Elapsed.TotalSeconds:F1} s");
        return energies;
    }

    [NeedsFact(External.Espresso)]
    public void ForcesMatchFiniteDifferencesOfTheEnergy()
    {
        var (label, folder, seconds) = Reference.Value;
        output.WriteLine($"reference run: {seconds:F1} s ({folder})");
        var s = CopperPair();
        const double h = 0.01;
        var cases = new[] { (Atom: 1, Axis: 0), (Atom: 1, Axis: 2), (Atom: 0, Axis: 1) };
        var structures = cases.SelectMany(c => new[] { FiniteDifference.Displaced(s, c.Atom, c.Axis, +h), FiniteDifference.Displaced(s, c.Atom, c.Axis, -h) }).ToArray();
        var e = Energies(structures);
        for (var k = 0; k < cases.Length; k++)
        {
            var (atom, axis) = cases[k];
            var numeric = -(e[2 * k] - e[2 * k + 1]) / (2 * h);
            var analytic = label.Forces[atom][axis];
            output.WriteLine($"force on atom {atom + 1} along {"xyz"[axis]}: pw.x {analytic:F5} eV/Å, finite difference {numeric:F5} eV/Å");
            Assert.True(Math.Abs(analytic) > 0.02, "the test structure should have sizeable forces");
            Assert.True(Math.Abs(numeric - analytic) <= 2e-3 + 0.02 * Math.Abs(analytic),
                $"force on atom {atom + 1} along {"xyz"[axis]}: pw.x {analytic:G6}, finite difference {numeric:G6} eV/Å");
        }
        // Newton's third law holds for pw.x's forces (it removes the net force).
        var net = label.Forces[0] + label.Forces[1];
        Assert.True(net.Length < 1e-6, $"net force {net}");
    }

    [NeedsFact(External.Espresso)]
    public void StressMatchesFiniteDifferencesUnderStrain()
    {
        var (label, folder, seconds) = Reference.Value;
        output.WriteLine($"reference run: {seconds:F1} s ({folder})");
        var printed = PrintedStress(folder);
        var s = CopperPair();
        var volume = s.Cell.Volume;
        const double eps = 0.005;
        var cases = new[] { (A: 0, B: 0), (A: 0, B: 1), (A: 2, B: 2) };
        var structures = cases.SelectMany(c => new[] { FiniteDifference.Deformed(s, c.A, c.B, +eps), FiniteDifference.Deformed(s, c.A, c.B, -eps) }).ToArray();
        var e = Energies(structures);
        var stress = label.Stress!.Value;
        for (var k = 0; k < cases.Length; k++)
        {
            var (a, b) = cases[k];
            // σ_ab = (1/V) ∂E/∂ε_ab, positions strained with the cell.
            var numeric = (e[2 * k] - e[2 * k + 1]) / (2 * eps * volume);
            var analytic = stress.Component(a, b);
            var name = $"{"xyz"[a]}{"xyz"[b]}";
            output.WriteLine($"stress {name}: pw.x printed {printed[3 * a + b]:F8} Ry/Bohr³, label {analytic:F6} eV/Å³, " +
                             $"(1/V) ∂E/∂ε {numeric:F6} eV/Å³ = {numeric / EspressoOutput.StressFactor:F8} Ry/Bohr³");
            Assert.True(Math.Abs(analytic) > 1e-3, $"the test structure should have a sizeable {name} stress");
            // The printed value has the opposite sign to (1/V) ∂E/∂ε: pw.x's stress is compression-positive.
            Assert.True(Math.Sign(printed[3 * a + b]) == -Math.Sign(numeric), $"{name}: pw.x printed {printed[3 * a + b]}, (1/V) ∂E/∂ε is {numeric}");
            Assert.True(Math.Abs(numeric - analytic) <= 2e-4 + 0.03 * Math.Abs(analytic),
                $"stress {name}: label {analytic:G6}, finite difference {numeric:G6} eV/Å³");
        }
    }

    /// <summary>pw.x's own stress rows in Ry/Bohr³ from the call's pw.out, row-major.</summary>
    private static double[] PrintedStress(string folder)
    {
        var lines = File.ReadAllLines(Path.Combine(folder, EspressoOracle.OutputFile));
        var header = Array.FindLastIndex(lines, l => l.Contains("total   stress", StringComparison.Ordinal));
        return lines.Skip(header + 1).Take(3)
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3))
            .Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
    }

    [NeedsFact(External.Espresso)]
    public void TwoMpiRanksGiveTheSameLabelsAndScratchIsRemoved()
    {
        var (label, folder, _) = Reference.Value;
        Assert.False(Directory.EnumerateFiles(Path.Combine(folder, "out"), "*", SearchOption.AllDirectories)
            .Any(f => !f.EndsWith(".xml", StringComparison.Ordinal)), "wavefunctions and charge density are removed");
        Assert.True(File.Exists(Path.Combine(folder, EspressoOracle.InputFile)));
        var work = TestData.TempDir();
        var watch = Stopwatch.StartNew();
        var oracle = new EspressoOracle(Quick with { MpiRanks = 2 }, ["Cu"]);
        var parallel = oracle.Compute(CopperPair(), work);
        output.WriteLine($"{oracle.Name}: {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Contains("running on     2 processors", File.ReadAllText(Path.Combine(work, EspressoOracle.OutputFile)));
        Assert.Equal(label.Energy, parallel.Energy, 5);
        for (var i = 0; i < 2; i++) Assert.True((label.Forces[i] - parallel.Forces[i]).Length < 1e-4);
        Assert.True(Math.Abs(label.Stress!.Value.Xy - parallel.Stress!.Value.Xy) < 1e-5);
    }

    [NeedsFact(External.Espresso)]
    public void UnconvergedRealRunIsAnOracleException()
    {
        var work = TestData.TempDir();
        var e = Assert.Throws<OracleException>(() =>
            new EspressoOracle(Quick with { ElectronMaxStep = 2 }, ["Cu"]).Compute(CopperPair(), work));
        output.WriteLine(e.Message);
        Assert.Contains("convergence NOT achieved after", e.Reason);
        Assert.True(File.Exists(Path.Combine(work, EspressoOracle.OutputFile)));
    }
}
