using System.CommandLine;

namespace PoetSharp.Cli;

internal static class ParseResultExtensions
{
    /// <summary>
    /// Whether the user gave <paramref name="option"/>. GetResult alone is not enough: an option with a default has an
    /// (implicit) result even when absent, and a resumed run would take that default over its stored value.
    /// </summary>
    public static bool Given(this ParseResult parsed, Option option) => parsed.GetResult(option) is { Implicit: false };
}
