using System.Globalization;
using System.Text;
using PoetSharp.Properties;

namespace PoetSharp.Search;

/// <summary>
/// How a target of the recommended model compares with the same target of a model trained on the same data with far
/// more freedom (a moment tensor potential of <c>poet fit --mtp-levels</c>): who meets it, and what that says.
/// </summary>
public enum AttributionVerdict
{
    /// <summary>Both meet it.</summary>
    Met,
    /// <summary>The model meets it and the data-trained reference does not: the form's physics carries it beyond what the data pin down.</summary>
    MetBeyondReference,
    /// <summary>The model misses it and the data-trained reference meets it: the data allow it; the forms found do not reach it.</summary>
    FormLimit,
    /// <summary>Both miss it on the same side: the data (or both families' extrapolation alike) hold it away from the target.</summary>
    BothMissSameSide,
    /// <summary>Both miss it, on opposite sides.</summary>
    BothMissOppositeSides,
    /// <summary>The model or the reference could not compute it.</summary>
    NotComputed,
}

/// <summary>One target: the model's and the reference's values, errors and errors in tolerances, and the verdict.</summary>
public sealed record TargetAttributionRow(string Name, string Structure, string Unit, double Target, double Tolerance,
    double? Model, double? ModelError, double? ModelRatio, double? Reference, double? ReferenceError, double? ReferenceRatio,
    AttributionVerdict Verdict);

/// <summary>The attribution of every target of a model against a data-trained reference (<see cref="TargetAttribution.Compare"/>).</summary>
public sealed record TargetAttributionReport(string ModelLabel, string ReferenceLabel, IReadOnlyList<TargetAttributionRow> Rows)
{
    /// <summary>The rows with this verdict.</summary>
    public IReadOnlyList<TargetAttributionRow> With(AttributionVerdict verdict) => Rows.Where(r => r.Verdict == verdict).ToList();

    /// <summary>One sentence for the run's summary.</summary>
    public string Sentence()
    {
        static string Names(IEnumerable<TargetAttributionRow> rows) => string.Join(", ", rows.Select(TargetAttribution.Label));
        var b = new StringBuilder(FormattableString.Invariant(
            $"What the data allow ({ModelLabel} against {ReferenceLabel}): {ModelLabel} meets {Rows.Count(r => r.ModelRatio <= 1)} of {Rows.Count} targets, the reference {Rows.Count(r => r.ReferenceRatio <= 1)}."));
        void Clause(AttributionVerdict verdict, string text)
        {
            if (With(verdict) is { Count: > 0 } rows) b.Append($" {text}: {Names(rows)}.");
        }
        Clause(AttributionVerdict.FormLimit, "Missed by the model but met by the reference, so the data allow them");
        Clause(AttributionVerdict.BothMissSameSide, "Missed by both on the same side, so the data do not ask for them (or both extrapolate alike)");
        Clause(AttributionVerdict.MetBeyondReference, "Met by the model, not by the reference");
        if (Rows.All(r => r.ModelRatio <= 1)) b.Append(" The model meets every target.");
        return b.ToString();
    }

    /// <summary>A Markdown section: the sentence and one row per target.</summary>
    public string Markdown()
    {
        var inv = CultureInfo.InvariantCulture;
        string Num(double? x) => x is double v ? v.ToString("G6", inv) : "–";
        string Ratio(double? x) => x is double v ? v.ToString("F2", inv) : "–";
        var b = new StringBuilder();
        b.AppendLine("## What the data allow");
        b.AppendLine();
        b.AppendLine(Sentence());
        b.AppendLine();
        b.AppendLine($"| property | structure | unit | target | tolerance | {ModelLabel} | error / tol. | {ReferenceLabel} | error / tol. | verdict |");
        b.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in Rows)
            b.AppendLine($"| {r.Name} | {r.Structure} | {r.Unit} | {Num(r.Target)} | {Num(r.Tolerance)} | {Num(r.Model)} | {Ratio(r.ModelRatio)} | " +
                         $"{Num(r.Reference)} | {Ratio(r.ReferenceRatio)} | {TargetAttribution.Describe(r.Verdict)} |");
        b.AppendLine();
        b.AppendLine("The reference has far more freedom than a closed form and no physics of its own beyond its data: where it meets a " +
                     "target the model misses, the data allow that target and the model's form is what stops it; where both miss on " +
                     "the same side, the data hold the property there (strained cells measure it; `poet data elastic`), or the target " +
                     "lies beyond the data (surfaces absent from them) and both extrapolate alike; a target the model meets and the " +
                     "reference misses is carried by the form's physics beyond the data.");
        return b.ToString();
    }
}

/// <summary>
/// Which of the recommended model's target misses are its form's and which are the data's: the same targets computed for a
/// model of much greater freedom trained on the same data (a moment tensor potential; its level-16 form meets copper's
/// elastic constants within about 1 % from POET's DFT molecular dynamics alone). See docs/front.md.
/// </summary>
public static class TargetAttribution
{
    /// <summary>Every target row the model and the reference both have (by property and structure), in the model's order.</summary>
    public static TargetAttributionReport Compare(string modelLabel, IReadOnlyList<PropertyComparison> model,
        string referenceLabel, IReadOnlyList<PropertyComparison> reference)
    {
        var rows = new List<TargetAttributionRow>();
        foreach (var m in model)
        {
            if (m.Reference is null || m.Computed is null || m.Note.Length > 0) continue;
            var r = reference.FirstOrDefault(x => x.Name == m.Name && x.Structure == m.Structure && x.Reference is not null && x.Note.Length == 0);
            if (r is null) continue;
            var tolerance = TargetTolerances.Of(m.Reference);
            double? Ok(PropertyComparison c) => c.Computed is { Status: PropertyStatus.Ok } ? c.AbsoluteError : null;
            var me = Ok(m);
            var re = Ok(r);
            double? mr = me is double a ? Math.Abs(a) / tolerance : null;
            double? rr = re is double b ? Math.Abs(b) / tolerance : null;
            var verdict = (mr, rr) switch
            {
                (null, _) or (_, null) => AttributionVerdict.NotComputed,
                ( <= 1, <= 1) => AttributionVerdict.Met,
                ( <= 1, _) => AttributionVerdict.MetBeyondReference,
                (_, <= 1) => AttributionVerdict.FormLimit,
                _ => Math.Sign(me!.Value) == Math.Sign(re!.Value) ? AttributionVerdict.BothMissSameSide : AttributionVerdict.BothMissOppositeSides,
            };
            rows.Add(new TargetAttributionRow(m.Name, m.Structure, m.Unit, m.Reference.Value, tolerance,
                me is null ? null : m.Computed.Value, me, mr, re is null ? null : r.Computed!.Value, re, rr, verdict));
        }
        return new TargetAttributionReport(modelLabel, referenceLabel, rows);
    }

    public static string Describe(AttributionVerdict verdict) => verdict switch
    {
        AttributionVerdict.Met => "met by both",
        AttributionVerdict.MetBeyondReference => "met; the reference misses it (the form's physics, beyond the data)",
        AttributionVerdict.FormLimit => "**the form's limit**: the reference meets it on the same data",
        AttributionVerdict.BothMissSameSide => "missed by both, same side (the data's, or beyond them)",
        AttributionVerdict.BothMissOppositeSides => "missed by both, opposite sides",
        _ => "not computed",
    };

    internal static string Label(TargetAttributionRow r) =>
        r.Structure is "FCC" or "" || r.Name.StartsWith("Esurf_", StringComparison.Ordinal) ? r.Name : $"{r.Name} {r.Structure}";
}
