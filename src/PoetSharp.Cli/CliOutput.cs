using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PoetSharp.Cli;

/// <summary>Where commands write: a Spectre console over stdout (plain text when not a terminal) and stderr for warnings.</summary>
internal sealed class CliOutput
{
    // Wide enough for the eval table; redirected output has no terminal width to follow.
    private const int RedirectedWidth = 160;

    public CliOutput(TextWriter stdout, TextWriter stderr, bool terminal)
    {
        Out = stdout;
        Error = stderr;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) Console.Profile.Width = RedirectedWidth;
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public IAnsiConsole Console { get; }

    /// <summary>A line of plain text, unwrapped (written to the same writer as the tables, so the order is kept).</summary>
    public void Line(string text = "") => Out.WriteLine(text);

    public void Warning(string text) => Error.WriteLine("poet: warning: " + text);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A command's machine-readable report (<c>--json</c>): camelCase fields, indented, on standard output.</summary>
    public void WriteJson(object report) => Out.WriteLine(JsonSerializer.Serialize(report, JsonOptions));

    /// <summary>A table whose first <paramref name="textColumns"/> columns hold text (left-aligned) and the rest numbers (right-aligned).</summary>
    public static Table NewTable(int textColumns, params string[] headers)
    {
        var table = new Table().Border(TableBorder.Rounded);
        for (var i = 0; i < headers.Length; i++)
        {
            var column = new TableColumn(new Text(headers[i]));
            table.AddColumn(i < textColumns ? column.LeftAligned() : column.RightAligned());
        }
        return table;
    }

    public static void AddRow(Table table, params string[] cells) => table.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Int(int n) => n.ToString("N0", Inv);

    public static string Fixed(double x, int decimals)
    {
        var text = x.ToString("F" + decimals, Inv);
        // A tiny negative value rounds to "-0.0000": print it as 0.
        return text.StartsWith('-') && text.AsSpan(1).Trim("0.").IsEmpty ? text[1..] : text;
    }

    /// <summary>About <paramref name="digits"/> significant digits, fixed notation unless very small or large.</summary>
    public static string Sig(double x, int digits = 4)
    {
        if (x == 0 || !double.IsFinite(x)) return x.ToString(Inv);
        var a = Math.Abs(x);
        if (a < 1e-3 || a >= 1e6) return x.ToString("0." + new string('0', digits - 1) + "e+0", Inv);
        var decimals = Math.Max(0, digits - 1 - (int)Math.Floor(Math.Log10(a)));
        return x.ToString("F" + decimals, Inv);
    }

    public static string GroupName(string group) => group.Length > 0 ? group : "(no group)";

    public static string Plural(int n, string singular, string plural) => $"{Int(n)} {(n == 1 ? singular : plural)}";
}
