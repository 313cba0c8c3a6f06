using System.Diagnostics;
using PoetSharp.Atoms;
using PoetSharp.Learning;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Learning;

/// <summary>
/// The LAMMPS oracle against PoetSharp's own EAM (which evaluates LAMMPS's splines the same way), its frame handling,
/// and its failures. Tests that run lmp are skipped on machines without LAMMPS and always run under CI=true.
/// </summary>
public class LammpsOracleTests(ITestOutputHelper output)
{
    private const double CuLattice = 3.615;

    private static string Mishin => Lammps.Potential("Cu_mishin1.eam.alloy");
    private static string CuNi => Lammps.Potential("CuNi.eam.alloy");

    // Lammps.Executable honours $POET_LAMMPS, as the other LAMMPS tests do.
    private static LammpsOracle Oracle(string potentialFile) => LammpsOracle.ForEam(potentialFile, Lammps.Executable);

    /// <summary>
    /// Agreement with PoetSharp's EAM. Both codes evaluate the same cubic splines in double precision; what differs is
    /// summation order and the rotation into LAMMPS's frame (≈1e-15 relative), so a few orders above rounding holds.
    /// </summary>
    private const double EnergyTolerance = 1e-9;   // eV/atom
    private const double ForceTolerance = 1e-9;    // eV/Å, per component
    private const double StressTolerance = 1e-10;  // eV/Å³ (1.6e-8 GPa), per component

    // ---------------------------------------------------------------- structures

    /// <summary>A rotation by <paramref name="angle"/> about <paramref name="axis"/> (Rodrigues), as a function.</summary>
    private static Func<Vec3, Vec3> Rotation(Vec3 axis, double angle)
    {
        var k = axis / axis.Length;
        double c = Math.Cos(angle), s = Math.Sin(angle);
        return v => c * v + s * Vec3.Cross(k, v) + (1 - c) * Vec3.Dot(k, v) * k;
    }

    private static Structure Map(Structure s, Func<Vec3, Vec3> f, string name) =>
        new(new Cell(f(s.Cell.A), f(s.Cell.B), f(s.Cell.C), s.Cell.PeriodicA, s.Cell.PeriodicB, s.Cell.PeriodicC),
            s.Positions.Select(f).ToArray(), (string[])s.Species.Clone(), name);

    /// <summary>32 fcc atoms (2×2×2 cubes) in a sheared cell that is not lower-triangular, rattled.</summary>
    private static Structure Sheared(double a, string[] species, int seed)
    {
        var fcc = Builders.Fcc("Cu", a, 2);
        var cell = new Cell(new Vec3(2 * a, 0.35, -0.25), new Vec3(0.9, 2 * a - 0.1, 0.45), new Vec3(-0.7, 0.6, 2 * a + 0.15));
        var rng = new Random(seed);
        var positions = fcc.Positions.Select(p => cell.ToCartesian(fcc.Cell.ToFractional(p))).ToArray();
        var names = positions.Select(_ => species[rng.Next(species.Length)]).ToArray();
        return Builders.Rattled(new Structure(cell, positions, names, $"sheared fcc {string.Join("", species)}"), 0.1, seed);
    }

    public static readonly string[] Cases =
        ["perturbed fcc", "sheared triclinic", "rotated triclinic", "left-handed long vectors", "CuNi sheared", "slab", "cluster"];

