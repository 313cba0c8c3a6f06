using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using SerializationException = System.Runtime.Serialization.SerializationException;
using PoetSharp.Search;

namespace PoetSharp.Cluster;

/// <summary>A message that crosses the network between coordinator and workers (and only these do).</summary>
internal interface IClusterMessage;

// The protocol. A worker says Hello (its challenge, capacity); the coordinator answers with its own challenge and its
// proof of the secret; the worker checks it and returns its Proof; the coordinator then Welcomes it with the run
// specification (or Refuses it). The worker loads the data and says Ready (or WorkerFailed), then receives Work and
// returns WorkDone (or WorkFailed), until Shutdown. StopWork asks for work in progress back at the next generation's end.
internal sealed record Hello(string Nonce, int Capacity, string Host, int ProcessId) : IClusterMessage;
internal sealed record Challenge(string Nonce, string CoordinatorProof) : IClusterMessage;
internal sealed record Proof(string Mac) : IClusterMessage;
internal sealed record Welcome(SearchSettings Settings, DataSpec Data) : IClusterMessage;
internal sealed record Refused(string Reason) : IClusterMessage;
internal sealed record Ready(double LoadSeconds) : IClusterMessage;
internal sealed record WorkerFailed(string Reason) : IClusterMessage;
/// <summary>One epoch of one island: from <paramref name="Snapshot"/>, or a first population when it is null.</summary>
internal sealed record Work(long TaskId, int Island, IslandSnapshot? Snapshot, int End, double? RemainingSeconds) : IClusterMessage;
/// <summary>
/// An island's state after its epoch. With <paramref name="SeenIsDelta"/>, the snapshot's forms seen are only those the
/// epoch added (an epoch only ever adds to them): the coordinator, which holds the rest, puts them back together. The
/// set grows with every generation, so this halves what an epoch moves over the network.
/// </summary>
internal sealed record WorkDone(long TaskId, int Island, IslandSnapshot Snapshot, bool Reached, double Seconds, bool SeenIsDelta = false) : IClusterMessage;
internal sealed record WorkFailed(long TaskId, int Island, string Reason) : IClusterMessage;
internal sealed record StopWork(long UpToTask) : IClusterMessage;
internal sealed record Shutdown(string Reason) : IClusterMessage;

/// <summary>
/// The cluster's only serializer for application messages: System.Text.Json into the protocol's own record types,
/// chosen from a fixed table by the manifest. Nothing from the network names a type to create, and the Newtonsoft
/// serializer Akka binds to System.Object by default is replaced by <see cref="RefusingSerializer"/>, so that a message
/// of any other type can neither be sent nor received.
/// </summary>
public sealed class ClusterMessageSerializer : SerializerWithStringManifest
{
    public ClusterMessageSerializer(ExtendedActorSystem system) : base(system) { }
    public ClusterMessageSerializer(ExtendedActorSystem system, Akka.Configuration.Config _) : base(system) { }

    private static readonly Dictionary<string, Type> Types = new[]
    {
        typeof(Hello), typeof(Challenge), typeof(Proof), typeof(Welcome), typeof(Refused), typeof(Ready), typeof(WorkerFailed),
        typeof(Work), typeof(WorkDone), typeof(WorkFailed), typeof(StopWork), typeof(Shutdown),
    }.ToDictionary(t => t.Name);

    internal static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(), new UInt64ArrayBase64Converter() },
        MaxDepth = 64,
    };

    public override int Identifier => 47311;

    public override string Manifest(object o) => Types.ContainsKey(o.GetType().Name) && Types[o.GetType().Name] == o.GetType()
        ? o.GetType().Name
        : throw new ArgumentException($"{o.GetType()} is not a cluster message");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type)) throw new SerializationException($"unknown cluster message '{manifest}'");
        return JsonSerializer.Deserialize(bytes, type, Options) ?? throw new SerializationException($"empty cluster message '{manifest}'");
    }
}

/// <summary>Stands in for Akka's general-purpose (type-naming) JSON serializer: refuses every message in both directions.</summary>
public sealed class RefusingSerializer : Serializer
{
    public RefusingSerializer(ExtendedActorSystem system) : base(system) { }
    public RefusingSerializer(ExtendedActorSystem system, Akka.Configuration.Config _) : base(system) { }

    public override int Identifier => 47312;
    public override bool IncludeManifest => false;
    public override byte[] ToBinary(object obj) => throw new SerializationException($"{obj.GetType()} is not a cluster message and is not sent");
    public override object FromBinary(byte[] bytes, Type? type) => throw new SerializationException("a message of an unknown kind was refused");
}

/// <summary>
/// Arrays of 64-bit integers (the forms seen, tens of thousands per island in a long run) as base64 of their
/// little-endian bytes on the wire: about 11 characters each instead of 20 digits. Reads a JSON array of numbers too.
/// </summary>
internal sealed class UInt64ArrayBase64Converter : JsonConverter<ulong[]>
{
    public override ulong[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType == JsonTokenType.String)
        {
            var bytes = reader.GetBytesFromBase64();
            if (bytes.Length % 8 != 0) throw new JsonException("an array of 64-bit integers has a length that is not a multiple of 8 bytes");
            var values = new ulong[bytes.Length / 8];
            for (var i = 0; i < values.Length; i++) values[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8 * i));
            return values;
        }
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("expected an array of 64-bit integers");
        var list = new List<ulong>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) list.Add(reader.GetUInt64());
        return list.ToArray();
    }

    public override void Write(Utf8JsonWriter writer, ulong[] value, JsonSerializerOptions options)
    {
        var bytes = new byte[8 * value.Length];
        for (var i = 0; i < value.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 * i), value[i]);
        writer.WriteBase64StringValue(bytes);
    }
}
