using System.Globalization;
using PoetSharp.Search;
using Spectre.Console;

namespace PoetSharp.Cli;

/// <summary>
/// Runs a search with progress: a Spectre.Console live table on a terminal, plain log lines (about every 10 s)
/// otherwise. Ctrl-C stops the search at once (the generation in progress is rolled back), writes the checkpoint and
/// lets the command write its outputs; a second Ctrl-C is left to the system.
/// </summary>
internal static class SearchRunner
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<Candidate> Run(CliOutput output, SearchEngine engine, bool terminal)
    {
        using var cancel = new CancellationTokenSource();
        void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
        }
        Console.CancelKeyPress += OnCancel;
        try
        {
            IReadOnlyList<Candidate> front;
            if (terminal)
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumn("search").AddColumn("");
                front = output.Console.Live(table).Start(context =>
                {
                    var progress = new Progress(p =>
                    {
                        lock (table)
                        {
                            table.Rows.Clear();
                            foreach (var (name, value) in Fields(p)) table.AddRow(Markup.Escape(name), Markup.Escape(value));
                            context.Refresh();
                        }
                    });
                    return engine.Run(cancel.Token, progress);
                });
            }
            else
            {
                var last = DateTime.MinValue;
                var progress = new Progress(p =>
                {
                    if (DateTime.UtcNow - last < TimeSpan.FromSeconds(10)) return;
                    last = DateTime.UtcNow;
                    lock (output) output.Line(string.Join(" | ", Fields(p).Where(f => f.Name != "best model").Select(f => $"{f.Name} {f.Value}")));
                });
                front = engine.Run(cancel.Token, progress);
            }
            if (cancel.IsCancellationRequested) output.Line("interrupted (Ctrl-C): state saved; continue with --resume");
            return front;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancel;
        }
    }

    private static IEnumerable<(string Name, string Value)> Fields(SearchProgress p)
    {
        yield return ("generation", p.MaxGenerations > 0 ? $"{p.Generation}/{p.MaxGenerations}" : p.Generation.ToString(Inv));
        yield return ("evaluations", $"{p.Evaluations.ToString("N0", Inv)} ({p.EvaluationsPerSecond.ToString("F0", Inv)}/s)");
        yield return ("best fitness", p.BestValidationFitness.ToString("G3", Inv));
        yield return ("front", p.FrontSize.ToString(Inv));
        yield return ("elapsed", Clock(p.Elapsed));
        if (p.Remaining is { } r) yield return ("remaining", Clock(r));
        yield return ("best model", p.BestExpression);
    }

    /// <summary>Progress of the first population (it can take a while on a loaded machine): a line every 5 s and at the end.</summary>
    public static Action<int, int> FirstPopulation(CliOutput output)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        return (done, wanted) =>
        {
            lock (output)
            {
                if (done < wanted && clock.Elapsed - last < TimeSpan.FromSeconds(5)) return;
                last = clock.Elapsed;
                output.Line($"first population: {done}/{wanted} models fitted ({Clock(clock.Elapsed)})");
            }
        };
    }

    /// <summary>Whether the grammar's metals prior was on, for the console and the run's summary.</summary>
    public static string PriorNote(SearchSettings settings) => settings.MetalsPrior
        ? $"metals prior: on ({(100 * settings.Priors.EmbeddedAtomShare).ToString("F0", Inv)} % of random trees have the embedded-atom shape Σg + c·(Σh)^p; --no-prior turns it off)"
        : "metals prior: off (--no-prior: every random tree from the general grammar)";

    /// <summary>A line naming the functions of the search's operator set, or null for the default set (no functions).</summary>
    public static string? OperatorNote(SearchSettings settings)
    {
        var functions = settings.UnaryOperators() is { Count: > 0 } f
            ? $"operators: + - * / ^ and {string.Join(", ", f.Select(k => Models.Operators.Of(k).Name))} (--operators)"
            : null;
        var angular = settings.Angular is { } a
            ? $"angular densities: orders {string.Join(", ", a.Orders)} ({(100 * a.SumShare).ToString("F0", Inv)} % of new sums, " +
              $"{(100 * a.MeamShare).ToString("F0", Inv)} % of random trees MEAM-like; --angular)"
            : null;
        return functions is null ? angular : angular is null ? functions : functions + "\n" + angular;
    }

    public static string Clock(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", Inv) : t.ToString(@"m\:ss", Inv);

    /// <summary>Reads 90, 90s, 10m, 1h30m, 2m30s as a duration.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        if (double.TryParse(s, NumberStyles.Float, Inv, out var plain) && plain > 0 && double.IsFinite(plain)) return TimeSpan.FromSeconds(plain);
        var total = 0.0;
        var number = "";
        var any = false;
        foreach (var ch in s)
        {
            if (char.IsDigit(ch) || ch == '.') { number += ch; continue; }
            var unit = ch switch { 'h' => 3600, 'm' => 60, 's' => 1, _ => 0 };
            if (unit == 0 || !double.TryParse(number, NumberStyles.Float, Inv, out var value)) throw Bad(text);
            total += value * unit;
            number = "";
            any = true;
        }
        if (number.Length > 0 || !any || !(total > 0)) throw Bad(text);
        return TimeSpan.FromSeconds(total);
    }

    private static ArgumentException Bad(string text) => new($"--time '{text}': expected a duration such as 90s, 10m or 1h30m");

    private sealed class Progress(Action<SearchProgress> report) : IProgress<SearchProgress>
    {
        public void Report(SearchProgress value) => report(value);
    }
}
