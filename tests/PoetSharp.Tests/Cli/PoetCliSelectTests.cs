using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Mtp;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>`poet select`: active selection from a labelled pool, end to end.</summary>
public class PoetCliSelectTests
{
    private static Structure Labelled(Structure s)
    {
        var r = SuttonChen.CopperPoet().Compute(s);
        s.Energy = r.Energy;
        s.Forces = r.Forces.ToArray();
        return s;
    }

    private static (string Model, string Training, string Pool) Files()
    {
        var dir = TestData.TempDir();
        var model = Path.Combine(dir, "cu.mtp");
        MtpFile.Write(model, MtpModel.Untrained(10, ["Cu"], 2.0, 5.0, radialBasisSize: 6, seed: 4, scaling: 0.04));
        var training = Enumerable.Range(0, 30).Select(k => Labelled(Builders.Rattled(Lattices.Fcc("Cu", 3.58 + 0.01 * (k % 5), 2, 2, 2), 0.08, 10 + k))).ToList();
        var trainingPath = Path.Combine(dir, "train.xyz");
        DataFiles.Write(trainingPath, new Dataset(training, trainingPath));
        // The pool: four copies of training structures, then three compressed, hot ones.
        var pool = training.Take(4).Select(s => s.Clone())
            .Concat(Enumerable.Range(0, 3).Select(k => Labelled(Builders.Rattled(Lattices.Fcc("Cu", 3.32 + 0.04 * k, 2, 2, 2), 0.2, 70 + k)))).ToList();
        for (var k = 0; k < pool.Count; k++) pool[k].Name = $"pool-{k}";
        var poolPath = Path.Combine(dir, "pool.xyz");
        DataFiles.Write(poolPath, new Dataset(pool, poolPath));
        return (model, trainingPath, poolPath);
    }

    [Fact]
    public void Writes_the_structures_that_extend_the_data_with_their_labels_and_every_grade()
    {
        var (model, training, pool) = Files();
        var dir = TestData.TempDir();
        var outPath = Path.Combine(dir, "selected.xyz");
        var gradesPath = Path.Combine(dir, "grades.csv");
        var run = CliRun.Of("--type-map", "Cu", "select", "-m", model, "-d", training, "--pool", pool, "-o", outPath, "--grades", gradesPath);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("none left above it", run.Stdout);

        var chosen = DataFiles.Read(outPath).Structures;
        Assert.NotEmpty(chosen);
        var poolData = DataFiles.Read(pool).Structures;
        foreach (var s in chosen)
        {
            // Only the compressed ones, with the labels they came with.
            var original = poolData.Single(p => p.Name == s.Name);
            Assert.True(int.Parse(s.Name["pool-".Length..]) >= 4, s.Name);
            Assert.Equal(original.Energy!.Value, s.Energy!.Value, 1e-8);
            Assert.Equal(original.Forces![3].X, s.Forces![3].X, 1e-8);
        }
        var lines = File.ReadAllLines(gradesPath);
        Assert.Equal("index,group,name,atoms,grade,chosen", lines[0]);
        Assert.Equal(poolData.Count + 1, lines.Length);
        for (var k = 1; k <= 4; k++) Assert.True(double.Parse(lines[k].Split(',')[4], System.Globalization.CultureInfo.InvariantCulture) <= 1 + 1e-8, lines[k]);
        Assert.Equal(chosen.Count, lines.Skip(1).Count(l => l.EndsWith(",1")));

        // By neighbourhood too, and with a cap.
        var capped = CliRun.Of("--type-map", "Cu", "select", "-m", model, "-d", training, "--pool", pool, "--grade-by", "neighbourhood", "--max", "1", "-o", Path.Combine(dir, "one.xyz"));
        Assert.True(capped.ExitCode == 0, capped.Stdout + capped.Stderr);
        Assert.Single(DataFiles.Read(Path.Combine(dir, "one.xyz")).Structures);
        Assert.Contains("still above it (--max reached)", capped.Stdout);

        // The covering rule: no more structures than the rounds, all of them among the rounds' candidates.
        var covering = CliRun.Of("--type-map", "Cu", "select", "-m", model, "-d", training, "--pool", pool, "--rule", "covering", "-o", Path.Combine(dir, "covering.xyz"));
        Assert.True(covering.ExitCode == 0, covering.Stdout + covering.Stderr);
        Assert.Contains("covering", covering.Stdout);
        var few = DataFiles.Read(Path.Combine(dir, "covering.xyz")).Structures;
        Assert.InRange(few.Count, 1, chosen.Count);
        Assert.All(few, s => Assert.True(int.Parse(s.Name["pool-".Length..]) >= 4, s.Name));
    }

    [Fact]
    public void Bad_input_gives_one_clear_line()
    {
        var (model, training, pool) = Files();
        var outPath = Path.Combine(TestData.TempDir(), "s.xyz");
        var threshold = CliRun.Of("--type-map", "Cu", "select", "-m", model, "-d", training, "--pool", pool, "--threshold", "0.5", "-o", outPath);
        threshold.AssertOneLineError(1);
        Assert.Contains("at least 1", threshold.Stderr);
        var missing = CliRun.Of("--type-map", "Cu", "select", "-m", model, "-d", training, "--pool", pool + ".nope", "-o", outPath);
        missing.AssertOneLineError(1);
        Assert.Contains("pool.xyz.nope", missing.Stderr);
        var noPool = CliRun.Of("--type-map", "Cu", "select", "-m", model, "-d", training);
        noPool.AssertOneLineError(2);
        var mode = CliRun.Of("--type-map", "Cu", "select", "-m", model, "-d", training, "--pool", pool, "--grade-by", "atoms", "-o", outPath);
        mode.AssertOneLineError(1);
        Assert.Contains("expected configuration or neighbourhood", mode.Stderr);
        var rule = CliRun.Of("--type-map", "Cu", "select", "-m", model, "-d", training, "--pool", pool, "--rule", "greedy", "-o", outPath);
        rule.AssertOneLineError(1);
        Assert.Contains("expected rounds or covering", rule.Stderr);
        var truncated = Path.Combine(TestData.TempDir(), "bad.mtp");
        File.WriteAllLines(truncated, File.ReadAllLines(model).Take(6));
        var badModel = CliRun.Of("--type-map", "Cu", "select", "-m", truncated, "-d", training, "--pool", pool, "-o", outPath);
        badModel.AssertOneLineError(1);
        Assert.Contains("bad.mtp", badModel.Stderr);
        Assert.False(File.Exists(outPath));
    }
}
