namespace PoetSharp.Tests.Support;

/// <summary>
/// One temporary KIM API user collection for the whole test run: a configuration file in a temporary folder, named by
/// KIM_API_CONFIGURATION_FILE for this process and the programs it starts (the real ~/.kim-api collection is left
/// alone). Created on first use, so that every fixture that installs KIM models shares it.
/// </summary>
public static class KimTestCollection
{
    private static readonly Lazy<string> FolderLazy = new(() =>
    {
        var collection = TestData.TempDir();
        foreach (var folder in new[] { "model-drivers", "portable-models", "simulator-models" }) Directory.CreateDirectory(Path.Combine(collection, folder));
        var config = Path.Combine(collection, "config");
        File.WriteAllText(config,
            $"model-drivers-dir = {Path.Combine(collection, "model-drivers")}\n" +
            $"portable-models-dir = {Path.Combine(collection, "portable-models")}\n" +
            $"simulator-models-dir = {Path.Combine(collection, "simulator-models")}\n");
        Environment.SetEnvironmentVariable("KIM_API_CONFIGURATION_FILE", config);
        return collection;
    });

    /// <summary>The collection's folder (holding model-drivers, portable-models, simulator-models and config).</summary>
    public static string Folder => FolderLazy.Value;

    /// <summary>Whether portable model <paramref name="item"/> is built and installed in the collection.</summary>
    public static bool Installed(string item) => File.Exists(Path.Combine(Folder, "portable-models", item, "libkim-api-portable-model.so"));
}
