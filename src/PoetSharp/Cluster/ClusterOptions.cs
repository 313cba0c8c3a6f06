using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace PoetSharp.Cluster;

/// <summary>What a process does in a cluster search.</summary>
public enum ClusterRole
{
    /// <summary>Owns the run: the seed node, the islands' state, migration, checkpoints and outputs; it also evolves islands itself.</summary>
    Coordinator,
    /// <summary>Evolves the islands the coordinator sends it, from the data the run specification names.</summary>
    Worker,
}

/// <summary>
/// How this process takes part in a cluster search: its role, where the coordinator (the seed node) listens, which
/// interface this node listens on, and the run's shared secret. Built from <c>--cluster</c> (<see cref="Parse"/>):
/// <c>seed=HOST:PORT</c> by hand, or <c>slurm</c>, which reads the rank (<c>SLURM_PROCID</c>, or Open MPI's
/// <c>OMPI_COMM_WORLD_RANK</c>) and the first host of <c>SLURM_JOB_NODELIST</c>; rank 0 is the coordinator.
/// </summary>
public sealed record ClusterOptions
{
    /// <summary>Where the coordinator listens when none is given: a port in the dynamic range, offset by the Slurm job, so that two jobs sharing a node do not collide.</summary>
    public const int DefaultPort = 47310;
    public const string SecretVariable = "POET_CLUSTER_SECRET";

    public required ClusterRole Role { get; init; }
    /// <summary>Host name or address of the coordinator, as workers reach it.</summary>
    public required string SeedHost { get; init; }
    public required int SeedPort { get; init; }
    /// <summary>The interface this node listens on (loopback unless given): only processes that can reach it can talk to it.</summary>
    public string Bind { get; init; } = "127.0.0.1";
    /// <summary>The run's shared secret: nodes prove they hold it before they get any work or data paths.</summary>
    public required string Secret { get; init; }
    /// <summary>Islands this process evolves at once.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Worker processes the coordinator waits for (up to <see cref="JoinTimeout"/>) before the first population; 0: start at once.</summary>
    public int ExpectedWorkers { get; init; }
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How the process found its role, for the log (e.g. "Slurm rank 2 of 4").</summary>
    public string Origin { get; init; } = "";

    /// <summary>The address this node gives to others: the bind address, or this host's name when it listens on every interface.</summary>
    public string PublicHost => Bind is "0.0.0.0" or "::" or "*" ? Dns.GetHostName() : Bind;

