using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoetSharp.Atoms;
using PoetSharp.Data;

namespace PoetSharp.Learning;

/// <summary>One oracle call as the journal records it.</summary>
/// <param name="Key">SHA-256 of the oracle's fingerprint and the structure's exact species, cell and positions.</param>
/// <param name="Folder">The call's folder, relative to the run folder (its input and output files).</param>
/// <param name="Label">The labels, or null when the call failed.</param>
/// <param name="Failure">Why the call failed (null when it succeeded).</param>
public sealed record OracleCall(string Key, string Folder, double Seconds, OracleLabel? Label, string? Failure, bool Reused);

/// <summary>
/// Every oracle call of a learning run, one JSON line each in <c>journal.jsonl</c> (the key, the call's folder, the time
/// it took, the labels or the failure), appended and flushed to disk as each call ends. Calls run in their own numbered
/// folders under <c>calls/</c>, where the oracle keeps its input and output. A run killed at any moment (even by
/// <c>kill -9</c>) resumes from the journal: a structure whose call completed is not sent again. A half-written last line
/// (the process died while appending) is ignored, and that call is simply made again. Failed calls are journalled too,
/// and retried on resume (a longer timeout may cure them). Thread-safe.
/// </summary>
public sealed class OracleJournal
{
    public const string FileName = "journal.jsonl";
    private readonly object _lock = new();
    private readonly Dictionary<string, OracleCall> _completed = new();
    private readonly string _runFolder;
    private readonly string _path;
    private int _nextCall;

    public IOracle Oracle { get; }
    /// <summary>Successful calls recorded in the journal (including those of earlier sessions).</summary>
    public int CompletedCount { get { lock (_lock) return _completed.Count; } }
    /// <summary>Lines of the journal file that could not be read (a half-written last line after a kill).</summary>
    public int SkippedLines { get; }

    public OracleJournal(string runFolder, IOracle oracle)
    {
        _runFolder = runFolder;
        Oracle = oracle;
        Directory.CreateDirectory(Path.Combine(runFolder, "calls"));
        _path = Path.Combine(runFolder, FileName);
        _nextCall = Directory.GetDirectories(Path.Combine(runFolder, "calls"))
            .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : 0)
            .DefaultIfEmpty(0).Max() + 1;
        if (!File.Exists(_path)) return;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(_path))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            OracleCall? call;
            try { call = Parse(line); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException or ArgumentException)
            {
                SkippedLines++;
                continue;
            }
            if (call.Label is not null) _completed[call.Key] = call;
        }
    }

    /// <summary>The journal's key of a structure for this oracle: exact bits of species, cell and positions.</summary>
    public string Key(Structure structure)
    {
        var text = new StringBuilder(Oracle.Fingerprint).Append('\n');
        var c = structure.Cell;
        foreach (var v in new[] { c.A, c.B, c.C }) Append(text, v);
        text.Append(c.PeriodicA).Append(c.PeriodicB).Append(c.PeriodicC).Append('\n');
        for (var i = 0; i < structure.Count; i++)
        {
            text.Append(structure.Species[i]).Append(' ');
            Append(text, structure.Positions[i]);
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();

        static void Append(StringBuilder b, Vec3 v) =>
            b.Append(BitConverter.DoubleToInt64Bits(v.X)).Append(' ').Append(BitConverter.DoubleToInt64Bits(v.Y)).Append(' ')
             .Append(BitConverter.DoubleToInt64Bits(v.Z)).Append('\n');
    }

    /// <summary>
    /// Labels a structure: from the journal if this exact structure was labelled before, else by calling the oracle in a
    /// new folder and journalling the result. A failed call is journalled and returned with its reason (not thrown).
    /// </summary>
    public OracleCall Label(Structure structure, CancellationToken cancellation = default)
    {
        var key = Key(structure);
        string folder;
        lock (_lock)
        {
            if (_completed.TryGetValue(key, out var done)) return done with { Reused = true };
            folder = Path.Combine("calls", _nextCall++.ToString("D5", CultureInfo.InvariantCulture));
        }
        var full = Path.Combine(_runFolder, folder);
        Directory.CreateDirectory(full);
        // The structure goes in first, so that the folder says what was asked even if the oracle dies.
        ExtendedXyz.Write(Path.Combine(full, "structure.xyz"), [structure]);
        var clock = Stopwatch.StartNew();
        OracleCall call;
        try
        {
            var label = Oracle.Compute(structure, full, cancellation);
            if (label.Forces.Length != structure.Count)
                throw new OracleException(Oracle.Name, full, $"{label.Forces.Length} forces for {structure.Count} atoms");
            label.CheckFinite(Oracle.Name, full);
            call = new OracleCall(key, folder, clock.Elapsed.TotalSeconds, label, null, false);
        }
        catch (OracleException e)
        {
            call = new OracleCall(key, folder, clock.Elapsed.TotalSeconds, null, e.Reason, false);
        }
        lock (_lock)
        {
            using (var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read))
            {
                var bytes = Encoding.UTF8.GetBytes(Format(call) + "\n");
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            if (call.Label is not null) _completed[key] = call;
        }
        return call;
    }

    private static string Format(OracleCall call)
    {
        var json = new JsonObject
        {
            ["key"] = call.Key,
            ["folder"] = call.Folder.Replace('\\', '/'),
            ["seconds"] = call.Seconds,
            ["status"] = call.Label is null ? "failed" : "ok",
        };
        if (call.Failure is not null) json["reason"] = call.Failure;
        if (call.Label is { } label)
        {
            json["energy"] = label.Energy;
            json["forces"] = new JsonArray([.. label.Forces.Select(f => (JsonNode)new JsonArray(f.X, f.Y, f.Z))]);
            json["stress"] = label.Stress is { } s ? new JsonArray([.. s.ToVoigt().Select(x => (JsonNode)x)]) : null;
        }
        return json.ToJsonString();
    }

    private static OracleCall Parse(string line)
    {
        var json = JsonNode.Parse(line)!.AsObject();
        var key = (string)json["key"]!;
        var folder = (string)json["folder"]!;
        var seconds = (double)json["seconds"]!;
        if ((string)json["status"]! != "ok") return new OracleCall(key, folder, seconds, null, (string?)json["reason"] ?? "failed", false);
        var forces = json["forces"]!.AsArray().Select(f => new Vec3((double)f![0]!, (double)f[1]!, (double)f[2]!)).ToArray();
        Stress? stress = json["stress"] is JsonArray s ? Stress.FromVoigt(s.Select(x => (double)x!).ToArray()) : null;
        return new OracleCall(key, folder, seconds, new OracleLabel((double)json["energy"]!, forces, stress), null, false);
    }
}
