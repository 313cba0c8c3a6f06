using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PoetSharp.Tests.Support;

/// <summary>
/// The poet command as a separate process (dotnet poet.dll …), for tests that need several processes: its standard
/// output and error are collected as they come, and it is killed (with its children) when disposed.
/// </summary>
internal sealed class PoetProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _lock = new();

    public PoetProcess(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var psi = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TestData.RepoRoot,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "poet.dll"));
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        if (environment != null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start poet");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_lock) return _output.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line == null) return;
        lock (_lock) _output.AppendLine(line);
    }

    /// <summary>The exit code; fails the test with the output if the process does not end in time.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            Assert.Fail($"poet did not end within {timeout.TotalSeconds} s:\n{Output}");
        }
        _process.WaitForExit(); // drains the output
        return _process.ExitCode;
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; fails the test otherwise.</summary>
    public void WaitFor(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (clock.Elapsed > timeout || _process.HasExited && !Output.Contains(text, StringComparison.Ordinal) && clock.Elapsed > TimeSpan.FromSeconds(1))
                Assert.Fail($"poet never printed '{text}' (within {timeout.TotalSeconds} s):\n{Output}");
            Thread.Sleep(100);
        }
    }

    /// <summary>kill -9: the process ends at once, without any chance to say goodbye.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    /// <summary>Whether nobody listens on this loopback port at the moment.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A TCP port nobody listens on at the moment, on loopback.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
