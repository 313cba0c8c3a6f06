using PoetSharp.Cluster;

namespace PoetSharp.Tests.Cluster;

public sealed class ClusterOptionsTests
{
    private const string Secret = "a-long-enough-secret";

    [Theory]
    [InlineData("node[01-03,07],gpu5", "node01 node02 node03 node07 gpu5")]
    [InlineData("a,b", "a b")]
    [InlineData("x[9-11]", "x9 x10 x11")]
    [InlineData("cn[001-002]-ib,login", "cn001-ib cn002-ib login")]
    [InlineData("single", "single")]
    public void SlurmHostListsExpandAsScontrolDoes(string list, string hosts) =>
        Assert.Equal(hosts.Split(' '), ClusterOptions.ExpandHostList(list));

    [Theory]
    [InlineData("node[01-")]
    [InlineData("node[3-1]")]
    [InlineData("node[a-b]")]
    [InlineData("")]
    public void MalformedHostListsAreErrors(string list)
    {
        var e = Assert.Throws<ArgumentException>(() => ClusterOptions.ExpandHostList(list));
        Assert.Contains("SLURM_JOB_NODELIST", e.Message);
    }

    private static Dictionary<string, string?> Slurm(int rank, int tasks, string nodes, string job = "123456") => new()
    {
        ["SLURM_PROCID"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["SLURM_NTASKS"] = tasks.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["SLURM_JOB_NODELIST"] = nodes, ["SLURM_JOB_ID"] = job, [ClusterOptions.SecretVariable] = Secret,
    };

    [Fact]
    public void UnderSlurmRankZeroCoordinatesOnTheFirstNode()
    {
        var coordinator = ClusterOptions.Parse("slurm", null, null, null, 8, Slurm(0, 4, "c[1-2]"));
        Assert.Equal(ClusterRole.Coordinator, coordinator.Role);
        Assert.Equal("c1", coordinator.SeedHost);
        Assert.Equal(ClusterOptions.DefaultPort + 456, coordinator.SeedPort);
        Assert.Equal(3, coordinator.ExpectedWorkers);
        Assert.Equal(8, coordinator.Threads);
        // Several nodes: listen where the others can reach this one, not on loopback.
        Assert.NotEqual("127.0.0.1", coordinator.Bind);
        var worker = ClusterOptions.Parse("slurm", null, null, null, 8, Slurm(3, 4, "c[1-2]"));
        Assert.Equal(ClusterRole.Worker, worker.Role);
        Assert.Equal(("c1", coordinator.SeedPort), (worker.SeedHost, worker.SeedPort));
        Assert.Contains("Slurm rank 3 of 4", worker.Origin);
    }

    [Fact]
    public void OneNodeStaysOnLoopbackAndOpenMpiRanksWorkToo()
    {
        var one = ClusterOptions.Parse("slurm", null, null, null, 2, Slurm(1, 2, "c7"));
        Assert.Equal(("127.0.0.1", "127.0.0.1", ClusterRole.Worker), (one.SeedHost, one.Bind, one.Role));
        var mpi = new Dictionary<string, string?> { ["OMPI_COMM_WORLD_RANK"] = "0", ["OMPI_COMM_WORLD_SIZE"] = "3", [ClusterOptions.SecretVariable] = Secret };
        var byHand = ClusterOptions.Parse("seed=10.0.0.5:5000", null, null, null, 4, mpi);
        Assert.Equal((ClusterRole.Coordinator, "10.0.0.5", 5000, 2), (byHand.Role, byHand.SeedHost, byHand.SeedPort, byHand.ExpectedWorkers));
    }

    [Fact]
    public void ByHandTheRoleIsGivenAndLoopbackIsTheDefault()
    {
        var env = new Dictionary<string, string?> { [ClusterOptions.SecretVariable] = Secret };
        var worker = ClusterOptions.Parse("seed=127.0.0.1:4000", "worker", null, null, 2, env);
        Assert.Equal((ClusterRole.Worker, "127.0.0.1", 4000, "127.0.0.1"), (worker.Role, worker.SeedHost, worker.SeedPort, worker.Bind));
        var coordinator = ClusterOptions.Parse("seed=[::1]:4000", "coordinator", null, null, 2, env);
        Assert.Equal(("::1", "::1"), (coordinator.SeedHost, coordinator.Bind));
        Assert.Contains("--role", Assert.Throws<ArgumentException>(() => ClusterOptions.Parse("seed=127.0.0.1:4000", null, null, null, 2, env)).Message);
    }

    [Theory]
    [InlineData("seed=host", null, "HOST:PORT")]
    [InlineData("seed=host:99999", "worker", "not a port")]
    [InlineData("seed=host:x", "worker", "not a port")]
    [InlineData("mpi", "worker", "expected slurm or seed=HOST:PORT")]
    [InlineData("slurm", null, "no rank in the environment")]
    [InlineData("seed=h:1", "boss", "--role 'boss'")]
    public void BadValuesSayWhatIsExpected(string value, string? role, string message)
    {
        var env = new Dictionary<string, string?> { [ClusterOptions.SecretVariable] = Secret };
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => ClusterOptions.Parse(value, role, null, null, 1, env)).Message);
    }

    [Fact]
    public void TheSecretIsRequiredAndNotTooShort()
    {
        var none = Assert.Throws<ArgumentException>(() => ClusterOptions.Parse("seed=h:1", "worker", null, null, 1, new Dictionary<string, string?>()));
        Assert.Contains(ClusterOptions.SecretVariable, none.Message);
        Assert.Contains("short", Assert.Throws<ArgumentException>(() =>
            ClusterOptions.Parse("seed=h:1", "worker", null, null, 1, new Dictionary<string, string?> { [ClusterOptions.SecretVariable] = "abc" })).Message);
        var file = Path.Combine(Support.TestData.TempDir(), "secret");
        File.WriteAllText(file, "  from-a-file-secret \n");
        Assert.Equal("from-a-file-secret", ClusterOptions.Parse("seed=h:1", "worker", null, file, 1, new Dictionary<string, string?>()).Secret);
        Assert.Contains("no such file", Assert.Throws<ArgumentException>(() => ClusterOptions.Parse("seed=h:1", "worker", null, file + ".missing", 1, new Dictionary<string, string?>())).Message);
    }

    [Fact]
    public void ProofsNeedTheSecretAndTheChallenge()
    {
        var proof = ClusterSecret.Prove("secret-one", "worker", "n1", "n2");
        Assert.True(ClusterSecret.Check("secret-one", "worker", "n1", "n2", proof));
        Assert.False(ClusterSecret.Check("secret-two", "worker", "n1", "n2", proof));
        Assert.False(ClusterSecret.Check("secret-one", "worker", "n3", "n2", proof));
        Assert.False(ClusterSecret.Check("secret-one", "coordinator", "n1", "n2", proof));
        Assert.False(ClusterSecret.Check("secret-one", "worker", "n1", "n2", "not base64!"));
        Assert.False(ClusterSecret.Check("secret-one", "worker", "n1", "n2", null));
    }
}