    private static (string File, Structure Structure) Case(string name)
    {
        switch (name)
        {
            case "perturbed fcc":
                return (Mishin, Builders.Rattled(Builders.Fcc("Cu", CuLattice, 2), 0.12, seed: 11));
            case "sheared triclinic":
                return (Mishin, Sheared(CuLattice, ["Cu"], seed: 12));
            case "rotated triclinic":
                return (Mishin, Map(Sheared(CuLattice, ["Cu"], seed: 12), Rotation(new Vec3(1, -2, 3), 0.7), "rotated sheared fcc"));
            case "left-handed long vectors":
            {
                // The same lattice spanned by a₁+a₂, a₃, a₂ (determinant −1): left-handed, with a tilt beyond half a box.
                var s = Sheared(CuLattice, ["Cu"], seed: 13);
                var (a1, a2, a3) = (s.Cell.A, s.Cell.B, s.Cell.C);
                return (Mishin, new Structure(new Cell(a1 + a2, a3, a2), s.Positions, s.Species, "left-handed"));
            }
            case "CuNi sheared":
                return (CuNi, Sheared(3.56, ["Cu", "Ni"], seed: 14));
            case "slab":
            {
                var s = Sheared(CuLattice, ["Cu"], seed: 15);
                var cell = new Cell(s.Cell.A, s.Cell.B, s.Cell.C, true, false, true);
                return (Mishin, new Structure(cell, s.Positions, s.Species, "slab open along b"));
            }
            case "cluster":
            {
                var s = Builders.Rattled(Builders.Fcc("Cu", CuLattice, 2), 0.1, seed: 16);
                return (CuNi, new Structure(Cell.NonPeriodic(), s.Positions, s.Positions.Select((_, i) => i % 3 == 0 ? "Ni" : "Cu").ToArray(), "CuNi cluster"));
            }
            default:
                throw new ArgumentException(name);
        }
    }

    public static IEnumerable<object[]> CaseNames() => Cases.Select(c => new object[] { c });

    // ---------------------------------------------------------------- agreement with PoetSharp's EAM

    /// <summary>Labels with the oracle and PoetSharp's EAM; returns the largest differences and the call's time.</summary>
    private (double Energy, double Force, double Stress, double Seconds) Compare(string file, Structure s)
    {
        var oracle = Oracle(file);
        var folder = TestData.TempDir();
        var clock = Stopwatch.StartNew();
        var label = oracle.Compute(s, folder);
        var seconds = clock.Elapsed.TotalSeconds;
        var ours = Eam.FromFile(file).Compute(s);

        var dE = Math.Abs(label.Energy - ours.Energy);
        var dF = 0.0;
        for (var i = 0; i < s.Count; i++)
        {
            dF = Math.Max(dF, MaxComponent(label.Forces[i] - ours.Forces[i]));
        }
        double dS;
        if (s.Cell.FullyPeriodic)
        {
            Assert.NotNull(label.Stress);
            dS = (label.Stress!.Value - ours.Stress).ToVoigt().Max(Math.Abs);
        }
        else
        {
            Assert.Null(label.Stress);
            dS = 0;
        }
        var maxF = ours.Forces.ToArray().Max(MaxComponent);
        var maxS = s.Cell.FullyPeriodic ? ours.Stress.ToVoigt().Max(Math.Abs) : 0;
        output.WriteLine($"{Path.GetFileName(file)} on {s}: E = {ours.Energy:R} eV, |ΔE| = {dE:G3} eV ({dE / Math.Abs(ours.Energy):G3} rel), " +
                         $"max |ΔF| = {dF:G3} eV/Å (max |F| {maxF:G3}), max |Δσ| = {dS:G3} eV/Å³ (max |σ| {maxS:G3}); lmp call {seconds:F3} s");

        Assert.True(dE <= EnergyTolerance * s.Count, $"{s}: energy differs by {dE:G3} eV ({label.Energy:R} vs {ours.Energy:R})");
        Assert.True(dF <= ForceTolerance, $"{s}: a force component differs by {dF:G3} eV/Å");
        Assert.True(dS <= StressTolerance, $"{s}: a stress component differs by {dS:G3} eV/Å³");
        foreach (var f in new[] { "data.lmp", "in.lmp", "log.lammps", "result.txt", "forces.dump", "lmp.out" })
            Assert.True(File.Exists(Path.Combine(folder, f)), $"{f} is not kept in the call folder");
        return (dE, dF, dS, seconds);
    }

    [NeedsTheory(External.Lammps)]
    [MemberData(nameof(CaseNames))]
    public void AgreesWithPoetSharpEam(string name)
    {
        var (file, s) = Case(name);
        Compare(file, s);
    }