    /// <summary>
    /// The options for <c>--cluster VALUE</c>. <paramref name="role"/> (<c>--role</c>) is needed with <c>seed=</c> unless a
    /// launcher's rank variable is set; <paramref name="bind"/> (<c>--bind</c>) defaults to loopback, or under Slurm on
    /// more than one node to this host's name. The secret comes from <paramref name="secretFile"/> or the environment
    /// variable <see cref="SecretVariable"/>. Errors are <see cref="ArgumentException"/>s that say what to give.
    /// </summary>
    public static ClusterOptions Parse(string value, string? role, string? bind, string? secretFile, int threads,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        string? Env(string name) => environment != null ? environment.GetValueOrDefault(name) : Environment.GetEnvironmentVariable(name);
        var secret = ReadSecret(secretFile, Env(SecretVariable));
        var rank = RankFromEnvironment(Env, out var rankSource, out var size);
        ClusterRole? given = role switch
        {
            null => null,
            _ when role.Equals("coordinator", StringComparison.OrdinalIgnoreCase) => ClusterRole.Coordinator,
            _ when role.Equals("worker", StringComparison.OrdinalIgnoreCase) => ClusterRole.Worker,
            _ => throw new ArgumentException($"--role '{role}': expected coordinator or worker"),
        };
        if (value.Equals("slurm", StringComparison.OrdinalIgnoreCase))
        {
            if (rank is null)
                throw new ArgumentException("--cluster slurm: no rank in the environment (SLURM_PROCID or OMPI_COMM_WORLD_RANK); start the processes with srun (or mpirun), or use --cluster seed=HOST:PORT --role coordinator|worker");
            var nodeList = Env("SLURM_JOB_NODELIST") ?? Env("SLURM_NODELIST")
                ?? throw new ArgumentException("--cluster slurm: SLURM_JOB_NODELIST is not set, so the coordinator's host is unknown; use --cluster seed=HOST:PORT");
            var hosts = ExpandHostList(nodeList);
            var port = DefaultPort + (int.TryParse(Env("SLURM_JOB_ID"), NumberStyles.None, CultureInfo.InvariantCulture, out var job) ? job % 1000 : 0);
            // One node: loopback is enough; several: listen where the other nodes can reach this one.
            var address = bind ?? (hosts.Count > 1 ? Dns.GetHostName() : "127.0.0.1");
            var isCoordinator = (given ?? (rank == 0 ? ClusterRole.Coordinator : ClusterRole.Worker)) == ClusterRole.Coordinator;
            return new ClusterOptions
            {
                Role = isCoordinator ? ClusterRole.Coordinator : ClusterRole.Worker,
                SeedHost = hosts.Count > 1 ? hosts[0] : "127.0.0.1", SeedPort = port, Bind = address, Secret = secret,
                Threads = threads, ExpectedWorkers = Math.Max(0, (size ?? 1) - 1),
                Origin = $"{rankSource} {rank}{(size is { } n ? $" of {n}" : "")}, nodes {string.Join(",", hosts.Take(4))}{(hosts.Count > 4 ? ", …" : "")}",
            };
        }
        if (value.StartsWith("seed=", StringComparison.OrdinalIgnoreCase))
        {
            var (host, port) = ParseHostPort(value[5..]);
            var resolved = given ?? (rank is { } r ? (r == 0 ? ClusterRole.Coordinator : ClusterRole.Worker)
                : throw new ArgumentException("--cluster seed=HOST:PORT: give --role coordinator (on the seed host) or --role worker"));
            return new ClusterOptions
            {
                Role = resolved, SeedHost = host, SeedPort = port, Secret = secret, Threads = threads,
                // The coordinator listens on the seed address itself; a worker on loopback unless told otherwise.
                Bind = bind ?? (resolved == ClusterRole.Coordinator ? host : IsLoopback(host) ? "127.0.0.1" : Dns.GetHostName()),
                ExpectedWorkers = size is { } s ? s - 1 : 0,
                Origin = rank is { } rk ? $"{rankSource} {rank}" : "by hand",
            };
        }
        throw new ArgumentException($"--cluster '{value}': expected slurm or seed=HOST:PORT");
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    private static int? RankFromEnvironment(Func<string, string?> env, out string source, out int? size)
    {
        foreach (var (rankVar, sizeVar, name) in new[] { ("SLURM_PROCID", "SLURM_NTASKS", "Slurm rank"), ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "Open MPI rank") })
        {
            if (env(rankVar) is not { } text) continue;
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rank))
                throw new ArgumentException($"{rankVar}='{text}' is not a rank (a non-negative integer)");
            source = name;
            size = int.TryParse(env(sizeVar), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
            return rank;
        }
        source = "";
        size = null;
        return null;
    }

    private static string ReadSecret(string? file, string? variable)
    {
        string secret;
        if (file != null)
        {
            if (!File.Exists(file)) throw new ArgumentException($"--secret-file {file}: no such file");
            secret = File.ReadAllText(file).Trim();
            if (secret.Length == 0) throw new ArgumentException($"--secret-file {file}: the file is empty");
        }
        else secret = variable?.Trim() ?? "";
        if (secret.Length == 0)
            throw new ArgumentException($"a cluster run needs a shared secret: set {SecretVariable} in every process's environment (e.g. export {SecretVariable}=$(openssl rand -hex 16)) or give --secret-file FILE");
        if (secret.Length < 8) throw new ArgumentException("the cluster's shared secret is too short (at least 8 characters)");
        return secret;
    }

    /// <summary>"HOST:PORT" (IPv6 in brackets: "[::1]:4000").</summary>
    public static (string Host, int Port) ParseHostPort(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) throw new ArgumentException($"--cluster seed='{text}': expected HOST:PORT, e.g. seed=127.0.0.1:{DefaultPort}");
        var host = text[..colon].Trim('[', ']');
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new ArgumentException($"--cluster seed='{text}': '{text[(colon + 1)..]}' is not a port (1–65535)");
        return (host, port);
    }

    /// <summary>
    /// Slurm's compressed host list ("node[01-03,07],gpu5" → node01, node02, node03, node07, gpu5), as
    /// <c>scontrol show hostnames</c> expands it (ranges keep their zero padding; one bracket group per name).
    /// </summary>
    public static IReadOnlyList<string> ExpandHostList(string list)
    {
        var hosts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i <= list.Length; i++)
        {
            if (i < list.Length && list[i] == '[') depth++;
            else if (i < list.Length && list[i] == ']') depth--;
            if (i == list.Length || (list[i] == ',' && depth == 0))
            {
                var item = list[start..i].Trim();
                if (item.Length > 0) hosts.AddRange(ExpandOne(item, list));
                start = i + 1;
            }
        }
        if (depth != 0 || hosts.Count == 0) throw new ArgumentException($"SLURM_JOB_NODELIST='{list}' is not a host list");
        return hosts;
    }

    private static IEnumerable<string> ExpandOne(string item, string list)
    {
        var open = item.IndexOf('[');
        if (open < 0) return [item];
        var close = item.IndexOf(']', open);
        if (close < 0) throw new ArgumentException($"SLURM_JOB_NODELIST='{list}' is not a host list");
        var (prefix, suffix) = (item[..open], item[(close + 1)..]);
        var names = new List<string>();
        foreach (var part in item[(open + 1)..close].Split(','))
        {
            var dash = part.IndexOf('-');
            if (dash < 0) { names.Add(prefix + part + suffix); continue; }
            var (a, b) = (part[..dash], part[(dash + 1)..]);
            if (!int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var from) || !int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var to) || to < from)
                throw new ArgumentException($"SLURM_JOB_NODELIST='{list}': '{part}' is not a range");
            for (var k = from; k <= to; k++) names.Add(prefix + k.ToString(CultureInfo.InvariantCulture).PadLeft(a.Length, '0') + suffix);
        }
        return names;
    }
}

/// <summary>
/// Proofs of the shared secret (HMAC-SHA256 of a fresh challenge): the coordinator proves it to a worker before the
/// worker accepts a run specification, and a worker proves it to the coordinator before it gets any. The secret itself
/// never travels.
/// </summary>
internal static class ClusterSecret
{
    public static string Nonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public static string Prove(string secret, string purpose, string nonce, string address) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"poet-cluster|{purpose}|{nonce}|{address}")));

    public static bool Check(string secret, string purpose, string nonce, string address, string? proof)
    {
        if (proof is null) return false;
        var expected = Convert.FromBase64String(Prove(secret, purpose, nonce, address));
        byte[] given;
        try
        {
            given = Convert.FromBase64String(proof);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
