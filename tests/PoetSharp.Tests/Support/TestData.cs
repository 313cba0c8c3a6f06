namespace PoetSharp.Tests.Support;

/// <summary>Locates the repository's shipped data (data/) and the workplace's shared data (../shared/data).</summary>
public static class TestData
{
    private static readonly Lazy<string> RepoRootLazy = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "PoetSharp.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (PoetSharp.sln) above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => RepoRootLazy.Value;

    /// <summary>Shipped data: data/… in the repository.</summary>
    public static string Repo(params string[] parts) => Path.Combine([RepoRoot, "data", .. parts]);

    /// <summary>
    /// The shared data folder: $POET_SHARED_DATA, else a "shared/data" beside the repository or one of its parents
    /// (CI clones the repository with shared/ beside it), else /work/shared/data.
    /// </summary>
    public static string Shared(params string[] parts)
    {
        var root = SharedRoot.Value ?? throw new InvalidOperationException(
            "cannot find the shared data folder (set POET_SHARED_DATA or place shared/data beside the repository)");
        return Path.Combine([root, .. parts]);
    }

    private static readonly Lazy<string?> SharedRoot = new(() =>
    {
        var env = Environment.GetEnvironmentVariable("POET_SHARED_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var dir = new DirectoryInfo(RepoRoot); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return Directory.Exists("/work/shared/data") ? "/work/shared/data" : null;
    });

    /// <summary>A fresh temporary folder, removed by the OS eventually.</summary>
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "poetsharp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
