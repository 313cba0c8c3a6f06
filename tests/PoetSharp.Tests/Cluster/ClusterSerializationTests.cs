using System.Text;
using Akka.Actor;
using PoetSharp.Cluster;
using PoetSharp.Search;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace PoetSharp.Tests.Cluster;

/// <summary>What crosses the network: only the protocol's own records, as JSON, into types chosen from a fixed table.</summary>
public sealed class ClusterSerializationTests : IDisposable
{
    private readonly ActorSystem _system = ClusterNode.Start(new ClusterOptions
    {
        Role = ClusterRole.Worker, SeedHost = "127.0.0.1", SeedPort = 1, Secret = "unused-secret",
    });

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Fact]
    public void ProtocolMessagesRoundTripExactly()
    {
        var snapshot = new IslandSnapshot
        {
            Generation = 7, Random = [1, 2, ulong.MaxValue, 4], Evaluations = 1234, Candidates = 55, Duplicates = 3, Invalid = 2,
            InvalidReasons = new() { ["screened out"] = 2 }, Seen = [5, 6],
            Population = [new CandidateSnapshot { Expression = "sum(r^-6)", TrainingFitness = 0.1 + 0.2, ValidationFitness = double.PositiveInfinity, CostPerPair = 1.5 }],
            Archive = [],
        };
        var work = new Work(42, 3, snapshot, 12, 99.5);
        var serializer = (ClusterMessageSerializer)_system.Serialization.FindSerializerFor(work);
        var back = (Work)serializer.FromBinary(serializer.ToBinary(work), serializer.Manifest(work));
        Assert.Equal((42L, 3, 12, 99.5), (back.TaskId, back.Island, back.End, back.RemainingSeconds!.Value));
        Assert.Equal(snapshot.Random, back.Snapshot!.Random);
        Assert.Equal(0.1 + 0.2, back.Snapshot.Population![0].TrainingFitness); // bit for bit
        Assert.True(double.IsPositiveInfinity(back.Snapshot.Population[0].ValidationFitness));
        Assert.Equal(2, back.Snapshot.InvalidReasons!["screened out"]);
        var welcome = new Welcome(new SearchSettings { Seed = 9, MaxGenerations = 3, Angular = new AngularSearch { Orders = [0, 2] }, Priors = new GrammarPriors { UnaryShare = 0.4 } },
            new DataSpec(["/data/a.xyz"], [], 0.2, 5, 5.0, 3.0) { TypeMap = ["Li", "S"] });
        var w = (Welcome)serializer.FromBinary(serializer.ToBinary(welcome), serializer.Manifest(welcome));
        Assert.Equal(9UL, w.Settings.Seed);
        Assert.Equal([0, 2], w.Settings.Angular!.Orders);
        Assert.Equal(welcome.Settings.Priors, w.Settings.Priors);
        Assert.Equal(welcome.Settings.MutationWeights.OrderBy(p => p.Key), w.Settings.MutationWeights.OrderBy(p => p.Key));
        Assert.Equal(["Li", "S"], w.Data.TypeMap!);
    }

    [Fact]
    public void FormsSeenTravelAsBase64AndArraysOfNumbersStillRead()
    {
        var serializer = (ClusterMessageSerializer)_system.Serialization.FindSerializerFor(new StopWork(1));
        var seen = Enumerable.Range(0, 1000).Select(i => (ulong)i * 0x9E3779B97F4A7C15UL).ToArray();
        var done = new WorkDone(1, 0, new IslandSnapshot { Seen = seen, Random = [1, 2, 3, 4], Population = [], Archive = [] }, true, 1.5, SeenIsDelta: true);
        var bytes = serializer.ToBinary(done);
        Assert.True(bytes.Length < 13 * seen.Length, $"{bytes.Length} bytes for {seen.Length} hashes");
        var back = (WorkDone)serializer.FromBinary(bytes, serializer.Manifest(done));
        Assert.Equal(seen, back.Snapshot.Seen);
        Assert.True(back.SeenIsDelta);
        var plain = Encoding.UTF8.GetBytes("{\"TaskId\":1,\"Island\":0,\"Snapshot\":{\"Seen\":[18446744073709551615,7]},\"Reached\":true,\"Seconds\":1}");
        Assert.Equal([ulong.MaxValue, 7UL], ((WorkDone)serializer.FromBinary(plain, "WorkDone")).Snapshot.Seen!);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => serializer.FromBinary(Encoding.UTF8.GetBytes("{\"TaskId\":1,\"Snapshot\":{\"Seen\":\"AAAA\"}}"), "WorkDone"));
    }

    [Fact]
    public void AnUnknownManifestIsRefused()
    {
        var serializer = (ClusterMessageSerializer)_system.Serialization.FindSerializerFor(new StopWork(1));
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(Encoding.UTF8.GetBytes("{}"), "System.Diagnostics.Process"));
        Assert.Contains("unknown cluster message", e.Message);
    }

    private sealed record NotAMessage(string Text);

    [Fact]
    public void NoOtherTypeCanBeSentOrReceived()
    {
        // Akka's general-purpose JSON serializer (which names .NET types in its payload) is replaced by one that refuses.
        var general = _system.Serialization.FindSerializerFor(new NotAMessage("x"));
        Assert.IsType<RefusingSerializer>(general);
        Assert.Throws<SerializationException>(() => general.ToBinary(new NotAMessage("x")));
        // A payload claiming Akka's JSON serializer (identifier 1) finds no serializer at all.
        Assert.ThrowsAny<Exception>(() => _system.Serialization.Deserialize(Encoding.UTF8.GetBytes("{\"$type\":\"System.Object\"}"), 1, ""));
    }
}
