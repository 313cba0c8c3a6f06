namespace PoetSharp.Data;

/// <summary>
/// Opening an input file, with the failures users meet (missing file, a folder where a file was expected, no permission,
/// an I/O error) turned into one <see cref="DataFormatException"/> naming the file, as every reader reports them.
/// </summary>
public static class InputFile
{
    /// <summary>Throws unless <paramref name="path"/> is an existing file; <paramref name="kind"/> names what was expected ("a POSCAR file").</summary>
    public static void RequireFile(string path, string kind)
    {
        if (!File.Exists(path))
            throw new DataFormatException(path, null, Directory.Exists(path) ? $"is a folder, not {kind}" : "no such file");
    }

    public static byte[] ReadAllBytes(string path, string kind)
    {
        RequireFile(path, kind);
        return Guard(path, () => File.ReadAllBytes(path));
    }

    public static string ReadAllText(string path, string kind)
    {
        RequireFile(path, kind);
        return Guard(path, () => File.ReadAllText(path));
    }

    /// <summary>Runs a read of <paramref name="path"/>, reporting I/O and permission failures as a <see cref="DataFormatException"/>.</summary>
    public static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, null, "cannot read: " + e.Message, e);
        }
    }
}