    [NeedsFact(External.Lammps)]
    public void AgreesWithPotentialOracleOnAllCases()
    {
        // The brief's comparison through the oracle interface: PotentialOracle(Eam) against LammpsOracle, all cases.
        (double E, double F, double S) max = (0, 0, 0);
        var times = new List<double>();
        foreach (var name in Cases)
        {
            var (file, s) = Case(name);
            var teacher = new PotentialOracle(Eam.FromFile(file), file).Compute(s, TestData.TempDir());
            var clock = Stopwatch.StartNew();
            var label = Oracle(file).Compute(s, TestData.TempDir());
            times.Add(clock.Elapsed.TotalSeconds);
            max.E = Math.Max(max.E, Math.Abs(label.Energy - teacher.Energy) / s.Count);
            for (var i = 0; i < s.Count; i++) max.F = Math.Max(max.F, MaxComponent(label.Forces[i] - teacher.Forces[i]));
            Assert.Equal(teacher.Stress.HasValue, label.Stress.HasValue);
            if (label.Stress is { } st) max.S = Math.Max(max.S, (st - teacher.Stress!.Value).ToVoigt().Max(Math.Abs));
        }
        output.WriteLine($"over {Cases.Length} structures: max |ΔE| = {max.E:G3} eV/atom, max |ΔF| = {max.F:G3} eV/Å, max |Δσ| = {max.S:G3} eV/Å³; " +
                         $"lmp calls {times.Min():F3}–{times.Max():F3} s (mean {times.Average():F3} s)");
        Assert.True(max.E <= EnergyTolerance && max.F <= ForceTolerance && max.S <= StressTolerance);
    }

