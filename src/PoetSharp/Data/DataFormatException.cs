namespace PoetSharp.Data;

/// <summary>
/// Bad input in a data file: names the file and, where known, the line (1-based), and says what is wrong.
/// Every reader throws this (and only this) for malformed, truncated, inconsistent or missing input,
/// so that the command line can print one clear message instead of a stack trace.
/// </summary>
public sealed class DataFormatException : Exception
{
    public string FilePath { get; }
    public int? Line { get; }
    public string Reason { get; }

    public DataFormatException(string filePath, int? line, string reason, Exception? inner = null)
        : base(Format(filePath, line, reason), inner)
    {
        FilePath = filePath;
        Line = line;
        Reason = reason;
    }

    private static string Format(string filePath, int? line, string reason) =>
        line is int l ? $"{filePath}:{l}: {reason}" : $"{filePath}: {reason}";
}
