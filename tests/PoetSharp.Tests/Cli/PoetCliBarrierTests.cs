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
        Assert.Contains("forward barrier:", run.Stdout);
        Assert.Contains("3 climbing", run.Stdout);
        Assert.Contains("6 final", run.Stdout);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "barrier.json")));
        var root = doc.RootElement;
        Assert.True(root.GetProperty("converged").GetBoolean());
        Assert.Equal(neighbour, root.GetProperty("hop").GetProperty("from").GetInt32());
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
}