    [NeedsFact(External.Lammps)]
    public void ForcesAndStressRotateWithTheStructure()
    {
        var s = Sheared(CuLattice, ["Cu"], seed: 12);
        var q = Rotation(new Vec3(1, -2, 3), 0.7);
        var plain = Oracle(Mishin).Compute(s, TestData.TempDir());
        var turned = Oracle(Mishin).Compute(Map(s, q, "rotated"), TestData.TempDir());
        Assert.Equal(plain.Energy, turned.Energy, 1e-9);
        for (var i = 0; i < s.Count; i++)
            Assert.True((turned.Forces[i] - q(plain.Forces[i])).Length < 1e-10, $"atom {i}: {turned.Forces[i]} vs Q·F = {q(plain.Forces[i])}");
        // σ' = Q σ Qᵀ: σ'·(Q v) = Q (σ v) for any v.
        var (st, sp) = (turned.Stress!.Value, plain.Stress!.Value);
        foreach (var v in new[] { new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, 1) })
            Assert.True((Apply(st, q(v)) - q(Apply(sp, v))).Length < 1e-12);
    }

    private static double MaxComponent(Vec3 v) => Math.Max(Math.Abs(v.X), Math.Max(Math.Abs(v.Y), Math.Abs(v.Z)));

    private static Vec3 Apply(Stress s, Vec3 v) =>
        new(s.Xx * v.X + s.Xy * v.Y + s.Xz * v.Z, s.Xy * v.X + s.Yy * v.Y + s.Yz * v.Z, s.Xz * v.X + s.Yz * v.Y + s.Zz * v.Z);

    [NeedsFact(External.Lammps)]
    public void SeveralCallsAtOnceGiveTheSameLabels()
    {
        var oracle = Oracle(CuNi);
        var structures = Enumerable.Range(0, 6).Select(k => Sheared(3.56, ["Cu", "Ni"], seed: 20 + k)).ToArray();
        var serial = structures.Select(s => oracle.Compute(s, TestData.TempDir())).ToArray();
        var parallel = new OracleLabel[structures.Length];
        Parallel.For(0, structures.Length, new ParallelOptions { MaxDegreeOfParallelism = 3 },
            k => parallel[k] = oracle.Compute(structures[k], TestData.TempDir()));
        for (var k = 0; k < structures.Length; k++)
        {
            Assert.Equal(serial[k].Energy, parallel[k].Energy);
            Assert.Equal(serial[k].Forces, parallel[k].Forces);
            Assert.Equal(serial[k].Stress, parallel[k].Stress);
        }
    }

    // ---------------------------------------------------------------- settings and fingerprint

    [NeedsFact(External.Lammps)]
    public void EamSettingsComeFromTheFile()
    {
        var cuni = LammpsOracleSettings.ForEam(CuNi);
        Assert.Equal("eam/alloy", cuni.PairStyle);
        Assert.Equal(["Ni", "Cu"], cuni.Elements);
        Assert.Equal([$"* * {CuNi} Ni Cu"], cuni.PairCoeffs);
        var fs = LammpsOracleSettings.ForEam(Lammps.Potential("CuZr_mm.eam.fs"));
        Assert.Equal("eam/fs", fs.PairStyle);
        Assert.Equal(["Cu", "Zr"], fs.Elements);
        var funcfl = LammpsOracleSettings.ForEam(Lammps.Potential("Cu_u3.eam"));
        Assert.Equal("eam", funcfl.PairStyle);
        Assert.Equal([$"1 1 {Lammps.Potential("Cu_u3.eam")}"], funcfl.PairCoeffs);
        Assert.Equal(["Ni", "Cu"], new LammpsOracle(cuni).Species!);
    }

    [NeedsFact(External.Lammps)]
    public void FingerprintNamesCommandStyleCoefficientsAndFileContent()
    {
        var dir = TestData.TempDir();
        var copy = Path.Combine(dir, "Cu_copy.eam.alloy");
        File.Copy(Mishin, copy);
        var fingerprint = LammpsOracle.ForEam(copy).Fingerprint;
        Assert.Contains("command='lmp'", fingerprint);
        Assert.Contains("pair_style='eam/alloy'", fingerprint);
        Assert.Contains($"* * {copy} Cu", fingerprint);
        Assert.Contains($"bytes={new FileInfo(copy).Length}", fingerprint);
        Assert.Contains("sha256=", fingerprint);
        Assert.DoesNotContain('\n', fingerprint);

        Assert.NotEqual(fingerprint, LammpsOracle.ForEam(copy, "/opt/lammps/bin/lmp").Fingerprint);
        File.AppendAllText(copy, "\n");
        Assert.NotEqual(fingerprint, LammpsOracle.ForEam(copy).Fingerprint);

        // A bare name that LAMMPS finds in its potentials folder (Debian's, unless $LAMMPS_POTENTIALS) is hashed from there.
        if (Path.GetDirectoryName(Mishin) == "/usr/share/lammps/potentials" && Environment.GetEnvironmentVariable("LAMMPS_POTENTIALS") is null or "")
        {
            var bare = new LammpsOracle(new LammpsOracleSettings("eam/alloy", ["* * Cu_mishin1.eam.alloy Cu"], ["Cu"]));
            Assert.Contains($"file='{Mishin}' bytes={new FileInfo(Mishin).Length} sha256=", bare.Fingerprint);
        }
    }

    // ---------------------------------------------------------------- failures

    private static LammpsOracle LennardJones(string command = "lmp", double timeoutSeconds = 600) =>
        new(new LammpsOracleSettings("lj/cut 6.0", ["* * 0.0103 2.3"], ["Cu"])
        {
            Command = command,
            Timeout = TimeSpan.FromSeconds(timeoutSeconds),
        });

    private static Structure SmallCu() => Builders.Rattled(Builders.Fcc("Cu", CuLattice, 1), 0.05, seed: 3);

    /// <summary>An executable shell script standing in for lmp.</summary>
    private static string FakeLmp(string body)
    {
        var path = Path.Combine(TestData.TempDir(), "fake-lmp.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        // Like LAMMPS, these tests are for Unix; on Windows the script could not run anyway.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public void MissingLmpNamesTheInstallCommand()
    {
        var folder = TestData.TempDir();
        var e = Assert.Throws<OracleException>(() => LennardJones("/nonexistent/bin/lmp").Compute(SmallCu(), folder));
        Assert.Contains("apt-get install -y lammps", e.Message);
        Assert.Contains("/nonexistent/bin/lmp", e.Message);
        Assert.Equal(folder, e.WorkFolder);
        Assert.Contains(folder, e.Message);
    }

    [NeedsFact(External.Lammps)]
    public void MissingPotentialFileQuotesLammpsError()
    {
        var oracle = new LammpsOracle(new LammpsOracleSettings("eam/alloy", ["* * /nonexistent/Cu.eam.alloy Cu"], ["Cu"]) { Command = Lammps.Executable });
        var folder = TestData.TempDir();
        var e = Assert.Throws<OracleException>(() => oracle.Compute(SmallCu(), folder));
        output.WriteLine(e.Message);
        Assert.Contains("ERROR", e.Reason);
        Assert.Contains("cannot open eam/alloy potential file /nonexistent/Cu.eam.alloy", e.Reason);
        Assert.Contains(folder, e.Message);
    }

    [NeedsFact(External.Lammps)]
    public void UnknownPairStyleQuotesLammpsError()
    {
        var oracle = new LammpsOracle(new LammpsOracleSettings("no/such/style", ["* *"], ["Cu"]) { Command = Lammps.Executable });
        var e = Assert.Throws<OracleException>(() => oracle.Compute(SmallCu(), TestData.TempDir()));
        output.WriteLine(e.Message);
        Assert.Contains("ERROR", e.Reason);
        Assert.Contains("no/such/style", e.Reason);
    }

    [Fact]
    public void TimeoutKillsLammps()
    {
        var oracle = LennardJones(FakeLmp("sleep 60"), timeoutSeconds: 1);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<OracleException>(() => oracle.Compute(SmallCu(), TestData.TempDir()));
        Assert.Contains("timed out", e.Reason);
        Assert.True(clock.Elapsed.TotalSeconds < 15, $"the timeout took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void CancellationKillsLammps()
    {
        var oracle = LennardJones(FakeLmp("sleep 60"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => oracle.Compute(SmallCu(), TestData.TempDir(), cancel.Token));
        Assert.True(clock.Elapsed.TotalSeconds < 15);
    }

    [Fact]
    public void UnknownElementIsRejectedBeforeRunning()
    {
        var s = SmallCu();
        s.Species[1] = "Ni";
        var folder = TestData.TempDir();
        // The command does not exist: reaching it would fail differently.
        var e = Assert.Throws<OracleException>(() => LennardJones("/nonexistent/bin/lmp").Compute(s, folder));
        Assert.Contains("element Ni", e.Reason);
        Assert.Contains("nothing was run", e.Reason);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void NonZeroExitWithoutErrorLineIsReported()
    {
        var e = Assert.Throws<OracleException>(() => LennardJones(FakeLmp("echo segfault-ish >&2; exit 3")).Compute(SmallCu(), TestData.TempDir()));
        Assert.Contains("exited with code 3", e.Reason);
        Assert.Contains("segfault-ish", e.Reason);
    }

    [Fact]
    public void SuccessWithoutOutputsIsReported()
    {
        var e = Assert.Throws<OracleException>(() => LennardJones(FakeLmp("exit 0")).Compute(SmallCu(), TestData.TempDir()));
        Assert.Contains("wrote no result.txt", e.Reason);
    }

    [Fact]
    public void NonFiniteOutputsAreReported()
    {
        // A stand-in that writes a NaN energy and proper forces for the 4 atoms.
        var script = FakeLmp("""
            echo "result nan 0 0 0 0 0 0 end" > result.txt
            printf 'ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n4\nITEM: BOX BOUNDS pp pp pp\n0 1\n0 1\n0 1\nITEM: ATOMS id fx fy fz\n1 0 0 0\n2 0 0 0\n3 0 0 0\n4 0 0 0\n' > forces.dump
            """);
        var e = Assert.Throws<OracleException>(() => LennardJones(script).Compute(SmallCu(), TestData.TempDir()));
        Assert.Contains("energy is NaN", e.Reason);
    }

    // ---------------------------------------------------------------- parsing hand-made files

    private const string DumpHead = "ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n3\nITEM: BOX BOUNDS pp pp pp\n0 3.6\n0 3.6\n0 3.6\nITEM: ATOMS id fx fy fz\n";

    private static string Folder(string file, string text)
    {
        var folder = TestData.TempDir();
        File.WriteAllText(Path.Combine(folder, file), text);
        return folder;
    }

    [Fact]
    public void ParsesForcesInIdOrder()
    {
        var folder = Folder("forces.dump", DumpHead + "2 0.5 -1 2e-3\n1 1 2 3\n3 -0.25 0 1.0000000000000002\n");
        var f = LammpsOracle.ReadForces("test", folder, 3);
        Assert.Equal([new Vec3(1, 2, 3), new Vec3(0.5, -1, 2e-3), new Vec3(-0.25, 0, 1.0000000000000002)], f);
    }

    [Fact]
    public void TruncatedForcesAreReported()
    {
        var folder = Folder("forces.dump", DumpHead + "1 1 2 3\n2 0.5 -1");
        var e = Assert.Throws<OracleException>(() => LammpsOracle.ReadForces("test", folder, 3));
        Assert.Contains("truncated", e.Reason);
        Assert.Contains(folder, e.Message);

        var cut = Folder("forces.dump", DumpHead + "1 1 2 3\n2 0.5 -1 0\n");
        Assert.Contains("truncated: 2 of 3", Assert.Throws<OracleException>(() => LammpsOracle.ReadForces("test", cut, 3)).Reason);

        var header = Folder("forces.dump", "ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n");
        Assert.Contains("truncated", Assert.Throws<OracleException>(() => LammpsOracle.ReadForces("test", header, 3)).Reason);
    }

    [Fact]
    public void WrongAtomCountsAndIdsAreReported()
    {
        var folder = Folder("forces.dump", DumpHead + "1 1 2 3\n2 0.5 -1 0\n3 0 0 0\n");
        Assert.Contains("LAMMPS has 3 atoms, the structure 4", Assert.Throws<OracleException>(() => LammpsOracle.ReadForces("test", folder, 4)).Reason);
        var twice = Folder("forces.dump", DumpHead + "1 1 2 3\n1 0.5 -1 0\n3 0 0 0\n");
        Assert.Contains("atom id '1'", Assert.Throws<OracleException>(() => LammpsOracle.ReadForces("test", twice, 3)).Reason);
        var words = Folder("forces.dump", DumpHead + "1 1 2 3\n2 x -1 0\n3 0 0 0\n");
        Assert.Contains("'x' is not a number", Assert.Throws<OracleException>(() => LammpsOracle.ReadForces("test", words, 3)).Reason);
    }

    [Fact]
    public void ParsesResultAndRejectsTruncatedOnes()
    {
        var folder = Folder("result.txt", "result -113.5 1 2 3 4 5 6 end\n");
        var (energy, pressure) = LammpsOracle.ReadResult("test", folder);
        Assert.Equal(-113.5, energy);
        // LAMMPS's order xx yy zz xy xz yz into PoetSharp's Stress(xx, yy, zz, yz, xz, xy).
        Assert.Equal(new Stress(1, 2, 3, 6, 5, 4), pressure);

        var cut = Folder("result.txt", "result -113.5 1 2 3");
        var e = Assert.Throws<OracleException>(() => LammpsOracle.ReadResult("test", cut));
        Assert.Contains("truncated", e.Reason);
        Assert.Contains(cut, e.Message);

        var nan = Folder("result.txt", "result -nan 1 2 3 4 5 inf end\n");
        var (e2, p2) = LammpsOracle.ReadResult("test", nan);
        Assert.True(double.IsNaN(e2));
        Assert.True(double.IsPositiveInfinity(p2.Yz)); // LAMMPS's sixth component is yz
        Assert.Contains("wrote no result.txt", Assert.Throws<OracleException>(() => LammpsOracle.ReadResult("test", TestData.TempDir())).Reason);
    }
}
