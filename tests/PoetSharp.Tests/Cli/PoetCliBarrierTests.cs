using System.Globalization;
using System.Text.Json;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Tests.Simulation;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>`poet barrier` end to end: a Li vacancy hop in B2 LiTl (<see cref="LiTlPairModel"/>) read from a POSCAR file.</summary>
public class PoetCliBarrierTests
{
    private static readonly string Cutoff = LiTlPairModel.Cutoff.ToString(CultureInfo.InvariantCulture);
    private static readonly string Inner = LiTlPairModel.TaperInner.ToString(CultureInfo.InvariantCulture);

    /// <summary>A 3×3×3 B2 crystal written as POSCAR; the atom numbers (from 1, in the file's order) of the Li at the origin and at a[100].</summary>
    private static (string Path, int Origin, int Neighbour, int Tl) Poscar()
    {
        var path = Path.Combine(TestData.TempDir(), "LiTl.vasp");
        DataFiles.Write(path, new Dataset([LiTlPairModel.Crystal(3)], path));
        var read = DataFiles.Read(path)[0]; // numbered as the file has them, whatever order the writer chose
        var a = LiTlPairModel.LatticeConstant;
        return (path, LiTlPairModel.AtomAt(read, Vec3.Zero) + 1, LiTlPairModel.AtomAt(read, new Vec3(a, 0, 0)) + 1,
            LiTlPairModel.AtomAt(read, new Vec3(a / 2, a / 2, a / 2)) + 1);
    }

    private static CliRun Barrier(string structure, string hop, params string[] more) =>
        CliRun.Of(["barrier", "--model", LiTlPairModel.Expression, "--cutoff", Cutoff, "--taper-inner", Inner, "--structure", structure, "--hop", hop, .. more]);

