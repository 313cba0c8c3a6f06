using System.Diagnostics;
using System.Text.Json;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Learning;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cli;

/// <summary>`poet learn` end to end with a Sutton–Chen teacher: the run, its files, resume after kill -9, and bad input.</summary>
public class PoetCliLearnTests
{
    private static string Starts()
    {
        var path = Path.Combine(TestData.TempDir(), "start.xyz");
        DataFiles.Write(path, new Dataset([Builders.Rattled(Lattices.Fcc("Cu", 3.61, 2, 2, 2), 0.02, 1)], path));
        return path;
    }

    private static readonly string[] Quick = ["--oracle", "potential:sc", "--level", "8", "-T", "300,900", "--steps", "300", "--time-step", "2", "--grade-every", "5"];

    [Fact]
    public void Learns_until_md_stays_inside_the_data_and_writes_model_journal_state_and_plots()
    {
        var dir = Path.Combine(TestData.TempDir(), "run");
        var run = CliRun.Of(["learn", "--structures", Starts(), .. Quick, "--iterations", "15", "--train-iterations", "40", "-o", dir]);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("converged: every MD run and band stayed below the select threshold", run.Stdout);
        foreach (var f in new[] { "model.mtp", "model.json", "training.xyz", "journal.jsonl", "state.json", "learn.json", "learning-errors.png", "learning-errors.svg", "learning-cost.png", "learning-cost.svg" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        using var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "state.json")));
        var iterations = state.RootElement.GetProperty("iterations");
        Assert.True(iterations[iterations.GetArrayLength() - 1].GetProperty("converged").GetBoolean());
        // The learned model runs as any MTP.
        var md = CliRun.Of("md", "--model", Path.Combine(dir, "model.json"), "--build", "fcc:Cu:3.61:2x2x2", "--temperature", "300", "--steps", "20", "--thermo", "0", "--json");
        Assert.True(md.ExitCode == 0, md.Stderr);
        // A finished run is not overwritten by accident.
        var again = CliRun.Of(["learn", "--structures", Starts(), .. Quick, "-o", dir]);
        again.AssertOneLineError(1);
        Assert.Contains("--resume", again.Stderr);
    }

    [Fact]
    public void A_run_killed_with_kill_9_resumes_without_repeating_a_completed_oracle_call()
    {
        var dir = Path.Combine(TestData.TempDir(), "run");
        var poet = Path.Combine(AppContext.BaseDirectory, "poet.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { poet, "learn", "--structures", Starts() }.Concat(Quick).Concat(["--iterations", "15", "--train-iterations", "400", "-o", dir]))
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // Kill as soon as the journal holds calls that no checkpoint has taken in yet: mid-iteration, after its oracle
        // calls, while the MTP retrains.
        var journal = Path.Combine(dir, OracleJournal.FileName);
        var statePath = Path.Combine(dir, OnTheFlyLearning.StateFile);
        var clock = Stopwatch.StartNew();
        var killed = false;
        while (clock.Elapsed < TimeSpan.FromMinutes(3) && !process.HasExited)
        {
            if (File.Exists(statePath) && File.Exists(journal))
            {
                int trained;
                try { trained = JsonDocument.Parse(File.ReadAllText(statePath)).RootElement.GetProperty("trainingSize").GetInt32(); }
                catch (Exception e) when (e is IOException or JsonException) { continue; }
                if (ReadLines(journal).Length > trained)
                {
                    process.Kill(); // SIGKILL on Linux: no handler runs
                    killed = true;
                    break;
                }
            }
            Thread.Sleep(2);
        }
        process.WaitForExit();
        Assert.True(killed, "the run ended before it could be killed mid-iteration");
        var callsBefore = ReadLines(journal).Length;
        var pending = callsBefore - JsonDocument.Parse(File.ReadAllText(statePath)).RootElement.GetProperty("trainingSize").GetInt32();
        Assert.True(pending > 0);

        var resumed = CliRun.Of("learn", "--resume", dir, "--train-iterations", "40");
        Assert.True(resumed.ExitCode == 0, resumed.Stdout + resumed.Stderr);
        Assert.Contains("resuming", resumed.Stdout);
        Assert.Contains($"(+{pending} from the journal)", resumed.Stdout);
        // No structure was labelled twice: every successful call has its own key, and the training set holds each once.
        var keys = ReadLines(journal).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(keys.Count, DataFiles.Read(Path.Combine(dir, "training.xyz")).Count);
    }

    private static string[] ReadLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [NeedsFact(External.Lammps)]
    public void Lammps_as_the_oracle_labels_the_same_as_poetsharps_eam_and_the_loop_runs()
    {
        var dir = Path.Combine(TestData.TempDir(), "run");
        var eam = Path.Combine(PotentialFactory.LammpsPotentialsFolder, "Cu_mishin1.eam.alloy");
        var run = CliRun.Of(["learn", "--structures", Starts(), "--oracle", "lammps:" + eam, "--level", "6", "-T", "600", "--steps", "60", "--time-step", "2",
            "--grade-every", "5", "--iterations", "2", "--train-iterations", "20", "--batch-rule", "entering", "-o", dir]);
        Assert.True(run.ExitCode is 0 or 1, run.Stdout + run.Stderr);
        Assert.Contains("oracle: LAMMPS (eam/alloy; Cu)", run.Stdout);
        var training = DataFiles.Read(Path.Combine(dir, "training.xyz")).Structures;
        Assert.True(training.Count >= 2);
        var reference = Eam.FromFile(eam);
        foreach (var s in training)
        {
            var r = reference.Compute(s);
            Assert.Equal(r.Energy, s.Energy!.Value, 1e-8);
            for (var i = 0; i < s.Count; i++) Assert.True((r.Forces[i] - s.Forces![i]).Length < 1e-8);
        }
        // Each call kept LAMMPS's input and log in its folder.
        var calls = Directory.GetDirectories(Path.Combine(dir, "calls"));
        Assert.All(calls, c => Assert.True(File.Exists(Path.Combine(c, "in.lmp")) && File.Exists(Path.Combine(c, "log.lammps"))));
    }

    [Fact]
    public void A_closed_form_model_file_learns_with_its_constants_refitted()
    {
        var dir = TestData.TempDir();
        var modelPath = Path.Combine(dir, "sc-perturbed.json");
        PoetSharp.Models.ModelFile.Write(modelPath, new PoetSharp.Models.Model("SC, perturbed",
            PoetSharp.Models.ExpressionParser.ParseModel("sum(700.0*r^-9) - sum(500.0*r^-6)^0.5"), 5, Taper.Copper, ["Cu"]));
        var run = CliRun.Of(["learn", "--structures", Starts(), "--start", modelPath, "--oracle", "potential:sc", "-T", "300,900", "--steps", "150",
            "--time-step", "2", "--grade-every", "5", "--iterations", "6", "-o", Path.Combine(dir, "run")]);
        Assert.True(run.ExitCode is 0 or 1, run.Stdout + run.Stderr);
        Assert.Contains("the closed form SC, perturbed (5 constants, graded by its constant Jacobian)", run.Stdout);
        var learned = (PoetSharp.Models.Model)PoetSharp.Models.ModelFile.ReadAny(Path.Combine(dir, "run", "model.json"));
        Assert.Equal(644.52, learned.Expression.Constants[0], 1.0);
        Assert.False(File.Exists(Path.Combine(dir, "run", "model.mtp")));
        // Closed forms are graded per configuration only.
        var byAtom = CliRun.Of(["learn", "--structures", Starts(), "--start", modelPath, "--oracle", "potential:sc", "--grade-by", "neighbourhood", "-o", Path.Combine(dir, "run2")]);
        byAtom.AssertOneLineError(1);
        Assert.Contains("per configuration", byAtom.Stderr);
    }

    [Fact]
    public void Bad_input_gives_one_clear_line()
    {
        var starts = Starts();
        CliRun.Of("learn", "--structures", starts).AssertOneLineError(2);
        var unknown = CliRun.Of(["learn", "--structures", starts, "--oracle", "dft", "-o", Path.Combine(TestData.TempDir(), "r")]);
        unknown.AssertOneLineError(1);
        Assert.Contains("expected potential:SPEC", unknown.Stderr);
        var temperatures = CliRun.Of(["learn", "--structures", starts, "--oracle", "potential:sc", "-T", "300,hot", "-o", Path.Combine(TestData.TempDir(), "r")]);
        temperatures.AssertOneLineError(1);
        Assert.Contains("'hot' is not a number", temperatures.Stderr);
        var thresholds = CliRun.Of(["learn", "--structures", starts, .. Quick, "--select", "5", "--break", "3", "-o", Path.Combine(TestData.TempDir(), "r")]);
        thresholds.AssertOneLineError(1);
        Assert.Contains("break threshold", thresholds.Stderr);
        var rule = CliRun.Of(["learn", "--structures", starts, .. Quick, "--batch-rule", "greedy", "-o", Path.Combine(TestData.TempDir(), "r")]);
        rule.AssertOneLineError(1);
        Assert.Contains("expected covering or entering", rule.Stderr);
        var missing = CliRun.Of("learn", "--resume", Path.Combine(TestData.TempDir(), "nothing"));
        missing.AssertOneLineError(1);
        Assert.Contains("learn.json", missing.Stderr);
        var lammps = CliRun.Of(["learn", "--structures", starts, "--oracle", "lammps", "-o", Path.Combine(TestData.TempDir(), "r")]);
        lammps.AssertOneLineError(1);
        Assert.Contains("--pair-style", lammps.Stderr);
    }

    [Fact]
    public void Neb_learns_a_vacancy_hop_without_md_and_writes_its_barriers()
    {
        var dir = TestData.TempDir();
        var crystal = Path.Combine(dir, "cu32.vasp");
        DataFiles.Write(crystal, new Dataset([Lattices.Fcc("Cu", 3.61, 2, 2, 2)], crystal));
        var read = DataFiles.Read(crystal)[0];
        var neighbour = Array.FindIndex(read.Positions, p => Math.Abs((p - read.Positions[0]).Length - 3.61 / Math.Sqrt(2)) < 1e-6) + 1;
        var data = Path.Combine(dir, "fcc.xyz");
        DataFiles.Write(data, new Dataset(Enumerable.Range(0, 6).Select(k =>
        {
            var s = Builders.Rattled(Lattices.Fcc("Cu", 3.58 + 0.02 * (k % 3), 2, 2, 2), 0.05, 40 + k);
            var r = SuttonChen.CopperPoet().Compute(s);
            s.Energy = r.Energy;
            s.Forces = r.Forces.ToArray();
            return s;
        }), data));
        var outDir = Path.Combine(dir, "run");
        var run = CliRun.Of("--type-map", "Cu", "learn", "--neb", $"{crystal}:{neighbour},1", "--data", data, "--oracle", "potential:sc", "--level", "10",
            "--grade-by", "neighbourhood", "--train-iterations", "60", "--iterations", "8", "-o", outDir);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("no MD", run.Stdout);
        Assert.Contains($"1 band of 5 images (cu32.vasp: {neighbour} into 1)", run.Stdout);
        Assert.Contains("  band 1 (cu32.vasp", run.Stdout);
        Assert.Contains("converged: every MD run and band stayed below the select threshold", run.Stdout);
        var rows = File.ReadAllLines(Path.Combine(outDir, OnTheFlyLearning.BarriersFile));
        Assert.True(rows.Length >= 3, string.Join("\n", rows)); // header, a band outside the data, the converged one
        Assert.Contains(DataFiles.Read(Path.Combine(outDir, OnTheFlyLearning.TrainingFile)).Structures, s => s.Name.Contains("-band-1-image-"));

        var message = (string[] args) => { var r = CliRun.Of(["learn", "--oracle", "potential:sc", "-o", Path.Combine(dir, "bad"), .. args]); r.AssertOneLineError(1); return r.Stderr; };
        Assert.Contains("expected FILE:I,J", message(["--neb", crystal]));
        Assert.Contains("expected FILE:I,J", message(["--neb", crystal + ":"]));
        Assert.Contains("--neb", message(["--neb", crystal + ":1,99"]));
        Assert.Contains("--neb", message(["--neb", crystal + ":1,1"]));
        CliRun.Of("learn", "--neb", "/nonexistent/cu.vasp:2,1", "--oracle", "potential:sc", "-o", Path.Combine(dir, "bad2")).AssertOneLineError(1);
        Assert.Contains("force tolerance", message(["--neb", $"{crystal}:{neighbour},1", "--neb-fmax", "0"]));
        Assert.Contains("expected linear or idpp", message(["--neb", $"{crystal}:{neighbour},1", "--neb-interpolation", "cubic"]));
    }
}
