using System.Text.Json;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Cluster;

/// <summary>
/// Cluster searches with three processes on 127.0.0.1 (a coordinator, which also evolves islands, and two workers),
/// compared with the same search in one process: a generation-limited run must reach exactly the same islands (every
/// population, archive, generator state and counter in the checkpoint) and hence the same front, also when a worker is
/// killed with SIGKILL midway; a worker without the run's secret is refused and logged and takes no part.
/// </summary>
public sealed class ClusterProcessTests
{
    private const string Secret = "test-secret-0123456789";
    // Generous: on a CI host running other test classes on the same two cores, a 40-second search took over four minutes.
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);

    private static string[] Search(string outDir, int generations) =>
    [
        "fit", "--data", TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K"), "--out", outDir, "--generations", generations.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--islands", "4", "--population", "8", "--fit-structures", "3", "--constant-evaluations", "5", "--seed", "3", "--threads", "1",
        // The end-of-run polish on the fitting structures only: the polish is not what these tests are about, and on 128
        // structures it took longer than the search itself on two busy cores.
        "--no-properties", "--checkpoint-interval", "1h", "--final-fit-structures", "3",
    ];

    private static Dictionary<string, string> Env(string secret = Secret) => new() { ["POET_CLUSTER_SECRET"] = secret };

    private static string[] Worker(int port) => ["fit", "--cluster", $"seed=127.0.0.1:{port}", "--role", "worker", "--threads", "1"];

    private static string[] Coordinator(int port, int workers, string? joinTimeout = null) =>
        ["--cluster", $"seed=127.0.0.1:{port}", "--role", "coordinator", "--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
         .. joinTimeout is null ? Array.Empty<string>() : ["--join-timeout", joinTimeout]];

    /// <summary>Every island's state in the checkpoint, as JSON text (the state does not hold any time).</summary>
    private static string Islands(string runDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(runDir, "checkpoint.json")));
        return doc.RootElement.GetProperty("Islands").GetRawText();
    }

    private static int[] Generations(string runDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(runDir, "checkpoint.json")));
        return doc.RootElement.GetProperty("Islands").EnumerateArray().Select(i => i.GetProperty("Generation").GetInt32()).ToArray();
    }

    private static string OneProcess(int generations)
    {
        var dir = TestData.TempDir();
        using var single = new PoetProcess(Search(dir, generations));
        Assert.True(single.WaitForExit(Limit) == 0, single.Output);
        return dir;
    }

    // The one-process run of 12 generations, shared by the tests that compare with it.
    private static readonly Lazy<string> Twelve = new(() => OneProcess(12));

    [Fact]
    public void ThreeProcessesUnderSlurmGiveTheFrontOfOne()
    {
        var reference = Twelve.Value;
        var dir = TestData.TempDir();
        // srun's environment on one node: the same command in every task, the rank decides the role; the port comes
        // from the job id, so pick a job id whose port is free.
        var job = Enumerable.Range(0, 1000).First(j => PoetProcess.IsFree(47310 + j));
        Dictionary<string, string> Task(int rank) => new(Env())
        {
            ["SLURM_PROCID"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture), ["SLURM_NTASKS"] = "3",
            ["SLURM_JOB_NODELIST"] = "node01", ["SLURM_JOB_ID"] = (7000 + job).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        string[] command = [.. Search(dir, 12), "--cluster", "slurm"];
        using var coordinator = new PoetProcess(command, Task(0));
        using var w1 = new PoetProcess(command, Task(1));
        using var w2 = new PoetProcess(command, Task(2));
        Assert.True(coordinator.WaitForExit(Limit) == 0, coordinator.Output);
        Assert.Contains("Slurm rank 0 of 3", coordinator.Output);
        Assert.Contains("3 worker processes (this one included) at the start", coordinator.Output);
        Assert.Equal(0, w1.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, w2.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains("the run is over", w1.Output);
        Assert.Equal(Islands(reference), Islands(dir));
        Assert.Equal(Front(reference), Front(dir));
        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains("islands evolved on an Akka.NET cluster", summary);
        Assert.Matches(@"workers busy \d+ % of the epochs. time", summary);
    }


    [Fact]
    public void ResumeCoversTheWholeCluster()
    {
        var dir = TestData.TempDir();
        var port = PoetProcess.FreePort();
        using (var worker = new PoetProcess(Worker(port), Env()))
        using (var coordinator = new PoetProcess([.. Search(dir, 8), .. Coordinator(port, 1)], Env()))
        {
            Assert.True(coordinator.WaitForExit(Limit) == 0, coordinator.Output);
            Assert.Equal(0, worker.WaitForExit(TimeSpan.FromSeconds(60)));
        }
        Assert.Equal(Enumerable.Repeat(8, 4), Generations(dir));
        // The second session has two workers besides the coordinator: the islands go wherever, the result is the same.
        var port2 = PoetProcess.FreePort();
        using var w1 = new PoetProcess(Worker(port2), Env());
        using var w2 = new PoetProcess(Worker(port2), Env());
        using var resumed = new PoetProcess(["fit", "--resume", dir, "--generations", "12", "--threads", "1", "--no-properties", .. Coordinator(port2, 2)], Env());
        Assert.True(resumed.WaitForExit(Limit) == 0, resumed.Output);
        Assert.Contains("resuming", resumed.Output);
        Assert.Equal(Islands(Twelve.Value), Islands(dir));
        Assert.Equal(Front(Twelve.Value), Front(dir));
    }

    [Fact]
    public void AWorkerKilledMidRunCostsNoIslandAndNoGeneration()
    {
        const int generations = 24;
        var reference = OneProcess(generations);
        var dir = TestData.TempDir();
        var port = PoetProcess.FreePort();
        using var victim = new PoetProcess(Worker(port), Env());
        using var survivor = new PoetProcess(Worker(port), Env());
        using var coordinator = new PoetProcess([.. Search(dir, generations), .. Coordinator(port, 2)], Env());
        // The first progress line comes at the end of the first epoch: the workers are then evolving the second.
        coordinator.WaitFor("generation 4/24", Limit);
        victim.Kill();
        Assert.True(coordinator.WaitForExit(Limit) == 0, coordinator.Output);
        Assert.Contains("lost worker", coordinator.Output);
        Assert.Equal(Enumerable.Repeat(generations, 4), Generations(dir));
        // Re-run from their last state, the lost worker's islands evolved exactly as in one process: none twice, none lost.
        Assert.Equal(Islands(reference), Islands(dir));
        Assert.Equal(Front(reference), Front(dir));
        Assert.Equal(0, survivor.WaitForExit(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void ANodeWithoutTheSecretIsRefusedAndLogged()
    {
        var dir = TestData.TempDir();
        var port = PoetProcess.FreePort();
        using var intruder = new PoetProcess(Worker(port), Env("not-the-secret-42"));
        using var coordinator = new PoetProcess([.. Search(dir, 4), .. Coordinator(port, 1, "12s")], Env());
        Assert.Equal(2, intruder.WaitForExit(Limit));
        Assert.Contains("does not hold this run's shared secret", intruder.Output);
        Assert.DoesNotContain("joined the run", intruder.Output);
        Assert.True(coordinator.WaitForExit(Limit) == 0, coordinator.Output);
        var refusals = coordinator.Output.Split('\n').Where(l => l.Contains("refused node", StringComparison.Ordinal)).ToList();
        Assert.True(refusals.Count == 1, coordinator.Output);
        Assert.Contains("does not hold the run's shared secret", refusals[0]);
        Assert.Contains("1 worker process (this one included) at the start", coordinator.Output);
        Assert.Equal(Enumerable.Repeat(4, 4), Generations(dir));
    }

    [Fact]
    public void AWorkerThatCannotReadTheDataSaysSoAndTheRunGoesOn()
    {
        var dir = TestData.TempDir();
        var data = Path.Combine(TestData.TempDir(), "NVT_FCC_300K");
        Directory.CreateDirectory(data);
        foreach (var f in Directory.GetFiles(TestData.Repo("poet", "EAM_Cu", "NVT_FCC_300K"))) File.Copy(f, Path.Combine(data, Path.GetFileName(f)));
        var port = PoetProcess.FreePort();
        // The worker runs where the coordinator's data path does not exist: another working folder, and the file is
        // removed once the coordinator has read it.
        using var coordinator = new PoetProcess(["fit", "--data", data, "--out", dir, "--generations", "4", "--islands", "2", "--population", "6",
            "--fit-structures", "2", "--constant-evaluations", "3", "--threads", "1", "--no-properties", .. Coordinator(port, 1, "15s")], Env());
        coordinator.WaitFor("waiting up to", Limit);
        Directory.Delete(data, recursive: true);
        using var worker = new PoetProcess(Worker(port), Env());
        Assert.Equal(1, worker.WaitForExit(Limit));
        Assert.Contains("cannot read the run's data", worker.Output);
        Assert.Contains(data, worker.Output);
        Assert.True(coordinator.WaitForExit(Limit) == 0, coordinator.Output);
        Assert.Contains("cannot take part: cannot read the run's data", coordinator.Output);
    }

    private static string Front(string runDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(runDir, "front.json")));
        return string.Join("\n", doc.RootElement.GetProperty("front").EnumerateArray().Select(e => e.GetProperty("expression").GetString()));
    }
}