    [Fact]
    public void Barrier_prints_both_barriers_and_the_band_and_writes_json_and_plots()
    {
        var (path, origin, neighbour, _) = Poscar();
        var dir = TestData.TempDir();
        var run = Barrier(path, $"{neighbour},{origin}", "--images", "5", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("54 atoms (Li 27, Tl 27); cell fixed", run.Stdout);
        Assert.Contains($"hop: Li atom {neighbour} into the vacant site of atom {origin}, 3.3000 Å", run.Stdout);
        Assert.Contains("converged: yes", run.Stdout);
        Assert.Contains("endpoints: the hopping atom moves 3.", run.Stdout);
        Assert.Contains("no other atom more than 0.5 Å", run.Stdout);
        Assert.Contains("forward barrier:", run.Stdout);
        Assert.Contains("3 climbing", run.Stdout);
        Assert.Contains("6 final", run.Stdout);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "barrier.json")));
        var root = doc.RootElement;
        Assert.True(root.GetProperty("converged").GetBoolean());
        Assert.Equal(neighbour, root.GetProperty("hop").GetProperty("from").GetInt32());
        Assert.Equal(0, root.GetProperty("other_atoms_moving_over_half_A").GetInt32());
        var hopper = root.GetProperty("hopper_displacement_A").GetDouble();
        Assert.InRange(hopper, 3.0, 3.6); // the 3.3 Å hop between the relaxed sites
        Assert.True(root.GetProperty("endpoint_displacement_A").GetDouble() >= hopper);
        Assert.Equal("Li", root.GetProperty("hop").GetProperty("species").GetString());
        var forward = root.GetProperty("forward_barrier_eV").GetDouble();
        Assert.InRange(forward, 0.3, 0.7);
        Assert.Equal(forward, root.GetProperty("backward_barrier_eV").GetDouble(), 1e-4); // a symmetric hop, at --fmax 0.01
        var images = root.GetProperty("images").EnumerateArray().ToArray();
        Assert.Equal(7, images.Length);
        Assert.Equal(0, images[0].GetProperty("relative_energy_eV").GetDouble());
        Assert.Equal(forward, images[3].GetProperty("relative_energy_eV").GetDouble(), 12);
        Assert.Contains(forward.ToString("F6", CultureInfo.InvariantCulture), run.Stdout);
        Assert.True(new FileInfo(Path.Combine(dir, "barrier.png")).Length > 0);
        System.Xml.Linq.XDocument.Load(Path.Combine(dir, "barrier.svg"));
        // The band as extended XYZ: every image with its energy, the vacancy's crystal of 53 atoms.
        var band = DataFiles.Read(Path.Combine(dir, "band.xyz"));
        Assert.Equal(7, band.Count);
        Assert.All(band.Structures, image => Assert.Equal(53, image.Count));
        for (var m = 0; m < band.Count; m++)
            Assert.Equal(images[m].GetProperty("energy_eV").GetDouble(), band[m].Energy!.Value, 6);
    }

    [Fact]
    public void Bad_hops_are_one_line_errors_in_the_files_numbering()
    {
        var (path, origin, neighbour, tl) = Poscar();
        var message = (CliRun r) => { r.AssertOneLineError(1); return r.Stderr; };
        Assert.Contains("expected two atom numbers I,J counted from 1", message(Barrier(path, "3")));
        Assert.Contains("expected two atom numbers", message(Barrier(path, "a,b")));
        Assert.Contains("the structure has 54 atoms", message(Barrier(path, "0,1")));
        Assert.Contains("the structure has 54 atoms", message(Barrier(path, $"{origin},55")));
        Assert.Contains("its own site", message(Barrier(path, $"{origin},{origin}")));
        Assert.Contains($"atom {origin} is Li but atom {tl} is Tl", message(Barrier(path, $"{origin},{tl}")));
        Assert.Contains("--fmax", message(Barrier(path, $"{neighbour},{origin}", "--fmax", "0")));
        Barrier("/nonexistent/LiTl.vasp", "1,2").AssertOneLineError(1);
        CliRun.Of("barrier", "--model", LiTlPairModel.Expression, "--structure", path).AssertOneLineError(2); // no --hop
    }

    /// <summary>One B2 cube, perturbed by up to 0.02 Å per coordinate, as POSCAR: the crystal the --repeat and --symmetrize tests start from.</summary>
    private static string PerturbedCube()
    {
        var cube = Lattices.B2("Li", "Tl", LiTlPairModel.LatticeConstant);
        cube.Positions[1] += new Vec3(0.013, -0.008, 0.017);
        var path = Path.Combine(TestData.TempDir(), "LiTl-cube.vasp");
        DataFiles.Write(path, new Dataset([cube], path));
        return path;
    }

    private static CliRun Hops(string structure, params string[] more) => CliRun.Of(["hops", "--structure", structure, .. more]);

    [NeedsFact(External.SpglibLibrary)]
    public void Hops_lists_the_symmetry_distinct_hops_and_writes_the_crystal_as_listed()
    {
        var (path, _, _, _) = Poscar();
        var run = Hops(path, "--element", "Li", "--max-distance", "4.7");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("54 atoms; space group Pm-3m (221)", run.Stdout);
        Assert.Contains("Li sites: site ", run.Stdout);
        Assert.Contains("(27 atoms)", run.Stdout);
        Assert.Contains("3.3000", run.Stdout);
        Assert.Contains("4.6669", run.Stdout);

        var json = Hops(path, "--element", "Li", "--max-distance", "4.7", "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        using var doc = JsonDocument.Parse(json.Stdout);
        var hops = doc.RootElement.GetProperty("hops").EnumerateArray().ToArray();
        Assert.Equal(2, hops.Length);
        Assert.Equal([81, 162], hops.Select(h => h.GetProperty("count").GetInt32()));
        Assert.All(hops, h => Assert.True(h.GetProperty("symmetric").GetBoolean()));
        Assert.Equal(3.3, hops[0].GetProperty("distance_A").GetDouble(), 6);

        // The perturbed cube repeated and symmetrized: the written crystal is Pm-3m to a tight tolerance and 3×3×3 large.
        var written = Path.Combine(TestData.TempDir(), "as-listed.vasp");
        var repeated = Hops(PerturbedCube(), "--element", "Li", "--repeat", "3,3,3", "--symmetrize", "--symprec", "0.1", "--max-distance", "3.4", "--write", written);
        Assert.True(repeated.ExitCode == 0, repeated.Stderr);
        Assert.Contains("54 atoms; symmetrized in Pm-3m", repeated.Stdout); // the file's cube first, then the repeat
        Assert.Contains("; repeated 3×3×3; space group Pm-3m", repeated.Stdout);
        var crystal = DataFiles.Read(written)[0];
        Assert.Equal(54, crystal.Count);
        Assert.Equal("Pm-3m", PoetSharp.Symmetry.Spglib.Analyze(crystal, 1e-6).International);
        // Unsymmetrized at a tight tolerance, the perturbed crystal has less symmetry and more, shorter-lived classes.
        var loose = Hops(PerturbedCube(), "--element", "Li", "--repeat", "3,3,3", "--symprec", "1e-4", "--max-distance", "3.4", "--json");
        using var looseDoc = JsonDocument.Parse(loose.Stdout);
        Assert.NotEqual("Pm-3m", looseDoc.RootElement.GetProperty("space_group").GetString());
    }

    [NeedsFact(External.SpglibLibrary)]
    public void Barrier_repeats_and_symmetrizes_the_crystal_and_checks_the_sites()
    {
        var dir = TestData.TempDir();
        var run = Barrier(PerturbedCube(), "3,1", "--repeat", "3,3,3", "--symmetrize", "--symprec", "0.1", "--images", "3", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("54 atoms (Li 27, Tl 27); symmetrized in Pm-3m", run.Stdout);
        Assert.Contains("; repeated 3×3×3; cell fixed", run.Stdout);
        Assert.Contains("sites: equivalent in the relaxed crystal's space group Pm-3m", run.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "barrier.json")));
        var root = doc.RootElement;
        Assert.True(root.GetProperty("equivalent_sites").GetBoolean());
        Assert.Equal("Pm-3m", root.GetProperty("space_group").GetString());
        Assert.Equal(root.GetProperty("forward_barrier_eV").GetDouble(), root.GetProperty("backward_barrier_eV").GetDouble(), 1e-4);
    }

    [Fact]
    public void Bad_repeat_symprec_and_hops_options_are_one_line_errors()
    {
        var (path, origin, neighbour, _) = Poscar();
        var message = (CliRun r) => { r.AssertOneLineError(1); return r.Stderr; };
        foreach (var bad in new[] { "2,2", "0,1,1", "a,b,c", "2,2,2,2" })
            Assert.Contains("--repeat", message(Barrier(path, $"{neighbour},{origin}", "--repeat", bad)));
        Assert.Contains("--symprec", message(Barrier(path, $"{neighbour},{origin}", "--symprec", "-1")));
        Assert.Contains("expected linear or idpp", message(Barrier(path, $"{neighbour},{origin}", "--interpolation", "spline")));
        Assert.Contains("--symprec", message(Hops(path, "--element", "Li", "--symprec", "0")));
        Assert.Contains("--max-distance", message(Hops(path, "--element", "Li", "--max-distance", "0")));
        Assert.Contains("--repeat", message(Hops(path, "--element", "Li", "--repeat", "1,x,1")));
        Hops("/nonexistent/LiTl.vasp", "--element", "Li").AssertOneLineError(1);
        CliRun.Of("hops", "--structure", path).AssertOneLineError(2); // no --element
        if (PoetSharp.Symmetry.Spglib.WhyUnavailable() is null)
            Assert.Contains("a hop needs two", message(Hops(path, "--element", "Cu")));
    }

    [Fact]
    public void Grade_data_gives_every_image_its_extrapolation_grade()
    {
        var dir = TestData.TempDir();
        var model = Path.Combine(dir, "cu.mtp");
        var mtp = PoetSharp.Mtp.MtpModel.Untrained(10, ["Cu"], 2.0, 5.0, radialBasisSize: 6, seed: 4, scaling: 0.04);
        PoetSharp.Mtp.MtpFile.Write(model, mtp);
        var training = Enumerable.Range(0, 12).Select(k => Builders.Rattled(Lattices.Fcc("Cu", 3.58 + 0.01 * (k % 4), 2, 2, 2), 0.08, 10 + k)).ToList();
        var trainingPath = Path.Combine(dir, "train.xyz");
        DataFiles.Write(trainingPath, new Dataset(training, trainingPath));
        var crystalPath = Path.Combine(dir, "cu.vasp");
        DataFiles.Write(crystalPath, new Dataset([Lattices.FccConventional("Cu", 3.6)], crystalPath));

        var outDir = Path.Combine(dir, "out");
        // Atom 5 is atom 1's copy one cell along c: a second-neighbour hop (3.6 Å), through the crowded midpoint of a cube face.
        var run = CliRun.Of("--type-map", "Cu", "barrier", "--potential", model, "--structure", crystalPath, "--repeat", "3,3,3", "--hop", "5,1",
            "--images", "3", "--max-steps", "1", "--grade-data", trainingPath, "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("grades: by neighbourhood against the active set of 12 training structures", run.Stdout);
        Assert.Contains("grade γ", run.Stdout);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "barrier.json")));
        var grades = doc.RootElement.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("grade").GetDouble()).ToArray();
        Assert.Equal(5, grades.Length);
        // The same grades from the band as written, the model as read and an active set built here.
        var features = PoetSharp.Learning.ExtrapolationFeatures.For(PoetSharp.Mtp.MtpFile.Read(model, ["Cu"]), PoetSharp.Learning.GradeMode.Neighbourhood);
        var set = features.BuildActiveSet(DataFiles.Read(trainingPath).Structures);
        var band = DataFiles.Read(Path.Combine(outDir, "band.xyz"));
        for (var m = 0; m < grades.Length; m++) Assert.Equal(features.Grade(set, band[m]), grades[m], 1e-9 * Math.Max(1, grades[m]));
        // The hopping atom halfway, squeezed between four neighbours, is further from the data than the vacancy's crystal.
        Assert.True(grades[2] > grades[0], $"midpoint γ {grades[2]} vs initial γ {grades[0]}");

        CliRun.Of("barrier", "--model", "sum(r^-9)", "--structure", crystalPath, "--repeat", "2,2,2", "--hop", "5,1", "--grade-data", trainingPath).AssertOneLineError(1);
        CliRun.Of("--type-map", "Cu", "barrier", "--potential", model, "--structure", crystalPath, "--repeat", "2,2,2", "--hop", "5,1", "--grade-data", trainingPath,
            "--grade-by", "atoms").AssertOneLineError(1);
    }
}
